"""Menus: ordered trees of navigation nodes (main, meta, footer, footer secondary, social)."""

from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    model_validator,
)
from sqlmodel import Field as SQLField

from api.content.base import ContentColumns, PublicModel, Slug


class ResourceType(StrEnum):
    state = "state"
    partner = "partner"
    field_operation = "field-operation"
    topic = "topic"
    institution = "institution"


class Menu(ContentColumns, table=True):
    slug: str = SQLField(unique=True, max_length=60)
    name: str
    position: int


class MenuNode(ContentColumns, table=True):
    """One entry of a menu; `key` (the slugs of its labels from the root) identifies it."""

    __tablename__ = "menu_node"
    __table_args__ = (
        sa.UniqueConstraint("menu_id", "key"),
        sa.CheckConstraint("(path IS NULL) <> (url IS NULL)", name="path_or_url"),
        sa.CheckConstraint(
            "(CASE WHEN country_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN field_operation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN topic_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN institution_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_resource",
        ),
    )

    menu_id: int = SQLField(foreign_key="menu.id", index=True, ondelete="CASCADE")
    parent_id: int | None = SQLField(
        default=None, foreign_key="menu_node.id", index=True, ondelete="CASCADE"
    )
    position: int
    key: str = SQLField(max_length=500)
    label: str
    path: str | None = None
    url: str | None = None
    country_id: int | None = SQLField(default=None, foreign_key="country.id", index=True)
    field_operation_id: int | None = SQLField(
        default=None, foreign_key="field_operation.id", index=True
    )
    topic_id: int | None = SQLField(default=None, foreign_key="topic.id", index=True)
    institution_id: int | None = SQLField(default=None, foreign_key="institution.id", index=True)


class MenuResource(PublicModel):
    """The API item a node points to."""

    type: ResourceType
    slug: str = Field(examples=["albania"])
    href: str = Field(examples=["/api/v1/states/albania"], description="Its API path.")


class MenuNodePublic(PublicModel):
    label: str = Field(examples=["Albania"])
    path: str | None = Field(
        examples=["/participating-states/albania"], description="Site path; null if external."
    )
    url: str | None = Field(description="Absolute URL of an external link; null otherwise.")
    external: bool = Field(description="True when the node leaves the site (it has a `url`).")
    resource: MenuResource | None
    has_children: bool = Field(description="True even when `depth` cut the children off.")
    children: list["MenuNodePublic"]


class MenuSummaryPublic(PublicModel):
    """A menu, without its nodes."""

    slug: str = Field(examples=["main"])
    name: str = Field(examples=["Main navigation"])
    href: str = Field(examples=["/api/v1/menus/main"])


class MenuPublic(PublicModel):
    """A menu with its tree of nodes, in page order."""

    slug: str = Field(examples=["main"])
    name: str = Field(examples=["Main navigation"])
    items: list[MenuNodePublic]


def _http_url(value: str) -> str:
    """An absolute http(s) URL, kept exactly as written (no normalising trailing slash)."""
    TypeAdapter(AnyHttpUrl).validate_python(value)
    return value


HttpUrlText = Annotated[str, AfterValidator(_http_url)]
SitePath = Annotated[str, StringConstraints(pattern=r"^/[a-z0-9\-/]*$", max_length=300)]


class MenuResourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ResourceType
    slug: Slug


class MenuNodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1)
    path: SitePath | None = None
    url: HttpUrlText | None = None
    resource: MenuResourceIn | None = None
    children: list["MenuNodeIn"] = []

    @model_validator(mode="after")
    def _path_or_url(self) -> "MenuNodeIn":
        if (self.path is None) == (self.url is None):
            raise ValueError("a menu node has either a path or a url")
        return self


class MenuIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: str = Field(min_length=1)
    nodes: list[MenuNodeIn]
