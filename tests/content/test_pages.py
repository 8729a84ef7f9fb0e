"""Pages made of typed blocks, the home page seeded from the seed page's words, `expand`, and the
site's settings."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from babel import Locale
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from api.config import PROJECT_ROOT
from api.content.pages.models import PageIn
from api.content.pages.service import save_page
from api.content.service import Changes, Refs, WriteError
from api.registry import REFERENCES
from tests.factories import make_news
from tests.helpers import assert_invalid, assert_problem

SEED_PAGE = re.sub(r"\s+", " ", (PROJECT_ROOT / "seed_data" / "osce-homepage.txt").read_text())
HIGHLIGHTS = [  # in the order the seed page shows them: the editors' order
    "if-they-dont-hire-me-ill-do-it-myself-women-building-businesses-and-changing-communities-in-kyrgyzstan",
    "how-these-journalists-ethical-reporting-is-breaking-barriers-and-sparking-change-in-serbia",
    "dealing-with-the-cold-wars-toxic-legacy",
    "paws-and-pioneers-side-by-side-against-illicit-weapons",
    "how-one-training-sparked-icelands-largest-anti-trafficking-operation",
]


def home(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/pages/home?{query}")
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()["data"]["body"]
    return body


def of_type(body: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [block for block in body if block["type"] == kind]


def texts(body: list[dict[str, Any]]) -> list[str]:
    found = []
    for block in body:
        found += [block.get("text"), block.get("subtitle"), block.get("kicker")]
        found += [span["text"] for span in block.get("content", [])]
        found += [block.get("label"), block.get("description"), block.get("title")]
        found += [entry["label"] for entry in block.get("entries", [])]
    return [text for text in found if text]


def test_every_word_of_the_home_page_is_the_seed_pages(client: TestClient) -> None:
    for text in texts(home(client)):
        assert text in SEED_PAGE, text


def test_the_home_page_has_every_section_of_the_seed_page_in_order(client: TestClient) -> None:
    headings = [(b["text"], b["anchor"]) for b in of_type(home(client), "heading")]
    assert headings == [
        ("Organization for Security and Co-operation in Europe", None),
        ("Our mission", "our-mission"),
        ("Shared values and joint action", "shared-values-and-joint-action"),
        ("Highlights", "highlights"),
        ("News and activities", "news-and-activities"),
        ("Events", "events"),
        ("From the 1970s to today", "history"),
        ("Join our team!", "join-our-team"),
        ("Resources", "resources"),
    ]
    (contents,) = of_type(home(client), "contents")
    assert [e["label"] for e in contents["entries"]] == [
        "Our mission", "Highlights", "News and activities", "Events", "History",
        "Join our team!", "Resources",
    ]  # fmt: skip


def test_the_calls_to_action_link_where_the_seed_page_does(client: TestClient) -> None:
    actions = {
        b["label"]: (b["url"], b["path"], b["ref"] and b["ref"]["href"], b["external"])
        for b in of_type(home(client), "call_to_action")
    }
    assert actions == {
        "About us": (None, "/about-us", None, False),
        "Our approach to security": (None, "/our-approach-to-security", None, False),
        "Countries": (None, "/countries", None, False),
        "All events": (None, "/events", None, False),
        "Meetings and conferences": (None, "/meetings-and-conferences", None, False),
        "Our history": (None, None, "/api/v1/pages/our-history", False),
        "Working for the OSCE": ("https://jobs.osce.org/", None, None, True),
        "Vacancies": ("https://vacancies.osce.org/", None, None, True),
        "Resources": (None, "/resources", None, False),
    }


def test_highlights_are_the_editors_stories_in_their_order(client: TestClient) -> None:
    (highlights,) = of_type(home(client), "references")
    assert [i["slug"] for i in highlights["items"]] == HIGHLIGHTS
    assert [i["href"] for i in highlights["items"]] == [f"/api/v1/news/{s}" for s in HIGHLIGHTS]
    assert [i["item"] for i in highlights["items"]] == [None] * 5  # not expanded


def test_expand_brings_each_item_as_its_own_url_answers_it(client: TestClient) -> None:
    body = home(client, "expand=1")
    (highlights,) = of_type(body, "references")
    for ref in highlights["items"]:
        assert ref["item"] == client.get(ref["href"]).json()["data"]
    news, events = of_type(body, "query")
    assert news["href"] == "/api/v1/news?limit=4&type=news-item,press-release"
    assert news["items"] == client.get(news["href"]).json()["data"]
    assert [i["slug"][:25] for i in news["items"]] == [
        "osce-promotes-marine-tran", "osce-mission-to-montenegr", "osce-supports-forum-on-su",
        "osce-strengthens-judicial",
    ]  # fmt: skip
    assert [e["status"] for e in events["items"]] == ["ongoing", "upcoming"]  # on 15 Dec 2025
    history = next(b for b in of_type(body, "call_to_action") if b["ref"])
    assert history["ref"]["item"]["title"] == "From the 1970s to today"


def test_expand_goes_no_deeper_than_asked(client: TestClient) -> None:
    once = client.get("/api/v1/pages/our-history?expand=1").json()["data"]
    assert once["parent"] == {
        "slug": "home",
        "name": "Organization for Security and Co-operation in Europe",
    }
    assert_invalid(client.get("/api/v1/pages/home?expand=3"), "expand")


def test_a_page_that_refers_to_a_page_expands_it_once_more_at_depth_2(
    client: TestClient, session: Session
) -> None:
    refs = Refs.load(session, REFERENCES)
    record = PageIn.model_validate(
        {
            "slug": "about-the-home-page",
            "title": "About the home page",
            "summary": "A page that names the home page.",
            "published_at": "2026-01-01T00:00:00Z",
            "body": [{"type": "references", "items": [{"collection": "pages", "slug": "home"}]}],
        }
    )
    save_page(session, refs, Changes(), record)
    session.commit()

    def referred(expand: int) -> dict[str, Any]:
        url = f"/api/v1/pages/about-the-home-page?expand={expand}"
        item: dict[str, Any] = client.get(url).json()["data"]["body"][0]["items"][0]["item"]
        return item

    highlights_at = [of_type(referred(n)["body"], "references")[0]["items"] for n in (1, 2)]
    assert [i["item"] for i in highlights_at[0]] == [None] * 5
    assert [i["item"]["slug"] for i in highlights_at[1]] == HIGHLIGHTS


def test_a_draft_is_never_expanded(client: TestClient, session: Session) -> None:
    make_news(session, slug=HIGHLIGHTS[0], draft=True, type="story")
    (highlights,) = of_type(home(client, "expand=1"), "references")
    assert highlights["items"][0]["item"] is None
    assert highlights["items"][1]["item"]["slug"] == HIGHLIGHTS[1]


def test_pages_list_filters_by_parent(client: TestClient) -> None:
    response = client.get("/api/v1/pages?parent=home&fields=slug,parent")
    assert response.json()["data"] == [
        {
            "slug": "our-history",
            "parent": {
                "slug": "home",
                "name": "Organization for Security and Co-operation in Europe",
            },
        }
    ]


def test_the_site_settings(client: TestClient) -> None:
    assert client.get("/api/v1/site").json()["data"] == {
        "name": "Organization for Security and Co-operation in Europe",
        "short_name": "OSCE",
        "logo": None,
        "home_page": "/api/v1/pages/home",
        # The API's six, each named in itself (CLDR through Babel).
        "languages": [
            {"code": code, "name": Locale(code).get_display_name(code)}
            for code in ("en", "fr", "de", "it", "ru", "es")
        ],
        "social": [
            {
                "network": "LinkedIn",
                "handle": "@OSCE",
                "url": "https://www.linkedin.com/company/osce",
            },
            {
                "network": "Instagram",
                "handle": "osceorg",
                "url": "https://www.instagram.com/osceorg",
            },
            {
                "network": "Facebook",
                "handle": "@osce.org",
                "url": "https://www.facebook.com/osce.org",
            },
            {"network": "X", "handle": "@OSCE", "url": "https://x.com/OSCE"},
        ],
    }
    assert_invalid(client.get("/api/v1/site?x=1"), "x")


def test_the_openapi_document_describes_each_block(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    body = schemas["PagePublic"]["properties"]["body"]["items"]
    assert body["discriminator"]["propertyName"] == "type"
    assert set(body["discriminator"]["mapping"]) == {
        "heading", "paragraph", "image", "quote", "call_to_action", "references", "query",
        "contents", "social",
    }  # fmt: skip
    assert schemas["CallToActionBlock"]["properties"]["label"]["type"] == "string"


PAGE = {
    "slug": "a-page",
    "title": "A page",
    "summary": "A summary.",
    "published_at": datetime(2026, 1, 1, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "at least 1 item"),
        (
            [{"type": "video", "url": "https://example.org"}],
            "does not match any of the expected tags",
        ),
        ([{"type": "heading", "text": "x", "level": 7}], "less than or equal to 4"),
        ([{"type": "call_to_action", "label": "x"}], "exactly one of url, path or ref"),
        (
            [{"type": "call_to_action", "label": "x", "url": "https://a.example", "path": "/a"}],
            "exactly one of url, path or ref",
        ),
        (
            [{"type": "paragraph", "content": [{"text": "x", "url": "javascript:alert(1)"}]}],
            "URL scheme",
        ),
        ([{"type": "query", "collection": "news", "limit": 50}], "less than or equal to 20"),
        (
            [{"type": "query", "collection": "news", "limit": 4, "parameters": {"cursor": "x"}}],
            "not allowed in a query block",
        ),
        (
            [{"type": "references", "items": [{"collection": "news", "slug": "a", "item": {}}]}],
            "answered by the API",
        ),
        (
            [{"type": "contents", "entries": [{"label": "Nowhere", "anchor": "nowhere"}]}],
            "contents link to no heading",
        ),
        ([{"type": "image", "image": {"collection": "news", "slug": "a"}}], "an item of `images`"),
    ],
)
def test_a_bad_block_is_refused_with_its_reason(body: list[Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        PageIn.model_validate({**PAGE, "body": body})


def test_a_page_is_not_its_own_parent_and_its_parent_exists(session: Session) -> None:
    refs = Refs.load(session, REFERENCES)
    body = [{"type": "quote", "text": "Words."}]
    with pytest.raises(WriteError, match="not its own parent"):
        save_page(
            session,
            refs,
            Changes(),
            PageIn.model_validate({**PAGE, "body": body, "parent": "a-page"}),
        )
    with pytest.raises(WriteError, match="unknown page 'nowhere'"):
        save_page(
            session,
            refs,
            Changes(),
            PageIn.model_validate({**PAGE, "body": body, "parent": "nowhere"}),
        )


def test_a_draft_page_is_nowhere(client: TestClient, session: Session) -> None:
    refs = Refs.load(session, REFERENCES)
    record = PageIn.model_validate({**PAGE, "body": [{"type": "quote", "text": "Words."}]})
    save_page(session, refs, Changes(), record, publication_status="draft")
    session.commit()
    assert_problem(client.get("/api/v1/pages/a-page"), 404)
    assert "a-page" not in [p["slug"] for p in client.get("/api/v1/pages").json()["data"]]


# --- languages -----------------------------------------------------------------------------

TRANSLATED_HOME = {  # the page's title and first section heading, in each language
    "fr": ("Organisation pour la sécurité et la coopération en Europe", "Notre mission"),
    "de": ("Organisation für Sicherheit und Zusammenarbeit in Europa", "Unsere Mission"),
    "ru": ("Организация по безопасности и сотрудничеству в Европе", "Наша миссия"),
}


@pytest.mark.parametrize("lang", sorted(TRANSLATED_HOME))
def test_the_home_page_in_another_language_keeps_its_structure(
    client: TestClient, lang: str
) -> None:
    english = home(client)
    response = client.get(f"/api/v1/pages/home?lang={lang}")
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == lang
    page = response.json()["data"]
    title, mission = TRANSLATED_HOME[lang]
    assert (page["title"], page["fallback"]) == (title, [])
    body = page["body"]
    assert of_type(body, "heading")[1]["text"] == mission

    # The same blocks, anchors, links and references; every text in the language.
    def skeleton(blocks: list[dict[str, Any]]) -> list[Any]:
        keep = ("type", "level", "anchor", "path", "url", "ref", "image", "items", "parameters")
        return [{k: b.get(k) for k in keep} for b in blocks]

    assert skeleton(body) == skeleton(english)
    assert len(texts(body)) == len(texts(english))
    shared = {"Impact", "Contacts", "Institutions"}  # spelt alike in some languages
    assert not (set(texts(body)) & (set(texts(english)) - shared))


def test_a_page_without_translations_falls_back_and_says_so(
    client: TestClient, session: Session
) -> None:
    record = PageIn.model_validate({
        "slug": "only-english", "title": "Only English", "summary": "Not translated.",
        "seo_title": "Only English, for search engines", "published_at": "2025-01-01T00:00:00Z",
        "body": [{"type": "heading", "text": "Only English", "level": 1}],
    })  # fmt: skip
    save_page(session, Refs.load(session, REFERENCES), Changes(), record)
    session.commit()
    response = client.get("/api/v1/pages/only-english", headers={"Accept-Language": "it"})
    assert response.headers["content-language"] == "it"
    page = response.json()["data"]
    assert page["title"] == "Only English"
    # Its SEO description is empty in English too: nothing fell back there.
    assert page["fallback"] == ["title", "summary", "seo_title", "body"]
    assert page["body"][0]["text"] == "Only English"


def test_expanded_items_are_in_the_page_s_language(client: TestClient) -> None:
    body = home(client, "lang=ru&expand=1")
    [image] = of_type(body, "image")
    assert image["image"]["item"]["alt"].startswith("Карта региона ОБСЕ")
    assert image["image"]["item"]["fallback"] == []
    assert image["image"]["href"] == "/api/v1/images/osce-region-map"  # no language in it
    # News are English only: expanded in Russian, they say which fields fell back.
    [highlights] = of_type(body, "references")
    assert {i["item"]["fallback"] == ["title", "summary", "body"] for i in highlights["items"]} == {
        True
    }
    news_query = of_type(body, "query")[0]
    assert news_query["href"] == "/api/v1/news?limit=4&type=news-item,press-release"
    assert [item["fallback"] for item in news_query["items"]] == [["title", "summary", "body"]] * 4
    events = of_type(body, "query")[1]["items"]
    assert all(event["fallback"] == ["title", "summary"] for event in events)
