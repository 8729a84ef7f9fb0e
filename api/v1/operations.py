"""Field operations: `/api/v1/field-operations`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Row, or_, select
from sqlmodel import col
from starlette.responses import Response

from api.db import SessionDep
from api.models import (
    Country,
    FieldOperation,
    FieldOperationPublic,
    FieldOperationStatus,
    FieldOperationTopic,
    FieldOperationType,
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
    Today,
    collection_response,
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

router = APIRouter(prefix="/field-operations", tags=["field-operations"])

OperationField = Literal[
    "slug", "name", "type", "status", "location", "host_state", "established_on", "closed_on",
    "mandate", "topics",
]  # fmt: skip
OPERATION_SORTS = {
    "name": FieldOperation.sort_name,
    "established_on": FieldOperation.established_on,
    "closed_on": FieldOperation.closed_on,
}
ACTIVE = Span(starts_on=FieldOperation.established_on, ends_on=FieldOperation.closed_on)
OPERATION_PLACE = Place(
    latitude=FieldOperation.latitude,
    longitude=FieldOperation.longitude,
    city_slug=FieldOperation.city_slug,
    region=FieldOperation.region,
    in_countries=lambda ids: or_(
        col(FieldOperation.country_id).in_(ids),
        col(FieldOperation.host_state_id).in_(ids),
    ),
)


class OperationParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: active at some time in the window; `country`: host or location."""

    sort: Literal[
        "name", "-name", "established_on", "-established_on", "closed_on", "-closed_on"
    ] = "name"
    fields: CommaList[OperationField] = Field(default=[], description="Only these fields.")
    type: CommaList[FieldOperationType] = Field(default=[], description="Any of these types.")
    status: FieldOperationStatus | None = Field(default=None, description="active or closed.")
    topic: CommaList[str] = Field(default=[], description="Topic slugs (any of them).")
    q: QText = None


class OperationItemParams(ItemParams):
    fields: CommaList[OperationField] = Field(default=[], description="Only these fields.")


OPERATION_COLUMNS: tuple[Any, ...] = (
    FieldOperation.id,
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
)


def _operation_select() -> Any:
    return select(*OPERATION_COLUMNS).where(published(FieldOperation))


def _operations_json(session: SessionDep, rows: list[Row[Any]], today: Any) -> list[dict[str, Any]]:
    country_ids = [r.country_id for r in rows] + [r.host_state_id for r in rows]
    countries = summaries(session, Country, country_ids, "iso_alpha2")
    topics = linked_summaries(
        session,
        FieldOperationTopic.field_operation_id,
        FieldOperationTopic.topic_id,
        Topic,
        [r.id for r in rows],
    )
    return [
        {
            "slug": row.slug,
            "name": row.name,
            "type": row.type,
            "status": "active" if row.closed_on is None or row.closed_on >= today else "closed",
            "location": location_json(row, countries),
            "host_state": countries.get(row.host_state_id),
            "established_on": row.established_on,
            "closed_on": row.closed_on,
            "mandate": row.mandate,
            "topics": topics[row.id],
        }
        for row in rows
    ]


@router.get(
    "",
    response_model=Collection[FieldOperationPublic],
    responses=LIST_ERRORS,
    operation_id="listFieldOperations",
    summary="List field operations",
)
def list_field_operations(
    request: Request,
    session: SessionDep,
    today: Today,
    params: Annotated[OperationParams, Query()],
) -> Response:
    """Field operations, active and closed, filtered by type, status, time, place and topic."""
    statement = _operation_select().where(
        *where_window(params, ACTIVE),
        *where_place(session, params, OPERATION_PLACE),
        *where_text(FieldOperation.search_text, params.q),
    )
    if params.type:
        statement = statement.where(col(FieldOperation.type).in_(params.type))
    if params.status == FieldOperationStatus.active:
        statement = statement.where(
            or_(col(FieldOperation.closed_on).is_(None), col(FieldOperation.closed_on) >= today)
        )
    elif params.status == FieldOperationStatus.closed:
        statement = statement.where(col(FieldOperation.closed_on) < today)
    if params.topic:
        topic_ids = slug_ids(session, Topic, params.topic, "topic")
        statement = statement.where(
            where_linked(
                FieldOperation.id,
                FieldOperationTopic.field_operation_id,
                FieldOperationTopic.topic_id,
                topic_ids,
            )
        )
    order = order_by(params.sort, OPERATION_SORTS, FieldOperation.id)
    page = paginate(session, statement, params, order)
    return collection_response(request, _operations_json(session, page.rows, today), page, params)


@router.get(
    "/{slug}",
    response_model=Item[FieldOperationPublic],
    responses=ITEM_ERRORS,
    operation_id="getFieldOperation",
    summary="Get a field operation",
)
def get_field_operation(
    slug: SlugPath,
    session: SessionDep,
    today: Today,
    params: Annotated[OperationItemParams, Query()],
) -> Response:
    """One field operation, by slug."""
    statement = _operation_select().where(FieldOperation.slug == slug.lower())
    row = one_or_404(session, statement, "field operation", slug)
    return item_response(_operations_json(session, [row], today)[0], params.fields)
