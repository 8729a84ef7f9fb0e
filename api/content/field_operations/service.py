"""Writes of field operations: location keys, search text, and their topics (link rows and the
copy of their ids the row carries)."""

from pathlib import Path
from typing import Any

from sqlmodel import Session

from api.content.field_operations.models import (
    FieldOperation,
    FieldOperationIn,
    FieldOperationTopic,
)
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
from api.text import search_text, sort_key

TRANSLATABLE = Translatable("field_operation", table(FieldOperation), ("name",))
SEARCHABLE = Searchable(
    "field-operations",
    TRANSLATABLE,
    "name",
    ("mandate", "city"),
    date="established_on",
    type="type",
    country="country_id",
    city="city_slug",
)


def field_operation_values(record: FieldOperationIn, refs: Refs) -> dict[str, Any]:
    host = refs.id("country", record.host_state) if record.host_state else None
    return location_values(record.location, refs) | {
        "name": record.name,
        "sort_name": sort_key(record.name),
        "type": record.type.value,
        "host_state_id": host,
        "established_on": record.established_on,
        "closed_on": record.closed_on,
        "mandate": record.mandate,
        "search_text": search_text(record.name, record.location.city, record.mandate),
        "topic_ids": id_list(topic_ids(refs, record.topics)),
    }


def save_field_operation(
    session: Session, refs: Refs, changes: Changes, record: FieldOperationIn, **status: Any
) -> FieldOperation:
    """`status` may set `publication_status`; otherwise a new row is published and an existing
    one keeps its status."""
    values = field_operation_values(record, refs) | status
    row = upsert(session, changes, FieldOperation, {"slug": record.slug}, values)
    refs.add("field-operation", record.slug, row.id)
    owner, topics = ("field_operation_id", row.id), topic_ids(refs, record.topics)
    sync_links(session, changes, FieldOperationTopic, owner, "topic_id", topics)
    assert row.id is not None
    index_item(session, SEARCHABLE, row.id)
    return row


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`field_operations.json`."""
    for record in read_records(seed_dir / "field_operations.json", FieldOperationIn):
        save_field_operation(session, refs, changes, record)
