"""Field operations: missions, presences, centres and offices, active and closed."""

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from api.content.base import (
    Alpha2,
    ContentColumns,
    CountrySummary,
    Fallback,
    Location,
    LocationColumns,
    LocationIn,
    PublicModel,
    Slug,
    SortText,
    Summary,
)


class FieldOperationType(StrEnum):
    mission = "mission"
    presence = "presence"
    centre = "centre"
    programme_office = "programme-office"
    project_co_ordinator = "project-co-ordinator"
    office = "office"
    assistance_group = "assistance-group"
    advisory_and_monitoring_group = "advisory-and-monitoring-group"
    monitoring_mission = "monitoring-mission"
    verification_mission = "verification-mission"
    observer_mission = "observer-mission"
    support_programme = "support-programme"


class FieldOperationStatus(StrEnum):
    active = "active"
    closed = "closed"


class FieldOperation(ContentColumns, LocationColumns, table=True):
    __tablename__ = "field_operation"
    __table_args__ = (
        sa.Index("ix_field_operation_sort_name_id", "sort_name", "id"),
        sa.Index("ix_field_operation_established_on_id", "established_on", "id"),
    )

    slug: str = SQLField(unique=True, max_length=120)
    name: str
    sort_name: str = SQLField(sa_type=SortText)
    type: str = SQLField(sa_type=sa.String(40), index=True)
    host_state_id: int | None = SQLField(default=None, foreign_key="country.id")
    established_on: date
    closed_on: date | None = SQLField(default=None, index=True)
    mandate: str = SQLField(sa_type=sa.Text)
    search_text: str = SQLField(sa_type=sa.Text)
    topic_ids: str = SQLField(default="", sa_type=sa.Text)  # a copy of the links, as in News


class FieldOperationTopic(SQLModel, table=True):
    __tablename__ = "field_operation_topic"

    field_operation_id: int = SQLField(
        foreign_key="field_operation.id", primary_key=True, ondelete="CASCADE"
    )
    topic_id: int = SQLField(foreign_key="topic.id", primary_key=True, index=True)


class FieldOperationPublic(PublicModel):
    """A field operation of the OSCE, active or closed."""

    slug: str = Field(examples=["mission-to-serbia"])
    name: str = Field(examples=["Mission to Serbia"])
    type: FieldOperationType
    status: FieldOperationStatus = Field(
        description="`closed` once the day after `closed_on` has begun (UTC), else `active`."
    )
    location: Location
    host_state: CountrySummary | None = Field(
        description="The participating State that hosts it; null where there is none (Kosovo)."
    )
    established_on: date
    closed_on: date | None = Field(
        description="The day it closed (after any wind-down, which may outlast the mandate); "
        "null while active."
    )
    mandate: str
    topics: list[Summary]
    fallback: Fallback


class FieldOperationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: str = Field(min_length=1)
    type: FieldOperationType
    location: LocationIn
    host_state: Alpha2 | None
    established_on: date
    closed_on: date | None
    mandate: str = Field(min_length=1)
    topics: list[Slug] = []

    @model_validator(mode="after")
    def _closes_after_it_opens(self) -> "FieldOperationIn":
        if self.closed_on is not None and self.closed_on < self.established_on:
            raise ValueError("closed_on is before established_on")
        return self
