"""Events: meetings, conferences, trainings and ceremonies, all-day or timed."""

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from api.content.base import (
    ContentColumns,
    Fallback,
    Location,
    LocationColumns,
    LocationIn,
    PublicModel,
    Slug,
    Summary,
    UTCDateTime,
)


class EventType(StrEnum):
    ceremony = "ceremony"
    conference = "conference"
    meeting = "meeting"
    training = "training"
    workshop = "workshop"
    seminar = "seminar"
    exhibition = "exhibition"
    forum = "forum"


class EventStatus(StrEnum):
    upcoming = "upcoming"
    ongoing = "ongoing"
    past = "past"


class Event(ContentColumns, LocationColumns, table=True):
    # Lists read published events (the leading column), in (starts_on, id) order: each filter
    # leads an index ending in it. The window scan reads (starts_on, id, ends_on) from
    # `date_from` minus the longest event's span, checking ends_on in the index itself.
    __table_args__ = (
        sa.Index("ix_event_updated_at", "updated_at"),  # what changed, for the proxy purger
        sa.Index(
            "ix_event_starts_on_id_ends_on", "publication_status", "starts_on", "id", "ends_on"
        ),
        sa.Index("ix_event_ends_on_id", "publication_status", "ends_on", "id"),
        sa.Index("ix_event_type_starts_on_id", "publication_status", "type", "starts_on", "id"),
        sa.Index(
            "ix_event_country_id_starts_on_id",
            "publication_status",
            "country_id",
            "starts_on",
            "id",
        ),
        sa.Index("ix_event_region_starts_on_id", "publication_status", "region", "starts_on", "id"),
        sa.Index(
            "ix_event_city_slug_starts_on_id", "publication_status", "city_slug", "starts_on", "id"
        ),
        sa.Index(
            "ix_event_field_operation_id_starts_on_id",
            "publication_status",
            "field_operation_id",
            "starts_on",
            "id",
        ),
    )

    slug: str = SQLField(unique=True, max_length=120)
    title: str
    type: str = SQLField(sa_type=sa.String(24))
    all_day: bool
    starts_on: date
    ends_on: date
    starts_at: datetime = SQLField(sa_type=UTCDateTime)
    ends_at: datetime = SQLField(sa_type=UTCDateTime)
    time_zone: str = SQLField(sa_type=sa.String(64))
    summary: str = SQLField(sa_type=sa.Text)
    organiser: str
    field_operation_id: int | None = SQLField(default=None, foreign_key="field_operation.id")
    search_text: str = SQLField(sa_type=sa.Text)
    topic_ids: str = SQLField(default="", sa_type=sa.Text)  # a copy of event_topic, as in News
    # One more at every change the service makes: the calendar's SEQUENCE (RFC 5545 §3.8.7.4).
    revision: int = SQLField(default=0, sa_column_kwargs={"server_default": "0"})


class EventTopic(SQLModel, table=True):
    __tablename__ = "event_topic"

    event_id: int = SQLField(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    topic_id: int = SQLField(foreign_key="topic.id", primary_key=True, index=True)


class EventPublic(PublicModel):
    """An event: all-day or timed, always with local dates and UTC instants."""

    slug: str
    title: str
    type: EventType
    status: EventStatus = Field(description="Against today's date in UTC.")
    all_day: bool
    starts_on: date = Field(description="First day, in the event's time zone.")
    ends_on: date = Field(description="Last day, in the event's time zone.")
    starts_at: datetime = Field(
        description="When it begins (UTC); for an all-day event, the midnight that starts "
        "`starts_on` in its time zone."
    )
    ends_at: datetime = Field(
        description="When it ends (UTC); for an all-day event, the midnight that ends "
        "`ends_on` in its time zone."
    )
    time_zone: str = Field(examples=["Europe/Chisinau"], description="IANA time zone.")
    location: Location | None
    summary: str
    organiser: str
    field_operation: Summary | None
    topics: list[Summary]
    fallback: Fallback


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    title: str = Field(min_length=1)
    type: EventType
    all_day: bool
    starts_on: date
    ends_on: date
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    time_zone: str
    location: LocationIn | None = None
    summary: str = Field(min_length=1)
    organiser: str = Field(min_length=1)
    field_operation: Slug | None = None
    topics: list[Slug] = []

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _consistent_times(self) -> "EventIn":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if self.all_day:
            if self.starts_at is not None or self.ends_at is not None:
                raise ValueError("an all-day event has dates only, no starts_at/ends_at")
            return self
        if self.starts_at is None or self.ends_at is None:
            raise ValueError("a timed event needs starts_at and ends_at")
        if self.ends_at < self.starts_at:
            raise ValueError("ends_at is before starts_at")
        zone = ZoneInfo(self.time_zone)
        local = (self.starts_at.astimezone(zone).date(), self.ends_at.astimezone(zone).date())
        if local != (self.starts_on, self.ends_on):
            raise ValueError("starts_on/ends_on must be the local dates of starts_at/ends_at")
        return self
