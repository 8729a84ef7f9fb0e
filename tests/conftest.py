"""Fixtures: every test runs once per database backend.

Read-only tests share one seeded database per backend and one app. A test that writes (it asks
for `session`) gets a fresh copy of the seeded database, its own app and client, and nothing it
does is seen by any other test.

SQLite always runs. PostgreSQL runs too when TEST_POSTGRES_URL names a server (an admin URL
such as postgresql://postgres@127.0.0.1:5432/postgres); the suite then creates its own throw-away
databases there and drops them afterwards. If the URL is set and the server is unreachable, the
suite fails instead of quietly skipping PostgreSQL.
"""

import os
import sqlite3
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
from api.db import make_engine
from api.main import create_app
from api.seed import load_seed
from tests.editor_support import Editor
from tests.helpers import slugs_at

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "")
# The test client's host, and the loopback names of servers the tests start.
os.environ.setdefault("TRUSTED_HOSTS", "testserver,localhost,127.0.0.1")
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


# The in-process tests' bound on a request's database time. The production default (2 s) covers
# a warm pool; here the first request on each private PostgreSQL copy also creates its pool,
# which a loaded 2-core CI machine once took past 2 s. Tests of the bound set their own.
TEST_TIMEOUT_MS = 15_000


def create_database(backend: str, directory: Path, template: Settings | None = None) -> Settings:
    """A new database of this backend, named for this run only: empty, or a copy of `template`."""
    if backend == "sqlite":
        path = directory / f"{uuid.uuid4().hex}.db"
        if template is not None:
            source = sqlite3.connect(make_url(template.database_url).database or "")
            with sqlite3.connect(path) as copy:
                source.backup(copy)
            source.close()
        return Settings(database_url=f"sqlite:///{path}", db_statement_timeout_ms=TEST_TIMEOUT_MS)
    name = f"content_api_test_{uuid.uuid4().hex[:12]}"
    copy_of = f' TEMPLATE "{make_url(template.database_url).database}"' if template else ""
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    admin.dispose()
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    return Settings(
        database_url=url.render_as_string(hide_password=False),
        db_statement_timeout_ms=TEST_TIMEOUT_MS,
    )


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
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """A migrated and seeded database per backend that nothing connects to: the template of
    every database the tests use (PostgreSQL copies only databases nobody is connected to)."""
    settings = create_database(request.param, tmp_path_factory.mktemp(request.param))
    engine = make_engine(settings)
    migrate(engine)
    load_seed(engine)
    engine.dispose()
    yield settings
    drop_database(settings)


def _testing_app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    app.state.today = lambda: TODAY
    return app


@pytest.fixture(scope="session")
def database(seeded: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabase]:
    """The seeded database the read-only tests share."""
    backend = "sqlite" if seeded.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path_factory.mktemp("shared"), seeded)
    engine = make_engine(settings)
    yield TestDatabase(backend, settings, engine)
    engine.dispose()
    drop_database(settings)


@pytest.fixture(scope="session")
def app(database: TestDatabase) -> FastAPI:
    return _testing_app(database.settings)


@pytest.fixture(scope="session")
def shared_client(app: FastAPI) -> Iterator[TestClient]:
    # One client, hence one event loop, for the shared app: its connections live on that loop.
    with TestClient(app) as client:
        yield client


@pytest.fixture
def fresh(seeded: Settings, tmp_path: Path) -> Iterator[tuple[Session, TestClient]]:
    """A private copy of the seeded database, with a session to write to it and a client."""
    backend = "sqlite" if seeded.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path, seeded)
    engine = make_engine(settings)
    with Session(engine) as session, TestClient(_testing_app(settings)) as client:
        yield session, client
    engine.dispose()
    drop_database(settings)


@pytest.fixture(scope="module")
def module_fresh(
    seeded: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Session, TestClient]]:
    """Like `fresh`, one per module: for tests that only read what a module-scoped fixture of
    theirs wrote once (a copy, an app and a client per test cost about a second)."""
    backend = "sqlite" if seeded.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path_factory.mktemp("module"), seeded)
    engine = make_engine(settings)
    with Session(engine) as session, TestClient(_testing_app(settings)) as client:
        yield session, client
    engine.dispose()
    drop_database(settings)


@pytest.fixture
def session(fresh: tuple[Session, TestClient]) -> Session:
    """Write here (the factories commit); the test's `client` reads this database."""
    return fresh[0]


@pytest.fixture
def client(request: pytest.FixtureRequest, seeded: Settings) -> TestClient:
    """The shared client, or the private one of a test that writes (asks for `session`)."""
    if "session" in request.fixturenames:
        return request.getfixturevalue("fresh")[1]  # type: ignore[no-any-return]
    return request.getfixturevalue("shared_client")  # type: ignore[no-any-return]


Get = Callable[..., Any]


@pytest.fixture
def get_slugs(client: TestClient) -> Get:
    """GET a collection URL and return the slugs of every item on the page (asserting 200)."""
    return lambda url: slugs_at(client, url)


@pytest.fixture
def editor(seeded: Settings, tmp_path: Path) -> Iterator[Editor]:
    """The app on a private copy of the seeded database, for the editor API's tests; failed
    authentications are not limited (the authorisation matrix makes hundreds), and webhooks
    may go to the tests' own receivers on loopback."""
    backend = "sqlite" if seeded.is_sqlite else "postgresql"
    settings = create_database(backend, tmp_path, seeded).model_copy(
        update={"auth_failures_per_minute": 10_000, "webhook_allow_private": True}
    )
    app = _testing_app(settings)
    with TestClient(app) as client:
        yield Editor(client, app, settings)
    drop_database(settings)


def pytest_report_header() -> str:
    where = f" (on the server at {make_url(POSTGRES_ADMIN_URL).host})" if POSTGRES_ADMIN_URL else ""
    return f"database backends: {', '.join(BACKENDS)}{where}"
