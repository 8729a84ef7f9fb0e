"""`/livez` and `/readyz`."""

from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from tests.conftest import TestDatabase, migrate


def test_livez_answers_without_a_database() -> None:
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    response = TestClient(app).get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_is_503_with_retry_after_when_the_database_is_unreachable() -> None:
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"] == "the database is unreachable"


def test_readyz_is_503_until_the_database_is_migrated(empty_database: TestDatabase) -> None:
    with empty_database.engine.connect():
        pass  # the database exists (an SQLite file), without any table
    # One event loop for both requests: the reader's connections live on it.
    with TestClient(create_app(empty_database.settings)) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "schema is at nothing" in response.json()["detail"]
        migrate(empty_database.engine)
        assert client.get("/readyz").status_code == 200
