"""Images: a file kept by its content hash, with alt text, caption, credit and focal point."""

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as SQLField

from api.content.base import ContentColumns, Fallback, PublicModel, Slug


class Image(ContentColumns, table=True):
    slug: str = SQLField(unique=True, max_length=120)
    alt: str = SQLField(sa_type=sa.Text)
    caption: str | None = SQLField(default=None, sa_type=sa.Text)
    credit: str = SQLField(sa_type=sa.Text)
    width: int
    height: int
    focal_x: float = 0.5
    focal_y: float = 0.5
    format: str = SQLField(sa_type=sa.String(8))  # of the original: png, jpeg, webp
    digest: str = SQLField(sa_type=sa.String(64))  # SHA-256 of the original file
    bytes: int


class FocalPoint(PublicModel):
    x: float = Field(ge=0, le=1, description="From the left edge (0) to the right (1).")
    y: float = Field(ge=0, le=1, description="From the top edge (0) to the bottom (1).")


class Rendition(PublicModel):
    url: str = Field(description="Immutable: a new file gets a new URL.")
    width: int
    height: int
    type: str = Field(examples=["image/webp"])


class Source(PublicModel):
    """One format's renditions, as a `<source>` of a `<picture>` takes them."""

    type: str = Field(examples=["image/webp"])
    srcset: str = Field(examples=["/api/v1/images/map/renditions/ab12-320.webp 320w, …"])


class ImagePublic(PublicModel):
    """An image with what a page needs to show it well: alt text, credit, renditions."""

    slug: str = Field(examples=["osce-region-map"])
    alt: str = Field(description="What the image shows, for those who cannot see it.")
    caption: str | None
    credit: str
    width: int
    height: int
    focal_point: FocalPoint
    src: str = Field(description="A JPEG rendition for `<img src>`, the widest up to 1280.")
    sources: list[Source] = Field(description="Best format first: AVIF, WebP, JPEG.")
    renditions: list[Rendition]
    fallback: Fallback


class ImageIn(BaseModel):
    """An image's description; its file comes beside it (the seed folder, the CLI, an upload)."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug
    file: str = Field(min_length=1, description="The file's name, whose extension is its type.")
    alt: str = Field(min_length=1, max_length=500)
    caption: str | None = None
    credit: str = Field(min_length=1)
    focal_point: FocalPoint = FocalPoint(x=0.5, y=0.5)
