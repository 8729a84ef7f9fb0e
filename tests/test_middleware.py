"""Security and CORS headers on every kind of response: data, revalidation, every error."""

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from api.config import Settings
from api.http.deprecation import Deprecation
from api.main import create_app
from tests.conftest import TestDatabase

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


@pytest.fixture(scope="module")
def outage() -> Iterator[TestClient]:
    """An app whose database cannot be reached: data endpoints answer 503."""
    with TestClient(create_app(Settings(database_url=UNREACHABLE))) as client:
        yield client


def _assert_public_headers(response: Response, policy: str = "default-src 'none'") -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"].startswith(policy)
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers
    assert "server" not in headers


def test_ok_and_not_modified_responses_carry_the_headers(client: TestClient) -> None:
    ok = client.get("/api/v1/news", headers={"Origin": "https://example.org"})
    assert ok.status_code == 200
    _assert_public_headers(ok)
    again = client.get("/api/v1/news", headers={"If-None-Match": ok.headers["etag"]})
    assert again.status_code == 304
    _assert_public_headers(again)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/v1/news/no-such-story", 404),
        ("GET", "/nowhere", 404),
        ("GET", "/api/v1/news?limit=0", 422),
        ("GET", "/api/v1/news?colour=red", 422),
        ("POST", "/api/v1/news", 405),
        ("DELETE", "/api/v1/states/austria", 405),
    ],
)
def test_error_responses_carry_the_headers(
    client: TestClient, method: str, url: str, status: int
) -> None:
    response = client.request(method, url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    _assert_public_headers(response)


def test_a_refused_body_carries_the_headers(client: TestClient) -> None:
    response = client.request("GET", "/api/v1/news", content=b"x" * 100_000)
    assert response.status_code == 413
    _assert_public_headers(response)


@pytest.mark.parametrize("url", ["/api/v1/news", "/api/v1/states/austria", "/api/v1/menus/main"])
def test_unavailable_responses_carry_the_headers_and_retry_after(
    outage: TestClient, url: str
) -> None:
    response = outage.get(url)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    _assert_public_headers(response)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_get_a_policy_that_allows_only_their_own_assets(
    client: TestClient, page: str
) -> None:
    response = client.get(page)
    assert response.status_code == 200
    _assert_public_headers(response, policy="default-src 'self'")
    assert "http" not in response.headers["content-security-policy"]


def test_a_preflight_for_anything_but_reading_is_refused(client: TestClient) -> None:
    for method, status in [("GET", 204), ("HEAD", 204), ("POST", 403), ("PUT", 403)]:
        response = client.options(
            "/api/v1/news",
            headers={"Origin": "https://example.org", "Access-Control-Request-Method": method},
        )
        assert response.status_code == status, method
        assert response.headers["access-control-allow-methods"] == "GET, HEAD"
        assert "access-control-allow-credentials" not in response.headers


def test_a_deprecation_is_announced_on_its_responses_and_in_the_document(
    database: TestDatabase,
) -> None:
    deprecated = [
        Deprecation("/api/v1/news", "field_operation", date(2026, 1, 1), date(2026, 7, 1),
                    "https://example.org/changes#field-operation"),
        Deprecation("/api/v1/topics/{slug}", None, date(2026, 1, 1), date(2026, 7, 1),
                    "https://example.org/changes#topics"),
    ]  # fmt: skip
    app = create_app(database.settings, deprecated)
    with TestClient(app) as client:
        response = client.get("/api/v1/news?field_operation=mission-to-serbia")
        assert response.headers["deprecation"] == "@1767225600"
        assert response.headers["sunset"] == "Wed, 01 Jul 2026 00:00:00 GMT"
        assert '<https://example.org/changes#field-operation>; rel="deprecation"' in (
            response.headers.get_list("link")
        )
        assert "deprecation" not in client.get("/api/v1/news?type=story").headers
        assert "deprecation" in client.get("/api/v1/topics/human-rights").headers
        assert "deprecation" not in client.get("/api/v1/topics").headers
        document = app.openapi()
    news = document["paths"]["/api/v1/news"]["get"]
    assert [p["name"] for p in news["parameters"] if p.get("deprecated")] == ["field_operation"]
    assert document["paths"]["/api/v1/topics/{slug}"]["get"]["deprecated"] is True
    assert "deprecated" not in document["paths"]["/api/v1/topics"]["get"]
