"""Alembic owns the schema: migrations build it from nothing, match the models, and reverse."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.db import metadata
from api.health import migration_head
from tests.conftest import TestDatabase, migrate


def _drift(database: TestDatabase) -> list[object]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def _tables(database: TestDatabase) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_on_an_empty_database_creates_every_table(empty_database: TestDatabase) -> None:
    migrate(empty_database.engine)
    assert _tables(empty_database) == set(metadata.tables)


def test_models_and_migrations_do_not_drift(empty_database: TestDatabase) -> None:
    migrate(empty_database.engine)
    assert _drift(empty_database) == []


def test_downgrade_to_base_and_upgrade_again(empty_database: TestDatabase) -> None:
    migrate(empty_database.engine)
    migrate(empty_database.engine, "base", down=True)
    assert _tables(empty_database) == set()
    migrate(empty_database.engine)
    assert _tables(empty_database) == set(metadata.tables)
    assert _drift(empty_database) == []


def test_there_is_a_single_head() -> None:
    assert migration_head() is not None
