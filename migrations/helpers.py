"""What several migrations do the same way.

Every table whose rows the API serves bumps `content_version` on every write, by triggers that
the migration creating the table adds with `create_version_triggers`. On SQLite, a batch
operation (`op.batch_alter_table`) rebuilds its table and loses the table's triggers: a
migration that alters a content table in batch mode adds them again afterwards.
`tests/test_registry.py` checks that every table the registry lists has them.

The tables the in-memory catalog reads (`api/content/catalog.py`: countries, topics, menus,
translations …) also bump `content_version.catalog_version` (`create_catalog_triggers`, since
migration 0041), so that a worker reloads its catalog only when one of them changes, not on
every save of a news item; a migration that rebuilds one of them adds those again too.
`tests/test_registry.py` checks that every table the catalog reads has them.
"""

from alembic import op

POSTGRESQL_BUMP = """
CREATE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE new_version bigint;
BEGIN
    UPDATE content_version SET version = version + 1, changed_at = now() WHERE id = 1
        RETURNING version INTO new_version;
    PERFORM pg_notify('content_version', new_version || ' ' || extract(epoch FROM now()));
    RETURN NULL;
END
$$
"""
SQLITE_EVENTS = ("insert", "update", "delete")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_bump_function() -> None:
    """The PostgreSQL function the triggers call (SQLite triggers carry their statement)."""
    if _postgresql():
        op.execute(POSTGRESQL_BUMP)


def drop_bump_function() -> None:
    if _postgresql():
        op.execute("DROP FUNCTION bump_content_version()")


SQLITE_VERSION_BUMP = (
    "UPDATE content_version SET version = version + 1,"
    " changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = 1"
)


def _create_triggers(tables: tuple[str, ...], counter: str, sqlite_statement: str) -> None:
    """`{table}_bumps_{counter}` triggers: on PostgreSQL one per statement calling
    `bump_{counter}()`, on SQLite one per event and row running `sqlite_statement`."""
    for table in tables:
        if _postgresql():
            op.execute(
                f"CREATE TRIGGER {table}_bumps_{counter}"
                f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION bump_{counter}()"
            )
            continue
        for event in SQLITE_EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_{event}_bumps_{counter}"
                f" AFTER {event.upper()} ON {table} BEGIN {sqlite_statement}; END"
            )


def _drop_triggers(tables: tuple[str, ...], counter: str) -> None:
    for table in tables:
        if _postgresql():
            op.execute(f"DROP TRIGGER {table}_bumps_{counter} ON {table}")
            continue
        for event in SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_bumps_{counter}")


def create_version_triggers(*tables: str) -> None:
    """Any write to these tables bumps the content version, in the writing transaction."""
    _create_triggers(tables, "content_version", SQLITE_VERSION_BUMP)


def drop_version_triggers(*tables: str) -> None:
    _drop_triggers(tables, "content_version")


POSTGRESQL_CATALOG_BUMP = """
CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_version SET catalog_version = catalog_version + 1 WHERE id = 1;
    RETURN NULL;
END
$$
"""
SQLITE_CATALOG_BUMP = (
    "UPDATE content_version SET catalog_version = catalog_version + 1 WHERE id = 1"
)


def create_catalog_triggers(*tables: str) -> None:
    """Any write to these tables bumps the catalog version too (the function exists since
    migration 0041)."""
    _create_triggers(tables, "catalog_version", SQLITE_CATALOG_BUMP)


def drop_catalog_triggers(*tables: str) -> None:
    _drop_triggers(tables, "catalog_version")
