"""What many test modules need: problem checks, links, paging walks, and a statement counter."""

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.http.problems import Problem
from api.read.reader import Statement

LINK = re.compile(r'<([^>]*)>;\s*rel="([^"]*)"')


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem of this status, in the one shape every error has; returns it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    Problem.model_validate(body)
    assert body["status"] == status
    return body


def assert_refused(response: Any, status: int, parameter: str) -> dict[str, Any]:
    """A problem whose only error names `parameter`; returns that error."""
    body = assert_problem(response, status)
    assert [e.get("parameter") for e in body["errors"]] == [parameter], body
    error: dict[str, Any] = body["errors"][0]
    return error


def assert_invalid(response: Any, parameter: str) -> dict[str, Any]:
    """A 422 problem whose only error names `parameter`; returns that error."""
    return assert_refused(response, 422, parameter)


def link_header(response: Any) -> dict[str, str]:
    """The RFC 8288 `Link` header as {rel: url}."""
    return {rel: url for url, rel in LINK.findall(response.headers.get("link", ""))}


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def slugs_at(client: Any, url: str) -> list[str]:
    """GET a collection URL and return the slugs of every item on the page (asserting 200)."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["data"]]


def slugs(page: Mapping[str, Any]) -> list[str]:
    return [item["slug"] for item in page["data"]]


def fetch_page(client: TestClient, url: str) -> dict[str, Any]:
    """A 200 page whose `Link` header says what its `links` say."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.text)
    body: dict[str, Any] = response.json()
    links = link_header(response)
    assert links["self"] == body["links"]["self"]
    assert links.get("next") == body["links"]["next"]
    assert links.get("prev") == body["links"]["prev"]
    return body


def walk_forward(client: TestClient, url: str) -> list[dict[str, Any]]:
    """Every page from `url` on, following `links.next` to the end."""
    pages = [fetch_page(client, url)]
    while pages[-1]["links"]["next"]:
        assert len(pages) < 100, "links.next never ends"
        pages.append(fetch_page(client, pages[-1]["links"]["next"]))
    return pages


def walk_back(client: TestClient, last: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every page before `last`, following `links.prev` to the start."""
    pages = []
    url = last["links"]["prev"]
    while url:
        assert len(pages) < 100, "links.prev never ends"
        pages.append(fetch_page(client, url))
        url = pages[-1]["links"]["prev"]
    return pages


class FetchCounter:
    """Wraps a reader's `fetch` and records the SQL of every statement it runs."""

    def __init__(self, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
        reader = app.state.reader
        original = reader.fetch
        self.sql: list[str] = []

        async def fetch(
            statement: Statement, values: Mapping[str, Any], *, slow: bool = False
        ) -> Sequence[Any]:
            self.sql.append(statement.sql)
            return await original(statement, values, slow=slow)

        monkeypatch.setattr(reader, "fetch", fetch)

    @property
    def pages(self) -> int:
        return sum(" ORDER BY " in sql for sql in self.sql)

    @property
    def counts(self) -> int:
        """Statements that only count (a page's own total is a subquery of its statement)."""
        return sum(sql.lower().startswith("select count(") for sql in self.sql)
