"""The lean read path: statements compiled once per shape and run on the raw drivers.

Building and executing a SQLAlchemy `select()` costs about a millisecond per request, several
times the query itself, so routes describe their `select()` once per *shape* (which filters are
present, the sort, the cursor), it is compiled once per shape and dialect, and each request only
binds its values. Rows come back as mappings by column name (dicts built from sqlite3's tuples,
asyncpg.Record), with no ORM objects in between.

SQLite queries run on the event loop: they are index ranges of at most a page and bounded by
the statement timeout, and a thread hop would halve throughput (see bench/README.md). Queries
that may scan (free-text search) are marked `slow` and run on a worker thread with their own
connection. PostgreSQL queries run on asyncpg's native async connections.
"""

import asyncio
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, Protocol, cast

import anyio
import asyncpg
import orjson
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from api.config import Settings
from api.db import haversine_km

# A dict (SQLite) or an asyncpg.Record (PostgreSQL): both look values up by column name.
Row = Any


class DatabaseUnavailableError(Exception):
    """The database could not be reached or did not answer in time."""


class ContentVersion(NamedTuple):
    """Which version of the content a reader sees, and when it was written."""

    number: int
    changed_at: datetime


def _utc(value: datetime | str) -> datetime:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass(frozen=True)
class Statement:
    """SQL text for one dialect, the names of its parameters in order, and the values of the
    parameters the statement itself fixes (`publication_status = 'published'`)."""

    sql: str
    names: tuple[str, ...]
    fixed: Mapping[str, Any]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        fixed = self.fixed
        return [fixed[name] if name in fixed else values[name] for name in self.names]


class Described(Protocol):
    """A frozen description of a statement: it is the statement's cache key, and `build`
    makes the statement from it alone (see `api.read.paging.Page`)."""

    def build(self) -> ClauseElement: ...


@dataclass(frozen=True)
class Fixed:
    """A statement that takes no shape (reference data, a menu's nodes): known by its name."""

    name: str
    make: Callable[[], ClauseElement] = field(compare=False)

    def build(self) -> ClauseElement:
        return self.make()


class Reader(ABC):
    """Compiles statements once per description and runs them; one instance per worker.

    Compiled statements are kept in a least-recently-used cache of `STATEMENT_CACHE_SIZE`
    entries: descriptions come from requests, so their number must have a bound.
    """

    dialect: Dialect

    def __init__(self, cache_size: int = 512) -> None:
        self.cache_size = cache_size
        self._statements: OrderedDict[Described, Statement] = OrderedDict()

    def statement(self, described: Described) -> Statement:
        """The compiled statement for `described`, building and compiling it on first use."""
        statements = self._statements
        statement = statements.get(described)
        if statement is not None:
            statements.move_to_end(described)
            return statement
        compiled = cast(SQLCompiler, described.build().compile(dialect=self.dialect))
        binds = compiled.binds.items()
        fixed = {n: self.driver_value(b.effective_value) for n, b in binds if b.value is not None}
        statement = Statement(compiled.string, tuple(compiled.positiontup or ()), fixed)
        statements[described] = statement
        if len(statements) > self.cache_size:
            statements.popitem(last=False)
        return statement

    def driver_value(self, value: Any) -> Any:
        """A Python value as this reader's driver takes it."""
        return value

    @abstractmethod
    async def fetch(
        self, statement: Statement, values: Mapping[str, Any], *, slow: bool = False
    ) -> Sequence[Row]:
        """The rows of `statement` with `values` bound; `slow` ones may run off the loop."""

    @abstractmethod
    async def content_version(self) -> ContentVersion:
        """The current content version (bumped by every write, see migration 0002)."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections."""


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    """Python values as SQLAlchemy stores them in SQLite (dates and instants as text); a list
    as the JSON array `json_each` reads (see `api.db.in_list`)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return orjson.dumps([_sqlite_value(item) for item in value]).decode()
    return value


class _TimedConnection(sqlite3.Connection):
    """A connection whose statements abort once `deadline` (monotonic seconds) has passed."""

    deadline = 0.0


class SQLiteReader(Reader):
    dialect = sqlite.dialect(paramstyle="qmark")

    def __init__(self, path: str, timeout_ms: int, cache_size: int = 512) -> None:
        super().__init__(cache_size)
        self.path, self.timeout = path, timeout_ms / 1000
        self._connection: _TimedConnection | None = None
        self._local = threading.local()
        self._version: ContentVersion | None = None
        self._data_version: int | None = None
        self._checked = False  # in this round of the event loop

    def driver_value(self, value: Any) -> Any:
        return _sqlite_value(value)

    def _connect(self) -> _TimedConnection:
        try:
            # mode=rw: a missing database is an error, not a new empty file.
            connection = sqlite3.connect(
                f"file:{self.path}?mode=rw",
                uri=True,
                check_same_thread=False,
                isolation_level=None,
                factory=_TimedConnection,
            )
        except sqlite3.OperationalError as exc:
            raise DatabaseUnavailableError(f"cannot open {self.path}: {exc}") from exc
        connection.execute("PRAGMA query_only = ON")  # the read path can never write
        connection.execute("PRAGMA busy_timeout = 2000")
        connection.create_function("haversine_km", 4, haversine_km, deterministic=True)
        # Abort a statement that runs past its deadline instead of holding the event loop.
        connection.set_progress_handler(lambda: int(time.monotonic() > connection.deadline), 1000)
        return connection

    def _run(self, connection: _TimedConnection, sql: str, args: list[Any]) -> list[Row]:
        """The rows as dicts: a sqlite3.Row looks a name up by comparing it with every column
        name in turn, which cost more than building the dict once for rows read by name."""
        connection.deadline = time.monotonic() + self.timeout
        try:
            cursor = connection.execute(sql, args)
            rows = cursor.fetchall()
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in rows]
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise DatabaseUnavailableError("the query took too long") from exc
            raise DatabaseUnavailableError(str(exc)) from exc

    def _loop_connection(self) -> _TimedConnection:
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def _thread_connection(self) -> _TimedConnection:
        connection: _TimedConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        return connection

    async def fetch(
        self, statement: Statement, values: Mapping[str, Any], *, slow: bool = False
    ) -> Sequence[Row]:
        # Each value once, though a statement may bind it twice (a page and its count).
        args = statement.arguments({name: _sqlite_value(v) for name, v in values.items()})
        if slow:
            return await anyio.to_thread.run_sync(
                lambda: self._run(self._thread_connection(), statement.sql, args)
            )
        return self._run(self._loop_connection(), statement.sql, args)

    async def content_version(self) -> ContentVersion:
        """The version, checked at most once per round of the event loop.

        The requests a round runs were all read off their sockets before the round began, so
        one check made in it is later than each of their arrivals: it sees every write that
        had committed when any of them arrived. A request arriving after it waits for a later
        round, and so for a new check. Each check locks and unlocks the database file (three
        system calls), which cost a hot request a fifth of its time.
        """
        if self._checked and self._version is not None:
            return self._version
        connection = self._loop_connection()
        # `PRAGMA data_version` changes when another connection commits (this one never
        # writes): the version row is read again only then.
        try:
            data_version = connection.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise DatabaseUnavailableError(str(exc)) from exc
        if self._version is None or data_version != self._data_version:
            sql = "SELECT version, changed_at FROM content_version WHERE id = 1"
            [row] = self._run(connection, sql, [])
            self._version = ContentVersion(row["version"], _utc(row["changed_at"]))
            self._data_version = data_version
        self._checked = True
        # Runs after everything already queued for this round: the next round checks again.
        asyncio.get_running_loop().call_soon(self._next_round)
        return self._version

    def _next_round(self) -> None:
        self._checked = False

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None  # reopened on next use
            self._version = self._data_version = None


# --- PostgreSQL --------------------------------------------------------------------------------


# Errors that mean the database, not the query, is the trouble: retried once on a fresh
# connection (a pooled one may have died with a restart), then answered with a 503.
CONNECTION_ERRORS = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.TooManyConnectionsError,
)


class PostgresReader(Reader):
    """asyncpg connections; the content version arrives by LISTEN/NOTIFY, not by polling."""

    dialect = asyncpg_dialect.dialect()  # type: ignore[no-untyped-call]

    def __init__(self, dsn: str, pool_size: int, timeout_ms: int, cache_size: int = 512) -> None:
        super().__init__(cache_size)
        self.dsn, self.pool_size, self.timeout = dsn, pool_size, timeout_ms / 1000
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._version: ContentVersion | None = None
        self._lock = asyncio.Lock()

    async def _ready_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    try:
                        self._pool = await asyncpg.create_pool(
                            self.dsn,
                            min_size=1,
                            max_size=self.pool_size,
                            timeout=self.timeout,
                            # The server cancels a slow statement; the client waits a little
                            # longer in case the server itself does not answer.
                            command_timeout=self.timeout + 1,
                            server_settings={
                                "default_transaction_read_only": "on",
                                "statement_timeout": str(int(self.timeout * 1000)),
                                "TimeZone": "UTC",
                            },
                        )
                    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                        raise DatabaseUnavailableError(str(exc)) from exc
        return self._pool

    async def fetch(
        self, statement: Statement, values: Mapping[str, Any], *, slow: bool = False
    ) -> Sequence[Row]:
        args = statement.arguments(values)
        for attempt in (1, 2):
            pool = await self._ready_pool()
            try:
                # Waiting for a free connection is bounded too: a full pool fails fast.
                async with pool.acquire(timeout=self.timeout) as connection:
                    rows: Sequence[Row] = await connection.fetch(statement.sql, *args)
                    return rows
            except (asyncpg.QueryCanceledError, TimeoutError) as exc:
                raise DatabaseUnavailableError("the query took too long") from exc
            except CONNECTION_ERRORS as exc:
                if attempt == 2:
                    raise DatabaseUnavailableError(str(exc) or type(exc).__name__) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        number, epoch = payload.split()
        self._version = ContentVersion(int(number), datetime.fromtimestamp(float(epoch), UTC))

    def _on_lost(self, _connection: Any) -> None:
        self._listener, self._version = None, None

    async def content_version(self) -> ContentVersion:
        if self._version is not None:
            return self._version
        # First use, or the listener was lost: read it, then listen for the next changes.
        pool = await self._ready_pool()
        try:
            if self._listener is None or self._listener.is_closed():
                listener = await asyncpg.connect(self.dsn, timeout=self.timeout)
                await listener.add_listener("content_version", self._on_notify)
                listener.add_termination_listener(self._on_lost)
                self._listener = listener
            async with pool.acquire(timeout=self.timeout) as connection:
                row = await connection.fetchrow(
                    "SELECT version, changed_at FROM content_version WHERE id = 1"
                )
        except (TimeoutError, asyncpg.PostgresError, *CONNECTION_ERRORS) as exc:
            raise DatabaseUnavailableError(str(exc) or type(exc).__name__) from exc
        if self._version is None:  # a notification may have arrived meanwhile
            self._version = ContentVersion(row["version"], _utc(row["changed_at"]))
        return self._version

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
        if self._pool is not None:
            await self._pool.close()
        self._listener = self._pool = self._version = None  # reconnected on next use


def make_reader(settings: Settings) -> Reader:
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        return SQLiteReader(
            url.database or ":memory:",
            settings.db_statement_timeout_ms,
            settings.statement_cache_size,
        )
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresReader(
        dsn, settings.db_pool_size, settings.db_statement_timeout_ms, settings.statement_cache_size
    )
