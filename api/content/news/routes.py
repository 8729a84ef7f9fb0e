"""News items, press releases and stories: `/api/v1/news`."""

from dataclasses import dataclass, replace
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import join
from starlette.responses import Response

from api.content.news.models import News, NewsCountry, NewsPublic, NewsTopic, NewsType
from api.content.news.service import TRANSLATABLE
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    SlugPath,
    collection_of,
    countries_of,
    fallback_of,
    instant_of,
    item_of,
    location_of,
    operation_of,
    topics_of,
    translations,
)
from api.content.search.query import where_search
from api.db import published, table
from api.http.formats import chosen_format
from api.http.responses import collection_response, item_response
from api.read.fields import PublicFields
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import CommaList, DateWindowParams, ListItem, ListParams, LocationParams, QText
from api.read.query import (
    Column,
    Filter,
    ListQuery,
    Place,
    Source,
    Span,
    where_in,
    where_linked,
    where_place,
    where_window,
)

router = APIRouter(prefix="/news", tags=["news"])

NEWS_FIELDS = PublicFields(
    NewsPublic,
    {
        "slug": News.slug,
        "title": News.title,
        "type": News.type,
        "published_at": instant_of(News.published_at),
        "summary": News.summary,
        "body": News.body,
        "location": location_of(News),
        "countries": countries_of(News.country_ids),
        "topics": topics_of(News.topic_ids),
        "field_operation": operation_of(News.field_operation_id),
        "fallback": fallback_of(News.id),
    },
)
# `country`: the countries an item is about (its link rows); `city`, `near`, `bbox`: its place.
NEWS_PLACE = Place(
    News.latitude,
    News.longitude,
    News.city_slug,
    News.region,
    News.territory_slug,
    country_link=(News.id, NewsCountry.news_id, NewsCountry.country_id),
)


class NewsParams(ListParams, DateWindowParams, LocationParams):
    """`date_from`/`date_to`: published within; `country`: any country the item is about;
    `region`: about a country of the region, or located in it; `city`, `territory`, `near`,
    `bbox`: by the item's location."""

    sort: Literal["-published_at", "published_at"] = "-published_at"
    fields: Annotated[CommaList[str], NEWS_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
    type: CommaList[NewsType] = Field(default_factory=list, description="Any of these types.")
    topic: CommaList[ListItem] = Field(
        default_factory=list, description="Topic slugs (any of them)."
    )
    field_operation: CommaList[ListItem] = Field(
        default_factory=list, description="Field operation slugs (any of them)."
    )
    q: QText = None


class NewsItemParams(ItemParams):
    fields: Annotated[CommaList[str], NEWS_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


@dataclass(frozen=True, eq=False)
class Reading:
    """One way to read news lists: its source, what its window and order use, and the link
    column (if any) its own index is keyed by."""

    source: Source
    span: Span
    order: SortKey
    link_key: Column = None


NEWS = Reading(
    Source("news", NEWS_FIELDS.columns, table(News), News.id, (published(News),), rows=table(News)),
    Span(starts_at=News.published_at, ends_at=News.published_at),
    SortKey(News.published_at, "instant"),
)
# One country, or one topic, is read through its link table's (status, country or topic,
# published_at, news_id) index: filter, window and newest-first order are one index range,
# with no sort step. The link row carries its item's status, so it alone says "published".
BY_COUNTRY, BY_TOPIC = (
    Reading(
        Source(
            f"news.{table(link).name}",
            NEWS_FIELDS.columns,
            join(link, News, link.news_id == News.id),  # type: ignore[arg-type]
            link.news_id,
            (published(link),),
            narrow=table(link),
            rows=table(News),
        ),
        Span(starts_at=link.published_at, ends_at=link.published_at),
        SortKey(link.published_at, "instant"),
        key,
    )
    for link, key in ((NewsCountry, NewsCountry.country_id), (NewsTopic, NewsTopic.topic_id))
)


# With the feeds' `updated` and the sitemap's `lastmod`: read only for them, as a JSON answer
# shows no `updated_at` (bench/README.md, "4 Dec: over HTTP, on a quiet machine").
DATED = {
    reading: replace(reading, source=reading.source.with_columns(News.updated_at))
    for reading in (NEWS, BY_COUNTRY, BY_TOPIC)
}
NEWS_DATED = DATED[NEWS]


def news_query(
    countries: list[int], topics: list[int], dated: bool = False
) -> tuple[ListQuery, Reading]:
    """The list query for these country and topic filters, read the cheapest way; `dated`:
    with `updated_at` (for a feed)."""
    filters: list[list[Filter]]
    if len(countries) == 1:
        reading = BY_COUNTRY
        filters = [
            where_in(BY_COUNTRY.link_key, "link", countries),
            where_linked(News.id, NewsTopic.news_id, NewsTopic.topic_id, "topic", topics),
        ]
    elif not countries and len(topics) == 1:
        reading, filters = BY_TOPIC, [where_in(BY_TOPIC.link_key, "link", topics)]
    else:
        reading = NEWS
        filters = [
            where_linked(
                News.id, NewsCountry.news_id, NewsCountry.country_id, "country", countries
            ),
            where_linked(News.id, NewsTopic.news_id, NewsTopic.topic_id, "topic", topics),
        ]
    if dated:
        reading = DATED[reading]
    return ListQuery(reading.source).where(*filters), reading


@router.get(
    "",
    response_model=collection_of(NewsPublic),
    responses=LIST_ERRORS,
    operation_id="listNews",
    summary="List news",
)
async def list_news(
    request: Request, context: Context, params: Annotated[NewsParams, Query()]
) -> Response:
    """News items, press releases and stories, newest first unless sorted otherwise."""
    catalog = context.catalog
    countries, topics = catalog.country_ids(params.country), catalog.topic_ids(params.topic)
    query, reading = news_query(countries, topics, dated=chosen_format(request) is not None)
    query.where(
        where_window(params, reading.span),
        where_place(params, NEWS_PLACE, catalog, country=False),
        where_search(params.q, "news", News.id, context.lang),
        where_in(News.type, "type", [t.value for t in params.type]),
        where_in(
            News.field_operation_id, "operation", catalog.operation_ids(params.field_operation)
        ),
    )
    page = await paginate(request, context.reader, query, params, {"published_at": reading.order})
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = NEWS_FIELDS.items(page.rows, context, params.fields, texts)
    return collection_response(request, items, page, params)


NEWS_ITEM = ItemBy(NEWS.source, News.slug, "news item")


@router.get(
    "/{slug}",
    response_model=item_of(NewsPublic),
    responses=ITEM_ERRORS,
    operation_id="getNews",
    summary="Get a news item",
)
async def get_news(
    slug: SlugPath, context: Context, params: Annotated[NewsItemParams, Query()]
) -> Response:
    """One news item, press release or story, by slug."""
    row = await NEWS_ITEM.fetch(context.reader, slug.lower(), slug)
    texts = await translations(context, TRANSLATABLE, [row])
    return item_response(NEWS_FIELDS.item(row, context, params.fields, texts))
