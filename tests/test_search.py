"""Search and suggest on both databases: stemming, ranking of the obvious first hit, filters,
facets, paging, snippets, hostile queries, languages, and an index kept in step with writes."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from api.content.pages.models import PageIn
from api.content.pages.service import save_page
from api.content.search.analysis import fts5_match, snippet
from api.content.search.service import reindex
from api.content.service import Changes, Refs
from api.registry import REFERENCES, SEARCHABLE
from tests.factories import make_news
from tests.helpers import assert_invalid, link_header

SEARCH = "/api/v1/search"
ICELAND = "how-one-training-sparked-icelands-largest-anti-trafficking-operation"
PAWS = "paws-and-pioneers-side-by-side-against-illicit-weapons"
TIRASPOL = "opening-of-the-art-exhibition-peace-through-art-on-both-banks-of-the-dniester-nistru-river-2025"  # noqa: E501


def _search(client: TestClient, query: str, language: str | None = None) -> dict[str, Any]:
    headers = {"Accept-Language": language} if language else {}
    response = client.get(f"{SEARCH}?{query}", headers=headers)
    assert response.status_code == 200, response.text
    assert "Accept-Language" in response.headers["vary"]
    body: dict[str, Any] = response.json()
    return body


def _hits(client: TestClient, query: str, language: str | None = None) -> list[str]:
    return [hit["slug"] for hit in _search(client, query, language)["data"]]


@pytest.mark.parametrize(
    ("query", "first", "total"),
    [
        ("q=weapon", PAWS, 2),  # "weapons" by its stem
        ("q=trafficked", ICELAND, 6),  # the title outranks the text
        ("q=mission%20serbia", "mission-to-serbia", 1),
        ("q=Allemagne&lang=fr", "germany", 1),
        ("q=Germany&lang=fr", "germany", 1),  # the English name finds the French entry
        ("q=Австрия&lang=ru", "austria", 1),
        ("q=Vienne&lang=fr", "austria", 1),
        ("q=%22peace%20through%20art%22", TIRASPOL, 1),
    ],
)
def test_the_obvious_hit_comes_first(
    client: TestClient, query: str, first: str, total: int
) -> None:
    body = _search(client, query)
    assert body["data"][0]["slug"] == first
    assert (body["meta"]["total"], body["meta"]["total_exact"]) == (total, True)
    scores = [hit["score"] for hit in body["data"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("q", ['"', "AND", "the", "NEAR(a b)", "*", "title:x", "-", "''", "{}"])
def test_odd_queries_are_searched_not_errors(client: TestClient, q: str) -> None:
    body = _search(client, f"q={q}")
    assert (body["data"], body["meta"]["total"]) == ([], 0)


def test_a_hit_in_full(client: TestClient) -> None:
    body = _search(client, "q=weapons&collection=news")
    assert body["data"] == [
        {
            "collection": "news",
            "slug": PAWS,
            "href": f"/api/v1/news/{PAWS}",
            "title": "Paws and pioneers: side-by-side against illicit weapons",
            "snippet": body["data"][0]["snippet"],
            "type": "story",
            "date": body["data"][0]["date"],
            "country": None,
            "lang": "en",
            "score": body["data"][0]["score"],
        }
    ]
    assert "<mark>weapons</mark>" in body["data"][0]["snippet"]
    assert body["meta"]["facets"] == {
        "collection": {"news": 1},
        "type": {"story": 1},
        "country": {},
        "year": {"2025": 1},
    }


def test_facets_count_every_hit_and_filters_narrow_them(client: TestClient) -> None:
    everything = _search(client, "q=mission&limit=1")["meta"]
    assert everything["total"] == sum(everything["facets"]["collection"].values())
    assert everything["facets"]["collection"]["field-operations"] == 17
    narrowed = _search(client, "q=mission&type=mission&date_from=2000-01-01")
    assert [hit["slug"] for hit in narrowed["data"]] == [
        "mission-to-montenegro",
        "mission-to-serbia",
    ]
    assert narrowed["meta"]["facets"]["year"] == {"2001": 1, "2006": 1}
    assert _hits(client, "q=mission&country=Serbie&collection=field-operations") == [
        "mission-to-serbia",
        "missions-of-long-duration-in-kosovo-sandjak-and-vojvodina",
    ]
    assert _hits(client, "q=austria&city=Вена") == ["austria"]
    assert _hits(client, "q=training&date_to=2024-12-31") == []


def test_pages_of_hits_follow_their_links_without_overlap(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = f"{SEARCH}?q=trafficking&limit=4"
    while url:
        response = client.get(url)
        body = response.json()
        seen += [hit["slug"] for hit in body["data"]]
        assert link_header(response).get("next") == body["links"]["next"]
        url = body["links"]["next"]
    assert len(seen) == len(set(seen)) == 6


def test_a_language_without_texts_falls_back_to_english_entries(client: TestClient) -> None:
    body = _search(client, "q=weapons", "ru")
    assert [(hit["slug"], hit["lang"]) for hit in body["data"]][:1] == [(PAWS, "en")]
    french = _search(client, "q=Autriche", "fr-FR, fr;q=0.9")["data"][0]
    assert (french["title"], french["lang"], french["country"]["name"]) == (
        "Autriche", "fr", "Autriche",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("", "q"), ("q=", "q"), ("q=x&lang=pt", "lang"), ("q=x&limit=0", "limit"),
     ("q=x&collection=menus", "collection"), ("q=x&sort=name", "sort")],
)  # fmt: skip
def test_bad_search_parameters_are_422(client: TestClient, query: str, parameter: str) -> None:
    assert_invalid(client.get(f"{SEARCH}?{query}"), parameter)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=mission%20to%20s&limit=3",
         ["mission-to-serbia", "mission-to-skopje", "special-monitoring-mission-to-ukraine"]),
        ("q=авс&lang=ru", ["austria", "australia"]),
        ("q=GER", ["germany"]),
        ("q=%22%2A", []),
    ],
)  # fmt: skip
def test_suggest_completes_the_last_word(
    client: TestClient, query: str, expected: list[str]
) -> None:
    response = client.get(f"/api/v1/suggest?{query}")
    assert response.status_code == 200, response.text
    assert [s["slug"] for s in response.json()["data"]] == expected


def test_suggest_needs_two_characters(client: TestClient) -> None:
    assert_invalid(client.get("/api/v1/suggest?q=a"), "q")


def test_the_index_follows_every_write(session: Session, client: TestClient) -> None:
    make_news(session, slug="zebra-news", title="Zebras <b>crossing</b>", body="Zebra elections.")
    body = _search(client, "q=zebra")
    assert [hit["slug"] for hit in body["data"]] == ["zebra-news"]
    assert body["data"][0]["title"] == "Zebras <b>crossing</b>"
    assert body["data"][0]["snippet"] == "A summary. <mark>Zebra</mark> elections."
    # Each read after a write asks a URL not asked before: on PostgreSQL the new content version
    # arrives by NOTIFY, and a request made before it does may be answered from the response
    # cache.
    assert _completions(client, "q=zebr") == ["zebra-news"]
    make_news(session, slug="zebra-news", title="Giraffes", body="Giraffe elections.")
    assert _hits(client, "q=zebras") == []
    assert _hits(client, "q=giraffes") == ["zebra-news"]
    assert _completions(client, "q=zebra") == []
    assert _completions(client, "q=gira") == ["zebra-news"]
    make_news(session, slug="zebra-news", title="Giraffes", body="Draft.", draft=True)
    assert _hits(client, "q=giraffe") == []
    assert _completions(client, "q=giraf") == []


def _completions(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/api/v1/suggest?{query}")
    assert response.status_code == 200, response.text
    return [s["slug"] for s in response.json()["data"]]


def test_a_reindex_writes_again_what_the_services_wrote(
    session: Session, client: TestClient
) -> None:
    """`content-api reindex`. On PostgreSQL its entries go in a few statements (an `INSERT …
    SELECT` of up to 1,000 at a time): the version trigger fires once per statement, and once
    per entry it made reindexing a large index quadratic (bench/README.md)."""
    postgresql = session.connection().dialect.name == "postgresql"
    document = ", document::text" if postgresql else ""
    entries = text(
        "SELECT collection, item_id, lang, translated, slug, title, title_key, body, type,"
        f" country_id, city_key, day, year{document} FROM search_entry"
        " ORDER BY collection, item_id, lang"
    )
    version = text("SELECT version FROM content_version")
    before, version_before = session.execute(entries).all(), session.execute(version).scalar()
    written = reindex(session, SEARCHABLE)
    session.commit()
    assert session.execute(entries).all() == before
    assert sum(written.values()) == len(before) > 400
    if postgresql:  # a deletion and an insertion per collection (each has under 1,000)
        assert session.execute(version).scalar() - version_before == 2 * len(SEARCHABLE)


def test_snippets_escape_html_and_mark_matches() -> None:
    text = "A <script>alert(1)</script> note on elections & voting."
    assert snippet(text, "election", ("en",)) == (
        "A &lt;script&gt;alert(1)&lt;/script&gt; note on <mark>elections</mark> &amp; voting."
    )


def test_a_snippet_is_cut_around_the_first_match() -> None:
    """A third of the words before the first match, then the rest of 30; every match in it."""
    words = [f"w{i}" for i in range(50)]
    words[20], words[25] = "Elections", "elected"
    assert snippet(" ".join(words) + ".", "election", ("en",)) == (
        "…w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 <mark>Elections</mark> w21 w22 w23 w24 "
        "<mark>elected</mark> w26 w27 w28 w29 w30 w31 w32 w33 w34 w35 w36 w37 w38 w39…"
    )
    # No match (a hit found by its title): the text's first 30 words.
    assert snippet(" ".join(words[:3]), "peace", ("en",)) == "w0 w1 w2"


def test_match_expressions_quote_every_term() -> None:
    assert fts5_match('Elections "Central Asia" NEAR(x)', ("en",)) == (
        '"elect" AND "central asia" AND "near x"'
    )
    assert fts5_match("the of", ("en",)) is None  # stop words only
    assert fts5_match("выборы", ("ru", "en")) == '("выбор" OR "выборы")'


def test_pages_are_found_by_the_text_of_their_blocks(client: TestClient) -> None:
    # The home page's "Our mission" paragraph; neither its title nor its summary has the words.
    body = _search(client, "q=stability%20peace%20democracy")
    assert [(hit["collection"], hit["slug"], hit["type"]) for hit in body["data"]] == [
        ("pages", "home", "page")
    ]
    assert body["data"][0]["href"] == "/api/v1/pages/home"
    assert (
        "We work for <mark>stability</mark>, <mark>peace</mark> and" in body["data"][0]["snippet"]
    )
    facets = _search(client, "q=stability")["meta"]["facets"]
    assert facets["collection"] == {"field-operations": 1, "pages": 1}
    assert facets["type"] == {"mission": 1, "page": 1}
    assert _hits(client, "q=stability&type=page") == ["home"]
    assert _hits(client, "q=stability&collection=pages") == ["home"]
    # Pages have no translations: a search in French reads their English entries.
    assert _hits(client, "q=Vladivostok", "fr") == ["home"]


def test_a_page_leaves_the_search_when_it_is_a_draft(session: Session, client: TestClient) -> None:
    refs = Refs.load(session, REFERENCES)

    def save(status: str) -> None:
        record = PageIn.model_validate(
            {
                "slug": "zebra-page",
                "title": "Crossings",
                "summary": "A page.",
                "published_at": "2026-01-01T00:00:00Z",
                "body": [
                    {"type": "paragraph", "content": [{"text": "Zebras "}, {"text": "cross."}]}
                ],
            }
        )
        save_page(session, refs, Changes(), record, publication_status=status)
        session.commit()

    save("published")
    assert _hits(client, "q=zebra") == ["zebra-page"]
    assert client.get("/api/v1/pages?q=zebras&fields=slug").json()["data"] == [
        {"slug": "zebra-page"}
    ]
    save("draft")
    # URLs not asked before, as in `test_the_index_follows_every_write`.
    assert _hits(client, "q=zebras") == []
    assert client.get("/api/v1/pages?q=zebra").json()["data"] == []
