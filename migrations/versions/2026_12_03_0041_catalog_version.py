"""The catalog version: bumped only by writes to the tables the in-memory catalog reads

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-03 08:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    POSTGRESQL_CATALOG_BUMP,
    SQLITE_CATALOG_BUMP,
    create_catalog_triggers,
    drop_catalog_triggers,
)

revision: str = "0041"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What `api/content/catalog.py` reads (tests/test_registry.py checks the list against it).
CATALOG_TABLES = (
    "country", "topic", "field_operation", "institution", "menu", "menu_node", "event",
    "translation",
)  # fmt: skip
# The editor's items of those tables: their schedule (publish_at, unpublish_at, trash) lives
# in `editor_item`, and a schedule change need not write the item's own row.
CATALOG_KINDS = "('country', 'topic', 'field_operation', 'institution', 'menu', 'event')"


def upgrade() -> None:
    op.add_column(
        "content_version",
        sa.Column("catalog_version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_CATALOG_BUMP)
        create_catalog_triggers(*CATALOG_TABLES)
        for events, row in (("INSERT OR UPDATE", "NEW"), ("DELETE", "OLD")):
            name = "editor_item_" + events.split()[0].lower() + "_bumps_catalog_version"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {events} ON editor_item FOR EACH ROW"
                f" WHEN ({row}.kind IN {CATALOG_KINDS})"
                " EXECUTE FUNCTION bump_catalog_version()"
            )
        return
    create_catalog_triggers(*CATALOG_TABLES)
    for event, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        op.execute(
            f"CREATE TRIGGER editor_item_{event}_bumps_catalog_version"
            f" AFTER {event.upper()} ON editor_item WHEN {row}.kind IN {CATALOG_KINDS}"
            f" BEGIN {SQLITE_CATALOG_BUMP}; END"
        )


def downgrade() -> None:
    drop_catalog_triggers(*CATALOG_TABLES)
    if op.get_bind().dialect.name == "postgresql":
        for name in ("insert", "delete"):
            op.execute(f"DROP TRIGGER editor_item_{name}_bumps_catalog_version ON editor_item")
        op.execute("DROP FUNCTION bump_catalog_version()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS editor_item_{event}_bumps_catalog_version")
    # Not in batch mode: rebuilding content_version would trip every table's triggers.
    op.execute("ALTER TABLE content_version DROP COLUMN catalog_version")
