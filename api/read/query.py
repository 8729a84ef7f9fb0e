"""What every collection's list query shares: its source, its conditions, and their values.

A route describes its query as a `ListQuery`: a `Source` (columns and FROM clause, built once
at import) and `where_*` filters. Each filter is a `Condition`, a frozen value saying which SQL
condition it is, and the values it binds. Conditions are the statement's *shape*: the reader
compiles one statement per shape and dialect (`api/read/reader.py`) and each request binds only
its values. Because a condition builds its SQL from its own fields and nothing else, equal
conditions always mean equal SQL, and the shape can be the compiled statement's cache key.

Lists of values are bound as one parameter (`api.db.in_list`), so a shape does not depend on
how many values a request gives: `country=AL` and `country=AL,RS,ME` differ only in whether
the condition is `=` (one value, which keeps an index's order for the page) or `IN` (several).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Protocol

from sqlalchemy import ColumnElement, Float, FromClause, Table, bindparam, false, or_, select
from sqlalchemy.sql.util import find_tables

from api.db import contains_all, distance_km, in_list, published
from api.read.params import (
    DEFAULT_RADIUS_KM,
    KM_PER_DEGREE,
    DateWindowParams,
    LocationParams,
    PlaceParams,
    date_of,
    lower_instant,
    upper_instant,
)
from api.read.reader import fields_key
from api.text import search_terms, slugify

# A mapped column such as `News.published_at`. SQLModel declares table attributes with their
# Python types (`datetime`), so to the type checker a column can only be `Any`.
Column = Any
Row = Any  # a dict (SQLite) or an asyncpg.Record: values by column name


@dataclass(frozen=True)
class Condition:
    """One condition of a list query. Subclasses are frozen dataclasses whose fields say
    everything `sql` depends on, and name every parameter it binds in `binds`."""

    slow: ClassVar[bool] = False  # no index serves it (free text): run it off the event loop
    key = property(fields_key)  # in its statement's key (see `api.read.reader.Described`)

    @property
    def binds(self) -> tuple[str, ...]:
        raise NotImplementedError

    def sql(self) -> ColumnElement[bool]:
        raise NotImplementedError


@dataclass(frozen=True)
class Filter:
    """A condition and the values this request binds to it."""

    condition: Condition
    values: Mapping[str, Any]


def _one_or_many(column: Column, name: str, many: bool) -> ColumnElement[bool]:
    parameter: Any = bindparam(name)
    condition: ColumnElement[bool] = in_list(column, parameter) if many else column == parameter
    return condition


def _owners(link_owner: Column, link_other: Column, name: str, many: bool) -> Any:
    """`SELECT owner FROM link WHERE other = :name`. A link table that carries its item's
    status is read for published rows only, which its (status, other, …) index serves."""
    link = link_other.table
    conditions = [_one_or_many(link_other, name, many)]
    if "publication_status" in link.c:
        conditions.insert(0, published(link))
    return select(link_owner).where(*conditions)


@dataclass(frozen=True)
class OneOf(Condition):
    """`column` equals the value, or one of the values."""

    column: Column
    name: str
    many: bool

    @property
    def binds(self) -> tuple[str, ...]:
        return (self.name,)

    def sql(self) -> ColumnElement[bool]:
        return _one_or_many(self.column, self.name, self.many)


def where_in(column: Column, name: str, values: Sequence[Any]) -> list[Filter]:
    """`column` equals one of `values` when some are given; nothing otherwise."""
    if not values:
        return []
    many = len(values) > 1
    return [Filter(OneOf(column, name, many), {name: list(values) if many else values[0]})]


@dataclass(frozen=True)
class Linked(Condition):
    """Rows linked through a link table to the value or one of the values."""

    owner_id: Column
    link_owner: Column
    link_other: Column
    name: str
    many: bool

    @property
    def binds(self) -> tuple[str, ...]:
        return (self.name,)

    def sql(self) -> ColumnElement[bool]:
        linked = _owners(self.link_owner, self.link_other, self.name, self.many)
        condition: ColumnElement[bool] = self.owner_id.in_(linked)
        return condition


def where_linked(
    owner_id: Column, link_owner: Column, link_other: Column, name: str, ids: Sequence[int]
) -> list[Filter]:
    """Rows linked through a link table to any of `ids`."""
    if not ids:
        return []
    many = len(ids) > 1
    condition = Linked(owner_id, link_owner, link_other, name, many)
    return [Filter(condition, {name: list(ids) if many else ids[0]})]


@dataclass(frozen=True, eq=False)  # one per collection, built at import: compared by identity
class Source:
    """What a collection's lists select and from where, built once at import (building
    SQLAlchemy expressions costs more than running a query, so no request does it)."""

    name: str
    columns: tuple[Any, ...]
    from_clause: FromClause
    id: Column  # the unique tiebreaker of every order
    conditions: tuple[ColumnElement[bool], ...] = ()
    # The one table of a join that counting and paging may read alone, when nothing they use
    # needs the rest (a link table: its foreign key guarantees the row it joins to).
    narrow: Table | None = None
    # The table of `columns`, when its rows are wide: a page then finds its keys in an index
    # first and reads only its own rows of this table, not those it skips past.
    rows: Table | None = None

    def with_columns(self, *extra: Any) -> "Source":
        """The same source selecting `extra` columns too (those a format needs, say)."""
        return replace(self, columns=(*self.columns, *extra))


# Parameters the paging statements bind themselves.
RESERVED_BINDS = frozenset({"limit", "offset", "cap", "cursor_value", "cursor_id", "now"})


@dataclass(frozen=True)
class QueryShape:
    """A query's source and conditions: with the paging part, the key of its statement."""

    source: Source
    conditions: tuple[Condition, ...]

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.source, *[condition.key for condition in self.conditions])

    def clauses(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses; refuses two conditions that bind the same parameter."""
        seen: set[str] = set(RESERVED_BINDS)
        for condition in self.conditions:
            clash = seen.intersection(condition.binds)
            if clash:
                raise ValueError(f"{self.source.name}: parameter {sorted(clash)} bound twice")
            seen.update(condition.binds)
        return [*self.source.conditions, *(c.sql() for c in self.conditions)]

    def narrowest(self, elements: Iterable[ColumnElement[Any]]) -> FromClause:
        """What a query using `elements` reads: `narrow` alone when they use no other table."""
        narrow = self.source.narrow
        if narrow is None:
            return self.source.from_clause
        needed = {t for element in elements for t in find_tables(element, check_columns=True)}
        return narrow if needed <= {narrow} else self.source.from_clause


@dataclass
class ListQuery:
    """A list query: its source and this request's filters."""

    source: Source
    filters: list[Filter] = field(default_factory=list)

    def where(self, *filters: Filter | Iterable[Filter]) -> "ListQuery":
        for item in filters:
            self.filters.extend([item] if isinstance(item, Filter) else item)
        return self

    @property
    def shape(self) -> QueryShape:
        return QueryShape(self.source, tuple(f.condition for f in self.filters))

    @property
    def values(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for item in self.filters:
            merged.update(item.values)
        return merged

    @property
    def slow(self) -> bool:
        return any(f.condition.slow for f in self.filters)


# --- dates -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Span:
    """What a collection's date window compares with: local dates, UTC instants, or both.

    A point in time has the same column as start and end; a NULL end is a span still open.
    `exclusive_end`: the end instant is the first moment after the span (an event that ends
    at midnight is over at midnight), so a window starting at that instant misses it.
    """

    starts_on: Column = None
    ends_on: Column = None
    starts_at: Column = None
    ends_at: Column = None
    exclusive_end: bool = False


@dataclass(frozen=True)
class EndsAfter(Condition):
    """The span ends at or after the window's start (after it, for an exclusive end); an
    open span (NULL end) always does."""

    column: Column
    exclusive: bool

    @property
    def binds(self) -> tuple[str, ...]:
        return ("date_from",)

    def sql(self) -> ColumnElement[bool]:
        start: Any = bindparam("date_from")
        ends: ColumnElement[bool] = self.column > start if self.exclusive else self.column >= start
        return or_(self.column.is_(None), ends) if self.column.expression.nullable else ends


@dataclass(frozen=True)
class StartsFrom(Condition):
    """The span starts at or after the bound: with the longest span in the collection, it
    turns "ends after the window starts" into a bounded index range on the start column."""

    column: Column

    @property
    def binds(self) -> tuple[str, ...]:
        return ("date_from_earliest",)

    def sql(self) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = self.column >= bindparam("date_from_earliest")
        return condition


@dataclass(frozen=True)
class StartsBefore(Condition):
    """The span starts before the first instant after the window, or on or before its last
    day (`inclusive`)."""

    column: Column
    inclusive: bool

    @property
    def binds(self) -> tuple[str, ...]:
        return ("date_to",)

    def sql(self) -> ColumnElement[bool]:
        end: Any = bindparam("date_to")
        condition: ColumnElement[bool] = self.column <= end if self.inclusive else self.column < end
        return condition


def _earlier(bound: date | datetime, days: int) -> date | datetime | None:
    try:
        return bound - timedelta(days=days)
    except OverflowError:  # before the calendar begins: no bound at all
        return None


def where_window(
    params: DateWindowParams, span: Span, *, longest_days: int | None = None
) -> list[Filter]:
    """Rows whose span meets the window. Date bounds compare with dates where the collection
    has them, date-time bounds with instants where it has them (else with their UTC date).

    `longest_days`, the longest span in the collection, turns "ends after the window starts"
    into a bounded index range on the start column as well.
    """
    filters: list[Filter] = []
    lower, upper = params.date_from, params.date_to
    if lower is not None and upper is not None:
        after = upper_instant(upper)
        if after is not None and lower_instant(lower) >= after:
            return [Filter(Nothing(), {})]  # a window that ends before it starts holds nothing
    if lower is not None:
        by_instant = span.ends_at is not None and (
            isinstance(lower, datetime) or span.ends_on is None
        )
        ends = span.ends_at if by_instant else span.ends_on
        bound: date | datetime = lower_instant(lower) if by_instant else date_of(lower)
        exclusive = by_instant and span.exclusive_end
        filters.append(Filter(EndsAfter(ends, exclusive), {"date_from": bound}))
        if longest_days is not None:
            # Instants of an all-day event span its days plus a time-zone shift: pad by two.
            earliest = _earlier(bound, longest_days + (2 if by_instant else 0))
            if earliest is not None:
                starts = span.starts_at if by_instant else span.starts_on
                filters.append(Filter(StartsFrom(starts), {"date_from_earliest": earliest}))
    if upper is not None:
        if span.starts_at is not None and (isinstance(upper, datetime) or span.starts_on is None):
            first_after = upper_instant(upper)
            if first_after is not None:
                filters.append(
                    Filter(StartsBefore(span.starts_at, False), {"date_to": first_after})
                )
        else:
            before = StartsBefore(span.starts_on, inclusive=True)
            filters.append(Filter(before, {"date_to": date_of(upper)}))
    return filters


# --- places ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Place:
    """The columns one collection's place filters apply to.

    `countries`: the columns that hold a country an item belongs to (the country itself, a
    host State, a location's country); `country_link`, where the countries an item is about
    are link rows: (item id, link table's item column, link table's country column).
    """

    latitude: Column
    longitude: Column
    city_slug: Column
    region: Column
    territory_slug: Column
    countries: tuple[Column, ...] = ()
    country_link: tuple[Column, Column, Column] | None = None


@dataclass(frozen=True)
class InCountries(Condition):
    """The item belongs to, or is about, the country or one of the countries; with `region`,
    or its own location lies in the region (`name` then binds the region too)."""

    place: Place
    name: str
    many: bool
    region: bool = False

    @property
    def binds(self) -> tuple[str, ...]:
        return (self.name, f"{self.name}_region") if self.region else (self.name,)

    def sql(self) -> ColumnElement[bool]:
        place = self.place
        either = [_one_or_many(column, self.name, self.many) for column in place.countries]
        if place.country_link is not None:
            item_id, link_item, link_country = place.country_link
            either.append(item_id.in_(_owners(link_item, link_country, self.name, self.many)))
        if self.region:
            either.append(in_list(place.region, bindparam(f"{self.name}_region")))
        return either[0] if len(either) == 1 else or_(*either)


class Places(Protocol):
    """What place filters need to know about countries (the catalog of the content)."""

    def country_ids(self, values: Sequence[str], parameter: str = "country") -> list[int]: ...

    def countries_in(self, regions: Iterable[str]) -> list[int]: ...

    def city_keys(self, names: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True)
class InBox(Condition):
    latitude: Column
    longitude: Column
    crosses: bool  # the box crosses the antimeridian

    @property
    def binds(self) -> tuple[str, ...]:
        return ("bbox_s", "bbox_n", "bbox_w", "bbox_e")

    def sql(self) -> ColumnElement[bool]:
        latitudes: ColumnElement[bool] = self.latitude.between(
            bindparam("bbox_s"), bindparam("bbox_n")
        )
        west, east = bindparam("bbox_w", type_=Float()), bindparam("bbox_e", type_=Float())
        longitudes: ColumnElement[bool] = (
            or_(self.longitude >= west, self.longitude <= east)
            if self.crosses
            else self.longitude.between(west, east)
        )
        return latitudes & longitudes


@dataclass(frozen=True)
class Near(Condition):
    latitude: Column
    longitude: Column

    @property
    def binds(self) -> tuple[str, ...]:
        return ("near_lat", "near_lon", "near_km", "near_s", "near_n")

    def sql(self) -> ColumnElement[bool]:
        # A latitude band first (it can use an index), then the great-circle distance.
        near = (bindparam("near_lat", type_=Float()), bindparam("near_lon", type_=Float()))
        distance = distance_km(*near, self.latitude, self.longitude)
        band: ColumnElement[bool] = self.latitude.between(bindparam("near_s"), bindparam("near_n"))
        return band & (distance <= bindparam("near_km"))


def where_place(
    params: PlaceParams, place: Place, places: Places, *, country: bool = True
) -> list[Filter]:
    """`country` (unless the route reads it its own way), `region`, `city`, `territory`,
    `near` and `bbox`.

    A region is a set of countries: an item is in it when it belongs to (or is about) one of
    its countries, or when its own location lies in it (a territory with no country).
    """
    filters: list[Filter] = []
    if params.country and country:
        ids = places.country_ids(params.country)
        many = len(ids) > 1
        filters.append(
            Filter(InCountries(place, "country", many), {"country": ids if many else ids[0]})
        )
    if params.region:
        regions = [r.value for r in params.region]
        ids = places.countries_in(regions)
        values = {"region": ids, "region_region": regions}
        filters.append(Filter(InCountries(place, "region", True, region=True), values))
    filters += where_in(place.city_slug, "city", places.city_keys(params.city))
    if isinstance(params, LocationParams):
        territories = [slugify(t) for t in params.territory]
        filters += where_in(place.territory_slug, "territory", territories)
    if params.bbox is not None and params.bbox.min_lat > params.bbox.max_lat:
        filters.append(Filter(Nothing(), {}))  # an empty box
    elif params.bbox is not None:
        box = params.bbox
        values = {"bbox_s": box.min_lat, "bbox_n": box.max_lat}
        values |= {"bbox_w": box.min_lon, "bbox_e": box.max_lon}
        crosses = box.min_lon > box.max_lon
        filters.append(Filter(InBox(place.latitude, place.longitude, crosses), values))
    if params.near is not None:
        lat, lon = params.near.latitude, params.near.longitude
        radius = params.radius_km or DEFAULT_RADIUS_KM
        band = radius / KM_PER_DEGREE
        values = {"near_lat": lat, "near_lon": lon, "near_km": radius}
        values |= {"near_s": lat - band, "near_n": lat + band}
        filters.append(Filter(Near(place.latitude, place.longitude), values))
    return filters


# --- text --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContainsWords(Condition):
    """Every term at the start of a word of the pre-folded, space-padded search text.

    Terms hold only [a-z0-9 ], so they need no escaping; all of them are one parameter. No
    index serves this (ranked full-text search is a later issue): it runs off the event loop.
    """

    slow: ClassVar[bool] = True
    column: Column

    @property
    def binds(self) -> tuple[str, ...]:
        return ("q",)

    def sql(self) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = contains_all(self.column, bindparam("q"))
        return condition


@dataclass(frozen=True)
class Nothing(Condition):
    """Matches no row: a search with nothing to search for finds nothing."""

    @property
    def binds(self) -> tuple[str, ...]:
        return ()

    def sql(self) -> ColumnElement[bool]:
        return false()


def where_text(search_column: Column, q: str | None) -> list[Filter]:
    if q is None or not q.strip():
        return []
    terms = search_terms(q)
    if not terms:
        return [Filter(Nothing(), {})]
    return [Filter(ContainsWords(search_column), {"q": [f" {term}" for term in terms]})]


# --- row values --------------------------------------------------------------------------------


def instant(value: datetime | str | None) -> datetime | str | None:
    """An instant as RFC 3339 UTC; SQLite hands back its stored text, PostgreSQL a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    whole, _, fraction = value.partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole[:10]}T{whole[11:19]}{'.' + fraction if fraction else ''}Z"


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
