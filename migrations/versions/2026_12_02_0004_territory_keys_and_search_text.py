"""Territory keys, city keys before a comma, and search text whose apostrophes join words

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 06:10:00+00:00

The folded keys are computed in Python (`api/text.py`), as the services compute them, so the
rows written before this migration match exactly as new ones do.
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from api.text import city_key, search_text, slugify
from migrations.helpers import create_version_triggers, drop_version_triggers

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCATED = ("news", "event", "field_operation")
# Each table's search text, from its columns (as its service builds it).
SEARCHED: dict[str, tuple[str, ...]] = {
    "topic": ("name",),
    "country": ("name", "capital"),
    "field_operation": ("name", "city", "mandate"),
    "news": ("title", "summary", "body"),
    "event": ("title", "summary", "organiser", "venue", "city"),
    "institution": ("name", "acronym", "city", "summary"),
}
BATCH = 5_000


def _recompute(table: str, sources: Sequence[str], target: str, key: Callable[..., Any]) -> None:
    """Set `target` to `key(*sources)` on every row, a batch of rows at a time."""
    connection = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column(target), *map(sa.column, sources))
    last = 0
    while True:
        batch = connection.execute(
            sa.select(rows.c.id, *(rows.c[s] for s in sources))
            .where(rows.c.id > last)
            .order_by(rows.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        connection.execute(
            rows.update()
            .where(rows.c.id == sa.bindparam("row_id"))
            .values({target: sa.bindparam("new")}),
            [{"row_id": row[0], "new": key(*row[1:])} for row in batch],
        )
        last = batch[-1][0]


def _optional(function: Callable[[str], str]) -> Callable[[str | None], str | None]:
    return lambda value: function(value) if value else None


def upgrade() -> None:
    for table in LOCATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("territory_slug", sa.String(), nullable=True))
    # Batch operations rebuild SQLite tables, and their triggers with them: the data below
    # is rewritten with the triggers in place, so the content version moves as it must.
    if op.get_bind().dialect.name == "sqlite":
        drop_version_triggers(*LOCATED)
        create_version_triggers(*LOCATED)
    for table in (*LOCATED, "institution"):
        _recompute(table, ("territory",), "territory_slug", _optional(slugify))
        _recompute(table, ("city",), "city_slug", _optional(city_key))
    _recompute("country", ("capital",), "capital_slug", city_key)
    for table, sources in SEARCHED.items():
        _recompute(table, sources, "search_text", search_text)


def downgrade() -> None:
    for table in LOCATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("territory_slug")
    if op.get_bind().dialect.name == "sqlite":
        drop_version_triggers(*LOCATED)
        create_version_triggers(*LOCATED)
