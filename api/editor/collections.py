"""What the editor API knows of each collection: its input model (the seed files' `*In`
model), its table, and how its service saves a record with an editorial status.

One entry per public collection of the registry but those in `NOT_EDITED` (with the reason);
`tests/test_editor_auth.py` checks that none is missing, so a new collection cannot escape the
editor API (or its authorisation matrix) without saying why.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from api.content.countries.models import Country, CountryKind, PartnerIn, StateIn
from api.content.countries.service import save_country
from api.content.events.models import Event, EventIn
from api.content.events.service import save_event
from api.content.field_operations.models import FieldOperation, FieldOperationIn
from api.content.field_operations.service import save_field_operation
from api.content.images.models import Image, ImageIn
from api.content.images.service import save_description
from api.content.institutions.models import Institution, InstitutionIn
from api.content.institutions.service import save_institution
from api.content.menus.models import Menu, MenuIn
from api.content.menus.service import save_menu
from api.content.news.models import News, NewsIn
from api.content.news.service import save_news
from api.content.pages.models import Page, PageIn
from api.content.pages.service import save_page
from api.content.service import Changes, Refs, set_publication_status
from api.content.topics.models import Topic, TopicIn
from api.content.topics.service import save_topic
from api.db import table

# (session, refs, changes, record, publication status) → the saved row
Save = Callable[[Session, Refs, Changes, Any, str], Any]


@dataclass(frozen=True)
class EditorCollection:
    name: str  # the public collection's path segment: "field-operations"
    model: type[BaseModel]
    row: type[SQLModel]
    save: Save
    seed_file: str
    where: tuple[Any, ...] = ()  # what narrows the table to this collection
    # An item that is a file (images): created by an upload (`api/editor/uploads.py`) rather
    # than a JSON document; `content-api export` carries the file in its line.
    uploaded: bool = False

    @property
    def kind(self) -> str:
        """The table's name: `editor_item.kind`, and the `kind` of `api.db.published`."""
        return table(self.row).name

    @property
    def event(self) -> str:
        """The prefix of its webhook events: `news.published`, `field_operation.updated`."""
        return self.kind


def _position(session: Session, row: type[SQLModel], slug: str) -> int:
    """An existing row keeps its place; a new one goes last."""
    found = session.exec(select(col(row.position)).where(col(row.slug) == slug)).one_or_none()  # type: ignore[attr-defined]
    if found is not None:
        return int(found)
    return int(session.exec(select(func.coalesce(func.max(row.position), 0))).one()) + 1  # type: ignore[attr-defined]


def _with_status(save: Callable[..., Any]) -> Save:
    """A service whose save takes `publication_status` itself (its link rows copy it)."""
    return lambda session, refs, changes, record, status: save(
        session, refs, changes, record, publication_status=status
    )


def _positioned(row: type[SQLModel], save: Callable[..., Any]) -> Save:
    def saved(session: Session, refs: Refs, changes: Changes, record: Any, status: str) -> Any:
        position = _position(session, row, record.slug)
        saved_row = save(session, refs, changes, record, position)
        set_publication_status(session, saved_row, status)
        return saved_row

    return saved


def _country(session: Session, refs: Refs, changes: Changes, record: Any, status: str) -> Any:
    row = save_country(session, refs, changes, record)
    set_publication_status(session, row, status)
    return row


def _institution(session: Session, refs: Refs, changes: Changes, record: Any, status: str) -> Any:
    position = _position(session, Institution, record.slug)
    return save_institution(session, refs, changes, record, position, publication_status=status)


EDITOR_COLLECTIONS: tuple[EditorCollection, ...] = (
    EditorCollection(
        "states",
        StateIn,
        Country,
        _country,
        "states.json",
        (col(Country.kind) == CountryKind.participating_state,),
    ),
    EditorCollection(
        "partners",
        PartnerIn,
        Country,
        _country,
        "partners.json",
        (col(Country.kind) == CountryKind.partner,),
    ),
    EditorCollection(
        "field-operations",
        FieldOperationIn,
        FieldOperation,
        _with_status(save_field_operation),
        "field_operations.json",
    ),
    EditorCollection("institutions", InstitutionIn, Institution, _institution, "institutions.json"),
    EditorCollection("news", NewsIn, News, _with_status(save_news), "news.json"),
    EditorCollection("events", EventIn, Event, _with_status(save_event), "events.json"),
    EditorCollection("menus", MenuIn, Menu, _positioned(Menu, save_menu), "menus.json"),
    EditorCollection("topics", TopicIn, Topic, _positioned(Topic, save_topic), "topics.json"),
    EditorCollection("pages", PageIn, Page, _with_status(save_page), "pages.json"),
    # The document is the description; saves after the upload keep the stored file.
    EditorCollection(
        "images", ImageIn, Image, _with_status(save_description), "images.json", uploaded=True
    ),
)
# Public collections without editor routes, and why.
NOT_EDITED: dict[str, str] = {}
BY_NAME = {c.name: c for c in EDITOR_COLLECTIONS}
