"""Fill a database with a large, realistic data set for the benchmarks (`make bench-data`).

Migrates and seeds the database named by DATABASE_URL, then adds NEWS news items (default
1,000,000) and EVENTS events (default 100,000) spread over ten years, every participating State
and partner, their capitals (with coordinates scattered around them), every topic and some field
operations. Progress goes to stderr. Rows already generated are kept: run it again with larger
numbers to top a database up.
"""

import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import create_engine, make_url, text

from api.cli import migrate, reindex
from api.config import Settings
from api.content.service import id_list
from api.db import make_engine
from api.seed import load_seed
from api.text import city_key, search_text

START = datetime(2016, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 10 * 365 * 24 * 3600
NEWS_TYPES = ["news-item"] * 6 + ["press-release"] * 3 + ["story"]
EVENT_TYPES = ["conference", "meeting", "training", "workshop", "seminar", "ceremony", "forum"]
WORDS = [
    "security",
    "co-operation",
    "dialogue",
    "mission",
    "training",
    "workshop",
    "elections",
    "media",
    "freedom",
    "border",
    "management",
    "rule",
    "of",
    "law",
    "human",
    "rights",
    "gender",
    "equality",
    "youth",
    "environment",
    "water",
    "energy",
    "cyber",
    "policing",
    "trafficking",
    "minorities",
    "tolerance",
    "governance",
    "economy",
    "migration",
    "reform",
    "support",
]
BATCH = 20_000


def progress(label: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.monotonic() - started, 1e-9)
    print(f"\r{label}: {done:,}/{total:,} ({rate:,.0f} rows/s)", end="", file=sys.stderr)
    if done == total:
        print(file=sys.stderr)


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def reference(url: str) -> dict[str, Any]:
    """Countries (with capitals), topics and field operations, by internal id."""
    engine = create_engine(url)
    with engine.connect() as connection:
        countries = connection.execute(
            text("SELECT id, iso_alpha2, region, capital, latitude, longitude FROM country")
        ).all()
        topics = [r[0] for r in connection.execute(text("SELECT id FROM topic"))]
        operations = [r[0] for r in connection.execute(text("SELECT id FROM field_operation"))]
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("news", "event")
        }
    engine.dispose()
    return {"countries": countries, "topics": topics, "operations": operations, **counts}


def news_rows(ref: dict[str, Any], first: int, last: int) -> Iterator[tuple[Any, ...]]:
    """(news row, country ids, topic ids) for bench news `first`..`last`."""
    rng = random.Random(first)
    countries, topics, operations = ref["countries"], ref["topics"], ref["operations"]
    now = datetime.now(UTC)
    for number in range(first, last + 1):
        country = rng.choice(countries)
        published = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        title = f"{words(rng, 6).capitalize()} in {country.capital}"
        summary, body = words(rng, 25), words(rng, 60)
        city = country.capital
        about = sorted({country.id} | ({rng.choice(countries).id} if rng.random() < 0.2 else set()))
        tagged = rng.sample(topics, rng.randint(1, 3))
        row = (
            f"bench-news-{number}", title, rng.choice(NEWS_TYPES), published, summary, body,
            None, city, city_key(city), None, country.id, country.region,
            round(country.latitude + rng.uniform(-0.3, 0.3), 4),
            round(country.longitude + rng.uniform(-0.3, 0.3), 4),
            rng.choice(operations) if rng.random() < 0.1 else None,
            search_text(title, summary, body), "published", now, now, id_list(about),
            id_list(tagged),
        )  # fmt: skip
        yield row, about, tagged


def event_rows(ref: dict[str, Any], first: int, last: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(-first)
    countries, topics, operations = ref["countries"], ref["topics"], ref["operations"]
    now = datetime.now(UTC)
    for number in range(first, last + 1):
        country = rng.choice(countries)
        starts_on = date(2016, 1, 1) + timedelta(days=rng.randrange(3650))
        days = (
            rng.choice([1, 1, 1, 2, 2, 3, 3, 4, 5]) if rng.random() < 0.98 else rng.randint(6, 60)
        )
        ends_on = starts_on + timedelta(days=days - 1)
        # All-day in UTC for simplicity: midnight to midnight.
        starts_at = datetime.combine(starts_on, datetime.min.time(), UTC)
        ends_at = datetime.combine(ends_on + timedelta(days=1), datetime.min.time(), UTC)
        title, summary = f"{words(rng, 5).capitalize()} {country.capital}", words(rng, 25)
        tagged = rng.sample(topics, rng.randint(1, 2))
        row = (
            f"bench-event-{number}", title, rng.choice(EVENT_TYPES), True, starts_on, ends_on,
            starts_at, ends_at, "UTC", summary, "OSCE", None, country.capital,
            city_key(country.capital), None, country.id, country.region,
            round(country.latitude + rng.uniform(-0.3, 0.3), 4),
            round(country.longitude + rng.uniform(-0.3, 0.3), 4),
            rng.choice(operations) if rng.random() < 0.2 else None,
            search_text(title, summary), "published", now, now, id_list(tagged),
        )  # fmt: skip
        yield row, tagged


NEWS_COLUMNS = (
    "slug, title, type, published_at, summary, body, venue, city, city_slug, territory, "
    "country_id, region, latitude, longitude, field_operation_id, search_text, "
    "publication_status, created_at, updated_at, country_ids, topic_ids"
)
EVENT_COLUMNS = (
    "slug, title, type, all_day, starts_on, ends_on, starts_at, ends_at, time_zone, summary, "
    "organiser, venue, city, city_slug, territory, country_id, region, latitude, longitude, "
    "field_operation_id, search_text, publication_status, created_at, updated_at, topic_ids"
)


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat() if isinstance(value, date) else value


def fill_sqlite(path: str, ref: dict[str, Any], news: int, events: int) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -262144")
    marks = ", ".join("?" * 21)
    started = time.monotonic()
    for first in range(ref["news"] + 1, news + 1, BATCH):
        last = min(first + BATCH - 1, news)
        connection.execute("BEGIN")
        for row, about, tagged in news_rows(ref, first, last):
            values = [_sqlite(v) for v in row]
            news_id = connection.execute(
                f"INSERT INTO news ({NEWS_COLUMNS}) VALUES ({marks})", values
            ).lastrowid
            published = values[3]
            connection.executemany(
                "INSERT INTO news_country (news_id, country_id, publication_status, published_at)"
                " VALUES (?, ?, 'published', ?)",
                [(news_id, c, published) for c in about],
            )
            connection.executemany(
                "INSERT INTO news_topic (news_id, topic_id, publication_status, published_at)"
                " VALUES (?, ?, 'published', ?)",
                [(news_id, t, published) for t in tagged],
            )
        connection.execute("COMMIT")
        progress("news", last - ref["news"], news - ref["news"], started)
    marks = ", ".join("?" * 25)
    started = time.monotonic()
    for first in range(ref["event"] + 1, events + 1, BATCH):
        last = min(first + BATCH - 1, events)
        connection.execute("BEGIN")
        for row, tagged in event_rows(ref, first, last):
            event_id = connection.execute(
                f"INSERT INTO event ({EVENT_COLUMNS}) VALUES ({marks})", [_sqlite(v) for v in row]
            ).lastrowid
            connection.executemany(
                "INSERT INTO event_topic (event_id, topic_id) VALUES (?, ?)",
                [(event_id, t) for t in tagged],
            )
        connection.execute("COMMIT")
        progress("events", last - ref["event"], events - ref["event"], started)
    print("analyze…", file=sys.stderr)
    connection.execute("ANALYZE")
    connection.close()


def fill_postgresql(url: str, ref: dict[str, Any], news: int, events: int) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        next_news = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM news").fetchone()
        news_id = next_news[0] if next_news else 1
        started = time.monotonic()
        for first in range(ref["news"] + 1, news + 1, BATCH):
            last = min(first + BATCH - 1, news)
            countries: list[tuple[Any, ...]] = []
            topics: list[tuple[Any, ...]] = []
            with connection.transaction(), connection.cursor() as cursor:
                with cursor.copy(f"COPY news (id, {NEWS_COLUMNS}) FROM STDIN") as copy:
                    for row, about, tagged in news_rows(ref, first, last):
                        copy.write_row((news_id, *row))
                        countries += [(news_id, c, "published", row[3]) for c in about]
                        topics += [(news_id, t, "published", row[3]) for t in tagged]
                        news_id += 1
                for table, key, links in (
                    ("news_country", "country_id", countries),
                    ("news_topic", "topic_id", topics),
                ):
                    columns = f"news_id, {key}, publication_status, published_at"
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for item in links:
                            copy.write_row(item)
            progress("news", last - ref["news"], news - ref["news"], started)
        connection.execute("SELECT setval(pg_get_serial_sequence('news', 'id'), max(id)) FROM news")

        next_event = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM event").fetchone()
        event_id = next_event[0] if next_event else 1
        started = time.monotonic()
        for first in range(ref["event"] + 1, events + 1, BATCH):
            last = min(first + BATCH - 1, events)
            tags: list[tuple[int, int]] = []
            with connection.transaction(), connection.cursor() as cursor:
                with cursor.copy(f"COPY event (id, {EVENT_COLUMNS}) FROM STDIN") as copy:
                    for row, tagged in event_rows(ref, first, last):
                        copy.write_row((event_id, *row))
                        tags += [(event_id, t) for t in tagged]
                        event_id += 1
                with cursor.copy("COPY event_topic (event_id, topic_id) FROM STDIN") as copy:
                    for item in tags:
                        copy.write_row(item)
            progress("events", last - ref["event"], events - ref["event"], started)
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('event', 'id'), max(id)) FROM event"
        )
        # VACUUM sets the visibility map, as autovacuum would in time: index-only scans of the
        # link tables then skip the heap.
        print("vacuum analyze…", file=sys.stderr)
        connection.execute("VACUUM ANALYZE")


# The search index's GIN indexes on PostgreSQL, as migrations 0021 and 0044 leave them.
GIN_INDEXES = {
    "ix_search_entry_document": "ON search_entry USING gin (document)",
}


@contextmanager
def gin_indexes_built_after(settings: Settings) -> Iterator[None]:
    """On PostgreSQL, the search index's GIN indexes dropped while the block runs and built
    once after it, which takes minutes where keeping them up to date entry by entry took far
    longer. A run stopped before the end leaves them missing: the next run makes them."""
    if settings.is_sqlite:
        yield
        return
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        for name in GIN_INDEXES:
            connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
    try:
        yield
    finally:
        started = time.monotonic()
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            for name, definition in GIN_INDEXES.items():
                connection.execute(text(f"CREATE INDEX IF NOT EXISTS {name} {definition}"))
            connection.execute(text("ANALYZE search_entry"))
        engine.dispose()
        print(f"GIN indexes built in {time.monotonic() - started:.0f} s", file=sys.stderr)


def main() -> None:
    settings = Settings()
    news, events = int(os.environ.get("NEWS", 1_000_000)), int(os.environ.get("EVENTS", 100_000))
    print(f"migrating and seeding {settings.database_url}", file=sys.stderr)
    migrate()
    engine = make_engine(settings)
    load_seed(engine)
    engine.dispose()
    ref = reference(settings.database_url)
    print(
        f"{ref['news']:,} news and {ref['event']:,} events there; "
        f"filling to {news:,} and {events:,}",
        file=sys.stderr,
    )
    if settings.is_sqlite:
        fill_sqlite(make_url(settings.database_url).database or "", ref, news, events)
    else:
        fill_postgresql(settings.database_url, ref, news, events)
    # The rows above bypass the services: the search index is rebuilt from them.
    started = time.monotonic()
    print("rebuilding the search index…", file=sys.stderr)
    with gin_indexes_built_after(settings):
        reindex()
    print(f"search index: {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
