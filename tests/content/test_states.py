"""`/api/v1/states`: the 57 participating States."""

import pytest
from fastapi.testclient import TestClient

from api.content.countries.models import StatePublic
from tests.conftest import Get

URL = "/api/v1/states"


def test_states_lists_all_57_in_alphabetical_order(client: TestClient) -> None:
    body = client.get(URL, params={"limit": 100}).json()
    names = [s["name"] for s in body["data"]]
    assert body["meta"] == {"total": 57, "total_exact": True, "limit": 100, "offset": 0}
    assert len(names) == 57
    assert names[:3] == ["Albania", "Andorra", "Armenia"]
    # "The Netherlands" files under N, "Türkiye" under T before "Turkmenistan".
    assert names.index("The Netherlands") == names.index("Norway") - 2
    assert names.index("Türkiye") + 1 == names.index("Turkmenistan")
    assert names[-1] == "Uzbekistan"


def test_state_item_matches_public_model(client: TestClient) -> None:
    data = client.get(f"{URL}/finland").json()["data"]
    assert StatePublic.model_validate(data).model_dump(mode="json") == data
    assert data == {
        "slug": "finland",
        "name": "Finland",
        "iso_alpha2": "FI",
        "iso_alpha3": "FIN",
        "region": "northern-europe",
        "capital": {"name": "Helsinki", "latitude": 60.1699, "longitude": 24.9384},
        "joined_on": "1973-06-25",
        "chairpersonship_years": [2008, 2025],
        "fallback": [],
    }


@pytest.mark.parametrize("key", ["AL", "al", "albania", "ALBANIA"])
def test_state_is_addressable_by_slug_or_iso_code(client: TestClient, key: str) -> None:
    assert client.get(f"{URL}/{key}").json()["data"]["slug"] == "albania"


def test_partner_is_not_a_state(client: TestClient) -> None:
    response = client.get(f"{URL}/japan")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=AL,RS", ["albania", "serbia"]),
        ("country=serbia&country=al", ["albania", "serbia"]),
        ("region=central-asia", ["kazakhstan", "kyrgyzstan", "tajikistan", "turkmenistan",
                                 "uzbekistan"]),
        ("region=northern-america", ["canada", "united-states-of-america"]),
        ("city=Chisinau", ["moldova"]),
        ("city=washington", ["united-states-of-america"]),
        ("city=Washington%2C%20D.C.", ["united-states-of-america"]),
        ("city=Washington,%20D.C.", ["united-states-of-america"]),
        ("country=T%C3%BCrkiye", ["turkiye"]),
        ("country=the-netherlands", ["netherlands"]),
        ("country=The%20Netherlands,north-macedonia", ["netherlands", "north-macedonia"]),
        ("city=chișinău", ["moldova"]),
        ("date_from=2006-01-01", ["montenegro", "mongolia"]),
        ("date_from=1995-01-01&date_to=2000-12-31", ["andorra", "north-macedonia", "serbia"]),
        ("date_from=1992-01-30&date_to=1992-01-30", ["armenia", "azerbaijan", "belarus",
         "kazakhstan", "kyrgyzstan", "moldova", "tajikistan", "turkmenistan", "ukraine",
         "uzbekistan"]),
        ("near=48.2082,16.3738&radius_km=60", ["austria", "slovakia"]),
        # Vienna → Budapest 214 km, Prague 252 km, Zagreb 268 km, Ljubljana 277 km.
        ("near=48.2082,16.3738&radius_km=250", ["austria", "hungary", "slovakia"]),
        ("near=48.2082,16.3738&radius_km=300", ["austria", "croatia", "czechia", "hungary",
                                               "slovakia", "slovenia"]),
        ("bbox=13,45,23,49", ["austria", "croatia", "hungary", "slovakia", "slovenia"]),
        ("q=turkiye", ["turkiye"]),
        ("q=united", ["united-kingdom", "united-states-of-america"]),
        ("q=%22san%20marino%22", ["san-marino"]),
        ("region=central-asia&q=tashkent", ["uzbekistan"]),
    ],
)  # fmt: skip
def test_states_filters(get_slugs: Get, query: str, expected: list[str]) -> None:
    assert sorted(get_slugs(f"{URL}?limit=100&{query}")) == sorted(expected)


@pytest.mark.parametrize(
    ("sort", "first"),
    [("name", "albania"), ("-name", "uzbekistan"), ("joined_on", "austria"),
     ("-joined_on", "mongolia")],
)  # fmt: skip
def test_states_sort(get_slugs: Get, sort: str, first: str) -> None:
    assert get_slugs(f"{URL}?sort={sort}&limit=1") == [first]


def test_states_sort_by_join_date_breaks_ties_by_id_and_walks_without_overlap(
    client: TestClient,
) -> None:
    seen: list[str] = []
    url: str | None = f"{URL}?sort=joined_on&limit=7"
    while url:
        body = client.get(url).json()
        seen += [s["slug"] for s in body["data"]]
        url = body["links"]["next"]
    assert len(seen) == len(set(seen)) == 57


def test_states_sparse_fields(client: TestClient) -> None:
    body = client.get(URL, params={"fields": "slug,chairpersonship_years", "limit": 1}).json()
    assert body["data"] == [{"slug": "albania", "chairpersonship_years": [2020]}]
