"""Translations of item texts, and collation keys of names per language

Revision ID: 0020
Revises: 0010
Create Date: 2026-12-02 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import create_version_triggers, drop_version_triggers

revision: str = "0020"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_TEXT = sa.String(length=1000).with_variant(sa.String(length=1000, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_translation"),
        sa.UniqueConstraint(
            "kind", "item_id", "lang", "field", name="uq_translation_kind_item_id_lang_field"
        ),
    )
    op.create_index("ix_translation_kind_lang_item_id", "translation", ["kind", "lang", "item_id"])
    op.create_table(
        "name_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("key", KEY_TEXT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_name_key"),
        sa.UniqueConstraint("kind", "item_id", "lang", name="uq_name_key_kind_item_id_lang"),
    )
    op.create_index("ix_name_key_kind_lang_key", "name_key", ["kind", "lang", "key", "item_id"])
    create_version_triggers("translation", "name_key")


def downgrade() -> None:
    drop_version_triggers("translation", "name_key")
    op.drop_index("ix_name_key_kind_lang_key", table_name="name_key")
    op.drop_table("name_key")
    op.drop_index("ix_translation_kind_lang_item_id", table_name="translation")
    op.drop_table("translation")
