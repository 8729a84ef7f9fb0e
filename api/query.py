"""What every collection shares: query-parameter models, `where_*` filters, paging, envelopes.

A route builds its own `select()` from these pieces; nothing here knows which collection it
serves, and nothing in a route repeats what is here.
"""

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

import orjson
from fastapi import Depends, Request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlmodel import Session, col
from starlette.responses import Response

from api.db import distance_km
from api.models import Country, PublicationStatus, Region, Topic, today
from api.problems import ProblemError, invalid_parameter
from api.text import search_terms, slugify

T = TypeVar("T")
# A mapped column such as `News.published_at`. SQLModel declares table attributes with their
# Python types (`datetime`), so to the type checker a column can only be `Any`.
Column = Any
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 10_000
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError("control characters are not allowed")
    return value


def parameter_error(parameter: str, message: str) -> PydanticCustomError:
    """A validation error of a whole parameter model that still names the parameter at fault."""
    return PydanticCustomError("invalid_parameter", message, {"parameter": parameter})


def _split_commas(value: Any) -> Any:
    """`a,b` and `x=a&x=b` both give `["a", "b"]`; an empty item is an error, not ignored."""
    values = value if isinstance(value, list) else [value]
    items = []
    for raw in values:
        if not isinstance(raw, str):
            return value
        for item in _printable(raw).split(","):
            if not item.strip():
                raise ValueError("empty item in comma-separated list")
            items.append(item.strip())
    return items


CommaList = Annotated[list[T], BeforeValidator(_split_commas)]


class ListParams(BaseModel):
    """Paging and sparse fields; every collection accepts these."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(
        default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1 to 100)."
    )
    offset: int = Field(
        default=0,
        ge=0,
        le=MAX_OFFSET,
        description=f"Items to skip before the page starts (at most {MAX_OFFSET:,}).",
    )


# --- dates -------------------------------------------------------------------------------------

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date_or_instant(value: Any) -> date | datetime:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if _DATE_ONLY.match(text):
        return date.fromisoformat(text)
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("expected YYYY-MM-DD or an RFC 3339 date-time") from None
    if instant.tzinfo is None:
        raise ValueError("an RFC 3339 date-time needs a time zone (Z or ±hh:mm)")
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        raise ValueError("date-time out of range") from None


DateOrInstant = Annotated[
    date | datetime,
    BeforeValidator(_parse_date_or_instant),
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time"},
            ],
            "examples": ["2025-12-01", "2025-12-01T09:00:00Z"],
        }
    ),
]


def _lower_instant(value: date | datetime) -> datetime:
    """The first instant of the window: a date stands for its whole UTC day."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=UTC)


def _upper_instant(value: date | datetime) -> datetime | None:
    """The first instant after the window (exclusive); None past the end of the calendar."""
    try:
        if isinstance(value, datetime):
            return value + timedelta(microseconds=1)
        return datetime.combine(value + timedelta(days=1), time(), tzinfo=UTC)
    except OverflowError:
        return None


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


class DateWindowParams(BaseModel):
    date_from: DateOrInstant | None = Field(
        default=None, description="Inclusive start: `YYYY-MM-DD` or an RFC 3339 date-time."
    )
    date_to: DateOrInstant | None = Field(
        default=None, description="Inclusive end: `YYYY-MM-DD` or an RFC 3339 date-time."
    )

    @model_validator(mode="after")
    def _ordered(self) -> "DateWindowParams":
        if self.date_from is not None and self.date_to is not None:
            upper = _upper_instant(self.date_to)
            if upper is not None and _lower_instant(self.date_from) >= upper:
                raise parameter_error("date_from", "date_from must not be after date_to")
        return self


@dataclass(frozen=True)
class Span:
    """What a collection's date window is compared with: local dates, UTC instants, or both.

    A point in time has the same column as start and end; a NULL end is a span still open.
    """

    starts_on: Column = None
    ends_on: Column = None
    starts_at: Column = None
    ends_at: Column = None


def where_window(params: DateWindowParams, span: Span) -> list[ColumnElement[bool]]:
    """Rows whose span meets the window. Date bounds compare with dates where the collection
    has them; date-time bounds with instants where it has them (else with their UTC date)."""
    conditions: list[ColumnElement[bool]] = []
    lower, upper = params.date_from, params.date_to
    if lower is not None:
        bound: date | datetime
        if span.ends_at is not None and (isinstance(lower, datetime) or span.ends_on is None):
            ends, bound = span.ends_at, _lower_instant(lower)
        else:
            ends, bound = span.ends_on, _as_date(lower)
        condition: ColumnElement[bool] = ends >= bound
        conditions.append(or_(ends.is_(None), condition) if ends.expression.nullable else condition)
    if upper is not None:
        if span.starts_at is not None and (isinstance(upper, datetime) or span.starts_on is None):
            first_after = _upper_instant(upper)
            if first_after is not None:
                conditions.append(span.starts_at < first_after)
        else:
            conditions.append(span.starts_on <= _as_date(upper))
    return conditions


# --- places ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class BoundingBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def _floats(value: str, count: int, what: str) -> list[float]:
    parts = value.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"expected {what} (decimal degrees)") from None
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        raise ValueError(f"expected {what} (decimal degrees)")
    return numbers


def _parse_point(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    lat, lon = _floats(value, 2, "lat,lon")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("latitude must be within -90..90 and longitude within -180..180")
    return Point(lat, lon)


def _parse_bbox(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    min_lon, min_lat, max_lon, max_lat = _floats(value, 4, "min_lon,min_lat,max_lon,max_lat")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise ValueError("longitudes must be within -180..180")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise ValueError("latitudes must be within -90..90")
    if min_lat > max_lat:
        raise ValueError("min_lat is greater than max_lat")
    return BoundingBox(min_lon, min_lat, max_lon, max_lat)


_NUMBER = r"[-+]?\d+(\.\d+)?"
PointParam = Annotated[
    Point,
    BeforeValidator(_parse_point),
    WithJsonSchema(
        {"type": "string", "pattern": f"^{_NUMBER},{_NUMBER}$", "examples": ["48.2082,16.3738"]}
    ),
]
BBoxParam = Annotated[
    BoundingBox,
    BeforeValidator(_parse_bbox),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^({_NUMBER},){{3}}{_NUMBER}$",
            "examples": ["13.0,45.0,23.0,49.0"],
        }
    ),
]
DEFAULT_RADIUS_KM = 50.0
KM_PER_DEGREE = 111.195


class PlaceParams(BaseModel):
    country: CommaList[str] = Field(
        default=[],
        description="ISO 3166-1 alpha-2 code or slug of a participating State or partner; "
        "comma-separated for several (any of them).",
        examples=[["AL", "serbia"]],
    )
    region: CommaList[Region] = Field(
        default=[], description="UN M49 sub-region; comma-separated for several."
    )
    city: CommaList[str] = Field(
        default=[],
        description="City name, case- and accent-insensitive; comma-separated for several.",
        examples=[["Kyiv"]],
    )
    near: PointParam | None = Field(
        default=None, description="`lat,lon`: only items within `radius_km` of this point."
    )
    radius_km: float | None = Field(
        default=None,
        gt=0,
        le=20_000,
        description=f"Radius for `near`, in kilometres (default {DEFAULT_RADIUS_KM:g}).",
    )
    bbox: BBoxParam | None = Field(
        default=None,
        description="`min_lon,min_lat,max_lon,max_lat` (RFC 7946 order); min_lon > max_lon "
        "means the box crosses the antimeridian.",
    )

    @model_validator(mode="after")
    def _radius_needs_near(self) -> "PlaceParams":
        if self.radius_km is not None and self.near is None:
            raise parameter_error("radius_km", "radius_km needs near=lat,lon")
        return self


@dataclass(frozen=True)
class Place:
    """The columns one collection's place filters apply to."""

    latitude: Column
    longitude: Column
    city_slug: Column
    region: Column
    in_countries: Callable[[list[int]], ColumnElement[bool]]


def country_ids(session: Session, values: Sequence[str], parameter: str = "country") -> list[int]:
    """Resolve ISO alpha-2 codes and slugs of states and partners; unknown ones are a 422."""
    codes = {v.upper() for v in values if len(v) == 2}
    slugs = {v.lower() for v in values}
    rows = session.execute(
        select(col(Country.id), col(Country.iso_alpha2), col(Country.slug)).where(
            published(Country),
            or_(col(Country.iso_alpha2).in_(codes), col(Country.slug).in_(slugs)),
        )
    ).all()
    known = {r.iso_alpha2 for r in rows} | {r.slug for r in rows}
    unknown = [v for v in values if v.upper() not in known and v.lower() not in known]
    if unknown:
        raise invalid_parameter(
            parameter, f"not a participating State or partner: {', '.join(unknown)}"
        )
    return [r.id for r in rows]


def where_place(session: Session, params: PlaceParams, place: Place) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if params.country:
        conditions.append(place.in_countries(country_ids(session, params.country)))
    if params.region:
        conditions.append(place.region.in_([r.value for r in params.region]))
    if params.city:
        conditions.append(place.city_slug.in_([slugify(c) for c in params.city]))
    if params.bbox is not None:
        box = params.bbox
        conditions.append(place.latitude.between(box.min_lat, box.max_lat))
        if box.min_lon <= box.max_lon:
            conditions.append(place.longitude.between(box.min_lon, box.max_lon))
        else:
            conditions.append(or_(place.longitude >= box.min_lon, place.longitude <= box.max_lon))
    if params.near is not None:
        lat, lon = params.near.latitude, params.near.longitude
        radius = params.radius_km or DEFAULT_RADIUS_KM
        # A latitude band first (it can use an index), then the exact great-circle distance.
        band = radius / KM_PER_DEGREE
        conditions.append(place.latitude.between(lat - band, lat + band))
        distance = distance_km(literal(lat), literal(lon), place.latitude, place.longitude)
        conditions.append(distance <= radius)
    return conditions


# --- text and taxonomy -------------------------------------------------------------------------

QText = Annotated[
    str | None,
    # Odd input in `q` is never an error: control characters count as spaces.
    AfterValidator(lambda q: _CONTROL_CHARACTERS.sub(" ", q) if q is not None else None),
    Field(
        default=None,
        max_length=200,
        description='Words and "quoted phrases", all of which must appear as the start of a '
        "word (case- and accent-insensitive; `train` finds training); punctuation is ignored.",
        examples=["judicial training"],
    ),
]


def where_text(search_column: Column, q: str | None) -> list[ColumnElement[bool]]:
    """Every term at the start of a word of the pre-folded, space-padded search text."""
    terms = search_terms(q or "")
    return [search_column.contains(f" {term}", autoescape=True) for term in terms]


def slug_ids(session: Session, model: Any, slugs: Sequence[str], parameter: str) -> list[int]:
    """Resolve slugs of a published reference table (topics, field operations); unknown → 422."""
    wanted = {s.lower() for s in slugs}
    rows = session.execute(
        select(model.id, model.slug).where(
            model.publication_status == PublicationStatus.published, model.slug.in_(wanted)
        )
    ).all()
    unknown = sorted(wanted - {r.slug for r in rows})
    if unknown:
        raise invalid_parameter(
            parameter, f"unknown {parameter.replace('_', ' ')}: {', '.join(unknown)}"
        )
    return [r.id for r in rows]


def where_linked(
    owner_id: Column,
    link_owner: Column,
    link_other: Column,
    other_ids: list[int],
) -> ColumnElement[bool]:
    """Rows linked (through a link table) to any of `other_ids`."""
    condition: ColumnElement[bool] = owner_id.in_(
        select(link_owner).where(link_other.in_(other_ids))
    )
    return condition


# --- public rows, order, pages -----------------------------------------------------------------


def published(model: Any) -> ColumnElement[bool]:
    """The one place the public API hides drafts."""
    condition: ColumnElement[bool] = model.publication_status == PublicationStatus.published
    return condition


def order_by(sort: str, columns: Mapping[str, Any], tiebreaker: Column) -> list[ColumnElement[Any]]:
    """`name` / `-name` → ORDER BY, ending with a unique tiebreaker in the same direction."""
    descending = sort.startswith("-")
    column = columns[sort.lstrip("-")]
    key = column.desc() if descending else column.asc()
    if column.expression.nullable:
        # SQLite and PostgreSQL disagree on where NULLs go unless told.
        key = key.nulls_first() if descending else key.nulls_last()
    return [key, tiebreaker.desc() if descending else tiebreaker.asc()]


@dataclass
class Page(Generic[T]):
    rows: list[T]
    total: int


def paginate(
    session: Session, statement: Select[Any], params: ListParams, order: list[Any]
) -> Page[Any]:
    total = session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    rows = session.execute(
        statement.order_by(*order).limit(params.limit).offset(params.offset)
    ).all()
    return Page(rows=list(rows), total=total)


def summaries(
    session: Session, model: Any, ids: Iterable[int | None], *extra: str
) -> dict[int, dict[str, Any]]:
    """`{id: {"slug", "name", *extra}}` for the published rows among `ids`, in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    columns = [model.id, model.slug, model.name, *(getattr(model, e) for e in extra)]
    rows = session.execute(select(*columns).where(published(model), model.id.in_(wanted))).all()
    return {
        r.id: {"slug": r.slug, "name": r.name, **{e: getattr(r, e) for e in extra}} for r in rows
    }


def linked_summaries(
    session: Session,
    link_owner: Column,
    link_other: Column,
    model: Any,
    owner_ids: Iterable[int],
    *extra: str,
) -> dict[int, list[dict[str, Any]]]:
    """`{owner id: [summary, …]}` through a link table, ordered by the other side's sort key."""
    owners = list(owner_ids)
    result: dict[int, list[dict[str, Any]]] = {o: [] for o in owners}
    if not owners:
        return result
    order: Column = model.position if model is Topic else model.sort_name
    columns = [link_owner, model.slug, model.name, *(getattr(model, e) for e in extra)]
    rows = session.execute(
        select(*columns)
        .join(model, model.id == link_other)
        .where(published(model), link_owner.in_(owners))
        .order_by(order)
    ).all()
    for row in rows:
        summary = {"slug": row.slug, "name": row.name, **{e: getattr(row, e) for e in extra}}
        result[row[0]].append(summary)
    return result


def location_json(row: Any, countries: Mapping[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "venue": row.venue,
        "city": row.city,
        "territory": row.territory,
        "country": countries.get(row.country_id),
        "region": row.region,
        "latitude": row.latitude,
        "longitude": row.longitude,
    }


def has_location(row: Any) -> bool:
    return any(
        getattr(row, c) is not None
        for c in ("venue", "city", "territory", "country_id", "region", "latitude")
    )


# --- responses ---------------------------------------------------------------------------------


def json_response(
    content: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    return Response(body, status, dict(headers or {}), media_type="application/json")


def select_fields(item: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in fields} if fields else item


def _page_url(request: Request, offset: int) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
    if offset:
        query.append(("offset", str(offset)))
    return str(request.url.replace(query=urlencode(query)))


def collection_response(
    request: Request, items: list[dict[str, Any]], page: Page[Any], params: ListParams
) -> Response:
    """The collection envelope, with `links` mirrored in an RFC 8288 `Link` header."""
    fields: Sequence[str] = getattr(params, "fields", [])
    next_offset = params.offset + params.limit
    links = {
        "self": str(request.url),
        "next": _page_url(request, next_offset) if next_offset < page.total else None,
        "prev": _page_url(request, max(0, params.offset - params.limit)) if params.offset else None,
    }
    body = {
        "data": [select_fields(item, fields) for item in items],
        "meta": {"total": page.total, "limit": params.limit, "offset": params.offset},
        "links": links,
    }
    link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    return json_response(body, headers={"Link": link_header})


def item_response(item: dict[str, Any], fields: Sequence[str] = ()) -> Response:
    return json_response({"data": select_fields(item, fields)})


def one_or_404(session: Session, statement: Select[Any], what: str, slug: str) -> Any:
    row = session.execute(statement).first()
    if row is None:
        raise ProblemError(404, "not-found", f"No {what} with slug {slug!r}.")
    return row


def current_date() -> date:
    """Today in UTC, as a dependency so tests can pin the calendar."""
    return today()


Today = Annotated[date, Depends(current_date)]
