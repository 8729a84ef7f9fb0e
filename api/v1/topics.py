"""Topics (fields of work): `/api/v1/topics`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Row, select
from sqlmodel import col
from starlette.responses import Response

from api.db import SessionDep
from api.models import Topic, TopicPublic
from api.query import (
    CommaList,
    ListParams,
    QText,
    collection_response,
    item_response,
    one_or_404,
    order_by,
    paginate,
    published,
    where_text,
)
from api.v1.common import ITEM_ERRORS, LIST_ERRORS, Collection, Item, ItemParams, SlugPath

router = APIRouter(prefix="/topics", tags=["topics"])

TopicField = Literal["slug", "name"]
TOPIC_SORTS = {"position": Topic.position, "name": Topic.sort_name}


class TopicParams(ListParams):
    sort: Literal["position", "-position", "name", "-name"] = Field(
        default="position", description="`position` is the order of the website's menu."
    )
    fields: CommaList[TopicField] = Field(default=[], description="Only these fields.")
    q: QText = None


class TopicItemParams(ItemParams):
    fields: CommaList[TopicField] = Field(default=[], description="Only these fields.")


def _topic_select() -> Any:
    return select(col(Topic.id), col(Topic.slug), col(Topic.name)).where(published(Topic))


def _topic_json(row: Row[Any]) -> dict[str, Any]:
    return {"slug": row.slug, "name": row.name}


@router.get(
    "",
    response_model=Collection[TopicPublic],
    responses=LIST_ERRORS,
    operation_id="listTopics",
    summary="List topics (fields of work)",
)
def list_topics(
    request: Request, session: SessionDep, params: Annotated[TopicParams, Query()]
) -> Response:
    """The fields of work, in the website's order unless sorted otherwise."""
    statement = _topic_select().where(*where_text(Topic.search_text, params.q))
    page = paginate(session, statement, params, order_by(params.sort, TOPIC_SORTS, Topic.id))
    return collection_response(request, [_topic_json(r) for r in page.rows], page, params)


@router.get(
    "/{slug}",
    response_model=Item[TopicPublic],
    responses=ITEM_ERRORS,
    operation_id="getTopic",
    summary="Get a topic",
)
def get_topic(
    slug: SlugPath, session: SessionDep, params: Annotated[TopicItemParams, Query()]
) -> Response:
    """One field of work, by slug."""
    row = one_or_404(session, _topic_select().where(Topic.slug == slug.lower()), "topic", slug)
    return item_response(_topic_json(row), params.fields)
