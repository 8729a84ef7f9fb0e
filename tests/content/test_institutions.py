"""`/api/v1/institutions`: the OSCE's structures and institutions."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.content.institutions.models import InstitutionIn
from api.content.institutions.service import save_institution
from api.content.service import Changes, Refs
from api.registry import REFERENCES
from tests.conftest import Get

URL = "/api/v1/institutions"
# The "Structures and institutions" menu of the seed page, in its order.
PAGE_ORDER = [
    "secretariat",
    "conflict-prevention-centre",
    "documentation-centre-in-prague",
    "odihr",
    "hcnm",
    "representative-on-freedom-of-the-media",
    "parliamentary-assembly",
    "court-of-conciliation-and-arbitration",
]
VIENNA = "48.2082,16.3738"


def test_the_structures_and_institutions_of_the_page_in_its_order(get_slugs: Get) -> None:
    assert get_slugs(URL) == PAGE_ORDER


def test_odihr_in_full(client: TestClient) -> None:
    assert client.get(f"{URL}/odihr").json() == {
        "data": {
            "slug": "odihr",
            "name": "Office for Democratic Institutions and Human Rights",
            "acronym": "ODIHR",
            "type": "institution",
            "part_of": None,
            "seat": {
                "venue": None,
                "city": "Warsaw",
                "territory": None,
                "country": {"slug": "poland", "name": "Poland", "iso_alpha2": "PL"},
                "region": "eastern-europe",
                "latitude": 52.2297,
                "longitude": 21.0122,
            },
            "established_on": "1990-11-21",
            "summary": client.get(f"{URL}/odihr?fields=summary").json()["data"]["summary"],
            "topics": [
                {"slug": "democratization", "name": "Democratization"},
                {"slug": "elections", "name": "Elections"},
                {"slug": "human-rights", "name": "Human rights"},
            ],
            "menu_links": [
                {
                    "menu": "main",
                    "label": "Office for Democratic Institutions and Human Rights",
                    "path": "/odihr",
                    "url": None,
                }
            ],
            "fallback": [],
        }
    }


def test_an_office_names_the_structure_it_is_part_of(client: TestClient) -> None:
    data = client.get(f"{URL}/documentation-centre-in-prague").json()["data"]
    assert data["part_of"] == {"slug": "secretariat", "name": "Secretariat"}
    assert data["seat"]["city"] == "Prague"


def test_every_institution_is_led_to_by_the_main_menu(client: TestClient) -> None:
    for item in client.get(URL).json()["data"]:
        assert [link["menu"] for link in item["menu_links"]] == ["main"], item["slug"]
        assert item["menu_links"][0]["path"].startswith("/"), item["slug"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=institution", ["odihr", "hcnm", "representative-on-freedom-of-the-media"]),
        ("type=court,parliamentary-assembly", ["parliamentary-assembly",
                                               "court-of-conciliation-and-arbitration"]),
        ("part_of=secretariat", ["conflict-prevention-centre", "documentation-centre-in-prague"]),
        ("country=AT", ["secretariat", "conflict-prevention-centre",
                        "representative-on-freedom-of-the-media"]),
        ("country=the-netherlands", ["hcnm"]),
        ("country=Switzerland,DK", ["parliamentary-assembly",
                                    "court-of-conciliation-and-arbitration"]),
        ("region=eastern-europe", ["documentation-centre-in-prague", "odihr"]),
        ("city=warsaw", ["odihr"]),
        ("city=The%20Hague", ["hcnm"]),
        (f"near={VIENNA}&radius_km=10", ["secretariat", "conflict-prevention-centre",
                                         "representative-on-freedom-of-the-media"]),
        # Vienna → Prague 252 km, Warsaw 557 km.
        (f"near={VIENNA}&radius_km=300", ["secretariat", "conflict-prevention-centre",
                                          "documentation-centre-in-prague",
                                          "representative-on-freedom-of-the-media"]),
        ("bbox=4,46,13,56", ["hcnm", "parliamentary-assembly",
                             "court-of-conciliation-and-arbitration"]),
        ("date_from=1991-01-01&date_to=1992-12-31", ["hcnm", "parliamentary-assembly",
                                                    "court-of-conciliation-and-arbitration"]),
        ("date_to=1990-11-21", ["secretariat", "conflict-prevention-centre", "odihr"]),
        ("topic=conflict-prevention-and-resolution", ["conflict-prevention-centre", "hcnm",
                                                      "court-of-conciliation-and-arbitration"]),
        ("q=media", ["representative-on-freedom-of-the-media"]),
        ("q=odihr", ["odihr"]),
        ("q=prague", ["secretariat", "documentation-centre-in-prague"]),
    ],
)  # fmt: skip
def test_institutions_filters(get_slugs: Get, query: str, expected: list[str]) -> None:
    assert sorted(get_slugs(f"{URL}?{query}")) == sorted(expected)


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("position", "secretariat", "court-of-conciliation-and-arbitration"),
        ("-position", "court-of-conciliation-and-arbitration", "secretariat"),
        ("name", "conflict-prevention-centre", "secretariat"),
        ("established_on", "secretariat", "representative-on-freedom-of-the-media"),
        # Three were founded by the Charter of Paris on one day: ties go by id, reversed too.
        ("-established_on", "representative-on-freedom-of-the-media", "secretariat"),
    ],
)
def test_institutions_sort(get_slugs: Get, sort: str, first: str, last: str) -> None:
    order = get_slugs(f"{URL}?sort={sort}")
    assert (order[0], order[-1]) == (first, last)
    assert sorted(order) == sorted(PAGE_ORDER)


def test_a_draft_institution_appears_nowhere(
    client: TestClient, session: Session, get_slugs: Get
) -> None:
    record = InstitutionIn.model_validate(
        {
            "slug": "draft-office",
            "name": "Draft office",
            "type": "office",
            "part_of": "secretariat",
            "seat": {"city": "Vienna", "country": "AT", "latitude": 48.2, "longitude": 16.37},
            "established_on": "2025-01-01",
            "summary": "Not yet.",
        }
    )
    refs = Refs.load(session, REFERENCES)
    save_institution(session, refs, Changes(), record, 99, publication_status="draft")
    session.commit()
    assert get_slugs(f"{URL}?part_of=secretariat") == [
        "conflict-prevention-centre",
        "documentation-centre-in-prague",
    ]
    assert client.get(f"{URL}/draft-office").status_code == 404
    assert client.get(URL).json()["meta"]["total"] == len(PAGE_ORDER)
