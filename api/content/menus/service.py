"""Writes of menus: each node is keyed by the slugs of its labels from the root, points to at
most one item of the API, and keeps its place among its siblings."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from api.content.menus.models import Menu, MenuIn, MenuNode, MenuNodeIn, ResourceType
from api.content.service import Changes, Refs, read_records, upsert
from api.content.spec import Translatable
from api.content.translations.service import forget_deleted
from api.db import table
from api.text import slugify

# The column of a node that points to an item of each type, and the kind its slug names.
TRANSLATABLE = Translatable("menu_node", table(MenuNode), ("label",), key="key")


RESOURCE_COLUMNS = {
    ResourceType.state: ("country_id", "state"),
    ResourceType.partner: ("country_id", "partner"),
    ResourceType.field_operation: ("field_operation_id", "field-operation"),
    ResourceType.topic: ("topic_id", "topic"),
    ResourceType.institution: ("institution_id", "institution"),
}


def menu_node_values(node: MenuNodeIn, refs: Refs) -> dict[str, Any]:
    values: dict[str, Any] = {"label": node.label, "path": node.path, "url": node.url}
    values |= {column: None for column, _ in RESOURCE_COLUMNS.values()}
    if node.resource is not None:
        column, kind = RESOURCE_COLUMNS[node.resource.type]
        values[column] = refs.id(kind, node.resource.slug)
    return values


def _save_nodes(
    session: Session,
    refs: Refs,
    changes: Changes,
    menu_id: int | None,
    nodes: Sequence[MenuNodeIn],
    parent: MenuNode | None,
) -> set[str]:
    """Write the nodes of this level and below; the keys of every node written."""
    keys: set[str] = set()
    for position, node in enumerate(nodes, 1):
        key = f"{parent.key}/{slugify(node.label)}" if parent else slugify(node.label)
        values = menu_node_values(node, refs) | {
            "parent_id": parent.id if parent else None,
            "position": position,
        }
        row = upsert(session, changes, MenuNode, {"menu_id": menu_id, "key": key}, values)
        keys |= {key, *_save_nodes(session, refs, changes, menu_id, node.children, row)}
    return keys


def save_menu(
    session: Session, refs: Refs, changes: Changes, record: MenuIn, position: int
) -> Menu:
    menu = upsert(
        session, changes, Menu, {"slug": record.slug}, {"name": record.name, "position": position}
    )
    kept = _save_nodes(session, refs, changes, menu.id, record.nodes, None)
    # A node moved or renamed has a new key: its old row goes (with its old children).
    gone = [row.id for row in session.exec(select(MenuNode).where(MenuNode.menu_id == menu.id))
            if row.key not in kept]  # fmt: skip
    if gone:
        session.execute(delete(MenuNode).where(col(MenuNode.id).in_(gone)))
        changes.add("menu_node", "deleted", len(gone))
        forget_deleted(session, table(MenuNode))
    session.flush()
    return menu


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`menus.json`, in the website's order."""
    for position, record in enumerate(read_records(seed_dir / "menus.json", MenuIn), 1):
        save_menu(session, refs, changes, record, position)
