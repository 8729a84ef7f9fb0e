"""Field operations: `/api/v1/field-operations`."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import ColumnElement, Date, bindparam, or_
from sqlmodel import col
from starlette.responses import Response

from api.content.field_operations.models import (
    FieldOperation,
    FieldOperationPublic,
    FieldOperationStatus,
    FieldOperationTopic,
    FieldOperationType,
)
from api.content.field_operations.service import TRANSLATABLE
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    SlugPath,
    collection_of,
    country_of,
    fallback_of,
    item_of,
    location_of,
    topics_of,
    translations,
)
from api.content.search.query import where_search
from api.db import published, table
from api.http.responses import collection_response, item_response
from api.read.fields import Computed, PublicFields
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import CommaList, DateWindowParams, ListItem, ListParams, LocationParams, QText
from api.read.query import (
    Condition,
    Filter,
    ListQuery,
    Place,
    Source,
    Span,
    as_date,
    where_in,
    where_linked,
    where_place,
    where_window,
)

router = APIRouter(prefix="/field-operations", tags=["field-operations"])


STATUS = Computed.of(
    (FieldOperation.closed_on,),
    "'active' if row['closed_on'] is None or as_date(row['closed_on']) >= context.today "
    "else 'closed'",
    as_date=as_date,
)


OPERATION_FIELDS = PublicFields(
    FieldOperationPublic,
    {
        "slug": FieldOperation.slug,
        "name": FieldOperation.name,
        "type": FieldOperation.type,
        "status": STATUS,
        "location": location_of(FieldOperation, optional=False),
        "host_state": country_of(FieldOperation.host_state_id),
        "established_on": FieldOperation.established_on,
        "closed_on": FieldOperation.closed_on,
        "mandate": FieldOperation.mandate,
        "topics": topics_of(FieldOperation.topic_ids),
        "fallback": fallback_of(FieldOperation.id),
    },
)
OPERATIONS = Source(
    "operations",
    OPERATION_FIELDS.columns,
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
# `country`: the host State or the location's country.
LOCATION = Place(
    FieldOperation.latitude,
    FieldOperation.longitude,
    FieldOperation.city_slug,
    FieldOperation.region,
    FieldOperation.territory_slug,
    countries=(FieldOperation.country_id, FieldOperation.host_state_id),
)


class OperationParams(ListParams, DateWindowParams, LocationParams):
    """`date_from`/`date_to`: active at some time in the window; `country`: host or location."""

    sort: Literal[
        "name", "-name", "established_on", "-established_on", "closed_on", "-closed_on"
    ] = "name"
    fields: Annotated[CommaList[str], OPERATION_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
    type: CommaList[FieldOperationType] = Field(
        default_factory=list, description="Any of these types."
    )
    status: CommaList[FieldOperationStatus] = Field(
        default_factory=list, description="active, closed (any of them), against today in UTC."
    )
    topic: CommaList[ListItem] = Field(
        default_factory=list, description="Topic slugs (any of them)."
    )
    q: QText = None


class OperationItemParams(ItemParams):
    fields: Annotated[CommaList[str], OPERATION_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


@dataclass(frozen=True)
class StatusIs(Condition):
    """Active while `closed_on` is unset or not yet past, closed after."""

    active: bool

    @property
    def binds(self) -> tuple[str, ...]:
        return ("today",)

    def sql(self) -> ColumnElement[bool]:
        closed_on, today = col(FieldOperation.closed_on), bindparam("today", type_=Date())
        return or_(closed_on.is_(None), closed_on >= today) if self.active else closed_on < today


def where_status(statuses: list[FieldOperationStatus], today: date) -> list[Filter]:
    if len(set(statuses)) != 1:  # none, or both: every operation
        return []
    return [Filter(StatusIs(statuses[0] == FieldOperationStatus.active), {"today": today})]


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
        where_search(params.q, "field-operations", FieldOperation.id, context.lang),
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
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = OPERATION_FIELDS.items(page.rows, context, params.fields, texts)
    return collection_response(request, items, page, params)


OPERATION_ITEM = ItemBy(OPERATIONS, FieldOperation.slug, "field operation")


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
    row = await OPERATION_ITEM.fetch(context.reader, slug.lower(), slug)
    texts = await translations(context, TRANSLATABLE, [row])
    return item_response(OPERATION_FIELDS.item(row, context, params.fields, texts))
