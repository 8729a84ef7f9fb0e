"""`/api/v1/events`: meetings, conferences, trainings, ceremonies; all-day or timed."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.config import PROJECT_ROOT
from api.content.events.models import EventPublic
from tests.conftest import Get
from tests.factories import make_event
from tests.helpers import assert_problem, link_header, slugs_at

URL = "/api/v1/events"
SEED_PAGE = PROJECT_ROOT / "seed_data" / "osce-homepage.txt"

TIRASPOL = (
    "opening-of-the-art-exhibition-peace-through-art-on-both-banks-of-the-dniester-nistru-"
    "river-2025"
)
KYIV = "professional-development-school-for-criminal-law-professors"
BOTH = [TIRASPOL, KYIV]

TIRASPOL_TITLE = (
    "Opening of the art exhibition Peace Through Art on both banks of the Dniester/Nistru River, "
    "2025"
)
KYIV_TITLE = (
    "Professional Development School for Criminal Law Professors “Criminal Legislation of "
    "Ukraine: Current Challenges and Development Prospects”"
)
# As the seed page shows them: label, title, dates, location.
PAGE_EVENTS = [
    ("Ceremony", TIRASPOL_TITLE, "20 November - 31 December 2025",
     "Tiraspol Office of the OSCE Mission…"),
    ("Training", KYIV_TITLE, "8 - 10 February 2026", "Kyiv, Ukraine"),
]  # fmt: skip


@contextmanager
def today_is(app: FastAPI, day: date) -> Iterator[None]:
    """Pin the API's calendar to another day for a block, then restore what was there."""
    previous = app.state.today
    app.state.today = lambda: day
    try:
        yield
    finally:
        app.state.today = previous


# --- the seed content --------------------------------------------------------------------------


def test_page_table_is_the_text_of_the_seed_page() -> None:
    page = SEED_PAGE.read_text(encoding="utf-8")
    for label, title, dates, location in PAGE_EVENTS:
        assert f"{label} {title} " in page
        after = page[page.index(title) :]
        assert after.index(f"Date Date {dates} Location Location {location}") < 500


def test_events_lists_both_page_events_soonest_first(client: TestClient) -> None:
    body = client.get(URL).json()
    assert body["meta"] == {"total": 2, "total_exact": True, "limit": 20, "offset": 0}
    got = [
        (
            e["slug"], e["title"], e["type"], e["starts_on"], e["ends_on"],
            e["location"]["city"], e["location"]["country"]["iso_alpha2"],
            e["location"]["country"]["name"],
        )
        for e in body["data"]
    ]  # fmt: skip
    assert got == [
        (TIRASPOL, TIRASPOL_TITLE, "ceremony", "2025-11-20", "2025-12-31", "Tiraspol", "MD",
         "Moldova"),
        (KYIV, KYIV_TITLE, "training", "2026-02-08", "2026-02-10", "Kyiv", "UA", "Ukraine"),
    ]  # fmt: skip


def test_events_list_items_are_exactly_the_public_model(client: TestClient) -> None:
    for item in client.get(URL).json()["data"]:
        assert EventPublic.model_validate(item).model_dump(mode="json") == item


@pytest.mark.parametrize("slug", BOTH)
def test_event_item_is_exactly_the_public_model_and_the_list_entry(
    client: TestClient, slug: str
) -> None:
    response = client.get(f"{URL}/{slug}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    item = response.json()["data"]
    assert EventPublic.model_validate(item).model_dump(mode="json") == item
    assert item == next(e for e in client.get(URL).json()["data"] if e["slug"] == slug)


def test_tiraspol_exhibition_in_full(client: TestClient) -> None:
    data = client.get(f"{URL}/{TIRASPOL}").json()["data"]
    assert data == {
        "slug": TIRASPOL,
        "title": TIRASPOL_TITLE,
        "type": "ceremony",
        "status": "ongoing",
        "all_day": True,
        "starts_on": "2025-11-20",
        "ends_on": "2025-12-31",
        # Midnight to midnight in Chisinau (UTC+2 in winter).
        "starts_at": "2025-11-19T22:00:00Z",
        "ends_at": "2025-12-31T22:00:00Z",
        "time_zone": "Europe/Chisinau",
        "location": {
            "venue": "Tiraspol Office of the OSCE Mission to Moldova",
            "city": "Tiraspol",
            "territory": "Transdniestrian region",
            "country": {"slug": "moldova", "name": "Moldova", "iso_alpha2": "MD"},
            "region": "eastern-europe",
            "latitude": 46.8403,
            "longitude": 29.6431,
        },
        "summary": data["summary"],
        "organiser": "OSCE Mission to Moldova",
        "field_operation": {"slug": "mission-to-moldova", "name": "Mission to Moldova"},
        "topics": [
            {"slug": "conflict-prevention-and-resolution",
             "name": "Conflict prevention and resolution"},
            {"slug": "youth", "name": "Youth"},
        ],
        "fallback": [],
    }  # fmt: skip
    assert "Alexandru Plamadeala" in data["summary"]


def test_kyiv_training_in_full(client: TestClient) -> None:
    data = client.get(f"{URL}/{KYIV}").json()["data"]
    assert data == {
        "slug": KYIV,
        "title": KYIV_TITLE,
        "type": "training",
        "status": "upcoming",
        "all_day": True,
        "starts_on": "2026-02-08",
        "ends_on": "2026-02-10",
        "starts_at": "2026-02-07T22:00:00Z",
        "ends_at": "2026-02-10T22:00:00Z",
        "time_zone": "Europe/Kyiv",
        "location": {
            "venue": None,
            "city": "Kyiv",
            "territory": None,
            "country": {"slug": "ukraine", "name": "Ukraine", "iso_alpha2": "UA"},
            "region": "eastern-europe",
            "latitude": 50.4501,
            "longitude": 30.5234,
        },
        "summary": data["summary"],
        "organiser": "OSCE",
        "field_operation": None,
        # Topics in page order: Education comes before Rule of law.
        "topics": [
            {"slug": "education", "name": "Education"},
            {"slug": "rule-of-law", "name": "Rule of law"},
        ],
        "fallback": [],
    }
    assert data["summary"].startswith("A professional development school in Kyiv")


# --- filters on the seed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=ceremony", [TIRASPOL]),
        ("type=training", [KYIV]),
        ("type=training,ceremony", BOTH),
        ("type=conference&type=training", [KYIV]),
        ("type=conference", []),
        ("status=ongoing", [TIRASPOL]),
        ("status=upcoming", [KYIV]),
        ("status=past", []),
        ("status=past,upcoming", [KYIV]),
        ("status=ongoing&status=upcoming", BOTH),
        ("topic=youth", [TIRASPOL]),
        ("topic=rule-of-law", [KYIV]),
        ("topic=rule-of-law,youth", BOTH),
        ("topic=elections", []),
        ("field_operation=mission-to-moldova", [TIRASPOL]),
        ("field_operation=mission-to-serbia", []),
        ("country=MD", [TIRASPOL]),
        ("country=ukraine", [KYIV]),
        ("country=md,UA", BOTH),
        ("country=AL", []),
        ("region=eastern-europe", BOTH),
        ("region=central-asia", []),
        ("city=Kyiv", [KYIV]),
        ("city=KYIV", [KYIV]),
        ("city=tiraspol,kyiv", BOTH),
        ("city=Chisinau", []),
        # Chisinau to Tiraspol is 62 km.
        ("near=47.0105,28.8638&radius_km=70", [TIRASPOL]),
        ("near=47.0105,28.8638", []),
        ("near=50.4501,30.5234", [KYIV]),
        ("near=47.0105,28.8638&radius_km=500", BOTH),
        ("bbox=28,46,31,48", [TIRASPOL]),
        ("bbox=20,40,35,55", BOTH),
        ("bbox=0,0,10,10", []),
        ("date_from=2025-12-31&date_to=2025-12-31", [TIRASPOL]),
        ("date_from=2025-11-20&date_to=2025-11-20", [TIRASPOL]),
        ("date_to=2025-11-20", [TIRASPOL]),
        ("date_to=2025-11-19", []),
        # A window that starts after the exhibition began and ends before it closes.
        ("date_from=2025-12-01&date_to=2025-12-02", [TIRASPOL]),
        ("date_from=2026-01-01&date_to=2026-02-07", []),
        ("date_from=2026-01-01&date_to=2026-02-08", [KYIV]),
        ("date_from=2026-02-09&date_to=2026-02-09", [KYIV]),
        ("date_from=2026-02-10", [KYIV]),
        ("date_from=2026-02-11", []),
        ("date_from=2025-12-31&date_to=2026-02-08", BOTH),
        ("date_from=2025-12-15T10:00:00Z&date_to=2025-12-16T10:00:00Z", [TIRASPOL]),
        # An event's end is exclusive: the exhibition ends at midnight that starts 1 January in
        # Chisinau (UTC+2), the training at midnight that starts 11 February in Kyiv (UTC+2).
        ("date_from=2025-12-31T23:59:59%2B02:00", BOTH),
        ("date_from=2026-01-01T00:00:00%2B02:00", [KYIV]),
        ("date_from=2025-12-31T22:00:00Z", [KYIV]),
        ("date_from=2026-02-10T23:59:59.999999%2B02:00", [KYIV]),
        ("date_from=2026-02-11T00:00:00%2B02:00", []),
        ("status=ongoing&country=MD", [TIRASPOL]),
        ("status=upcoming&country=MD", []),
        ("date_from=2025-11-01&type=training", [KYIV]),
        ("type=training&topic=education", [KYIV]),
        ("type=training&topic=youth", []),
        ("region=eastern-europe&status=upcoming", [KYIV]),
        ("field_operation=mission-to-moldova&date_from=2026-01-01", []),
        ("city=kyiv&date_to=2026-02-07", []),
        ("q=tiraspol", [TIRASPOL]),
        ("q=Plamadeala", [TIRASPOL]),
        ("q=chi%C8%99in%C4%83u", [TIRASPOL]),
        ("q=Dniester/Nistru", [TIRASPOL]),
        ("q=%22peace%20through%20art%22", [TIRASPOL]),
        # Order matters in a phrase. (Not "art through peace": PostgreSQL reads a stop word in a
        # phrase as any one word, and the text has "art exhibition Peace".)
        ("q=%22art%20peace%22", []),
        ("q=criminal%20legislation", [KYIV]),
        ("q=osce", BOTH),
        ("q=OSCE&type=training", [KYIV]),
    ],
)
def test_events_filters(get_slugs: Get, query: str, expected: list[str]) -> None:
    assert sorted(get_slugs(f"{URL}?limit=100&{query}")) == sorted(expected)


@pytest.mark.parametrize(
    ("day", "statuses"),
    [
        (date(2025, 11, 19), {TIRASPOL: "upcoming", KYIV: "upcoming"}),
        (date(2025, 11, 20), {TIRASPOL: "ongoing", KYIV: "upcoming"}),
        (date(2025, 12, 15), {TIRASPOL: "ongoing", KYIV: "upcoming"}),
        (date(2025, 12, 31), {TIRASPOL: "ongoing", KYIV: "upcoming"}),
        (date(2026, 1, 1), {TIRASPOL: "past", KYIV: "upcoming"}),
        (date(2026, 2, 8), {TIRASPOL: "past", KYIV: "ongoing"}),
        (date(2026, 2, 10), {TIRASPOL: "past", KYIV: "ongoing"}),
        (date(2026, 2, 11), {TIRASPOL: "past", KYIV: "past"}),
    ],
)
def test_event_status_is_measured_against_today(
    app: FastAPI, client: TestClient, day: date, statuses: dict[str, str]
) -> None:
    with today_is(app, day):
        listed = {e["slug"]: e["status"] for e in client.get(URL).json()["data"]}
        assert listed == statuses
        for slug, status in statuses.items():
            assert client.get(f"{URL}/{slug}").json()["data"]["status"] == status
        for status in ("upcoming", "ongoing", "past"):
            found = [e["slug"] for e in client.get(URL, params={"status": status}).json()["data"]]
            assert found == [s for s in BOTH if statuses[s] == status]


def test_today_is_restored_after_pinning_another_day(app: FastAPI, client: TestClient) -> None:
    with today_is(app, date(2026, 3, 1)):
        assert client.get(f"{URL}/{KYIV}").json()["data"]["status"] == "past"
    assert client.get(f"{URL}/{KYIV}").json()["data"]["status"] == "upcoming"


@pytest.mark.parametrize(
    ("sort", "expected"), [("starts_on", BOTH), ("-starts_on", BOTH[::-1])]
)  # fmt: skip
def test_events_sort_on_seed(get_slugs: Get, sort: str, expected: list[str]) -> None:
    assert get_slugs(f"{URL}?sort={sort}") == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("starts_on", ["test-long", TIRASPOL, KYIV]),
        ("-starts_on", [KYIV, TIRASPOL, "test-long"]),
        ("ends_on", [TIRASPOL, KYIV, "test-long"]),
        ("-ends_on", ["test-long", KYIV, TIRASPOL]),
    ],
)
def test_events_sort_by_start_or_end(
    session: Session, get_slugs: Get, sort: str, expected: list[str]
) -> None:
    make_event(session, slug="test-long", starts_on=date(2025, 11, 1), ends_on=date(2026, 3, 1))
    assert get_slugs(f"{URL}?sort={sort}") == expected


@pytest.mark.parametrize("sort", ["starts_on", "-starts_on", "ends_on", "-ends_on"])
def test_events_on_the_same_day_page_without_overlap(
    client: TestClient, session: Session, sort: str
) -> None:
    made = [
        make_event(session, slug=f"test-same-{i}", starts_on=date(2027, 1, 5),
                   ends_on=date(2027, 1, 5))
        for i in range(5)
    ]  # fmt: skip
    in_id_order = [e.slug for e in sorted(made, key=lambda e: e.id or 0)]
    seen: list[str] = []
    url: str | None = f"{URL}?date_from=2027-01-01&limit=2&sort={sort}"
    while url:
        response = client.get(url)
        body = response.json()
        assert body["meta"]["total"] == 5
        links = link_header(response)
        assert links.get("next") == body["links"]["next"]
        assert links.get("prev") == body["links"]["prev"]
        seen += [e["slug"] for e in body["data"]]
        url = body["links"]["next"]
    assert seen == (in_id_order[::-1] if sort.startswith("-") else in_id_order)


def test_events_sparse_fields(client: TestClient) -> None:
    body = client.get(URL, params={"fields": "slug,status"}).json()
    assert body["data"] == [
        {"slug": TIRASPOL, "status": "ongoing"},
        {"slug": KYIV, "status": "upcoming"},
    ]
    item = client.get(f"{URL}/{KYIV}", params={"fields": "starts_on,ends_on,all_day"}).json()
    assert item == {"data": {"all_day": True, "starts_on": "2026-02-08", "ends_on": "2026-02-10"}}


def test_events_paging_links_and_header(client: TestClient) -> None:
    first = client.get(URL, params={"limit": 1, "type": "ceremony,training"})
    body = first.json()
    assert [e["slug"] for e in body["data"]] == [TIRASPOL]
    assert body["meta"] == {"total": 2, "total_exact": True, "limit": 1, "offset": 0}
    assert body["links"]["prev"] is None
    links = link_header(first)
    assert links["next"] == body["links"]["next"]
    assert "prev" not in links
    second = client.get(body["links"]["next"])
    assert [e["slug"] for e in second.json()["data"]] == [KYIV]
    assert second.json()["links"]["next"] is None
    assert second.json()["meta"]["offset"] is None  # reached by cursor
    assert client.get(second.json()["links"]["prev"]).json()["data"] == body["data"]


# --- filters on rows made for the test ---------------------------------------------------------


@pytest.fixture(scope="module")
def made_events(module_fresh: tuple[Session, TestClient]) -> TestClient:
    """Events in 2027 (after the seed), all-day and timed, in several time zones, written once
    for the module's tests of them (they only read); the client."""
    session, client = module_fresh
    make_event(
        session, slug="test-span", type="conference", topics=["elections"],
        starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 5),
    )  # fmt: skip
    make_event(
        session, slug="test-single", field_operation="mission-to-serbia",
        starts_on=date(2027, 3, 10), ends_on=date(2027, 3, 10),
    )  # fmt: skip
    # 08:00 to 17:00 in Tokyo on 11 March: the start is still 10 March in UTC.
    make_event(
        session, slug="test-tokyo", type="seminar", all_day=False,
        starts_on=date(2027, 3, 11), ends_on=date(2027, 3, 11),
        starts_at=datetime(2027, 3, 10, 23, tzinfo=UTC),
        ends_at=datetime(2027, 3, 11, 8, tzinfo=UTC), time_zone="Asia/Tokyo",
        location={"venue": "Embassy", "city": "Tokyo", "country": "JP", "latitude": 35.6762,
                  "longitude": 139.6503},
    )  # fmt: skip
    # 17:00 to 21:00 in New York on 12 March: the end is already 13 March in UTC.
    make_event(
        session, slug="test-new-york", type="workshop", all_day=False,
        starts_on=date(2027, 3, 12), ends_on=date(2027, 3, 12),
        starts_at=datetime(2027, 3, 12, 22, tzinfo=UTC),
        ends_at=datetime(2027, 3, 13, 2, tzinfo=UTC), time_zone="America/New_York",
        location={"city": "New York", "country": "US", "latitude": 40.7128,
                  "longitude": -74.006},
    )  # fmt: skip
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_from=2027-03-01&date_to=2027-03-01", ["test-span"]),
        ("date_from=2027-03-05&date_to=2027-03-05", ["test-span"]),
        ("date_from=2027-03-03&date_to=2027-03-04", ["test-span"]),
        ("date_from=2027-02-01&date_to=2027-02-28", []),
        ("date_from=2027-02-01&date_to=2027-03-01", ["test-span"]),
        ("date_from=2027-02-01&date_to=2027-03-31", ["test-span", "test-single", "test-tokyo",
                                                     "test-new-york"]),
        ("date_from=2027-03-06&date_to=2027-03-09", []),
        ("date_from=2027-03-05&date_to=2027-03-10", ["test-span", "test-single"]),
        # Timed events count by their local dates, not by the UTC dates of their instants.
        ("date_from=2027-03-10&date_to=2027-03-10", ["test-single"]),
        ("date_from=2027-03-11&date_to=2027-03-11", ["test-tokyo"]),
        ("date_from=2027-03-12&date_to=2027-03-12", ["test-new-york"]),
        ("date_from=2027-03-13&date_to=2027-12-31", []),
        ("date_from=2027-01-01&status=upcoming", ["test-span", "test-single", "test-tokyo",
                                                  "test-new-york"]),
        ("date_from=2027-01-01&type=seminar,workshop", ["test-tokyo", "test-new-york"]),
        ("date_from=2027-01-01&country=JP", ["test-tokyo"]),
        ("city=new%20york", ["test-new-york"]),
        ("region=northern-america", ["test-new-york"]),
        ("region=eastern-asia", ["test-tokyo"]),
        ("near=35.6762,139.6503&radius_km=5", ["test-tokyo"]),
        # min_lon > max_lon: the box crosses the antimeridian (Tokyo and New York, not Europe).
        ("bbox=120,20,-60,50", ["test-tokyo", "test-new-york"]),
        ("topic=elections", ["test-span"]),
        ("field_operation=mission-to-serbia", ["test-single"]),
        ("q=tokyo", ["test-tokyo"]),
        ("q=embassy", ["test-tokyo"]),
        ("date_from=2027-01-01&q=osce%20secretariat", ["test-span", "test-single", "test-tokyo",
                                                       "test-new-york"]),
        ("date_from=2027-03-01&date_to=2027-03-11&type=meeting,seminar", ["test-single",
                                                                          "test-tokyo"]),
    ],
)  # fmt: skip
def test_events_filters_on_made_events(
    made_events: TestClient, query: str, expected: list[str]
) -> None:
    assert sorted(slugs_at(made_events, f"{URL}?limit=100&{query}")) == sorted(expected)


def test_timed_event_has_utc_instants_and_local_dates(made_events: TestClient) -> None:
    client = made_events
    item = client.get(f"{URL}/test-tokyo").json()["data"]
    assert EventPublic.model_validate(item).model_dump(mode="json") == item
    assert {k: item[k] for k in ("all_day", "starts_on", "ends_on", "starts_at", "ends_at",
                                 "time_zone", "status")} == {
        "all_day": False, "starts_on": "2027-03-11", "ends_on": "2027-03-11",
        "starts_at": "2027-03-10T23:00:00Z", "ends_at": "2027-03-11T08:00:00Z",
        "time_zone": "Asia/Tokyo", "status": "upcoming",
    }  # fmt: skip
    assert item["location"]["country"] == {"slug": "japan", "name": "Japan", "iso_alpha2": "JP"}
    span = client.get(f"{URL}/test-span").json()["data"]
    assert EventPublic.model_validate(span).model_dump(mode="json") == span
    assert span["location"] is None
    # All-day in Vienna (UTC+1 in March): from the midnight starting 1 March to the one ending 5.
    assert (span["starts_at"], span["ends_at"]) == ("2027-02-28T23:00:00Z", "2027-03-05T23:00:00Z")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The Tiraspol exhibition ends at midnight local time, 22:00 UTC on 31 December.
        ("date_from=2025-12-31T21:59:00Z&date_to=2025-12-31T23:00:00Z", [TIRASPOL]),
        ("date_from=2025-12-31T22:30:00Z&date_to=2026-01-01T10:00:00Z", []),
        ("date_from=2025-12-31", [TIRASPOL, KYIV]),
        # The Kyiv training starts at midnight local time, 22:00 UTC on 7 February.
        ("date_from=2026-02-07T21:00:00Z&date_to=2026-02-07T21:59:00Z", []),
        ("date_from=2026-02-07T21:00:00Z&date_to=2026-02-07T22:00:00Z", [KYIV]),
        ("date_to=2026-02-08T00:30:00%2B02:00", [TIRASPOL, KYIV]),
    ],
)
def test_events_window_with_instants_compares_instants(
    get_slugs: Get, query: str, expected: list[str]
) -> None:
    assert sorted(get_slugs(f"{URL}?{query}")) == sorted(expected)


def test_draft_events_never_appear(client: TestClient, session: Session, get_slugs: Get) -> None:
    make_event(
        session, draft=True, slug="test-draft-event", type="ceremony", topics=["youth"],
        starts_on=date(2025, 12, 1), ends_on=date(2025, 12, 20),
        location={"city": "Tiraspol", "country": "MD", "latitude": 46.8403,
                  "longitude": 29.6431},
    )  # fmt: skip
    assert client.get(URL).json()["meta"]["total"] == 2
    assert get_slugs(f"{URL}?status=ongoing") == [TIRASPOL]
    assert get_slugs(f"{URL}?city=tiraspol&topic=youth&type=ceremony") == [TIRASPOL]
    assert get_slugs(f"{URL}?date_from=2025-12-15&date_to=2025-12-15") == [TIRASPOL]
    assert get_slugs(f"{URL}?q=test%20event") == []
    body = assert_problem(client.get(f"{URL}/test-draft-event"), 404)
    assert body["type"].endswith("not-found")


def test_unknown_event_slug_is_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get(f"{URL}/no-such-event"), 404)
    assert body["instance"] == f"{URL}/no-such-event"


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=soon", "status"),
        ("type=party", "type"),
        ("type=news-item", "type"),
        ("sort=published_at", "sort"),
        ("sort=starts_at", "sort"),
        ("sort=%2Bstarts_on", "sort"),
        ("fields=slug,date", "fields"),
        ("published=true", "published"),
        ("topic=a%00", "topic"),
    ],
)
def test_events_reject_bad_parameters(client: TestClient, query: str, parameter: str) -> None:
    body = assert_problem(client.get(f"{URL}?{query}"), 422)
    assert [e["parameter"] for e in body["errors"]] == [parameter]


@pytest.mark.parametrize(
    ("query", "parameter"), [("fields=date", "fields"), ("status=ongoing", "status")]
)
def test_event_item_rejects_bad_parameters(client: TestClient, query: str, parameter: str) -> None:
    body = assert_problem(client.get(f"{URL}/{KYIV}?{query}"), 422)
    assert [e["parameter"] for e in body["errors"]] == [parameter]


@pytest.mark.parametrize("slug", ["a%00b", "%C3%BF", "x" * 300])
def test_event_item_malformed_slug_is_422_naming_it(client: TestClient, slug: str) -> None:
    body = assert_problem(client.get(f"{URL}/{slug}"), 422)
    assert [e["parameter"] for e in body["errors"]] == ["slug"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("“Criminal", [KYIV]),
        ('"peace through', [TIRASPOL]),
        ("art%", [TIRASPOL]),
        ("'; DROP TABLE event; --", []),
        ("osce " * 40, BOTH),
    ],
)
def test_events_q_ignores_punctuation(client: TestClient, q: str, expected: list[str]) -> None:
    response = client.get(URL, params={"q": q})
    assert response.status_code == 200, response.text
    assert sorted(e["slug"] for e in response.json()["data"]) == sorted(expected)


def test_events_window_to_the_last_day_of_the_calendar_is_valid(get_slugs: Get) -> None:
    assert get_slugs(f"{URL}?date_from=2026-01-01&date_to=9999-12-31") == [KYIV]


@pytest.mark.parametrize(
    "query",
    [
        "date_to=9999-12-31",
        "date_from=0001-01-01T00:00:00%2B01:00",
        "date_from=0001-01-01",
        "date_from=0001-01-01&date_to=0001-01-02",
    ],
)
def test_events_windows_at_the_edges_of_the_calendar_are_answered(
    get_slugs: Get, query: str
) -> None:
    expected = [] if "date_to=0001" in query else [TIRASPOL, KYIV]
    assert get_slugs(f"{URL}?{query}") == expected
