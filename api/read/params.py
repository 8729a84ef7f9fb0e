"""Query-parameter models shared by the collections: paging, dates, places, text, lists.

Validation happens here, at the edge: a value that passes is safe to bind into any query, and a
value that does not is a 422 naming its parameter.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from api.content.base import Region
from api.locales import LangParam

T = TypeVar("T")
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


MAX_LIST_ITEMS = 50
MAX_ITEM_LENGTH = 100


def _split_commas(value: Any) -> Any:
    """`a,b` and `x=a&x=b` both give `["a", "b"]`; an empty item is an error, not ignored.

    Lists are bounded: at most MAX_LIST_ITEMS items of MAX_ITEM_LENGTH characters each.
    """
    values = value if isinstance(value, list) else [value]
    items = []
    for raw in values:
        if not isinstance(raw, str):
            return value
        for item in _printable(raw).split(","):
            item = item.strip()
            if not item:
                raise ValueError("empty item in comma-separated list")
            if len(item) > MAX_ITEM_LENGTH:
                raise ValueError(f"an item is longer than {MAX_ITEM_LENGTH} characters")
            items.append(item)
    if len(items) > MAX_LIST_ITEMS:
        raise ValueError(f"more than {MAX_LIST_ITEMS} items")
    return items


CommaList = Annotated[list[T], BeforeValidator(_split_commas), Field(max_length=MAX_LIST_ITEMS)]
# One item of a list of names, codes or slugs: what `_split_commas` lets through.
ListItem = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=MAX_ITEM_LENGTH,
        # Not blank either: `_split_commas` strips an item, and a blank one is an empty item.
        pattern=r"^[^\x00-\x1f\x7f,]*[^\x00-\x1f\x7f,\s][^\x00-\x1f\x7f,]*$",
    ),
]


def _offset_within_cap(offset: int) -> int:
    if offset > MAX_OFFSET:
        raise ValueError(
            f"offset is at most {MAX_OFFSET:,}; to go deeper, follow links.next (a cursor)"
        )
    return offset


class ListParams(BaseModel):
    """Paging and language; every collection accepts these."""

    model_config = ConfigDict(extra="forbid")

    lang: LangParam = None

    limit: int = Field(
        default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1 to 100)."
    )
    offset: Annotated[int, AfterValidator(_offset_within_cap)] = Field(
        default=0,
        ge=0,
        json_schema_extra={"maximum": MAX_OFFSET},
        description=f"Items to skip (at most {MAX_OFFSET:,}; deeper pages use `cursor`).",
    )
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=600,
        description="Opaque position taken from `links.next` or `links.prev`. It continues the "
        "same query: with other filters or another sort it names no page (404). With "
        "`offset`, that many items after the cursor's position are skipped.",
    )


# --- dates -------------------------------------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# RFC 3339 `date-time` (section 5.6): seconds required, any fraction, a `Z` or ±hh:mm offset.
_DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})"
)
_EXPECTED_MOMENT = (
    "expected a date (YYYY-MM-DD) or an RFC 3339 date-time with seconds and a zone "
    "(2025-12-31T12:00:00Z, 2025-12-31T13:00:00+01:00)"
)


def _parse_date_or_instant(value: Any) -> date | datetime:
    """A date, or an RFC 3339 date-time as an instant in UTC. An instant that UTC would put
    before the first or after the last day of the calendar is taken as that edge."""
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
        found = _DATE_TIME.fullmatch(text)
        if found is None:
            raise ValueError(_EXPECTED_MOMENT)
        day, clock, fraction, zone = found.groups()
        micro = f".{(fraction or '')[:6]:0<6}"
        zone = "+00:00" if zone in "Zz" else zone
        instant = datetime.fromisoformat(f"{day}T{clock}{micro}{zone}")
    except ValueError as exc:
        raise ValueError(str(exc) if str(exc) == _EXPECTED_MOMENT else _EXPECTED_MOMENT) from None
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if instant.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)


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


def lower_instant(value: date | datetime) -> datetime:
    """The first instant of the window: a date stands for its whole UTC day."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=UTC)


def upper_instant(value: date | datetime) -> datetime | None:
    """The first instant after the window (exclusive); None past the end of the calendar."""
    try:
        if isinstance(value, datetime):
            return value + timedelta(microseconds=1)
        return datetime.combine(value + timedelta(days=1), time(), tzinfo=UTC)
    except OverflowError:
        return None


def date_of(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


class DateWindowParams(BaseModel):
    date_from: DateOrInstant | None = Field(
        default=None, description="Inclusive start: `YYYY-MM-DD` or an RFC 3339 date-time."
    )
    date_to: DateOrInstant | None = Field(
        default=None, description="Inclusive end: `YYYY-MM-DD` or an RFC 3339 date-time."
    )


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


# Decimal degrees, in range: the document states these patterns and the server applies them,
# so what the document calls valid is exactly what is accepted.
_LATITUDE = r"[-+]?(?:90(?:\.0+)?|[1-8]?\d(?:\.\d+)?)"
_LONGITUDE = r"[-+]?(?:180(?:\.0+)?|(?:1[0-7]\d|[1-9]?\d)(?:\.\d+)?)"
_POINT = f"{_LATITUDE},{_LONGITUDE}"
_BOX = f"{_LONGITUDE},{_LATITUDE},{_LONGITUDE},{_LATITUDE}"


_POINT_RE, _BOX_RE = re.compile(_POINT), re.compile(_BOX)


def _numbers(value: str, pattern: re.Pattern[str], what: str) -> list[float]:
    if not pattern.fullmatch(value):
        raise ValueError(
            f"expected {what} in decimal degrees, latitudes within ±90, longitudes within ±180"
        )
    return [float(part) for part in value.split(",")]


def _parse_point(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    lat, lon = _numbers(value, _POINT_RE, "lat,lon")
    return Point(lat, lon)


def _parse_bbox(value: Any) -> Any:
    """A box; one whose min_lat is above its max_lat holds no point (and finds nothing)."""
    if not isinstance(value, str):
        return value
    min_lon, min_lat, max_lon, max_lat = _numbers(value, _BOX_RE, "min_lon,min_lat,max_lon,max_lat")
    return BoundingBox(min_lon, min_lat, max_lon, max_lat)


PointParam = Annotated[
    Point,
    BeforeValidator(_parse_point),
    WithJsonSchema({"type": "string", "pattern": f"^{_POINT}$", "examples": ["48.2082,16.3738"]}),
]
BBoxParam = Annotated[
    BoundingBox,
    BeforeValidator(_parse_bbox),
    WithJsonSchema({"type": "string", "pattern": f"^{_BOX}$", "examples": ["13.0,45.0,23.0,49.0"]}),
]
DEFAULT_RADIUS_KM = 50.0
KM_PER_DEGREE = 111.195


class PlaceParams(BaseModel):
    country: CommaList[ListItem] = Field(
        default_factory=list,
        description="ISO 3166-1 alpha-2 code, slug or name (case- and accent-insensitive) of a "
        "participating State or partner; comma-separated for several (any of them). One that "
        "does not exist is a 404 naming it.",
        examples=[["AL", "serbia"]],
    )
    region: CommaList[Region] = Field(
        default_factory=list, description="UN M49 sub-region; comma-separated for several."
    )
    city: CommaList[ListItem] = Field(
        default_factory=list,
        description="City name, case- and accent-insensitive, matched on its part before a "
        'comma (`washington` finds "Washington, D.C."); comma-separated for several.',
        examples=[["Kyiv"]],
    )
    near: PointParam | None = Field(
        default=None, description="`lat,lon`: only items within `radius_km` of this point."
    )
    radius_km: float | None = Field(
        default=None,
        gt=0,
        le=20_000,
        description=f"Radius for `near`, in kilometres (default {DEFAULT_RADIUS_KM:g}); "
        "without `near` it has nothing to measure from and changes nothing.",
    )
    bbox: BBoxParam | None = Field(
        default=None,
        description="`min_lon,min_lat,max_lon,max_lat` (RFC 7946 order); min_lon > max_lon "
        "means the box crosses the antimeridian; min_lat > max_lat is an empty box.",
    )


class LocationParams(PlaceParams):
    """Place filters of collections whose items have a location of their own."""

    territory: CommaList[ListItem] = Field(
        default_factory=list,
        description='A territory or region named in its own right ("Kosovo", '
        '"Transdniestrian region"), case- and accent-insensitive; several: any of them.',
        examples=[["Kosovo"]],
    )


def _searchable(q: str | None) -> str | None:
    """Control characters count as spaces."""
    return None if q is None else _CONTROL_CHARACTERS.sub(" ", q)


QText = Annotated[
    str | None,
    AfterValidator(_searchable),
    Field(
        default=None,
        max_length=200,
        description='Words and "quoted phrases", all of which must match, stemmed in the '
        "language of the request (`elections` finds election; whole words, case- and "
        "accent-insensitive; stop words ignored); punctuation is ignored and apostrophes join "
        "(`dont` finds don't); a `q` with nothing left to search for finds nothing. Topics "
        "match the start of words instead (`train` finds training).",
        examples=["judicial training"],
    ),
]
