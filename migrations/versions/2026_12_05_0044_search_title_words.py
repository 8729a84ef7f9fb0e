"""PostgreSQL's completions read a B-tree of title words, not a GIN index

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-05 22:00:00+00:00

A GIN index answers a prefix (`'ber':*`) with a bitmap of every entry that matches before the
first row is read: 22 ms for the 32,000 titles that name Berlin or Bern at a million news, so
completions of a capital took 10 to 27 ms. `search_title_word` holds each word of each
entry's title (folded, as the `simple` configuration splits it) with the entry's id, keyed on
the word in byte order: a prefix is a range of that key, read in order and left after the
first `:candidates` entries, however many match.

Triggers on `search_entry` keep it in step, one statement at a time (the rows a statement
inserted, deleted or retitled, as transition tables; a TRUNCATE empties it): in the
transaction that writes the entries, whichever code writes them. SQLite completes from its
FTS5 index and its prefix indexes (migration 0045); it has neither table nor triggers.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0044"
down_revision: str | None = "0043"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The words of an entry's title, as the completions match them.
WORDS = "unnest(tsvector_to_array(to_tsvector('simple', {row}.title_key)))"
# The words of the entries `{rows}` (a relation with id and title_key), taken out by their key
# (so that removing one entry reads a few rows of the primary key, not the table), and put in.
REMOVE = (
    f"DELETE FROM search_title_word AS w USING (SELECT {WORDS.format(row='r')} AS word, r.id "
    "FROM {rows} AS r) AS x WHERE w.word = x.word AND w.entry_id = x.id;"
)
ADD = f"INSERT INTO search_title_word SELECT {WORDS.format(row='r')}, r.id FROM {{rows}} AS r;"
# The old and the new version of the entries an update retitled.
RETITLED = (
    "(SELECT {side}.id, {side}.title_key FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id"
    " WHERE n.title_key IS DISTINCT FROM o.title_key)"
)
# Each trigger of `search_entry` (statement-level, with its transition tables) and its body.
TRIGGERS = {
    "cleared": ("TRUNCATE", "", "TRUNCATE search_title_word;"),
    "removed": ("DELETE", "OLD TABLE AS old_rows", REMOVE.format(rows="old_rows")),
    "added": ("INSERT", "NEW TABLE AS new_rows", ADD.format(rows="new_rows")),
    "retitled": (
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        REMOVE.format(rows=RETITLED.format(side="o")) + ADD.format(rows=RETITLED.format(side="n")),
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        'CREATE TABLE search_title_word (word TEXT COLLATE "C" NOT NULL, '
        "entry_id INTEGER NOT NULL, PRIMARY KEY (word, entry_id))"
    )
    op.execute(ADD.format(rows="search_entry"))
    for name, (event, tables, body) in TRIGGERS.items():
        op.execute(
            f"CREATE FUNCTION search_title_words_{name}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {body} RETURN NULL; END $$"
        )
        referencing = f"REFERENCING {tables} " if tables else ""
        op.execute(
            f"CREATE TRIGGER search_title_words_{name} AFTER {event} ON search_entry "
            f"{referencing}FOR EACH STATEMENT EXECUTE FUNCTION search_title_words_{name}()"
        )
    op.execute("DROP INDEX ix_search_entry_title_words")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_search_entry_title_words ON search_entry "
        "USING gin (to_tsvector('simple', title_key))"
    )
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER search_title_words_{name} ON search_entry")
        op.execute(f"DROP FUNCTION search_title_words_{name}()")
    op.execute("DROP TABLE search_title_word")
