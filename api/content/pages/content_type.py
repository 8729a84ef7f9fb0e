"""Pages of the website, each a body of typed blocks; the home page is the page `home`."""

from api.content.pages import routes, service
from api.content.pages.models import Page
from api.content.spec import Collection, ContentType, Reference
from api.db import table

CONTENT = ContentType(
    name="pages",
    tables=(table(Page),),
    collections=(
        Collection(
            name="pages",
            description="Pages of the website, the home page among them: typed blocks.",
            router=routes.router,
            list_example="limit=1",
            item_example="home",
            parameter_examples={"sort": "title", "parent": ["home"], "expand": 1},
            sitemap=routes.PAGES,
        ),
    ),
    references=(Reference("page", table(Page), "slug"),),
    load_seed=service.load_seed,
    after=("news", "events", "images"),
    translatable=(service.TRANSLATABLE,),
    searchable=(service.SEARCHABLE,),
)
