"""Events: `/api/v1/events`."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import ColumnElement, Date, bindparam, or_
from sqlmodel import col
from starlette.responses import Response

from api.content.events.models import Event, EventPublic, EventStatus, EventTopic, EventType
from api.content.events.service import TRANSLATABLE
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    SlugPath,
    collection_of,
    fallback_of,
    flag_of,
    instant_of,
    item_of,
    location_of,
    operation_of,
    topics_of,
    translations,
)
from api.content.search.query import where_search
from api.db import published, table
from api.http.formats import chosen_format
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

router = APIRouter(prefix="/events", tags=["events"])


# Plain strings: an enum member's `.value` is a descriptor call, once per event of every page.
UPCOMING, ONGOING, PAST = (
    s.value for s in (EventStatus.upcoming, EventStatus.ongoing, EventStatus.past)
)


def event_status(starts_on: date, ends_on: date, today: date) -> str:
    if starts_on > today:
        return UPCOMING
    return ONGOING if ends_on >= today else PAST


STATUS = Computed.of(
    (Event.starts_on, Event.ends_on),
    "event_status(as_date(row['starts_on']), as_date(row['ends_on']), context.today)",
    event_status=event_status,
    as_date=as_date,
)


EVENT_FIELDS = PublicFields(
    EventPublic,
    {
        "slug": Event.slug,
        "title": Event.title,
        "type": Event.type,
        "status": STATUS,
        "all_day": flag_of(Event.all_day),
        "starts_on": Event.starts_on,
        "ends_on": Event.ends_on,
        "starts_at": instant_of(Event.starts_at),
        "ends_at": instant_of(Event.ends_at),
        "time_zone": Event.time_zone,
        "location": location_of(Event),
        "summary": Event.summary,
        "organiser": Event.organiser,
        "field_operation": operation_of(Event.field_operation_id),
        "topics": topics_of(Event.topic_ids),
        "fallback": fallback_of(Event.id),
    },
)
EVENTS = Source(
    "events", EVENT_FIELDS.columns, table(Event), Event.id, (published(Event),), rows=table(Event)
)
# With the calendar's SEQUENCE and DTSTAMP (how often and when a row last changed) and the
# sitemap's date: read only for them, as three more columns cost a page of JSON about 3% of
# its instructions (bench/README.md, "4 Dec: over HTTP, on a quiet machine").
EVENTS_DATED = EVENTS.with_columns(Event.revision, Event.created_at, Event.updated_at)
EVENT_SORTS = {
    "starts_on": SortKey(Event.starts_on, "date"),
    "ends_on": SortKey(Event.ends_on, "date"),
}
# An event's end instant is the first moment after it: one that ends at midnight is over then.
HAPPENING = Span(Event.starts_on, Event.ends_on, Event.starts_at, Event.ends_at, exclusive_end=True)
VENUE = Place(
    Event.latitude,
    Event.longitude,
    Event.city_slug,
    Event.region,
    Event.territory_slug,
    countries=(Event.country_id,),
)


class EventParams(ListParams, DateWindowParams, LocationParams):
    """`date_from`/`date_to`: the event overlaps the window (see the README)."""

    sort: Literal["starts_on", "-starts_on", "ends_on", "-ends_on"] = "starts_on"
    fields: Annotated[CommaList[str], EVENT_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
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
    fields: Annotated[CommaList[str], EVENT_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


@dataclass(frozen=True)
class StatusIs(Condition):
    """Upcoming, ongoing or past against `today`: any of `statuses`."""

    statuses: tuple[EventStatus, ...]

    @property
    def binds(self) -> tuple[str, ...]:
        return ("today",)

    def sql(self) -> ColumnElement[bool]:
        starts_on, ends_on = col(Event.starts_on), col(Event.ends_on)
        today = bindparam("today", type_=Date())
        conditions = {
            EventStatus.upcoming: starts_on > today,
            EventStatus.ongoing: (starts_on <= today) & (ends_on >= today),
            EventStatus.past: ends_on < today,
        }
        return or_(*(conditions[s] for s in self.statuses))


def where_status(statuses: list[EventStatus], today: date) -> list[Filter]:
    if not statuses:
        return []
    return [Filter(StatusIs(tuple(sorted(set(statuses)))), {"today": today})]


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
    query = ListQuery(EVENTS_DATED if chosen_format(request) else EVENTS).where(
        where_window(params, HAPPENING, longest_days=catalog.longest_event_days),
        where_place(params, VENUE, catalog),
        where_search(params.q, "events", Event.id, context.lang),
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
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = EVENT_FIELDS.items(page.rows, context, params.fields, texts)
    return collection_response(request, items, page, params)


EVENT_ITEM = ItemBy(EVENTS, Event.slug, "event")


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
    row = await EVENT_ITEM.fetch(context.reader, slug.lower(), slug)
    texts = await translations(context, TRANSLATABLE, [row])
    return item_response(EVENT_FIELDS.item(row, context, params.fields, texts))
