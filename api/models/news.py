"""News: news items, press releases and stories."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from api.models.common import (
    Alpha2,
    ContentColumns,
    CountrySummary,
    Location,
    LocationColumns,
    LocationIn,
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
    slug: str = SQLField(unique=True, max_length=120)
    title: str
    type: str = SQLField(sa_type=sa.String(24), index=True)
    published_at: datetime = SQLField(sa_type=UTCDateTime, index=True)
    summary: str = SQLField(sa_type=sa.Text)
    body: str = SQLField(sa_type=sa.Text)
    field_operation_id: int | None = SQLField(
        default=None, foreign_key="field_operation.id", index=True
    )
    search_text: str = SQLField(sa_type=sa.Text)


class NewsCountry(SQLModel, table=True):
    __tablename__ = "news_country"

    news_id: int = SQLField(foreign_key="news.id", primary_key=True, ondelete="CASCADE")
    country_id: int = SQLField(foreign_key="country.id", primary_key=True, index=True)


class NewsTopic(SQLModel, table=True):
    __tablename__ = "news_topic"

    news_id: int = SQLField(foreign_key="news.id", primary_key=True, ondelete="CASCADE")
    topic_id: int = SQLField(foreign_key="topic.id", primary_key=True, index=True)


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
