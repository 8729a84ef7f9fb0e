"""Events: `/api/v1/events`."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import ColumnElement, Date, bindparam, or_
from sqlmodel import col
from starlette.responses import Response

from api.content.catalog import Catalog
from api.content.events.models import Event, EventPublic, EventStatus, EventTopic, EventType
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
    has_location,
    instant,
    location_json,
    where_in,
    where_linked,
    where_place,
    where_text,
    where_window,
)

router = APIRouter(prefix="/events", tags=["events"])

EventField = Literal[
    "slug", "title", "type", "status", "all_day", "starts_on", "ends_on", "starts_at", "ends_at",
    "time_zone", "location", "summary", "organiser", "field_operation", "topics",
]  # fmt: skip
EVENT_COLUMNS: tuple[Any, ...] = (
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
    Event.topic_ids,
)
EVENTS = Source(
    "events", EVENT_COLUMNS, table(Event), Event.id, (published(Event),), rows=table(Event)
)
EVENT_SORTS = {
    "starts_on": SortKey(Event.starts_on, "date"),
    "ends_on": SortKey(Event.ends_on, "date"),
}
HAPPENING = Span(Event.starts_on, Event.ends_on, Event.starts_at, Event.ends_at)
VENUE = Place(Event.latitude, Event.longitude, Event.city_slug, Event.region, Event.country_id.in_)  # type: ignore[union-attr]


class EventParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: the event overlaps the window (see the README)."""

    sort: Literal["starts_on", "-starts_on", "ends_on", "-ends_on"] = "starts_on"
    fields: CommaList[EventField] = Field(default_factory=list, description="Only these fields.")
    type: CommaList[EventType] = Field(default_factory=list, description="Any of these types.")
    status: CommaList[EventStatus] = Field(
        default_factory=list,
        description="upcoming, ongoing, past (any of them), against today in UTC.",
    )
    topic: CommaList[ListItem] = Field(
        default_factory=list, description="Topic slugs (any of them)."
    )
    field_operation: CommaList[ListItem] = Field(
        default_factory=list,
        description="Slugs of the field operations organising them (any of them).",
    )
    q: QText = None


class EventItemParams(ItemParams):
    fields: CommaList[EventField] = Field(default_factory=list, description="Only these fields.")


def event_status(starts_on: date, ends_on: date, today: date) -> str:
    if starts_on > today:
        return EventStatus.upcoming.value
    return EventStatus.ongoing.value if ends_on >= today else EventStatus.past.value


def where_status(statuses: list[EventStatus], today: date) -> list[Filter]:
    if not statuses:
        return []
    wanted = sorted(set(statuses))

    def build() -> ColumnElement[bool]:
        starts_on, ends_on = col(Event.starts_on), col(Event.ends_on)
        today_ = bindparam("today", type_=Date())
        conditions = {
            EventStatus.upcoming: starts_on > today_,
            EventStatus.ongoing: (starts_on <= today_) & (ends_on >= today_),
            EventStatus.past: ends_on < today_,
        }
        return or_(*(conditions[s] for s in wanted))

    return [Filter(("status", *wanted), {"today": today}, build)]


def event_json(row: Row, catalog: Catalog, today: date) -> dict[str, Any]:
    return {
        "slug": row["slug"],
        "title": row["title"],
        "type": row["type"],
        "status": event_status(as_date(row["starts_on"]), as_date(row["ends_on"]), today),
        "all_day": bool(row["all_day"]),
        "starts_on": row["starts_on"],
        "ends_on": row["ends_on"],
        "starts_at": instant(row["starts_at"]),
        "ends_at": instant(row["ends_at"]),
        "time_zone": row["time_zone"],
        "location": location_json(row, catalog) if has_location(row) else None,
        "summary": row["summary"],
        "organiser": row["organiser"],
        "field_operation": catalog.operation(row["field_operation_id"]),
        "topics": catalog.topics_of(row["topic_ids"]),
    }


@router.get(
    "",
    response_model=collection_of(EventPublic),
    responses=LIST_ERRORS,
    operation_id="listEvents",
    summary="List events",
)
async def list_events(
    request: Request, context: Context, params: Annotated[EventParams, Query()]
) -> Response:
    """Events, soonest first unless sorted otherwise."""
    catalog = context.catalog
    query = ListQuery(EVENTS).where(
        where_window(params, HAPPENING, longest_days=catalog.longest_event_days),
        where_place(params, VENUE, catalog),
        where_text(Event.search_text, params.q),
        where_in(Event.type, "type", [t.value for t in params.type]),
        where_status(params.status, context.today),
        where_linked(
            Event.id,
            EventTopic.event_id,
            EventTopic.topic_id,
            "topic",
            catalog.topic_ids(params.topic),
        ),
        where_in(
            Event.field_operation_id, "operation", catalog.operation_ids(params.field_operation)
        ),
    )
    page = await paginate(request, context.reader, query, params, EVENT_SORTS)
    items = [event_json(r, catalog, context.today) for r in page.rows]
    return collection_response(request, items, page, params)


@router.get(
    "/{slug}",
    response_model=item_of(EventPublic),
    responses=ITEM_ERRORS,
    operation_id="getEvent",
    summary="Get an event",
)
async def get_event(
    slug: SlugPath, context: Context, params: Annotated[EventItemParams, Query()]
) -> Response:
    """One event, by slug."""
    query = ListQuery(EVENTS).where(where_in(Event.slug, "slug", [slug.lower()]))
    row = await fetch_one(context.reader, query, "event", slug)
    return item_response(event_json(row, context.catalog, context.today), params.fields)
