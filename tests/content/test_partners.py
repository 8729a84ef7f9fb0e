"""`/api/v1/partners`: the 11 Partners for Co-operation, 5 Asian and 6 Mediterranean."""

import pytest
from fastapi.testclient import TestClient

from api.content.countries.models import PartnerPublic
from tests.conftest import Get
from tests.helpers import assert_invalid

URL = "/api/v1/partners"

# The page's "Asian Partners for Co-operation" and "Mediterranean Partners for Co-operation".
PAGE_ASIAN = [
    ("afghanistan", "Afghanistan"),
    ("australia", "Australia"),
    ("japan", "Japan"),
    ("republic-of-korea", "Republic of Korea"),
    ("thailand", "Thailand"),
]
PAGE_MEDITERRANEAN = [
    ("algeria", "Algeria"),
    ("egypt", "Egypt"),
    ("israel", "Israel"),
    ("jordan", "Jordan"),
    ("morocco", "Morocco"),
    ("tunisia", "Tunisia"),
]
ASIAN = [slug for slug, _ in PAGE_ASIAN]
MEDITERRANEAN = [slug for slug, _ in PAGE_MEDITERRANEAN]
BY_NAME = [
    "afghanistan", "algeria", "australia", "egypt", "israel", "japan", "jordan", "morocco",
    "republic-of-korea", "thailand", "tunisia",
]  # fmt: skip
JOINED_1975 = ["algeria", "egypt", "israel", "morocco", "tunisia"]
JERUSALEM = "31.7683,35.2137"
ALGIERS = "36.7538,3.0588"


# --- seed content, checked against the page ----------------------------------------------------


def test_partners_are_the_pages_11_in_two_groups(client: TestClient) -> None:
    body = client.get(URL, params={"limit": 100}).json()
    assert body["meta"] == {"total": 11, "total_exact": True, "limit": 100, "offset": 0}
    groups = {(p["slug"], p["name"]): p["group"] for p in body["data"]}
    expected = dict.fromkeys(PAGE_ASIAN, "asian") | dict.fromkeys(
        PAGE_MEDITERRANEAN, "mediterranean"
    )
    assert groups == expected


@pytest.mark.parametrize(
    ("group", "expected"), [("asian", PAGE_ASIAN), ("mediterranean", PAGE_MEDITERRANEAN)]
)
def test_each_group_lists_the_pages_partners_in_page_order(
    client: TestClient, group: str, expected: list[tuple[str, str]]
) -> None:
    # The page lists each group alphabetically, which is the default order (by name).
    data = client.get(URL, params={"group": group}).json()["data"]
    assert [(p["slug"], p["name"]) for p in data] == expected


def test_partners_match_their_public_model(client: TestClient) -> None:
    for item in client.get(URL, params={"limit": 100}).json()["data"]:
        assert PartnerPublic.model_validate(item).model_dump(mode="json") == item
        assert client.get(f"{URL}/{item['slug']}").json()["data"] == item


def test_partner_item(client: TestClient) -> None:
    data = client.get(f"{URL}/japan").json()["data"]
    assert PartnerPublic.model_validate(data).model_dump(mode="json") == data
    assert data == {
        "slug": "japan",
        "name": "Japan",
        "iso_alpha2": "JP",
        "iso_alpha3": "JPN",
        "group": "asian",
        "region": "eastern-asia",
        "capital": {"name": "Tokyo", "latitude": 35.6895, "longitude": 139.6917},
        "partner_since": "1992-07-10",
        "fallback": [],
    }


@pytest.mark.parametrize("key", ["JP", "jp", "japan", "Japan"])
def test_partner_is_addressable_by_slug_or_iso_code(client: TestClient, key: str) -> None:
    assert client.get(f"{URL}/{key}").json()["data"]["slug"] == "japan"


@pytest.mark.parametrize("key", ["albania", "AL", "finland", "atlantis", "XX"])
def test_a_participating_state_or_unknown_key_is_not_a_partner(
    client: TestClient, key: str
) -> None:
    response = client.get(f"{URL}/{key}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("group=asian", ASIAN),
        ("group=mediterranean", MEDITERRANEAN),
        ("group=asian,mediterranean", ASIAN + MEDITERRANEAN),
        ("group=asian&group=mediterranean", ASIAN + MEDITERRANEAN),
        # Became a partner within the window (both ends inclusive).
        ("date_from=1975-08-01&date_to=1975-08-01", JOINED_1975),
        ("date_from=1975-08-02&date_to=1992-07-10", ["japan"]),
        ("date_from=2000-01-01", ["thailand", "afghanistan", "australia"]),
        ("date_from=2009-12-02", ["australia"]),
        ("date_from=2009-12-03", []),
        ("date_from=2000-01-01&date_to=9999-12-31", ["thailand", "afghanistan", "australia"]),
        ("date_to=1994-12-06", [*JOINED_1975, "japan", "republic-of-korea"]),
        ("date_to=1994-12-05", [*JOINED_1975, "japan"]),
        ("date_from=1990-01-01&date_to=1999-12-31", ["japan", "republic-of-korea", "jordan"]),
        ("date_from=1998-05-22T00:00:00Z&date_to=2003-04-03T23:59:59Z",
         ["jordan", "thailand", "afghanistan"]),
        ("group=asian&date_from=1995-01-01", ["thailand", "afghanistan", "australia"]),
        ("group=mediterranean&date_from=1976-01-01", ["jordan"]),
        ("region=northern-africa", ["algeria", "egypt", "morocco", "tunisia"]),
        ("region=eastern-asia", ["japan", "republic-of-korea"]),
        ("region=western-asia", ["israel", "jordan"]),
        ("region=southern-asia,south-eastern-asia", ["afghanistan", "thailand"]),
        ("region=australia-and-new-zealand", ["australia"]),
        ("region=southern-europe", []),
        ("region=western-asia&group=asian", []),
        ("country=JP,il", ["japan", "israel"]),
        ("country=republic-of-korea", ["republic-of-korea"]),
        ("country=KR&country=morocco", ["republic-of-korea", "morocco"]),
        # A participating State is a valid country, but not a partner.
        ("country=albania", []),
        ("city=Tokyo", ["japan"]),
        ("city=tunis", ["tunisia"]),
        ("city=Canberra,Rabat", ["australia", "morocco"]),
        ("city=Sydney", []),
        # Jerusalem → Amman 70 km, Cairo 425 km; Algiers → Tunis 634 km, Rabat 947 km.
        (f"near={JERUSALEM}", ["israel"]),
        (f"near={JERUSALEM}&radius_km=100", ["israel", "jordan"]),
        (f"near={JERUSALEM}&radius_km=500", ["israel", "jordan", "egypt"]),
        (f"near={ALGIERS}&radius_km=700", ["algeria", "tunisia"]),
        (f"near={ALGIERS}&radius_km=1000", ["algeria", "tunisia", "morocco"]),
        (f"near={JERUSALEM}&radius_km=500&region=northern-africa", ["egypt"]),
        ("bbox=-10,30,12,37", ["algeria", "morocco", "tunisia"]),
        ("bbox=30,29,37,33", ["egypt", "israel", "jordan"]),
        # min_lon > max_lon: the box crosses the antimeridian (100°E eastwards to 170°W).
        ("bbox=100,-40,-170,40", ["australia", "japan", "republic-of-korea", "thailand"]),
        ("bbox=100,-40,-170,40&group=asian&date_to=2000-12-31",
         ["japan", "republic-of-korea", "thailand"]),
        ("q=korea", ["republic-of-korea"]),
        ("q=Tokyo", ["japan"]),
        ("q=%22republic%20of%20korea%22", ["republic-of-korea"]),
        ("q=seoul%20korea", ["republic-of-korea"]),
        ("q=japan%20seoul", []),
        ("q=AMMAN&group=mediterranean", ["jordan"]),
    ],
)  # fmt: skip
def test_partners_filters(get_slugs: Get, query: str, expected: list[str]) -> None:
    assert sorted(get_slugs(f"{URL}?limit=100&{query}")) == sorted(expected)


# --- sorting and sparse fields -----------------------------------------------------------------


def test_partners_sort_by_name(get_slugs: Get) -> None:
    assert get_slugs(f"{URL}?limit=100") == BY_NAME
    assert get_slugs(f"{URL}?limit=100&sort=name") == BY_NAME
    assert get_slugs(f"{URL}?limit=100&sort=-name") == BY_NAME[::-1]


def test_partners_sort_by_partner_since(get_slugs: Get) -> None:
    later = ["japan", "republic-of-korea", "jordan", "thailand", "afghanistan", "australia"]
    ascending = get_slugs(f"{URL}?limit=100&sort=partner_since")
    assert sorted(ascending[:5]) == JOINED_1975
    assert ascending[5:] == later
    descending = get_slugs(f"{URL}?limit=100&sort=-partner_since")
    assert descending[:6] == later[::-1]
    # The five partners of 1975 tie; the tiebreaker runs in the same direction as the sort.
    assert descending[6:] == ascending[:5][::-1]


def test_partners_sorted_by_date_page_without_overlap(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = f"{URL}?sort=partner_since&limit=2"
    while url:
        body = client.get(url).json()
        seen += [p["slug"] for p in body["data"]]
        url = body["links"]["next"]
    assert len(seen) == len(set(seen)) == 11


def test_partners_sparse_fields(client: TestClient) -> None:
    body = client.get(URL, params={"fields": "slug,group,partner_since", "limit": 2}).json()
    assert body["data"] == [
        {"slug": "afghanistan", "group": "asian", "partner_since": "2003-04-03"},
        {"slug": "algeria", "group": "mediterranean", "partner_since": "1975-08-01"},
    ]
    item = client.get(f"{URL}/TH", params={"fields": "capital"}).json()
    assert item == {"data": {"capital": {"name": "Bangkok", "latitude": 13.7563,
                                         "longitude": 100.5018}}}  # fmt: skip


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("group=african", "group"),
        ("group=Asian", "group"),
        ("group=asian,", "group"),
        ("sort=joined_on", "sort"),
        ("sort=region", "sort"),
        ("sort=-population", "sort"),
        ("fields=slug,joined_on", "fields"),
        ("fields=chairpersonship_years", "fields"),
        ("date_from=1975", "date_from"),
        ("kind=partner", "kind"),
        ("status=active", "status"),
        ("territory=kosovo", "territory"),
        ("city=%00", "city"),
        ("country=%00", "country"),
    ],
)
def test_partners_refuse_what_they_do_not_have(
    client: TestClient, query: str, parameter: str
) -> None:
    assert_invalid(client.get(f"{URL}?{query}"), parameter)


@pytest.mark.parametrize(
    "query",
    ["q=%00", "near=-90,-180&radius_km=20000", "date_from=1975-08-01&date_to=9999-12-31"],
)
def test_partners_at_the_edges_are_all_of_them(get_slugs: Get, query: str) -> None:
    assert len(get_slugs(f"{URL}?{query}")) == 11


@pytest.mark.parametrize(
    ("query", "parameter"), [("fields=joined_on", "fields"), ("group=asian", "group")]
)
def test_partner_item_rejects_bad_parameters(
    client: TestClient, query: str, parameter: str
) -> None:
    response = client.get(f"{URL}/japan?{query}")
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]
