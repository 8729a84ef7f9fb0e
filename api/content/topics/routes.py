"""Topics (fields of work): `/api/v1/topics`."""

from typing import Annotated, Literal

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
    fallback_of,
    item_of,
    translations,
)
from api.content.topics.models import Topic, TopicPublic
from api.content.topics.service import TRANSLATABLE
from api.db import published, table
from api.http.responses import collection_response, item_response
from api.read.fields import PublicFields
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import CommaList, ListParams, QText
from api.read.query import ListQuery, Source, where_text

router = APIRouter(prefix="/topics", tags=["topics"])

TOPIC_FIELDS = PublicFields(
    TopicPublic,
    {
        "slug": Topic.slug,
        "name": Topic.name,
        "position": Topic.position,
        "fallback": fallback_of(Topic.id),
    },
)
TOPICS = Source("topics", TOPIC_FIELDS.columns, table(Topic), Topic.id, (published(Topic),))
TOPIC_SORTS = {"position": SortKey(Topic.position, "int"), "name": SortKey(Topic.sort_name, "text")}


class TopicParams(ListParams):
    sort: Literal["position", "-position", "name", "-name"] = Field(
        default="position", description="`position` is the order of the website's menu."
    )
    fields: Annotated[CommaList[str], TOPIC_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
    q: QText = None


class TopicItemParams(ItemParams):
    fields: Annotated[CommaList[str], TOPIC_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


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
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = TOPIC_FIELDS.items(page.rows, context, params.fields, texts)
    return collection_response(request, items, page, params)


TOPIC_ITEM = ItemBy(TOPICS, Topic.slug, "topic")


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
    row = await TOPIC_ITEM.fetch(context.reader, slug.lower(), slug)
    texts = await translations(context, TRANSLATABLE, [row])
    return item_response(TOPIC_FIELDS.item(row, context, params.fields, texts))
