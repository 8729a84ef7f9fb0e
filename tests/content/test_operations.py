"""`/api/v1/field-operations`: the 12 active field operations of the page and the closed ones."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.content.field_operations.models import FieldOperationPublic
from tests.conftest import TODAY, Get
from tests.factories import make_field_operation
from tests.helpers import assert_invalid, assert_refused

URL = "/api/v1/field-operations"
SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"

# The page's "Field operations" sub-navigation, in page order.
PAGE_ACTIVE = [
    ("presence-in-albania", "Presence in Albania"),
    ("centre-in-ashgabat", "Centre in Ashgabat"),
    ("programme-office-in-astana", "Programme Office in Astana"),
    ("programme-office-in-bishkek", "Programme Office in Bishkek"),
    ("mission-to-bosnia-and-herzegovina", "Mission to Bosnia and Herzegovina"),
    ("programme-office-in-dushanbe", "Programme Office in Dushanbe"),
    ("mission-in-kosovo", "Mission in Kosovo"),
    ("mission-to-moldova", "Mission to Moldova"),
    ("mission-to-montenegro", "Mission to Montenegro"),
    ("mission-to-serbia", "Mission to Serbia"),
    ("mission-to-skopje", "Mission to Skopje"),
    ("project-co-ordinator-in-uzbekistan", "Project Co-ordinator in Uzbekistan"),
]
ACTIVE = [slug for slug, _ in PAGE_ACTIVE]
# "Closed field activities", by the day each closed (Estonia and Latvia both on 2001-12-31, the
# two Ukraine operations both on 2022-10-31).
CLOSED_BY_DATE = [
    ("missions-of-long-duration-in-kosovo-sandjak-and-vojvodina", "1993-07-31"),
    ("mission-to-ukraine", "1999-04-30"),
    ("kosovo-verification-mission", "1999-06-09"),
    ("mission-to-estonia", "2001-12-31"),
    ("mission-to-latvia", "2001-12-31"),
    ("advisory-and-monitoring-group-in-belarus", "2002-12-31"),
    ("assistance-group-to-chechnya", "2003-03-21"),
    ("centre-in-tashkent", "2006-06-30"),
    ("mission-to-croatia", "2007-12-31"),
    ("mission-to-georgia", "2009-06-30"),
    ("office-in-minsk", "2011-03-31"),
    ("office-in-zagreb", "2011-12-31"),
    ("office-in-baku", "2013-12-31"),
    ("project-co-ordinator-in-baku", "2015-07-04"),
    ("office-in-yerevan", "2017-08-31"),
    ("observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk", "2021-09-30"),
    ("project-co-ordinator-in-ukraine", "2022-10-31"),
    ("special-monitoring-mission-to-ukraine", "2022-10-31"),
]
CLOSED = [slug for slug, _ in CLOSED_BY_DATE]
PRISTINA = "42.6629,21.1655"
TASHKENT = "41.2995,69.2401"
KYIV = "50.4501,30.5234"


def _all(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"{URL}?limit=100&{query}")
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


# --- seed content, checked against the page ----------------------------------------------------


def test_the_12_active_operations_are_the_pages_list(client: TestClient) -> None:
    active = _all(client, "status=active")
    assert sorted((o["slug"], o["name"]) for o in active) == sorted(PAGE_ACTIVE)
    assert all(o["status"] == "active" and o["closed_on"] is None for o in active)


def test_active_operations_by_name_differ_from_page_order(get_slugs: Get) -> None:
    by_name = get_slugs(f"{URL}?status=active&sort=name")
    assert by_name == [
        "centre-in-ashgabat",
        "mission-in-kosovo",
        "mission-to-bosnia-and-herzegovina",
        "mission-to-moldova",
        "mission-to-montenegro",
        "mission-to-serbia",
        "mission-to-skopje",
        "presence-in-albania",
        "programme-office-in-astana",
        "programme-office-in-bishkek",
        "programme-office-in-dushanbe",
        "project-co-ordinator-in-uzbekistan",
    ]
    assert by_name != ACTIVE
    assert sorted(by_name) == sorted(ACTIVE)


def test_active_operations_keep_page_order_in_the_main_menu(client: TestClient) -> None:
    items = client.get("/api/v1/menus/main").json()["data"]["items"]
    structures = next(n for n in items if n["label"] == "Structures and institutions")
    operations = next(n for n in structures["children"] if n["label"] == "Field operations")
    linked = [n["resource"]["slug"] for n in operations["children"] if n["resource"]]
    assert linked == ACTIVE
    assert [n["label"] for n in operations["children"]] == [
        *(name for _, name in PAGE_ACTIVE),
        "Closed field activities",
    ]


def test_every_closed_operation_has_its_closing_date(client: TestClient) -> None:
    closed = _all(client, "status=closed")
    assert sorted((o["slug"], o["closed_on"]) for o in closed) == sorted(CLOSED_BY_DATE)
    assert all(o["status"] == "closed" for o in closed)
    assert all(o["established_on"] < o["closed_on"] < TODAY.isoformat() for o in closed)


def test_the_collection_holds_12_active_and_18_closed(client: TestClient) -> None:
    body = client.get(URL, params={"limit": 100}).json()
    assert body["meta"] == {"total": 30, "total_exact": True, "limit": 100, "offset": 0}
    assert sorted(o["slug"] for o in body["data"]) == sorted(ACTIVE + CLOSED)


def test_every_operation_validates_against_its_public_model(client: TestClient) -> None:
    for item in _all(client):
        assert FieldOperationPublic.model_validate(item).model_dump(mode="json") == item
        one = client.get(f"{URL}/{item['slug']}").json()["data"]
        assert one == item


def _expected(record: dict[str, Any]) -> dict[str, Any]:
    countries = {
        c["iso_alpha2"]: {"slug": c["slug"], "name": c["name"], "iso_alpha2": c["iso_alpha2"]}
        for name in ("states.json", "partners.json")
        for c in json.loads((SEED_DIR / name).read_text(encoding="utf-8"))
    }
    states = json.loads((SEED_DIR / "states.json").read_text(encoding="utf-8"))
    regions = {s["iso_alpha2"]: s["region"] for s in states}
    topics = json.loads((SEED_DIR / "topics.json").read_text(encoding="utf-8"))
    location, code = record["location"], record["location"].get("country")
    return {
        "slug": record["slug"],
        "name": record["name"],
        "type": record["type"],
        "status": "active" if record["closed_on"] is None else "closed",
        "location": {
            "venue": location.get("venue"),
            "city": location.get("city"),
            "territory": location.get("territory"),
            "country": countries[code] if code else None,
            "region": location.get("region") or regions[code],
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
        },
        "host_state": countries[record["host_state"]] if record["host_state"] else None,
        "established_on": record["established_on"],
        "closed_on": record["closed_on"],
        "mandate": record["mandate"],
        # Embedded topics come in page order.
        "topics": [{"slug": t["slug"], "name": t["name"]} for t in topics
                   if t["slug"] in record["topics"]],
        "fallback": [],
    }  # fmt: skip


def test_every_operation_answers_as_its_seed_record(client: TestClient) -> None:
    records = json.loads((SEED_DIR / "field_operations.json").read_text(encoding="utf-8"))
    assert len(records) == 30
    for record in records:
        response = client.get(f"{URL}/{record['slug']}")
        assert response.status_code == 200, record["slug"]
        assert response.json() == {"data": _expected(record)}


def test_mission_in_kosovo_has_a_territory_and_no_country_or_host(client: TestClient) -> None:
    data = client.get(f"{URL}/mission-in-kosovo").json()["data"]
    assert data["location"] == {
        "venue": None,
        "city": "Pristina",
        "territory": "Kosovo",
        "country": None,
        "region": "southern-europe",
        "latitude": 42.6629,
        "longitude": 21.1655,
    }
    assert data["host_state"] is None
    assert data["topics"] == [
        {"slug": "democratization", "name": "Democratization"},
        {"slug": "elections", "name": "Elections"},
        {"slug": "human-rights", "name": "Human rights"},
        {"slug": "rule-of-law", "name": "Rule of law"},
    ]


def test_operation_item_is_addressed_case_insensitively(client: TestClient) -> None:
    assert client.get(f"{URL}/Mission-To-Serbia").json()["data"]["slug"] == "mission-to-serbia"


def test_unknown_operation_is_404_problem(client: TestClient) -> None:
    response = client.get(f"{URL}/mission-to-atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_a_state_is_not_a_field_operation(client: TestClient) -> None:
    assert client.get(f"{URL}/serbia").status_code == 404


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=active", ACTIVE),
        ("status=closed", CLOSED),
        ("status=active,closed", ACTIVE + CLOSED),
        ("status=closed&status=active", ACTIVE + CLOSED),
        # Active at some time in the window.
        ("date_from=2020-01-01", [*ACTIVE, "project-co-ordinator-in-ukraine",
         "special-monitoring-mission-to-ukraine",
         "observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk"]),
        # The three operations that closed in 1993 and 1999 were never active from 2000 on.
        ("date_from=2000-01-01&date_to=9999-12-31",
         [s for s in ACTIVE + CLOSED if s not in ("kosovo-verification-mission",
          "mission-to-ukraine", "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina")]),
        ("date_to=1992-12-31", ["mission-to-skopje", "mission-to-georgia", "mission-to-estonia",
         "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        ("date_to=1992-12-12", ["mission-to-skopje", "mission-to-georgia",
         "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        # Both bounds are inclusive: closed on 2001-12-31 is still active that day, not the next.
        ("date_from=2001-12-31&date_to=2001-12-31", ["advisory-and-monitoring-group-in-belarus",
         "assistance-group-to-chechnya",
         "centre-in-ashgabat", "centre-in-tashkent", "mission-in-kosovo",
         "mission-to-bosnia-and-herzegovina", "mission-to-croatia", "mission-to-estonia",
         "mission-to-georgia", "mission-to-latvia", "mission-to-moldova", "mission-to-serbia",
         "mission-to-skopje", "office-in-baku", "office-in-yerevan", "presence-in-albania",
         "programme-office-in-astana", "programme-office-in-bishkek",
         "programme-office-in-dushanbe", "project-co-ordinator-in-ukraine"]),
        ("date_from=2002-01-01&date_to=2002-01-01", ["advisory-and-monitoring-group-in-belarus",
         "assistance-group-to-chechnya",
         "centre-in-ashgabat", "centre-in-tashkent", "mission-in-kosovo",
         "mission-to-bosnia-and-herzegovina", "mission-to-croatia", "mission-to-georgia",
         "mission-to-moldova", "mission-to-serbia", "mission-to-skopje", "office-in-baku",
         "office-in-yerevan", "presence-in-albania", "programme-office-in-astana",
         "programme-office-in-bishkek", "programme-office-in-dushanbe",
         "project-co-ordinator-in-ukraine"]),
        # Established on 2006-06-29 (Montenegro) is in; 2006-06-30 (Uzbekistan) is not.
        ("date_from=2006-06-29&date_to=2006-06-29&type=mission,project-co-ordinator",
         ["mission-in-kosovo", "mission-to-bosnia-and-herzegovina", "mission-to-croatia",
          "mission-to-georgia", "mission-to-moldova", "mission-to-montenegro",
          "mission-to-serbia", "mission-to-skopje", "project-co-ordinator-in-ukraine"]),
        # An RFC 3339 instant counts by its UTC date: 01:00+02:00 is still 30 September in
        # UTC, the last day of the Gukovo and Donetsk observer mission.
        ("date_from=2021-10-01T00:00:00Z&status=closed",
         ["project-co-ordinator-in-ukraine", "special-monitoring-mission-to-ukraine"]),
        ("date_from=2021-10-01T01:00:00%2B02:00&status=closed",
         ["observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk",
          "project-co-ordinator-in-ukraine", "special-monitoring-mission-to-ukraine"]),
        # Both bounds inclusive: a window of one instant is valid and finds what was active then.
        ("date_from=2021-09-30T12:00:00Z&date_to=2021-09-30T12:00:00Z&status=closed",
         ["observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk",
          "project-co-ordinator-in-ukraine", "special-monitoring-mission-to-ukraine"]),
        ("date_from=2021-10-01&date_to=2021-10-01T00:00:00Z&status=closed",
         ["project-co-ordinator-in-ukraine", "special-monitoring-mission-to-ukraine"]),
        ("type=mission", ["mission-in-kosovo", "mission-to-bosnia-and-herzegovina",
         "mission-to-croatia", "mission-to-estonia", "mission-to-georgia", "mission-to-latvia",
         "mission-to-moldova", "mission-to-montenegro", "mission-to-serbia", "mission-to-skopje",
         "mission-to-ukraine", "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        ("type=office,centre", ["centre-in-ashgabat", "centre-in-tashkent", "office-in-baku",
         "office-in-minsk", "office-in-yerevan", "office-in-zagreb"]),
        ("type=office&type=centre&status=active", ["centre-in-ashgabat"]),
        ("type=programme-office", ["programme-office-in-astana", "programme-office-in-bishkek",
         "programme-office-in-dushanbe"]),
        ("type=advisory-and-monitoring-group", ["advisory-and-monitoring-group-in-belarus"]),
        ("type=support-programme", []),
        ("type=mission&date_from=2008-01-01&date_to=2010-12-31", ["mission-in-kosovo",
         "mission-to-bosnia-and-herzegovina", "mission-to-georgia", "mission-to-moldova",
         "mission-to-montenegro", "mission-to-serbia", "mission-to-skopje"]),
        ("type=office&date_from=2012-01-01", ["office-in-baku", "office-in-yerevan"]),
        ("topic=education", ["mission-to-bosnia-and-herzegovina"]),
        ("topic=migration", []),
        ("topic=gender-equality,elections", ["advisory-and-monitoring-group-in-belarus",
         "assistance-group-to-chechnya",
         "kosovo-verification-mission", "mission-in-kosovo", "office-in-yerevan",
         "presence-in-albania", "programme-office-in-bishkek"]),
        ("topic=border-management&status=closed", ["mission-to-georgia",
         "observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk"]),
        ("country=AL", ["presence-in-albania"]),
        ("country=albania", ["presence-in-albania"]),
        ("country=UZ", ["centre-in-tashkent", "project-co-ordinator-in-uzbekistan"]),
        ("country=uzbekistan&status=active", ["project-co-ordinator-in-uzbekistan"]),
        ("country=HR,ua", ["mission-to-croatia", "office-in-zagreb", "mission-to-ukraine",
         "project-co-ordinator-in-ukraine", "special-monitoring-mission-to-ukraine"]),
        ("country=russian-federation", ["assistance-group-to-chechnya",
         "observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk"]),
        # Kosovo lies in no participating State: Serbia has its own mission, and hosted the
        # Missions of Long Duration (in Belgrade, for Kosovo, Sandjak and Vojvodina).
        ("country=RS", ["mission-to-serbia",
         "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        # Kosovo is found as a territory.
        ("territory=kosovo", ["kosovo-verification-mission", "mission-in-kosovo"]),
        ("territory=Kosovo&status=active", ["mission-in-kosovo"]),
        ("territory=transdniestrian-region", []),
        ("country=japan", []),
        ("region=southern-europe", ["kosovo-verification-mission", "mission-in-kosovo",
         "mission-to-bosnia-and-herzegovina", "mission-to-croatia", "mission-to-montenegro",
         "mission-to-serbia", "mission-to-skopje", "office-in-zagreb", "presence-in-albania",
         "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        ("region=central-asia", ["centre-in-ashgabat", "centre-in-tashkent",
         "programme-office-in-astana", "programme-office-in-bishkek",
         "programme-office-in-dushanbe", "project-co-ordinator-in-uzbekistan"]),
        ("region=western-asia", ["mission-to-georgia", "office-in-baku", "office-in-yerevan",
         "project-co-ordinator-in-baku"]),
        ("region=northern-europe,eastern-europe", ["advisory-and-monitoring-group-in-belarus",
         "assistance-group-to-chechnya", "mission-to-ukraine",
         "mission-to-estonia", "mission-to-latvia", "mission-to-moldova",
         "observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk", "office-in-minsk",
         "project-co-ordinator-in-ukraine", "special-monitoring-mission-to-ukraine"]),
        ("region=northern-africa", []),
        ("status=active&region=southern-europe", ["mission-in-kosovo",
         "mission-to-bosnia-and-herzegovina", "mission-to-montenegro", "mission-to-serbia",
         "mission-to-skopje", "presence-in-albania"]),
        ("status=closed&region=southern-europe", ["kosovo-verification-mission",
         "mission-to-croatia", "office-in-zagreb",
         "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        ("status=closed&region=eastern-europe", ["advisory-and-monitoring-group-in-belarus",
         "assistance-group-to-chechnya", "mission-to-ukraine",
         "observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk", "office-in-minsk",
         "project-co-ordinator-in-ukraine", "special-monitoring-mission-to-ukraine"]),
        ("status=active&region=central-asia", ["centre-in-ashgabat",
         "programme-office-in-astana", "programme-office-in-bishkek",
         "programme-office-in-dushanbe", "project-co-ordinator-in-uzbekistan"]),
        ("city=Pristina", ["kosovo-verification-mission", "mission-in-kosovo"]),
        ("city=kyiv", ["mission-to-ukraine", "project-co-ordinator-in-ukraine",
         "special-monitoring-mission-to-ukraine"]),
        ("city=Chișinău", ["mission-to-moldova"]),
        ("city=ZAGREB&status=active", []),
        ("city=Tirana,Skopje", ["presence-in-albania", "mission-to-skopje"]),
        # Pristina → Skopje 77 km, Podgorica 158 km, Tirana 186 km, Belgrade 243 km.
        (f"near={PRISTINA}", ["kosovo-verification-mission", "mission-in-kosovo"]),
        (f"near={PRISTINA}&radius_km=100", ["kosovo-verification-mission", "mission-in-kosovo",
         "mission-to-skopje"]),
        (f"near={PRISTINA}&radius_km=100&status=active", ["mission-in-kosovo",
         "mission-to-skopje"]),
        (f"near={PRISTINA}&radius_km=200", ["kosovo-verification-mission", "mission-in-kosovo",
         "mission-to-skopje", "mission-to-montenegro", "presence-in-albania"]),
        (f"near={PRISTINA}&radius_km=200&status=closed", ["kosovo-verification-mission"]),
        # Tashkent → Dushanbe 307 km, Bishkek 473 km.
        (f"near={TASHKENT}&radius_km=500&status=active", ["project-co-ordinator-in-uzbekistan",
         "programme-office-in-dushanbe", "programme-office-in-bishkek"]),
        (f"near={TASHKENT}&radius_km=500&status=closed", ["centre-in-tashkent"]),
        # Kyiv → Chisinau 401 km, Minsk 434 km.
        (f"near={KYIV}&radius_km=450", ["mission-to-ukraine", "project-co-ordinator-in-ukraine",
         "special-monitoring-mission-to-ukraine", "mission-to-moldova", "office-in-minsk",
         "advisory-and-monitoring-group-in-belarus"]),
        (f"near={KYIV}&radius_km=450&status=active", ["mission-to-moldova"]),
        ("bbox=18,41,22,45", ["kosovo-verification-mission", "mission-in-kosovo",
         "mission-to-bosnia-and-herzegovina", "mission-to-montenegro", "mission-to-serbia",
         "mission-to-skopje", "presence-in-albania",
         "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        ("bbox=15,40,22,46&status=closed", ["kosovo-verification-mission", "mission-to-croatia",
         "office-in-zagreb", "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        ("bbox=60,35,80,45", ["programme-office-in-bishkek", "programme-office-in-dushanbe",
         "project-co-ordinator-in-uzbekistan", "centre-in-tashkent"]),
        ("q=ohrid", ["mission-to-skopje"]),
        ("q=Chernobyl", ["office-in-minsk"]),
        ("q=citizenship", ["mission-to-estonia", "mission-to-latvia"]),
        ("q=%22war%20crimes%22", ["office-in-zagreb"]),
        ("q=crimes%20war", ["office-in-zagreb"]),
        ("q=ceasefire", ["kosovo-verification-mission", "special-monitoring-mission-to-ukraine"]),
        ("q=tashkent", ["centre-in-tashkent", "project-co-ordinator-in-uzbekistan"]),
        ("q=chișinău", ["mission-to-moldova"]),
        ("q=kosovo", ["kosovo-verification-mission", "mission-in-kosovo",
         "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina"]),
        ("q=trafficking", ["centre-in-ashgabat", "mission-to-moldova", "presence-in-albania",
         "project-co-ordinator-in-ukraine"]),
        ("q=trafficking&status=closed", ["project-co-ordinator-in-ukraine"]),
        ("q=demining&region=eastern-europe", ["project-co-ordinator-in-ukraine"]),
    ],
)  # fmt: skip
def test_operations_filters(get_slugs: Get, query: str, expected: list[str]) -> None:
    assert sorted(get_slugs(f"{URL}?limit=100&{query}")) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=%22unclosed", []),
        ("q=' OR 1=1 --", []),
        ("q=zagreb%25", ["mission-to-croatia", "office-in-zagreb"]),
        ("q=zag*", []),  # whole words, stemmed: no prefixes (the search's engine)
        ("q=", None),
    ],
)
def test_punctuation_in_text_queries_is_ignored(
    get_slugs: Get, query: str, expected: list[str] | None
) -> None:
    everything = get_slugs(f"{URL}?limit=100")
    assert get_slugs(f"{URL}?limit=100&{query}") == (everything if expected is None else expected)


@pytest.mark.parametrize("query", ["q=!!!", "q=%25_", "q=%25", "q=*", "q=%22%22"])
def test_text_queries_without_letters_or_digits_find_nothing(get_slugs: Get, query: str) -> None:
    assert get_slugs(f"{URL}?{query}") == []


def test_status_is_closed_only_from_the_day_after_closed_on(
    client: TestClient, session: Session, get_slugs: Get
) -> None:
    make_field_operation(session, slug="closes-today", closed_on=TODAY)
    make_field_operation(session, slug="closed-yesterday", closed_on=TODAY - timedelta(days=1))
    make_field_operation(session, slug="closes-next-year", closed_on=date(2026, 12, 31))
    assert sorted(get_slugs(f"{URL}?country=AT&status=active")) == [
        "closes-next-year",
        "closes-today",
    ]
    assert get_slugs(f"{URL}?country=AT&status=closed") == ["closed-yesterday"]
    assert client.get(f"{URL}/closes-today").json()["data"]["status"] == "active"
    assert client.get(f"{URL}/closed-yesterday").json()["data"]["status"] == "closed"


def test_draft_operations_never_appear(
    client: TestClient, session: Session, get_slugs: Get
) -> None:
    make_field_operation(session, slug="draft-operation", draft=True)
    make_field_operation(session, slug="published-operation")
    assert get_slugs(f"{URL}?country=austria") == ["published-operation"]
    assert get_slugs(f"{URL}?q=draft-operation") == []
    assert get_slugs(f"{URL}?near=48.2082,16.3738&status=active") == ["published-operation"]
    assert client.get(URL).json()["meta"]["total"] == 31
    response = client.get(f"{URL}/draft-operation")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


# --- sorting and sparse fields -----------------------------------------------------------------

BY_NAME = [
    "advisory-and-monitoring-group-in-belarus", "assistance-group-to-chechnya",
    "centre-in-ashgabat", "centre-in-tashkent",
    "kosovo-verification-mission", "mission-in-kosovo", "mission-to-bosnia-and-herzegovina",
    "mission-to-croatia", "mission-to-estonia", "mission-to-georgia", "mission-to-latvia",
    "mission-to-moldova", "mission-to-montenegro", "mission-to-serbia", "mission-to-skopje",
    "mission-to-ukraine", "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina",
    "observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk", "office-in-baku",
    "office-in-minsk", "office-in-yerevan", "office-in-zagreb", "presence-in-albania",
    "programme-office-in-astana", "programme-office-in-bishkek", "programme-office-in-dushanbe",
    "project-co-ordinator-in-baku", "project-co-ordinator-in-ukraine",
    "project-co-ordinator-in-uzbekistan", "special-monitoring-mission-to-ukraine",
]  # fmt: skip
BY_ESTABLISHED_ON = [
    "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina",
    "mission-to-skopje", "mission-to-georgia", "mission-to-estonia", "mission-to-moldova",
    "mission-to-latvia", "programme-office-in-dushanbe", "mission-to-ukraine", "centre-in-tashkent",
    "assistance-group-to-chechnya", "mission-to-bosnia-and-herzegovina", "mission-to-croatia",
    "presence-in-albania", "advisory-and-monitoring-group-in-belarus",
    "centre-in-ashgabat", "programme-office-in-astana",
    "programme-office-in-bishkek", "kosovo-verification-mission",
    "project-co-ordinator-in-ukraine", "mission-in-kosovo", "office-in-yerevan",
    "office-in-baku", "mission-to-serbia", "office-in-minsk", "mission-to-montenegro",
    "project-co-ordinator-in-uzbekistan", "office-in-zagreb", "project-co-ordinator-in-baku",
    "special-monitoring-mission-to-ukraine",
    "observer-mission-at-the-russian-checkpoints-gukovo-and-donetsk",
]  # fmt: skip


def test_operations_sort_by_name_by_default(get_slugs: Get) -> None:
    assert get_slugs(f"{URL}?limit=100") == BY_NAME
    assert get_slugs(f"{URL}?limit=100&sort=name") == BY_NAME
    assert get_slugs(f"{URL}?limit=100&sort=-name") == BY_NAME[::-1]


def test_operations_sort_by_establishment(get_slugs: Get) -> None:
    # Ashgabat, Astana and Bishkek share 1998-07-23; the tiebreaker keeps them in a fixed order.
    assert get_slugs(f"{URL}?limit=100&sort=established_on") == BY_ESTABLISHED_ON
    assert get_slugs(f"{URL}?limit=100&sort=-established_on") == BY_ESTABLISHED_ON[::-1]


def test_operations_sort_by_closing_puts_open_ones_last(get_slugs: Get) -> None:
    slugs = get_slugs(f"{URL}?limit=100&sort=closed_on")
    # Both Ukraine operations closed on 2022-10-31: the tie-breaker orders them by id.
    assert slugs[:16] == CLOSED[:16]
    assert sorted(slugs[16:18]) == sorted(CLOSED[16:])
    assert sorted(slugs[18:]) == sorted(ACTIVE)


def test_operations_sort_by_closing_descending_puts_open_ones_first(get_slugs: Get) -> None:
    slugs = get_slugs(f"{URL}?limit=100&sort=-closed_on")
    assert sorted(slugs[:12]) == sorted(ACTIVE)
    assert slugs[14:] == CLOSED[:16][::-1]


@pytest.mark.parametrize("sort", ["name", "-established_on", "closed_on", "-closed_on"])
def test_operations_pages_never_overlap_or_skip(client: TestClient, sort: str) -> None:
    whole = [o["slug"] for o in _all(client, f"sort={sort}")]
    seen: list[str] = []
    url: str | None = f"{URL}?sort={sort}&limit=5"
    while url:
        body = client.get(url).json()
        assert body["meta"]["total"] == 30
        seen += [o["slug"] for o in body["data"]]
        url = body["links"]["next"]
    assert seen == whole
    assert len(set(seen)) == 30


def test_operations_sparse_fields(client: TestClient) -> None:
    body = client.get(URL, params={"fields": "slug,status,closed_on", "sort": "closed_on",
                                   "limit": 2}).json()  # fmt: skip
    assert body["data"] == [
        {
            "slug": "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina",
            "status": "closed",
            "closed_on": "1993-07-31",
        },
        {"slug": "mission-to-ukraine", "status": "closed", "closed_on": "1999-04-30"},
    ]


def test_operation_item_sparse_fields(client: TestClient) -> None:
    response = client.get(f"{URL}/mission-to-serbia", params={"fields": "slug,host_state"})
    assert response.json() == {
        "data": {
            "slug": "mission-to-serbia",
            "host_state": {"slug": "serbia", "name": "Serbia", "iso_alpha2": "RS"},
        }
    }


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=open", "status"),
        ("status=active,", "status"),
        ("type=embassy", "type"),
        ("sort=mandate", "sort"),
        ("sort=status", "sort"),
        ("sort=partner_since", "sort"),
        ("fields=slug,mandates", "fields"),
        ("host_state=AL", "host_state"),
        ("field_operation=mission-to-serbia", "field_operation"),
    ],
)
def test_operations_reject_bad_parameters(client: TestClient, query: str, parameter: str) -> None:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]


@pytest.mark.parametrize(
    "query",
    [
        # RFC 3339 allows year 0001 with an offset: before year 1 in UTC, it is the first instant.
        "date_from=0001-01-01T00:00:00%2B01:00",
        "date_to=9999-12-31T23:00:00-05:00",
        "q=%00",
        "near=90,180&radius_km=20000",
    ],
)
def test_operations_at_the_edges_are_all_of_them(get_slugs: Get, query: str) -> None:
    assert sorted(get_slugs(f"{URL}?limit=100&{query}")) == sorted(ACTIVE + CLOSED)


@pytest.mark.parametrize(("query", "parameter"), [("city=%00", "city"), ("country=%00", "country")])
def test_operations_refuse_control_characters_by_name(
    client: TestClient, query: str, parameter: str
) -> None:
    assert_invalid(client.get(f"{URL}?{query}"), parameter)


@pytest.mark.parametrize("country", ["XK", "kosovo"])
def test_kosovo_is_a_territory_not_a_country(client: TestClient, country: str) -> None:
    error = assert_refused(client.get(f"{URL}?country={country}"), 404, "country")
    assert error["detail"] == f"no participating State or partner {country!r}"


@pytest.mark.parametrize(
    ("query", "parameter"), [("fields=slug,bogus", "fields"), ("limit=5", "limit")]
)
def test_operation_item_rejects_bad_parameters(
    client: TestClient, query: str, parameter: str
) -> None:
    response = client.get(f"{URL}/mission-to-serbia?{query}")
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]
