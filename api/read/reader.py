"""The lean read path: statements compiled once per shape and run on the raw drivers.

Building and executing a SQLAlchemy `select()` costs about a millisecond per request, several
times the query itself, so routes describe their `select()` once per *shape* (which filters are
present, the sort, the cursor), it is compiled once per shape and dialect, and each request only
binds its values. Rows come back as mappings by column name (dicts built from sqlite3's tuples,
asyncpg.Record), with no ORM objects in between.

SQLite queries run on the event loop: they are index ranges of at most a page and bounded by
the statement timeout, and a thread hop would halve throughput (see bench/README.md). Queries
that may scan (free-text search) are marked `slow` and run on a worker thread with their own
connection. So does a query that finds the file locked by another process: the loop's
connection never waits for a lock (another process holding one for 30 s once froze the worker,
`/livez` included), the thread's waits at most what is left of the timeout. PostgreSQL queries
run on asyncpg's native async connections, on a read replica when one is configured and has
caught up (see `PostgresReader`).

Every fault of the database rather than of the request is a `DatabaseUnavailableError` (a 503
with `Retry-After`), chosen by the driver's error class: for sqlite3 `OperationalError` and a
plain `DatabaseError` (a corrupt file), for asyncpg the classes in `POSTGRES_UNAVAILABLE`. The
rest (a programming error) stays a 500. One timeout bounds all the database work of a request:
its queries, the waits for a lock or a pooled connection, and a retry, together (`deadline`).
"""

import asyncio
import contextvars
import logging
import os
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from operator import itemgetter
from typing import Any, ClassVar, Protocol, cast

import anyio
import asyncpg
import orjson
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from api import clock
from api.config import Settings
from api.db import NOW, haversine_km

# A dict (SQLite) or an asyncpg.Record (PostgreSQL): both look values up by column name.
Row = Any
log = logging.getLogger("api")
VERSION_SQL = "SELECT version, catalog_version, changed_at FROM content_version WHERE id = 1"
# The schedule's changes around now: the last one passed (an answer is as new as it) and the
# next one (every cached answer expires then). Read when the version changes or the next
# change passes; `editor_item` holds only the items an editor has touched.
SCHEDULE_SQL = """
SELECT (SELECT min(publish_at) FROM editor_item WHERE publish_at > {now}) AS next_publish,
       (SELECT min(unpublish_at) FROM editor_item WHERE unpublish_at > {now}) AS next_unpublish,
       (SELECT max(publish_at) FROM editor_item WHERE publish_at <= {now}) AS last_publish,
       (SELECT max(unpublish_at) FROM editor_item WHERE unpublish_at <= {now}) AS last_unpublish
"""
SQLITE_SCHEDULE_SQL = SCHEDULE_SQL.format(now="?")
POSTGRES_SCHEDULE_SQL = SCHEDULE_SQL.format(now="$1::timestamptz")
# The deadline set by a request's first database access bounds every later one (a failed
# version check followed by the route's own attempt once took twice the timeout). uvicorn runs
# each request in a task of its own; `new_request` clears it for callers that do not.
_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("database_deadline")


def new_request() -> None:
    """A request begins: its database work gets a deadline of its own at its first access.

    Set only when one is left (a caller running requests one after another in one task):
    setting a context variable copies the context's map, about 2,000 instructions."""
    if _DEADLINE.get(0.0):
        _DEADLINE.set(0.0)


def deadline(timeout: float) -> float:
    """When the current request's database work must be done (monotonic seconds)."""
    found = _DEADLINE.get(0.0)
    if not found:
        found = time.monotonic() + timeout
        _DEADLINE.set(found)
    return found


class DatabaseUnavailableError(Exception):
    """The database could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Readiness:
    revision: str | None  # None: not migrated at all
    replica: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ContentVersion:
    """Which version of the content a reader sees, and when it was written.

    `tick` counts the scheduled changes this reader has seen pass without a write: what the
    public API shows changed then too, so `effective` (what caches are keyed by) changes.
    """

    number: int
    changed_at: datetime
    next_change: datetime | None = None
    tick: int = 0
    hides: bool = False  # the schedule hides something now
    catalog: int = 0  # `content_version.catalog_version` (see migration 0041)
    # Computed once when the version is read; every request reads them (fields, not
    # properties: a property is a Python call a request).
    effective: int = field(init=False)
    # What the in-memory catalog of reference data (api/content/catalog.py) depends on: the
    # writes to the tables it reads, the scheduled changes passed, and whether its statements
    # are compiled to hide scheduled items (see `api.db.Visible`).
    catalog_key: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "effective", self.number + (self.tick << 56))
        catalog_key = self.catalog + (self.tick << 56) + (int(self.hides) << 112)
        object.__setattr__(self, "catalog_key", catalog_key)

    def expired(self, at: datetime) -> bool:
        """A scheduled change has passed since this version was read."""
        return self.next_change is not None and at >= self.next_change


def scheduled(
    version: int, changed_at: datetime, row: Mapping[str, Any], tick: int, catalog: int = 0
) -> ContentVersion:
    """The version with the schedule around now (a row of SCHEDULE_SQL) folded in."""
    upcoming = [_utc(v) for v in (row["next_publish"], row["next_unpublish"]) if v is not None]
    passed = [_utc(v) for v in (row["last_publish"], row["last_unpublish"]) if v is not None]
    # Hidden now: an item whose publish_at is ahead, or whose unpublish_at has passed.
    hides = row["next_publish"] is not None or row["last_unpublish"] is not None
    return ContentVersion(
        version,
        max([changed_at, *passed]),
        min(upcoming) if upcoming else None,
        tick,
        hides,
        catalog,
    )


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
    clocked: bool = False  # binds `now`: the instant it runs at (see `api.db.published`)
    # The arguments in order from a mapping of them, picked in C: a loop over a page's
    # fourteen parameters and its count's ran 130 bytecode instructions a statement.
    pick: Callable[[Mapping[str, Any]], tuple[Any, ...]] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "pick", _picker(self.names))

    def arguments(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The statement's arguments: the values it fixes, the others from `values`."""
        return self.pick({**values, **self.fixed} if self.fixed else values)

    def at_now(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """`values`, with the current instant as `now` when the statement binds it."""
        return {**values, NOW: clock.now()} if self.clocked else values


def _picker(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """`itemgetter(*names)`, always giving a tuple (for one name, itemgetter gives the value)."""
    if len(names) > 1:
        return itemgetter(*names)

    def pick(values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] for name in names)

    return pick


class Described(Protocol):
    """A frozen description of a statement: `build` makes the statement from it alone (see
    `api.read.paging.Page`), and `key` identifies it in the statement cache.

    A key is a tuple of plain values and objects compared by identity, never a dataclass:
    CPython hashes and compares a tuple in C, where the generated `__hash__` and `__eq__` of
    nested frozen dataclasses (an item's description holds a query shape, which holds its
    conditions) ran a dozen Python calls a lookup, about 30,000 machine instructions on a cold
    item (bench/README.md, "Instructions")."""

    @property
    def key(self) -> Hashable: ...

    def build(self) -> ClauseElement: ...


def fields_key(described: Any) -> tuple[Any, ...]:
    """The key of a frozen dataclass whose fields are plain values or compared by identity:
    its class and its fields' values, in order."""
    return (type(described), *vars(described).values())


@dataclass(frozen=True)
class Fixed:
    """A statement that takes no shape (reference data, a menu's nodes): known by its name."""

    name: str
    make: Callable[[], ClauseElement] = field(compare=False)

    @property
    def key(self) -> Hashable:
        return (Fixed, self.name)

    def build(self) -> ClauseElement:
        return self.make()


class Reader(ABC):
    """Compiles statements once per description and runs them; one instance per worker.

    Compiled statements are kept in a least-recently-used cache of `STATEMENT_CACHE_SIZE`
    entries: descriptions come from requests, so their number must have a bound.
    """

    dialect: Dialect
    compile_kwargs: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, cache_size: int = 512) -> None:
        self.cache_size = cache_size
        self._statements: OrderedDict[Hashable, Statement] = OrderedDict()
        # While the schedule hides something (the last version read says so), statements are
        # compiled with its anti-join, and cached apart (see `api.db.Visible`).
        self.hides = False
        self._hiding_statements: OrderedDict[Hashable, Statement] = OrderedDict()

    def statement(self, described: Described) -> Statement:
        """The compiled statement for `described`, building and compiling it on first use."""
        hides = self.hides
        statements = self._hiding_statements if hides else self._statements
        key = described.key
        statement = statements.get(key)
        if statement is not None:
            statements.move_to_end(key)
            return statement
        built = described.build()
        options = {**self.compile_kwargs, "hides": True} if hides else self.compile_kwargs
        compiled = cast(SQLCompiler, built.compile(dialect=self.dialect, compile_kwargs=options))
        binds = compiled.binds.items()
        fixed = {n: self.driver_value(b.effective_value) for n, b in binds if b.value is not None}
        names = tuple(compiled.positiontup or ())
        statement = Statement(compiled.string, names, fixed, NOW in names)
        statements[key] = statement
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
    async def readiness(self) -> Readiness:
        """The migration the database is at, and the replica's state where there is one."""

    async def start(self) -> None:  # noqa: B027 - optional: most readers need nothing first
        """Before the worker takes requests (the app's lifespan): what must be known first."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections."""


class PreviewReader(Reader):
    """Another reader's connections, with statements compiled for a preview key: drafts and
    scheduled items included (see `api.db.Visible`). Its statements are cached apart."""

    compile_kwargs: ClassVar[Mapping[str, Any]] = {"preview": True}

    def __init__(self, reader: Reader) -> None:
        super().__init__(reader.cache_size)
        self.reader, self.dialect = reader, reader.dialect

    def driver_value(self, value: Any) -> Any:
        return self.reader.driver_value(value)

    async def fetch(
        self, statement: Statement, values: Mapping[str, Any], *, slow: bool = False
    ) -> Sequence[Row]:
        return await self.reader.fetch(statement, values, slow=slow)

    async def content_version(self) -> ContentVersion:
        return await self.reader.content_version()

    async def readiness(self) -> Readiness:
        return await self.reader.readiness()

    async def close(self) -> None:
        """The connections are the other reader's, closed with it."""


# --- SQLite ------------------------------------------------------------------------------------


# The text of the minute of the last UTC instant bound (`_sqlite_instant`), by its fields.
_minute: tuple[tuple[int, ...], str] = ((), "")
_SECONDS = tuple(f":{second:02d}." for second in range(60))


def _sqlite_instant(value: datetime) -> str:
    """An aware UTC instant as SQLAlchemy stores one in SQLite: "YYYY-MM-DD HH:MM:SS.ffffff".

    For the clock's `now`, bound into every public statement: `isoformat` formats the UTC
    offset too, through C's sprintf, 11,400 machine instructions a cold request. The minute's
    text is reused while the minute lasts, the rest put together from a table (bench/README.md,
    "Instructions"). Other instants (a window's bounds) each have a minute of their own, and
    go through `isoformat` (`_sqlite_value`): they would only push the clock's minute out."""
    global _minute
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    minute = (value.year, value.month, value.day, value.hour, value.minute)
    known, text = _minute
    if minute != known:
        text = value.isoformat(" ", "minutes")[:16]
        _minute = (minute, text)
    return text + _SECONDS[value.second] + str(1_000_000 + value.microsecond)[1:]


# What SQLite takes as it is: `fetch` converts only the other values (a call for each cost
# about 20 bytecode instructions more than this test).
PLAIN = frozenset({str, int, float, bool, bytes, type(None)})


# The text of instants bound other than as the clock (a window's bounds: mostly whole days,
# asked again and again), by the instant: a lookup where `isoformat` cost a microsecond.
_instants: dict[datetime, str] = {}
MAX_INSTANTS = 4096


def _sqlite_value(value: Any) -> Any:
    """Python values as SQLAlchemy stores them in SQLite (dates and instants as text); a list
    as the JSON array `json_each` reads (see `api.db.in_list`)."""
    if isinstance(value, datetime):
        text = _instants.get(value)
        if text is None:
            utc = value if value.tzinfo is UTC else value.astimezone(UTC)
            text = utc.replace(tzinfo=None).isoformat(" ", "microseconds")
            if len(_instants) >= MAX_INSTANTS:
                _instants.clear()
            _instants[value] = text
        return text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return orjson.dumps([_sqlite_value(item) for item in value]).decode()
    return value


class _TimedConnection(sqlite3.Connection):
    """A connection whose statements abort once `deadline` (monotonic seconds) has passed."""

    deadline = 0.0
    generation = 0  # of the file it was opened on


class _LockedError(Exception):
    """The loop's connection found the file locked: the query goes to a worker thread."""


SQLITE_BUSY, SQLITE_LOCKED = 5, 6
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26
# Threads that may wait for another process's lock at once; more waiters queue for a thread,
# within the same timeout.
LOCK_WAITERS = 4
FILE_CHECK_S = 1.0  # how often the file's identity is checked (on a thread)


def _identity(path: str) -> tuple[int, int] | None:
    """What tells one file from another at the same path: (device, inode); None if missing."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


class SQLiteReader(Reader):
    """One connection on the event loop, one per worker thread; a watcher notices when the
    file is deleted (every read a 503) or replaced (the new file is served), within
    FILE_CHECK_S, by its device and inode read on a thread."""

    dialect = sqlite.dialect(paramstyle="qmark")

    def __init__(self, path: str, timeout_ms: int, cache_size: int = 512) -> None:
        super().__init__(cache_size)
        self.path, self.timeout = path, timeout_ms / 1000
        self._connection: _TimedConnection | None = None
        self._local = threading.local()
        self._version: ContentVersion | None = None
        self._data_version: int | None = None
        self._checked = False  # in this round of the event loop
        self._tick = 0
        self.generation = 0  # bumped when the file is replaced
        self._identity: tuple[int, int] | None = None
        self._gone: str | None = None  # why the file cannot be served, seen by the watcher
        self._corrupt_logged = -1  # the generation whose corruption was logged
        self._watcher: asyncio.Task[None] | None = None
        self._lock_waiters: anyio.CapacityLimiter | None = None

    def driver_value(self, value: Any) -> Any:
        # A value fixed in the statement, converted once: an enum member (a `str` subclass)
        # as its plain value, which sqlite3 binds at once; bound as the member, sqlite3 looks
        # for an adapter and for `__adapt__` and `__conform__` on every execution, raising
        # and clearing two AttributeErrors each time.
        return _sqlite_value(value.value if isinstance(value, Enum) else value)

    def _connect(self, *, waits: bool) -> _TimedConnection:
        try:
            # mode=rw: a missing database is an error, not a new empty file.
            connection = sqlite3.connect(
                f"file:{self.path}?mode=rw",
                uri=True,
                check_same_thread=False,
                isolation_level=None,
                factory=_TimedConnection,
                # Prepared statements, kept no longer than their compiled text is.
                cached_statements=self.cache_size,
            )
            connection.execute("PRAGMA query_only = ON")  # the read path can never write
            # The loop's connection never waits for a lock; a thread's waits per query.
            connection.execute(f"PRAGMA busy_timeout = {2000 if waits else 0}")
        except sqlite3.Error as exc:
            raise DatabaseUnavailableError(f"cannot open {self.path}: {exc}") from exc
        connection.create_function("haversine_km", 4, haversine_km, deterministic=True)
        # Abort a statement that runs past its deadline instead of holding the event loop.
        connection.set_progress_handler(lambda: int(time.monotonic() > connection.deadline), 1000)
        connection.generation = self.generation
        if self._identity is None:
            self._identity = _identity(self.path)  # one stat, at (re)connection only
        return connection

    def _failure(self, exc: sqlite3.Error) -> Exception:
        """What an error of sqlite3 means: the database is unavailable, or (programming errors,
        such as a ProgrammingError) the error itself."""
        if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
            return exc
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
            if self._corrupt_logged != self.generation:
                self._corrupt_logged = self.generation
                log.error(
                    "the SQLite database %s is corrupt (%s): restore it from a backup; "
                    "every read is a 503 until the file is replaced",
                    self.path,
                    exc,
                )
            return DatabaseUnavailableError(f"the database file is corrupt: {exc}")
        if "interrupted" in str(exc):
            return DatabaseUnavailableError("the query took too long")
        return DatabaseUnavailableError(str(exc))

    def _run(
        self, connection: _TimedConnection, sql: str, args: Sequence[Any], deadline: float
    ) -> list[Row]:
        """The rows as dicts: a sqlite3.Row looks a name up by comparing it with every column
        name in turn, which cost more than building the dict once for rows read by name."""
        connection.deadline = deadline
        try:
            cursor = connection.execute(sql, args)
            rows = cursor.fetchall()
        except sqlite3.Error as exc:
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            if code in (SQLITE_BUSY, SQLITE_LOCKED) and connection is self._connection:
                raise _LockedError from exc
            raise self._failure(exc) from exc
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _loop_connection(self) -> _TimedConnection:
        if self._connection is None:
            self._connection = self._connect(waits=False)
        return self._connection

    def _in_thread(self, sql: str, args: Sequence[Any], deadline: float) -> list[Row]:
        connection: _TimedConnection | None = getattr(self._local, "connection", None)
        if connection is not None and connection.generation != self.generation:
            connection.close()  # opened on a file that has since been replaced
            connection = None
        if connection is None:
            connection = self._local.connection = self._connect(waits=True)
        wait_ms = max(1, int((deadline - time.monotonic()) * 1000))
        connection.execute(f"PRAGMA busy_timeout = {wait_ms}")
        return self._run(connection, sql, args, deadline)

    async def _query(self, sql: str, args: Sequence[Any], *, slow: bool = False) -> list[Row]:
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        if self._gone is not None:
            raise DatabaseUnavailableError(self._gone)
        until = deadline(self.timeout)
        if not slow:
            try:
                return self._run(self._loop_connection(), sql, args, until)
            except _LockedError:
                pass  # wait for the lock on a thread, not on the loop
        if self._lock_waiters is None:
            self._lock_waiters = anyio.CapacityLimiter(LOCK_WAITERS)
        try:
            with anyio.fail_after(max(0.0, until - time.monotonic())):
                return await anyio.to_thread.run_sync(
                    self._in_thread, sql, args, until, limiter=self._lock_waiters
                )
        except TimeoutError as exc:
            raise DatabaseUnavailableError("the query took too long") from exc

    async def fetch(
        self, statement: Statement, values: Mapping[str, Any], *, slow: bool = False
    ) -> Sequence[Row]:
        # Each value converted once, though a statement may bind it twice (a page and its
        # count); `now` too, when the statement binds it. One pass, no intermediate dicts:
        # this runs for every statement of every cold request.
        converted = {
            name: value if type(value) in PLAIN else _sqlite_value(value)
            for name, value in values.items()
        }
        if statement.clocked:
            converted[NOW] = _sqlite_instant(clock.now())
        args = statement.arguments(converted)
        connection = self._connection
        if slow or connection is None or self._gone is not None or self._watcher is None:
            return await self._query(statement.sql, args, slow=slow)
        try:  # `_query`'s usual path, without its frame
            return self._run(connection, statement.sql, args, deadline(self.timeout))
        except _LockedError:
            return await self._query(statement.sql, args, slow=True)  # wait on a thread

    async def content_version(self) -> ContentVersion:
        """The version, checked at most once per round of the event loop.

        The requests a round runs were all read off their sockets before the round began, so
        one check made in it is later than each of their arrivals: it sees every write that
        had committed when any of them arrived. A request arriving after it waits for a later
        round, and so for a new check. Each check locks and unlocks the database file (three
        system calls), which cost a hot request a fifth of its time.

        A replaced file starts its versions again, perhaps at a number already seen: the
        generation of the file is added above any real version, so that nothing cached from
        the old file is served for the new one.
        """
        if self._checked and self._version is not None and self._gone is None:
            return self._version
        # `PRAGMA data_version` changes when another connection commits (this one never
        # writes): the version row is read again only then. Straight on the loop's connection
        # (the hot path makes this check); through `_query` when that fails (a lock, a file
        # gone), which waits off the loop or answers why.
        try:
            data_version = self._loop_connection().execute("PRAGMA data_version").fetchone()[0]
        except (sqlite3.Error, DatabaseUnavailableError):
            [row] = await self._query("PRAGMA data_version", [])
            data_version = row["data_version"]
        current = clock.now()
        expired = self._version is not None and self._version.expired(current)
        if self._version is None or data_version != self._data_version or expired:
            [row] = await self._query(VERSION_SQL, [])
            number = row["version"] + (self.generation << 40)
            catalog = row["catalog_version"] + (self.generation << 40)
            self._tick += expired
            [schedule] = await self._query(SQLITE_SCHEDULE_SQL, [_sqlite_value(current)] * 4)
            changed_at = _utc(row["changed_at"])
            self._version = scheduled(number, changed_at, schedule, self._tick, catalog)
            self.hides = self._version.hides
            self._data_version = data_version
        self._checked = True
        # Runs after everything already queued for this round: the next round checks again.
        asyncio.get_running_loop().call_soon(self._next_round)
        return self._version

    def _next_round(self) -> None:
        self._checked = False

    async def readiness(self) -> Readiness:
        found = await self._query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'", []
        )
        if not found:
            return Readiness(None)
        rows = await self._query("SELECT version_num FROM alembic_version", [])
        return Readiness(rows[0]["version_num"] if rows else None)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(FILE_CHECK_S)
            now = await anyio.to_thread.run_sync(_identity, self.path)
            if now is None:
                if self._gone is None:
                    log.error("the SQLite database %s is gone: every read is a 503", self.path)
                self._gone = f"the database file {self.path} is missing"
                self._forget_file()
            elif now != self._identity or self._gone is not None:
                # A request may have opened the new file before this check: start afresh.
                log.warning("the SQLite database %s was replaced: serving the new file", self.path)
                self._gone = None
                self._forget_file()
                self._identity = now

    def _forget_file(self) -> None:
        """Close the loop's connection and drop what was read from the file; threads close
        theirs on next use (their generation is stale)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.generation += 1
        self._identity = None
        self._version = self._data_version = None

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None  # reopened on next use
            self._version = self._data_version = None


# --- PostgreSQL --------------------------------------------------------------------------------


# The asyncpg classes that mean "the database, not the request": it is unreachable, restarting,
# shutting down, out of connections or other resources, refusing connections to this database,
# a standby in recovery that cancelled the query, or the credentials or database name are wrong.
POSTGRES_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,  # the connection closed under the query, bad client settings
    asyncpg.exceptions.InternalClientError,
    asyncpg.PostgresConnectionError,  # class 08
    asyncpg.InsufficientResourcesError,  # class 53: too many connections, disk full
    asyncpg.OperatorInterventionError,  # class 57: shutdown, cannot connect now, cancelled
    asyncpg.ObjectNotInPrerequisiteStateError,  # 55000: the database allows no connections
    asyncpg.InvalidCatalogNameError,  # 3D000: no such database
    asyncpg.InvalidAuthorizationSpecificationError,  # class 28: wrong role or password
    asyncpg.TransactionRollbackError,  # class 40: e.g. a conflict with recovery on a standby
    asyncpg.ReadOnlySQLTransactionError,  # 25006: a standby
    asyncpg.PostgresSystemError,  # class 58: I/O errors
    asyncpg.InternalServerError,  # class XX
)
REPLICA_CHECK_S = 0.25
# The replay lag: none when the standby has replayed all it had received at the previous check
# ($1; at the first check, all it has received), else the age of the last transaction it
# replayed. Compared with what it has received now, WAL without a commit (a checkpoint, a
# vacuum) would count, for the moment it takes to replay, as the age of the last commit, which
# can be minutes: reads left the replica for nothing.
REPLICA_STATE_SQL = """
SELECT (SELECT version FROM content_version WHERE id = 1) AS version,
       CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_replay_lsn() >= coalesce($1::text::pg_lsn, pg_last_wal_receive_lsn())
            THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
       END AS lag,
       pg_last_wal_receive_lsn()::text AS received
"""


def _retrieved(task: "asyncio.Future[Any]") -> None:
    """Mark a shared task's error as seen: the requests awaiting it raise it, or are gone."""
    if not task.cancelled():
        task.exception()


def _why(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


async def _reset(connection: asyncpg.Connection) -> None:
    """A pooled connection made ready for its next request. Only `fetch` uses one: a single
    statement that reads, with the settings fixed when it connected (no SET, LISTEN, cursor,
    advisory lock or open transaction), so there is nothing to undo. asyncpg's default reset
    (pg_advisory_unlock_all, CLOSE ALL, UNLISTEN *, RESET ALL) was one more round trip to the
    server for every statement (bench/README.md, "6 Dec, later")."""
    if connection.is_in_transaction():  # never, unless asyncpg itself left one
        await connection.execute("ROLLBACK")


class _Pool:
    """An asyncpg pool, created on first use and again after it failed to be created."""

    def __init__(self, dsn: str, size: int, timeout: float) -> None:
        self.dsn, self.size, self.timeout = dsn, size, timeout
        self.pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()
        self._releasing: set[asyncio.Task[None]] = set()

    async def ready(self, remaining: float) -> asyncpg.Pool:
        if self.pool is None:
            async with asyncio.timeout(remaining), self._lock:
                if self.pool is None:
                    self.pool = await asyncpg.create_pool(
                        self.dsn,
                        min_size=1,
                        max_size=self.size,
                        timeout=self.timeout,
                        reset=_reset,
                        # The server cancels a slow statement; the client cancels it too once
                        # the request's time is up (see `fetch`).
                        server_settings={
                            "default_transaction_read_only": "on",
                            "statement_timeout": str(int(self.timeout * 1000)),
                            "TimeZone": "UTC",
                            # An index probe priced as a read from memory or SSD, not a disk
                            # seek (the default, 4): with it PostgreSQL read a small table whole
                            # and sorted it, where it should walk an index in order (a page of
                            # States in Russian, through its name keys).
                            "random_page_cost": "1.1",
                        },
                    )
        return self.pool

    async def fetch(self, sql: str, args: Sequence[Any], deadline: float) -> list[Row]:
        """The rows, within `deadline`: creating the pool, waiting for a connection, the query
        and one retry on a fresh connection (a pooled one may have died with a restart)."""
        for attempt in (1, 2):
            try:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                pool = await self.ready(remaining)
                # Waiting for a free connection is bounded too: a full pool fails fast.
                connection = await pool.acquire(timeout=remaining)
                try:
                    async with asyncio.timeout(deadline - time.monotonic()):
                        rows: list[Row] = await connection.fetch(sql, *args)
                except BaseException:
                    # The connection may still be cancelling the query on the server (asyncpg
                    # opens another connection to ask): released off the request's time,
                    # which that wait once pushed 0.9 s past the bound.
                    self._releasing |= {task := asyncio.create_task(pool.release(connection))}
                    task.add_done_callback(self._releasing.discard)
                    raise
                await pool.release(connection)
                return rows
            except (asyncpg.QueryCanceledError, TimeoutError) as exc:
                raise DatabaseUnavailableError("the query took too long") from exc
            except POSTGRES_UNAVAILABLE as exc:
                if attempt == 2:
                    raise DatabaseUnavailableError(_why(exc)) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None


@dataclass
class ReplicaState:
    version: int = -1
    lag: float = 0.0
    checked_at: float = 0.0
    error: str | None = "not checked yet"


class PostgresReader(Reader):
    """asyncpg pools; the content version arrives by LISTEN/NOTIFY from the primary.

    With a replica (DATABASE_REPLICA_URL), reads go to it while it is healthy, has replayed
    the content version the primary last announced, and lags by at most `max_lag`; otherwise to
    the primary. An editor who has just written therefore reads their write (from the primary)
    until the replica has it too; a replica that stops answering is left at once. A task checks
    the replica every REPLICA_CHECK_S. PostgreSQL delivers no NOTIFY on a standby: the
    listener is always on the primary.
    """

    dialect = asyncpg_dialect.dialect()  # type: ignore[no-untyped-call]

    def __init__(
        self,
        dsn: str,
        pool_size: int,
        timeout_ms: int,
        replica_dsn: str | None = None,
        max_lag_ms: int = 0,
        cache_size: int = 512,
    ) -> None:
        super().__init__(cache_size)
        self.dsn, self.timeout = dsn, timeout_ms / 1000
        self.primary = _Pool(dsn, pool_size, self.timeout)
        self.replica = _Pool(replica_dsn, pool_size, self.timeout) if replica_dsn else None
        self.max_lag = max_lag_ms / 1000
        self.replica_state = ReplicaState()
        self._monitor: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self._version: ContentVersion | None = None
        self._tick = self._notified = 0
        # The read of the version in progress, and the number of announcements it follows.
        self._reading: tuple[int, asyncio.Future[ContentVersion]] | None = None

    def _replica_serves(self) -> bool:
        state, version = self.replica_state, self._version
        return (
            state.error is None
            and version is not None
            and state.version >= version.number
            and state.lag <= self.max_lag
            and time.monotonic() - state.checked_at < 4 * REPLICA_CHECK_S
        )

    async def fetch(
        self, statement: Statement, values: Mapping[str, Any], *, slow: bool = False
    ) -> Sequence[Row]:
        args = statement.arguments(statement.at_now(values))
        until = deadline(self.timeout)
        if self.replica is not None:
            self._watch()
            if self._replica_serves():
                try:
                    return await self.replica.fetch(statement.sql, args, until)
                except DatabaseUnavailableError as exc:
                    self.replica_state = ReplicaState(error=str(exc))  # the primary serves
        return await self.primary.fetch(statement.sql, args, until)

    async def start(self) -> None:
        """Check the replica once before the worker's first read, then every REPLICA_CHECK_S.
        (Checked only from the first read on, a worker's first reads went to the primary.)"""
        if self.replica is not None and self._monitor is None:
            received = await self._check_replica(None)
            if self._monitor is None:
                self._monitor = asyncio.get_running_loop().create_task(
                    self._watch_replica(received, checked=True)
                )

    def _watch(self) -> None:
        """The replica's checks, if nothing has started them (`start`)."""
        if self._monitor is None:
            self._monitor = asyncio.get_running_loop().create_task(self._watch_replica())

    async def _watch_replica(self, received: str | None = None, *, checked: bool = False) -> None:
        """Check the replica now, then every REPLICA_CHECK_S. `checked`: it was just checked,
        and had received `received`."""
        while True:
            if not checked:
                received = await self._check_replica(received)
            checked = False
            await asyncio.sleep(REPLICA_CHECK_S)

    async def _check_replica(self, previous: str | None) -> str | None:
        """Set `replica_state` from one check (`previous`: what the replica had received at
        the check before); what the replica has received now, None without an answer."""
        assert self.replica is not None
        try:
            [row] = await self.replica.fetch(
                REPLICA_STATE_SQL, [previous], time.monotonic() + self.timeout
            )
            self.replica_state = ReplicaState(row["version"], float(row["lag"]),
                                              time.monotonic(), None)  # fmt: skip
            return str(row["received"])
        except DatabaseUnavailableError as exc:
            self.replica_state = ReplicaState(error=str(exc))
        except Exception as exc:  # the check must go on, whatever it met: say it, go on
            if self.replica_state.error != _why(exc):  # once, not four times a second
                log.exception("checking the replica failed")
            self.replica_state = ReplicaState(error=_why(exc))
        return None

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        # Read again on next use, with the schedule (a write may have changed it).
        self._version = None
        self._notified += 1

    def _on_lost(self, _connection: Any) -> None:
        self._listener, self._version = None, None

    async def content_version(self) -> ContentVersion:
        current = clock.now()
        expired = self._version is not None and self._version.expired(current)
        if self._version is not None and not expired:
            return self._version
        # Every request that arrives after a write is announced needs the new version: one
        # read, begun after the latest announcement, answers them all. (Each used to read it
        # itself, and with the catalog and the pool that read held up, a save slowed reading.)
        reading = self._reading
        if reading is not None and reading[0] == self._notified and not reading[1].done():
            return await asyncio.shield(reading[1])
        self._tick += expired
        task = asyncio.ensure_future(self._read_version(current))
        task.add_done_callback(_retrieved)  # its error is the waiting requests' to raise
        self._reading = (self._notified, task)
        return await asyncio.shield(task)

    async def _read_version(self, current: datetime) -> ContentVersion:
        notified = self._notified
        # First use, or the listener was lost: read it, then listen for the next changes.
        until = deadline(self.timeout)
        try:
            if self._listener is None or self._listener.is_closed():
                remaining = until - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                listener = await asyncpg.connect(self.dsn, timeout=remaining)
                await listener.add_listener("content_version", self._on_notify)
                listener.add_termination_listener(self._on_lost)
                self._listener = listener
        except POSTGRES_UNAVAILABLE as exc:
            raise DatabaseUnavailableError(_why(exc)) from exc
        [row] = await self.primary.fetch(VERSION_SQL, [], until)
        [schedule] = await self.primary.fetch(POSTGRES_SCHEDULE_SQL, [current], until)
        version = scheduled(
            row["version"], _utc(row["changed_at"]), schedule, self._tick, row["catalog_version"]
        )
        if notified == self._notified:  # else a write was announced meanwhile: read again
            self._version = version
            self.hides = version.hides
        return version

    async def readiness(self) -> Readiness:
        until = deadline(self.timeout)
        [row] = await self.primary.fetch(
            "SELECT to_regclass('alembic_version') IS NOT NULL AS migrated", [], until
        )
        revision = None
        if row["migrated"]:
            rows = await self.primary.fetch("SELECT version_num FROM alembic_version", [], until)
            revision = rows[0]["version_num"] if rows else None
        if self.replica is None:
            return Readiness(revision)
        self._watch()
        await self.content_version()  # what the replica must have replayed
        state = self.replica_state
        replica: dict[str, Any] = {"serving": self._replica_serves(), "lag_s": round(state.lag, 3)}
        if state.error is not None:
            replica["detail"] = state.error
        return Readiness(revision, replica)

    async def close(self) -> None:
        if self._monitor is not None:
            self._monitor.cancel()
            self._monitor = None
        if self._listener is not None:
            await self._listener.close()
        await self.primary.close()
        if self.replica is not None:
            await self.replica.close()
        self._listener = self._version = None  # reconnected on next use


def make_reader(settings: Settings) -> Reader:
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        return SQLiteReader(
            url.database or ":memory:",
            settings.db_statement_timeout_ms,
            settings.statement_cache_size,
        )

    def dsn(of: str) -> str:
        return make_url(of).set(drivername="postgresql").render_as_string(hide_password=False)

    replica = dsn(settings.database_replica_url) if settings.database_replica_url else None
    return PostgresReader(
        dsn(settings.database_url),
        settings.db_pool_size,
        settings.db_statement_timeout_ms,
        replica,
        settings.replica_max_lag_ms,
        settings.statement_cache_size,
    )
