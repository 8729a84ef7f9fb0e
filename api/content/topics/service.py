"""Writes of topics (fields of work): their folded keys and their place in the website's order."""

from pathlib import Path

from sqlmodel import Session

from api.content.service import Changes, Refs, read_records, upsert
from api.content.spec import Translatable
from api.content.topics.models import Topic, TopicIn
from api.db import table
from api.text import search_text, sort_key

TRANSLATABLE = Translatable("topic", table(Topic), ("name",))


def save_topic(
    session: Session, refs: Refs, changes: Changes, record: TopicIn, position: int
) -> Topic:
    values = {
        "name": record.name,
        "sort_name": sort_key(record.name),
        "position": position,
        "search_text": search_text(record.name),
    }
    row = upsert(session, changes, Topic, {"slug": record.slug}, values)
    refs.add("topic", record.slug, row.id)
    return row


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`topics.json`, in the website's order."""
    for position, record in enumerate(read_records(seed_dir / "topics.json", TopicIn), 1):
        save_topic(session, refs, changes, record, position)
