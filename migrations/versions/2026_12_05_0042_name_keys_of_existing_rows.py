"""The collation keys of the names of the States and partners already there

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05 00:00:00+00:00

0020 created `name_key` empty, and only the services write it: a database that had its
countries before 0020 listed none of them in another language than English (a list in another
language reads through these keys) until it was seeded again. This writes the missing keys as
the services do (`save_name_keys`): the name translated into the language, else the English
name, keyed by `api.text.collation_key`. Keys already there are left as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.text import collation_key

revision: str = "0042"
down_revision: str | None = "0041"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGUAGES = ("en", "fr", "de", "it", "ru", "es")  # api/locales.py at this revision


def upgrade() -> None:
    connection = op.get_bind()
    countries = connection.execute(sa.text("SELECT id, name FROM country")).all()
    present = {
        (row[0], row[1])
        for row in connection.execute(
            sa.text("SELECT item_id, lang FROM name_key WHERE kind = 'country'")
        )
    }
    translated = {
        (row[0], row[1]): row[2]
        for row in connection.execute(
            sa.text(
                "SELECT item_id, lang, text FROM translation"
                " WHERE kind = 'country' AND field = 'name'"
            )
        )
    }
    missing = [
        {
            "item_id": item_id,
            "lang": lang,
            "key": collation_key(translated.get((item_id, lang)) or name, lang),
        }
        for item_id, name in countries
        for lang in LANGUAGES
        if (item_id, lang) not in present
    ]
    if missing:
        connection.execute(
            sa.text(
                "INSERT INTO name_key (kind, item_id, lang, key)"
                " VALUES ('country', :item_id, :lang, :key)"
            ),
            missing,
        )


def downgrade() -> None:
    """Nothing to undo: the keys are what the services would have written."""
