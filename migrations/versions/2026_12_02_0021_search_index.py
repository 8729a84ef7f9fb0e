"""The search index: entries per item and language, FTS5 on SQLite, tsvector on PostgreSQL

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 09:30:00+00:00

The index starts empty: `content-api reindex` (or `seed`) fills it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

from migrations.helpers import create_version_triggers, drop_version_triggers

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("translated", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("city_key", sa.String(), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("document", sa.Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_search_entry"),
        sa.UniqueConstraint(
            "collection", "item_id", "lang", name="uq_search_entry_collection_item_id_lang"
        ),
    )
    op.create_index("ix_search_entry_lang_title_key", "search_entry", ["lang", "title_key"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_search_entry_document", "search_entry", ["document"], postgresql_using="gin"
        )
        # Completions: the title's words as typed (folded, not stemmed), by prefix.
        op.execute(
            "CREATE INDEX ix_search_entry_title_words ON search_entry "
            "USING gin (to_tsvector('simple', title_key))"
        )
    else:
        # Stems of the title and of the text, and the title's words as typed (folded, not
        # stemmed) for completions, with prefix indexes of 2 and 3 letters.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, words, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
    create_version_triggers("search_entry")


def downgrade() -> None:
    drop_version_triggers("search_entry")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_search_entry_title_words", table_name="search_entry")
        op.drop_index("ix_search_entry_document", table_name="search_entry")
    else:
        op.execute("DROP TABLE search_fts")
    op.drop_index("ix_search_entry_lang_title_key", table_name="search_entry")
    op.drop_table("search_entry")
