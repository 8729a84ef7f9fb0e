"""Six languages: negotiation, headers, translated texts with their fallbacks, per-language
order and names in any language as filters, on both databases."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.config import Settings
from api.locales import fallback_chain, lookup, negotiate
from api.text import collation_key
from tests.helpers import assert_invalid


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        (b"", "en"),
        (b"fr", "fr"),
        (b"de-AT", "de"),
        (b"fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        (b"de;q=0.5, ru;q=0.9", "ru"),  # quality decides, not position
        (b"pt-BR, es;q=0.4", "es"),  # Portuguese is not served: the next range
        (b"pt, *;q=0.1", "en"),
        (b"ru;q=0, it", "it"),  # q=0: not acceptable
        (b"zh-Hant-TW", "en"),
        (b"it-x-private", "it"),
        (b"garbage;q=nonsense, es", "es"),
    ],
)
def test_accept_language_is_an_rfc_4647_lookup(header: bytes | None, expected: str) -> None:
    assert negotiate(header) == expected


@pytest.mark.parametrize(
    ("tag", "expected"), [("fr", "fr"), ("FR-ca", "fr"), ("es_419", "es"), ("pt", None)]
)
def test_lookup_truncates_tags(tag: str, expected: str | None) -> None:
    assert lookup(tag) == expected


def test_the_fallback_chain_is_configurable() -> None:
    settings = Settings(locale_fallbacks="it:fr,es:fr|it")
    assert fallback_chain("it", settings.fallbacks) == ("it", "fr", "en")
    assert fallback_chain("es", settings.fallbacks) == ("es", "fr", "it", "en")
    assert fallback_chain("ru", settings.fallbacks) == ("ru", "en")
    assert fallback_chain("en", settings.fallbacks) == ("en",)


def _get(client: TestClient, url: str, language: str | None = None) -> Any:
    headers = {"Accept-Language": language} if language else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert "Accept-Language" in response.headers["vary"]
    return response


@pytest.mark.parametrize(
    ("url", "language", "content_language", "name", "capital", "fallback"),
    [
        ("/api/v1/states/austria", None, "en", "Austria", "Vienna", []),
        ("/api/v1/states/austria", "de-AT,de;q=0.9", "de", "Österreich", "Wien", []),
        ("/api/v1/states/austria", "pt, ru;q=0.5", "ru", "Австрия", "Вена", []),
        ("/api/v1/states/austria?lang=fr", "ru", "fr", "Autriche", "Vienne", []),
        ("/api/v1/states/austria?lang=es-MX", None, "es", "Austria", "Viena", []),
        # CLDR names no time zone after Ankara: the capital falls back to English.
        ("/api/v1/states/turkiye?lang=it", None, "it", "Turchia", "Ankara", ["capital"]),
        ("/api/v1/partners/japan?lang=ru", None, "ru", "Япония", "Токио", []),
    ],
)
def test_an_item_in_each_language_says_what_fell_back(
    client: TestClient,
    url: str,
    language: str | None,
    content_language: str,
    name: str,
    capital: str,
    fallback: list[str],
) -> None:
    response = _get(client, url, language)
    assert response.headers["content-language"] == content_language
    data = response.json()["data"]
    assert (data["name"], data["capital"]["name"], data["fallback"]) == (name, capital, fallback)
    assert data["slug"] in url  # slugs stay language-neutral


def test_untranslated_news_falls_back_to_english_and_says_so(client: TestClient) -> None:
    english = _get(client, "/api/v1/news?limit=1&fields=slug,title,fallback").json()["data"]
    russian = _get(client, "/api/v1/news?limit=1&fields=slug,title,fallback&lang=ru").json()
    assert english[0]["fallback"] == []
    assert russian["data"] == [english[0] | {"fallback": ["title", "summary", "body"]}]


def test_embedded_summaries_and_menus_are_translated(client: TestClient) -> None:
    topics = _get(client, "/api/v1/topics?limit=2&fields=name&lang=de").json()["data"]
    assert topics == [{"name": "Rüstungskontrolle"}, {"name": "Grenzmanagement"}]
    operation = _get(client, "/api/v1/field-operations/mission-to-serbia?lang=fr").json()
    assert operation["data"]["location"]["country"]["name"] == "Serbie"
    assert operation["data"]["fallback"] == ["name"]
    menu = _get(client, "/api/v1/menus/main?depth=1&lang=es").json()["data"]
    assert [node["label"] for node in menu["items"]] == [
        "Nuestro trabajo", "Países", "Estructuras e instituciones", "Quiénes somos",
    ]  # fmt: skip


def test_an_unsupported_language_is_a_422(client: TestClient) -> None:
    response = client.get("/api/v1/states?lang=pt")
    assert_invalid(response, "lang")
    assert response.headers["content-language"] == "en"
    assert "Accept-Language" in response.headers["vary"]
    assert_invalid(client.get("/api/v1/news/no-such?lang=xx"), "lang")


def test_the_response_cache_keeps_each_language_apart(client: TestClient) -> None:
    url = "/api/v1/states?limit=1&fields=name"
    for _ in range(2):  # the second round is answered from the cache
        assert _get(client, url).json()["data"] == [{"name": "Albania"}]
        assert _get(client, url, "fr-FR,fr;q=0.9").json()["data"] == [{"name": "Albanie"}]
        assert _get(client, url, "ru").json()["data"] == [{"name": "Австрия"}]
    french = _get(client, url, "fr")
    assert french.headers["etag"] != _get(client, url).headers["etag"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/api/v1/field-operations?fields=slug&status=active&country=Serbie",
            ["mission-to-serbia"],
        ),
        (
            "/api/v1/field-operations?fields=slug&status=active&country=Сербия",
            ["mission-to-serbia"],
        ),
        ("/api/v1/states?fields=slug&country=Allemagne", ["germany"]),
        ("/api/v1/states?fields=slug&city=Вена", ["austria"]),
        ("/api/v1/states?fields=slug&city=Varsovie&lang=en", ["poland"]),
        ("/api/v1/partners?fields=slug&city=東京", []),  # not a language of the API
    ],
)
def test_country_and_city_match_names_in_any_language(
    client: TestClient, url: str, expected: list[str]
) -> None:
    assert [item["slug"] for item in _get(client, url).json()["data"]] == expected


# --- order per language ------------------------------------------------------------------------

LANGUAGES = ("en", "fr", "de", "it", "ru", "es")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_68_country_names_sort_alike_on_both_databases(
    database: Any, client: TestClient, lang: str
) -> None:
    """The database orders the stored keys exactly as Python orders the names by the Unicode
    Collation Algorithm: so SQLite and PostgreSQL, each checked against it, agree."""
    names: dict[str, str] = {}
    for collection in ("states", "partners"):
        page = _get(client, f"/api/v1/{collection}?limit=100&fields=slug,name&lang={lang}")
        names |= {item["slug"]: item["name"] for item in page.json()["data"]}
    assert len(names) == 68
    with database.engine.connect() as connection:
        stored = connection.execute(
            text(
                "SELECT country.slug FROM name_key JOIN country ON country.id = name_key.item_id "
                "WHERE name_key.kind = 'country' AND name_key.lang = :lang "
                "ORDER BY name_key.key, country.id"
            ),
            {"lang": lang},
        ).scalars()
        in_database = list(stored)
    expected = sorted(names, key=lambda slug: collation_key(names[slug], lang))
    assert in_database == expected
    for collection in ("states", "partners"):
        page = _get(client, f"/api/v1/{collection}?limit=100&fields=slug&lang={lang}&sort=name")
        listed = [item["slug"] for item in page.json()["data"]]
        assert listed == [slug for slug in expected if slug in listed]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", ["Afghanistan", "Algérie", "Australie", "Corée du Sud", "Égypte", "Israël",
                "Japon", "Jordanie", "Maroc", "Thaïlande", "Tunisie"]),
        ("ru", ["Австралия", "Алжир", "Афганистан", "Египет", "Израиль", "Иордания",
                "Марокко", "Республика Корея", "Таиланд", "Тунис", "Япония"]),
        ("de", ["Afghanistan", "Ägypten", "Algerien", "Australien", "Israel", "Japan",
                "Jordanien", "Marokko", "Südkorea", "Thailand", "Tunesien"]),
    ],
)  # fmt: skip
def test_partners_in_alphabetical_order_of_the_language(
    client: TestClient, lang: str, expected: list[str]
) -> None:
    page = _get(client, f"/api/v1/partners?fields=name&lang={lang}&sort=name").json()
    assert [item["name"] for item in page["data"]] == expected


def test_a_cursor_walks_a_russian_order_to_the_end(client: TestClient) -> None:
    url: str | None = "/api/v1/states?fields=name&lang=ru&sort=-name&limit=25"
    seen: list[str] = []
    while url:
        body = _get(client, url).json()
        seen += [item["name"] for item in body["data"]]
        url = body["links"]["next"]
    assert len(seen) == 57
    assert seen == sorted(seen, key=lambda name: collation_key(name, "ru"), reverse=True)
    assert seen[:2] == ["Эстония", "Швеция"]
