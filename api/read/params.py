"""Query-parameter models shared by the collections: paging, dates, places, text, lists.

Validation happens here, at the edge: a value that passes is safe to bind into any query, and a
value that does not is a 422 naming its parameter.
"""

import math
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
    model_validator,
)
from pydantic_core import PydanticCustomError

from api.content.base import Region
from api.text import search_terms

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
    StringConstraints(min_length=1, max_length=MAX_ITEM_LENGTH, pattern=r"^[^\x00-\x1f\x7f,]+$"),
]


def _offset_within_cap(offset: int) -> int:
    if offset > MAX_OFFSET:
        raise ValueError(
            f"offset is at most {MAX_OFFSET:,}; to go deeper, follow links.next (a cursor)"
        )
    return offset


class ListParams(BaseModel):
    """Paging; every collection accepts these."""

    model_config = ConfigDict(extra="forbid")

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
        "same query: change a filter or the sort and it is rejected.",
    )

    @model_validator(mode="after")
    def _cursor_or_offset(self) -> "ListParams":
        if self.cursor is not None and self.offset:
            raise parameter_error("offset", "use either cursor or offset, not both")
        return self


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

    @model_validator(mode="after")
    def _ordered(self) -> "DateWindowParams":
        if self.date_from is not None and self.date_to is not None:
            upper = upper_instant(self.date_to)
            if upper is not None and lower_instant(self.date_from) >= upper:
                raise parameter_error("date_from", "date_from must not be after date_to")
        return self


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
    country: CommaList[ListItem] = Field(
        default_factory=list,
        description="ISO 3166-1 alpha-2 code or slug of a participating State or partner; "
        "comma-separated for several (any of them).",
        examples=[["AL", "serbia"]],
    )
    region: CommaList[Region] = Field(
        default_factory=list, description="UN M49 sub-region; comma-separated for several."
    )
    city: CommaList[ListItem] = Field(
        default_factory=list,
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


def _searchable(q: str | None) -> str | None:
    """Control characters count as spaces; a `q` that is all punctuation is refused rather
    than read as no search at all (an empty `q` is no search)."""
    if q is None:
        return None
    q = _CONTROL_CHARACTERS.sub(" ", q)
    if q.strip() and not search_terms(q):
        raise ValueError("q has no letters or digits to search for (punctuation is ignored)")
    return q


QText = Annotated[
    str | None,
    AfterValidator(_searchable),
    Field(
        default=None,
        max_length=200,
        description='Words and "quoted phrases", all of which must appear as the start of a '
        "word (case- and accent-insensitive; `train` finds training); punctuation is ignored, "
        "and a `q` with no letters or digits at all is refused (422).",
        examples=["judicial training"],
    ),
]
