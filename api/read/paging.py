"""Pages of a list query: keyset cursors, capped totals, and the statements that read them.

Pages are read by keyset: a cursor holds the sort value and id of the row a page ends on, and
the next page is the index range after it, so a page 50,000 rows deep costs what the first
does. `offset` works for shallow jumps, up to a cap, and with a cursor skips that many rows
after the cursor's position. Cursors are opaque, signed with `CURSOR_SECRET` and bound to the
query's filters and sort, so a cursor that was corrupted, forged or carried over to another
query is refused (404: it names no page of this query), never a wrong page.

Each statement is described by a frozen value (`Page`, `Count`, `Item`) holding everything
its SQL depends on: the value is the key the reader compiles it under, and its `build` uses
nothing else, so two requests share a statement exactly when their SQL is the same.
"""

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson
from fastapi import Request
from sqlalchemy import Select, bindparam, func, literal, select, tuple_

from api.http.problems import ProblemError, unknown_reference
from api.read.params import ListParams
from api.read.query import Column, Filter, ListQuery, OneOf, QueryShape, Row, Source
from api.read.reader import Reader

PAGING_PARAMETERS = {"limit", "offset", "cursor", "fields"}


@dataclass(frozen=True, eq=False)  # one per sort a collection offers: compared by identity
class SortKey:
    """A sort a collection offers: its column, the kind of its values, and where NULLs go.

    `nulls` is a value past every real one: NULLs sort after all values ascending and before
    them descending, identically on SQLite and PostgreSQL.
    """

    column: Column
    kind: str  # "text", "int", "date" or "instant"
    nulls: Any = None

    def expression(self) -> Any:
        return (
            self.column if self.nulls is None else func.coalesce(self.column, literal(self.nulls))
        )


@dataclass(frozen=True)
class Page:
    """The statement of one page: `limit + 1` rows from `offset` on, in `order` (`reverse`:
    descending), after the cursor's position when `after_cursor`, each row with the capped
    total of the query beside it."""

    query: QueryShape
    order: SortKey
    reverse: bool
    after_cursor: bool

    @property
    def key(self) -> tuple[Any, ...]:
        return (Page, self.query.key, self.order, self.reverse, self.after_cursor)

    def build(self) -> Select[Any]:
        source, expression = self.query.source, self.order.expression()
        clauses = self.query.clauses()
        total = Count(self.query).build().scalar_subquery().label("_total")
        if self.after_cursor:
            position = tuple_(bindparam("cursor_value"), bindparam("cursor_id"))
            here = tuple_(expression, source.id)
            clauses.append(here < position if self.reverse else here > position)
        order = [expression.desc(), source.id.desc()] if self.reverse else [expression, source.id]
        keys = (expression.label("_sort"), source.id.label("_id"))

        def window(statement: Select[Any]) -> Select[Any]:
            return (
                statement.where(*clauses)
                .order_by(*order)
                .limit(bindparam("limit"))
                .offset(bindparam("offset"))
            )

        if source.rows is None:
            return window(select(*source.columns, *keys, total).select_from(source.from_clause))
        # The page's keys from the index alone, then the wide rows of just those keys.
        narrowest = self.query.narrowest([*clauses, expression, source.id])
        page = window(select(*keys).select_from(narrowest)).subquery("page")
        _sort, _id = page.c._sort, page.c._id
        return (
            select(*source.columns, _sort, _id, total)
            .select_from(page.join(source.rows, source.rows.c.id == _id))
            .order_by(*([_sort.desc(), _id.desc()] if self.reverse else [_sort, _id]))
        )


@dataclass(frozen=True)
class Count:
    """`SELECT count(*)` of the rows of a query, counting at most `cap` of them."""

    query: QueryShape

    @property
    def key(self) -> tuple[Any, ...]:
        return (Count, self.query.key)

    def build(self) -> Select[Any]:
        clauses = self.query.clauses()
        capped = (
            select(literal(1))
            .select_from(self.query.narrowest(clauses))
            .where(*clauses)
            .limit(bindparam("cap"))
            .subquery()
        )
        # Never correlated with the page it stands beside, even where both read the same table.
        return select(func.count().label("_total")).select_from(capped).correlate(None)


@dataclass(frozen=True)
class Item:
    """The one row of an item query."""

    query: QueryShape

    @property
    def key(self) -> tuple[Any, ...]:
        return (Item, self.query.key)

    def build(self) -> Select[Any]:
        source = self.query.source
        clauses = self.query.clauses()
        return select(*source.columns).select_from(source.from_clause).where(*clauses).limit(1)


@dataclass(frozen=True)
class Cursor:
    sort: str
    backwards: bool
    value: Any
    id: int


@dataclass
class Pagination:
    """A page that was read: its rows, the capped total, and where the neighbours are."""

    rows: list[Row]
    total: int
    total_exact: bool
    offset: int | None
    next: str | None  # a cursor
    prev: str | None  # a cursor
    prev_offset: int | None = None  # past the end of an offset page: the last page's offset


# A request asks for its sorted parameters and its fingerprint several times (links, cursors):
# each is worked out once.
@lru_cache(maxsize=256)
def sorted_parts(query: bytes) -> tuple[str, ...]:
    """The raw `name=value` parts of a query string, as the client encoded them, sorted."""
    return tuple(sorted(part for part in query.decode("latin-1").split("&") if part))


@lru_cache(maxsize=256)
def _fingerprint_of(path: str, query: bytes) -> str:
    parts = [p for p in sorted_parts(query) if p.partition("=")[0] not in PAGING_PARAMETERS]
    return hashlib.blake2b("\n".join([path, *parts]).encode(), digest_size=8).hexdigest()


def _fingerprint(request: Request) -> str:
    """What a cursor is bound to: every parameter but the paging ones, in a stable order."""
    return _fingerprint_of(request.scope["path"], request.scope["query_string"])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _typed_value(value: Any, kind: str) -> Any:
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "instant":
        parsed = datetime.fromisoformat(value)  # SQLite's stored text is UTC without a zone
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if kind == "int":
        return int(value)
    return str(value)


def unusable_cursor(detail: str) -> ProblemError:
    """A cursor names a position in one query's pages; one that does not is no page at all."""
    return unknown_reference("cursor", f"{detail}; start again from the first page")


class Cursors:
    """Signs and checks cursors with the deployment's secret."""

    def __init__(self, secret: str) -> None:
        self.key = hashlib.blake2b(secret.encode(), digest_size=32).digest()

    def _mac(self, payload: bytes) -> bytes:
        # Keyed BLAKE2 is a MAC in its own right (RFC 7693), cheaper than HMAC around it.
        return hashlib.blake2b(payload, key=self.key, digest_size=12).digest()

    def encode(self, request: Request, sort: str, backwards: bool, row: Row) -> str:
        payload = orjson.dumps(
            [sort, int(backwards), _json_value(row["_sort"]), row["_id"], _fingerprint(request)]
        )
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def decode(self, request: Request, token: str, sort: str, kinds: Mapping[str, str]) -> Cursor:
        try:
            payload_text, mac_text = token.split(".")
            payload = _unb64(payload_text)
            valid = hmac.compare_digest(self._mac(payload), _unb64(mac_text))
            cursor_sort, backwards, value, row_id, fingerprint = orjson.loads(payload)
        except (ValueError, TypeError, orjson.JSONDecodeError):
            raise unusable_cursor("not a cursor of this API") from None
        if not valid:
            raise unusable_cursor("not a cursor of this API")
        if fingerprint != _fingerprint(request) or cursor_sort != sort:
            raise unusable_cursor(
                "this cursor belongs to another query (keep its filters and sort)"
            )
        try:
            typed = None if value is None else _typed_value(value, kinds[sort.lstrip("-")])
            if not isinstance(row_id, int) or isinstance(row_id, bool):
                raise TypeError("the row id of a cursor is an integer")
        except (ValueError, KeyError, TypeError):
            raise unusable_cursor("not a cursor of this API") from None
        return Cursor(cursor_sort, bool(backwards), typed, row_id)


async def paginate(
    request: Request,
    reader: Reader,
    query: ListQuery,
    params: ListParams,
    sorts: Mapping[str, SortKey],
) -> Pagination:
    """One page of `query` in the order `params.sort` names, with a capped total.

    The page and its total are one statement (the total a scalar subquery beside the rows):
    one round trip to PostgreSQL instead of two.
    """
    sort: str = getattr(params, "sort")  # noqa: B009 - every list model declares its sorts
    key, descending = sorts[sort.lstrip("-")], sort.startswith("-")
    cursors: Cursors = request.app.state.cursors
    kinds = {name: s.kind for name, s in sorts.items()}
    cursor = cursors.decode(request, params.cursor, sort, kinds) if params.cursor else None
    backwards = cursor is not None and cursor.backwards
    # A backwards page is read in the opposite order.
    shape, slow = query.shape, query.slow
    page = Page(shape, key, descending != backwards, cursor is not None)
    cap: int = request.app.state.settings.count_cap
    values = query.values | {"limit": params.limit + 1, "offset": params.offset, "cap": cap + 1}
    if cursor is not None:
        values |= {"cursor_value": cursor.value, "cursor_id": cursor.id}
    rows = list(await reader.fetch(reader.statement(page), values, slow=slow))
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    if backwards:
        rows.reverse()

    if rows:
        counted = rows[0]["_total"]
    elif cursor is None and params.offset == 0:
        counted = 0
    else:  # past the end: no row carried the total
        counted = (await reader.fetch(reader.statement(Count(shape)), values, slow=slow))[0][
            "_total"
        ]
    total, exact = (cap, False) if counted > cap else (int(counted), True)

    # A backwards page always has the page it was reached from after it.
    has_next = more or backwards
    has_prev = (more if backwards else cursor is not None) or params.offset > 0
    next_token = prev_token = None
    if rows and has_next:
        next_token = cursors.encode(request, sort, False, rows[-1])
    if rows and has_prev:
        prev_token = cursors.encode(request, sort, True, rows[0])
    prev_offset = None
    if not rows and cursor is None and params.offset > 0:
        # Past the end of an offset page: the previous page is the last one with items.
        last = max(0, total - params.limit) if exact else params.offset - params.limit
        prev_offset = max(0, min(params.offset - params.limit, last))
    offset = None if cursor is not None else params.offset
    return Pagination(rows, total, exact, offset, next_token, prev_token, prev_offset)


@dataclass(frozen=True, eq=False)
class ItemBy:
    """The item of `source` whose `column` (its slug; a country's id) has a value, or the
    source's one row when `column` is None (the site). Described once per route, at import,
    as the statement's cache key too: a request binds the value alone. Building the query, its
    shape, its key and its values on each request was a tenth of a cold item's Python."""

    source: Source
    column: Column | None
    what: str  # the item as a 404 names it: "news item"
    key: tuple[Any, ...] = field(init=False)  # `Described.key`: this description itself

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (ItemBy, self))

    def build(self) -> Select[Any]:
        query = ListQuery(self.source)
        if self.column is not None:
            query = query.where([Filter(OneOf(self.column, "value", False), {})])
        return Item(query.shape).build()

    async def fetch(self, reader: Reader, value: Any, named: str) -> Row:
        """The row, or a 404 problem that names the item as the request did (`named`)."""
        rows = await reader.fetch(reader.statement(self), {"value": value})
        if not rows:
            raise ProblemError(404, "not-found", f"No {self.what} with slug {named!r}.")
        return rows[0]
