"""An index on editor_item (collection, item_id), for the search's schedule guard

Revision ID: 0040
Revises: 0032
Create Date: 2026-12-02 10:50:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0040"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The search's entries name their collection, not their table: while the schedule hides
    # something, each hit is looked up by (collection, item_id) (api/content/search/query.py).
    op.create_index("ix_editor_item_collection_item", "editor_item", ["collection", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_editor_item_collection_item", table_name="editor_item")
