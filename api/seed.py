"""Loads `seed_data/` idempotently, through the content types' services.

Each content type loads its own file(s) (`load_seed` in its service), in an order where every
file comes after those it refers to (`api.registry.seed_order`). Records are validated through
the `*In` models, so a bad slug, code or date fails the load with the file and record named, and
written by the same services as every other write: upserts on natural keys that write only what
changed, so loading twice changes nothing.
"""

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from api.config import PROJECT_ROOT
from api.content.service import Changes, Refs, WriteError
from api.registry import REFERENCES, seed_order

SEED_DIR = PROJECT_ROOT / "seed_data"
SeedError = WriteError  # what a bad seed file raises


def load_seed(engine: Engine, seed_dir: Path = SEED_DIR) -> Changes:
    """Load every seed file in one transaction; nothing is written if any file is bad."""
    changes = Changes()
    with Session(engine) as session:
        refs = Refs.load(session, REFERENCES)
        for content_type in seed_order():
            if content_type.load_seed is not None:
                content_type.load_seed(session, refs, changes, seed_dir)
        session.commit()
    return changes
