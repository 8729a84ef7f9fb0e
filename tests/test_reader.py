"""The reader: one compiled statement per query shape, bounded queries, clear unavailability."""

import asyncio
import gc
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import asyncpg
import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import literal, select, text

from api.config import Settings
from api.content.catalog import CatalogCache
from api.content.countries.models import Country
from api.content.countries.states import STATE_SORTS, STATES
from api.db import CONTENT_VERSION, make_engine
from api.main import create_app
from api.read.paging import Count, Item, Page
from api.read.query import ListQuery, where_in
from api.read.reader import (
    MAX_INSTANTS,
    VERSION_SQL,
    DatabaseUnavailableError,
    Fixed,
    PostgresReader,
    Reader,
    Statement,
    _instants,
    _sqlite_instant,
    _sqlite_value,
    make_reader,
)
from tests.conftest import BACKENDS, TestDatabase, create_database, drop_database, migrate


@pytest.fixture
def uncached(database: TestDatabase) -> Iterator[TestClient]:
    """An app of its own (so its statement cache starts empty) with no response cache."""
    app = create_app(database.settings.model_copy(update={"response_cache_mb": 0}))
    with TestClient(app) as client:
        yield client


def _statements(client: TestClient) -> int:
    reader: Reader = client.app.state.reader  # type: ignore[attr-defined]
    return len(reader._statements)


def test_a_shape_is_compiled_once_whatever_its_values_or_how_many(uncached: TestClient) -> None:
    """Lists of values and search terms are one parameter each: only one value or several
    makes another statement (one keeps the index's order for the page)."""
    codes = ["KZ", "TJ", "KG", "UZ", "TM", "AL", "RS", "ME", "BA", "MK"]
    assert uncached.get("/api/v1/events?country=KZ&q=training").status_code == 200
    assert uncached.get("/api/v1/events?country=KZ,TJ&q=training").status_code == 200
    compiled = _statements(uncached)
    for count in range(2, len(codes) + 1):
        words = "%20".join(["osce"] * count)
        url = f"/api/v1/events?country={','.join(codes[:count])}&q={words}"
        assert uncached.get(url).status_code == 200
    assert _statements(uncached) == compiled


def test_the_statement_cache_keeps_the_most_recently_used(database: TestDatabase) -> None:
    reader = make_reader(database.settings.model_copy(update={"statement_cache_size": 16}))
    made = [Fixed(f"s{i}", lambda: select(literal(1).label("one"))) for i in range(40)]
    for described in made[:16]:
        reader.statement(described)
    reader.statement(made[0])  # now the most recently used
    for described in made[16:20]:
        reader.statement(described)
    assert len(reader._statements) == 16
    assert made[0].key in reader._statements
    assert [m for m in made[1:5] if m.key in reader._statements] == []  # the least recently used


def test_two_conditions_binding_one_name_are_refused_when_the_statement_is_built(
    database: TestDatabase,
) -> None:
    reader = make_reader(database.settings)
    query = ListQuery(STATES).where(
        where_in(Country.region, "region", ["central-asia"]),
        where_in(Country.capital_slug, "region", ["tashkent"]),
    )
    page = Page(query.shape, STATE_SORTS["name"], reverse=False, after_cursor=False)
    with pytest.raises(ValueError, match=r"states: parameter \['region'\] bound twice"):
        reader.statement(page)
    reserved = ListQuery(STATES).where(where_in(Country.region, "limit", ["central-asia"]))
    with pytest.raises(ValueError, match="bound twice"):
        reader.statement(Page(reserved.shape, STATE_SORTS["name"], False, False))


def test_a_statement_key_tells_apart_what_its_statements_do(database: TestDatabase) -> None:
    """Keys are tuples (see `Described`): equal descriptions share one, and descriptions whose
    fields are equal but whose classes or conditions differ never do."""
    region = where_in(Country.region, "region", ["central-asia"])
    capital = where_in(Country.capital_slug, "region", ["tashkent"])
    shape = ListQuery(STATES).where(region).shape
    assert shape.key == ListQuery(STATES).where(where_in(Country.region, "region", ["x"])).shape.key
    assert shape.key != ListQuery(STATES).where(capital).shape.key
    assert Item(shape).key != Count(shape).key
    assert Fixed("a", lambda: select(literal(1))).key == Fixed("a", lambda: select(literal(2))).key
    reader = make_reader(database.settings)
    assert reader.statement(Item(shape)) is reader.statement(
        Item(ListQuery(STATES).where(where_in(Country.region, "region", ["eastern-europe"])).shape)
    )
    assert reader.statement(Item(shape)) is not reader.statement(Count(shape))


def test_an_instant_is_bound_in_sqlite_as_sqlalchemy_stores_it() -> None:
    """`_sqlite_instant` reuses the text of the minute: it must match `isoformat` across
    minute, hour, day and year boundaries, and at whole seconds (the text is compared)."""
    start = datetime(2026, 12, 31, 23, 58, 59, 999_999, tzinfo=UTC)
    steps = [timedelta(microseconds=1), timedelta(seconds=1), timedelta(seconds=59, microseconds=3)]
    moment = start
    for step in steps * 40:
        assert _sqlite_instant(moment) == moment.isoformat(" ", "microseconds")[:26]
        assert _sqlite_value(moment) == _sqlite_instant(moment)
        elsewhere = moment.astimezone(timezone(timedelta(hours=5, minutes=30)))
        assert _sqlite_instant(elsewhere) == _sqlite_instant(moment)
        moment += step
    assert _sqlite_instant(datetime(2027, 1, 1, tzinfo=UTC)) == "2027-01-01 00:00:00.000000"
    assert moment > datetime(2027, 1, 1, 0, 30, tzinfo=UTC)  # the steps crossed the year


def test_the_texts_of_bound_instants_are_remembered_up_to_a_bound_in_any_time_zone() -> None:
    paris = timezone(timedelta(hours=1))
    days = [datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=n) for n in range(MAX_INSTANTS + 9)]
    for day in days + days[:50]:
        assert _sqlite_value(day) == day.isoformat(" ", "microseconds")[:26]
        assert _sqlite_value(day.astimezone(paris)) == _sqlite_value(day)  # the same instant
        assert 0 < len(_instants) <= MAX_INSTANTS
    assert _sqlite_value(datetime(2024, 3, 1, 0, 30, tzinfo=paris)) == "2024-02-29 23:30:00.000000"


def _distinct_urls(count: int, seed: int = 7) -> list[str]:
    """`count` different requests: collections, filters, list lengths, words, sorts, pages."""
    rng = random.Random(seed)
    codes = ["AT", "KZ", "TJ", "RS", "AL", "ME", "MD", "UA", "FI", "JP", "TN", "US"]
    topics = ["youth", "elections", "policing", "rule-of-law", "human-rights", "education"]
    urls: set[str] = set()
    while len(urls) < count:
        path = rng.choice(["news", "events", "field-operations", "states", "institutions"])
        parts = [f"limit={rng.randint(1, 5)}"]
        if rng.random() < 0.6:
            parts.append("country=" + ",".join(rng.sample(codes, rng.randint(1, 6))))
        if path not in ("states",) and rng.random() < 0.4:
            parts.append("topic=" + ",".join(rng.sample(topics, rng.randint(1, 4))))
        if rng.random() < 0.5:
            parts.append(
                "q="
                + "%20".join(rng.choices(["osce", "mission", "a", "work"], k=rng.randint(1, 9)))
            )
        if rng.random() < 0.5:
            start = date(2000, 1, 1) + timedelta(days=rng.randint(0, 9000))
            parts.append(f"date_from={start}")
        if rng.random() < 0.3:
            parts.append(f"near={rng.uniform(-80, 80):.4f},{rng.uniform(-170, 170):.4f}")
        if rng.random() < 0.3:
            parts.append(f"offset={rng.randint(0, 40)}")
        urls.add(f"/api/v1/{path}?{'&'.join(parts)}")
    return sorted(urls)


def test_ten_thousand_distinct_requests_leave_statements_and_memory_bounded(
    database: TestDatabase,
) -> None:
    bound = 64
    settings = database.settings.model_copy(
        update={"response_cache_mb": 0, "statement_cache_size": bound}
    )
    urls = _distinct_urls(10_000)
    app = create_app(settings)
    reader: Reader = app.state.reader

    async def run() -> tuple[int, int]:
        # On the app's own event loop, without a thread hop per request.
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for url in urls[:1_000]:  # warm up: every kind of statement, the caches filled
                assert (await client.get(url)).status_code == 200, url
            gc.collect()
            before, most = _resident_bytes(), 0
            for url in urls[1_000:]:
                assert (await client.get(url)).status_code == 200, url
                most = max(most, len(reader._statements))
            gc.collect()
            return most, _resident_bytes() - before

    with TestClient(app) as lifespan:
        most, grown = lifespan.portal.call(run)  # type: ignore[union-attr]
    assert most <= bound
    # 9,000 more distinct requests: what stays is bounded caches, not something per request
    # (a compiled statement alone is a few kB: 9,000 of them would be tens of MB).
    assert grown < 8 * 1024 * 1024, grown


def _resident_bytes() -> int:
    """This process's resident memory (Linux)."""
    status = Path("/proc/self/status").read_text()
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
    return int(kilobytes) * 1024


def _run(database: TestDatabase, sql: str, *, timeout_ms: int = 2000) -> None:
    """Run raw SQL through a reader of the shared database, in an app's event loop."""
    settings = database.settings.model_copy(update={"db_statement_timeout_ms": timeout_ms})
    app = create_app(settings)
    reader: Reader = app.state.reader
    statement = Statement(sql, (), {})
    with TestClient(app) as client:
        client.portal.call(reader.fetch, statement, {})  # type: ignore[union-attr]


def test_the_read_path_cannot_write(database: TestDatabase) -> None:
    with pytest.raises((DatabaseUnavailableError, asyncpg.ReadOnlySQLTransactionError)):
        _run(database, "DELETE FROM topic")


def test_a_statement_made_while_nothing_is_scheduled_shows_nothing_once_something_is(
    database: TestDatabase,
) -> None:
    """The guard of every public statement (`api.db.published`): compiled while the schedule
    hides nothing, a statement reads the version row itself, so an item scheduled by a write
    the reader has not seen yet is never shown: until it has, the statement shows nothing."""
    app = create_app(database.settings)
    reader: Reader = app.state.reader
    assert reader.hides is False
    states = reader.statement(Page(ListQuery(STATES).shape, STATE_SORTS["name"], False, False))
    values = {"limit": 100, "offset": 0, "cap": 1001}
    engine = make_engine(database.settings)
    version = CONTENT_VERSION.c
    with engine.connect() as connection:
        [before] = connection.execute(select(version.publish_until, version.unpublish_from))

    def schedule(publish_until: datetime | None, unpublish_from: datetime | None) -> None:
        with engine.begin() as connection:
            connection.execute(
                CONTENT_VERSION.update()
                .where(version.id == 1)
                .values(publish_until=publish_until, unpublish_from=unpublish_from)
            )

    far = datetime(2999, 1, 1, tzinfo=UTC)
    try:
        with TestClient(app) as client:
            fetch = client.portal.call  # type: ignore[union-attr]
            schedule(None, None)
            listed = fetch(reader.fetch, states, values)
            assert (len(listed), listed[0]["_total"]) == (57, 57)
            schedule(far, None)  # something is to be published later: it is hidden now
            assert list(fetch(reader.fetch, states, values)) == []
            schedule(None, datetime(2000, 1, 1, tzinfo=UTC))  # something was unpublished
            assert list(fetch(reader.fetch, states, values)) == []
            schedule(None, far)  # something will be unpublished: nothing is hidden yet
            assert len(fetch(reader.fetch, states, values)) == 57
    finally:
        schedule(*before)
        engine.dispose()


def test_the_replica_check_goes_on_after_an_unexpected_error_and_says_it_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The task that checks the replica outlives an error nobody foresaw (a driver's own, say):
    the replica is left while it lasts, the log says it once, and the next good check
    serves from it again. (It once died of a type error, and the replica was never used.)"""
    reader = PostgresReader("postgresql://nowhere/x", 1, 1000, "postgresql://nowhere/y", 1000)
    assert reader.replica is not None
    calls = 0

    async def fetch(sql: str, args: list[Any], until: float) -> list[dict[str, Any]]:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise TypeError("not an integer")
        return [{"version": 5, "lag": 0.0, "received": "0/3000000"}]

    reader.replica.fetch = fetch  # type: ignore[method-assign]

    async def watch() -> list[str | None]:
        task = asyncio.create_task(reader._watch_replica())
        seen = []
        async with asyncio.timeout(10):
            for check in (1, 2, 3):  # the state each check leaves (it is set as the call ends)
                while calls < check:
                    await asyncio.sleep(0.01)
                seen.append(reader.replica_state.error)
        task.cancel()
        return seen

    with caplog.at_level("ERROR", logger="api"):
        errors = asyncio.run(watch())
    assert errors == ["not an integer", "not an integer", None]
    assert reader.replica_state.version == 5
    assert [r.message for r in caplog.records] == ["checking the replica failed"]


def test_a_worker_knows_its_replica_before_its_first_read() -> None:
    """`start` (run by the app's lifespan, before the worker takes requests) checks the replica
    once, then leaves the checks running. Checked only from a worker's first read on, that
    read and the next went to the primary (the topology test saw 2 of 40 there)."""
    reader = PostgresReader("postgresql://nowhere/x", 1, 1000, "postgresql://nowhere/y", 1000)
    assert reader.replica is not None
    sent: list[Any] = []

    async def fetch(sql: str, args: list[Any], until: float) -> list[dict[str, Any]]:
        sent.append(args[0])
        return [{"version": 5, "lag": 0.0, "received": f"0/{len(sent)}"}]

    reader.replica.fetch = fetch  # type: ignore[method-assign]

    async def started() -> tuple[int, list[Any]]:
        await reader.start()
        version = reader.replica_state.version  # known as `start` returns, before any read
        async with asyncio.timeout(10):
            while len(sent) < 3:
                await asyncio.sleep(0.01)
        assert reader._monitor is not None
        reader._monitor.cancel()
        return version, sent[:3]

    # The later checks go on from what the one at start found.
    assert asyncio.run(started()) == (5, [None, "0/1", "0/2"])


def test_a_query_past_the_statement_timeout_is_refused(database: TestDatabase) -> None:
    endless = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        if database.settings.is_sqlite
        else "SELECT pg_sleep(5)"
    )
    with pytest.raises(DatabaseUnavailableError, match="too long"):
        _run(database, endless, timeout_ms=50)


def test_a_missing_database_file_is_503_not_a_new_empty_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    app = create_app(Settings(database_url=f"sqlite:///{missing}"))
    with TestClient(app) as client:
        response = client.get("/api/v1/states")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "/problems/database-unavailable"
    assert not missing.exists()


@pytest.mark.serial  # bounds the time a wait takes
def test_a_request_waiting_for_a_busy_pool_fails_fast(database: TestDatabase) -> None:
    """PostgreSQL: with every pooled connection taken, the next read waits at most the
    statement timeout for one, then gives up (a 503) instead of queueing forever."""
    if database.settings.is_sqlite:
        pytest.skip("SQLite has no connection pool: one connection per worker")
    settings = database.settings.model_copy(
        update={"db_statement_timeout_ms": 300, "db_pool_size": 1}
    )
    app = create_app(settings)
    reader: PostgresReader = app.state.reader
    quick = Statement("SELECT 1", (), {})

    async def while_the_pool_is_taken() -> float:
        pool = await reader.primary.ready(1)
        async with pool.acquire():  # the only connection
            started = time.monotonic()
            with pytest.raises(DatabaseUnavailableError, match="too long"):
                await reader.fetch(quick, {})
            return time.monotonic() - started

    with TestClient(app) as client:
        waited = client.portal.call(while_the_pool_is_taken)  # type: ignore[union-attr]
        assert 0.25 < waited < 1.5
        rows = client.portal.call(reader.fetch, quick, {})  # type: ignore[union-attr]
        assert [tuple(row) for row in rows] == [(1,)]  # free again: served at once


def test_a_postgres_connection_goes_back_to_the_pool_without_a_round_trip(
    database: TestDatabase,
) -> None:
    """asyncpg's default reset sent four statements to the server on every release, a round
    trip per read; `_reset` sends none, and still rolls back a transaction left open."""
    if database.settings.is_sqlite:
        pytest.skip("SQLite has no connection pool: one connection per worker")
    app = create_app(database.settings.model_copy(update={"db_pool_size": 1}))
    reader: PostgresReader = app.state.reader
    marked = Statement("SELECT 'the last statement' AS mark", (), {})

    async def last_statement_and_transaction() -> tuple[str, bool]:
        pool = await reader.primary.ready(5)
        async with pool.acquire() as connection:
            pid = connection.get_server_pid()
            await connection.execute("BEGIN")  # left open: the release rolls it back
        await reader.fetch(marked, {})
        async with pool.acquire() as connection:
            assert connection.get_server_pid() == pid  # the pool's one connection
            in_transaction = connection.is_in_transaction()
        observer = await asyncpg.connect(reader.primary.dsn)
        try:
            query = await observer.fetchval(
                "SELECT query FROM pg_stat_activity WHERE pid = $1", pid
            )
        finally:
            await observer.close()
        return query, in_transaction

    with TestClient(app) as client:
        query, in_transaction = client.portal.call(last_statement_and_transaction)  # type: ignore[union-attr]
    assert query == marked.sql
    assert in_transaction is False


def test_sqlite_checks_the_version_once_per_round_of_the_event_loop(tmp_path: Path) -> None:
    """Requests the event loop runs in one round share one check of the content version (they
    all arrived before it); the next round checks again and sees a write committed meanwhile
    by another connection."""
    settings = create_database("sqlite", tmp_path)
    engine = make_engine(settings)
    migrate(engine)
    reader = make_reader(settings)
    statements: list[str] = []

    async def rounds() -> tuple[int, int, int]:
        first = await reader.content_version()
        reader._loop_connection().set_trace_callback(statements.append)  # type: ignore[attr-defined]
        with engine.begin() as connection:
            connection.execute(text("UPDATE content_version SET version = version + 1"))
        same_round = await reader.content_version()
        await asyncio.sleep(0)  # the loop moves on to its next round
        next_round = await reader.content_version()
        await reader.close()
        return first.number, same_round.number, next_round.number

    first, same_round, next_round = asyncio.run(rounds())
    engine.dispose()
    assert (same_round, next_round) == (first, first + 1)
    assert statements.count("PRAGMA data_version") == 1  # in the second round only


def test_postgres_requests_after_a_write_share_one_read_of_the_new_version(
    tmp_path: Path,
) -> None:
    """The requests that arrive after a write is announced and before the new version is read
    wait for one read of it instead of each making its own: bench/editor.py showed that burst
    of reads (every worker, every save) slowing reading and delaying the change. SQLite shares
    one check per round of the event loop (the test above)."""
    if "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL announces writes by NOTIFY: set TEST_POSTGRES_URL")
    settings = create_database("postgresql", tmp_path)
    engine = make_engine(settings)
    migrate(engine)
    reader = make_reader(settings)
    assert isinstance(reader, PostgresReader)
    reads: list[str] = []

    async def after_a_write() -> tuple[int, list[int]]:
        first = await reader.content_version()  # listening from now on
        fetch = reader.primary.fetch

        async def counted(sql: str, args: Any, until: float) -> Any:
            reads.append(sql)
            return await fetch(sql, args, until)

        reader.primary.fetch = counted  # type: ignore[method-assign,assignment]
        with engine.begin() as connection:
            connection.execute(text("UPDATE content_version SET version = version + 1"))
            connection.execute(text("SELECT pg_notify('content_version', 'test')"))
        while reader._version is not None:  # the announcement has not arrived yet
            await asyncio.sleep(0.01)
        waiting = [asyncio.create_task(reader.content_version()) for _ in range(10)]
        versions = await asyncio.gather(*waiting)
        await reader.close()
        return first.number, [version.number for version in versions]

    try:
        first, versions = asyncio.run(after_a_write())
    finally:
        engine.dispose()
        drop_database(settings)
    assert versions == [first + 1] * 10
    assert reads.count(VERSION_SQL) == 1


def test_the_requests_of_a_new_version_share_one_load_of_its_catalog(
    database: TestDatabase,
) -> None:
    """After a save, every request of a busy worker used to load the catalog itself (9
    statements each, every pooled connection held): bench/editor.py measured seconds before a
    save showed. One load per version now, and an older version's load, finishing late, does
    not replace a newer catalog."""
    reader = make_reader(database.settings)
    statements: list[str] = []
    fetch = reader.fetch

    async def counted(statement: Statement, values: Any, **options: Any) -> Any:
        statements.append(statement.sql)
        return await fetch(statement, values, **options)

    reader.fetch = counted  # type: ignore[method-assign]

    async def loads() -> tuple[int, int, list[int]]:
        await CatalogCache(reader).get(1)
        one_load = len(statements)
        shared = CatalogCache(reader)
        catalogs = await asyncio.gather(*(shared.get(2) for _ in range(20)))
        assert all(catalog is catalogs[0] for catalog in catalogs)
        later = await asyncio.gather(shared.get(3), shared.get(4), shared.get(3, "fr"))
        kept = await shared.get(4)
        await reader.close()
        return one_load, len(statements) - one_load, [c.version for c in [*later, kept]]

    one_load, twenty_requests, versions = asyncio.run(loads())
    # Twenty requests: one load of version 2; then one each for versions 3 and 4, and one for
    # the request of version 3 that came after version 4 began loading.
    assert twenty_requests == 4 * one_load
    assert versions == [3, 4, 3, 4]


def test_a_catalog_version_lower_than_the_last_one_is_kept_once_loaded(
    database: TestDatabase,
) -> None:
    """A database replaced by an older copy goes back to a lower content version: its catalog
    is then the one kept, not loaded again by every request."""
    reader = make_reader(database.settings)

    async def versions() -> tuple[int, bool]:
        catalogs = CatalogCache(reader)
        await catalogs.get(7)
        older = await catalogs.get(5)
        again = await catalogs.get(5)
        await reader.close()
        return older.version, older is again

    assert asyncio.run(versions()) == (5, True)
