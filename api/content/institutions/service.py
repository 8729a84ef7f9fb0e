"""Writes of structures and institutions: the seat's location keys, the structure each belongs
to, the website's order, search text and topics."""

from pathlib import Path
from typing import Any

from sqlmodel import Session

from api.content.institutions.models import Institution, InstitutionIn, InstitutionTopic
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

TRANSLATABLE = Translatable("institution", table(Institution), ("name",))
SEARCHABLE = Searchable(
    "institutions",
    TRANSLATABLE,
    "name",
    ("acronym", "summary", "city"),
    date="established_on",
    type="type",
    country="country_id",
    city="city_slug",
)


def institution_values(record: InstitutionIn, refs: Refs, position: int) -> dict[str, Any]:
    part_of = refs.id("institution", record.part_of) if record.part_of else None
    return location_values(record.seat, refs) | {
        "name": record.name,
        "sort_name": sort_key(record.name),
        "acronym": record.acronym,
        "type": record.type.value,
        "part_of_id": part_of,
        "established_on": record.established_on,
        "summary": record.summary,
        "position": position,
        "search_text": search_text(record.name, record.acronym, record.seat.city, record.summary),
        "topic_ids": id_list(topic_ids(refs, record.topics)),
    }


def save_institution(
    session: Session,
    refs: Refs,
    changes: Changes,
    record: InstitutionIn,
    position: int,
    **status: Any,
) -> Institution:
    """`status` may set `publication_status`; otherwise a new row is published and an existing
    one keeps its status. A structure it is part of must have been written before it."""
    values = institution_values(record, refs, position) | status
    row = upsert(session, changes, Institution, {"slug": record.slug}, values)
    refs.add("institution", record.slug, row.id)
    topics = topic_ids(refs, record.topics)
    sync_links(session, changes, InstitutionTopic, ("institution_id", row.id), "topic_id", topics)
    assert row.id is not None
    index_item(session, SEARCHABLE, row.id)
    return row


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`institutions.json`, in the website's order."""
    records = read_records(seed_dir / "institutions.json", InstitutionIn)
    for position, record in enumerate(records, 1):
        save_institution(session, refs, changes, record, position)
