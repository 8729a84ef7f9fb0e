"""HTTP caching: strong ETags, 304s, Cache-Control, Last-Modified, gzip and the response cache."""

import asyncio
import gzip
import re
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from types import SimpleNamespace
from typing import Any

import pytest
import xxhash
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlmodel import Session

from api.config import Settings
from api.content.news.models import News
from api.content.topics.models import Topic
from api.http.cache import (
    ENTRY_OVERHEAD_BYTES,
    STATIC_PATHS,
    Entry,
    HTTPCacheMiddleware,
    ResponseCache,
    _storable,
    gzip_body,
    public_policy,
)
from api.main import create_app
from tests.conftest import TODAY, TestDatabase
from tests.factories import make_news
from tests.helpers import FetchCounter, assert_problem

DEFAULT_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
STRONG_ETAG = re.compile(r'"[0-9a-f]{32}"')
IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}
LARGE = "/api/v1/states?limit=100"
SMALL = "/api/v1/topics/youth"
COLLECTIONS = ["states", "partners", "field-operations", "news", "events", "menus", "topics"]
# How long a write may take to reach a PostgreSQL reader (LISTEN/NOTIFY is asynchronous).
NOTIFY_WAIT_SECONDS = 5.0


def raw_get(
    client: TestClient, url: str, headers: Mapping[str, str]
) -> tuple[int, Mapping[str, str], bytes]:
    """The status, headers and body bytes exactly as sent (the client would decode gzip)."""
    with client.stream("GET", url, headers=dict(headers)) as response:
        return response.status_code, response.headers, b"".join(response.iter_raw())


def body_etag(body: bytes) -> str:
    """The strong ETag of a body: its XXH3-128 hash, in hex."""
    return '"' + xxhash.xxh3_128_hexdigest(body) + '"'


def as_utc(value: datetime | str) -> datetime:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def changed_at(settings: Settings) -> datetime:
    """content_version.changed_at, read straight from the database (not through the app)."""
    from api.db import make_engine

    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            value = connection.execute(
                text("SELECT changed_at FROM content_version WHERE id = 1")
            ).scalar_one()
    finally:
        engine.dispose()
    return as_utc(value)


def poll(
    client: TestClient, url: str, done: Callable[[Any], bool], headers: Mapping[str, str] = IDENTITY
) -> Any:
    """GET `url` until `done(response)`: at once on SQLite, within a few seconds on PostgreSQL."""
    deadline = time.monotonic() + NOTIFY_WAIT_SECONDS
    while True:
        response = client.get(url, headers=dict(headers))
        if done(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def is_sqlite(client: TestClient) -> bool:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    return settings.is_sqlite


@pytest.fixture
def private(session: Session, client: TestClient) -> TestClient:
    """The client of a private copy of the seeded database (its app is this test's own)."""
    return client


@pytest.fixture
def custom_client(database: TestDatabase) -> Iterator[TestClient]:
    """An app with its own Cache-Control settings, on the shared copy of the seeded database."""
    settings = Settings(
        database_url=database.settings.database_url,
        cache_max_age=5,
        cache_stale_while_revalidate=7,
    )
    app = create_app(settings)
    app.state.today = lambda: TODAY
    with TestClient(app) as client:
        yield client


def api_urls(client: TestClient) -> list[str]:
    """The index, the OpenAPI document, every collection and the first item of each."""
    urls = ["/api/v1", "/api/v1/openapi.json"]
    for name in COLLECTIONS:
        urls.append(f"/api/v1/{name}")
        first = client.get(f"/api/v1/{name}", params={"limit": 1}).json()["data"][0]
        urls.append(f"/api/v1/{name}/{first['slug']}")
    return urls


# --- the headers of every 200 ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_every_api_200_has_etag_cache_control_last_modified_and_vary(
    client: TestClient, database: TestDatabase, encoding: str
) -> None:
    last_modified = format_datetime(changed_at(database.settings), usegmt=True)
    for url in api_urls(client):
        status, headers, raw = raw_get(client, url, {"Accept-Encoding": encoding})
        assert status == 200, url
        etag = headers["etag"]
        if headers.get("content-encoding") == "gzip":
            assert etag.endswith('-gzip"'), url
            assert STRONG_ETAG.fullmatch(etag.removesuffix('-gzip"') + '"'), (url, etag)
        else:
            assert STRONG_ETAG.fullmatch(etag), (url, etag)
            assert etag == body_etag(raw), url
        assert headers["cache-control"] == DEFAULT_CACHE_CONTROL, url
        if url in STATIC_PATHS:  # change only with a deploy: no date that means anything
            assert "last-modified" not in headers, url
        else:
            assert headers["last-modified"] == last_modified, url
            assert parsedate_to_datetime(headers["last-modified"]).tzinfo is not None
        vary = [v.strip().lower() for v in headers["vary"].split(",")]
        assert "accept-encoding" in vary, url
        assert headers["content-length"] == str(len(raw)), url


def test_custom_cache_control_settings_are_sent(custom_client: TestClient) -> None:
    for url in ("/api/v1/news", SMALL, LARGE):
        response = custom_client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=5, stale-while-revalidate=7"
        assert STRONG_ETAG.fullmatch(response.headers["etag"].replace('-gzip"', '"'))
    not_modified = custom_client.get(
        SMALL, headers={"If-None-Match": custom_client.get(SMALL).headers["etag"]}
    )
    assert not_modified.status_code == 304
    assert not_modified.headers["cache-control"] == "public, max-age=5, stale-while-revalidate=7"


def test_etag_is_stable_for_the_same_request(client: TestClient) -> None:
    for url in ("/api/v1/news", SMALL, LARGE, "/api/v1/events?status=upcoming"):
        for headers in (IDENTITY, GZIP):
            first, second = client.get(url, headers=headers), client.get(url, headers=headers)
            assert first.headers["etag"] == second.headers["etag"], url
            assert first.content == second.content


def test_etag_differs_for_different_data(client: TestClient) -> None:
    urls = [
        "/api/v1/news?limit=1",
        "/api/v1/news?limit=2",
        "/api/v1/news?sort=published_at",
        "/api/v1/topics/youth",
        "/api/v1/states/albania",
        "/api/v1/states/albania?fields=slug",
    ]
    etags = [client.get(url, headers=IDENTITY).headers["etag"] for url in urls]
    assert len(set(etags)) == len(urls)


def test_head_has_the_etag_of_get_and_no_body(client: TestClient) -> None:
    for url in ("/api/v1/news", SMALL, LARGE):
        for headers in (IDENTITY, GZIP):
            get = client.get(url, headers=headers)
            head = client.head(url, headers=headers)
            assert head.status_code == 200
            assert head.content == b""
            assert head.headers["etag"] == get.headers["etag"]
            assert head.headers["cache-control"] == get.headers["cache-control"]
            assert head.headers["last-modified"] == get.headers["last-modified"]


# --- conditional requests ----------------------------------------------------------------------


def assert_not_modified(response: Any, etag: str) -> None:
    assert response.status_code == 304, response.text
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == DEFAULT_CACHE_CONTROL
    assert "last-modified" in response.headers
    assert "accept-encoding" in response.headers["vary"].lower()
    assert "content-type" not in response.headers


@pytest.mark.parametrize(
    "if_none_match",
    [
        "{etag}",
        "W/{etag}",
        '"0123456789abcdef0123456789abcdef", {etag}',
        '{etag},"another"',
        'W/"other", W/{etag}',
        "*",
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/news", SMALL, LARGE])
def test_if_none_match_with_the_etag_is_304(
    client: TestClient, url: str, if_none_match: str
) -> None:
    etag = client.get(url, headers=IDENTITY).headers["etag"]
    response = client.get(
        url, headers=IDENTITY | {"If-None-Match": if_none_match.format(etag=etag)}
    )
    assert_not_modified(response, etag)


@pytest.mark.parametrize(
    "if_none_match", ['"0123456789abcdef0123456789abcdef"', '"a", "b"', 'W/"x"', '""']
)
def test_if_none_match_without_the_etag_is_200(client: TestClient, if_none_match: str) -> None:
    plain = client.get(SMALL, headers=IDENTITY)
    response = client.get(SMALL, headers=IDENTITY | {"If-None-Match": if_none_match})
    assert response.status_code == 200
    assert response.content == plain.content
    assert response.headers["etag"] == plain.headers["etag"]


def test_etag_of_other_data_is_not_a_match(client: TestClient) -> None:
    other = client.get("/api/v1/topics/elections", headers=IDENTITY).headers["etag"]
    response = client.get(SMALL, headers=IDENTITY | {"If-None-Match": other})
    assert response.status_code == 200
    assert response.json()["data"]["slug"] == "youth"


def test_gzip_etag_revalidates_the_gzipped_representation(client: TestClient) -> None:
    identity_etag = client.get(LARGE, headers=IDENTITY).headers["etag"]
    gzip_etag = client.get(LARGE, headers=GZIP).headers["etag"]
    assert_not_modified(client.get(LARGE, headers=GZIP | {"If-None-Match": gzip_etag}), gzip_etag)
    # A cache holding the identity body may revalidate it while asking for gzip, too.
    assert_not_modified(
        client.get(LARGE, headers=GZIP | {"If-None-Match": identity_etag}), gzip_etag
    )


def test_if_modified_since_last_modified_is_304_and_older_is_200(client: TestClient) -> None:
    response = client.get(SMALL, headers=IDENTITY)
    last_modified = response.headers["last-modified"]
    since = client.get(SMALL, headers=IDENTITY | {"If-Modified-Since": last_modified})
    assert_not_modified(since, response.headers["etag"])
    later = parsedate_to_datetime(last_modified) + timedelta(days=1)
    since_later = client.get(
        SMALL, headers=IDENTITY | {"If-Modified-Since": format_datetime(later, usegmt=True)}
    )
    assert since_later.status_code == 304
    older = parsedate_to_datetime(last_modified) - timedelta(seconds=1)
    modified = client.get(
        SMALL, headers=IDENTITY | {"If-Modified-Since": format_datetime(older, usegmt=True)}
    )
    assert modified.status_code == 200
    assert modified.content == response.content


@pytest.mark.parametrize("value", ["yesterday", "", "Sun, 06 Nov 1994 08:49:37"])
def test_unusable_if_modified_since_is_ignored(client: TestClient, value: str) -> None:
    response = client.get(SMALL, headers=IDENTITY | {"If-Modified-Since": value})
    assert response.status_code == 200
    assert response.json()["data"]["slug"] == "youth"


def test_if_none_match_wins_over_if_modified_since(client: TestClient) -> None:
    response = client.get(SMALL, headers=IDENTITY)
    etag, last_modified = response.headers["etag"], response.headers["last-modified"]
    older = format_datetime(parsedate_to_datetime(last_modified) - timedelta(days=365), usegmt=True)
    # A matching ETag is a 304 even though the date says "modified".
    matching = client.get(
        SMALL, headers=IDENTITY | {"If-None-Match": etag, "If-Modified-Since": older}
    )
    assert_not_modified(matching, etag)
    # A stale ETag is a 200 even though the date says "not modified".
    stale = client.get(
        SMALL,
        headers=IDENTITY | {"If-None-Match": '"stale"', "If-Modified-Since": last_modified},
    )
    assert stale.status_code == 200
    assert stale.content == response.content


# --- gzip --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1024, 1300, 40_000, 300_000])
def test_gzip_body_is_a_gzip_member_any_decoder_reads(size: int) -> None:
    """ISA-L's output (api/http/cache.py) is plain gzip: the standard library's reader and a
    browser's (zlib with a 32 kB window) both decode it, and it is the same bytes every time
    (no timestamp), so every worker sends the same representation for one ETag."""
    body = b"".join(b'{"n":%d,"title":"OSCE item %d"},' % (i, i % 97) for i in range(size))[:size]
    packed = gzip_body(body)
    assert packed[:3] == b"\x1f\x8b\x08"  # gzip magic, deflate
    assert packed[4:8] == b"\0\0\0\0"  # no modification time
    assert gzip.decompress(packed) == body
    assert zlib.decompressobj(wbits=16 + 15).decompress(packed) == body
    assert len(packed) < len(body) / 3
    assert gzip_body(body) == packed


def test_large_response_is_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    status, identity_headers, identity_body = raw_get(client, LARGE, IDENTITY)
    assert status == 200
    assert len(identity_body) > 1024
    assert "content-encoding" not in identity_headers

    status, headers, raw = raw_get(client, LARGE, {"Accept-Encoding": "gzip, deflate"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["content-length"] == str(len(raw))
    assert len(raw) < len(identity_body)
    assert gzip.decompress(raw) == identity_body
    assert headers["etag"] != identity_headers["etag"]
    assert headers["etag"] == identity_headers["etag"][:-1] + '-gzip"'
    assert headers["content-type"] == identity_headers["content-type"]
    assert headers["link"] == identity_headers["link"]
    # The client decodes it to the same document.
    assert client.get(LARGE, headers=GZIP).json() == client.get(LARGE, headers=IDENTITY).json()


def test_gzipped_body_is_the_same_bytes_every_time(client: TestClient) -> None:
    _, first_headers, first = raw_get(client, LARGE, GZIP)
    _, second_headers, second = raw_get(client, LARGE, GZIP)
    assert first == second
    assert first_headers["etag"] == second_headers["etag"]


def test_small_response_is_not_gzipped(client: TestClient) -> None:
    _, identity_headers, identity_body = raw_get(client, SMALL, IDENTITY)
    assert len(identity_body) < 1024
    status, headers, raw = raw_get(client, SMALL, GZIP)
    assert status == 200
    assert "content-encoding" not in headers
    assert raw == identity_body
    assert headers["etag"] == identity_headers["etag"]
    assert not headers["etag"].endswith('-gzip"')


@pytest.mark.parametrize("accept_encoding", ["identity", "br", "deflate", "gzip;q=0"])
def test_requests_that_do_not_accept_gzip_are_never_gzipped(
    client: TestClient, accept_encoding: str
) -> None:
    status, headers, raw = raw_get(client, LARGE, {"Accept-Encoding": accept_encoding})
    assert status == 200
    assert "content-encoding" not in headers
    assert headers["etag"] == body_etag(raw)
    assert raw.startswith(b'{"data":')


# --- the response cache ------------------------------------------------------------------------


def test_repeated_request_is_served_without_querying_again(
    private: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = FetchCounter(private.app, monkeypatch)  # type: ignore[arg-type]
    first = private.get("/api/v1/news?limit=3&sort=published_at&type=story")
    assert first.status_code == 200
    assert len(counter.sql) > 0
    calls = len(counter.sql)

    again = private.get("/api/v1/news?limit=3&sort=published_at&type=story")
    reordered = private.get("/api/v1/news?type=story&sort=published_at&limit=3")
    gzipped = private.get("/api/v1/news?sort=published_at&type=story&limit=3", headers=GZIP)
    head = private.head("/api/v1/news?limit=3&type=story&sort=published_at")
    conditional = private.get(
        "/api/v1/news?limit=3&sort=published_at&type=story",
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert len(counter.sql) == calls
    for response in (again, reordered, gzipped):
        assert response.status_code == 200
        assert response.content == first.content
        assert response.headers["etag"] == first.headers["etag"]
    assert head.status_code == 200
    assert head.headers["etag"] == first.headers["etag"]
    assert conditional.status_code == 304

    different = private.get("/api/v1/news?limit=3&sort=published_at&type=news-item")
    assert different.status_code == 200
    assert len(counter.sql) > calls
    assert different.headers["etag"] != first.headers["etag"]


def test_response_cache_serves_large_responses_too(
    private: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = FetchCounter(private.app, monkeypatch)  # type: ignore[arg-type]
    identity = private.get(LARGE, headers=IDENTITY)
    calls = len(counter.sql)
    _, headers, raw = raw_get(private, LARGE, GZIP)
    _, headers_again, raw_again = raw_get(private, LARGE, GZIP)
    assert len(counter.sql) == calls
    assert raw == raw_again
    assert gzip.decompress(raw) == identity.content
    assert headers["etag"] == headers_again["etag"] == identity.headers["etag"][:-1] + '-gzip"'


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("/api/v1/states?limit=2&limit=1", "/api/v1/states?limit=1&limit=2"),
        (
            "/api/v1/states?sort=name&sort=-name&limit=2",
            "/api/v1/states?sort=-name&sort=name&limit=2",
        ),
    ],
)
def test_response_cache_answers_what_the_app_answers(
    private: TestClient, first: str, then: str
) -> None:
    """A request served from the cache gets what the route would answer for it."""
    settings: Settings = private.app.state.settings  # type: ignore[attr-defined]
    uncached_app = create_app(settings.model_copy(update={"response_cache_mb": 0}))
    uncached_app.state.today = lambda: TODAY
    with TestClient(uncached_app) as uncached:
        expected = uncached.get(then, headers=IDENTITY)
        assert uncached.get(first, headers=IDENTITY).content != expected.content
    private.get(first, headers=IDENTITY)
    response = private.get(then, headers=IDENTITY)
    assert response.status_code == expected.status_code
    assert response.content == expected.content, (then, "was answered as", first)


def test_response_cache_keys_on_host_and_today(
    private: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = FetchCounter(private.app, monkeypatch)  # type: ignore[arg-type]
    url = "/api/v1/events?limit=5"
    first = private.get(url)
    calls = len(counter.sql)
    other_host = private.get(url, headers={"Host": "localhost:8000"})
    assert len(counter.sql) > calls
    assert other_host.json()["links"]["self"].startswith("http://localhost:8000/")
    assert first.json()["links"]["self"].startswith("http://testserver/")

    calls = len(counter.sql)
    monkeypatch.setattr(private.app.state, "today", lambda: TODAY + timedelta(days=400))  # type: ignore[attr-defined]
    later = private.get(url)
    assert len(counter.sql) > calls
    statuses = {e["status"] for e in later.json()["data"]}
    assert statuses == {"past"}
    assert later.headers["etag"] != first.headers["etag"]


def test_response_cache_can_be_turned_off(database: TestDatabase) -> None:
    settings = Settings(database_url=database.settings.database_url, response_cache_mb=0)
    app = create_app(settings)
    app.state.today = lambda: TODAY
    with TestClient(app) as client, pytest.MonkeyPatch.context() as monkeypatch:
        counter = FetchCounter(app, monkeypatch)
        first = client.get(SMALL)
        calls = len(counter.sql)
        second = client.get(SMALL)
        assert len(counter.sql) > calls
        assert second.headers["etag"] == first.headers["etag"]
        assert (
            client.get(SMALL, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        )


# --- changes are visible on the next request ---------------------------------------------------


def test_new_item_is_visible_on_the_next_request(session: Session, private: TestClient) -> None:
    url = "/api/v1/news?limit=1"
    before = private.get(url, headers=IDENTITY)
    assert before.status_code == 200
    newest = before.json()["data"][0]["slug"]
    make_news(session, slug="test-breaking", published_at=datetime(2030, 1, 1, tzinfo=UTC))
    if is_sqlite(private):
        after = private.get(url, headers=IDENTITY)
    else:
        after = poll(private, url, lambda r: r.json()["data"][0]["slug"] != newest)
    assert after.status_code == 200
    assert after.json()["data"][0]["slug"] == "test-breaking"
    assert after.headers["etag"] != before.headers["etag"]
    # The old ETag no longer matches.
    revalidated = private.get(url, headers=IDENTITY | {"If-None-Match": before.headers["etag"]})
    assert revalidated.status_code == 200
    assert revalidated.json()["data"][0]["slug"] == "test-breaking"


def test_update_is_visible_on_the_next_request_with_a_new_etag_and_last_modified(
    session: Session, private: TestClient
) -> None:
    url = "/api/v1/news/paws-and-pioneers-side-by-side-against-illicit-weapons"
    before = private.get(url, headers=IDENTITY)
    assert before.status_code == 200
    time.sleep(1.1)  # Last-Modified has a resolution of one second
    session.exec(update(News).where(News.slug == before.json()["data"]["slug"]).values(title="New"))
    session.commit()
    if is_sqlite(private):
        after = private.get(url, headers=IDENTITY)
    else:
        after = poll(private, url, lambda r: r.json()["data"]["title"] == "New")
    assert after.status_code == 200
    assert after.json()["data"]["title"] == "New"
    assert after.headers["etag"] != before.headers["etag"]
    before_modified = parsedate_to_datetime(before.headers["last-modified"])
    assert parsedate_to_datetime(after.headers["last-modified"]) > before_modified
    since_before = private.get(
        url, headers=IDENTITY | {"If-Modified-Since": before.headers["last-modified"]}
    )
    assert since_before.status_code == 200
    assert since_before.json()["data"]["title"] == "New"


def test_unpublishing_removes_the_item_on_the_next_request(
    session: Session, private: TestClient
) -> None:
    made = make_news(session, slug="test-retracted", published_at=datetime(2030, 1, 1, tzinfo=UTC))
    url = "/api/v1/news/test-retracted"
    assert poll(private, url, lambda r: r.status_code == 200).status_code == 200
    session.exec(update(News).where(News.id == made.id).values(publication_status="draft"))
    session.commit()
    if is_sqlite(private):
        after = private.get(url, headers=IDENTITY)
    else:
        after = poll(private, url, lambda r: r.status_code == 404)
    assert_problem(after, 404)


# --- errors are not cached ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/news/no-such-news", 404),
        ("/api/v1/nothing-here", 404),
        ("/api/v1/news?limit=1000", 422),
        ("/api/v1/news?cursor=garbage", 404),
        ("/api/v1/news?country=atlantis", 404),
        ("/api/v1/states?unknown=1", 422),
    ],
)
def test_errors_carry_no_etag(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert_problem(response, status)
    assert "etag" not in response.headers
    assert "last-modified" not in response.headers
    # An If-None-Match never turns an error into a 304.
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == status


def test_errors_are_not_cached(private: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = FetchCounter(private.app, monkeypatch)  # type: ignore[arg-type]
    assert_problem(private.get("/api/v1/news/test-later"), 404)
    calls = len(counter.sql)
    assert_problem(private.get("/api/v1/news/test-later"), 404)
    assert len(counter.sql) > calls


def test_a_404_slug_created_later_is_found_on_the_next_request(
    session: Session, private: TestClient
) -> None:
    url = "/api/v1/news/test-later"
    assert_problem(private.get(url), 404)
    assert_problem(private.get(url), 404)
    make_news(session, slug="test-later")
    if is_sqlite(private):
        found = private.get(url)
    else:
        found = poll(private, url, lambda r: r.status_code == 200)
    assert found.status_code == 200, found.text
    assert found.json()["data"]["slug"] == "test-later"
    assert STRONG_ETAG.fullmatch(found.headers["etag"])


# --- ResponseCache -----------------------------------------------------------------------------


# What each test entry costs besides its body: the overhead and its one header's value.
OVERHEAD = ENTRY_OVERHEAD_BYTES + len(b"application/json")


def entry(version: int = 1, size: int = 100, tag: str = "a") -> Entry:
    body = tag.encode() * size
    headers = ((b"content-type", b"application/json"),)
    return Entry(version, body, headers, body_etag(body).encode(), vary=(), dated=False)


def test_entry_size_counts_bodies_headers_and_overhead() -> None:
    made = entry(size=100)
    assert made.size == 100 + OVERHEAD
    made.gzipped = b"x" * 30
    assert made.size == 130 + OVERHEAD


def test_cache_hit_and_stale_version_miss() -> None:
    cache = ResponseCache(10_000)
    cache.put("k", {}, entry(version=3))
    assert cache.get("k", 3) is not None
    assert cache.get("k", 4) is None
    assert cache.get("k", 2) is None
    assert cache.get("other", 3) is None
    # A newer entry under the same key replaces the stale one without counting twice.
    cache.put("k", {}, entry(version=4, size=200))
    assert cache.get("k", 3) is None
    hit = cache.get("k", 4)
    assert hit is not None
    assert len(hit.body) == 200
    assert cache.bytes == 200 + OVERHEAD
    assert len(cache.entries) == 1


def test_cache_is_bounded_in_bytes_and_evicts_least_recently_used() -> None:
    each = 100 + OVERHEAD
    cache = ResponseCache(3 * each)
    for key in "abc":
        cache.put(key, {}, entry(tag=key))
    assert cache.bytes == 3 * each
    assert cache.get("a", 1) is not None  # a is now the most recently used
    cache.put("d", {}, entry(tag="d"))
    assert cache.get("b", 1) is None  # b was the least recently used
    assert [k for k in "acd" if cache.get(k, 1) is not None] == ["a", "c", "d"]
    assert cache.bytes == 3 * each <= cache.max_bytes
    # A larger entry evicts as many as it takes, oldest first.
    cache.put("e", {}, entry(size=100 + each, tag="e"))
    assert set(cache.entries) == {"d", "e"}
    assert cache.bytes == sum(e.size for e in cache.entries.values()) <= cache.max_bytes


def test_cache_never_holds_an_entry_larger_than_its_bound() -> None:
    cache = ResponseCache(2_000)
    cache.put("small", {}, entry(size=100))
    cache.put("huge", {}, entry(size=2_000))
    assert cache.get("huge", 1) is None
    assert cache.get("small", 1) is not None
    assert cache.bytes == 100 + OVERHEAD
    off = ResponseCache(0)
    off.put("k", {}, entry(size=1))
    assert off.get("k", 1) is None
    assert off.bytes == 0


def test_cache_growth_by_a_gzipped_body_evicts_to_stay_in_bound() -> None:
    each = 100 + OVERHEAD
    cache = ResponseCache(3 * each)
    for key in "abc":
        cache.put(key, {}, entry(tag=key))
    grown = cache.get("c", 1)
    assert grown is not None
    grown.gzipped = b"z" * 50
    cache.grow(50)
    assert "a" not in cache.entries
    assert set(cache.entries) == {"b", "c"}
    assert cache.bytes == sum(e.size for e in cache.entries.values()) <= cache.max_bytes


def test_middleware_cache_stays_within_its_bound(
    private: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for limit in range(1, 30):
        private.get(f"/api/v1/states?limit={limit}")
        private.get(f"/api/v1/states?limit={limit + 40}", headers=GZIP)
    middleware = find_cache_middleware(private.app)  # type: ignore[arg-type]
    assert len(middleware.cache.entries) == 58
    assert middleware.cache.bytes == sum(e.size for e in middleware.cache.entries.values())


def find_cache_middleware(app: FastAPI) -> Any:
    stack: Any = app.middleware_stack
    while stack is not None:
        if type(stack).__name__ == "HTTPCacheMiddleware":
            return stack
        stack = getattr(stack, "app", None)
    raise AssertionError("no HTTPCacheMiddleware in the stack")


# --- cache policy: credentials, Vary, and answers that depend on the date ----------------------


def test_public_answers_vary_on_encoding_and_credentials(client: TestClient) -> None:
    response = client.get("/api/v1/topics")
    assert response.headers["vary"] == "Accept-Encoding, Accept-Language, Authorization"
    # A collection with other formats varies on Accept too (api/http/formats.py).
    assert (
        client.get("/api/v1/states").headers["vary"]
        == "Accept-Encoding, Accept-Language, Authorization, Accept"
    )
    assert response.headers["cache-control"] == DEFAULT_CACHE_CONTROL


def test_an_answer_to_a_request_with_credentials_is_private_and_never_kept(
    private: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, credentials = "/api/v1/states?limit=3", {"Authorization": "Bearer someone"}
    counter = FetchCounter(private.app, monkeypatch)  # type: ignore[arg-type]
    anonymous = private.get(url)
    assert anonymous.headers["cache-control"] == DEFAULT_CACHE_CONTROL
    queried = len(counter.sql)
    for _ in range(2):
        answer = private.get(url, headers=credentials)
        assert answer.status_code == 200
        assert answer.json() == anonymous.json()
        assert answer.headers["cache-control"] == "private, no-store"
        assert answer.headers["vary"] == "Accept-Encoding, Accept-Language, Authorization, Accept"
    # Neither served from the anonymous entry nor kept: each credentialed request queried.
    assert len(counter.sql) == queried + 2
    private.get(url)
    assert len(counter.sql) == queried + 2  # the anonymous answer is still cached


def test_a_route_that_varies_on_a_header_is_cached_per_value() -> None:
    cache = ResponseCache(100_000)
    french, german = {b"accept-language": b"fr"}, {b"accept-language": b"de"}
    varied = Entry(
        1, b"fr", (), b'"fr"', vary=(b"Accept-Encoding", b"Accept-Language"), dated=False
    )
    cache.put("k", french, varied)
    assert cache.get(cache.key("k", french), 1) is varied
    assert cache.get(cache.key("k", german), 1) is None
    cache.put("k", german, Entry(1, b"de", (), b'"de"', vary=varied.vary, dated=False))
    found = cache.get(cache.key("k", german), 1)
    assert found is not None
    assert found.body == b"de"
    assert cache.get(cache.key("k", french), 1) is varied


def test_an_answer_that_says_private_or_no_store_is_not_kept() -> None:
    assert _storable(entry())
    for value in (b"private", b"no-store", b"private, max-age=0"):
        said = Entry(1, b"x", ((b"cache-control", value),), b'"x"', vary=(), dated=False)
        assert not _storable(said)


@pytest.mark.parametrize(("url", "dated"), [("/api/v1/events", True), ("/api/v1/states", False)])
def test_an_answer_that_depends_on_the_date_is_as_new_as_today(
    database: TestDatabase, url: str, dated: bool
) -> None:
    """Event statuses change at midnight without a write: their Last-Modified is the start of
    today when that is later than the last write, so a revalidation the day after is a 200."""
    app = create_app(database.settings)
    days = iter([date(2031, 3, 1), date(2031, 3, 2)])
    day = next(days)
    app.state.today = lambda: day
    with TestClient(app) as client:
        first = client.get(url)
        written = format_datetime(changed_at(database.settings).replace(microsecond=0), True)
        expected = "Sat, 01 Mar 2031 00:00:00 GMT" if dated else written
        assert first.headers["last-modified"] == expected
        day = next(days)
        again = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert again.status_code == (200 if dated else 304)
    if dated:
        assert again.headers["last-modified"] == "Sun, 02 Mar 2031 00:00:00 GMT"


# --- one render per key and version (single flight) ----------------------------------------


class _Versions:
    """A reader whose content version the test moves."""

    def __init__(self) -> None:
        self.effective = self.catalog_key = 1
        self.changed_at = datetime(2031, 1, 1, tzinfo=UTC)
        self.next_change = None

    async def content_version(self) -> "_Versions":
        return self


class _Flight:
    """The response cache around a route that answers in the request's language once `gate`
    is set (or raises the next of `failures`), recording the language of each call."""

    def __init__(self) -> None:
        self.versions, self.gate = _Versions(), asyncio.Event()
        self.calls: list[str] = []
        self.failures: list[Exception] = []
        self.state = SimpleNamespace(reader=self.versions, today=lambda: TODAY)
        self.cache = HTTPCacheMiddleware(
            self.route, groups={"/api/": public_policy(60, 300)}, cache_bytes=10**6
        )

    async def route(self, scope: Any, receive: Any, send: Any) -> None:
        language = dict(scope["headers"])[b"accept-language"]
        self.calls.append(language.decode())
        await self.gate.wait()
        if self.failures:
            raise self.failures.pop()
        headers = [(b"content-type", b"application/json"), (b"vary", b"Accept-Language")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = b'{"lang": "%s", "version": %d}' % (language, self.versions.effective)
        await send({"type": "http.response.body", "body": body})

    async def get(self, language: str) -> tuple[int, bytes]:
        scope = {
            "type": "http", "method": "GET", "path": "/api/v1/news", "query_string": b"",
            "scheme": "http", "app": SimpleNamespace(state=self.state),
            "headers": [(b"host", b"testserver"), (b"accept-language", language.encode())],
        }  # fmt: skip
        sent: list[Any] = []

        async def receive() -> Any:
            return {"type": "http.request", "body": b""}

        async def send(message: Any) -> None:
            sent.append(message)

        await self.cache(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    async def written(self) -> None:
        """A first answer (which says what the page varies on), then a write."""
        self.gate.set()
        assert (await self.get("fr"))[0] == 200
        self.versions.effective = 2
        self.gate.clear()
        self.calls.clear()


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the requests never got there")


def _body(lang: str) -> tuple[int, bytes]:
    return 200, b'{"lang": "%s", "version": 2}' % lang.encode()


def test_requests_for_a_page_being_rendered_wait_for_that_render() -> None:
    """After a write, twelve requests for one page in two languages: one render a language,
    and each request answered in its own language."""
    flight = _Flight()

    async def run() -> list[tuple[int, bytes]]:
        await flight.written()
        waiting = [asyncio.create_task(flight.get(lang)) for lang in ["fr"] * 8 + ["de"] * 4]
        await _until(lambda: len(flight.calls) == 2)
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(flight.cache.rendering) == 2  # fr and de, each by its first request
        flight.gate.set()
        return list(await asyncio.gather(*waiting))

    assert asyncio.run(run()) == [_body("fr")] * 8 + [_body("de")] * 4
    assert flight.calls == ["fr", "de"]
    assert flight.cache.rendering == {}


def test_a_page_whose_variants_are_unknown_is_rendered_by_each_request() -> None:
    """Before a first answer has said what a page varies on, no request waits for another's."""
    flight = _Flight()

    async def run() -> list[tuple[int, bytes]]:
        waiting = [asyncio.create_task(flight.get(lang)) for lang in ["fr", "de", "fr"]]
        await _until(lambda: len(flight.calls) == 3)
        flight.gate.set()
        return list(await asyncio.gather(*waiting))

    answers = asyncio.run(run())
    assert [body for _, body in answers] == [b'{"lang": "%s", "version": 1}' % lang
                                             for lang in (b"fr", b"de", b"fr")]  # fmt: skip


def test_a_failed_render_leaves_the_waiting_requests_to_render_their_own() -> None:
    flight = _Flight()

    async def run() -> list[Any]:
        await flight.written()
        flight.failures.append(RuntimeError("the route failed"))  # the next render fails
        first = asyncio.create_task(flight.get("fr"))
        await _until(lambda: len(flight.calls) == 1)
        waiting = [asyncio.create_task(flight.get("fr")) for _ in range(2)]
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(flight.calls) == 1  # they wait for the first one's render
        flight.gate.set()
        return list(await asyncio.gather(first, *waiting, return_exceptions=True))

    answers = asyncio.run(run())
    assert isinstance(answers[0], RuntimeError)
    assert answers[1:] == [_body("fr")] * 2
    # The failed render, then the first waiting request's own; the second found that one
    # kept by the time it looked (the gate was open: it rendered without pausing).
    assert flight.calls == ["fr"] * 2
    assert flight.cache.rendering == {}


def test_a_news_write_keeps_the_catalog_and_a_topic_write_reloads_it(
    session: Session, private: TestClient
) -> None:
    """The catalog of reference data is reloaded when a table it reads changes (the catalog
    version), not on every save of a news item; the answers show either change at once."""
    catalogs = private.app.state.catalogs  # type: ignore[attr-defined]
    url = "/api/v1/news?topic=youth&limit=1"
    assert private.get(url).status_code == 200
    kept = catalogs._catalog
    make_news(session, slug="test-catalog-kept", published_at=datetime(2031, 1, 1, tzinfo=UTC),
              topics=["youth"])  # fmt: skip
    # The seed has no news about youth: until PostgreSQL's notification of the write arrives
    # the kept answer is an empty page.
    newest = poll(private, url, lambda r: [i["slug"] for i in r.json()["data"]] == [
        "test-catalog-kept"])  # fmt: skip
    assert newest.json()["data"][0]["slug"] == "test-catalog-kept"
    assert catalogs._catalog is kept  # the same catalog: no table it reads changed
    session.exec(update(Topic).where(Topic.slug == "youth").values(name="Young people"))
    session.commit()
    renamed = poll(private, url, lambda r: r.json()["data"][0]["topics"][0]["name"] != "Youth")
    assert renamed.json()["data"][0]["topics"] == [{"slug": "youth", "name": "Young people"}]
    assert catalogs._catalog is not kept
