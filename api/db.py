"""Engine, session dependency, constraint naming, and the few SQL pieces that differ by dialect."""

import math
import sqlite3
from typing import Any

from sqlalchemy import (
    Engine,
    MetaData,
    Table,
    and_,
    bindparam,
    create_engine,
    event,
    exists,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import Boolean, Float, Integer, String
from sqlmodel import SQLModel

from api.config import Settings
from api.content.base import ContentVersion, PublicationStatus, UTCDateTime
from api.editor.models import EditorItem

# Deterministic constraint names, so Alembic migrations can name what they alter or drop.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata
EDITOR_ITEM: Table = EditorItem.__table__  # type: ignore[attr-defined]
CONTENT_VERSION: Table = ContentVersion.__table__  # type: ignore[attr-defined]

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float | None:
    """Great-circle distance in kilometres; None when a coordinate is missing."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class distance_km(FunctionElement[float]):  # noqa: N801 - reads as the SQL function it is
    """`distance_km(lat1, lon1, lat2, lon2)`: the same haversine on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(distance_km, "sqlite")
def _distance_km_sqlite(element: distance_km, compiler: SQLCompiler, **kw: Any) -> str:
    return f"haversine_km({compiler.process(element.clauses, **kw)})"


@compiles(distance_km, "postgresql")
def _distance_km_postgresql(element: distance_km, compiler: SQLCompiler, **kw: Any) -> str:
    lat1, lon1, lat2, lon2 = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt("
        f"power(sin(radians({lat2} - {lat1}) / 2), 2) + cos(radians({lat1})) * "
        f"cos(radians({lat2})) * power(sin(radians({lon2} - {lon1}) / 2), 2)))))"
    )


def _prepare_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (savepoints need it).
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = ON")
    dbapi_connection.execute("PRAGMA journal_mode = WAL")
    dbapi_connection.execute("PRAGMA busy_timeout = 5000")
    dbapi_connection.create_function("haversine_km", 4, haversine_km, deterministic=True)


def make_engine(settings: Settings, *, immediate: bool = False) -> Engine:
    """`immediate`: on SQLite, each transaction takes the write lock when it begins (the
    editor's writes: a transaction that read first could not write after another's commit)."""
    if settings.is_sqlite:
        # No folder is created here: `serve` must not make an empty database where the
        # configuration names a missing one (`migrate` creates it, api/cli.py).
        engine = create_engine(settings.database_url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _prepare_sqlite_connection)
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql(begin))
        return engine
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_pre_ping=True,
        connect_args={"options": "-c timezone=UTC"},
    )


def table(model: Any) -> Table:
    """The table of a table model (SQLModel does not declare `__table__` for type checkers)."""
    found: Table = model.__table__
    return found


# The content tables an editor schedules (`editor_item.kind`), and the link tables that carry
# their item's status, by the column naming their item.
SCHEDULED_KINDS = frozenset(
    {"news", "event", "field_operation", "country", "topic", "institution", "menu"}
)
NOW = "now"  # the bind the readers fill with `api.clock.now()` (see `api.read.reader`)


def _scheduled_owner(columns: Any) -> tuple[str, Any] | None:
    """The kind and item id column of a content or link table the editor schedules."""
    found: Table = columns.__table__ if hasattr(columns, "__table__") else columns
    if found.name in SCHEDULED_KINDS:
        return found.name, found.c.id
    for column in found.c:
        for key in column.foreign_keys:
            kind = key.column.table.name
            if key.ondelete == "CASCADE" and kind in SCHEDULED_KINDS:
                return kind, column
    return None


def published(model: Any) -> ColumnElement[bool]:
    """The one place the public read path hides drafts, and items whose `publish_at` is ahead
    or whose `unpublish_at` has passed, by the `now` the statement is run with.

    While the schedule hides something, an anti-join against `editor_item`'s two (kind,
    instant) indexes; otherwise only a constant guard (see `Visible`).
    """
    columns = model.c if isinstance(model, Table) else model
    condition: ColumnElement[bool] = columns.publication_status == PublicationStatus.published
    owner = _scheduled_owner(model)
    if owner is None:
        return Visible(condition, true())
    kind, item_id = owner
    now: Any = bindparam(NOW, type_=UTCDateTime())
    hidden = union_all(
        select(EDITOR_ITEM.c.item_id).where(
            EDITOR_ITEM.c.kind == kind, EDITOR_ITEM.c.publish_at > now
        ),
        select(EDITOR_ITEM.c.item_id).where(
            EDITOR_ITEM.c.kind == kind, EDITOR_ITEM.c.unpublish_at <= now
        ),
    )
    trashed = select(EDITOR_ITEM.c.item_id).where(
        EDITOR_ITEM.c.kind == kind, EDITOR_ITEM.c.trashed_at.is_not(None)
    )
    # Whether the schedule hides anything at all: one read of the one version row, a constant
    # of the statement. Almost always it does not, and the reader runs statements compiled
    # without the anti-join (`hides=False`), which this guard keeps exact: should the schedule
    # begin to hide something before the reader has seen the version that says so, the plain
    # statement answers nothing rather than an item that must not be seen yet.
    version = CONTENT_VERSION.c
    hiding = exists(
        select(version.id).where(
            version.id == 1,
            or_(version.publish_until > now, version.unpublish_from <= now),
        )
    )
    # SQLite never takes a subquery for a constant term (one tested before the loop): as a term
    # of its own, `NOT EXISTS` is entered and tested for every row the statement reads (four
    # opcodes; 5 µs of a count's 45 over a thousand index entries). As the value the status
    # must equal, it is computed once and, where the status leads an index, is the seek key.
    # PostgreSQL makes either form a one-time filter; there the plain value keeps the planner's
    # estimates.
    status = literal(PublicationStatus.published, columns.publication_status.type)
    once = columns.publication_status == select(status).where(~hiding).scalar_subquery()
    return Visible(
        and_(condition, ~hiding),
        item_id.not_in(trashed),
        and_(condition, item_id.not_in(hidden)),
        sqlite=once,
    )


class Visible(ColumnElement[bool]):
    """What the public sees. The readers compile it one of three ways: `public` while the
    schedule hides nothing (the version row says so), `scheduled` (with the anti-join) while
    it does, and `preview` (`compile_kwargs={"preview": True}`, see
    `api.read.reader.PreviewReader`): drafts and scheduled items too, everything but the trash.
    """

    type = Boolean()
    inherit_cache = False  # the readers compile each statement once themselves
    _is_implicitly_boolean = True

    def __init__(
        self,
        public: ColumnElement[bool],
        preview: ColumnElement[bool],
        scheduled: ColumnElement[bool] | None = None,
        *,
        sqlite: ColumnElement[bool] | None = None,  # `public` as SQLite runs it best
    ) -> None:
        self.public, self.preview = public, preview
        self.scheduled = public if scheduled is None else scheduled
        self.sqlite = public if sqlite is None else sqlite


@compiles(Visible)
def _visible(element: Visible, compiler: SQLCompiler, **kw: Any) -> str:
    chosen = element.public
    if kw.get("preview"):
        chosen = element.preview
    elif kw.get("hides"):
        chosen = element.scheduled
    elif compiler.dialect.name == "sqlite":
        chosen = element.sqlite
    return str(compiler.process(chosen, **kw))


class group_ids(FunctionElement[str]):  # noqa: N801 - reads as the SQL aggregate it is
    """Comma-separated ids of a group: `group_concat` on SQLite, `string_agg` on PostgreSQL."""

    type = String()
    inherit_cache = True


@compiles(group_ids, "sqlite")
def _group_ids_sqlite(element: group_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)})"


@compiles(group_ids, "postgresql")
def _group_ids_postgresql(element: group_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


class days_between(FunctionElement[int]):  # noqa: N801
    """Whole days from the first date to the second."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"({end} - {start})"


class in_list(FunctionElement[bool]):  # noqa: N801 - reads as the SQL condition it is
    """`column IN (the list)`, the list bound as one parameter, so that its length is not part
    of the statement: `json_each` of a JSON array on SQLite, `= ANY` of an array on
    PostgreSQL. The readers convert a Python list to what their driver takes."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition in itself: no "= 1" on SQLite


@compiles(in_list, "sqlite")
def _in_list_sqlite(element: in_list, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} IN (SELECT value FROM json_each({values}))"


@compiles(in_list, "postgresql")
def _in_list_postgresql(element: in_list, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} = ANY({values})"


class contains_all(FunctionElement[bool]):  # noqa: N801
    """True when the text contains every string of the list (bound as one parameter)."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition in itself: no "= 1" on SQLite


@compiles(contains_all, "sqlite")
def _contains_all_sqlite(element: contains_all, compiler: SQLCompiler, **kw: Any) -> str:
    text, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"NOT EXISTS (SELECT 1 FROM json_each({values}) WHERE instr({text}, value) = 0)"


@compiles(contains_all, "postgresql")
def _contains_all_postgresql(element: contains_all, compiler: SQLCompiler, **kw: Any) -> str:
    text, values = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"NOT EXISTS (SELECT 1 FROM unnest(CAST({values} AS TEXT[])) AS term"
        f" WHERE strpos({text}, term) = 0)"
    )
