"""Fixtures: every test runs once per database backend, inside a transaction rolled back after it.

SQLite always runs. PostgreSQL runs too when TEST_POSTGRES_URL names a server (an admin URL such
as postgresql://postgres@127.0.0.1:5432/postgres); the suite then creates its own throw-away
databases there and drops them afterwards. If the URL is set and the server is unreachable, the
suite fails instead of quietly skipping PostgreSQL.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import Session

from api.config import PROJECT_ROOT, Settings
from api.db import get_session, make_engine
from api.main import create_app
from api.query import current_date
from api.seed import load_seed

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_ADMIN_URL else ["sqlite"]
# The calendar the tests live in: the Tiraspol exhibition is ongoing, the Kyiv training upcoming.
TODAY = date(2025, 12, 15)


@dataclass
class TestDatabase:
    __test__ = False  # a fixture value, not a test class

    backend: str
    settings: Settings
    engine: Engine


def _admin_engine() -> Engine:
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def create_database(backend: str, directory: Path) -> Settings:
    """A new, empty database of this backend, named for this run only."""
    if backend == "sqlite":
        return Settings(database_url=f"sqlite:///{directory / f'{uuid.uuid4().hex}.db'}")
    name = f"content_api_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    return Settings(database_url=url.render_as_string(hide_password=False))


def drop_database(settings: Settings) -> None:
    if settings.is_sqlite:
        return
    name = make_url(settings.database_url).database
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


@pytest.fixture
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    """A brand-new database with no tables, for migration and seed tests."""
    backend = request.param if hasattr(request, "param") else "sqlite"
    settings = create_database(backend, tmp_path)
    engine = make_engine(settings)
    yield TestDatabase(backend, settings, engine)
    engine.dispose()
    drop_database(settings)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "empty_database" in metafunc.fixturenames:
        metafunc.parametrize("empty_database", BACKENDS, indirect=True)


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """One migrated and seeded database per backend, shared by the whole run."""
    settings = create_database(request.param, tmp_path_factory.mktemp(request.param))
    engine = make_engine(settings)
    migrate(engine)
    load_seed(engine)
    yield TestDatabase(request.param, settings, engine)
    engine.dispose()
    drop_database(settings)


@pytest.fixture(scope="session")
def app(database: TestDatabase) -> FastAPI:
    return create_app(database.settings)


@pytest.fixture
def session(database: TestDatabase, app: FastAPI) -> Iterator[Session]:
    """The session the app's requests use, inside a transaction rolled back after the test."""
    connection = database.engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[current_date] = lambda: TODAY
    yield session
    app.dependency_overrides.clear()
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture
def client(app: FastAPI, session: Session) -> TestClient:
    return TestClient(app)


Get = Callable[..., Any]


@pytest.fixture
def get_slugs(client: TestClient) -> Get:
    """GET a collection URL and return the slugs of every item on the page (asserting 200)."""

    def get(url: str) -> list[str]:
        response = client.get(url)
        assert response.status_code == 200, response.text
        return [item["slug"] for item in response.json()["data"]]

    return get


def pytest_report_header() -> str:
    where = f" (on the server at {make_url(POSTGRES_ADMIN_URL).host})" if POSTGRES_ADMIN_URL else ""
    return f"database backends: {', '.join(BACKENDS)}{where}"
