"""The reader: one compiled statement per query shape, bounded queries, clear unavailability."""

import asyncio
import time
from pathlib import Path

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.read.reader import DatabaseUnavailableError, PostgresReader, Reader, Statement, make_reader
from tests.conftest import TestDatabase, create_database, migrate


def test_a_shape_is_compiled_once_whatever_its_values(client: TestClient) -> None:
    reader: Reader = client.app.state.reader  # type: ignore[attr-defined]
    client.get("/api/v1/news?country=KZ&date_from=2025-01-01")
    compiled = len(reader._statements)
    for code, day in (("TJ", "2024-05-01"), ("serbia", "2023-01-31"), ("AT", "2020-02-29")):
        assert client.get(f"/api/v1/news?country={code}&date_from={day}").status_code == 200
    assert len(reader._statements) == compiled
    client.get("/api/v1/news?country=KZ,TJ&date_from=2025-01-01")  # two countries: a new shape
    assert len(reader._statements) > compiled


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
        pool = await reader._ready_pool()
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
