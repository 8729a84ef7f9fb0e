"""Events: `/api/v1/events`."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import ColumnElement, Row, select
from sqlmodel import col
from starlette.responses import Response

from api.db import SessionDep
from api.models import (
    Country,
    Event,
    EventPublic,
    EventStatus,
    EventTopic,
    EventType,
    FieldOperation,
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

router = APIRouter(prefix="/events", tags=["events"])

EventField = Literal[
    "slug", "title", "type", "status", "all_day", "starts_on", "ends_on", "starts_at", "ends_at",
    "time_zone", "location", "summary", "organiser", "field_operation", "topics",
]  # fmt: skip
EVENT_SORTS = {"starts_on": Event.starts_on, "ends_on": Event.ends_on}
HAPPENING = Span(Event.starts_on, Event.ends_on, Event.starts_at, Event.ends_at)
EVENT_PLACE = Place(
    latitude=Event.latitude,
    longitude=Event.longitude,
    city_slug=Event.city_slug,
    region=Event.region,
    in_countries=lambda ids: col(Event.country_id).in_(ids),
)


class EventParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: the event overlaps the window (by its local dates)."""

    sort: Literal["starts_on", "-starts_on", "ends_on", "-ends_on"] = "starts_on"
    fields: CommaList[EventField] = Field(default=[], description="Only these fields.")
    type: CommaList[EventType] = Field(default=[], description="Any of these types.")
    status: CommaList[EventStatus] = Field(
        default=[], description="upcoming, ongoing, past (any of them), against today in UTC."
    )
    topic: CommaList[str] = Field(default=[], description="Topic slugs (any of them).")
    field_operation: CommaList[str] = Field(
        default=[], description="Slugs of the field operations organising them (any of them)."
    )
    q: QText = None


class EventItemParams(ItemParams):
    fields: CommaList[EventField] = Field(default=[], description="Only these fields.")


def event_status(starts_on: date, ends_on: date, today: date) -> str:
    if starts_on > today:
        return EventStatus.upcoming.value
    return EventStatus.ongoing.value if ends_on >= today else EventStatus.past.value


def where_status(statuses: list[EventStatus], today: date) -> ColumnElement[bool]:
    conditions = {
        EventStatus.upcoming: col(Event.starts_on) > today,
        EventStatus.ongoing: (col(Event.starts_on) <= today) & (col(Event.ends_on) >= today),
        EventStatus.past: col(Event.ends_on) < today,
    }
    condition = conditions[statuses[0]]
    for status in statuses[1:]:
        condition = condition | conditions[status]
    return condition


EVENT_COLUMNS: tuple[Any, ...] = (
    Event.id,
    Event.slug,
    Event.title,
    Event.type,
    Event.all_day,
    Event.starts_on,
    Event.ends_on,
    Event.starts_at,
    Event.ends_at,
    Event.time_zone,
    Event.venue,
    Event.city,
    Event.territory,
    Event.country_id,
    Event.region,
    Event.latitude,
    Event.longitude,
    Event.summary,
    Event.organiser,
    Event.field_operation_id,
)


def _event_select() -> Any:
    return select(*EVENT_COLUMNS).where(published(Event))


def _events_json(session: SessionDep, rows: list[Row[Any]], today: date) -> list[dict[str, Any]]:
    countries = summaries(session, Country, [r.country_id for r in rows], "iso_alpha2")
    operations = summaries(session, FieldOperation, [r.field_operation_id for r in rows])
    topics = linked_summaries(
        session, EventTopic.event_id, EventTopic.topic_id, Topic, [r.id for r in rows]
    )
    return [
        {
            "slug": row.slug,
            "title": row.title,
            "type": row.type,
            "status": event_status(row.starts_on, row.ends_on, today),
            "all_day": row.all_day,
            "starts_on": row.starts_on,
            "ends_on": row.ends_on,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "time_zone": row.time_zone,
            "location": location_json(row, countries) if has_location(row) else None,
            "summary": row.summary,
            "organiser": row.organiser,
            "field_operation": operations.get(row.field_operation_id),
            "topics": topics[row.id],
        }
        for row in rows
    ]


@router.get(
    "",
    response_model=Collection[EventPublic],
    responses=LIST_ERRORS,
    operation_id="listEvents",
    summary="List events",
)
def list_events(
    request: Request, session: SessionDep, today: Today, params: Annotated[EventParams, Query()]
) -> Response:
    """Events, soonest first unless sorted otherwise."""
    statement = _event_select().where(
        *where_window(params, HAPPENING),
        *where_place(session, params, EVENT_PLACE),
        *where_text(Event.search_text, params.q),
    )
    if params.type:
        statement = statement.where(col(Event.type).in_(params.type))
    if params.status:
        statement = statement.where(where_status(params.status, today))
    if params.topic:
        topic_ids = slug_ids(session, Topic, params.topic, "topic")
        statement = statement.where(
            where_linked(Event.id, EventTopic.event_id, EventTopic.topic_id, topic_ids)
        )
    if params.field_operation:
        operation_ids = slug_ids(session, FieldOperation, params.field_operation, "field_operation")
        statement = statement.where(col(Event.field_operation_id).in_(operation_ids))
    page = paginate(session, statement, params, order_by(params.sort, EVENT_SORTS, Event.id))
    return collection_response(request, _events_json(session, page.rows, today), page, params)


@router.get(
    "/{slug}",
    response_model=Item[EventPublic],
    responses=ITEM_ERRORS,
    operation_id="getEvent",
    summary="Get an event",
)
def get_event(
    slug: SlugPath, session: SessionDep, today: Today, params: Annotated[EventItemParams, Query()]
) -> Response:
    """One event, by slug."""
    row = one_or_404(session, _event_select().where(Event.slug == slug.lower()), "event", slug)
    return item_response(_events_json(session, [row], today)[0], params.fields)
