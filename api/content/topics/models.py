"""Topics: the fields of work that field operations, news and events are tagged with."""

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as SQLField

from api.content.base import ContentColumns, Fallback, PublicModel, Slug, SortText


class Topic(ContentColumns, table=True):
    __table_args__ = (sa.Index("ix_topic_sort_name_id", "sort_name", "id"),)

    slug: str = SQLField(unique=True, max_length=120)
    name: str
    sort_name: str = SQLField(sa_type=SortText)
    position: int = SQLField(sa_column_kwargs={"unique": True})
    search_text: str = SQLField(sa_type=sa.Text)


class TopicPublic(PublicModel):
    """A field of work."""

    slug: str = Field(examples=["arms-control"])
    name: str = Field(examples=["Arms control"])
    position: int = Field(description="Its place in the website's menu (1 first).", examples=[1])
    fallback: Fallback


class TopicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: str = Field(min_length=1)
