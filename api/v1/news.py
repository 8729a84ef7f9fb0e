"""News items, press releases and stories: `/api/v1/news`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Row, select
from sqlmodel import col
from starlette.responses import Response

from api.db import SessionDep
from api.models import (
    Country,
    FieldOperation,
    News,
    NewsCountry,
    NewsPublic,
    NewsTopic,
    NewsType,
    Topic,
)
from api.query import (
    CommaList,
    DateWindowParams,
    ListParams,
    Place,
    PlaceParams,
    QText,
    Span,
    collection_response,
    has_location,
    item_response,
    linked_summaries,
    location_json,
    one_or_404,
    order_by,
    paginate,
    published,
    slug_ids,
    summaries,
    where_linked,
    where_place,
    where_text,
    where_window,
)
from api.v1.common import ITEM_ERRORS, LIST_ERRORS, Collection, Item, ItemParams, SlugPath

router = APIRouter(prefix="/news", tags=["news"])

NewsField = Literal[
    "slug", "title", "type", "published_at", "summary", "body", "location", "countries",
    "topics", "field_operation",
]  # fmt: skip
NEWS_SORTS = {"published_at": News.published_at}
PUBLISHED = Span(starts_at=News.published_at, ends_at=News.published_at)
NEWS_PLACE = Place(
    latitude=News.latitude,
    longitude=News.longitude,
    city_slug=News.city_slug,
    region=News.region,
    in_countries=lambda ids: where_linked(
        News.id, NewsCountry.news_id, NewsCountry.country_id, ids
    ),
)


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


NEWS_COLUMNS: tuple[Any, ...] = (
    News.id,
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
)


def _news_select() -> Any:
    return select(*NEWS_COLUMNS).where(published(News))


def _news_json(session: SessionDep, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    ids = [r.id for r in rows]
    countries = summaries(session, Country, [r.country_id for r in rows], "iso_alpha2")
    operations = summaries(session, FieldOperation, [r.field_operation_id for r in rows])
    about = linked_summaries(
        session, NewsCountry.news_id, NewsCountry.country_id, Country, ids, "iso_alpha2"
    )
    topics = linked_summaries(session, NewsTopic.news_id, NewsTopic.topic_id, Topic, ids)
    return [
        {
            "slug": row.slug,
            "title": row.title,
            "type": row.type,
            "published_at": row.published_at,
            "summary": row.summary,
            "body": row.body,
            "location": location_json(row, countries) if has_location(row) else None,
            "countries": about[row.id],
            "topics": topics[row.id],
            "field_operation": operations.get(row.field_operation_id),
        }
        for row in rows
    ]


@router.get(
    "",
    response_model=Collection[NewsPublic],
    responses=LIST_ERRORS,
    operation_id="listNews",
    summary="List news",
)
def list_news(
    request: Request, session: SessionDep, params: Annotated[NewsParams, Query()]
) -> Response:
    """News items, press releases and stories, newest first unless sorted otherwise."""
    statement = _news_select().where(
        *where_window(params, PUBLISHED),
        *where_place(session, params, NEWS_PLACE),
        *where_text(News.search_text, params.q),
    )
    if params.type:
        statement = statement.where(col(News.type).in_(params.type))
    if params.topic:
        topic_ids = slug_ids(session, Topic, params.topic, "topic")
        statement = statement.where(
            where_linked(News.id, NewsTopic.news_id, NewsTopic.topic_id, topic_ids)
        )
    if params.field_operation:
        operation_ids = slug_ids(session, FieldOperation, params.field_operation, "field_operation")
        statement = statement.where(col(News.field_operation_id).in_(operation_ids))
    page = paginate(session, statement, params, order_by(params.sort, NEWS_SORTS, News.id))
    return collection_response(request, _news_json(session, page.rows), page, params)


@router.get(
    "/{slug}",
    response_model=Item[NewsPublic],
    responses=ITEM_ERRORS,
    operation_id="getNews",
    summary="Get a news item",
)
def get_news(
    slug: SlugPath, session: SessionDep, params: Annotated[NewsItemParams, Query()]
) -> Response:
    """One news item, press release or story, by slug."""
    row = one_or_404(session, _news_select().where(News.slug == slug.lower()), "news item", slug)
    return item_response(_news_json(session, [row])[0], params.fields)
