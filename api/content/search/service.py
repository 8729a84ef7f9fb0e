"""Writes of the search index. Every service that writes a searchable item calls `index_item`
in its transaction, and so does the translations service: the index is never behind.

An item has an English entry and one per language it has a translated text in; each entry
holds the item's texts in that language, English where a field is not translated. Writing an
item whose entries would not change writes nothing (a seed loaded twice changes nothing).
`reindex` rebuilds the whole index in batches (`content-api reindex`).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Text,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, REGCONFIG
from sqlmodel import Session, col

from api.content.search.analysis import STEMMERS, folded, terms
from api.content.search.models import SearchEntry
from api.content.spec import Searchable
from api.content.translations.models import Translation
from api.locales import LANGUAGES, SOURCE
from api.text import fold

BATCH = 2000
# SQLite's: the stems a search matches and ranks, and the title words completions match.
FTS5_TABLES = ("search_fts", "search_title_fts")
WEIGHT_A: Any = literal_column("'A'")
WEIGHT_B: Any = literal_column("'B'")
ENGLISH: Any = literal_column("'english'::regconfig")  # setweight takes a "char"
# What an entry is compared on to tell whether it changed.
COMPARED = ("translated", "slug", "title", "body", "type", "country_id", "city_key", "day")


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value  # type: ignore[no-any-return]


def _read(searchable: Searchable, field: str, value: str | None) -> str:
    """A field's searchable text: the value itself, or what the collection's reader makes of it."""
    if not value:
        return ""
    reader = searchable.readers.get(field)
    return reader(value) if reader else value


def entries_of(
    searchable: Searchable, row: Any, texts: Mapping[str, Mapping[str, str]]
) -> list[dict[str, Any]]:
    """The entries of one published row with its translations ({lang: {field: text}})."""
    fields = (searchable.title, *searchable.text)
    own = [
        lang
        for lang in LANGUAGES
        if lang != SOURCE and any(texts.get(lang, {}).get(field) for field in fields)
    ]
    translated = sum(1 << LANGUAGES.index(lang) for lang in own)
    day = _day(row[searchable.date]) if searchable.date else None
    common = {
        "collection": searchable.collection,
        "item_id": row["id"],
        "slug": row["slug"],
        "type": row[searchable.type] if searchable.type else searchable.type_value,
        "country_id": row[searchable.country] if searchable.country else None,
        "city_key": row[searchable.city] if searchable.city else None,
        "day": day,
        "year": day.year if day else None,
    }
    entries = []
    for lang in (SOURCE, *own):
        values = {f: _read(searchable, f, texts.get(lang, {}).get(f) or row[f]) for f in fields}
        body = " ".join(values[f] for f in searchable.text if values[f])
        title = values[searchable.title]
        entries.append(
            common
            | {
                "lang": lang,
                "translated": translated if lang == SOURCE else 0,
                "title": title,
                "title_key": fold(title),
                "body": body,
                # An entry in another language is found by the English title too.
                "source_title": "" if lang == SOURCE else row[searchable.title],
            }
        )
    return entries


def _stored(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry's columns (the English title of a translated entry is indexed, not kept)."""
    return {k: v for k, v in entry.items() if k != "source_title"}


def _remove(connection: Connection, collection: str, item_ids: Iterable[int] | None) -> None:
    """The entries of these items of a collection (of all its items with None)."""
    where = [col(SearchEntry.collection) == collection]
    if item_ids is not None:
        where.append(col(SearchEntry.item_id).in_(list(item_ids)))
    if connection.dialect.name == "sqlite":
        ids = select(col(SearchEntry.id)).where(*where)
        found = {"ids": "[" + ",".join(str(i) for i in connection.execute(ids).scalars()) + "]"}
        for name in FTS5_TABLES:
            connection.execute(
                text(f"DELETE FROM {name} WHERE rowid IN (SELECT value FROM json_each(:ids))"),
                found,
            )
    connection.execute(delete(SearchEntry).where(*where))


def _texts(
    connection: Connection, kind: str, item_ids: Sequence[int]
) -> dict[int, dict[str, dict[str, str]]]:
    rows = connection.execute(
        select(
            col(Translation.item_id), col(Translation.lang), col(Translation.field),
            col(Translation.text),
        ).where(col(Translation.kind) == kind, col(Translation.item_id).in_(item_ids))
    )  # fmt: skip
    found: dict[int, dict[str, dict[str, str]]] = {}
    for item_id, lang, field, value in rows:
        found.setdefault(item_id, {}).setdefault(lang, {})[field] = value
    return found


def _published_rows(searchable: Searchable, item_ids: Sequence[int] | None) -> Any:
    table = searchable.translatable.table
    statement = select(table).where(table.c.publication_status == "published", *searchable.where)
    if item_ids is not None:
        statement = statement.where(table.c.id.in_(item_ids))
    return statement.order_by(table.c.id)


def index_item(session: Session, searchable: Searchable, item_id: int) -> None:
    """Make the entries of one item what its row and translations say (none for a draft)."""
    connection = session.connection()
    row = connection.execute(_published_rows(searchable, [item_id])).mappings().one_or_none()
    wanted = []
    if row is not None:
        texts = _texts(connection, searchable.translatable.kind, [item_id])
        wanted = entries_of(searchable, row, texts.get(item_id, {}))
    existing = connection.execute(
        select(SearchEntry).where(
            col(SearchEntry.collection) == searchable.collection,
            col(SearchEntry.item_id) == item_id,
        )
    ).mappings()
    have = {e["lang"]: tuple(_day(e[c]) if c == "day" else e[c] for c in COMPARED)
            for e in existing}  # fmt: skip
    want = {e["lang"]: tuple(e[c] for c in COMPARED) for e in wanted}
    # The index's terms follow from the compared columns (and the row's English title, which
    # an English entry holds), save for a change of analysis: `content-api reindex` then.
    if have == want:
        return
    _remove(connection, searchable.collection, [item_id])
    _write_many(connection, wanted)


def index_translated(session: Session, kind: str, item_id: int) -> None:
    """After an item's translations changed: its entries in every collection it is in."""
    from api.registry import SEARCHABLE  # the registry imports the services

    for searchable in SEARCHABLE:
        if searchable.translatable.kind == kind:
            index_item(session, searchable, item_id)


def reindex(session: Session, searchables: Iterable[Searchable]) -> dict[str, int]:
    """Rebuild the entries of these collections from their rows; entries written, by
    collection."""
    connection = session.connection()
    written: dict[str, int] = {}
    for searchable in searchables:
        _remove(connection, searchable.collection, None)
        count = 0
        table = searchable.translatable.table
        ids = connection.execute(
            _published_rows(searchable, None).with_only_columns(table.c.id)
        ).scalars().all()  # fmt: skip
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            batch = connection.execute(_published_rows(searchable, chunk)).mappings().all()
            texts = _texts(connection, searchable.translatable.kind, chunk)
            entries = [e for r in batch for e in entries_of(searchable, r, texts.get(r["id"], {}))]
            _write_many(connection, entries)
            count += len(entries)
        written[searchable.collection] = count
    if connection.dialect.name == "sqlite":
        # FTS5 keeps what was written in batches as several segments, each read by every
        # query: merged into one, a ranked search at a million entries took 5% less at the
        # median and a quarter less at the 90th percentile (bench/README.md).
        for name in FTS5_TABLES:
            connection.execute(text(f"INSERT INTO {name} ({name}) VALUES ('optimize')"))
    return written


# The columns an entry writes on PostgreSQL (all but its id and the `document` made from the
# texts in `_SOURCES`).
_COLUMNS = tuple(
    c.name for c in SearchEntry.__table__.columns  # type: ignore[attr-defined]
    if c.name not in ("id", "document")
)  # fmt: skip
_SOURCES = ("title_text", "body_text", "source_text", "config")
ROWS_PER_STATEMENT = 1000


@cache
def _postgresql_insert() -> Any:
    """`INSERT … SELECT` of the entries of one JSON array (`jsonb_to_recordset`), the document
    of each made by its language's configuration: one statement for many entries. One
    statement per entry fired the version trigger once each, and every firing updated the one
    `content_version` row again in the same transaction: a chain of row versions PostgreSQL
    walks on each update, so reindexing a million entries slowed to a crawl (bench/README.md)."""
    table = SearchEntry.__table__  # type: ignore[attr-defined]
    rows = (
        func.jsonb_to_recordset(cast(bindparam("rows", type_=Text), JSONB))
        .table_valued(*(column(name, table.c[name].type) for name in _COLUMNS),
                      *(column(name, Text) for name in _SOURCES))
        .render_derived(name="r", with_types=True)
    )  # fmt: skip
    config = cast(rows.c.config, REGCONFIG)
    title = func.to_tsvector(config, rows.c.title_text).op("||")(
        func.to_tsvector(ENGLISH, rows.c.source_text)
    )
    document = func.setweight(title, WEIGHT_A).op("||")(
        func.setweight(func.to_tsvector(config, rows.c.body_text), WEIGHT_B)
    )
    selected = select(*(rows.c[name] for name in _COLUMNS), document)
    return insert(SearchEntry).from_select([*_COLUMNS, "document"], selected)


def _write_many(connection: Connection, entries: Sequence[dict[str, Any]]) -> None:
    """Many entries at once: one INSERT of all of them (and of their FTS5 rows)."""
    if not entries:
        return
    if connection.dialect.name == "postgresql":
        rows = [
            {name: e[name] for name in _COLUMNS}
            | {"title_text": folded(e["title"]), "body_text": folded(e["body"]),
               "source_text": folded(e["source_title"]), "config": STEMMERS[e["lang"]]}
            for e in entries
        ]  # fmt: skip
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = orjson.dumps(rows[start : start + ROWS_PER_STATEMENT]).decode()
            connection.execute(_postgresql_insert(), {"rows": chunk})
        return
    statement = insert(SearchEntry).returning(col(SearchEntry.id), sort_by_parameter_order=True)
    ids = connection.execute(statement, [_stored(e) for e in entries]).scalars().all()
    written = list(zip(ids, entries, strict=True))
    connection.execute(
        text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
        [
            {
                "id": i,
                "title": f"{terms(e['title'], e['lang'])} {terms(e['source_title'], SOURCE)}",
                "body": terms(e["body"], e["lang"]),
            }
            for i, e in written
        ],
    )
    connection.execute(
        text("INSERT INTO search_title_fts (rowid, words) VALUES (:id, :words)"),
        [{"id": i, "words": folded(e["title"])} for i, e in written],
    )
