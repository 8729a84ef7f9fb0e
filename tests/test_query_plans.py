"""The main list queries are served by indexes: no sort step, no scan of a whole table.

Each case makes a real request, captures the statement the reader ran for its page, and asks
the database for its plan: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN with sequential
scans, bitmap scans and sorts priced out. On tables this small PostgreSQL would rightly prefer
them; what is checked is that an index exists that serves filter and order together, so the
plan needs no Sort node even when sorting is discouraged.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.reader import PostgresReader, Reader, SQLiteReader, Statement, _sqlite_value
from tests.conftest import TestDatabase

Captured = list[tuple[Statement, list[Any]]]


@pytest.fixture(scope="module")
def uncached(database: TestDatabase) -> Iterator[TestClient]:
    """An app on the shared database with the response cache off: every request queries."""
    app = create_app(database.settings.model_copy(update={"response_cache_mb": 0}))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def captured(uncached: TestClient, monkeypatch: pytest.MonkeyPatch) -> Captured:
    """The statements (and their arguments) that app's reader runs during the test."""
    reader: Reader = uncached.app.state.reader  # type: ignore[attr-defined]
    seen: Captured = []
    original = reader.fetch

    async def fetch(statement: Statement, values: Mapping[str, Any], *, slow: bool = False) -> Any:
        seen.append((statement, statement.arguments(values)))
        return await original(statement, values, slow=slow)

    monkeypatch.setattr(reader, "fetch", fetch)
    return seen


def _page_statement(captured: Captured) -> tuple[Statement, list[Any]]:
    """The page query of a list request: the one with ORDER BY."""
    pages = [(s, a) for s, a in captured if "ORDER BY" in s.sql and "count(" not in s.sql]
    assert len(pages) == 1, [s.sql for s, _ in captured]
    return pages[0]


def _plan(client: TestClient, reader: Reader, statement: Statement, args: list[Any]) -> str:
    if isinstance(reader, SQLiteReader):
        connection = reader._loop_connection()
        rows = connection.execute(
            f"EXPLAIN QUERY PLAN {statement.sql}", [_sqlite_value(a) for a in args]
        ).fetchall()
        return "\n".join(row["detail"] for row in rows)
    assert isinstance(reader, PostgresReader)

    async def explain() -> str:
        pool = await reader._ready_pool()
        async with pool.acquire() as connection, connection.transaction():
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                await connection.execute(f"SET LOCAL {setting} = off")
            rows = await connection.fetch(f"EXPLAIN {statement.sql}", *args)
        return "\n".join(row[0] for row in rows)

    return client.portal.call(explain)  # type: ignore[union-attr, no-any-return]


CASES = [
    # (request, the index that must serve the page)
    ("/api/v1/news", "ix_news_published_at_id"),
    ("/api/v1/news?sort=published_at", "ix_news_published_at_id"),
    (
        "/api/v1/news?country=KZ&date_from=2025-01-01&date_to=2025-12-31",
        "ix_news_country_country_id_published_at_news_id",
    ),
    ("/api/v1/news?topic=rule-of-law", "ix_news_topic_topic_id_published_at_news_id"),
    ("/api/v1/news?type=story&date_from=2025-11-01", "ix_news_type_published_at_id"),
    ("/api/v1/news?region=central-asia", "ix_news_region_published_at_id"),
    ("/api/v1/news?field_operation=mission-to-montenegro",
     "ix_news_field_operation_id_published_at_id"),
    ("/api/v1/events", "ix_event_starts_on_id_ends_on"),
    ("/api/v1/events?date_from=2025-12-01&date_to=2025-12-31", "ix_event_starts_on_id_ends_on"),
    ("/api/v1/events?country=MD", "ix_event_country_id_starts_on_id"),
    ("/api/v1/events?type=training", "ix_event_type_starts_on_id"),
    ("/api/v1/events?sort=-ends_on", "ix_event_ends_on_id"),
    ("/api/v1/states", "ix_country_kind_sort_name_id"),
    ("/api/v1/partners?sort=-partner_since", "ix_country_kind_joined_on_id"),
    ("/api/v1/field-operations", "ix_field_operation_sort_name_id"),
]  # fmt: skip


def _assert_served_by(plan: str, index: str, sqlite: bool) -> None:
    if sqlite:
        assert index in plan, plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
        assert not any(
            line.strip().startswith("SCAN ") and " USING " not in line for line in plan.split("\n")
        ), plan
    else:
        # On a few rows PostgreSQL may walk another index already in the right order and filter
        # as it goes; either way the order comes from an index and no row is sorted.
        assert " Index " in plan or "Index Only Scan" in plan or "Index Scan" in plan, plan
        assert "Sort" not in plan, plan
        assert "Seq Scan" not in plan, plan


def _check(client: TestClient, captured: Captured, index: str) -> None:
    statement, args = _page_statement(captured)
    reader: Reader = client.app.state.reader  # type: ignore[attr-defined]
    plan = _plan(client, reader, statement, args)
    _assert_served_by(plan, index, isinstance(reader, SQLiteReader))


@pytest.mark.parametrize(("url", "index"), CASES)
def test_list_page_is_an_index_range_without_a_sort(
    uncached: TestClient, captured: Captured, url: str, index: str
) -> None:
    assert uncached.get(url).status_code == 200
    _check(uncached, captured, index)


@pytest.mark.parametrize(
    ("url", "index"),
    [
        ("/api/v1/news?limit=2", "ix_news_published_at_id"),
        ("/api/v1/news?topic=arms-control&date_to=2026-01-01&limit=1",
         "ix_news_topic_topic_id_published_at_news_id"),
        ("/api/v1/events?limit=1", "ix_event_starts_on_id_ends_on"),
    ],
)  # fmt: skip
def test_a_cursor_page_is_the_same_index_range(
    uncached: TestClient, captured: Captured, url: str, index: str
) -> None:
    next_url = uncached.get(url).json()["links"]["next"]
    assert next_url is not None
    captured.clear()
    assert uncached.get(next_url).status_code == 200
    _check(uncached, captured, index)


@pytest.mark.parametrize(
    ("url", "joins"),
    [
        ("/api/v1/news?country=KZ&date_from=2025-01-01&offset=1", False),
        ("/api/v1/news?topic=arms-control&offset=1", False),
        ("/api/v1/news?country=KZ&type=news-item&offset=1", True),
    ],
)
def test_counting_a_link_table_list_reads_the_news_only_when_a_filter_needs_it(
    uncached: TestClient, captured: Captured, url: str, joins: bool
) -> None:
    assert uncached.get(url).status_code == 200
    [count] = [s.sql for s, _ in captured if "count(" in s.sql]
    assert ("JOIN news ON" in count) is joins, count
