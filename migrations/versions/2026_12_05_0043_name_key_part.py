"""The list a name key orders: States and partners apart

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05 02:00:00+00:00

States and partners share the `country` table and so the `name_key` rows of kind 'country': a
list of the 11 partners by name in Russian walked the keys of all 68 countries in name order
and skipped the 57 States (in English, `ix_country_kind_sort_name_id` gives the partners
alone). `part` names the list a key belongs to (the country's `kind`; empty for the other
kinds), and the index leads with it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import create_version_triggers, drop_version_triggers

revision: str = "0043"
down_revision: str | None = "0042"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("name_key", sa.Column("part", sa.String(40), nullable=False, server_default=""))
    connection = op.get_bind()
    # Only when there are keys to move: on PostgreSQL the version trigger fires per statement,
    # and an empty database must keep version 0.
    if connection.execute(sa.text("SELECT 1 FROM name_key WHERE kind = 'country'")).first():
        op.execute(
            "UPDATE name_key SET part = (SELECT country.kind FROM country"
            " WHERE country.id = name_key.item_id) WHERE kind = 'country'"
            " AND EXISTS (SELECT 1 FROM country WHERE country.id = name_key.item_id)"
        )
    op.drop_index("ix_name_key_kind_lang_key", table_name="name_key")
    op.create_index(
        "ix_name_key_kind_part_lang_key", "name_key", ["kind", "part", "lang", "key", "item_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_name_key_kind_part_lang_key", table_name="name_key")
    op.create_index("ix_name_key_kind_lang_key", "name_key", ["kind", "lang", "key", "item_id"])
    drop_version_triggers("name_key")  # SQLite's batch mode rebuilds the table without them
    with op.batch_alter_table("name_key") as batch:
        batch.drop_column("part")
    create_version_triggers("name_key")
