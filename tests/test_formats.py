"""The formats people already read, each opened by a real consumer: feedparser reads the RSS and
Atom feeds, lxml checks Atom against RFC 4287's rules, icalendar and recurring-ical-events read
the calendar, jsonschema and GDAL's `ogrinfo` read the GeoJSON. For the same filters, every
format holds exactly the items of the JSON list, in its order."""

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import jsonschema
import pytest
import recurring_ical_events
from fastapi.testclient import TestClient
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree
from sqlmodel import Session

from api.formats import feeds
from api.main import create_app
from tests.factories import make_event, make_news
from tests.helpers import assert_invalid, assert_problem, link_header

SCHEMAS = Path(__file__).parent / "schemas"
EXHIBITION = (
    "opening-of-the-art-exhibition-peace-through-art-on-both-banks-of-the-"
    "dniester-nistru-river-2025"
)
KYIV_TRAINING = "professional-development-school-for-criminal-law-professors"
ATOM = "{http://www.w3.org/2005/Atom}"
NEWS_QUERIES = [
    "",
    "limit=3",
    "type=story",
    "country=KZ",
    "topic=arms-control",
    "date_from=2025-12-01&date_to=2025-12-29",
    "q=training",
    "field_operation=mission-to-montenegro",
    "sort=published_at&limit=4",
]
REQUIRE_TOOLS = os.environ.get("REQUIRE_BROWSER") == "1"  # CI installs every consumer


def tag(collection: str, slug: str) -> str:
    return f"tag:www.osce.org,2025:{collection}/{slug}"


def after_a_write(fetch: Callable[[], Any], changed: Callable[[Any], bool]) -> Any:
    """What `fetch` gives once `changed` says so: on PostgreSQL a worker learns of a write by
    LISTEN/NOTIFY, a moment after the commit; SQLite sees it at once."""
    deadline = time.monotonic() + 5
    while True:
        found = fetch()
        if changed(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def json_slugs(client: TestClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["data"]]


def fetched(client: TestClient, url: str, content_type: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    return response


# --- RSS 2.0 and Atom 1.0 ----------------------------------------------------------------------


@pytest.mark.parametrize("query", NEWS_QUERIES)
@pytest.mark.parametrize("extension", ["rss", "atom"])
def test_feeds_read_by_feedparser_hold_the_items_of_the_json_list(
    client: TestClient, extension: str, query: str
) -> None:
    expected = json_slugs(client, f"/api/v1/news?{query}")
    kind = {"rss": "application/rss+xml", "atom": "application/atom+xml"}[extension]
    response = fetched(client, f"/api/v1/news.{extension}?{query}", f"{kind}; charset=utf-8")
    feed = feedparser.parse(response.content)
    assert feed.bozo is False, feed.get("bozo_exception")
    assert feed.version == {"rss": "rss20", "atom": "atom10"}[extension]
    assert [entry.id for entry in feed.entries] == [tag("news", slug) for slug in expected]
    assert [entry.link for entry in feed.entries] == [
        f"https://www.osce.org/news/{slug}" for slug in expected
    ]


def test_feed_entries_say_what_the_json_says(client: TestClient) -> None:
    item = client.get("/api/v1/news?country=KZ").json()["data"][0]
    feed = feedparser.parse(client.get("/api/v1/news.atom?country=KZ").content)
    (entry,) = feed.entries
    assert entry.title == item["title"]
    assert entry.summary == item["summary"]
    assert entry.content[0].value == item["body"]
    assert entry.published == "2025-12-26T12:00:00+00:00"
    assert [t.term for t in entry.tags] == ["news-item", "rule-of-law"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_entries_written_apart_are_the_bytes_feedgen_writes_in_a_whole_feed(kind: str) -> None:
    """The app keeps each entry's XML and puts a page's entries into a feed written without
    them: the result is what feedgen writes for the feed with its entries."""

    def feed(entries: list[FeedEntry]) -> bytes:
        generator = FeedGenerator()
        generator.id("https://api.example/news.atom")
        generator.title("OSCE news")
        generator.description("News.")
        generator.link(href="https://api.example/news.atom", rel="self")
        generator.updated(datetime(2025, 12, 1, tzinfo=UTC))
        for entry in entries:
            generator.add_entry(entry, order="append")
        written = generator.atom_str() if kind == "atom" else generator.rss_str()
        return bytes(written)

    entries = []
    for n, title in enumerate(["Kyiv’s “training”", "Vienna & <Tiraspol>", "Алматы"]):
        entry = FeedEntry()
        entry.id(f"tag:www.osce.org,2025:news/item-{n}")
        entry.guid(f"tag:www.osce.org,2025:news/item-{n}", permalink=False)
        entry.title(title)
        entry.link(href=f"https://www.osce.org/news/item-{n}")
        entry.updated(datetime(2025, 11, n + 1, tzinfo=UTC))
        entry.content(f"{title}: the body.", type="text")
        entry.category([{"term": "news-item", "label": "news item"}])
        entries.append(entry)
    closing = b"</feed>" if kind == "atom" else b"</channel>"
    kept = b"".join(feeds._entry_xml(entry, kind) for entry in entries)
    assert feeds._with_entries(feed([]), closing, kept) == feed(entries)


def test_atom_follows_the_rules_of_rfc_4287(client: TestClient) -> None:
    """RFC 4287 §4.1.1-4.1.2: one id, title and updated per feed and entry, an author, at most
    one alternate link per type, absolute IRIs, RFC 3339 dates."""
    root = etree.fromstring(client.get("/api/v1/news.atom?limit=3").content)
    assert root.tag == f"{ATOM}feed"

    def single(element: Any, name: str) -> str:
        found = element.findall(f"{ATOM}{name}")
        assert len(found) == 1, (name, len(found))
        return str(found[0].text)

    def rfc3339(text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        assert moment.tzinfo is not None, text
        return moment

    assert single(root, "id").startswith("http://testserver/api/v1/news.atom")
    assert single(root, "title") == "OSCE news"
    updated = rfc3339(single(root, "updated"))
    assert root.findall(f"{ATOM}author/{ATOM}name")[0].text == "OSCE"
    rels = [(link.get("rel"), link.get("href")) for link in root.findall(f"{ATOM}link")]
    assert ("self", "http://testserver/api/v1/news.atom?limit=3") in rels
    assert [rel for rel, _ in rels].count("alternate") == 1
    next_link = dict(rels)["next"]
    assert next_link.startswith("http://testserver/api/v1/news.atom?limit=3&cursor=")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:
        assert single(entry, "id").startswith("tag:www.osce.org,2025:news/")
        single(entry, "title")
        assert rfc3339(single(entry, "updated")) <= updated
        rfc3339(single(entry, "published"))
        alternates = [
            link for link in entry.findall(f"{ATOM}link") if link.get("rel") in (None, "alternate")
        ]
        assert len(alternates) == 1
        assert alternates[0].get("href").startswith("https://www.osce.org/news/")
        assert entry.find(f"{ATOM}content").get("type") == "text"


def test_the_feeds_next_link_continues_the_same_query(client: TestClient) -> None:
    first = client.get("/api/v1/news.rss?limit=4&type=story")
    following = link_header(first)["next"]
    assert following.startswith("http://testserver/api/v1/news.rss?")
    second = feedparser.parse(client.get(following).content)
    assert [e.id for e in second.entries] == [
        tag("news", s) for s in json_slugs(client, "/api/v1/news?type=story")[4:]
    ]


def test_a_changed_item_keeps_its_id_and_gets_a_new_updated(
    client: TestClient, session: Session
) -> None:
    when = datetime(2026, 1, 5, tzinfo=UTC)
    make_news(session, slug="feed-change", published_at=when)
    before = feedparser.parse(client.get("/api/v1/news.atom?limit=1").content).entries[0]
    row = make_news(session, slug="feed-change", published_at=when, title="A new title")
    after = after_a_write(
        lambda: feedparser.parse(client.get("/api/v1/news.atom?limit=1").content).entries[0],
        lambda entry: entry.title == "A new title",
    )
    assert before.id == after.id == tag("news", "feed-change")
    assert (before.title, after.title) == ("Test news feed-change", "A new title")
    assert datetime.fromisoformat(after.updated) == row.updated_at
    assert after.updated > before.updated


def test_drafts_stay_out_of_the_feeds(client: TestClient, session: Session) -> None:
    make_news(session, slug="feed-draft", draft=True, published_at=datetime(2026, 1, 6, tzinfo=UTC))
    for extension in ("rss", "atom"):
        feed = feedparser.parse(client.get(f"/api/v1/news.{extension}").content)
        assert tag("news", "feed-draft") not in [e.id for e in feed.entries]


def test_the_website_url_of_an_item_is_configurable(database: Any) -> None:
    settings = database.settings.model_copy(
        update={"website_url_patterns": {"news": "https://example.org/stories/{slug}.html"}}
    )
    with TestClient(create_app(settings)) as client:
        (slug,) = json_slugs(client, "/api/v1/news?country=KZ")
        feed = feedparser.parse(client.get("/api/v1/news.rss?country=KZ").content)
        events = calendar_of(client, "/api/v1/events.ics?country=UA")
    assert feed.entries[0].link == f"https://example.org/stories/{slug}.html"
    assert [str(e["URL"]) for e in events.walk("VEVENT")] == [
        f"https://www.osce.org/events/{KYIV_TRAINING}"
    ]


# --- negotiation, caching, errors: the JSON collection's rules ----------------------------------


@pytest.mark.parametrize(
    ("url", "accept", "content_type"),
    [
        ("/api/v1/news", "application/atom+xml", "application/atom+xml; charset=utf-8"),
        (
            "/api/v1/news",
            "application/rss+xml, application/json;q=0.5",
            "application/rss+xml; charset=utf-8",
        ),
        ("/api/v1/news", "application/json, application/rss+xml", "application/json"),
        ("/api/v1/news", "*/*", "application/json"),
        ("/api/v1/events", "text/calendar", "text/calendar; charset=utf-8"),
        ("/api/v1/events", "application/geo+json", "application/geo+json"),
        ("/api/v1/states", "application/geo+json", "application/geo+json"),
        ("/api/v1/news.rss", "application/xml", "application/rss+xml; charset=utf-8"),
        ("/api/v1/news.rss", "text/html, */*;q=0.8", "application/rss+xml; charset=utf-8"),
        ("/api/v1/states.geojson", "application/json", "application/geo+json"),
    ],
)
def test_accept_picks_the_format(
    client: TestClient, url: str, accept: str, content_type: str
) -> None:
    response = fetched(client, url, content_type, accept=accept)
    assert response.headers["vary"] == "Accept-Encoding, Accept-Language, Authorization, Accept"


@pytest.mark.parametrize(
    ("url", "accept", "offered"),
    [
        (
            "/api/v1/news",
            "text/calendar",
            "application/json, application/rss+xml, application/atom+xml, application/geo+json",
        ),
        ("/api/v1/menus", "application/rss+xml", "application/json"),
        ("/api/v1/events/" + KYIV_TRAINING, "text/calendar", "application/json"),
        ("/api/v1/events.ics", "application/json", "text/calendar"),
        (
            "/api/v1/news.atom",
            "application/rss+xml",
            "application/atom+xml, application/xml, text/xml",
        ),
    ],
)
def test_what_cannot_be_produced_is_a_406(
    client: TestClient, url: str, accept: str, offered: str
) -> None:
    body = assert_problem(client.get(url, headers={"accept": accept}), 406)
    assert body["detail"] == f"This resource is available as {offered} only."


def test_collections_without_formats_have_no_pasteable_urls(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/menus.rss"), 404)
    assert_problem(client.get("/api/v1/states.ics"), 404)


@pytest.mark.parametrize(
    "url", ["/api/v1/news.rss", "/api/v1/events.ics", "/api/v1/partners.geojson"]
)
def test_formats_are_cached_and_validated_like_json(client: TestClient, url: str) -> None:
    first = client.get(url)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=300"
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(url).content == first.content


def test_the_same_query_in_two_formats_has_two_etags(client: TestClient) -> None:
    rss = client.get("/api/v1/news", headers={"accept": "application/rss+xml"})
    atom = client.get("/api/v1/news", headers={"accept": "application/atom+xml"})
    plain = client.get("/api/v1/news")
    assert len({rss.headers["etag"], atom.headers["etag"], plain.headers["etag"]}) == 3
    assert plain.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "url", ["/api/v1/news.rss", "/api/v1/events.ics", "/api/v1/states.geojson"]
)
def test_formats_refuse_bad_parameters_as_the_json_does(client: TestClient, url: str) -> None:
    assert_invalid(client.get(f"{url}?limit=1000"), "limit")
    assert_invalid(client.get(f"{url}?colour=red"), "colour")
    refused = client.get(f"{url}?fields=slug")
    assert_invalid(refused, "fields")
    assert refused.json()["instance"] == f"{url}?fields=slug"


def test_an_unknown_reference_is_a_404_in_a_feed_too(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/news.atom?country=atlantis"), 404)
    assert body["errors"][0]["parameter"] == "country"


# --- iCalendar ---------------------------------------------------------------------------------


def calendar_of(client: TestClient, url: str) -> icalendar.Calendar:
    response = fetched(client, url, "text/calendar; charset=utf-8")
    return icalendar.Calendar.from_ical(response.content)


@pytest.mark.parametrize(
    "query", ["", "status=upcoming", "date_from=2025-12-20", "country=UA", "limit=1"]
)
def test_the_calendar_holds_the_events_of_the_json_list(client: TestClient, query: str) -> None:
    calendar = calendar_of(client, f"/api/v1/events.ics?{query}")
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert uids == [tag("events", slug) for slug in json_slugs(client, f"/api/v1/events?{query}")]


def test_a_day_only_the_exhibition_covers_finds_the_exhibition_alone(client: TestClient) -> None:
    calendar = calendar_of(client, "/api/v1/events.ics")
    query = recurring_ical_events.of(calendar)
    for day in (date(2025, 11, 20), date(2025, 12, 15), date(2025, 12, 31)):
        assert [str(e["UID"]) for e in query.at(day)] == [tag("events", EXHIBITION)], day
    assert list(query.at(date(2026, 1, 1))) == []  # DTEND is exclusive
    assert [str(e["UID"]) for e in query.at(date(2026, 2, 9))] == [tag("events", KYIV_TRAINING)]


def test_an_all_day_event_is_dates_with_an_exclusive_end(client: TestClient) -> None:
    text = client.get("/api/v1/events.ics").text
    assert "DTSTART;VALUE=DATE:20251120\r\n" in text
    assert "DTEND;VALUE=DATE:20260101\r\n" in text
    exhibition = next(
        e
        for e in calendar_of(client, "/api/v1/events.ics").walk("VEVENT")
        if str(e["UID"]) == tag("events", EXHIBITION)
    )
    assert exhibition["LOCATION"] == (
        "Tiraspol Office of the OSCE Mission to Moldova, Tiraspol, Transdniestrian region, Moldova"
    )
    assert (exhibition["GEO"].latitude, exhibition["GEO"].longitude) == (46.8403, 29.6431)
    assert str(exhibition["URL"]) == f"https://www.osce.org/events/{EXHIBITION}"


def test_a_timed_event_is_in_its_zone_and_a_change_raises_its_sequence(
    client: TestClient, session: Session
) -> None:
    timed = {
        "slug": "calendar-timed",
        "all_day": False,
        "starts_on": date(2026, 3, 2),
        "ends_on": date(2026, 3, 2),
        "starts_at": datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
        "ends_at": datetime(2026, 3, 2, 16, tzinfo=UTC),
        "time_zone": "Europe/Chisinau",
    }
    row = make_event(session, **timed)
    url = "/api/v1/events.ics?date_from=2026-03-02&date_to=2026-03-02"
    calendar = calendar_of(client, url)
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Chisinau"
    assert event["DTSTART"].dt == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert event["DTSTART"].dt.utcoffset().total_seconds() == 2 * 3600  # EET in March
    assert event["DTEND"].dt == datetime(2026, 3, 2, 16, tzinfo=UTC)
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Chisinau"]
    assert (event["SEQUENCE"], event["DTSTAMP"].dt) == (0, row.updated_at.replace(microsecond=0))
    make_event(session, **timed, summary="Moved to the afternoon.")
    make_event(session, **timed, summary="Moved to the afternoon.")  # no change: no revision
    (changed,) = after_a_write(
        lambda: calendar_of(client, url).walk("VEVENT"), lambda events: events[0]["SEQUENCE"]
    )
    assert changed["UID"] == event["UID"]
    assert changed["SEQUENCE"] == 1
    assert changed["DESCRIPTION"] == "Moved to the afternoon.\n\nOrganiser: OSCE Secretariat"


# --- GeoJSON -----------------------------------------------------------------------------------

GEOJSON = [
    ("states", "capital", ""),
    ("partners", "capital", "group=asian"),
    ("field-operations", "location", "status=active"),
    ("institutions", "seat", ""),
    ("events", "location", ""),
    ("news", "location", "limit=100"),
]


@pytest.fixture(scope="module")
def feature_collection_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / "geojson-featurecollection.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize(("collection", "place", "query"), GEOJSON)
def test_geojson_is_rfc_7946_with_the_items_of_the_json_list(
    client: TestClient,
    feature_collection_schema: dict[str, Any],
    collection: str,
    place: str,
    query: str,
) -> None:
    items = client.get(f"/api/v1/{collection}?{query}").json()["data"]
    response = fetched(client, f"/api/v1/{collection}.geojson?{query}", "application/geo+json")
    document = response.json()
    jsonschema.validate(document, feature_collection_schema)
    assert [f["id"] for f in document["features"]] == [i["slug"] for i in items]
    assert [f["properties"] for f in document["features"]] == items
    for feature, item in zip(document["features"], items, strict=True):
        where = item[place]
        if where is None or where["latitude"] is None:
            assert feature["geometry"] is None
        else:  # longitude first
            assert feature["geometry"]["coordinates"] == [where["longitude"], where["latitude"]]


def test_geojson_of_the_states_puts_vienna_where_it_is(client: TestClient) -> None:
    features = client.get("/api/v1/states.geojson?country=AT").json()["features"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [16.3738, 48.2082]}


@pytest.mark.skipif(
    shutil.which("ogrinfo") is None and not REQUIRE_TOOLS,
    reason="GDAL's ogrinfo is not installed (apt-get install gdal-bin)",
)
@pytest.mark.parametrize(("collection", "count"), [("states", 57), ("field-operations", 12)])
def test_gdal_opens_the_geojson(
    client: TestClient, tmp_path: Path, collection: str, count: int
) -> None:
    query = "limit=100&status=active" if collection == "field-operations" else "limit=100"
    path = tmp_path / f"{collection}.geojson"
    path.write_bytes(client.get(f"/api/v1/{collection}.geojson?{query}").content)
    report = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert f"Feature Count: {count}" in report
    assert "Geometry: Point" in report
    assert 'GEOGCRS["WGS 84"' in report or 'GEOGCS["WGS 84"' in report
