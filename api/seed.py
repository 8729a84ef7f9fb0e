"""Loads `seed_data/` idempotently, through the content types' services.

Each content type loads its own file(s) (`load_seed` in its service), in an order where every
file comes after those it refers to (`api.registry.seed_order`). Records are validated through
the `*In` models, so a bad slug, code or date fails the load with the file and record named, and
written by the same services as every other write: upserts on natural keys that write only what
changed, so loading twice changes nothing.

Each seeded item gets revision 1 in the editor API. Once an editor has written anything, the
seed loads nothing (`EditedError`): it would otherwise put back what the editor changed.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.config import PROJECT_ROOT
from api.content.service import Changes, Refs, WriteError, read_records
from api.editor.collections import EDITOR_COLLECTIONS
from api.editor.models import EditorItem, Revision
from api.editor.service import record_seed_revision
from api.registry import REFERENCES, seed_order

SEED_DIR = PROJECT_ROOT / "seed_data"
SeedError = WriteError  # what a bad seed file raises


class EditedError(Exception):
    """An editor has changed the content: the seed would overwrite it."""


def load_seed(engine: Engine, seed_dir: Path = SEED_DIR) -> Changes:
    """Load every seed file in one transaction; nothing is written if any file is bad."""
    changes = Changes()
    with Session(engine) as session:
        edited = session.exec(select(Revision.id).where(Revision.action != "seeded")).first()
        if edited is not None:
            raise EditedError("editors have changed the content since it was seeded")
        refs = Refs.load(session, REFERENCES)
        for content_type in seed_order():
            if content_type.load_seed is not None:
                content_type.load_seed(session, refs, changes, seed_dir)
        _first_revisions(session, seed_dir)
        session.commit()
    return changes


def _first_revisions(session: Session, seed_dir: Path) -> None:
    """Revision 1 of every seeded item that has none yet."""
    for collection in EDITOR_COLLECTIONS:
        row: Any = collection.row
        ids = dict(session.exec(select(row.slug, row.id).where(*collection.where)).all())
        known = set(session.exec(select(EditorItem.item_id).where(
            EditorItem.kind == collection.kind)).all())  # fmt: skip
        for record in read_records(seed_dir / collection.seed_file, collection.model):
            item_id = ids[record.slug]  # type: ignore[attr-defined]
            if item_id not in known:
                record_seed_revision(session, collection, record, item_id, "published")
