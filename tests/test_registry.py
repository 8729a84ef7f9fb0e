"""The registry: every content table is in it, bumps the content version, and is written only
by its content type's service."""

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.util import find_tables

from api.config import PROJECT_ROOT
from api.content import catalog
from api.db import metadata
from api.read.reader import Fixed
from api.registry import CONTENT_TABLES, CONTENT_TYPES, seed_order
from tests.conftest import TestDatabase, migrate

# Tables the API keeps for itself, not content (the editor API's: `api/editor/models.py`).
BOOKKEEPING = {"content_version"} | {
    "api_key", "editor_item", "revision", "audit_log", "idempotency_record", "slug_redirect",
    "webhook_subscription", "webhook_event", "webhook_delivery",
}  # fmt: skip


def test_every_table_of_the_schema_belongs_to_a_content_type() -> None:
    registered = {table.name for table in CONTENT_TABLES}
    assert registered == set(metadata.tables) - BOOKKEEPING
    assert len(registered) == len(CONTENT_TABLES), "a table listed by two content types"


def _triggers(database: TestDatabase) -> set[str]:
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if database.backend == "sqlite"
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    with database.engine.connect() as connection:
        return set(connection.execute(text(sql)).scalars())


def _bumping(database: TestDatabase, table: str, counter: str) -> set[str]:
    """The triggers by which writes to `table` bump `counter` (see migrations/helpers.py)."""
    if database.backend == "sqlite":
        return {f"{table}_{event}_bumps_{counter}" for event in ("insert", "update", "delete")}
    return {f"{table}_bumps_{counter}"}


def test_the_migrations_make_every_registered_table_bump_the_content_version(
    database: TestDatabase,
) -> None:
    found = _triggers(database)
    for table in CONTENT_TABLES:
        assert _bumping(database, table.name, "content_version") <= found, table.name


@pytest.mark.parametrize("table", [t.name for t in CONTENT_TABLES])
def test_a_write_to_any_content_table_bumps_the_version(
    empty_database: TestDatabase, table: str
) -> None:
    migrate(empty_database.engine)
    with empty_database.engine.begin() as connection:
        before = connection.execute(text("SELECT version FROM content_version")).scalar_one()
        # A delete of nothing still fires PostgreSQL's statement triggers; on SQLite, row
        # triggers need a row, so SQLite is checked by its triggers' presence above.
        connection.execute(text(f"DELETE FROM {table} WHERE 1 = 0"))
        after = connection.execute(text("SELECT version FROM content_version")).scalar_one()
    expected = before + 1 if empty_database.backend == "postgresql" else before
    assert after == expected


def _catalog_tables() -> set[str]:
    """The tables the catalog's statements read, subqueries included, but the bookkeeping ones
    (the schedule guard reads `content_version`; `editor_item` has triggers of its own)."""
    statements = [v for v in vars(catalog).values() if isinstance(v, Fixed)]
    assert len(statements) >= 8
    found = set()
    for statement in statements:
        built = statement.build().compile(dialect=sqlite.dialect())
        found |= {t.name for t in find_tables(built.statement, include_crud=True)}
        found |= {
            name for name in metadata.tables if re.search(rf"\b(FROM|JOIN) {name}\b", str(built))
        }
    return found - BOOKKEEPING


def test_the_tables_the_catalog_reads_bump_the_catalog_version(database: TestDatabase) -> None:
    found = _triggers(database)
    tables = _catalog_tables()
    assert {"country", "topic", "menu_node", "translation", "event"} <= tables
    for table in tables:
        assert _bumping(database, table, "catalog_version") <= found, table


@pytest.mark.parametrize(
    ("statement", "moves"),
    [
        ("UPDATE topic SET name = name || '!' WHERE slug = 'youth'", True),
        ("UPDATE translation SET text = text || '!' WHERE id = (SELECT min(id) FROM translation)",
         True),
        ("UPDATE news SET title = title || '!' WHERE id = (SELECT min(id) FROM news)", False),
        ("UPDATE editor_item SET revision = revision + 1 WHERE kind = 'topic'", True),
        ("UPDATE editor_item SET revision = revision + 1 WHERE kind = 'news'", False),
    ],
)  # fmt: skip
def test_only_writes_to_what_the_catalog_reads_move_the_catalog_version(
    database: TestDatabase, statement: str, moves: bool
) -> None:
    read = "SELECT version, catalog_version FROM content_version"
    with database.engine.begin() as connection:
        version, catalog_version = connection.execute(text(read)).one()
        assert connection.execute(text(statement)).rowcount > 0
        after = connection.execute(text(read)).one()
        connection.rollback()
    assert after[0] > version  # every write moves the content version
    assert (after[1] > catalog_version) == moves  # once a statement, or a row on SQLite


def test_each_content_type_is_seeded_after_those_it_refers_to() -> None:
    order = [t.name for t in seed_order()]
    assert sorted(order) == sorted(t.name for t in CONTENT_TYPES)
    for content_type in CONTENT_TYPES:
        for earlier in content_type.after:
            assert order.index(earlier) < order.index(content_type.name), content_type.name


# Calls that write content, and the modules allowed to make them: the services.
WRITES = {"upsert", "sync_links", "add", "add_all", "delete", "merge", "bulk_save_objects"}
WRITERS = {"api/content/service.py"}


def _writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = name or (node.func.id if isinstance(node.func, ast.Name) else None)
            if name in WRITES:
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {name}()")
    return found


# The formats build documents (icalendar's `Component.add`), never rows: they hold no session.
DOCUMENT_BUILDERS = PROJECT_ROOT / "api" / "formats"


def test_only_the_services_write_content() -> None:
    outside = [
        write
        for path in sorted((PROJECT_ROOT / "api").rglob("*.py"))
        if path.name != "service.py" and path.parent != DOCUMENT_BUILDERS
        for write in _writes(path)
    ]
    assert outside == []
    builders = "\n".join(p.read_text() for p in DOCUMENT_BUILDERS.glob("*.py"))
    assert "Session" not in builders
    assert "api.db" not in builders
    services = sorted((PROJECT_ROOT / "api" / "content").rglob("service.py"))
    assert {str(p.relative_to(PROJECT_ROOT)) for p in services} >= WRITERS
    assert all(_writes(p) for p in services if p.parent.name != "content")
