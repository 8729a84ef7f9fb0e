"""Writes of translations, and of the per-language collation keys of names.

`save_translations` makes an item's translations exactly what a record says; every service that
writes an item's English text calls `after_write` so that what derives from the text of all
languages (the name keys, the search index: `api.content.search.service`) follows in the same
transaction.
"""

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Table, delete, select
from sqlmodel import Session, col

from api.content.search.service import index_translated
from api.content.service import Changes, Refs, WriteError, upsert
from api.content.spec import Translatable
from api.content.translations.models import NameKey, Translation
from api.locales import LANGUAGES, SOURCE, Language
from api.text import collation_key

# {lang: {field: text}} for the five languages other than English (a structured field's
# value: its structure, or its JSON text).
Texts = Mapping[Language, Mapping[str, Any]]


class TranslationsIn(BaseModel):
    """The seed's translations: {kind: {natural key: {lang: {field: text}}}}, and for menu
    labels, which are not items of their own, {English label: {lang: label}}."""

    model_config = ConfigDict(extra="forbid")

    items: dict[str, dict[str, dict[Language, dict[str, Any]]]] = Field(default_factory=dict)
    menu_labels: dict[str, dict[Language, str]] = Field(default_factory=dict)


def translatable_of(kind: str) -> Translatable | None:
    """The translatable kind of a table's rows (`editor_item.kind`), if its rows have any."""
    from api.registry import TRANSLATABLE  # the registry lists this content type too

    return next((t for t in TRANSLATABLE if t.kind == kind), None)


def translations_of(session: Session, kind: str, item_id: int) -> dict[str, dict[str, str]]:
    rows = session.execute(
        select(col(Translation.lang), col(Translation.field), col(Translation.text)).where(
            col(Translation.kind) == kind, col(Translation.item_id) == item_id
        )
    )
    found: dict[str, dict[str, str]] = {}
    for lang, field, text in rows:
        found.setdefault(lang, {})[field] = text
    return found


def stored_texts(translatable: Translatable, texts: Texts) -> dict[tuple[str, str], str]:
    """{(lang, field): stored text} of written translations, checked: languages other than
    English (the item's own document), the kind's translatable fields, non-empty text (a
    structured field: its structure, checked by its format). A WriteError names the fault."""
    stored: dict[tuple[str, str], str] = {}
    for lang, fields in texts.items():
        if lang == SOURCE:
            raise WriteError(f"{translatable.kind}: English is the item's own text")
        unknown = set(fields) - set(translatable.fields)
        if unknown:
            raise WriteError(
                f"{translatable.kind}: no translatable field {sorted(unknown)} "
                f"(it has {', '.join(translatable.fields)})"
            )
        for field, value in fields.items():
            structured = translatable.structured.get(field)
            if structured is not None:
                try:
                    stored[lang, field] = structured.write(value)
                except ValueError as exc:
                    raise WriteError(f"{lang}.{field}: {exc}") from None
            elif not isinstance(value, str) or not value.strip():
                raise WriteError(f"{lang}.{field}: a translation is a non-empty text")
            else:
                stored[lang, field] = value
    return stored


def save_translations(
    session: Session, changes: Changes, translatable: Translatable, item_id: int, texts: Texts
) -> None:
    """Make the translations of one item exactly `texts` (checked by `stored_texts`)."""
    wanted = stored_texts(translatable, texts)
    for (lang, field), text in wanted.items():
        key = {"kind": translatable.kind, "item_id": item_id, "lang": lang, "field": field}
        upsert(session, changes, Translation, key, {"text": text})
    existing = session.execute(
        select(col(Translation.id), col(Translation.lang), col(Translation.field)).where(
            col(Translation.kind) == translatable.kind, col(Translation.item_id) == item_id
        )
    ).all()
    gone = [row_id for row_id, lang, field in existing if (lang, field) not in wanted]
    if gone:
        session.execute(delete(Translation).where(col(Translation.id).in_(gone)))
        changes.add("translation", "deleted", len(gone))
    session.flush()
    index_translated(session, translatable.kind, item_id)


def forget_gone(session: Session, translatables: Iterable[Translatable]) -> None:
    """Delete the translations and name keys of these kinds' rows that no longer exist. A
    row's id may be given again (SQLite gives a new row the largest id plus one): a new row
    must not inherit the texts of one deleted."""
    for translatable in translatables:
        ids = select(translatable.table.c.id)
        for model in (Translation, NameKey):
            session.execute(
                delete(model).where(
                    col(model.kind) == translatable.kind, col(model.item_id).not_in(ids)
                )
            )


def forget_deleted(session: Session, deleted: Table) -> None:
    """After rows of `deleted` were deleted: `forget_gone` for its translatable rows and for
    those whose rows went with them (a menu's nodes, by their foreign key)."""
    from api.registry import TRANSLATABLE  # the registry lists this content type too

    forget_gone(session, [
        t for t in TRANSLATABLE
        if t.table is deleted or any(fk.column.table is deleted for fk in t.table.foreign_keys)
    ])  # fmt: skip


def save_name_keys(
    session: Session, changes: Changes, translatable: Translatable, item_id: int, english: str
) -> None:
    """The collation key of the item's name in each language (English where untranslated),
    in the list the item is in (`Translatable.sorted_within`)."""
    field = translatable.sorted_by
    if field is None:
        return
    part = ""
    if translatable.sorted_within is not None:
        table = translatable.table
        part = session.execute(
            select(table.c[translatable.sorted_within]).where(table.c.id == item_id)
        ).scalar_one()
    names = {lang: fields.get(field) for lang, fields in translations_of(
        session, translatable.kind, item_id).items()}  # fmt: skip
    for lang in LANGUAGES:
        name = names.get(lang) or english
        key = {"kind": translatable.kind, "item_id": item_id, "lang": lang}
        upsert(session, changes, NameKey, key, {"part": part, "key": collation_key(name, lang)})


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`translations.json`: names from CLDR (through Babel) and hand-written labels."""
    from api.content.menus.models import MenuNode
    from api.registry import TRANSLATABLE  # the registry lists this content type too

    path = seed_dir / "translations.json"
    try:
        record = TranslationsIn.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise WriteError(f"{path}: {exc}") from None
    by_kind = {t.kind: t for t in TRANSLATABLE}
    for kind, items in record.items.items():
        translatable = by_kind.get(kind)
        if translatable is None:
            raise WriteError(f"{path}: no translatable kind {kind!r}")
        column = translatable.table.c[translatable.key]
        rows = session.execute(
            select(translatable.table.c.id, column, *_name_column(translatable))
        ).all()
        ids = {row[1]: row for row in rows}
        for natural, texts in items.items():
            row = ids.get(natural)
            if row is None:
                raise WriteError(f"{path}: no {kind} {natural!r}")
            save_translations(session, changes, translatable, row[0], texts)
            if translatable.sorted_by:
                save_name_keys(session, changes, translatable, row[0], row[2])
    labels = by_kind["menu_node"]
    nodes = session.execute(select(MenuNode.id, MenuNode.label)).all()  # type: ignore[call-overload]
    for node_id, label in nodes:
        found = record.menu_labels.get(label)
        if found:
            by_lang = {lang: {"label": text} for lang, text in found.items()}
            save_translations(session, changes, labels, node_id, by_lang)


def _name_column(translatable: Translatable) -> list[Any]:
    field = translatable.sorted_by
    return [translatable.table.c[field]] if field else []
