"""The site's own settings: its name, logo, languages and social media handles."""

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlmodel import Field as SQLField

from api.content.base import ContentColumns, PublicModel, Slug


class Site(ContentColumns, table=True):
    slug: str = SQLField(unique=True, max_length=120)  # one row: "osce"
    name: str
    short_name: str
    logo_slug: str | None = SQLField(default=None, max_length=120)  # an item of `images`
    home_page_slug: str = SQLField(max_length=120)  # an item of `pages`
    languages: str = SQLField(sa_type=sa.Text)  # JSON, as validated by SiteIn
    social: str = SQLField(sa_type=sa.Text)  # JSON, as validated by SiteIn


class Language(PublicModel):
    code: str = Field(pattern=r"^[a-z]{2}$", examples=["en"])
    name: str = Field(examples=["English"], description="In the language itself.")


class SocialAccount(PublicModel):
    network: str = Field(examples=["LinkedIn"])
    handle: str = Field(examples=["@OSCE"], description="As the site shows it.")
    url: HttpUrl


class SitePublic(PublicModel):
    """What every page of the site shows: its name, logo, languages and social accounts."""

    name: str = Field(examples=["Organization for Security and Co-operation in Europe"])
    short_name: str = Field(examples=["OSCE"])
    logo: str | None = Field(description="API path of the logo, an item of `images`.")
    home_page: str = Field(description="API path of the home page, an item of `pages`.")
    languages: list[Language]
    social: list[SocialAccount]


class SiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    logo: Slug | None = None
    home_page: Slug
    languages: list[Language] = Field(min_length=1)
    social: list[SocialAccount] = []
