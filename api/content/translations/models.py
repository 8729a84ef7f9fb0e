"""Translations: the texts of an item in the five languages other than English.

An item's language-neutral facts (dates, codes, coordinates, slugs) and its English text live
in its own row; each translated text is a row here, named by the item's kind ("country",
"news", ...), its id, the language and the public field it replaces. A collation key per item
and language orders lists by name in that language (`api.text.collation_key`), the same on
SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

# Binary order on both databases (PostgreSQL needs collation "C"); keys are hex, 4 digits a weight.
KeyText = sa.String(1000).with_variant(sa.String(1000, collation="C"), "postgresql")


class Translation(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("kind", "item_id", "lang", "field"),
        # A page's translations: one kind, one language, the page's ids.
        sa.Index("ix_translation_kind_lang_item_id", "kind", "lang", "item_id"),
    )

    id: int | None = SQLField(default=None, primary_key=True)
    kind: str = SQLField(sa_type=sa.String(32))
    item_id: int
    lang: str = SQLField(sa_type=sa.String(2))
    field: str = SQLField(sa_type=sa.String(40))
    text: str = SQLField(sa_type=sa.Text)


class NameKey(SQLModel, table=True):
    """The collation key of an item's name in each of the six languages (its own, or the one it
    falls back to), for lists sorted by name. `part`: which list of its kind the item is in,
    where one table holds several (a country's `kind`: States and partners), so that a list
    reads its own keys only; empty otherwise."""

    __tablename__ = "name_key"
    __table_args__ = (
        sa.UniqueConstraint("kind", "item_id", "lang"),
        sa.Index("ix_name_key_kind_part_lang_key", "kind", "part", "lang", "key", "item_id"),
    )

    id: int | None = SQLField(default=None, primary_key=True)
    kind: str = SQLField(sa_type=sa.String(32))
    item_id: int
    lang: str = SQLField(sa_type=sa.String(2))
    part: str = SQLField(default="", sa_type=sa.String(40), sa_column_kwargs={"server_default": ""})
    key: str = SQLField(sa_type=KeyText)
