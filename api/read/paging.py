"""Pages of a list query: keyset cursors, capped totals, the envelope, and the `Link` header.

Pages are read by keyset: a cursor holds the sort value and id of the row a page ends on, and
the next page is the index range after it, so a page 50,000 rows deep costs what the first
does. `offset` still works for shallow jumps, up to a cap. Cursors are opaque, signed with
`CURSOR_SECRET` and bound to the query's filters and sort, so a cursor that was corrupted, forged
or carried over to another query is a 422, never a wrong page.
"""

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson
from fastapi import Request
from sqlalchemy import Select, bindparam, func, literal, select, tuple_
from starlette.responses import Response

from api.http.problems import ProblemError, invalid_parameter
from api.read.params import ListParams
from api.read.query import Column, ListQuery, Row
from api.read.reader import Reader

PAGING_PARAMETERS = {"limit", "offset", "cursor", "fields"}


@dataclass(frozen=True)
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
class Cursor:
    sort: str
    backwards: bool
    value: Any
    id: int


@dataclass
class Page:
    rows: Sequence[Row]
    total: int
    total_exact: bool
    offset: int | None
    next: str | None
    prev: str | None


# A request asks for its sorted parameters and its fingerprint several times (links, cursors):
# each is worked out once.
@lru_cache(maxsize=256)
def _sorted_parts(query: bytes) -> tuple[str, ...]:
    return tuple(sorted(part for part in query.decode("latin-1").split("&") if part))


def _query_parts(request: Request) -> tuple[str, ...]:
    """The raw `name=value` parts of the query string, as the client encoded them, sorted."""
    return _sorted_parts(request.scope["query_string"])


@lru_cache(maxsize=256)
def _fingerprint_of(path: str, query: bytes) -> str:
    parts = [p for p in _sorted_parts(query) if p.partition("=")[0] not in PAGING_PARAMETERS]
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
            raise invalid_parameter("cursor", "not a cursor of this API") from None
        if not valid:
            raise invalid_parameter("cursor", "not a cursor of this API")
        if fingerprint != _fingerprint(request) or cursor_sort != sort:
            raise invalid_parameter(
                "cursor", "this cursor belongs to another query; keep the filters and sort"
            )
        try:
            typed = None if value is None else _typed_value(value, kinds[sort.lstrip("-")])
            if not isinstance(row_id, int) or isinstance(row_id, bool):
                raise TypeError("the row id of a cursor is an integer")
        except (ValueError, KeyError, TypeError):
            raise invalid_parameter("cursor", "not a cursor of this API") from None
        return Cursor(cursor_sort, bool(backwards), typed, row_id)


async def paginate(
    request: Request,
    reader: Reader,
    query: ListQuery,
    params: ListParams,
    sorts: Mapping[str, SortKey],
) -> Page:
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
    reverse = descending != backwards  # a backwards page is read in the opposite order

    def build_page() -> Any:
        expression, source, clauses = key.expression(), query.source, query.clauses()
        total = _capped_count(query).scalar_subquery().label("_total")
        if cursor is not None:
            position = tuple_(bindparam("cursor_value"), bindparam("cursor_id"))
            here = tuple_(expression, source.id)
            clauses.append(here < position if reverse else here > position)
        order = [expression.desc(), source.id.desc()] if reverse else [expression, source.id]
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
        narrowest = query.narrowest([*clauses, expression, source.id])
        page = window(select(*keys).select_from(narrowest)).subquery("page")
        _sort, _id = page.c._sort, page.c._id
        return (
            select(*source.columns, _sort, _id, total)
            .select_from(page.join(source.rows, source.rows.c.id == _id))
            .order_by(*([_sort.desc(), _id.desc()] if reverse else [_sort, _id]))
        )

    cap: int = request.app.state.settings.count_cap
    page_key = (*query.key, "page", sort, cursor is not None, backwards)
    values = query.values | {"limit": params.limit + 1, "offset": params.offset, "cap": cap + 1}
    if cursor is not None:
        values |= {"cursor_value": cursor.value, "cursor_id": cursor.id}
    rows = list(await reader.fetch(reader.statement(page_key, build_page), values, slow=query.slow))
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    if backwards:
        rows.reverse()

    if rows:
        counted = rows[0]["_total"]
    elif cursor is None and params.offset == 0:
        counted = 0
    else:  # past the end: no row carried the total
        statement = reader.statement((*query.key, "count"), lambda: _capped_count(query))
        counted = (await reader.fetch(statement, values, slow=query.slow))[0]["_total"]
    total, exact = (cap, False) if counted > cap else (int(counted), True)

    # A backwards page always has the page it was reached from after it.
    has_next = more or backwards
    has_prev = (more if backwards else cursor is not None) or params.offset > 0
    next_token = prev_token = None
    if rows and has_next:
        next_token = cursors.encode(request, sort, False, rows[-1])
    if rows and has_prev:
        prev_token = cursors.encode(request, sort, True, rows[0])
    offset = None if cursor is not None else params.offset
    return Page(rows, total, exact, offset, next_token, prev_token)


def _capped_count(query: ListQuery) -> Any:
    """`SELECT count(*)` of the rows matching `query`, counting at most `cap` of them."""
    clauses = query.clauses()
    capped = (
        select(literal(1))
        .select_from(query.narrowest(clauses))
        .where(*clauses)
        .limit(bindparam("cap"))
        .subquery()
    )
    # Never correlated with the page it stands beside, even where both read the same table.
    return select(func.count().label("_total")).select_from(capped).correlate(None)


async def fetch_one(reader: Reader, query: ListQuery, what: str, slug: str) -> Row:
    """The single row of an item query, or a 404 problem."""

    def build() -> Any:
        source = query.source
        return (
            select(*source.columns).select_from(source.from_clause).where(*query.clauses()).limit(1)
        )

    rows = await reader.fetch(reader.statement((*query.key, "item"), build), query.values)
    if not rows:
        raise ProblemError(404, "not-found", f"No {what} with slug {slug!r}.")
    return rows[0]


# --- responses ---------------------------------------------------------------------------------


def json_response(
    content: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    return Response(body, status, dict(headers or {}), media_type="application/json")


def select_fields(item: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in fields} if fields else item


def canonical_url(request: Request, cursor: str | None = None) -> str:
    """The request's URL with its parameters in a stable order (the HTTP cache keys on that
    order too, so equivalent requests share one cached body); with `cursor`, the URL of the
    page it points to."""
    parts = list(_query_parts(request))
    if cursor is not None:
        parts = [p for p in parts if p.partition("=")[0] not in ("offset", "cursor")]
        parts.append(f"cursor={cursor}")
    scope = request.scope
    host = request.headers.get("host") or "{}:{}".format(*scope["server"])
    base = f"{scope['scheme']}://{host}{scope.get('root_path', '')}{scope['path']}"
    return f"{base}?{'&'.join(parts)}" if parts else base


def collection_response(
    request: Request, items: list[dict[str, Any]], page: Page, params: ListParams
) -> Response:
    """The collection envelope, with `links` mirrored in an RFC 8288 `Link` header."""
    fields: Sequence[str] = getattr(params, "fields", ())
    links = {
        "self": canonical_url(request),
        "next": canonical_url(request, page.next) if page.next else None,
        "prev": canonical_url(request, page.prev) if page.prev else None,
    }
    body = {
        "data": [select_fields(item, fields) for item in items],
        "meta": {
            "total": page.total,
            "total_exact": page.total_exact,
            "limit": params.limit,
            "offset": page.offset,
        },
        "links": links,
    }
    link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    return json_response(body, headers={"Link": link_header})


def item_response(item: dict[str, Any], fields: Sequence[str] = ()) -> Response:
    return json_response({"data": select_fields(item, fields)})
