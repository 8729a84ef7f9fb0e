"""`/api/v1/topics`: the fields of work, in the order of the page's "Fields of work" menu."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.content.base import PublicationStatus
from api.content.topics.models import Topic, TopicPublic
from api.text import search_text, sort_key
from tests.conftest import Get
from tests.helpers import assert_invalid

URL = "/api/v1/topics"

# The page's "Fields of work" sub-navigation, verbatim and in page order.
PAGE_TOPICS = [
    ("arms-control", "Arms control"),
    ("border-management", "Border management"),
    ("combating-trafficking-in-human-beings", "Combating trafficking in human beings"),
    ("conflict-prevention-and-resolution", "Conflict prevention and resolution"),
    ("countering-terrorism", "Countering terrorism"),
    ("cyber-ict-security", "Cyber/ICT Security"),
    ("democratization", "Democratization"),
    ("economic-activities", "Economic activities"),
    ("education", "Education"),
    ("elections", "Elections"),
    ("environmental-activities", "Environmental activities"),
    ("gender-equality", "Gender equality"),
    ("good-governance", "Good governance"),
    ("human-rights", "Human rights"),
    ("media-freedom-and-development", "Media freedom and development"),
    ("migration", "Migration"),
    ("national-minority-issues", "National minority issues"),
    ("policing", "Policing"),
    ("reform-and-co-operation-in-the-security-sector",
     "Reform and co-operation in the security sector"),
    ("roma-and-sinti", "Roma and Sinti"),
    ("rule-of-law", "Rule of law"),
    ("tolerance-and-non-discrimination", "Tolerance and non-discrimination"),
    ("youth", "Youth"),
]  # fmt: skip
SLUGS = [slug for slug, _ in PAGE_TOPICS]


def _add_topic(session: Session, slug: str, name: str, *, draft: bool = False) -> Topic:
    """A topic placed after the last one of the page."""
    row = Topic(
        slug=slug,
        name=name,
        sort_name=sort_key(name),
        position=100,
        search_text=search_text(name),
        publication_status=PublicationStatus.draft if draft else PublicationStatus.published,
    )
    session.add(row)
    session.commit()
    return row


# --- seed content, checked against the page ----------------------------------------------------


def test_topics_are_the_pages_23_in_page_order(client: TestClient) -> None:
    body = client.get(URL, params={"limit": 100}).json()
    assert body["meta"] == {"total": 23, "total_exact": True, "limit": 100, "offset": 0}
    assert [(t["slug"], t["name"]) for t in body["data"]] == PAGE_TOPICS
    assert body["data"] == [
        {"slug": slug, "name": name, "position": position, "fallback": []}
        for position, (slug, name) in enumerate(PAGE_TOPICS, 1)
    ]


def test_topics_page_through_in_page_order_by_default(client: TestClient) -> None:
    first = client.get(URL).json()
    assert first["meta"] == {"total": 23, "total_exact": True, "limit": 20, "offset": 0}
    assert first["links"]["prev"] is None
    second = client.get(first["links"]["next"]).json()
    assert second["links"]["next"] is None
    assert [t["slug"] for t in first["data"] + second["data"]] == SLUGS


def test_topics_match_their_public_model(client: TestClient) -> None:
    for item in client.get(URL, params={"limit": 100}).json()["data"]:
        assert TopicPublic.model_validate(item).model_dump(mode="json") == item
        assert client.get(f"{URL}/{item['slug']}").json() == {"data": item}


def test_topic_item(client: TestClient) -> None:
    response = client.get(f"{URL}/cyber-ict-security")
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "slug": "cyber-ict-security",
            "name": "Cyber/ICT Security",
            "position": 6,
            "fallback": [],
        }
    }


def test_topic_item_is_addressed_case_insensitively(client: TestClient) -> None:
    assert client.get(f"{URL}/Human-Rights").json()["data"]["slug"] == "human-rights"


@pytest.mark.parametrize("slug", ["peacekeeping", "albania", "mission-to-serbia"])
def test_unknown_topic_is_404_problem(client: TestClient, slug: str) -> None:
    response = client.get(f"{URL}/{slug}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


# --- sorting, text and sparse fields -----------------------------------------------------------


def test_topics_sort(get_slugs: Get) -> None:
    # The page lists the fields of work alphabetically, so name order equals page order here.
    assert get_slugs(f"{URL}?limit=100&sort=position") == SLUGS
    assert get_slugs(f"{URL}?limit=100&sort=-position") == SLUGS[::-1]
    assert get_slugs(f"{URL}?limit=100&sort=name") == SLUGS
    assert get_slugs(f"{URL}?limit=100&sort=-name") == SLUGS[::-1]


def test_topics_sort_by_name_differs_from_position_for_a_later_topic(
    session: Session, get_slugs: Get
) -> None:
    _add_topic(session, "anti-corruption", "Anti-corruption")
    assert get_slugs(f"{URL}?limit=100") == [*SLUGS, "anti-corruption"]
    assert get_slugs(f"{URL}?limit=100&sort=name") == ["anti-corruption", *SLUGS]
    assert get_slugs(f"{URL}?limit=1&sort=-position") == ["anti-corruption"]


def test_draft_topics_never_appear(client: TestClient, session: Session, get_slugs: Get) -> None:
    _add_topic(session, "secret-topic", "Secret topic", draft=True)
    assert get_slugs(f"{URL}?limit=100") == SLUGS
    assert get_slugs(f"{URL}?q=secret") == []
    assert client.get(f"{URL}/secret-topic").status_code == 404
    response = client.get("/api/v1/field-operations", params={"topic": "secret-topic"})
    assert response.status_code == 404
    assert [e["parameter"] for e in response.json()["errors"]] == ["topic"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=rights", ["human-rights"]),
        ("q=Security", ["cyber-ict-security", "reform-and-co-operation-in-the-security-sector"]),
        ("q=co-operation", ["reform-and-co-operation-in-the-security-sector"]),
        ("q=%22rule%20of%20law%22", ["rule-of-law"]),
        ("q=law%20rule", ["rule-of-law"]),
        ("q=cyber/ict", ["cyber-ict-security"]),
        ("q=ROMA", ["roma-and-sinti"]),
        ("q=human", ["combating-trafficking-in-human-beings", "human-rights"]),
        ("q=human%20beings", ["combating-trafficking-in-human-beings"]),
        ("q=development%20media", ["media-freedom-and-development"]),
        ("q=youth&sort=-name", ["youth"]),
        ("q=peacekeeping", []),
    ],
)
def test_topics_filters(get_slugs: Get, query: str, expected: list[str]) -> None:
    assert sorted(get_slugs(f"{URL}?limit=100&{query}")) == sorted(expected)


def test_topics_sparse_fields(client: TestClient) -> None:
    body = client.get(URL, params={"fields": "name", "limit": 3}).json()
    assert body["data"] == [
        {"name": "Arms control"},
        {"name": "Border management"},
        {"name": "Combating trafficking in human beings"},
    ]
    item = client.get(f"{URL}/youth", params={"fields": "slug"}).json()
    assert item == {"data": {"slug": "youth"}}


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("sort=slug", "sort"),
        ("sort=created_at", "sort"),
        ("fields=slug,", "fields"),
        ("region=central-asia", "region"),
        ("topic=education", "topic"),
        ("date_from=2020-01-01", "date_from"),
    ],
)
def test_topics_refuse_what_they_do_not_have(
    client: TestClient, query: str, parameter: str
) -> None:
    assert_invalid(client.get(f"{URL}?{query}"), parameter)


def test_topics_search_for_a_control_character_is_no_search(get_slugs: Get) -> None:
    assert len(get_slugs(f"{URL}?q=%00&limit=100")) == 23


@pytest.mark.parametrize(
    ("query", "parameter"), [("fields=colour", "fields"), ("sort=name", "sort")]
)
def test_topic_item_rejects_bad_parameters(client: TestClient, query: str, parameter: str) -> None:
    response = client.get(f"{URL}/youth?{query}")
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]
