"""News items, press releases and stories: `/api/v1/news`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import join, select
from sqlalchemy.orm import aliased
from sqlmodel import col
from starlette.responses import Response

from api.catalog import Catalog
from api.db import group_ids, published, table
from api.models import News, NewsCountry, NewsPublic, NewsTopic, NewsType
from api.paging import SortKey, collection_response, fetch_one, item_response, paginate
from api.params import CommaList, DateWindowParams, ListParams, PlaceParams, QText
from api.query import (
    ListQuery,
    Place,
    Row,
    Span,
    has_location,
    ids,
    instant,
    location_json,
    where_in,
    where_linked,
    where_place,
    where_text,
    where_window,
)
from api.v1.common import ITEM_ERRORS, LIST_ERRORS, Collection, Context, Item, ItemParams, SlugPath

router = APIRouter(prefix="/news", tags=["news"])

NewsField = Literal[
    "slug", "title", "type", "published_at", "summary", "body", "location", "countries",
    "topics", "field_operation",
]  # fmt: skip
# The link tables as the lists' subqueries see them, apart from the one a list may read through.
ABOUT, TAGGED = aliased(NewsCountry, name="about"), aliased(NewsTopic, name="tagged")
NEWS_COLUMNS: tuple[Any, ...] = (
    News.slug,
    News.title,
    News.type,
    News.published_at,
    News.summary,
    News.body,
    News.venue,
    News.city,
    News.territory,
    News.country_id,
    News.region,
    News.latitude,
    News.longitude,
    News.field_operation_id,
    select(group_ids(ABOUT.country_id))
    .where(col(ABOUT.news_id) == News.id)
    .correlate(News)
    .scalar_subquery()
    .label("country_ids"),
    select(group_ids(TAGGED.topic_id))
    .where(col(TAGGED.news_id) == News.id)
    .correlate(News)
    .scalar_subquery()
    .label("topic_ids"),
)
NEWS_PLACE = Place(News.latitude, News.longitude, News.city_slug, News.region, None)


class NewsParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: published within; `country`: any country the item is about;
    `region`, `city`, `near`, `bbox`: by the item's location."""

    sort: Literal["-published_at", "published_at"] = "-published_at"
    fields: CommaList[NewsField] = Field(default=[], description="Only these fields.")
    type: CommaList[NewsType] = Field(default=[], description="Any of these types.")
    topic: CommaList[str] = Field(default=[], description="Topic slugs (any of them).")
    field_operation: CommaList[str] = Field(
        default=[], description="Field operation slugs (any of them)."
    )
    q: QText = None


class NewsItemParams(ItemParams):
    fields: CommaList[NewsField] = Field(default=[], description="Only these fields.")


def news_source(countries: list[int], topics: list[int]) -> tuple[ListQuery, Span, SortKey]:
    """Where a list reads from. One country, or one topic, is read through its link table's
    (country or topic, published_at, news_id) index: filter, window and newest-first order
    are one index range, with no sort step. Otherwise the news table's own indexes serve."""
    by_country = len(countries) == 1
    if by_country or (not countries and len(topics) == 1):
        link = NewsCountry if by_country else NewsTopic
        link_key = NewsCountry.country_id if by_country else NewsTopic.topic_id
        source = join(link, News, link.news_id == News.id)  # type: ignore[arg-type]
        query = ListQuery(f"news.{link.__tablename__}", NEWS_COLUMNS, source, link.news_id)
        query.conditions = (published(link),)  # the link row carries its item's status
        query.where(where_in(link_key, "link", countries if by_country else topics))
        if by_country:
            query.where(
                where_linked(News.id, NewsTopic.news_id, NewsTopic.topic_id, "topic", topics)
            )
        published_at = link.published_at
    else:
        query = ListQuery("news", NEWS_COLUMNS, table(News), News.id, (published(News),))
        query.where(
            where_linked(
                News.id, NewsCountry.news_id, NewsCountry.country_id, "country", countries
            ),
            where_linked(News.id, NewsTopic.news_id, NewsTopic.topic_id, "topic", topics),
        )
        published_at = News.published_at
    return (
        query,
        Span(starts_at=published_at, ends_at=published_at),
        SortKey(published_at, "instant"),
    )


def news_json(row: Row, catalog: Catalog) -> dict[str, Any]:
    return {
        "slug": row["slug"],
        "title": row["title"],
        "type": row["type"],
        "published_at": instant(row["published_at"]),
        "summary": row["summary"],
        "body": row["body"],
        "location": location_json(row, catalog) if has_location(row) else None,
        "countries": catalog.countries_of(ids(row["country_ids"])),
        "topics": catalog.topics_of(ids(row["topic_ids"])),
        "field_operation": catalog.operation(row["field_operation_id"]),
    }


@router.get(
    "",
    response_model=Collection[NewsPublic],
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
    query, span, published_at = news_source(countries, topics)
    query.where(
        where_window(params, span),
        where_place(params, NEWS_PLACE, catalog),
        where_text(News.search_text, params.q),
        where_in(News.type, "type", [t.value for t in params.type]),
        where_in(
            News.field_operation_id, "operation", catalog.operation_ids(params.field_operation)
        ),
    )
    sorts = {"published_at": published_at}
    page = await paginate(request, context.reader, query, params, sorts)
    return collection_response(request, [news_json(r, catalog) for r in page.rows], page, params)


@router.get(
    "/{slug}",
    response_model=Item[NewsPublic],
    responses=ITEM_ERRORS,
    operation_id="getNews",
    summary="Get a news item",
)
async def get_news(
    slug: SlugPath, context: Context, params: Annotated[NewsItemParams, Query()]
) -> Response:
    """One news item, press release or story, by slug."""
    query = ListQuery("news.item", NEWS_COLUMNS, table(News), News.id, (published(News),))
    query.where(where_in(News.slug, "slug", [slug.lower()]))
    row = await fetch_one(context.reader, query, "news item", slug)
    return item_response(news_json(row, context.catalog), params.fields)
