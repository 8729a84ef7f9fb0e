"""Paging: keyset cursors through whole collections, cursor checks, the offset cap, capped totals
and canonical links."""

import base64
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from api.config import Settings
from api.content.base import PublicationStatus
from api.content.countries.models import Country
from api.content.events.models import Event
from api.content.field_operations.models import FieldOperation
from api.content.news.models import News, NewsTopic
from api.content.topics.models import Topic
from api.main import create_app
from api.read.paging import Cursors
from tests.conftest import TEST_TIMEOUT_MS, TODAY, TestDatabase
from tests.factories import make_event, make_field_operation, make_news
from tests.helpers import (
    FetchCounter,
    assert_invalid,
    assert_refused,
    fetch_page,
    slugs,
    walk_back,
    walk_forward,
)

PUBLISHED = PublicationStatus.published
Order = list[str]  # slugs in the order the API must list them


def cursor_of(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["cursor"]


def as_utc(value: datetime | str) -> datetime:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def in_order(rows: Sequence[tuple[str, Any, int]], descending: bool) -> Order:
    """Slugs by (value, id), or both descending: the keyset order with its tie-breaker."""
    ordered = sorted(rows, key=lambda row: (row[1], row[2]), reverse=descending)
    return [slug for slug, _, _ in ordered]


def app_on(
    database_url: str, *, raise_server_exceptions: bool = True, **settings: Any
) -> TestClient:
    settings = {"db_statement_timeout_ms": TEST_TIMEOUT_MS} | settings
    app = create_app(Settings(database_url=database_url, **settings))
    app.state.today = lambda: TODAY
    return TestClient(app, raise_server_exceptions=raise_server_exceptions)


# --- the rows the walks go through -------------------------------------------------------------


@pytest.fixture(scope="module")
def made(module_fresh: tuple[Session, TestClient]) -> tuple[Session, TestClient]:
    """News, events and field operations with equal sort values, so that ties need the id,
    written once for the module's walks (they only read), and a session and client on them."""
    session, _ = module_fresh
    for i in range(30):
        make_news(
            session,
            slug=f"test-paging-news-{i:02d}",
            # Ten instants, three items each; every other item is about youth.
            published_at=datetime(2030, 1, 1 + i % 10, 12, 30, tzinfo=UTC),
            topics=["youth"] if i % 2 else [],
        )
    make_news(session, slug="test-paging-draft", draft=True, topics=["youth"])
    for i in range(12):
        make_event(
            session,
            slug=f"test-paging-event-{i:02d}",
            starts_on=date(2031, 1, 1 + i % 4),
            ends_on=date(2031, 2, 1 + i % 3),
        )
    closings: list[date | None] = [None, None, None, date(2010, 5, 1), date(2010, 5, 1)]
    closings += [date(2010, 5, 1), date(2001, 12, 31), date(1999, 6, 9)]
    for i, closed_on in enumerate(closings):
        make_field_operation(
            session,
            slug=f"test-paging-operation-{i:02d}",
            established_on=date(1990, 1, 1),
            closed_on=closed_on,
        )
    return module_fresh


def news_order(session: Session, sort: str, topic: str | None = None) -> Order:
    statement = select(News.slug, News.published_at, News.id).where(
        News.publication_status == PUBLISHED
    )
    if topic is not None:
        statement = (
            statement.join(NewsTopic, NewsTopic.news_id == News.id)
            .join(Topic, Topic.id == NewsTopic.topic_id)
            .where(Topic.slug == topic)
        )
    rows = [(slug, as_utc(at), id_) for slug, at, id_ in session.execute(statement).all()]
    return in_order(rows, sort.startswith("-"))


def event_order(session: Session, sort: str) -> Order:
    column = Event.starts_on if sort.lstrip("-") == "starts_on" else Event.ends_on
    statement = select(Event.slug, column, Event.id).where(Event.publication_status == PUBLISHED)
    rows = [tuple(row) for row in session.execute(statement).all()]
    return in_order(rows, sort.startswith("-"))  # type: ignore[arg-type]


def state_order(session: Session, sort: str) -> Order:
    column = Country.sort_name if sort.lstrip("-") == "name" else Country.joined_on
    statement = select(Country.slug, column, Country.id).where(
        Country.publication_status == PUBLISHED, Country.kind == "participating-state"
    )
    rows = [tuple(row) for row in session.execute(statement).all()]
    return in_order(rows, sort.startswith("-"))  # type: ignore[arg-type]


def operation_order(session: Session, sort: str) -> Order:
    statement = select(FieldOperation.slug, FieldOperation.closed_on, FieldOperation.id).where(
        FieldOperation.publication_status == PUBLISHED
    )
    rows = [(slug, closed or date.max, id_) for slug, closed, id_ in session.execute(statement)]
    return in_order(rows, sort.startswith("-"))


WALKS: list[tuple[str, Callable[[Session], Order]]] = [
    ("/api/v1/news?sort=-published_at", lambda s: news_order(s, "-published_at")),
    ("/api/v1/news?sort=published_at", lambda s: news_order(s, "published_at")),
    ("/api/v1/news", lambda s: news_order(s, "-published_at")),
    # One topic reads through the link table's index: another keyset, the same order.
    ("/api/v1/news?topic=youth", lambda s: news_order(s, "-published_at", "youth")),
    (
        "/api/v1/news?topic=youth&sort=published_at",
        lambda s: news_order(s, "published_at", "youth"),
    ),
    ("/api/v1/events?sort=starts_on", lambda s: event_order(s, "starts_on")),
    ("/api/v1/events?sort=-starts_on", lambda s: event_order(s, "-starts_on")),
    ("/api/v1/events?sort=ends_on", lambda s: event_order(s, "ends_on")),
    ("/api/v1/events?sort=-ends_on", lambda s: event_order(s, "-ends_on")),
    ("/api/v1/states?sort=name", lambda s: state_order(s, "name")),
    ("/api/v1/states?sort=-name", lambda s: state_order(s, "-name")),
    ("/api/v1/states?sort=joined_on", lambda s: state_order(s, "joined_on")),
    ("/api/v1/states?sort=-joined_on", lambda s: state_order(s, "-joined_on")),
    ("/api/v1/field-operations?sort=closed_on", lambda s: operation_order(s, "closed_on")),
    ("/api/v1/field-operations?sort=-closed_on", lambda s: operation_order(s, "-closed_on")),
]


@pytest.mark.parametrize(("url", "expected"), WALKS, ids=[url for url, _ in WALKS])
@pytest.mark.parametrize("limit", [1, 4, 7])
def test_following_next_visits_every_item_once_in_order_and_prev_comes_back(
    made: tuple[Session, TestClient], url: str, expected: Callable[[Session], Order], limit: int
) -> None:
    session, client = made
    order = expected(session)
    assert len(order) >= 2 * limit
    assert not any(slug.endswith("draft") for slug in order)
    separator = "&" if "?" in url else "?"
    pages = walk_forward(client, f"{url}{separator}limit={limit}")

    visited = [slug for page in pages for slug in slugs(page)]
    assert visited == order
    assert len(set(visited)) == len(visited)
    assert all(len(page["data"]) == limit for page in pages[:-1])
    assert 1 <= len(pages[-1]["data"]) <= limit
    assert pages[0]["meta"]["offset"] == 0
    assert pages[0]["links"]["prev"] is None
    for page in pages:
        assert page["meta"]["total"] == len(order)
        assert page["meta"]["total_exact"] is True
        assert page["meta"]["limit"] == limit
    for page in pages[1:]:
        assert page["meta"]["offset"] is None  # reached by cursor
        assert page["links"]["prev"] is not None

    back = walk_back(client, pages[-1])
    assert [slugs(page) for page in back] == [slugs(page) for page in pages[-2::-1]]
    for page in back:
        assert page["meta"]["offset"] is None
        assert page["meta"]["total"] == len(order)
        assert page["links"]["next"] is not None
    # Back on the first page, next leads where it led the first time.
    assert back[-1]["links"]["next"] == pages[0]["links"]["next"]


def test_a_cursor_page_may_be_followed_in_either_direction(
    made: tuple[Session, TestClient],
) -> None:
    session, client = made
    order = news_order(session, "-published_at")
    first = fetch_page(client, "/api/v1/news?limit=5")
    second = fetch_page(client, first["links"]["next"])
    third = fetch_page(client, second["links"]["next"])
    back_to_second = fetch_page(client, third["links"]["prev"])
    assert slugs(back_to_second) == slugs(second) == order[5:10]
    forward_again = fetch_page(client, back_to_second["links"]["next"])
    assert slugs(forward_again) == slugs(third) == order[10:15]
    back_to_first = fetch_page(client, back_to_second["links"]["prev"])
    assert slugs(back_to_first) == order[:5]
    assert back_to_first["links"]["prev"] is None


def test_offset_pages_link_to_cursor_pages(made: tuple[Session, TestClient]) -> None:
    session, client = made
    order = state_order(session, "name")
    page = fetch_page(client, "/api/v1/states?offset=10&limit=5")
    assert page["meta"]["offset"] == 10
    assert slugs(page) == order[10:15]
    assert "offset" not in dict(parse_qsl(urlsplit(page["links"]["next"]).query))
    assert "offset" not in dict(parse_qsl(urlsplit(page["links"]["prev"]).query))
    assert slugs(fetch_page(client, page["links"]["next"])) == order[15:20]
    assert slugs(fetch_page(client, page["links"]["prev"])) == order[5:10]


def test_single_page_result_has_no_next_or_prev(client: TestClient) -> None:
    page = fetch_page(client, "/api/v1/events?limit=100")
    assert page["links"]["next"] is None
    assert page["links"]["prev"] is None
    assert page["meta"]["offset"] == 0


# --- cursor checks -----------------------------------------------------------------------------


@pytest.fixture
def next_cursor(client: TestClient) -> str:
    """The cursor of the second page of /api/v1/states?limit=5."""
    return cursor_of(client.get("/api/v1/states", params={"limit": 5}).json()["links"]["next"])


def flip(text: str, at: int) -> str:
    """`text` with the base64url character at `at` replaced by another one."""
    return text[:at] + ("B" if text[at] == "A" else "A") + text[at + 1 :]


def tampered(cursor: str) -> list[str]:
    payload, signature = cursor.split(".")
    return [
        f"{flip(payload, 0)}.{signature}",
        f"{flip(payload, len(payload) // 2)}.{signature}",
        f"{flip(payload, len(payload) - 2)}.{signature}",
        f"{payload}.{flip(signature, 0)}",
        f"{payload}.{flip(signature, len(signature) - 1)}",
        f"{payload}.",
        f".{signature}",
        payload,
        f"{payload}.{signature}.{signature}",
        f"{payload}.{signature}x",
        f"{payload[:-3]}.{signature}",
        "!!!!.????",
        "bm90IGEgY3Vyc29y",
        "bm90IGEgY3Vyc29y.bm90IGEgY3Vyc29y",
        "%ff%fe.%00",
        "é.ü",
        ".",
    ]


def test_tampered_cursors_name_no_page(client: TestClient, next_cursor: str) -> None:
    assert client.get("/api/v1/states", params={"limit": 5, "cursor": next_cursor}).is_success
    for bad in tampered(next_cursor):
        response = client.get("/api/v1/states", params={"limit": 5, "cursor": bad})
        error = assert_refused(response, 404, "cursor")
        assert error["detail"] == "not a cursor of this API; start again from the first page", bad


def test_empty_cursor_is_422_naming_cursor(client: TestClient) -> None:
    assert_invalid(client.get("/api/v1/states?cursor="), "cursor")
    assert_invalid(client.get("/api/v1/news?cursor=&limit=2"), "cursor")


def test_overlong_cursor_is_422_naming_cursor(client: TestClient, next_cursor: str) -> None:
    assert_invalid(client.get("/api/v1/states", params={"cursor": next_cursor * 20}), "cursor")


@pytest.mark.parametrize(
    ("first", "reused"),
    [
        ("/api/v1/news?type=story&limit=2", "/api/v1/news?type=news-item&limit=2"),
        ("/api/v1/news?type=story&limit=2", "/api/v1/news?limit=2"),
        ("/api/v1/news?limit=2", "/api/v1/news?type=story&limit=2"),
        ("/api/v1/news?limit=2", "/api/v1/news?sort=published_at&limit=2"),
        ("/api/v1/news?sort=published_at&limit=2", "/api/v1/news?limit=2"),
        ("/api/v1/states?limit=5", "/api/v1/states?sort=-name&limit=5"),
        ("/api/v1/states?limit=5", "/api/v1/states?sort=joined_on&limit=5"),
        ("/api/v1/states?limit=5", "/api/v1/states?q=republic&limit=5"),
        ("/api/v1/states?limit=5", "/api/v1/partners?limit=5"),
        ("/api/v1/field-operations?limit=5", "/api/v1/field-operations?status=active&limit=5"),
        ("/api/v1/events?limit=1", "/api/v1/events?date_from=2025-01-01&limit=1"),
    ],
)
def test_cursor_of_another_query_names_no_page_of_it(
    client: TestClient, first: str, reused: str
) -> None:
    cursor = cursor_of(fetch_page(client, first)["links"]["next"])
    error = assert_refused(client.get(f"{reused}&cursor={cursor}"), 404, "cursor")
    assert error["detail"] == (
        "this cursor belongs to another query (keep its filters and sort); "
        "start again from the first page"
    )


def test_cursor_survives_reordered_parameters(client: TestClient) -> None:
    first = fetch_page(client, "/api/v1/news?type=story&sort=published_at&limit=2")
    cursor = cursor_of(first["links"]["next"])
    reordered = client.get(f"/api/v1/news?limit=2&cursor={cursor}&type=story&sort=published_at")
    assert reordered.status_code == 200
    assert slugs(reordered.json()) == slugs(fetch_page(client, first["links"]["next"]))


def test_changing_limit_or_fields_with_a_cursor_is_allowed(client: TestClient) -> None:
    everything = slugs(fetch_page(client, "/api/v1/states?limit=100"))
    cursor = cursor_of(fetch_page(client, "/api/v1/states?limit=5")["links"]["next"])
    longer = fetch_page(client, f"/api/v1/states?limit=10&cursor={cursor}")
    assert slugs(longer) == everything[5:15]
    assert longer["meta"]["limit"] == 10
    sparse = fetch_page(client, f"/api/v1/states?limit=5&fields=slug,name&cursor={cursor}")
    assert slugs(sparse) == everything[5:10]
    assert all(set(item) == {"slug", "name"} for item in sparse["data"])
    both = fetch_page(client, f"/api/v1/states?limit=3&fields=slug&cursor={cursor}")
    assert [item["slug"] for item in both["data"]] == everything[5:8]
    assert cursor_of(both["links"]["next"])  # and the walk goes on
    assert slugs(fetch_page(client, both["links"]["next"])) == everything[8:11]


def test_an_offset_with_a_cursor_skips_items_after_its_position(
    client: TestClient, next_cursor: str
) -> None:
    everything = slugs(fetch_page(client, "/api/v1/states?limit=100"))
    skipped = fetch_page(client, f"/api/v1/states?limit=5&offset=5&cursor={next_cursor}")
    assert slugs(skipped) == everything[10:15]
    assert skipped["meta"]["offset"] is None
    assert slugs(fetch_page(client, skipped["links"]["next"])) == everything[15:20]
    assert slugs(fetch_page(client, skipped["links"]["prev"])) == everything[5:10]


def test_cursor_signed_with_another_secret_names_no_page(
    client: TestClient, database: TestDatabase, next_cursor: str
) -> None:
    with app_on(database.settings.database_url, cursor_secret="another-secret-123") as other:
        assert_refused(other.get("/api/v1/states", params={"cursor": next_cursor}), 404, "cursor")
        # Its own cursors work there, and nowhere else.
        own = cursor_of(fetch_page(other, "/api/v1/states?limit=5")["links"]["next"])
        assert own != next_cursor
        assert slugs(fetch_page(other, f"/api/v1/states?limit=5&cursor={own}")) == slugs(
            fetch_page(client, f"/api/v1/states?limit=5&cursor={next_cursor}")
        )
    assert_refused(client.get("/api/v1/states", params={"limit": 5, "cursor": own}), 404, "cursor")


def _sign(secret: str, payload: list[Any]) -> str:
    data = orjson.dumps(payload)
    mac = Cursors(secret)._mac(data)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{b64(data)}.{b64(mac)}"


@pytest.mark.parametrize(
    ("sort", "value", "row_id"),
    [("name", "andorra", "x"), ("joined_on", 5, 3), ("joined_on", "not-a-date", 3)],
)
def test_signed_cursor_with_malformed_content_names_no_page(
    database: TestDatabase, sort: str, value: Any, row_id: Any
) -> None:
    """The default secret is public; a cursor signed with it but holding odd values must still
    be refused (404), never a 500."""
    # Answered as a client would see it: a 500 problem rather than a raised exception.
    with app_on(database.settings.database_url, raise_server_exceptions=False) as own:
        url = f"/api/v1/states?limit=5&sort={sort}"
        genuine = cursor_of(fetch_page(own, url)["links"]["next"])
        text = genuine.split(".")[0]
        payload = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        secret = own.app.state.settings.cursor_secret  # type: ignore[attr-defined]
        forged = _sign(secret, [sort, 0, value, row_id, payload[4]])
        # The genuine payload, re-signed, still works: the forgery differs only in its content.
        resigned = fetch_page(own, f"{url}&cursor={_sign(secret, payload)}")
        assert slugs(resigned) == slugs(fetch_page(own, f"{url}&cursor={genuine}"))
        response = own.get(f"{url}&cursor={forged}")
        assert_refused(response, 404, "cursor")


# --- offset cap --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/news", "/api/v1/states", "/api/v1/topics"])
def test_offset_above_10000_is_422_pointing_to_the_cursor(client: TestClient, url: str) -> None:
    error = assert_invalid(client.get(url, params={"offset": 10_001}), "offset")
    assert "10,000" in error["detail"]
    assert "cursor" in error["detail"]


@pytest.mark.parametrize("url", ["/api/v1/news", "/api/v1/states", "/api/v1/topics"])
def test_offset_of_exactly_10000_is_allowed(client: TestClient, url: str) -> None:
    page = fetch_page(client, f"{url}?offset=10000")
    assert page["data"] == []
    assert page["meta"]["offset"] == 10_000
    assert page["links"]["next"] is None


def test_negative_offset_is_422_naming_offset(client: TestClient) -> None:
    assert_invalid(client.get("/api/v1/news?offset=-1"), "offset")


# --- capped totals -----------------------------------------------------------------------------


@pytest.fixture
def capped(session: Session, client: TestClient) -> Iterator[TestClient]:
    """A private database with 120 more news items (100 press releases, 20 news items) and an
    app on it that counts at most 100."""
    for i in range(120):
        make_news(
            session,
            slug=f"test-cap-{i:03d}",
            type="press-release" if i < 100 else "news-item",
            published_at=datetime(2029, 1, 1 + i % 28, tzinfo=UTC),
        )
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with app_on(settings.database_url, count_cap=100) as capped_client:
        yield capped_client


def test_count_cap_is_at_least_100() -> None:
    with pytest.raises(ValidationError):
        Settings(count_cap=99)
    assert Settings(count_cap=100).count_cap == 100


def test_total_is_capped_and_flagged_beyond_count_cap(
    capped: TestClient, client: TestClient
) -> None:
    everything = fetch_page(capped, "/api/v1/news?limit=10")
    assert everything["meta"] == {"total": 100, "total_exact": False, "limit": 10, "offset": 0}
    following = fetch_page(capped, everything["links"]["next"])
    assert following["meta"]["total"] == 100
    assert following["meta"]["total_exact"] is False
    deep = fetch_page(capped, "/api/v1/news?limit=10&offset=120")
    assert (deep["meta"]["total"], deep["meta"]["total_exact"]) == (100, False)
    assert len(deep["data"]) == 9
    # The app with the default cap counts them all.
    exact = fetch_page(client, "/api/v1/news?limit=10")["meta"]
    assert (exact["total"], exact["total_exact"]) == (129, True)


@pytest.mark.parametrize(
    ("query", "total"),
    [("type=story&limit=2", 5), ("type=news-item&limit=10", 24), ("type=press-release", 100)],
)
def test_total_is_exact_up_to_count_cap(capped: TestClient, query: str, total: int) -> None:
    page = fetch_page(capped, f"/api/v1/news?{query}")
    assert page["meta"]["total"] == total
    assert page["meta"]["total_exact"] is True
    last = walk_forward(capped, f"/api/v1/news?{query}")[-1]
    assert (last["meta"]["total"], last["meta"]["total_exact"]) == (total, True)


@pytest.mark.parametrize(
    ("query", "total", "rows"),
    [
        ("type=story", 5, 5),
        ("type=story&limit=5", 5, 5),
        ("type=story&limit=4", 5, 4),
        ("type=story&limit=2&offset=2", 5, 2),
        ("limit=100&q=zzzz", 0, 0),
    ],
)
def test_a_page_and_its_total_are_one_statement(
    capped: TestClient, monkeypatch: pytest.MonkeyPatch, query: str, total: int, rows: int
) -> None:
    fetch_page(capped, "/api/v1/news?limit=1")  # the reference data is loaded
    counter = FetchCounter(capped.app, monkeypatch)  # type: ignore[arg-type]
    page = fetch_page(capped, f"/api/v1/news?{query}")
    assert (page["meta"]["total"], len(page["data"])) == (total, rows)
    assert page["meta"]["total_exact"] is True
    assert (counter.pages, counter.counts, len(counter.sql)) == (1, 0, 1)


def test_a_page_past_the_end_is_counted_on_its_own(
    capped: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch_page(capped, "/api/v1/news?limit=1")
    counter = FetchCounter(capped.app, monkeypatch)  # type: ignore[arg-type]
    page = fetch_page(capped, "/api/v1/news?type=story&offset=50")
    assert (page["meta"]["total"], page["data"]) == (5, [])
    assert (counter.pages, counter.counts) == (1, 1)


# --- canonical links ---------------------------------------------------------------------------


def test_links_use_a_canonical_sorted_query(client: TestClient) -> None:
    response = client.get("/api/v1/news?type=story&sort=published_at&limit=2")
    body = response.json()
    base = "http://testserver/api/v1/news?"
    assert body["links"]["self"] == base + "limit=2&sort=published_at&type=story"
    assert body["links"]["next"].startswith(base + "limit=2&sort=published_at&type=story&cursor=")
    assert body["links"]["prev"] is None
    reordered = client.get("/api/v1/news?limit=2&type=story&sort=published_at").json()
    assert reordered["links"] == body["links"]
    second = fetch_page(client, body["links"]["next"])
    next_query = parse_qsl(urlsplit(body["links"]["next"]).query)
    assert parse_qsl(urlsplit(second["links"]["self"]).query) == sorted(next_query)
    assert second["links"]["prev"].startswith(base + "limit=2&sort=published_at&type=story&cursor=")


def test_offset_and_old_cursor_are_dropped_from_next_and_prev(client: TestClient) -> None:
    page = fetch_page(client, "/api/v1/states?offset=5&limit=5&fields=slug")
    assert page["links"]["self"] == "http://testserver/api/v1/states?fields=slug&limit=5&offset=5"
    for rel in ("next", "prev"):
        query = parse_qsl(urlsplit(page["links"][rel]).query)
        assert [k for k, _ in query] == ["fields", "limit", "cursor"]
    following = fetch_page(client, page["links"]["next"])
    assert [k for k, _ in parse_qsl(urlsplit(following["links"]["next"]).query)].count(
        "cursor"
    ) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/states?limit=2&sort=-name",
        "/api/v1/news?fields=slug&type=story&limit=3",
        "/api/v1/news?type=story&limit=2&offset=1",
        "/api/v1/events?limit=1&date_from=2025-01-01T00:00:00%2B01:00",
        "/api/v1/field-operations?status=active&country=RS,UZ&limit=1",
    ],
)
def test_links_self_gets_the_same_page(database: TestDatabase, url: str) -> None:
    # No response cache, so that following the link really runs its query.
    with app_on(database.settings.database_url, response_cache_mb=0) as uncached:
        page = fetch_page(uncached, url)
        assert page["data"]
        again = fetch_page(uncached, page["links"]["self"])
        assert again == page
        if page["links"]["next"]:  # and the next page's own self link gives it back
            following = fetch_page(uncached, page["links"]["next"])
            assert fetch_page(uncached, following["links"]["self"]) == following


@pytest.mark.parametrize(
    "url", ["/api/v1/states?limit=2&limit=1", "/api/v1/states?sort=name&sort=-name"]
)
def test_a_repeated_single_valued_parameter_has_no_page_to_link_to(
    client: TestClient, url: str
) -> None:
    name = url.split("?")[1].split("=")[0]
    assert_invalid(client.get(url), name)
