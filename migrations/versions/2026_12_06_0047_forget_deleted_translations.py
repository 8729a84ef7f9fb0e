"""Translations and name keys of deleted rows removed

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-06 11:00:00+00:00

A purged item, or a node removed from a menu, left its translations and name keys behind. On
SQLite a new row can be given a deleted row's id (the largest id plus one), and would have
shown its texts. The services now delete them with the row (`forget_deleted`); this removes
those already left.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0047"
down_revision: str | None = "0046"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each translated kind, and the table of its rows (as `Translatable` in the content types).
KINDS = {
    "country": "country",
    "topic": "topic",
    "field_operation": "field_operation",
    "institution": "institution",
    "menu_node": "menu_node",
    "news": "news",
    "event": "event",
    "page": "page",
    "image": "image",
}


def upgrade() -> None:
    connection = op.get_bind()
    for kind, table in KINDS.items():
        for keyed in ("translation", "name_key"):
            gone = f"{keyed}.kind = '{kind}' AND {keyed}.item_id NOT IN (SELECT id FROM {table})"
            # Only where there is something to delete: on PostgreSQL the version trigger fires
            # per statement, and an unchanged database keeps its version.
            if connection.exec_driver_sql(f"SELECT 1 FROM {keyed} WHERE {gone} LIMIT 1").first():
                op.execute(f"DELETE FROM {keyed} WHERE {gone}")


def downgrade() -> None:
    """Nothing to restore: the rows were of items that no longer exist."""
