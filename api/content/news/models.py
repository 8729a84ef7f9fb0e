"""News: news items, press releases and stories."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
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
    PublicationStatus,
    PublicModel,
    Slug,
    Summary,
    UTCDateTime,
)


class NewsType(StrEnum):
    news_item = "news-item"
    press_release = "press-release"
    story = "story"


class News(ContentColumns, LocationColumns, table=True):
    # Every list reads published rows (the leading column) and one filter, in (published_at,
    # id) order: filter, window and newest-first order are one index range, read in order,
    # with no sort step, and counting the matches never reads the wide rows.
    __table_args__ = (
        sa.Index("ix_news_updated_at", "updated_at"),  # what changed, for the proxy purger
        sa.Index("ix_news_published_at_id", "publication_status", "published_at", "id"),
        sa.Index(
            "ix_news_type_published_at_id", "publication_status", "type", "published_at", "id"
        ),
        sa.Index(
            "ix_news_region_published_at_id", "publication_status", "region", "published_at", "id"
        ),
        sa.Index(
            "ix_news_city_slug_published_at_id",
            "publication_status",
            "city_slug",
            "published_at",
            "id",
        ),
        sa.Index(
            "ix_news_field_operation_id_published_at_id",
            "publication_status",
            "field_operation_id",
            "published_at",
            "id",
        ),
    )

    slug: str = SQLField(unique=True, max_length=120)
    title: str
    type: str = SQLField(sa_type=sa.String(24))
    published_at: datetime = SQLField(sa_type=UTCDateTime)
    summary: str = SQLField(sa_type=sa.Text)
    body: str = SQLField(sa_type=sa.Text)
    field_operation_id: int | None = SQLField(default=None, foreign_key="field_operation.id")
    search_text: str = SQLField(sa_type=sa.Text)
    # Copies of the link tables' ids ("5,12"), so a list reads an item's countries and topics
    # with the item instead of looking them up row by row. The writer keeps them in step.
    country_ids: str = SQLField(default="", sa_type=sa.Text)
    topic_ids: str = SQLField(default="", sa_type=sa.Text)


class NewsCountry(SQLModel, table=True):
    """The countries a news item is about. The item's `publication_status` and `published_at`
    are copied here, so "this country, this window, newest first" is one index range."""

    __tablename__ = "news_country"
    __table_args__ = (
        sa.Index(
            "ix_news_country_country_id_published_at_news_id",
            "publication_status",
            "country_id",
            "published_at",
            "news_id",
        ),
    )

    news_id: int = SQLField(foreign_key="news.id", primary_key=True, ondelete="CASCADE")
    country_id: int = SQLField(foreign_key="country.id", primary_key=True)
    publication_status: PublicationStatus = SQLField(sa_type=sa.String(16))
    published_at: datetime = SQLField(sa_type=UTCDateTime)


class NewsTopic(SQLModel, table=True):
    """The topics of a news item, with its status and `published_at` copied as in
    `NewsCountry`."""

    __tablename__ = "news_topic"
    __table_args__ = (
        sa.Index(
            "ix_news_topic_topic_id_published_at_news_id",
            "publication_status",
            "topic_id",
            "published_at",
            "news_id",
        ),
    )

    news_id: int = SQLField(foreign_key="news.id", primary_key=True, ondelete="CASCADE")
    topic_id: int = SQLField(foreign_key="topic.id", primary_key=True)
    publication_status: PublicationStatus = SQLField(sa_type=sa.String(16))
    published_at: datetime = SQLField(sa_type=UTCDateTime)


class NewsPublic(PublicModel):
    """A news item, press release or story."""

    slug: str = Field(examples=["osce-supports-forum-on-sustainable-management-of-romit"])
    title: str
    type: NewsType
    published_at: datetime = Field(description="RFC 3339 instant in UTC.")
    summary: str
    body: str
    location: Location | None
    countries: list[CountrySummary] = Field(description="The countries the item is about.")
    topics: list[Summary]
    field_operation: Summary | None
    fallback: Fallback


class NewsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    title: str = Field(min_length=1)
    type: NewsType
    published_at: AwareDatetime
    summary: str = Field(min_length=1)
    body: str = Field(min_length=1)
    location: LocationIn | None = None
    countries: list[Alpha2] = []
    topics: list[Slug] = []
    field_operation: Slug | None = None
