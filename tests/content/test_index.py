"""`GET /api/v1`: discovery of the collections."""

import pytest
from fastapi.testclient import TestClient

URL = "/api/v1"
COLLECTIONS = [
    "states", "partners", "field-operations", "institutions", "news", "events", "menus", "topics",
    "pages", "images",
]  # fmt: skip


def test_index_lists_the_ten_collections(client: TestClient) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()["data"]
    assert [c["name"] for c in data] == COLLECTIONS
    assert all(isinstance(c["description"], str) and c["description"] for c in data)
    assert [c["href"] for c in data] == [f"/api/v1/{c}" for c in COLLECTIONS]


@pytest.mark.parametrize("name", COLLECTIONS)
def test_every_collection_link_answers_200_with_a_collection(client: TestClient, name: str) -> None:
    href = next(c["href"] for c in client.get(URL).json()["data"] if c["name"] == name)
    response = client.get(href)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["total"] > 0
    assert body["meta"]["total"] >= len(body["data"]) > 0
    assert body["links"]["self"] == f"http://testserver{href}"


def test_index_counts_match_the_page(client: TestClient) -> None:
    totals = {
        c["name"]: client.get(c["href"]).json()["meta"]["total"]
        for c in client.get(URL).json()["data"]
        if c["name"] != "news" and c["name"] != "events"
    }
    assert totals == {
        "states": 57,
        "partners": 11,
        "field-operations": 30,
        "institutions": 8,
        "menus": 5,
        "topics": 23,
        "pages": 2,
        "images": 1,
    }


def test_index_links_to_the_openapi_document_and_docs(client: TestClient) -> None:
    links = client.get(URL).json()["links"]
    assert links["self"] == "http://testserver/api/v1"
    assert links["openapi"] == "http://testserver/api/v1/openapi.json"
    openapi = client.get(links["openapi"])
    assert openapi.status_code == 200
    paths = openapi.json()["paths"]
    assert {f"/api/v1/{c}" for c in COLLECTIONS} <= set(paths)
    for key in ("docs", "redoc"):
        response = client.get(links[key])
        assert response.status_code == 200, key
        assert response.headers["content-type"].startswith("text/html")


def test_index_rejects_unknown_parameters(client: TestClient) -> None:
    response = client.get(URL, params={"limit": 5})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["parameter"] for e in response.json()["errors"]] == ["limit"]


@pytest.mark.parametrize("path", ["/api/v1/countries", "/api/v1/field_operations", "/api/v2"])
def test_unknown_collection_is_404_problem(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
