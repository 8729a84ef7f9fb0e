"""SQLite's completions read their own FTS5 table; the search's holds the stems alone

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-05 22:30:00+00:00

`search_fts` held three columns: the stems of an entry's title and of its text, which the search
matches and ranks, and its title's words as typed, which only completions match. A search
therefore named its columns (`{title body} : …`), and a column filter makes FTS5 read the
positions of every row of each term's list to learn its column: BM25 counts the rows of each
term once a query, so a ranked search of a common word with a capital took 66 ms at the
median at a million news, and 28 ms without the filter. The title words move to
`search_title_fts`, with the prefix indexes of 2 and 3 letters that only completions use;
`search_fts` keeps the stems, and no query names a column.

PostgreSQL has neither table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0045"
down_revision: str | None = "0044"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE search_title_fts USING fts5(words, {TOKENIZE}, prefix = '2 3')"
    )
    op.execute("INSERT INTO search_title_fts (rowid, words) SELECT rowid, words FROM search_fts")
    op.execute(f"CREATE VIRTUAL TABLE search_stems_fts USING fts5(title, body, {TOKENIZE})")
    op.execute(
        "INSERT INTO search_stems_fts (rowid, title, body)"
        " SELECT rowid, title, body FROM search_fts"
    )
    op.execute("DROP TABLE search_fts")
    op.execute("ALTER TABLE search_stems_fts RENAME TO search_fts")
    for name in ("search_fts", "search_title_fts"):
        op.execute(f"INSERT INTO {name} ({name}) VALUES ('optimize')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE search_all_fts USING fts5(title, body, words, {TOKENIZE}, "
        "prefix = '2 3')"
    )
    op.execute(
        "INSERT INTO search_all_fts (rowid, title, body, words) SELECT s.rowid, s.title, s.body,"
        " t.words FROM search_fts AS s JOIN search_title_fts AS t ON t.rowid = s.rowid"
    )
    op.execute("DROP TABLE search_fts")
    op.execute("DROP TABLE search_title_fts")
    op.execute("ALTER TABLE search_all_fts RENAME TO search_fts")
