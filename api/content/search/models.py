"""The search index: one entry per item and language, kept by the services in the same
transaction as the item (`api/content/search/service.py`).

An entry holds what a hit shows (its title, the text its snippet is cut from, its date, type,
country and city) and what ranks it: on SQLite the stems of its title and text in the FTS5
table `search_fts` (rowid = the entry's id; BM25), on PostgreSQL the `document` tsvector,
title weighted A and text B, made by the text-search configuration of the entry's language
(`ts_rank_cd`). Completions match the title's words as typed: on SQLite in the FTS5 table
`search_title_fts`, on PostgreSQL in the table `search_title_word` (a B-tree of each title
word and its entry, kept by triggers). These tables and the GIN index exist on their database
only, made by migrations 0021, 0044 and 0045, so the models do not declare them.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

# Schema objects of one database only, made by the migration (see `tests/test_migrations.py`).
DIALECT_ONLY = (
    "search_fts", "search_title_fts", "ix_search_entry_document", "search_title_word",
)  # fmt: skip


class SearchEntry(SQLModel, table=True):
    __tablename__ = "search_entry"
    __table_args__ = (
        sa.UniqueConstraint("collection", "item_id", "lang"),
        sa.Index("ix_search_entry_lang_title_key", "lang", "title_key"),
    )

    id: int | None = SQLField(default=None, primary_key=True)
    collection: str = SQLField(sa_type=sa.String(32))
    item_id: int
    lang: str = SQLField(sa_type=sa.String(2))
    # On an English entry, the languages (bits in LANGUAGES order) that have entries of their
    # own: a search in one of them reads those, and this entry for the others.
    translated: int = 0
    slug: str = SQLField(max_length=120)
    title: str = SQLField(sa_type=sa.Text)
    title_key: str = SQLField(sa_type=sa.Text)  # folded, for prefix completions
    body: str = SQLField(sa_type=sa.Text)
    type: str | None = SQLField(default=None, sa_type=sa.String(40))
    country_id: int | None = None
    city_key: str | None = None
    day: date | None = None
    year: int | None = None
    document: str | None = SQLField(
        default=None, sa_type=sa.Text().with_variant(TSVECTOR(), "postgresql")
    )
