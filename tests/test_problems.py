"""Every error is an RFC 9457 problem document, and a 500 discloses nothing internal."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.http.problems import Problem
from api.main import create_app


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    Problem.model_validate(body)
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/api/v1/news/no-such-item", "No news item with slug 'no-such-item'."),
        ("/api/v1/nothing-here",
         "Nothing at /api/v1/nothing-here; GET /api/v1 lists the collections."),
        ("/api/v1/menus/sidebar", "No menu with slug 'sidebar'."),
    ],
)  # fmt: skip
def test_unknown_urls_and_slugs_are_404_problems(client: TestClient, url: str, detail: str) -> None:
    body = _problem(client.get(url), 404)
    assert body == {
        "type": "/problems/not-found",
        "title": "Not Found",
        "status": 404,
        "detail": detail,
        "instance": url,
    }


def test_validation_problem_names_every_parameter_at_fault(client: TestClient) -> None:
    body = _problem(client.get("/api/v1/news?limit=0&offset=-1&colour=red"), 422)
    assert body["type"] == "/problems/invalid-parameters"
    assert body["instance"] == "/api/v1/news?limit=0&offset=-1&colour=red"
    assert {e["parameter"] for e in body["errors"]} == {"limit", "offset", "colour"}
    assert all(e["detail"] for e in body["errors"])


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_are_405_with_allow(client: TestClient, method: str) -> None:
    response = client.request(method, "/api/v1/states")
    body = _problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD"
    assert body["type"] == "/problems/method-not-allowed"


def test_an_unexpected_error_is_a_500_problem_without_internals() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret connection string postgresql://user:pw@db")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    body = _problem(response, 500)
    assert body["type"] == "/problems/internal-error"
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text
