"""Surrogate keys: what each API response names for a cache that purges by key."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app


@pytest.fixture(scope="module")
def keyed(seeded_file: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{seeded_file}", surrogate_keys=True)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    ("url", "keys"),
    [
        ("/api/v1/topics?limit=2&fields=name",
         "api topics topics/arms-control topics/border-management"),
        ("/api/v1/topics/youth", "api topics/youth"),
        ("/api/v1/states/AL", "api states/albania"),  # by the item's slug, whatever the path
        ("/api/v1/news?q=nothing-matches-this", "api news"),
        ("/api/v1/news/no-such-story", "api"),
    ],
)  # fmt: skip
def test_a_response_names_its_collection_and_items(seeded_file: Path, url: str, keys: str) -> None:
    settings = Settings(database_url=f"sqlite:///{seeded_file}", surrogate_keys=True)
    with TestClient(create_app(settings)) as client:
        assert client.get(url).headers["surrogate-key"] == keys


@pytest.mark.parametrize("keys", [False, True])
def test_without_a_purging_cache_no_keys_are_sent(seeded_file: Path, keys: bool) -> None:
    """Without SURROGATE_KEYS, no keys; with or without, never the routes' internal header of
    slugs, on a first answer, a cached one, an uncached one or a refusal."""
    settings = Settings(database_url=f"sqlite:///{seeded_file}", surrogate_keys=keys)
    with TestClient(create_app(settings)) as client:
        for url in (
            "/api/v1/topics",
            "/api/v1/topics/youth",
            "/api/v1/topics/youth",
            "/api/v1/news.rss",
            "/api/v1/topics/nothing",
            "/api/v1/topics?limit=0",
        ):
            answer = client.get(url, headers={"Authorization": "Bearer x"} if "rss" in url else {})
            assert "surrogate-slugs" not in answer.headers, url
            assert ("surrogate-key" in answer.headers) == keys, url
