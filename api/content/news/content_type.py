"""News: news items, press releases and stories."""

from api.content.news import routes, service
from api.content.news.models import News, NewsCountry, NewsTopic
from api.content.spec import Collection, ContentType
from api.db import table
from api.formats.feeds import ATOM, RSS
from api.formats.geojson import geojson

CONTENT = ContentType(
    name="news",
    tables=(table(News), table(NewsCountry), table(NewsTopic)),
    collections=(
        Collection(
            name="news",
            formats=(RSS, ATOM, geojson("location")),
            sitemap=routes.NEWS_DATED.source,
            description="News items, press releases and stories.",
            router=routes.router,
            list_example="limit=2",
            item_example="osce-promotes-marine-transport-security-and-relevant-convention-"
            "implementation",
            parameter_examples={"sort": "published_at", "type": ["story"]},
        ),
    ),
    load_seed=service.load_seed,
    after=("topics", "countries", "field_operations"),
    translatable=(service.TRANSLATABLE,),
    searchable=(service.SEARCHABLE,),
)
