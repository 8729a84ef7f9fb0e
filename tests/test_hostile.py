"""Hostile input on every parameter of every operation: a clear 4xx problem or a correct
answer, never a 5xx, and nothing written to the database."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.config import Settings
from api.db import metadata
from api.main import create_app
from api.registry import COLLECTIONS
from tests.conftest import TestDatabase
from tests.helpers import assert_problem, assert_refused

CORPUS = [
    # SQL injection
    "' OR '1'='1",
    "1; DROP TABLE news; --",
    '" OR ""="',
    "x') UNION SELECT slug, name FROM country --",
    "1 OR 1=1",
    # LIKE wildcards and escapes
    "%",
    "_",
    "%_%",
    "\\%",
    "a%",
    # full-text syntax
    '"',
    '"unbalanced phrase',
    "AND",
    "NOT OR AND",
    "(",
    "*",
    "title:x",
    "NEAR(a b)",
    # control characters
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "line\r\nbreak",
    "\t",
    # overlong
    "a" * 10_000,
    # numbers
    "99999999999999999999999999",
    "-1",
    "-99999999999",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "1.5",
    # dates
    "2025-02-30",
    "0000-00-00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2025-01-01T25:00:00Z",
    "2025-01-01T00:00:00",
    "yesterday",
    # coordinates and boxes
    "91,0",
    "0,181",
    "NaN,NaN",
    "1,2,3",
    "23,49,13,45",
    "180,90,-180,-90",
    # comma lists
    ",",
    "a,,b",
    ",a",
    "a," * 200,
    # path traversal and odd slugs
    "../../etc/passwd",
    "..\\..\\windows",
    "%2e%2e%2f",
    "ÿ",
    "🙂",
]
# Already percent-encoded, sent as they are: invalid UTF-8 and broken escapes.
RAW = ["%ff%fe", "%E2%82", "%zz", "%", "%00", "%C0%AF"]


EDITOR = "/api/v1/editor"


def _operations(app: FastAPI) -> list[tuple[str, list[str]]]:
    document = app.openapi()
    return [
        (path, [p["name"] for p in operation.get("parameters", [])])
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        # The public GETs; the editor API's answer 401 before reading a parameter, and have
        # their own tests (tests/test_editor*.py).
        if method == "get" and path.startswith("/api/v1") and not path.startswith(EDITOR)
    ]


def _cases(app: FastAPI) -> list[tuple[str, str]]:
    """(operation path, parameter) pairs; a path parameter is named `{name}`."""
    return [(path, name) for path, parameters in _operations(app) for name in parameters]


# The document does not need a database: read the operations once, at collection time.
CASES = _cases(create_app(Settings(database_url="sqlite:///unused.db")))


def _snapshot(engine: Any) -> dict[str, Any]:
    with engine.connect() as connection:
        counts = {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in metadata.tables}  # fmt: skip
        version = connection.execute(text("SELECT version FROM content_version")).scalar_one()
    return {"counts": counts, "version": version}


@pytest.fixture(scope="module")
def untouched(database: TestDatabase) -> Iterator[None]:
    """The module's requests must leave the database exactly as they found it."""
    before = _snapshot(database.engine)
    yield
    assert _snapshot(database.engine) == before


def _check(response: Any, url: str) -> None:
    """A 4xx problem, or a well-formed answer: never a 5xx."""
    assert response.status_code < 500, (url, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", url
        assert response.json()["status"] == response.status_code, url
    else:
        assert response.status_code == 200, url
        body = response.json()
        assert "data" in body, url
        if isinstance(body["data"], list):
            assert len(body["data"]) <= 100, url


def test_every_get_operation_has_parameters_to_attack(app: FastAPI) -> None:
    operations = {path for path, _ in _operations(app)}
    assert {path for path, _ in CASES} == operations
    # And discovery and the site's settings (`lang`), search, suggest.
    assert len(operations) == 2 * len(COLLECTIONS) + 4
    assert len(CASES) > 100


def _url(path: str, name: str, value: str) -> str:
    if f"{{{name}}}" in path:
        return path.replace(f"{{{name}}}", value)
    sample = path.replace("{slug}", "albania").replace("{menu}", "main")
    return f"{sample}?{name}={value}"


@pytest.mark.parametrize(("path", "name"), CASES, ids=[f"{p} {n}" for p, n in CASES])
def test_hostile_values_are_refused_or_answered(
    client: TestClient, untouched: None, path: str, name: str
) -> None:
    for value in CORPUS:
        url = _url(path, name, quote(value, safe=""))
        _check(client.get(url), url)
    for raw in RAW:
        url = _url(path, name, raw)
        _check(client.get(url), url)


@pytest.mark.parametrize(
    "value",
    ["' OR '1'='1", "1; DROP TABLE news; --", "x') UNION SELECT slug, name FROM country --"],
)
def test_sql_in_a_search_is_only_words_to_look_for(client: TestClient, value: str) -> None:
    response = client.get(f"/api/v1/news?q={quote(value)}")
    assert response.status_code == 200
    assert response.json()["data"] == []


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        # Wildcards are characters of a name: no country or topic is called that.
        ("/api/v1/news?country=%25", 404, "country"),
        ("/api/v1/news?topic=_", 404, "topic"),
        ("/api/v1/states/%25", 422, "slug"),
        ("/api/v1/news?country=AT,,DE", 422, "country"),
        ("/api/v1/news?date_from=2025-02-30", 422, "date_from"),
        ("/api/v1/news?near=91,0", 422, "near"),
        ("/api/v1/news?limit=-1", 422, "limit"),
        ("/api/v1/news?limit=99999999999999999999999", 422, "limit"),
    ],
)
def test_wildcards_and_malformed_values_are_refused_by_name(
    client: TestClient, url: str, status: int, parameter: str
) -> None:
    assert_refused(client.get(url), status, parameter)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/news?q=%25",
        "/api/v1/news?q=%25_%25",
        # A box whose south is north of its north holds nothing (its west past its east
        # only means it crosses the antimeridian).
        "/api/v1/field-operations?bbox=30,50,13,40",
    ],
)
def test_wildcards_and_empty_boxes_find_nothing(client: TestClient, url: str) -> None:
    body = client.get(url).json()
    assert (body["data"], body["meta"]["total"]) == ([], 0)


def test_repeated_parameters_are_taken_as_a_list_or_refused(
    client: TestClient, untouched: None
) -> None:
    for path, name in CASES:
        if "{" in path:
            continue
        url = f"{path}?{name}=1&{name}=2"
        response = client.get(url)
        _check(response, url)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # A decoded slash makes a path no route has; dots are no slug.
        ("/api/v1/states/..%2F..%2Fetc%2Fpasswd", 404),
        ("/api/v1/news/%2e%2e", 422),
        ("/api/v1/../../etc/passwd", 404),
    ],
)
def test_path_traversal_reaches_nothing(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert_problem(response, status)
    assert "root:" not in response.text
