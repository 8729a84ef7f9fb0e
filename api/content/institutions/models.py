"""Structures and institutions: the Secretariat and its offices, the three institutions
(ODIHR, HCNM, the Representative on Freedom of the Media), the Parliamentary Assembly and the
Court of Conciliation and Arbitration."""

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
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
    SortText,
    Summary,
)


class InstitutionType(StrEnum):
    secretariat = "secretariat"
    institution = "institution"  # the three autonomous institutions
    parliamentary_assembly = "parliamentary-assembly"
    court = "court"
    office = "office"  # part of another structure (`part_of`)


class Institution(ContentColumns, LocationColumns, table=True):
    __table_args__ = (
        sa.Index("ix_institution_position_id", "publication_status", "position", "id"),
        sa.Index("ix_institution_sort_name_id", "publication_status", "sort_name", "id"),
    )

    slug: str = SQLField(unique=True, max_length=120)
    name: str
    sort_name: str = SQLField(sa_type=SortText)
    acronym: str | None = SQLField(default=None, max_length=40)
    type: str = SQLField(sa_type=sa.String(40))
    part_of_id: int | None = SQLField(default=None, foreign_key="institution.id")
    established_on: date
    summary: str = SQLField(sa_type=sa.Text)
    position: int  # the website's order
    search_text: str = SQLField(sa_type=sa.Text)
    topic_ids: str = SQLField(default="", sa_type=sa.Text)  # a copy of the links, as in News


class InstitutionTopic(SQLModel, table=True):
    __tablename__ = "institution_topic"

    institution_id: int = SQLField(
        foreign_key="institution.id", primary_key=True, ondelete="CASCADE"
    )
    topic_id: int = SQLField(foreign_key="topic.id", primary_key=True, index=True)


class MenuLink(PublicModel):
    """A node of the website's menus that leads to the item."""

    menu: str = Field(examples=["main"], description="The menu's slug.")
    label: str = Field(examples=["Office for Democratic Institutions and Human Rights"])
    path: str | None = Field(examples=["/odihr"], description="Site path; null if external.")
    url: str | None = Field(description="Absolute URL of an external link; null otherwise.")


class InstitutionPublic(PublicModel):
    """A structure or institution of the OSCE."""

    slug: str = Field(examples=["odihr"])
    name: str = Field(examples=["Office for Democratic Institutions and Human Rights"])
    acronym: str | None = Field(examples=["ODIHR"])
    type: InstitutionType
    part_of: Summary | None = Field(description="The structure it belongs to, if any.")
    seat: Location = Field(description="Where it sits.")
    established_on: date = Field(description="The date of the decision or document founding it.")
    summary: str
    topics: list[Summary]
    menu_links: list[MenuLink] = Field(description="The website's menu nodes that lead to it.")
    fallback: Fallback


class InstitutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: str = Field(min_length=1)
    acronym: str | None = Field(default=None, min_length=1, max_length=40)
    type: InstitutionType
    part_of: Slug | None = None
    seat: LocationIn
    established_on: date
    summary: str = Field(min_length=1)
    topics: list[Slug] = []
