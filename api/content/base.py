"""Column types, vocabularies and public pieces shared by every entity."""

import time
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy.engine import Dialect
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An instant: `timestamptz` on PostgreSQL, UTC text on SQLite; always aware UTC in Python."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: instants must carry a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Binary ordering on both databases: SQLite compares bytes, PostgreSQL needs collation "C".
SortText = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


_day = (0.0, date.min)  # (the POSIX time it ends at, the day)


def today() -> date:
    """Today's date in UTC: what "upcoming", "ongoing" and "active" are measured against.

    Every request asks (the response cache keys on it): the day is kept until the POSIX time
    of its end, one `time.time()` a request instead of building an aware datetime."""
    global _day
    ends, day = _day
    now = time.time()
    if not ends - 86400 <= now < ends:  # another day (or the clock was set back)
        day = datetime.fromtimestamp(now, UTC).date()
        _day = (now - now % 86400 + 86400, day)  # POSIX days are 86,400 s, leap seconds aside
    return day


class PublicationStatus(StrEnum):
    """Editorial state of a content row; the public API only ever sees `published` rows."""

    draft = "draft"
    published = "published"


class Region(StrEnum):
    """UN M49 sub-regions that the participating States and partners lie in."""

    northern_europe = "northern-europe"
    western_europe = "western-europe"
    eastern_europe = "eastern-europe"
    southern_europe = "southern-europe"
    central_asia = "central-asia"
    western_asia = "western-asia"
    eastern_asia = "eastern-asia"
    southern_asia = "southern-asia"
    south_eastern_asia = "south-eastern-asia"
    northern_america = "northern-america"
    northern_africa = "northern-africa"
    australia_and_new_zealand = "australia-and-new-zealand"


class ContentColumns(SQLModel):
    """Columns every content table has: internal id, editorial status and timestamps."""

    id: int | None = SQLField(default=None, primary_key=True)
    publication_status: PublicationStatus = SQLField(
        default=PublicationStatus.published, sa_type=sa.String(16)
    )
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow}
    )


Slug = Annotated[
    str, StringConstraints(min_length=1, max_length=120, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Alpha2 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


Fallback = Annotated[
    list[str],
    Field(
        description="The fields whose text is not in the language of the answer: they fell "
        "back along the fallback chain (to English by default). Empty in English.",
        examples=[["capital"]],
    ),
]


class PublicModel(BaseModel):
    """Base of what the API returns: strict shape, documented in the OpenAPI document."""

    model_config = ConfigDict(extra="forbid")


class Summary(PublicModel):
    """A related item, embedded instead of a foreign key."""

    slug: str = Field(examples=["mission-to-serbia"])
    name: str = Field(examples=["Mission to Serbia"])


class CountrySummary(Summary):
    """A participating State or partner, embedded where a country is named."""

    iso_alpha2: str = Field(examples=["RS"])


class Location(PublicModel):
    """Where something happens; not always a participating State (Kosovo, Tiraspol)."""

    venue: str | None = Field(description="Building or office, where known.")
    city: str | None
    territory: str | None = Field(
        description='A territory or region named in its own right ("Kosovo").'
    )
    country: CountrySummary | None = Field(
        description="The participating State or partner the place lies in, where there is one."
    )
    region: Region | None
    latitude: float | None = Field(description="WGS 84 decimal degrees.")
    longitude: float | None = Field(description="WGS 84 decimal degrees.")


class LocationIn(BaseModel):
    """A location as the seed files (and later the editor API) give it."""

    model_config = ConfigDict(extra="forbid")

    venue: str | None = None
    city: str | None = None
    territory: str | None = None
    country: Alpha2 | None = None
    region: Region | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    @model_validator(mode="after")
    def _both_coordinates_or_neither(self) -> "LocationIn":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("a location needs both latitude and longitude, or neither")
        return self


class LocationColumns(SQLModel):
    """The columns of a location, repeated in every table that has one.

    Each table declares the composite indexes its own lists need (filter, sort key, id).
    """

    venue: str | None = None
    city: str | None = None
    city_slug: str | None = None
    territory: str | None = None
    territory_slug: str | None = None
    country_id: int | None = SQLField(default=None, foreign_key="country.id")
    region: str | None = SQLField(default=None, sa_type=sa.String(32))
    latitude: float | None = SQLField(default=None, index=True)
    longitude: float | None = None


class ContentVersion(SQLModel, table=True):
    """One row counting every write to the content; triggers bump it (see migration 0002).

    The HTTP cache is valid while `version` stays the same, the in-memory catalog of reference
    data (api/content/catalog.py) while `catalog_version` does: only writes to the tables it
    reads bump that one (see migration 0041).
    """

    __tablename__ = "content_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: int = SQLField(default=1, primary_key=True)
    version: int = SQLField(default=0, sa_type=sa.BigInteger)
    changed_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    # The latest `publish_at` and the earliest `unpublish_at` of the editor's schedule: the
    # schedule hides something exactly while now < publish_until or now >= unpublish_from
    # (see `api.db.published`). The editor's writes keep them in step (`api/editor/service.py`).
    publish_until: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    unpublish_from: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    catalog_version: int = SQLField(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )
