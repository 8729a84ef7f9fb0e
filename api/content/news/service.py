"""Writes of news items: the countries an item is about, its topics, and the copies kept in
step with them (the row's `country_ids` and `topic_ids`; each link row's status and date)."""

from pathlib import Path
from typing import Any

from sqlmodel import Session

from api.content.news.models import News, NewsCountry, NewsIn, NewsTopic
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

TRANSLATABLE = Translatable("news", table(News), ("title", "summary", "body"), in_catalog=False)
SEARCHABLE = Searchable(
    "news",
    TRANSLATABLE,
    "title",
    ("summary", "body"),
    date="published_at",
    type="type",
    country="country_id",
    city="city_slug",
)


def news_countries(record: NewsIn) -> list[str]:
    """The countries a news item is about; its location's country always among them."""
    located = [record.location.country] if record.location and record.location.country else []
    return list(dict.fromkeys([*record.countries, *located]))


def news_values(record: NewsIn, refs: Refs) -> dict[str, Any]:
    operation = record.field_operation
    return location_values(record.location, refs) | {
        "title": record.title,
        "type": record.type.value,
        "published_at": record.published_at,
        "summary": record.summary,
        "body": record.body,
        "field_operation_id": refs.id("field-operation", operation) if operation else None,
        "search_text": search_text(record.title, record.summary, record.body),
        "country_ids": id_list(refs.ids_of("country", news_countries(record))),
        "topic_ids": id_list(topic_ids(refs, record.topics)),
    }


def save_news(
    session: Session, refs: Refs, changes: Changes, record: NewsIn, **status: Any
) -> News:
    """`status` may set `publication_status`; otherwise a new row is published and an existing
    one keeps its status. The link rows copy the item's status and `published_at`, so that
    "this country, this window, newest first" is one index range."""
    values = news_values(record, refs) | status
    row = upsert(session, changes, News, {"slug": record.slug}, values)
    owner = ("news_id", row.id)
    copied = {"publication_status": row.publication_status, "published_at": row.published_at}
    countries = refs.ids_of("country", news_countries(record))
    sync_links(session, changes, NewsCountry, owner, "country_id", countries, copied)
    sync_links(
        session, changes, NewsTopic, owner, "topic_id", topic_ids(refs, record.topics), copied
    )
    assert row.id is not None
    index_item(session, SEARCHABLE, row.id)
    return row


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`news.json`."""
    for record in read_records(seed_dir / "news.json", NewsIn):
        save_news(session, refs, changes, record)
