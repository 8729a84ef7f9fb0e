"""Writes of pages: the body validated block by block, stored as JSON; the parent by slug;
the search index's entry of the page (its title, summary and the text of its blocks)."""

import json
from pathlib import Path

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, select

from api.content.pages.blocks import (
    MAX_BLOCKS,
    Block,
    HeadingBlock,
    ParagraphBlock,
    QuoteBlock,
    check_body,
)
from api.content.pages.models import Page, PageIn
from api.content.search.service import index_item
from api.content.service import Changes, Refs, WriteError, read_records, upsert
from api.content.spec import Searchable, StructuredText, Translatable
from api.db import table
from api.text import search_text, sort_key

BODY: TypeAdapter[list[Block]] = TypeAdapter(list[Block])


def readable_text(stored: str) -> str:
    """The prose of a stored body: its headings, paragraphs and quotes, in order. Links,
    references and queries are the website's navigation, not what the page says."""
    found: list[str] = []
    for block in BODY.validate_json(stored):
        if isinstance(block, HeadingBlock):
            found += [block.text, block.subtitle or ""]
        elif isinstance(block, ParagraphBlock):
            found.append("".join(span.text for span in block.content))
        elif isinstance(block, QuoteBlock):
            found.append(block.text)
    return " ".join(text for text in found if text)


def translated_body(value: object) -> str:
    """A body in another language as stored: the blocks (or their JSON) checked as the English
    body is, each block as its model dumps it. A ValueError says what is wrong."""
    try:
        if isinstance(value, str):
            blocks = BODY.validate_json(value)
        else:
            blocks = BODY.validate_python(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(part) for part in first["loc"])
        raise ValueError(f"{where}: {first['msg']}" if where else first["msg"]) from None
    if not 1 <= len(blocks) <= MAX_BLOCKS:
        raise ValueError(f"a body has 1 to {MAX_BLOCKS} blocks, not {len(blocks)}")
    check_body(blocks)
    return BODY.dump_json(blocks, exclude_none=True).decode()


# A page's texts in another language: its title, summary, SEO texts and its whole body, the
# blocks written in that language (their links, references and queries as the translator
# sets them: a page in French may point at French pages elsewhere).
TRANSLATABLE = Translatable(
    "page",
    table(Page),
    ("title", "summary", "seo_title", "seo_description", "body"),
    in_catalog=False,
    structured={"body": StructuredText(translated_body, json.loads)},
)
SEARCHABLE = Searchable(
    "pages",
    TRANSLATABLE,
    "title",
    ("summary", "body"),
    date="published_at",
    type_value="page",
    readers={"body": readable_text},
)


def body_json(record: PageIn) -> str:
    """The body as stored: each block as its model dumps it, without the API's answers."""
    return BODY.dump_json(record.body, exclude_none=True).decode()


def save_page(
    session: Session, refs: Refs, changes: Changes, record: PageIn, **status: object
) -> Page:
    """`status` may set `publication_status`; a new page is published, an existing one keeps
    its status. A page's parent must exist and must not be the page itself."""
    if record.parent == record.slug:
        raise WriteError(f"page {record.slug!r}: a page is not its own parent")
    parent = session.get(Page, refs.id("page", record.parent)) if record.parent else None
    values = {
        "title": record.title,
        "sort_title": sort_key(record.title),
        "summary": record.summary,
        "seo_title": record.seo_title,
        "seo_description": record.seo_description,
        "parent_id": parent.id if parent else None,
        "parent_slug": parent.slug if parent else None,
        "parent_title": parent.title if parent else None,
        "published_at": record.published_at,
        "revised_at": record.updated_at or record.published_at,
        "body": body_json(record),
        "search_text": search_text(f"{record.title} {record.summary}"),
    } | status
    row = upsert(session, changes, Page, {"slug": record.slug}, values)
    refs.add("page", record.slug, row.id)
    # The children's copies of this page's title follow it.
    children = session.exec(select(Page).where(Page.parent_id == row.id)).all()
    for child in children:
        if child.parent_title != row.title:
            upsert(session, changes, Page, {"slug": child.slug}, {"parent_title": row.title})
    assert row.id is not None
    index_item(session, SEARCHABLE, row.id)
    return row


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`pages.json`, parents before their children."""
    for record in read_records(seed_dir / "pages.json", PageIn):
        save_page(session, refs, changes, record)
