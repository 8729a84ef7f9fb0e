"""An item's translations as the editor API reads and writes them: `{lang: {name: text}}`.

For most collections a name is one of the item's translatable fields (`Fields`). A menu is one
document, a tree of nodes, and its translations are its nodes' labels, each named by its node's
key (`NodeLabels`: `{"fr": {"about-us": "Qui sommes-nous"}}`). Either is read and written
whole, a write in the transaction of a revision (`api.editor.service.translate_item`).
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from api.content.menus.models import Menu, MenuNode
from api.content.menus.service import TRANSLATABLE as MENU_NODES
from api.content.service import Changes, WriteError
from api.content.spec import Translatable
from api.content.translations.service import (
    Texts,
    save_name_keys,
    save_translations,
    stored_texts,
    translatable_of,
    translations_of,
)
from api.editor.collections import EditorCollection

# {lang: {name: text}}, as stored (a structured field as its JSON text)
Stored = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Fields:
    """The translatable fields of the item itself."""

    translatable: Translatable

    @property
    def names(self) -> str:
        return ", ".join(f"`{field}`" for field in self.translatable.fields)

    def read(self, session: Session, item_id: int) -> Stored:
        return dict(translations_of(session, self.translatable.kind, item_id))

    def shown(self, texts: Stored) -> Stored:
        """As the API shows them: a structured field (a page's body) as its structure."""
        for fields in texts.values():
            for name, structured in self.translatable.structured.items():
                if name in fields:
                    fields[name] = structured.read(fields[name])
        return texts

    def check(self, session: Session, item_id: int, lang: str, texts: dict[str, Any]) -> None:
        stored_texts(self.translatable, {lang: texts})  # type: ignore[dict-item]

    def write(self, session: Session, row: Any, texts: Texts) -> None:
        """Make the row's translations `texts`; its name's collation keys follow them."""
        translatable = self.translatable
        save_translations(session, Changes(), translatable, row.id, texts)
        if translatable.sorted_by:
            english = getattr(row, translatable.sorted_by)
            save_name_keys(session, Changes(), translatable, row.id, english)


@dataclass(frozen=True)
class NodeLabels:
    """A menu's translations: its nodes' labels, by node key."""

    names = "the labels of its nodes, by node key (`about-us`, `about-us/our-history`)"

    @staticmethod
    def _nodes(session: Session, menu_id: int) -> dict[str, int]:
        rows = session.exec(select(MenuNode.key, MenuNode.id).where(MenuNode.menu_id == menu_id))
        return {key: int(node_id or 0) for key, node_id in rows}

    def read(self, session: Session, item_id: int) -> Stored:
        found: Stored = {}
        for key, node_id in sorted(self._nodes(session, item_id).items()):
            for lang, fields in translations_of(session, MENU_NODES.kind, node_id).items():
                found.setdefault(lang, {})[key] = fields["label"]
        return found

    def shown(self, texts: Stored) -> Stored:
        return texts

    def check(self, session: Session, item_id: int, lang: str, texts: dict[str, Any]) -> None:
        unknown = sorted(set(texts) - set(self._nodes(session, item_id)))
        if unknown:
            raise WriteError(f"menu_node: the menu has no node {unknown}")
        for key, label in texts.items():
            if not isinstance(label, str) or not label.strip():
                raise WriteError(f"{lang}.{key}: a label is a non-empty text")

    def write(self, session: Session, row: Any, texts: Texts) -> None:
        """Make each node's label translations what `texts` names for its key."""
        for key, node_id in self._nodes(session, row.id).items():
            labels = {lang: {"label": by_key[key]} for lang, by_key in texts.items()
                      if key in by_key}  # fmt: skip
            save_translations(session, Changes(), MENU_NODES, node_id, labels)


ItemTexts = Fields | NodeLabels


def translations_for(collection: EditorCollection) -> ItemTexts | None:
    """What the collection's items have as translations (None: nothing)."""
    if collection.row is Menu:
        return NodeLabels()
    translatable = translatable_of(collection.kind)
    return Fields(translatable) if translatable is not None else None
