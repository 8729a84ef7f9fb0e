"""The main list queries are served by indexes: no sort step, no scan of a whole table.

Each case makes a real request, captures the statement the reader ran for its page, and asks
the database for its plan: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN with sequential
scans, bitmap scans and sorts priced out. On tables this small PostgreSQL would rightly prefer
them; what is checked is that an index exists that serves filter and order together, so the
plan needs no Sort node even when sorting is discouraged.

News and events pages find their keys in the index first and then read their own rows
(`Source.rows`); putting those at most `limit + 1` rows back in order is the one sort such a
plan may have, above the LIMIT that bounds it.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.read.reader import PostgresReader, Reader, SQLiteReader, Statement, _sqlite_value
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
        seen.append((statement, statement.arguments(statement.at_now(values))))
        return await original(statement, values, slow=slow)

    monkeypatch.setattr(reader, "fetch", fetch)
    return seen


def _page_statement(captured: Captured) -> tuple[Statement, list[Any]]:
    """The page query of a list request: the one with its total beside it."""
    pages = [(s, a) for s, a in captured if "(SELECT count(" in s.sql]
    assert len(pages) == 1, [s.sql for s, _ in captured]
    return pages[0]


def _count_subquery(sql: str) -> str:
    """The `(SELECT count(*) …)` that gives a page its total, up to its closing parenthesis."""
    start = sql.index("(SELECT count(")
    depth = 0
    for end, character in enumerate(sql[start:], start):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0:
            return sql[start : end + 1]
    raise AssertionError(sql)


def _plan(client: TestClient, reader: Reader, statement: Statement, args: list[Any]) -> str:
    """The plan as indented lines, a child two spaces deeper than its parent."""
    if isinstance(reader, SQLiteReader):
        connection = reader._loop_connection()
        rows = connection.execute(
            f"EXPLAIN QUERY PLAN {statement.sql}", [_sqlite_value(a) for a in args]
        ).fetchall()
        depth = {0: -1}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth[parent] + 1
            lines.append("  " * depth[node] + detail)
        return "\n".join(lines)
    assert isinstance(reader, PostgresReader)

    async def explain() -> str:
        pool = await reader.primary.ready(reader.timeout)
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
    # Several countries or topics: their link rows from the link table's own index.
    ("/api/v1/news?country=KZ,TJ", "ix_news_country_country_id_published_at_news_id"),
    ("/api/v1/news?topic=rule-of-law,youth", "ix_news_topic_topic_id_published_at_news_id"),
    ("/api/v1/institutions", "ix_institution_position_id"),
    ("/api/v1/news?type=story&date_from=2025-11-01", "ix_news_type_published_at_id"),
    # A region is its countries' link rows or the location's region: the newest-first index
    # is walked, each row checked against both.
    ("/api/v1/news?region=central-asia", "ix_news_published_at_id"),
    ("/api/v1/news?field_operation=mission-to-montenegro",
     "ix_news_field_operation_id_published_at_id"),
    ("/api/v1/events", "ix_event_starts_on_id_ends_on"),
    ("/api/v1/events?date_from=2025-12-01&date_to=2025-12-31", "ix_event_starts_on_id_ends_on"),
    ("/api/v1/events?country=MD", "ix_event_country_id_starts_on_id"),
    ("/api/v1/events?type=training", "ix_event_type_starts_on_id"),
    ("/api/v1/events?sort=-ends_on", "ix_event_ends_on_id"),
    ("/api/v1/states", "ix_country_kind_sort_name_id"),
    # In another language, by the key rows of its names: the key index gives the whole order
    # (its ties too: the tiebreaker is the key row's item id), and of the list's own part of
    # the keys (the partners' 11, not all 68 countries').
    ("/api/v1/states?lang=ru", "ix_name_key_kind_part_lang_key"),
    ("/api/v1/partners?lang=fr&sort=-name", "ix_name_key_kind_part_lang_key"),
    ("/api/v1/partners?sort=-partner_since", "ix_country_kind_joined_on_id"),
    ("/api/v1/field-operations", "ix_field_operation_sort_name_id"),
]  # fmt: skip


def _subtree(lines: list[str], at: int) -> list[str]:
    """The lines below line `at` in the plan's tree (indented deeper than it)."""
    indent = len(lines[at]) - len(lines[at].lstrip())
    below = []
    for line in lines[at + 1 :]:
        if len(line) - len(line.lstrip()) <= indent:
            break
        below.append(line)
    return below


def _split(plan: str) -> tuple[list[str], list[str]]:
    """The plan's lines that read the page, and those of the subquery that counts its total
    (SQLite's SCALAR SUBQUERY, PostgreSQL's InitPlan: run once, beside the page)."""
    lines = plan.split("\n")
    for at, line in enumerate(lines):
        if line.strip().startswith(("SCALAR SUBQUERY", "InitPlan")):
            count = [line, *_subtree(lines, at)]
            if _schedule_check(count):
                continue
            return lines[:at] + lines[at + len(count) :], count
    raise AssertionError(f"no count beside the page:\n{plan}")


def _schedule_check(lines: list[str]) -> bool:
    """The subquery that asks whether the schedule hides anything (`api.db.published`): one
    read of the one version row (on SQLite, under the row of a SELECT without a table)."""
    reads = [
        line
        for line in lines[1:]
        if (" on " in line or line.strip().startswith(("SEARCH", "SCAN")))
        and line.strip() != "SCAN CONSTANT ROW"
    ]
    return bool(reads) and all("content_version" in line for line in reads)


def _scans_a_table(lines: list[str], sqlite: bool) -> bool:
    if not sqlite:
        return any("Seq Scan" in line for line in lines)
    # Scanning a subquery's own few rows (the page, the capped count) is no table scan, nor is
    # reading the values of a list bound as one parameter (`json_each`, see `api.db.in_list`),
    # nor the one row of a SELECT without a table (the schedule's guard, `api.db.published`).
    lines = [
        line.strip()
        for line in lines
        if not line.strip().startswith("SCAN json_each") and line.strip() != "SCAN CONSTANT ROW"
    ]
    subqueries = {line.split()[-1] for line in lines if line.startswith(("CO-ROUTINE", "MAT"))}
    return any(
        line.startswith("SCAN ") and " USING " not in line and line[5:] not in subqueries
        for line in lines
    )


def _sorts_more_than_the_page(lines: list[str], sqlite: bool) -> bool:
    """Whether a sort orders more than the page's own rows: in SQLite, a sort that is not of
    the query scanning the materialised `page`; in PostgreSQL, a Sort with no Limit below."""
    for at, line in enumerate(lines):
        if sqlite and "USE TEMP B-TREE" in line:
            page_only = line.startswith("USE TEMP B-TREE FOR ORDER BY") and "SCAN page" in lines
        elif not sqlite and "Sort" in line and "Sort Key" not in line:
            page_only = any("Limit" in below for below in _subtree(lines, at))
        else:
            continue
        if not page_only:
            return True
    return False


def _assert_served_by(plan: str, index: str, sqlite: bool) -> None:
    page, _ = _split(plan)
    if sqlite:
        assert any(index in line for line in page), plan
    else:
        # On a few rows PostgreSQL may walk another index already in the right order and filter
        # as it goes; either way the order comes from an index and no row is sorted.
        assert any("Index Scan" in line or "Index Only Scan" in line for line in page), plan
    assert not _sorts_more_than_the_page(page, sqlite), plan
    assert not _scans_a_table(page, sqlite), plan


def _check(client: TestClient, captured: Captured, index: str) -> str:
    statement, args = _page_statement(captured)
    reader: Reader = client.app.state.reader  # type: ignore[attr-defined]
    plan = _plan(client, reader, statement, args)
    _assert_served_by(plan, index, isinstance(reader, SQLiteReader))
    return plan


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
    ("url", "index"), [c for c in CASES if "/news" in c[0] or "/events" in c[0]]
)
def test_the_total_of_a_news_or_events_page_is_counted_from_an_index(
    uncached: TestClient, captured: Captured, url: str, index: str
) -> None:
    assert uncached.get(url).status_code == 200
    reader: Reader = uncached.app.state.reader  # type: ignore[attr-defined]
    _, count = _split(_check(uncached, captured, index))
    assert any(" INDEX " in line.upper() for line in count), count
    assert not _scans_a_table(count, isinstance(reader, SQLiteReader)), count


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
    count = _count_subquery(_page_statement(captured)[0].sql)
    assert ("JOIN news ON" in count) is joins, count
