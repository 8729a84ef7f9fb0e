"""`content-api export` and `import`: every item (drafts and trash included), its editorial
state, every revision and its translations (a menu: those of its nodes' labels, by node key),
and the slug redirects, as NDJSON.

One line per item, collections in the order their references need (topics before the news
that name them), items in their website order (`position`) or by slug; keys sorted. Nothing
in a line is a database id, so `export`, `import` into an empty database, `export` again gives
the same bytes. Import writes each item's current document through its collection's service,
then its editorial state and revisions as they were, all in one transaction.

An image's line also holds its original file (`original`, base64: an export is the whole
content, with nothing to copy beside it); import checks that file as an upload is checked and
stores it under MEDIA_DIR. The renditions are made again on demand.
"""

import base64
import binascii
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.config import Settings, get_settings
from api.content.images.files import ImageRejectedError, check, original_path
from api.content.images.models import Image, ImageIn
from api.content.images.service import save_checked
from api.content.menus.models import Menu, MenuNode
from api.content.menus.service import TRANSLATABLE as MENU_NODES
from api.content.service import Changes, Refs, WriteError
from api.content.translations.service import (
    save_name_keys,
    save_translations,
    translatable_of,
    translations_of,
)
from api.db import table
from api.editor.collections import EDITOR_COLLECTIONS, EditorCollection
from api.editor.models import EditorItem, Revision, SlugRedirect
from api.editor.service import current_document, restore_item, schedule_bounds
from api.locales import LANGUAGES
from api.registry import CONTENT_TABLES, REFERENCES, seed_order

OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE


class TransferError(Exception):
    """The file cannot be imported; the database is left as it was."""


def ordered() -> list[EditorCollection]:
    """The collections, each after those its documents refer to."""
    tables = [{t.name for t in content_type.tables} for content_type in seed_order()]
    return sorted(EDITOR_COLLECTIONS, key=lambda c: next(
        i for i, names in enumerate(tables) if c.kind in names))  # fmt: skip


def _instant(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def export_lines(session: Session, media_dir: Path) -> Iterator[bytes]:
    for collection in ordered():
        row: Any = collection.row
        order = [row.position] if hasattr(row, "position") else []
        items = session.exec(
            select(EditorItem, row.slug)
            .join(row, row.id == EditorItem.item_id)
            .where(EditorItem.kind == collection.kind, *collection.where)
            .order_by(*order, row.slug)
        ).all()
        for item, slug in items:
            revisions = session.exec(
                select(Revision)
                .where(Revision.kind == item.kind, Revision.item_id == item.item_id)
                .order_by(col(Revision.number))
            ).all()
            texts = _translations(session, collection, item.item_id)
            if collection.uploaded:
                texts["original"] = _original(session, media_dir, item.item_id)
            yield orjson.dumps({
                "type": "item", "collection": collection.name, "slug": slug, **texts,
                "status": item.status, "publish_at": _instant(item.publish_at),
                "unpublish_at": _instant(item.unpublish_at),
                "trashed_at": _instant(item.trashed_at), "revision": item.revision,
                "updated_at": _instant(item.updated_at),
                "revisions": [{
                    "number": r.number, "action": r.action, "status": r.status,
                    "document": orjson.loads(r.document), "key_id": r.key_id,
                    "translations": orjson.loads(r.translations) if r.translations else None,
                    "publish_at": _instant(r.publish_at),
                    "unpublish_at": _instant(r.unpublish_at),
                    "created_at": _instant(r.created_at),
                } for r in revisions],
            }, option=OPTIONS)  # fmt: skip
    redirects = session.exec(
        select(SlugRedirect).order_by(col(SlugRedirect.collection), col(SlugRedirect.old_slug))
    )
    for redirect in redirects.all():
        yield orjson.dumps({"type": "redirect", **redirect.model_dump()}, option=OPTIONS)


def _original(session: Session, media_dir: Path, image_id: int) -> str:
    """An image's original file, base64; TransferError if MEDIA_DIR has lost it."""
    image = session.get(Image, image_id)
    assert image is not None
    path = original_path(media_dir, image.digest, image.format)
    try:
        return base64.b64encode(path.read_bytes()).decode()
    except OSError as exc:
        raise TransferError(
            f"image {image.slug}: its file is not in MEDIA_DIR ({path}: {exc.strerror})"
        ) from None


def _restore_original(
    session: Session, refs: Refs, changes: Changes, entry: Any, settings: Settings
) -> None:
    """An image line's file, checked as an upload is and stored, with the image it belongs
    to (`restore_item` then writes its description and editorial state)."""
    try:
        data = base64.b64decode(entry["original"], validate=True)
    except binascii.Error as exc:
        raise WriteError(f"image {entry['slug']}: `original` is not base64 ({exc})") from None
    record = ImageIn.model_validate(current_document(entry))
    try:
        checked = check(data, record.file, settings.max_image_bytes, settings.max_image_pixels)
    except ImageRejectedError as exc:
        raise WriteError(f"image {record.slug}: {exc.detail}") from None
    save_checked(session, refs, changes, record, data, checked, settings)


def _translations(session: Session, collection: EditorCollection, item_id: int) -> dict[str, Any]:
    """What an item's line holds of its translations: `translations` ({lang: {field: text}})
    for a translatable item, `node_translations` ({node key: {lang: {"label": text}}}) for a
    menu; nothing for the others."""
    translatable = translatable_of(collection.kind)
    if translatable is not None:
        return {"translations": translations_of(session, translatable.kind, item_id)}
    if collection.kind == table(Menu).name:
        nodes = session.exec(select(MenuNode.id, MenuNode.key).where(MenuNode.menu_id == item_id))
        by_key = {key: translations_of(session, MENU_NODES.kind, int(node_id or 0))
                  for node_id, key in nodes}  # fmt: skip
        return {"node_translations": {key: texts for key, texts in by_key.items() if texts}}
    return {}


def _texts(found: Any) -> dict[Any, dict[str, str]]:
    """{lang: {field: text}} of an export line, in the languages the API has."""
    texts = dict(found)
    unknown = set(texts) - set(LANGUAGES)
    if unknown:
        raise WriteError(f"translations in languages the API does not have: {sorted(unknown)}")
    return texts


def _restore_translations(
    session: Session, changes: Changes, collection: EditorCollection, row: Any, entry: Any
) -> None:
    translatable = translatable_of(collection.kind)
    if translatable is not None:
        save_translations(session, changes, translatable, row.id, _texts(entry["translations"]))
        if translatable.sorted_by:
            english = getattr(row, translatable.sorted_by)
            save_name_keys(session, changes, translatable, row.id, english)
        return
    for key, texts in entry.get("node_translations", {}).items():
        node_id = session.exec(
            select(MenuNode.id).where(MenuNode.menu_id == row.id, MenuNode.key == key)
        ).one()
        save_translations(session, changes, MENU_NODES, int(node_id or 0), _texts(texts))


def export(engine: Engine, out: IO[bytes], settings: Settings | None = None) -> int:
    """Every line of the export of `engine`'s content to `out`; images' files from the
    MEDIA_DIR of `settings` (default: the environment's)."""
    media_dir = (settings or get_settings()).media_path
    count = 0
    with Session(engine) as session:
        for line in export_lines(session, media_dir):
            out.write(line)
            count += 1
    return count


def import_lines(engine: Engine, lines: Iterable[bytes], settings: Settings | None = None) -> int:
    """Load an export into a database with no content; one transaction. Images' files go
    to the MEDIA_DIR of `settings` (default: the environment's), checked as uploads are."""
    settings = settings or get_settings()
    by_name = {c.name: c for c in EDITOR_COLLECTIONS}
    count = 0
    with Session(engine) as session:
        for content_table in CONTENT_TABLES:
            if session.exec(select(func.count()).select_from(content_table)).one():
                raise TransferError(f"the database is not empty ({content_table.name} has rows)")
        refs, changes = Refs.load(session, REFERENCES), Changes()
        for number, line in enumerate(lines, 1):
            try:
                entry = orjson.loads(line)
                if entry["type"] == "redirect":
                    entry.pop("type")
                    restore_item(session, redirect=SlugRedirect(**entry))
                else:
                    collection = by_name[entry["collection"]]
                    if collection.uploaded:
                        _restore_original(session, refs, changes, entry, settings)
                    row = restore_item(session, collection=collection, refs=refs,
                                       changes=changes, entry=entry)  # fmt: skip
                    _restore_translations(session, changes, collection, row, entry)
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, WriteError) as exc:
                session.rollback()
                raise TransferError(f"line {number}: {type(exc).__name__}: {exc}") from None
            except IntegrityError as exc:  # an item twice, a reference to nothing …
                session.rollback()
                raise TransferError(f"line {number}: the database refused it: {exc.orig}") from None
            count += 1
        schedule_bounds(session)
        session.commit()
    return count
