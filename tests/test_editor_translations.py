"""Editors write translations through the editor API (`/{slug}/translations/{lang}`): each write a
revision of the item that keeps them, in one transaction with the search index and name keys."""

from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from api.content.menus.models import MenuNode
from api.content.translations.models import Translation
from tests.editor_support import Editor
from tests.helpers import assert_invalid, assert_problem

PAGES = "/api/v1/editor/pages"
WORD = "zanzibarquux"  # in no seeded text
BODY = [
    {"type": "heading", "text": f"Notre histoire {WORD}", "level": 1},
    {"type": "paragraph", "content": [{"text": "Des années 1970 à aujourd’hui."}]},
]


# … as stored and answered: each block as its model dumps it (defaults written out).
STORED = [BODY[0], {"type": "paragraph", "content": [
    {"text": "Des années 1970 à aujourd’hui.", "emphasis": False, "strong": False}]}]  # fmt: skip


def _put(editor: Editor, url: str, texts: Any, etag: str | None) -> Any:
    headers = editor.admin | ({"If-Match": etag} if etag else {})
    return editor.client.put(url, json=texts, headers=headers)


def test_an_editor_translates_a_page_and_every_public_reading_follows(editor: Editor) -> None:
    url = f"{PAGES}/our-history/translations"
    seeded = editor.client.get(url, headers=editor.admin)
    assert seeded.status_code == 200
    assert sorted(seeded.json()["data"]) == ["de", "es", "fr", "it", "ru"]
    assert seeded.json()["data"]["fr"]["title"] == "Des années 1970 à aujourd’hui"
    assert seeded.json()["data"]["fr"]["body"][0]["type"] == "heading"  # blocks, not JSON text
    etag = seeded.headers["etag"]
    texts = {"title": f"Notre histoire {WORD}", "summary": "Nos origines.", "body": BODY}

    assert_problem(_put(editor, f"{url}/fr", texts, None), 428)
    assert_problem(_put(editor, f"{url}/fr", texts, '"999"'), 412)
    written = _put(editor, f"{url}/fr", texts, etag)
    assert written.status_code == 200, written.text
    stored = texts | {"body": STORED}
    assert written.json()["data"]["fr"] == stored
    assert written.json()["data"]["de"] == seeded.json()["data"]["de"]  # other languages kept
    assert written.headers["etag"] == f'"{int(etag.strip(chr(34))) + 1}"'

    page = editor.client.get("/api/v1/pages/our-history?lang=fr").json()["data"]
    assert (page["title"], page["summary"]) == (texts["title"], "Nos origines.")
    assert [block["type"] for block in page["body"]] == ["heading", "paragraph"]
    assert page["fallback"] == []  # the page has no SEO texts of its own: nothing fell back
    assert editor.client.get("/api/v1/pages/our-history?lang=de").json()["data"]["fallback"] == []
    found = editor.client.get(f"/api/v1/search?q={WORD}&lang=fr").json()["data"]
    assert [(hit["collection"], hit["slug"]) for hit in found] == [("pages", "our-history")]

    [latest, *_] = editor.client.get(f"{PAGES}/our-history/revisions", headers=editor.admin
                                     ).json()["data"]  # fmt: skip
    assert (latest["action"], latest["translations"]["fr"]) == ("translated", stored)
    audit = editor.client.get("/api/v1/editor/audit?slug=our-history", headers=editor.admin)
    assert audit.json()["data"][0]["action"] == "pages.translated"

    # `{}` removes the language: French falls back to English, and the index forgets it.
    removed = _put(editor, f"{url}/fr", {}, written.headers["etag"])
    assert "fr" not in removed.json()["data"]
    page = editor.client.get("/api/v1/pages/our-history?lang=fr").json()["data"]
    assert page["title"] == "From the 1970s to today"
    assert page["fallback"] == ["title", "summary", "body"]
    assert editor.client.get(f"/api/v1/search?q={WORD}&lang=fr").json()["data"] == []

    # Restoring the translated revision brings its translations back: nothing was lost.
    number = latest["number"]
    restored = editor.client.post(
        f"{PAGES}/our-history/revisions/{number}/restore",
        headers=editor.admin | {"If-Match": removed.headers["etag"]},
    )
    assert restored.status_code == 200, restored.text
    again = editor.client.get(url, headers=editor.admin).json()["data"]
    assert again["fr"] == stored
    assert (
        editor.client.get("/api/v1/pages/our-history?lang=fr").json()["data"]["title"]
        == (texts["title"])
    )


@pytest.mark.parametrize(
    ("lang", "texts", "detail"),
    [
        ("fr", {"name": "Nom"}, "page: no translatable field ['name'] (it has title, summary"),
        ("fr", {"title": "  "}, "fr.title: a translation is a non-empty text"),
        ("fr", {"title": 3}, "fr.title: a translation is a non-empty text"),
        ("fr", {"body": [{"type": "heading", "level": 1}]}, "fr.body: 0/heading/text: Field"),
        ("fr", {"body": []}, "fr.body: a body has 1 to 100 blocks, not 0"),
        ("fr", {"body": "not JSON"}, "fr.body: Invalid JSON"),
        ("fr", {"body": [{"type": "contents", "entries": [{"label": "A", "anchor": "nowhere"}]}]},
         "fr.body: contents link to no heading: ['nowhere']"),
    ],
)  # fmt: skip
def test_a_bad_translation_is_refused_with_its_reason(
    editor: Editor, lang: str, texts: Any, detail: str
) -> None:
    url = f"{PAGES}/our-history/translations/{lang}"
    etag = editor.etag("pages", "our-history")
    problem = assert_problem(_put(editor, url, texts, etag), 422)
    assert problem["detail"].startswith(detail), problem["detail"]
    assert editor.etag("pages", "our-history") == etag  # no revision made


def test_english_and_unknown_languages_are_not_translations(editor: Editor) -> None:
    etag = editor.etag("pages", "our-history")
    for lang in ("en", "xx"):
        response = _put(editor, f"{PAGES}/our-history/translations/{lang}", {"title": "T"}, etag)
        assert assert_invalid(response, "lang")["detail"].startswith("Input should be 'fr'")


def test_a_translated_name_orders_the_list_in_that_language(editor: Editor) -> None:
    """The name keys follow a translation written by an editor, in the same transaction."""

    def first_in_russian() -> str:
        response = editor.client.get("/api/v1/states?lang=ru&sort=name&limit=1")
        return str(response.json()["data"][0]["slug"])

    assert first_in_russian() == "austria"  # Австрия
    url = "/api/v1/editor/states/slovakia/translations"
    etag = editor.etag("states", "slovakia")
    written = _put(editor, f"{url}/ru", {"name": "Аааа Словакия"}, etag)
    assert written.status_code == 200, written.text
    assert first_in_russian() == "slovakia"
    state = editor.client.get("/api/v1/states/slovakia?lang=ru").json()["data"]
    assert (state["name"], state["fallback"]) == ("Аааа Словакия", ["capital"])


def test_a_draft_s_translations_show_nowhere(editor: Editor) -> None:
    slug = editor.copy("pages")  # a draft
    etag = editor.etag("pages", slug)
    texts = {"title": f"Brouillon {WORD}", "body": BODY}
    assert _put(editor, f"{PAGES}/{slug}/translations/fr", texts, etag).status_code == 200
    assert_problem(editor.client.get(f"/api/v1/pages/{slug}?lang=fr"), 404)
    assert editor.client.get(f"/api/v1/search?q={WORD}&lang=fr").json()["data"] == []
    trashed = editor.client.delete(f"{PAGES}/{slug}", headers=editor.admin | {
        "If-Match": editor.etag("pages", slug)})  # fmt: skip
    problem = assert_problem(
        _put(editor, f"{PAGES}/{slug}/translations/fr", texts, trashed.headers["etag"]), 409
    )
    assert problem["detail"] == f"{slug!r} is in the trash: restore it first."


def test_a_purged_item_leaves_no_translations_behind(editor: Editor) -> None:
    """Its translations go with it: a new item (on SQLite, perhaps with the purged one's id)
    starts with none."""
    slug = editor.copy("pages")
    etag = editor.etag("pages", slug)
    written = _put(editor, f"{PAGES}/{slug}/translations/fr", {"title": "Ancienne"}, etag)
    assert written.status_code == 200
    trashed = editor.client.delete(f"{PAGES}/{slug}", headers=editor.admin | {
        "If-Match": editor.etag("pages", slug)})  # fmt: skip
    purged = editor.client.delete(
        f"{PAGES}/{slug}/purge", headers=editor.admin | {"If-Match": trashed.headers["etag"]}
    )
    assert purged.status_code == 204
    newer = editor.copy("pages", status="published")
    texts = editor.client.get(f"{PAGES}/{newer}/translations", headers=editor.admin)
    assert texts.json()["data"] == {}
    page = editor.client.get(f"/api/v1/pages/{newer}?lang=fr").json()["data"]
    assert page["title"] != "Ancienne"


def test_a_menu_node_removed_leaves_no_translation_behind(editor: Editor) -> None:
    """A node gone from a menu takes its label's translations with it (a node added later
    could have its id on SQLite, and would inherit them)."""
    document = editor.document("menus", "main")
    assert document["nodes"][-1]["label"] == "About us"  # "Qui sommes-nous", and below it
    removed = {**document, "nodes": document["nodes"][:-1]}
    etag = editor.etag("menus", "main")
    written = {"document": removed, "status": "published"}
    headers = editor.admin | {"If-Match": etag}
    put = editor.client.put("/api/v1/editor/menus/main", json=written, headers=headers)
    assert put.status_code == 200, put.text
    with Session(editor.app.state.engine) as session:
        nodes = select(MenuNode.id)
        orphans = (
            select(func.count())
            .select_from(Translation)
            .where(Translation.kind == "menu_node", col(Translation.item_id).not_in(nodes))
        )
        assert session.exec(orphans).one() == 0


def test_an_editor_translates_a_menu_s_labels_by_node_key(editor: Editor) -> None:
    url = "/api/v1/editor/menus/main/translations"
    seeded = editor.client.get(url, headers=editor.admin)
    assert seeded.status_code == 200
    french = seeded.json()["data"]["fr"]
    assert french["about-us"] == "Qui sommes-nous"  # seeded, by the node's key
    assert french["about-us/our-history"] == "Notre histoire"
    assert "about-us/chair/troika" not in french  # no label of its own: it falls back
    etag = seeded.headers["etag"]

    unknown = _put(editor, f"{url}/fr", {"nowhere": "Nulle part"}, etag)
    assert assert_problem(unknown, 422)["detail"] == "menu_node: the menu has no node ['nowhere']"
    empty = _put(editor, f"{url}/fr", {"about-us": " "}, etag)
    assert assert_problem(empty, 422)["detail"] == "fr.about-us: a label is a non-empty text"

    labels = {**french, "about-us": "À propos", "about-us/chair/troika": "Troïka"}
    written = _put(editor, f"{url}/fr", labels, etag)
    assert written.status_code == 200, written.text
    assert written.json()["data"]["fr"] == labels
    menu = editor.client.get("/api/v1/menus/main?lang=fr").json()["data"]["items"]
    about = next(node for node in menu if node["path"] == "/about-us")
    assert about["label"] == "À propos"
    chair = next(c for c in about["children"] if c["path"] == "/chair")
    assert [c["label"] for c in chair["children"]][-1] == "Troïka"
    # The German labels were left as they were; the revision keeps the French ones.
    assert written.json()["data"]["de"] == seeded.json()["data"]["de"]
    [latest, *_] = editor.client.get("/api/v1/editor/menus/main/revisions",
                                     headers=editor.admin).json()["data"]  # fmt: skip
    assert (latest["action"], latest["translations"]["fr"]) == ("translated", labels)
