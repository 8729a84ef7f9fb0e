"""`/api/v1/news`: news items, press releases and stories."""

# The page's titles use typographic apostrophes (U+2019), and so must the tests.

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.config import PROJECT_ROOT
from api.content.news.models import NewsPublic
from tests.conftest import Get
from tests.factories import make_field_operation, make_news
from tests.helpers import assert_problem, assert_refused, link_header, slugs_at

URL = "/api/v1/news"
SEED_PAGE = PROJECT_ROOT / "seed_data" / "osce-homepage.txt"

MARINE = "osce-promotes-marine-transport-security-and-relevant-convention-implementation"
MONTENEGRO = (
    "osce-mission-to-montenegro-organizes-workshop-on-disability-rights-and-human-rights-activism"
)
ROMIT = "osce-supports-forum-on-sustainable-management-of-romit-biosphere-reserve-in-tajikistan"
KAZAKHSTAN = (
    "osce-strengthens-judicial-training-in-kazakhstan-through-second-intensive-legal-training-"
    "programme"
)
ICELAND = "how-one-training-sparked-icelands-largest-anti-trafficking-operation"
PAWS = "paws-and-pioneers-side-by-side-against-illicit-weapons"
COLD_WAR = "dealing-with-the-cold-wars-toxic-legacy"
JOURNALISTS = (
    "how-these-journalists-ethical-reporting-is-breaking-barriers-and-sparking-change-in-serbia"
)
KYRGYZSTAN = (
    "if-they-dont-hire-me-ill-do-it-myself-women-building-businesses-and-changing-communities-"
    "in-kyrgyzstan"
)

NEWS_ITEMS = [MARINE, MONTENEGRO, ROMIT, KAZAKHSTAN]
STORIES = [ICELAND, PAWS, COLD_WAR, JOURNALISTS, KYRGYZSTAN]
NEWEST_FIRST = NEWS_ITEMS + STORIES
ALL = NEWEST_FIRST

# Everything the seed page shows of the news, as the page shows it: its label, title and date.
PAGE_NEWS = [
    ("Story", "story", KYRGYZSTAN,
     "If they don’t hire me, I’ll do It myself: women building businesses and changing "
     "communities in Kyrgyzstan", "19 November 2025"),
    ("Story", "story", JOURNALISTS,
     "How these journalists’ ethical reporting is breaking barriers and sparking change in Serbia",
     "25 November 2025"),
    ("Story", "story", COLD_WAR, "Dealing with the Cold War’s toxic legacy", "28 November 2025"),
    ("Story", "story", PAWS, "Paws and pioneers: side-by-side against illicit weapons",
     "1 December 2025"),
    ("Story", "story", ICELAND, "How one training sparked Iceland’s largest anti-trafficking "
     "operation", "3 December 2025"),
    ("News Item", "news-item", MARINE,
     "OSCE promotes marine transport security and relevant Convention implementation",
     "31 December 2025"),
    ("News Item", "news-item", MONTENEGRO,
     "OSCE Mission to Montenegro organizes workshop on disability rights and human rights "
     "activism", "30 December 2025"),
    ("News Item", "news-item", ROMIT,
     "OSCE supports forum on sustainable management of Romit Biosphere Reserve in Tajikistan",
     "29 December 2025"),
    ("News Item", "news-item", KAZAKHSTAN,
     "OSCE Strengthens Judicial Training in Kazakhstan Through Second Intensive Legal Training "
     "Programme", "26 December 2025"),
]  # fmt: skip


def page_date(text: str) -> str:
    return datetime.strptime(text, "%d %B %Y").date().isoformat()


# --- the seed content --------------------------------------------------------------------------


def test_page_table_is_the_text_of_the_seed_page() -> None:
    page = SEED_PAGE.read_text(encoding="utf-8")
    for label, _type, _slug, title, date_text in PAGE_NEWS:
        assert f"{label} {title} Date Date {date_text}" in page


def test_news_lists_every_item_and_story_of_the_page_newest_first(client: TestClient) -> None:
    body = client.get(URL, params={"limit": 100}).json()
    assert body["meta"] == {"total": 9, "total_exact": True, "limit": 100, "offset": 0}
    got = [(n["slug"], n["title"], n["type"], n["published_at"][:10]) for n in body["data"]]
    expected = sorted(
        ((slug, title, kind, page_date(day)) for _, kind, slug, title, day in PAGE_NEWS),
        key=lambda row: row[3],
        reverse=True,
    )
    assert got == expected
    assert [n["slug"] for n in body["data"]] == NEWEST_FIRST


def test_news_published_at_is_an_rfc3339_instant_in_utc(client: TestClient) -> None:
    for item in client.get(URL, params={"limit": 100}).json()["data"]:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", item["published_at"])


def test_news_list_items_are_exactly_the_public_model(client: TestClient) -> None:
    for item in client.get(URL, params={"limit": 100}).json()["data"]:
        assert NewsPublic.model_validate(item).model_dump(mode="json") == item


@pytest.mark.parametrize("slug", ALL)
def test_news_item_is_exactly_the_public_model_and_the_list_entry(
    client: TestClient, slug: str
) -> None:
    response = client.get(f"{URL}/{slug}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    item = response.json()["data"]
    assert NewsPublic.model_validate(item).model_dump(mode="json") == item
    listed = client.get(URL, params={"limit": 100}).json()["data"]
    assert item == next(n for n in listed if n["slug"] == slug)


def test_news_item_embeds_location_countries_topics_and_field_operation(
    client: TestClient,
) -> None:
    romit = client.get(f"{URL}/{ROMIT}").json()["data"]
    tajikistan = {"slug": "tajikistan", "name": "Tajikistan", "iso_alpha2": "TJ"}
    assert romit["location"] == {
        "venue": None, "city": None, "territory": None, "country": tajikistan,
        "region": "central-asia", "latitude": None, "longitude": None,
    }  # fmt: skip
    assert romit["countries"] == [tajikistan]
    assert romit["topics"] == [
        {"slug": "environmental-activities", "name": "Environmental activities"}
    ]
    assert romit["field_operation"] is None

    montenegro = client.get(f"{URL}/{MONTENEGRO}").json()["data"]
    assert montenegro["location"] is None
    assert montenegro["countries"] == [
        {"slug": "montenegro", "name": "Montenegro", "iso_alpha2": "ME"}
    ]
    assert montenegro["topics"] == [
        {"slug": "human-rights", "name": "Human rights"},
        {"slug": "tolerance-and-non-discrimination", "name": "Tolerance and non-discrimination"},
    ]
    assert montenegro["field_operation"] == {
        "slug": "mission-to-montenegro",
        "name": "Mission to Montenegro",
    }
    assert client.get(f"{URL}/{PAWS}").json()["data"]["countries"] == []


# --- filters on the seed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=story", STORIES),
        ("type=news-item", NEWS_ITEMS),
        ("type=press-release", []),
        ("type=press-release,story", STORIES),
        ("type=news-item&type=press-release", NEWS_ITEMS),
        ("topic=arms-control", [PAWS, COLD_WAR]),
        ("topic=policing", [ICELAND, PAWS]),
        ("topic=rule-of-law,human-rights", [KAZAKHSTAN, MONTENEGRO]),
        ("topic=rule-of-law&topic=gender-equality", [KAZAKHSTAN, KYRGYZSTAN]),
        ("topic=youth", []),
        ("field_operation=mission-to-montenegro", [MONTENEGRO]),
        # About Serbia, but not from the Mission to Serbia.
        ("field_operation=mission-to-serbia", []),
        ("field_operation=mission-to-serbia,mission-to-montenegro", [MONTENEGRO]),
        ("country=RS", [JOURNALISTS]),
        ("country=serbia&country=is", [JOURNALISTS, ICELAND]),
        ("country=KZ,tajikistan,kg", [KAZAKHSTAN, ROMIT, KYRGYZSTAN]),
        ("country=ME", [MONTENEGRO]),
        ("country=AL", []),
        ("country=JP", []),
        # A region holds the items about its countries: the Kyrgyzstan story has no location,
        # but it is about Kyrgyzstan, in Central Asia.
        ("region=central-asia", [ROMIT, KAZAKHSTAN, KYRGYZSTAN]),
        ("region=southern-europe", [MONTENEGRO, JOURNALISTS]),
        # `city`, `near` and `bbox` go by the item's own location only.
        ("city=Dushanbe", []),
        ("date_from=2025-12-01&date_to=2025-12-03", [ICELAND, PAWS]),
        ("date_from=2025-12-26", NEWS_ITEMS),
        ("date_to=2025-11-25", [JOURNALISTS, KYRGYZSTAN]),
        ("date_from=2025-12-04&date_to=2025-12-25", []),
        ("date_from=2025-12-31&date_to=2025-12-31", [MARINE]),
        ("date_from=2025-11-19&date_to=2025-11-19", [KYRGYZSTAN]),
        # Instants are inclusive at both ends too.
        ("date_from=2025-12-03T12:00:00Z&date_to=2025-12-26T12:00:00Z", [ICELAND, KAZAKHSTAN]),
        ("date_from=2025-12-03T12:00:01Z", NEWS_ITEMS),
        ("date_from=2025-12-03&date_to=2025-12-26T11:59:59Z", [ICELAND]),
        ("date_from=2025-12-29T13:00:00%2B01:00&date_to=2025-12-29", [ROMIT]),
        ("date_from=2025-12-29T06:59:59-05:00&date_to=2025-12-29T07:00:01-05:00", [ROMIT]),
        ("date_from=2025-12-29T12:00:00.000001Z&date_to=2025-12-29", []),
        ("country=KZ,TJ&date_from=2025-12-27", [ROMIT]),
        ("country=RS,IS,KG&date_to=2025-11-30", [JOURNALISTS, KYRGYZSTAN]),
        ("type=story&topic=policing", [ICELAND, PAWS]),
        ("type=news-item&topic=environmental-activities", [ROMIT]),
        ("type=story&topic=environmental-activities", [COLD_WAR]),
        ("type=news-item&topic=policing", []),
        ("region=central-asia&date_to=2025-12-28", [KAZAKHSTAN, KYRGYZSTAN]),
        ("topic=arms-control&q=cold", [COLD_WAR]),
        ("type=story&country=RS&q=journalists", [JOURNALISTS]),
        ("field_operation=mission-to-montenegro&date_to=2025-12-29", []),
        ("q=kazakhstan", [KAZAKHSTAN]),
        ("q=KAZAKHSTAN", [KAZAKHSTAN]),
        ("q=Tajikist%C3%A1n", [ROMIT]),
        ("q=human%20rights", [MONTENEGRO]),
        ("q=%22human%20rights%22", [MONTENEGRO]),
        ("q=%22rights%20human%22", []),
        ("q=Iceland%27s", [ICELAND]),
        # An apostrophe joins the letters around it, in the text and in `q` alike.
        ("q=icelands", [ICELAND]),
        ("q=dont%20hire", [KYRGYZSTAN]),
        ("q=don%27t", [KYRGYZSTAN]),
        ("q=Iceland%E2%80%99s", [ICELAND]),
        ("q=cold-war", [COLD_WAR]),
        ("q=side-by-side", [PAWS]),
        ("q=training", [KAZAKHSTAN, ICELAND]),
        ("q=training%20iceland", [ICELAND]),
        ("q=%20%20training%20%20%20ICELAND%20", [ICELAND]),
        # Words, not fragments: "art" is inside "part" and "participating", never a word here.
        ("q=art", []),
    ],
)
def test_news_filters(get_slugs: Get, query: str, expected: list[str]) -> None:
    assert sorted(get_slugs(f"{URL}?limit=100&{query}")) == sorted(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("-published_at", NEWEST_FIRST), ("published_at", NEWEST_FIRST[::-1])],
)
def test_news_sort(get_slugs: Get, sort: str, expected: list[str]) -> None:
    assert get_slugs(f"{URL}?sort={sort}") == expected


def test_news_sort_applies_after_filters(get_slugs: Get) -> None:
    assert get_slugs(f"{URL}?type=story&sort=published_at&limit=2") == [KYRGYZSTAN, JOURNALISTS]


def test_news_sparse_fields(client: TestClient) -> None:
    body = client.get(URL, params={"fields": "slug,published_at", "limit": 2}).json()
    assert body["data"] == [
        {"slug": MARINE, "published_at": "2025-12-31T12:00:00Z"},
        {"slug": MONTENEGRO, "published_at": "2025-12-30T12:00:00Z"},
    ]
    repeated = client.get(f"{URL}?fields=slug&fields=type&type=story&limit=1").json()
    assert repeated["data"] == [{"slug": ICELAND, "type": "story"}]


def test_news_item_sparse_fields(client: TestClient) -> None:
    body = client.get(f"{URL}/{PAWS}", params={"fields": "title,type,topics"}).json()
    assert body == {
        "data": {
            "title": "Paws and pioneers: side-by-side against illicit weapons",
            "type": "story",
            "topics": [
                {"slug": "arms-control", "name": "Arms control"},
                {"slug": "policing", "name": "Policing"},
            ],
        }
    }


# --- filters on rows made for the test ---------------------------------------------------------

PLACED = {
    "test-vienna": {
        "location": {"venue": "Hofburg", "city": "Vienna", "country": "AT",
                     "latitude": 48.2082, "longitude": 16.3738},
        "countries": ["RS"], "published_at": datetime(2025, 6, 1, 9, tzinfo=UTC),
    },
    "test-bratislava": {
        "location": {"city": "Bratislava", "country": "SK", "latitude": 48.1486,
                     "longitude": 17.1077},
        "type": "press-release",
    },
    "test-chisinau": {
        "location": {"city": "Chișinău", "country": "MD", "latitude": 47.0105,
                     "longitude": 28.8638},
        "topics": ["youth"], "field_operation": "mission-to-moldova",
    },
    "test-pristina": {
        "location": {"city": "Pristina", "territory": "Kosovo", "region": "southern-europe",
                     "latitude": 42.6629, "longitude": 21.1655},
    },
    "test-vladivostok": {
        "location": {"city": "Vladivostok", "country": "RU", "latitude": 43.1155,
                     "longitude": 131.8855},
    },
    "test-vancouver": {
        "location": {"city": "Vancouver", "country": "CA", "latitude": 49.2827,
                     "longitude": -123.1207},
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def placed(module_fresh: tuple[Session, TestClient]) -> TestClient:
    """The placed news, written once for the module's filters (they only read); the client."""
    session, client = module_fresh
    for slug, fields in PLACED.items():
        make_news(session, slug=slug, **fields)
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("city=Vienna", ["test-vienna"]),
        ("city=VIENNA,bratislava", ["test-vienna", "test-bratislava"]),
        ("city=vienna&city=Pristina", ["test-vienna", "test-pristina"]),
        ("city=chisinau", ["test-chisinau"]),
        ("city=Chi%C8%99in%C4%83u", ["test-chisinau"]),
        ("city=Kosovo", []),
        ("region=western-europe", ["test-vienna"]),
        ("region=eastern-europe", ["test-bratislava", "test-chisinau", "test-vladivostok"]),
        # Pristina's location is in the region itself; the Vienna item is about Serbia.
        ("region=southern-europe", ["test-pristina", "test-vienna", MONTENEGRO, JOURNALISTS]),
        ("region=northern-america,western-europe", ["test-vancouver", "test-vienna"]),
        ("region=central-asia", [ROMIT, KAZAKHSTAN, KYRGYZSTAN]),
        ("territory=kosovo", ["test-pristina"]),
        ("territory=Transdniestrian%20region", []),
        # The location's country is always among the countries an item is about.
        ("country=AT", ["test-vienna"]),
        ("country=RS", [JOURNALISTS, "test-vienna"]),
        ("country=SK&city=Vienna", []),
        ("near=48.2082,16.3738&radius_km=10", ["test-vienna"]),
        # Default radius 50 km: Bratislava is 55 km from Vienna.
        ("near=48.2082,16.3738", ["test-vienna"]),
        ("near=48.2082,16.3738&radius_km=60", ["test-vienna", "test-bratislava"]),
        ("near=47.0105,28.8638&radius_km=1", ["test-chisinau"]),
        ("near=0,0&radius_km=1000", []),
        ("bbox=16,48,18,49", ["test-vienna", "test-bratislava"]),
        ("bbox=-10,35,40,60", ["test-vienna", "test-bratislava", "test-chisinau",
                               "test-pristina"]),
        # min_lon > max_lon: the box crosses the antimeridian (Vladivostok and Vancouver).
        ("bbox=120,40,-120,60", ["test-vladivostok", "test-vancouver"]),
        ("city=vienna,bratislava&date_from=2025-01-01", ["test-vienna"]),
        ("bbox=16,48,18,49&type=press-release", ["test-bratislava"]),
        ("near=47.0105,28.8638&topic=youth", ["test-chisinau"]),
        ("field_operation=mission-to-moldova", ["test-chisinau"]),
        ("region=eastern-europe&q=test%20news", ["test-bratislava", "test-chisinau",
                                                 "test-vladivostok"]),
    ],
)  # fmt: skip
def test_news_place_filters_use_the_items_location(
    placed: TestClient, query: str, expected: list[str]
) -> None:
    assert sorted(slugs_at(placed, f"{URL}?limit=100&{query}")) == sorted(expected)


@pytest.fixture
def day_edges(session: Session) -> None:
    for slug, instant in [
        ("test-before", datetime(2025, 6, 14, 23, 59, 59, tzinfo=UTC)),
        ("test-first-second", datetime(2025, 6, 15, 0, 0, 0, tzinfo=UTC)),
        ("test-last-second", datetime(2025, 6, 15, 23, 59, 59, tzinfo=UTC)),
        ("test-after", datetime(2025, 6, 16, 0, 0, 0, tzinfo=UTC)),
    ]:
        make_news(session, slug=slug, published_at=instant)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_from=2025-06-15&date_to=2025-06-15", ["test-first-second", "test-last-second"]),
        ("date_to=2025-06-14", ["test-before"]),
        ("date_from=2025-06-16&date_to=2025-06-30", ["test-after"]),
        ("date_from=2025-06-14&date_to=2025-06-16", ["test-before", "test-first-second",
                                                     "test-last-second", "test-after"]),
        ("date_from=2025-06-15T00:00:00Z&date_to=2025-06-15T23:59:59Z",
         ["test-first-second", "test-last-second"]),
        ("date_from=2025-06-15T00:00:01Z&date_to=2025-06-15", ["test-last-second"]),
        ("date_from=2025-06-15T02:00:00%2B02:00&date_to=2025-06-16T01:00:00%2B02:00",
         ["test-first-second"]),
        ("date_from=2025-06-14T23:59:59Z&date_to=2025-06-14T23:59:59Z", ["test-before"]),
        ("date_from=2025-06-14T23:59:59z&date_to=2025-06-15", ["test-before",
                                                              "test-first-second",
                                                              "test-last-second"]),
    ],
)  # fmt: skip
def test_news_date_window_is_whole_utc_days_and_inclusive(
    day_edges: None, get_slugs: Get, query: str, expected: list[str]
) -> None:
    assert sorted(get_slugs(f"{URL}?limit=100&{query}")) == sorted(expected)


def test_news_made_by_the_factory_is_exactly_the_public_model(
    client: TestClient, session: Session
) -> None:
    make_news(session, slug="test-exact", **PLACED["test-vienna"])
    item = client.get(f"{URL}/test-exact").json()["data"]
    assert NewsPublic.model_validate(item).model_dump(mode="json") == item
    assert item["published_at"] == "2025-06-01T09:00:00Z"
    assert item["location"] == {
        "venue": "Hofburg", "city": "Vienna", "territory": None,
        "country": {"slug": "austria", "name": "Austria", "iso_alpha2": "AT"},
        "region": "western-europe", "latitude": 48.2082, "longitude": 16.3738,
    }  # fmt: skip
    assert [c["iso_alpha2"] for c in item["countries"]] == ["AT", "RS"]


def test_draft_news_never_appears(client: TestClient, session: Session, get_slugs: Get) -> None:
    make_news(
        session,
        draft=True,
        slug="test-draft",
        title="Draft about Kazakhstan",
        published_at=datetime(2025, 12, 20, 12, tzinfo=UTC),
        countries=["KZ"],
        topics=["rule-of-law"],
        location={"city": "Astana", "country": "KZ", "latitude": 51.1694, "longitude": 71.4491},
    )
    assert client.get(URL).json()["meta"]["total"] == 9
    assert "test-draft" not in get_slugs(f"{URL}?limit=100")
    assert get_slugs(f"{URL}?country=KZ") == [KAZAKHSTAN]
    assert get_slugs(f"{URL}?topic=rule-of-law") == [KAZAKHSTAN]
    assert get_slugs(f"{URL}?city=astana") == []
    assert get_slugs(f"{URL}?q=draft") == []
    assert get_slugs(f"{URL}?date_from=2025-12-20&date_to=2025-12-20") == []
    body = assert_problem(client.get(f"{URL}/test-draft"), 404)
    assert body["type"].endswith("not-found")


def test_a_draft_field_operation_is_not_revealed_by_its_news(
    client: TestClient, session: Session
) -> None:
    make_field_operation(session, draft=True, slug="test-draft-operation")
    make_news(session, slug="test-news-of-draft", field_operation="test-draft-operation")
    assert client.get(f"{URL}/test-news-of-draft").json()["data"]["field_operation"] is None
    # Filtering by it answers exactly as for an operation that does not exist.
    response = client.get(URL, params={"field_operation": "test-draft-operation"})
    error = assert_refused(response, 404, "field_operation")
    assert error["detail"] == "no field operation 'test-draft-operation'"


def test_unknown_news_slug_is_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get(f"{URL}/no-such-news"), 404)
    assert body["instance"] == f"{URL}/no-such-news"


# --- paging ------------------------------------------------------------------------------------


@pytest.fixture
def many_news(session: Session) -> list[str]:
    """45 extra items, five per timestamp, all older than the seed; slugs newest first."""
    rows = [
        make_news(
            session,
            slug=f"test-page-{i:02d}",
            published_at=datetime(2025, 1, 1, 12, tzinfo=UTC) + timedelta(days=i // 5),
        )
        for i in range(45)
    ]
    rows.sort(key=lambda r: (r.published_at, r.id), reverse=True)
    return [r.slug for r in rows]


def walk(client: TestClient, url: str) -> tuple[list[str], int]:
    """Follow links.next to the end; check every page's meta and Link header on the way."""
    seen: list[str] = []
    pages = 0
    next_url: str | None = url
    limit = int(parse_qs(urlsplit(url).query)["limit"][0])
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        # The first page is at offset 0; the next ones are reached by cursor (offset null).
        offset = 0 if pages == 0 else None
        assert body["meta"] == {"total": 54, "total_exact": True, "limit": limit, "offset": offset}
        assert 0 < len(body["data"]) <= limit
        links = link_header(response)
        assert links.get("next") == body["links"]["next"]
        assert links.get("prev") == body["links"]["prev"]
        assert links["self"] == body["links"]["self"]
        assert (body["links"]["prev"] is None) == (pages == 0)
        seen += [n["slug"] for n in body["data"]]
        next_url = body["links"]["next"]
        pages += 1
    return seen, pages


@pytest.mark.parametrize("sort", ["-published_at", "published_at"])
def test_news_pages_walk_to_the_end_without_overlap_or_gap(
    client: TestClient, many_news: list[str], sort: str
) -> None:
    expected = NEWEST_FIRST + many_news
    if sort == "published_at":
        expected = expected[::-1]
    seen, pages = walk(client, f"{URL}?limit=7&sort={sort}&type=news-item,story")
    assert pages == 8
    assert len(seen) == len(set(seen)) == 54
    assert seen == expected
    one_page = client.get(URL, params={"limit": 100, "sort": sort}).json()["data"]
    assert seen == [n["slug"] for n in one_page]


def test_news_links_keep_the_filters_and_walk_back_with_prev(
    client: TestClient, many_news: list[str]
) -> None:
    response = client.get(f"{URL}?limit=7&offset=14&type=news-item&q=test-page")
    body = response.json()
    assert body["meta"] == {"total": 45, "total_exact": True, "limit": 7, "offset": 14}
    for rel in ("next", "prev"):
        query = parse_qs(urlsplit(body["links"][rel]).query)
        assert query["type"] == ["news-item"]
        assert query["q"] == ["test-page"]
        assert query["limit"] == ["7"]
    for rel in ("next", "prev"):
        query = parse_qs(urlsplit(body["links"][rel]).query)
        assert "offset" not in query
        assert len(query["cursor"]) == 1
    back: list[str] = []
    url: str | None = body["links"]["self"]
    while url:
        page = client.get(url).json()
        back = [n["slug"] for n in page["data"]] + back
        url = page["links"]["prev"]
    assert back == many_news[:21]


def test_news_last_page_has_no_next_and_first_has_no_prev(client: TestClient) -> None:
    first = client.get(URL, params={"limit": 5})
    assert first.json()["links"]["prev"] is None
    assert "prev" not in link_header(first)
    last = client.get(URL, params={"limit": 5, "offset": 5})
    assert last.json()["links"]["next"] is None
    assert "next" not in link_header(last)
    assert [n["slug"] for n in last.json()["data"]] == NEWEST_FIRST[5:]
    beyond = client.get(URL, params={"limit": 5, "offset": 50}).json()
    assert beyond["data"] == []
    assert beyond["meta"] == {"total": 9, "total_exact": True, "limit": 5, "offset": 50}


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("date_to=31.12.2025", "date_to"),
        ("date_from=2025-12-01T09:00:00%2B25:00", "date_from"),
        ("type=press", "type"),
        ("type=event", "type"),
        ("sort=title", "sort"),
        ("sort=starts_on", "sort"),
        ("fields=slug,name", "fields"),
        ("status=published", "status"),
        ("page=2", "page"),
        # A NUL byte is never part of a name (PostgreSQL text cannot hold one).
        ("country=A%00", "country"),
        ("topic=a%00", "topic"),
        ("field_operation=a%00", "field_operation"),
    ],
)
def test_news_reject_bad_parameters(client: TestClient, query: str, parameter: str) -> None:
    body = assert_problem(client.get(f"{URL}?{query}"), 422)
    assert [e["parameter"] for e in body["errors"]] == [parameter]


@pytest.mark.parametrize(("query", "parameter"), [("fields=name", "fields"), ("limit=1", "limit")])
def test_news_item_rejects_bad_parameters(client: TestClient, query: str, parameter: str) -> None:
    body = assert_problem(client.get(f"{URL}/{PAWS}?{query}"), 422)
    assert [e["parameter"] for e in body["errors"]] == [parameter]


def test_news_item_unknown_slug_is_404(client: TestClient) -> None:
    assert_problem(client.get(f"{URL}/UPPER-and-lower-no-such"), 404)


@pytest.mark.parametrize("slug", ["a%00b", "%C3%BF", "-leading-hyphen", "x" * 300])
def test_news_item_malformed_slug_is_422_naming_it(client: TestClient, slug: str) -> None:
    body = assert_problem(client.get(f"{URL}/{slug}"), 422)
    assert [e["parameter"] for e in body["errors"]] == ["slug"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("osce*", ALL),
        ("osce\x00", ALL),
        ("(training)", [KAZAKHSTAN, ICELAND]),
        ('"human rights', [MONTENEGRO]),
        ('"unclosed phrase', []),
        ("human_rights", [MONTENEGRO]),
        # % and _ are not wildcards.
        ("hu%an", []),
        ("hu_an", []),
        ("100%", []),
        ("'; DROP TABLE news; --", []),
        ("osce " * 40, ALL),
        ("é" * 200, []),
    ],
)
def test_news_q_ignores_punctuation(client: TestClient, q: str, expected: list[str]) -> None:
    response = client.get(URL, params={"q": q, "limit": 100})
    assert response.status_code == 200, response.text
    assert sorted(n["slug"] for n in response.json()["data"]) == sorted(expected)


@pytest.mark.parametrize("q", ['"', '""', '"%"', "%", "_", "*", "()", "\\", "🙂"])
def test_news_q_without_letters_or_digits_finds_nothing(get_slugs: Get, q: str) -> None:
    assert get_slugs(f"{URL}?q={quote(q)}") == []


@pytest.mark.parametrize("q", ["", " ", "\x00\t"])
def test_news_blank_q_searches_for_nothing(client: TestClient, q: str) -> None:
    response = client.get(URL, params={"q": q, "limit": 100})
    assert sorted(n["slug"] for n in response.json()["data"]) == sorted(ALL)


def test_news_q_accepts_200_characters_and_rejects_201(client: TestClient) -> None:
    assert client.get(URL, params={"q": "x" * 200}).status_code == 200
    body = assert_problem(client.get(URL, params={"q": "x" * 201}), 422)
    assert [e["parameter"] for e in body["errors"]] == ["q"]


def test_news_date_to_on_the_last_day_of_the_calendar_is_valid(get_slugs: Get) -> None:
    assert get_slugs(f"{URL}?date_to=9999-12-31") == NEWEST_FIRST


@pytest.mark.parametrize(
    "query",
    [
        # RFC 3339 allows year 0001 with an offset: before year 1 in UTC, it is the first instant.
        "date_from=0001-01-01T00:00:00%2B01:00",
        "date_to=9999-12-31T23:00:00-05:00",
    ],
)
def test_news_windows_to_the_edges_of_the_calendar_hold_everything(
    get_slugs: Get, query: str
) -> None:
    assert get_slugs(f"{URL}?limit=100&{query}") == NEWEST_FIRST
