"""What every collection's list query shares: filters, the query shape, sort keys, row values.

A route describes its query as a `ListQuery`: the columns, the FROM clause, and `where_*`
filters. Each filter knows its *shape* (which condition, how many values), its values, and how
to build its SQLAlchemy condition with named bind parameters. The reader compiles one statement
per shape and dialect (`api/reader.py`); a request only computes values.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, FromClause, Table, bindparam, or_, select
from sqlalchemy.sql.util import find_tables

from api.content.catalog import Catalog
from api.db import distance_km
from api.read.params import (
    DEFAULT_RADIUS_KM,
    KM_PER_DEGREE,
    DateWindowParams,
    PlaceParams,
    date_of,
    lower_instant,
    upper_instant,
)
from api.text import search_terms, slugify

# A mapped column such as `News.published_at`. SQLModel declares table attributes with their
# Python types (`datetime`), so to the type checker a column can only be `Any`.
Column = Any
Row = Any  # sqlite3.Row or asyncpg.Record: by column name or by position


@dataclass(frozen=True)
class Filter:
    """One condition of a list query: its shape, its values, and how to build it.

    `build` uses `bindparam(name)` for every value, so the compiled statement serves every
    request of the same shape. `slow` marks a condition no index serves (free text).
    """

    key: Hashable
    values: Mapping[str, Any]
    build: Callable[[], ColumnElement[bool]]
    slow: bool = False


def binds(name: str, count: int) -> list[Any]:
    return [bindparam(f"{name}_{i}") for i in range(count)]


def in_values(name: str, values: Sequence[Any]) -> dict[str, Any]:
    return {f"{name}_{i}": v for i, v in enumerate(values)}


def where_in(column: Column, name: str, values: Sequence[Any]) -> list[Filter]:
    """`column IN (values)` when values are given; nothing otherwise."""
    if not values:
        return []
    count = len(values)
    return [Filter((name, count), in_values(name, values), lambda: column.in_(binds(name, count)))]


@dataclass(frozen=True)
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
    def key(self) -> tuple[Hashable, ...]:
        return (self.source.name, *(f.key for f in self.filters))

    @property
    def values(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for item in self.filters:
            merged.update(item.values)
        return merged

    @property
    def slow(self) -> bool:
        return any(f.slow for f in self.filters)

    def clauses(self) -> list[ColumnElement[bool]]:
        return [*self.source.conditions, *(f.build() for f in self.filters)]

    def narrowest(self, elements: Iterable[ColumnElement[Any]]) -> FromClause:
        """What a query using `elements` reads: `narrow` alone when they use no other table."""
        narrow = self.source.narrow
        if narrow is None:
            return self.source.from_clause
        needed = {t for element in elements for t in find_tables(element, check_columns=True)}
        return narrow if needed <= {narrow} else self.source.from_clause


# --- dates -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """What a collection's date window compares with: local dates, UTC instants, or both.

    A point in time has the same column as start and end; a NULL end is a span still open.
    """

    starts_on: Column = None
    ends_on: Column = None
    starts_at: Column = None
    ends_at: Column = None


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
    if lower is not None:
        by_instant = span.ends_at is not None and (
            isinstance(lower, datetime) or span.ends_on is None
        )
        ends = span.ends_at if by_instant else span.ends_on
        bound: date | datetime = lower_instant(lower) if by_instant else date_of(lower)

        def after_start() -> ColumnElement[bool]:
            condition: ColumnElement[bool] = ends >= bindparam("date_from")
            return or_(ends.is_(None), condition) if ends.expression.nullable else condition

        filters.append(Filter(("from", by_instant), {"date_from": bound}, after_start))
        if longest_days is not None:
            starts = span.starts_at if by_instant else span.starts_on
            # Instants of an all-day event span its days plus a time-zone shift: pad by two.
            earliest = bound - timedelta(days=longest_days + (2 if by_instant else 0))
            filters.append(
                Filter(
                    ("from.earliest", by_instant),
                    {"date_from_earliest": earliest},
                    lambda: starts >= bindparam("date_from_earliest"),
                )
            )
    if upper is not None:
        if span.starts_at is not None and (isinstance(upper, datetime) or span.starts_on is None):
            first_after = upper_instant(upper)
            if first_after is not None:
                starts_at = span.starts_at
                filters.append(
                    Filter(
                        ("to", True),
                        {"date_to": first_after},
                        lambda: starts_at < bindparam("date_to"),
                    )
                )
        else:
            starts_on = span.starts_on
            filters.append(
                Filter(
                    ("to", False),
                    {"date_to": date_of(upper)},
                    lambda: starts_on <= bindparam("date_to"),
                )
            )
    return filters


# --- places ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """The columns one collection's place filters apply to."""

    latitude: Column
    longitude: Column
    city_slug: Column
    region: Column
    # None where the collection applies `country` itself (news reads it through a link table).
    in_countries: Callable[[list[Any]], ColumnElement[bool]] | None


def where_place(params: PlaceParams, place: Place, catalog: Catalog) -> list[Filter]:
    filters: list[Filter] = []
    if params.country and place.in_countries is not None:
        in_countries = place.in_countries
        ids = catalog.country_ids(params.country)
        count = len(ids)
        filters.append(
            Filter(
                ("country", count),
                in_values("country", ids),
                lambda: in_countries(binds("country", count)),
            )
        )
    filters += where_in(place.region, "region", [r.value for r in params.region])
    filters += where_in(place.city_slug, "city", [slugify(c) for c in params.city])
    if params.bbox is not None:
        box = params.bbox
        values = {"bbox_s": box.min_lat, "bbox_n": box.max_lat}
        values |= {"bbox_w": box.min_lon, "bbox_e": box.max_lon}
        crosses = box.min_lon > box.max_lon  # the box crosses the antimeridian

        def in_box() -> ColumnElement[bool]:
            latitudes: ColumnElement[bool] = place.latitude.between(
                bindparam("bbox_s"), bindparam("bbox_n")
            )
            west, east = bindparam("bbox_w", type_=Float()), bindparam("bbox_e", type_=Float())
            longitudes: ColumnElement[bool] = (
                or_(place.longitude >= west, place.longitude <= east)
                if crosses
                else place.longitude.between(west, east)
            )
            return latitudes & longitudes

        filters.append(Filter(("bbox", crosses), values, in_box))
    if params.near is not None:
        lat, lon = params.near.latitude, params.near.longitude
        radius = params.radius_km or DEFAULT_RADIUS_KM
        band = radius / KM_PER_DEGREE
        values = {"near_lat": lat, "near_lon": lon, "near_km": radius}
        values |= {"near_s": lat - band, "near_n": lat + band}

        def within() -> ColumnElement[bool]:
            # A latitude band first (it can use an index), then the great-circle distance.
            near = (bindparam("near_lat", type_=Float()), bindparam("near_lon", type_=Float()))
            distance = distance_km(*near, place.latitude, place.longitude)
            band: ColumnElement[bool] = place.latitude.between(
                bindparam("near_s"), bindparam("near_n")
            )
            return band & (distance <= bindparam("near_km"))

        filters.append(Filter("near", values, within))
    return filters


# --- text and links ----------------------------------------------------------------------------


def where_text(search_column: Column, q: str | None) -> list[Filter]:
    """Every term at the start of a word of the pre-folded, space-padded search text.

    Terms hold only [a-z0-9 ], so they need no escaping. No index serves this (ranked
    full-text search is a later issue): it is marked slow and runs off the event loop.
    """
    filters = []
    for i, term in enumerate(search_terms(q or "")):
        name = f"q_{i}"

        def contains(name: str = name) -> ColumnElement[bool]:
            condition: ColumnElement[bool] = search_column.like(bindparam(name))
            return condition

        filters.append(Filter(("q", i), {name: f"% {term}%"}, contains, slow=True))
    return filters


def where_linked(
    owner_id: Column, link_owner: Column, link_other: Column, name: str, ids: Sequence[int]
) -> list[Filter]:
    """Rows linked through a link table to any of `ids`."""
    if not ids:
        return []
    count = len(ids)

    def linked() -> ColumnElement[bool]:
        condition: ColumnElement[bool] = owner_id.in_(
            select(link_owner).where(link_other.in_(binds(name, count)))
        )
        return condition

    return [Filter((name, count), in_values(name, ids), linked)]


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


def has_location(row: Row) -> bool:
    return (
        row["country_id"] is not None
        or row["city"] is not None
        or row["latitude"] is not None
        or row["territory"] is not None
        or row["region"] is not None
        or row["venue"] is not None
    )


def location_json(row: Row, catalog: Catalog) -> dict[str, Any]:
    return {
        "venue": row["venue"],
        "city": row["city"],
        "territory": row["territory"],
        "country": catalog.country(row["country_id"]),
        "region": row["region"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
    }
