"""Writes of events: their instants (an all-day event runs from midnight to midnight in its own
time zone), location keys, search text and topics."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from api.content.base import LocationIn
from api.content.events.models import Event, EventIn, EventTopic
from api.content.search.service import index_item
from api.content.service import (
    Changes,
    Refs,
    id_list,
    location_values,
    read_records,
    sync_links,
    topic_ids,
    upsert,
)
from api.content.spec import Searchable, Translatable
from api.db import table
from api.text import search_text

TRANSLATABLE = Translatable("event", table(Event), ("title", "summary"), in_catalog=False)
SEARCHABLE = Searchable(
    "events",
    TRANSLATABLE,
    "title",
    ("summary", "organiser", "venue", "city"),
    date="starts_on",
    type="type",
    country="country_id",
    city="city_slug",
)


def event_span(record: EventIn) -> tuple[datetime, datetime]:
    """Its instants; an all-day event runs from midnight to midnight in its own time zone."""
    if record.starts_at is not None and record.ends_at is not None:
        return record.starts_at, record.ends_at
    zone = ZoneInfo(record.time_zone)
    after = record.ends_on + timedelta(days=1)
    return (
        datetime.combine(record.starts_on, time(), zone).astimezone(UTC),
        datetime.combine(after, time(), zone).astimezone(UTC),
    )


def event_values(record: EventIn, refs: Refs) -> dict[str, Any]:
    operation = record.field_operation
    location = record.location or LocationIn()
    starts_at, ends_at = event_span(record)
    return location_values(record.location, refs) | {
        "title": record.title,
        "type": record.type.value,
        "all_day": record.all_day,
        "starts_on": record.starts_on,
        "ends_on": record.ends_on,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "time_zone": record.time_zone,
        "summary": record.summary,
        "organiser": record.organiser,
        "field_operation_id": refs.id("field-operation", operation) if operation else None,
        "search_text": search_text(
            record.title, record.summary, record.organiser, location.venue, location.city
        ),
        "topic_ids": id_list(topic_ids(refs, record.topics)),
    }


def save_event(
    session: Session, refs: Refs, changes: Changes, record: EventIn, **status: Any
) -> Event:
    """`status` may set `publication_status`; otherwise a new row is published and an existing
    one keeps its status."""
    values = event_values(record, refs) | status
    row = upsert(session, changes, Event, {"slug": record.slug}, values)
    topics = topic_ids(refs, record.topics)
    sync_links(session, changes, EventTopic, ("event_id", row.id), "topic_id", topics)
    assert row.id is not None
    index_item(session, SEARCHABLE, row.id)
    return row


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`events.json`."""
    for record in read_records(seed_dir / "events.json", EventIn):
        save_event(session, refs, changes, record)
