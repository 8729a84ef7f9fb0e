"""The application as a whole: self-hosted docs, the OpenAPI document, CORS, HEAD."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.registry import COLLECTIONS


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_assets_served_by_this_server(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
        assert client.get(asset).status_code == 200, asset
    assert "/api/v1/openapi.json" in response.text


def test_openapi_document_declares_problem_responses_on_every_operation(app: FastAPI) -> None:
    document = app.openapi()
    operations = [
        (path, operation)
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/editor")
        for operation in methods.values()
    ]
    # The site's settings, search and suggest; the editor API's: tests/test_openapi.py.
    assert len(operations) == 2 * len(COLLECTIONS) + 3
    for path, operation in operations:
        assert re.fullmatch(r"(list|get)[A-Z]\w+", operation["operationId"]), path
        assert operation["description"], path
        for status in ("422", "500") + (("404",) if "{" in path else ()):
            content = operation["responses"][status]["content"]
            assert "application/problem+json" in content, (path, status)


def test_cors_allows_any_origin_to_read_and_nothing_else(client: TestClient) -> None:
    response = client.get("/api/v1/topics", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "Link" in response.headers["access-control-expose-headers"]
    preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "DELETE"}
    assert client.options("/api/v1/topics", headers=preflight).status_code == 403
    preflight["Access-Control-Request-Method"] = "GET"
    assert client.options("/api/v1/topics", headers=preflight).status_code == 204


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    get, head = client.get("/api/v1/topics"), client.head("/api/v1/topics")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["link"] == get.headers["link"]
