"""Field operations: `/api/v1/field-operations`."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import ColumnElement, Date, bindparam, or_
from sqlmodel import col
from starlette.responses import Response

from api.content.catalog import Catalog
from api.content.field_operations.models import (
    FieldOperation,
    FieldOperationPublic,
    FieldOperationStatus,
    FieldOperationTopic,
    FieldOperationType,
)
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    SlugPath,
    collection_of,
    item_of,
)
from api.db import published, table
from api.read.paging import SortKey, collection_response, fetch_one, item_response, paginate
from api.read.params import CommaList, DateWindowParams, ListItem, ListParams, PlaceParams, QText
from api.read.query import (
    Filter,
    ListQuery,
    Place,
    Row,
    Source,
    Span,
    as_date,
    location_json,
    where_in,
    where_linked,
    where_place,
    where_text,
    where_window,
)

router = APIRouter(prefix="/field-operations", tags=["field-operations"])

OperationField = Literal[
    "slug", "name", "type", "status", "location", "host_state", "established_on", "closed_on",
    "mandate", "topics",
]  # fmt: skip
OPERATION_COLUMNS: tuple[Any, ...] = (
    FieldOperation.slug,
    FieldOperation.name,
    FieldOperation.type,
    FieldOperation.venue,
    FieldOperation.city,
    FieldOperation.territory,
    FieldOperation.country_id,
    FieldOperation.region,
    FieldOperation.latitude,
    FieldOperation.longitude,
    FieldOperation.host_state_id,
    FieldOperation.established_on,
    FieldOperation.closed_on,
    FieldOperation.mandate,
    FieldOperation.topic_ids,
)
OPERATIONS = Source(
    "operations",
    OPERATION_COLUMNS,
    table(FieldOperation),
    FieldOperation.id,
    (published(FieldOperation),),
)
OPERATION_SORTS = {
    "name": SortKey(FieldOperation.sort_name, "text"),
    "established_on": SortKey(FieldOperation.established_on, "date"),
    # Active operations (no closing date) come after every closed one.
    "closed_on": SortKey(FieldOperation.closed_on, "date", nulls=date.max),
}
ACTIVE = Span(starts_on=FieldOperation.established_on, ends_on=FieldOperation.closed_on)
LOCATION = Place(
    FieldOperation.latitude,
    FieldOperation.longitude,
    FieldOperation.city_slug,
    FieldOperation.region,
    lambda binds: or_(
        FieldOperation.country_id.in_(binds),  # type: ignore[union-attr]
        FieldOperation.host_state_id.in_(binds),  # type: ignore[union-attr]
    ),
)


class OperationParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: active at some time in the window; `country`: host or location."""

    sort: Literal[
        "name", "-name", "established_on", "-established_on", "closed_on", "-closed_on"
    ] = "name"
    fields: CommaList[OperationField] = Field(
        default_factory=list, description="Only these fields."
    )
    type: CommaList[FieldOperationType] = Field(
        default_factory=list, description="Any of these types."
    )
    status: FieldOperationStatus | None = Field(default=None, description="active or closed.")
    topic: CommaList[ListItem] = Field(
        default_factory=list, description="Topic slugs (any of them)."
    )
    q: QText = None


class OperationItemParams(ItemParams):
    fields: CommaList[OperationField] = Field(
        default_factory=list, description="Only these fields."
    )


def where_status(status: FieldOperationStatus | None, today: date) -> list[Filter]:
    """Active while `closed_on` is unset or not yet past."""
    if status is None:
        return []
    active = status == FieldOperationStatus.active

    def build() -> ColumnElement[bool]:
        closed_on, today_ = col(FieldOperation.closed_on), bindparam("today", type_=Date())
        return or_(closed_on.is_(None), closed_on >= today_) if active else closed_on < today_

    return [Filter(("status", status.value), {"today": today}, build)]


def operation_json(row: Row, catalog: Catalog, today: date) -> dict[str, Any]:
    closed_on = row["closed_on"]
    return {
        "slug": row["slug"],
        "name": row["name"],
        "type": row["type"],
        "status": "active" if closed_on is None or as_date(closed_on) >= today else "closed",
        "location": location_json(row, catalog),
        "host_state": catalog.country(row["host_state_id"]),
        "established_on": row["established_on"],
        "closed_on": closed_on,
        "mandate": row["mandate"],
        "topics": catalog.topics_of(row["topic_ids"]),
    }


@router.get(
    "",
    response_model=collection_of(FieldOperationPublic),
    responses=LIST_ERRORS,
    operation_id="listFieldOperations",
    summary="List field operations",
)
async def list_field_operations(
    request: Request, context: Context, params: Annotated[OperationParams, Query()]
) -> Response:
    """Field operations, active and closed, filtered by type, status, time, place and topic."""
    catalog = context.catalog
    topics = catalog.topic_ids(params.topic)
    query = ListQuery(OPERATIONS).where(
        where_window(params, ACTIVE),
        where_place(params, LOCATION, catalog),
        where_text(FieldOperation.search_text, params.q),
        where_in(FieldOperation.type, "type", [t.value for t in params.type]),
        where_status(params.status, context.today),
        where_linked(
            FieldOperation.id,
            FieldOperationTopic.field_operation_id,
            FieldOperationTopic.topic_id,
            "topic",
            topics,
        ),
    )
    page = await paginate(request, context.reader, query, params, OPERATION_SORTS)
    items = [operation_json(r, catalog, context.today) for r in page.rows]
    return collection_response(request, items, page, params)


@router.get(
    "/{slug}",
    response_model=item_of(FieldOperationPublic),
    responses=ITEM_ERRORS,
    operation_id="getFieldOperation",
    summary="Get a field operation",
)
async def get_field_operation(
    slug: SlugPath, context: Context, params: Annotated[OperationItemParams, Query()]
) -> Response:
    """One field operation, by slug."""
    query = ListQuery(OPERATIONS)
    query.where(where_in(FieldOperation.slug, "slug", [slug.lower()]))
    row = await fetch_one(context.reader, query, "field operation", slug)
    return item_response(operation_json(row, context.catalog, context.today), params.fields)
