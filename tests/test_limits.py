"""Limits: request bodies, a per-client rate limit, page size, offset and string lengths."""

import asyncio
import math
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.http.limits import RateLimit
from api.main import create_app
from tests.conftest import TestDatabase


@pytest.fixture
def limited(database: TestDatabase) -> Iterator[TestClient]:
    """An app on the shared database allowing 3 requests a minute per client, in one burst."""
    settings = Settings(
        database_url=database.settings.database_url, rate_limit_per_minute=3, rate_limit_burst=3
    )
    with TestClient(create_app(settings), client=("198.51.100.7", 4000)) as client:
        yield client


def test_a_request_body_over_the_limit_is_refused_with_413(client: TestClient) -> None:
    response = client.request("GET", "/api/v1/topics", content=b"x" * 70_000)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Request bodies are limited to 65,536 bytes."
    assert client.request("GET", "/api/v1/topics", content=b"x" * 100).status_code == 200


def test_the_rate_limit_counts_down_then_answers_429_with_retry_after(
    limited: TestClient,
) -> None:
    remaining = []
    first = time.time()
    for _ in range(3):
        response = limited.get("/api/v1/topics")
        # t counts down from 60 as the first request ages: on a slow machine a second may pass.
        lowest = math.ceil(60 - (time.time() - first))
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "3"
        assert response.headers["ratelimit-policy"] == '"default";q=3;w=60'
        remaining.append(response.headers["ratelimit-remaining"])
        assert response.headers["ratelimit"] in {
            f'"default";r={remaining[-1]};t={t}' for t in range(lowest, 61)
        }
    assert remaining == ["2", "1", "0"]
    refused = limited.get("/api/v1/topics")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    # The first of the three requests leaves the 60 s window first.
    assert 59 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["access-control-allow-origin"] == "*"


def test_the_rate_limit_spares_health_checks_and_ignores_forwarded_for_from_strangers(
    limited: TestClient,
) -> None:
    for _ in range(3):
        limited.get("/api/v1/topics")
    assert limited.get("/livez").status_code == 200
    assert limited.get("/readyz").status_code == 200
    # A client cannot pose as someone else: X-Forwarded-For counts only from a trusted proxy,
    # which uvicorn (FORWARDED_ALLOW_IPS) resolves before the app sees the request.
    spoofed = limited.get("/api/v1/topics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status_code == 429


@pytest.mark.parametrize(
    ("per_minute", "burst", "policy"),
    [
        (600, 0, '"default";q=600;w=60'),
        (600, 100, '"default";q=100;w=10'),  # bursts of 100, 600 a minute sustained
        (60, 2, '"default";q=2;w=2'),
        (7, 3, '"default";q=3;w=26'),  # 25.7 s, rounded: the headers say what is enforced
    ],
)
def test_the_policy_is_the_burst_in_the_window_that_sustains_the_rate(
    per_minute: int, burst: int, policy: str
) -> None:
    assert RateLimit(per_minute, burst, "memory://").policy.decode() == policy


def test_each_client_has_its_own_window() -> None:
    limit = RateLimit(per_minute=60, burst=2, storage_url="memory://")

    async def takes() -> list[tuple[bool, list[tuple[bytes, bytes]]]]:
        return [await limit.take(client) for client in ("a", "a", "a", "b")]

    (first, _), (second, _), (third, headers), (other, _) = asyncio.run(takes())
    assert (first, second, third, other) == (True, True, False, True)
    assert dict(headers)[b"ratelimit"] == b'"default";r=0;t=2'
    assert dict(headers)[b"retry-after"] == b"2"


def test_the_rate_limit_is_off_by_default(client: TestClient) -> None:
    response = client.get("/api/v1/topics")
    assert "ratelimit-limit" not in response.headers


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/news?limit=101", "limit"),
        ("/api/v1/news?offset=10001", "offset"),
        ("/api/v1/news?q=" + "a" * 201, "q"),
        ("/api/v1/news?country=" + "a" * 101, "country"),
        ("/api/v1/states?fields=" + "name," * 100, "fields"),
    ],
)
def test_page_size_offset_and_strings_are_capped(
    client: TestClient, url: str, parameter: str
) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert parameter in response.text


def test_the_statement_timeout_is_applied_to_reads() -> None:
    settings = Settings(database_url="sqlite:///unused.db", db_statement_timeout_ms=1500)
    app = create_app(settings)
    assert app.state.reader.timeout == 1.5
