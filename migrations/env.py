"""Alembic environment: runs migrations against DATABASE_URL, or a connection handed in."""

from alembic import context
from sqlalchemy import Connection

import api.editor.models
import api.registry  # noqa: F401 - registers every table on the metadata
from api.config import get_settings
from api.db import make_engine, metadata


def run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch operations rebuild tables; foreign keys are checked once they are all done.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()  # type: ignore[union-attr]
        driver.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = make_engine(get_settings())
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
