"""Countries: the participating States and the Partners for Co-operation.

Both live in one `country` table because news, events and field operations refer to either kind
in the same way (`country=AL`); `/states` and `/partners` are two public views of it.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Field as SQLField

from api.content.base import (
    Alpha2,
    ContentColumns,
    Fallback,
    Latitude,
    Longitude,
    PublicModel,
    Region,
    Slug,
    SortText,
)


class CountryKind(StrEnum):
    participating_state = "participating-state"
    partner = "partner"


class PartnerGroup(StrEnum):
    asian = "asian"
    mediterranean = "mediterranean"


class Country(ContentColumns, table=True):
    # /states and /partners are each one kind, in name or joining order.
    __table_args__ = (
        sa.Index("ix_country_kind_sort_name_id", "kind", "sort_name", "id"),
        sa.Index("ix_country_kind_joined_on_id", "kind", "joined_on", "id"),
    )

    slug: str = SQLField(unique=True, max_length=120)
    kind: str = SQLField(sa_type=sa.String(24))
    name: str
    sort_name: str = SQLField(sa_type=SortText)
    iso_alpha2: str = SQLField(sa_type=sa.String(2), unique=True)
    iso_alpha3: str = SQLField(sa_type=sa.String(3), unique=True)
    region: str = SQLField(sa_type=sa.String(32), index=True)
    partner_group: str | None = SQLField(default=None, sa_type=sa.String(16), index=True)
    capital: str
    capital_slug: str = SQLField(index=True)
    latitude: float = SQLField(index=True)
    longitude: float
    joined_on: date
    search_text: str = SQLField(sa_type=sa.Text)


class Chairpersonship(ContentColumns, table=True):
    """One year of the CSCE/OSCE Chairpersonship; a year has exactly one chair."""

    year: int = SQLField(sa_column_kwargs={"unique": True})
    country_id: int = SQLField(foreign_key="country.id", index=True)


class Capital(PublicModel):
    name: str = Field(examples=["Tirana"])
    latitude: float = Field(examples=[41.3275])
    longitude: float = Field(examples=[19.8189])


class StatePublic(PublicModel):
    """A participating State of the OSCE."""

    slug: str = Field(examples=["albania"])
    name: str = Field(examples=["Albania"])
    iso_alpha2: str = Field(examples=["AL"])
    iso_alpha3: str = Field(examples=["ALB"])
    region: Region
    capital: Capital
    joined_on: date = Field(description="When the State joined the CSCE/OSCE.")
    chairpersonship_years: list[int] = Field(examples=[[2020]])
    fallback: Fallback


class PartnerPublic(PublicModel):
    """A Partner for Co-operation."""

    slug: str = Field(examples=["japan"])
    name: str = Field(examples=["Japan"])
    iso_alpha2: str = Field(examples=["JP"])
    iso_alpha3: str = Field(examples=["JPN"])
    group: PartnerGroup
    region: Region
    capital: Capital
    partner_since: date
    fallback: Fallback


class CapitalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    latitude: Latitude
    longitude: Longitude


class CountryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: str = Field(min_length=1)
    iso_alpha2: Alpha2
    iso_alpha3: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    region: Region
    capital: CapitalIn


class StateIn(CountryIn):
    joined_on: date
    chairpersonship_years: list[Annotated[int, Field(ge=1973, le=2100)]] = []


class PartnerIn(CountryIn):
    group: PartnerGroup
    partner_since: date
