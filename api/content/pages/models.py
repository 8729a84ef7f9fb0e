"""Pages: a title, a summary, SEO fields, a place in the page tree, and a body of typed blocks."""

from datetime import datetime

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as SQLField

from api.content.base import (
    ContentColumns,
    Fallback,
    PublicModel,
    Slug,
    SortText,
    Summary,
    UTCDateTime,
)
from api.content.pages.blocks import MAX_BLOCKS, Block, check_body


class Page(ContentColumns, table=True):
    __table_args__ = (
        sa.Index("ix_page_sort_title_id", "publication_status", "sort_title", "id"),
        sa.Index(
            "ix_page_parent_slug_sort_title_id",
            "publication_status",
            "parent_slug",
            "sort_title",
            "id",
        ),
    )

    slug: str = SQLField(unique=True, max_length=120)
    title: str
    sort_title: str = SQLField(sa_type=SortText)  # computed by the service
    summary: str = SQLField(sa_type=sa.Text)
    seo_title: str | None = None
    seo_description: str | None = SQLField(default=None, sa_type=sa.Text)
    parent_id: int | None = SQLField(default=None, foreign_key="page.id")
    # Copies of the parent's slug and title, kept by the service: a list embeds the parent
    # and filters by it without a join.
    parent_slug: str | None = SQLField(default=None, max_length=120)
    parent_title: str | None = None
    published_at: datetime = SQLField(sa_type=UTCDateTime)
    revised_at: datetime = SQLField(sa_type=UTCDateTime)
    body: str = SQLField(sa_type=sa.Text)  # the blocks, as JSON, validated by the service
    search_text: str = SQLField(sa_type=sa.Text)


class Seo(PublicModel):
    title: str = Field(description="For the browser's title and search results.")
    description: str | None = Field(description="For search results and link previews.")


class PagePublic(PublicModel):
    """A page of the website, its body a list of typed blocks."""

    slug: str = Field(examples=["home"])
    title: str
    summary: str
    seo: Seo
    parent: Summary | None = Field(description="The page above it in the page tree.")
    published_at: datetime
    updated_at: datetime = Field(description="When its content was last revised.")
    body: list[Block]
    fallback: Fallback


class PageIn(BaseModel):
    """A page as editors write it."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    seo_title: str | None = None
    seo_description: str | None = None
    parent: Slug | None = None
    published_at: AwareDatetime
    updated_at: AwareDatetime | None = Field(
        default=None, description="When its content was last revised; `published_at` if none."
    )
    body: list[Block] = Field(min_length=1, max_length=MAX_BLOCKS)

    @field_validator("body")
    @classmethod
    def _whole_body(cls, blocks: list[Block]) -> list[Block]:
        check_body(blocks)
        return blocks
