"""The blocks a page's body is made of: structured content, never HTML.

Each block is a pydantic model with a `type` that tells it apart (a discriminated union, so the
OpenAPI document describes each one and a client generator makes a type of each). The same
models validate what editors write and describe what the API answers; the fields marked
"answered by the API" (`href`, `item`, `items`) are filled in when a page is read and refused
when written.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from api.content.base import Slug

# The collections whose items a page may refer to.
Linkable = Literal[
    "states",
    "partners",
    "field-operations",
    "institutions",
    "news",
    "events",
    "topics",
    "pages",
    "images",
]
# What an embedded query may ask of a collection (each is that list's own parameter).
QUERY_PARAMETERS = frozenset(
    {"type", "topic", "country", "region", "status", "field_operation", "sort", "q", "group"}
)
READ_ONLY = ("href", "item", "items")
MAX_BLOCKS = 100
MAX_ITEMS = 50


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemRef(Strict):
    """An item of a collection, named by its slug."""

    collection: Linkable
    slug: Slug
    href: str | None = Field(default=None, description="Its API path (answered by the API).")
    item: dict[str, Any] | None = Field(
        default=None,
        description="The item itself, with `expand` (answered by the API); null when not "
        "expanded, or when it is not published.",
    )


class Span(Strict):
    """A run of text in a paragraph, perhaps emphasised, perhaps a link (to one of `url`, a
    website `path`, an item `ref`, or an `anchor` of this page)."""

    text: str = Field(min_length=1)
    emphasis: bool = False
    strong: bool = False
    url: HttpUrl | None = None
    path: str | None = Field(default=None, pattern=r"^/[^\s]*$")
    ref: ItemRef | None = None
    anchor: Slug | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "Span":
        targets = [t for t in (self.url, self.path, self.ref, self.anchor) if t is not None]
        if len(targets) > 1:
            raise ValueError("a span links to one of url, path, ref or anchor at most")
        return self


class HeadingBlock(Strict):
    type: Literal["heading"]
    text: str = Field(min_length=1)
    level: int = Field(ge=1, le=4, description="1: the page's title; 2: a section; 3-4 below.")
    subtitle: str | None = None
    anchor: Slug | None = Field(default=None, description="Its id, for `contents` links.")
    kicker: str | None = Field(default=None, description='A line above it ("Our work").')


class ParagraphBlock(Strict):
    type: Literal["paragraph"]
    content: list[Span] = Field(min_length=1, max_length=200)


class ImageBlock(Strict):
    type: Literal["image"]
    image: ItemRef = Field(description="An item of `images`.")
    caption: str | None = Field(default=None, description="Instead of the image's own caption.")

    @model_validator(mode="after")
    def _an_image(self) -> "ImageBlock":
        if self.image.collection != "images":
            raise ValueError("an image block shows an item of `images`")
        return self


class QuoteBlock(Strict):
    type: Literal["quote"]
    text: str = Field(min_length=1)
    attribution: str | None = None


class CallToActionBlock(Strict):
    """A link set apart: to an external `url`, a website `path`, or an item `ref`."""

    type: Literal["call_to_action"]
    label: str = Field(min_length=1)
    description: str | None = None
    url: HttpUrl | None = None
    path: str | None = Field(default=None, pattern=r"^/[^\s]*$")
    ref: ItemRef | None = None
    external: bool = Field(default=False, description="It leaves the website.")

    @model_validator(mode="after")
    def _one_target(self) -> "CallToActionBlock":
        if sum(t is not None for t in (self.url, self.path, self.ref)) != 1:
            raise ValueError("a call to action links to exactly one of url, path or ref")
        return self


class ReferencesBlock(Strict):
    """A curated, ordered list of items (the home page's Highlights)."""

    type: Literal["references"]
    title: str | None = None
    items: list[ItemRef] = Field(min_length=1, max_length=MAX_ITEMS)


class QueryBlock(Strict):
    """Items a collection's list gives for these parameters, read when the page is:
    "the 4 latest news items" is `{"collection": "news", "parameters": {"type":
    "news-item"}, "limit": 4}`."""

    type: Literal["query"]
    title: str | None = None
    collection: Literal["news", "events", "field-operations", "states", "partners"]
    parameters: dict[str, str] = Field(default_factory=dict)
    limit: int = Field(ge=1, le=20)
    href: str | None = Field(default=None, description="The list's API URL (answered by the API).")
    items: list[dict[str, Any]] | None = Field(
        default=None, description="The list's items, with `expand` (answered by the API)."
    )

    @model_validator(mode="after")
    def _known_parameters(self) -> "QueryBlock":
        unknown = set(self.parameters) - QUERY_PARAMETERS
        if unknown:
            raise ValueError(f"parameters not allowed in a query block: {sorted(unknown)}")
        return self


class ContentsEntry(Strict):
    label: str = Field(min_length=1)
    anchor: Slug


class ContentsBlock(Strict):
    """Links to the page's own sections (their headings' anchors)."""

    type: Literal["contents"]
    title: str | None = None
    entries: list[ContentsEntry] = Field(min_length=1, max_length=MAX_ITEMS)


class SocialBlock(Strict):
    """The site's social media handles (from `/api/v1/site`), under a title."""

    type: Literal["social"]
    title: str | None = None


Block = Annotated[
    HeadingBlock
    | ParagraphBlock
    | ImageBlock
    | QuoteBlock
    | CallToActionBlock
    | ReferencesBlock
    | QueryBlock
    | ContentsBlock
    | SocialBlock,
    Field(discriminator="type"),
]


def refs_of(block: BaseModel) -> list[ItemRef]:
    """Every item reference in a block, in order."""
    found: list[ItemRef] = []
    for name in type(block).model_fields:
        value = getattr(block, name)
        values = value if isinstance(value, list) else [value]
        for each in values:
            if isinstance(each, ItemRef):
                found.append(each)
            elif isinstance(each, Span) and each.ref is not None:
                found.append(each.ref)
    return found


def check_body(blocks: list[Any]) -> None:
    """What a whole body must hold: no field the API answers, every `contents` anchor a
    heading's, anchors unique."""
    for block in blocks:
        for ref in refs_of(block):
            if ref.href is not None or ref.item is not None:
                raise ValueError("href and item are answered by the API, not written")
        if isinstance(block, QueryBlock) and (block.href is not None or block.items is not None):
            raise ValueError("href and items are answered by the API, not written")
    anchors = [b.anchor for b in blocks if isinstance(b, HeadingBlock) and b.anchor]
    if len(anchors) != len(set(anchors)):
        raise ValueError("two headings have the same anchor")
    for block in blocks:
        if isinstance(block, ContentsBlock):
            missing = {e.anchor for e in block.entries} - set(anchors)
            if missing:
                raise ValueError(f"contents link to no heading: {sorted(missing)}")
