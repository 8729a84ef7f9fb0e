"""Topics (fields of work): `/api/v1/topics`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.responses import Response

from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    SlugPath,
    collection_of,
    item_of,
)
from api.content.topics.models import Topic, TopicPublic
from api.db import published, table
from api.read.paging import SortKey, collection_response, fetch_one, item_response, paginate
from api.read.params import CommaList, ListParams, QText
from api.read.query import ListQuery, Row, Source, where_in, where_text

router = APIRouter(prefix="/topics", tags=["topics"])

TopicField = Literal["slug", "name"]
TOPIC_COLUMNS: tuple[Any, ...] = (Topic.slug, Topic.name)
TOPICS = Source("topics", TOPIC_COLUMNS, table(Topic), Topic.id, (published(Topic),))
TOPIC_SORTS = {"position": SortKey(Topic.position, "int"), "name": SortKey(Topic.sort_name, "text")}


class TopicParams(ListParams):
    sort: Literal["position", "-position", "name", "-name"] = Field(
        default="position", description="`position` is the order of the website's menu."
    )
    fields: CommaList[TopicField] = Field(default_factory=list, description="Only these fields.")
    q: QText = None


class TopicItemParams(ItemParams):
    fields: CommaList[TopicField] = Field(default_factory=list, description="Only these fields.")


def topic_json(row: Row) -> dict[str, Any]:
    return {"slug": row["slug"], "name": row["name"]}


@router.get(
    "",
    response_model=collection_of(TopicPublic),
    responses=LIST_ERRORS,
    operation_id="listTopics",
    summary="List topics (fields of work)",
)
async def list_topics(
    request: Request, context: Context, params: Annotated[TopicParams, Query()]
) -> Response:
    """The fields of work, in the website's order unless sorted otherwise."""
    query = ListQuery(TOPICS).where(where_text(Topic.search_text, params.q))
    page = await paginate(request, context.reader, query, params, TOPIC_SORTS)
    return collection_response(request, [topic_json(r) for r in page.rows], page, params)


@router.get(
    "/{slug}",
    response_model=item_of(TopicPublic),
    responses=ITEM_ERRORS,
    operation_id="getTopic",
    summary="Get a topic",
)
async def get_topic(
    slug: SlugPath, context: Context, params: Annotated[TopicItemParams, Query()]
) -> Response:
    """One field of work, by slug."""
    query = ListQuery(TOPICS).where(where_in(Topic.slug, "slug", [slug.lower()]))
    row = await fetch_one(context.reader, query, "topic", slug)
    return item_response(topic_json(row), params.fields)
