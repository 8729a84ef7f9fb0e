"""The editor API: drafts stay private, schedules hold to the second on every worker and in
every cache, no write is lost or made twice, and every write leaves its trail."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from api import clock
from api.editor.models import Revision, WebhookEvent
from api.seed import EditedError, load_seed
from tests.conftest import _testing_app
from tests.editor_support import SEEDED, Editor
from tests.helpers import assert_problem

NEWS = "/api/v1/editor/news"
WORD = "zanzibarquux"  # in no seeded item


@pytest.fixture
def at() -> Iterator[list[datetime]]:
    """A clock the test sets: `at[0] = instant`."""
    moment = [datetime(2026, 6, 1, 12, 0, tzinfo=UTC)]
    clock.set_clock(lambda: moment[0])
    yield moment
    clock.set_clock(None)


def _news(slug: str, **extra: Any) -> dict[str, Any]:
    document = {
        "slug": slug, "title": f"Draft {WORD}", "type": "news-item",
        "published_at": "2025-12-14T09:00:00Z", "summary": f"About {WORD}.", "body": "Text.",
        "countries": ["AL"], "topics": ["youth"], "field_operation": "presence-in-albania",
    }  # fmt: skip
    return {"document": document, **extra}


def _revisions(editor: Editor) -> int:
    with Session(editor.app.state.engine) as session:
        return int(session.exec(select(func.count()).select_from(Revision)).one())


PUBLIC_PLACES = (
    "/api/v1/news", "/api/v1/news?country=AL", "/api/v1/news?topic=youth",
    f"/api/v1/news?q={WORD}", "/api/v1/news?field_operation=presence-in-albania",
    "/api/v1/news?type=news-item&limit=100", "/api/v1/menus", "/api/v1/topics",
)  # fmt: skip


def _public(client: TestClient) -> dict[str, tuple[int, str, str]]:
    """What every public place answers: status, ETag and body."""
    answers = {}
    for url in PUBLIC_PLACES:
        response = client.get(url)
        answers[url] = (response.status_code, response.headers.get("etag", ""), response.text)
    return answers


def test_a_draft_shows_in_no_public_place_until_published(editor: Editor) -> None:
    before = _public(editor.client)
    created = editor.client.post(NEWS, json=_news("a-private-draft"), headers=editor.admin)
    assert created.status_code == 201, created.text
    assert created.json()["data"]["status"] == "draft"
    assert created.json()["data"]["visible"] is False
    # Lists, counts, filters, search, ETags: all as they were.
    assert _public(editor.client) == before
    assert_problem(editor.client.get("/api/v1/news/a-private-draft"), 404)
    # The editor sees it, with drafts, in its own list.
    listed = editor.client.get(f"{NEWS}?status=draft", headers=editor.admin).json()
    assert [item["slug"] for item in listed["data"]] == ["a-private-draft"]
    published = editor.client.patch(
        f"{NEWS}/a-private-draft", json={"status": "published"},
        headers=editor.admin | {"If-Match": created.headers["etag"]},
    )  # fmt: skip
    assert published.status_code == 200, published.text
    assert published.headers["etag"] == '"2"'
    assert editor.client.get("/api/v1/news/a-private-draft").status_code == 200
    found = editor.client.get(f"/api/v1/news?q={WORD}").json()
    assert [item["slug"] for item in found["data"]] == ["a-private-draft"]
    total = editor.client.get("/api/v1/news").json()["meta"]["total"]
    assert total == int(orjson_total(before["/api/v1/news"][2])) + 1


def orjson_total(body: str) -> int:
    import json

    return int(json.loads(body)["meta"]["total"])


def test_a_draft_menu_and_topic_stay_private(editor: Editor) -> None:
    before = _public(editor.client)
    editor.copy("menus")
    editor.copy("topics")
    assert _public(editor.client) == before


def test_a_scheduled_item_appears_and_goes_to_the_second_on_every_worker(
    editor: Editor, at: list[datetime]
) -> None:
    publish_at = at[0] + timedelta(hours=1)
    unpublish_at = publish_at + timedelta(hours=1)
    body = _news("on-the-hour", status="scheduled", publish_at=publish_at.isoformat(),
                 unpublish_at=unpublish_at.isoformat())  # fmt: skip
    assert editor.client.post(NEWS, json=body, headers=editor.admin).status_code == 201
    other = _testing_app(editor.settings)  # a second worker on the same database
    with TestClient(other) as second:
        for worker in (editor.client, second):
            at[0] = publish_at - timedelta(seconds=1)
            listed = worker.get(f"/api/v1/news?q={WORD}")  # cached by this worker
            assert listed.json()["data"] == []
            # Shared caches keep it no longer than until the change.
            assert listed.headers["cache-control"] == "public, max-age=1, must-revalidate"
            assert worker.get("/api/v1/news/on-the-hour").status_code == 404
            assert _found(worker) == ([], [])
            at[0] = publish_at + timedelta(seconds=1)
            listed = worker.get(f"/api/v1/news?q={WORD}")
            assert [i["slug"] for i in listed.json()["data"]] == ["on-the-hour"]
            assert worker.get("/api/v1/news/on-the-hour").status_code == 200
            assert _found(worker) == (["on-the-hour"], ["on-the-hour"])
            at[0] = unpublish_at + timedelta(seconds=1)
            assert worker.get(f"/api/v1/news?q={WORD}").json()["data"] == []
            assert worker.get("/api/v1/news/on-the-hour").status_code == 404
            assert _found(worker) == ([], [])


def _found(client: TestClient) -> tuple[list[str], list[str]]:
    """The slugs that the search and the search box's completions give for the test's word."""
    searched = client.get(f"/api/v1/search?q={WORD}")
    suggested = client.get(f"/api/v1/suggest?q=draft%20{WORD[:6]}")
    assert (searched.status_code, suggested.status_code) == (200, 200)
    return (
        [hit["slug"] for hit in searched.json()["data"]],
        [hit["slug"] for hit in suggested.json()["data"]],
    )


def test_twenty_concurrent_patches_from_one_revision_make_exactly_one_change(
    editor: Editor,
) -> None:
    slug = SEEDED["news"]
    etag = editor.etag("news", slug)
    before = _revisions(editor)
    headers = editor.admin | {"If-Match": etag}

    def patch(n: int) -> int:
        body = {"document": {"title": f"Title {n}"}}
        return editor.client.patch(f"{NEWS}/{slug}", json=body, headers=headers).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(pool.map(patch, range(20)))
    assert statuses == [200] + [412] * 19
    assert _revisions(editor) == before + 1
    assert editor.etag("news", slug) == '"2"'


def test_twenty_concurrent_menu_moves_from_one_revision_make_exactly_one(editor: Editor) -> None:
    menu = editor.document("menus", "main")
    etag = editor.etag("menus", "main")
    before = _revisions(editor)

    def move(n: int) -> int:
        nodes = list(menu["nodes"])
        nodes.insert(n % len(nodes), nodes.pop())  # the last top-level node moves up
        return editor.client.patch(
            "/api/v1/editor/menus/main", json={"document": {"nodes": nodes}},
            headers=editor.admin | {"If-Match": etag},
        ).status_code  # fmt: skip

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(pool.map(move, range(20)))
    assert statuses == [200] + [412] * 19
    assert _revisions(editor) == before + 1
    public = editor.client.get("/api/v1/menus/main").json()["data"]["items"]
    assert len(public) == len(menu["nodes"])


def test_ten_concurrent_posts_with_one_idempotency_key_create_one_item(editor: Editor) -> None:
    headers = editor.admin | {"Idempotency-Key": "create-once"}

    def post(_: int) -> tuple[int, str, str]:
        response = editor.client.post(NEWS, json=_news("only-once"), headers=headers)
        return response.status_code, response.json()["data"]["slug"], response.headers["etag"]

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(post, range(10)))
    # A retry gets the first answer, its ETag included (what its next `If-Match` needs).
    assert answers == [(201, "only-once", '"1"')] * 10
    with Session(editor.app.state.engine) as session:
        events = session.exec(select(func.count()).select_from(WebhookEvent)).one()
    assert events == 1  # one creation, announced once
    reused = editor.client.post(NEWS, json=_news("another"), headers=headers)
    assert_problem(reused, 422)


def test_writes_need_a_current_if_match(editor: Editor) -> None:
    slug = SEEDED["news"]
    url = f"{NEWS}/{slug}"
    assert_problem(editor.client.patch(url, json={}, headers=editor.admin), 428)
    assert_problem(editor.client.delete(url, headers=editor.admin), 428)
    stale = editor.admin | {"If-Match": '"7"'}
    assert_problem(editor.client.patch(url, json={}, headers=stale), 412)
    assert_problem(editor.client.delete(url, headers=stale), 412)


def test_editor_problems_are_private_like_its_other_answers(editor: Editor) -> None:
    slug = SEEDED["news"]
    answers = {
        401: editor.client.get(NEWS),
        403: editor.client.get(NEWS, headers=editor.auth("topics:read")),
        404: editor.client.get(f"{NEWS}/no-such-item", headers=editor.admin),
        428: editor.client.patch(f"{NEWS}/{slug}", json={}, headers=editor.admin),
        422: editor.client.get(NEWS, params={"limit": "x"}, headers=editor.admin),
    }
    for status, response in answers.items():
        assert_problem(response, status)
        assert response.headers["cache-control"] == "private, no-store", status
        assert response.headers["vary"] == "Authorization", status


def test_a_request_id_longer_than_the_audit_log_keeps_is_refused(editor: Editor) -> None:
    headers = editor.admin | {"X-Request-Id": "r" * 101}
    problem = assert_problem(editor.client.post(NEWS, json=_news("long-id"), headers=headers), 422)
    assert problem["detail"] == "X-Request-Id: at most 100 characters, not 101"
    assert editor.client.get(f"{NEWS}/long-id", headers=editor.admin).status_code == 404
    kept = editor.client.post(
        NEWS, json=_news("long-id"), headers=editor.admin | {"X-Request-Id": "r" * 100}
    )
    assert kept.status_code == 201, kept.text


def test_invalid_writes_point_at_the_fields(editor: Editor) -> None:
    bad = _news("Not A Slug")
    bad["document"]["title"] = ""
    body = assert_problem(editor.client.post(NEWS, json=bad, headers=editor.admin), 422)
    assert {e["pointer"] for e in body["errors"]} == {"/document/slug", "/document/title"}
    headers = editor.admin | {"If-Match": editor.etag("news", SEEDED["news"])}
    patched = editor.client.patch(
        f"{NEWS}/{SEEDED['news']}", json={"document": {"topics": ["no-such-topic"]},
                                          "status": "scheduled"}, headers=headers,
    )  # fmt: skip
    body = assert_problem(patched, 422)
    assert [e["pointer"] for e in body["errors"]] == ["/"]  # scheduled needs publish_at
    unknown = editor.client.patch(
        f"{NEWS}/{SEEDED['news']}", json={"document": {"topics": ["no-such-topic"]}},
        headers=headers,
    )  # fmt: skip
    assert assert_problem(unknown, 422)["errors"] == [
        {"pointer": "/document", "detail": "unknown topic 'no-such-topic'"}
    ]


def test_a_renamed_item_redirects_from_its_old_slug(editor: Editor) -> None:
    slug = SEEDED["news"]
    headers = editor.admin | {"If-Match": editor.etag("news", slug)}
    renamed = editor.client.patch(f"{NEWS}/{slug}", json={"document": {"slug": "new-name"}},
                                  headers=headers)  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    old = editor.client.get(f"/api/v1/news/{slug}?fields=slug", follow_redirects=False)
    assert old.status_code == 301
    assert old.headers["location"] == "/api/v1/news/new-name?fields=slug"
    assert editor.client.get("/api/v1/news/new-name").status_code == 200


def test_trash_restore_purge_and_revisions(editor: Editor) -> None:
    slug = editor.copy("news", status="published")
    url = f"{NEWS}/{slug}"
    assert editor.client.get(f"/api/v1/news/{slug}").status_code == 200
    trashed = editor.client.delete(url, headers=editor.admin | {"If-Match": '"1"'})
    assert trashed.json()["data"]["trashed"] is True
    assert editor.client.get(f"/api/v1/news/{slug}").status_code == 404
    restored = editor.client.post(f"{url}/restore", headers=editor.admin | {"If-Match": '"2"'})
    assert restored.json()["data"]["status"] == "published"
    assert editor.client.get(f"/api/v1/news/{slug}").status_code == 200
    changed = editor.client.patch(url, json={"document": {"title": "Changed"}},
                                  headers=editor.admin | {"If-Match": '"3"'})  # fmt: skip
    assert changed.status_code == 200
    reverted = editor.client.post(f"{url}/revisions/1/restore",
                                  headers=editor.admin | {"If-Match": '"4"'})  # fmt: skip
    assert reverted.json()["data"]["revision"] == 5
    assert reverted.json()["data"]["document"]["title"] != "Changed"
    revisions = editor.client.get(f"{url}/revisions", headers=editor.admin).json()["data"]
    assert [r["action"] for r in revisions] == [
        "reverted",
        "updated",
        "restored",
        "trashed",
        "created",
    ]
    assert editor.client.delete(f"{url}/purge", headers=editor.admin | {"If-Match": '"5"'}
                                ).status_code == 409  # not in the trash  # fmt: skip
    editor.client.delete(url, headers=editor.admin | {"If-Match": '"5"'})
    purged = editor.client.delete(f"{url}/purge", headers=editor.admin | {"If-Match": '"6"'})
    assert purged.status_code == 204
    assert_problem(editor.client.get(url, headers=editor.admin), 404)
    audit = editor.client.get(f"/api/v1/editor/audit?slug={slug}", headers=editor.admin)
    assert [e["action"] for e in audit.json()["data"]] == [
        "news.purged", "news.trashed", "news.reverted", "news.updated", "news.restored",
        "news.trashed", "news.created",
    ]  # fmt: skip


def test_failed_authentication_is_rate_limited(editor: Editor) -> None:
    editor.app.state.failed_logins.__init__(3)  # type: ignore[misc]
    bad = {"Authorization": "Bearer osce_wrong"}
    statuses = [editor.client.get(NEWS, headers=bad).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # A good key from the same client is refused too while the window lasts.
    assert editor.client.get(NEWS, headers=editor.admin).status_code == 429


def test_the_seed_never_overwrites_an_editors_change(editor: Editor) -> None:
    slug = SEEDED["news"]
    headers = editor.admin | {"If-Match": editor.etag("news", slug)}
    editor.client.patch(f"{NEWS}/{slug}", json={"document": {"title": "Edited"}}, headers=headers)
    with pytest.raises(EditedError):
        load_seed(editor.app.state.engine)
    assert editor.client.get(f"/api/v1/news/{slug}").json()["data"]["title"] == "Edited"


def test_a_preview_key_reads_drafts_on_the_public_urls_never_cached(editor: Editor) -> None:
    created = editor.client.post(NEWS, json=_news("previewed"), headers=editor.admin)
    assert created.status_code == 201
    # The search index holds published items only, so a preview finds drafts by the lists'
    # other filters, not by `q` (docs/editor.md).
    url = "/api/v1/news?date_from=2025-12-14&date_to=2025-12-14&preview=true"
    assert_problem(editor.client.get(url), 401)
    assert_problem(editor.client.get(url, headers=editor.auth("news:read")), 403)
    preview = editor.auth("preview")
    listed = editor.client.get(url, headers=preview)
    assert [item["slug"] for item in listed.json()["data"]] == ["previewed"]
    assert listed.headers["cache-control"] == "private, no-store"
    item = editor.client.get("/api/v1/news/previewed?preview=true", headers=preview)
    assert item.status_code == 200
    # The public answers, before and after, know nothing of it.
    assert editor.client.get(f"/api/v1/news?q={WORD}").json()["data"] == []
    assert editor.client.get("/api/v1/news/previewed").status_code == 404
    assert editor.client.get(f"/api/v1/news?q={WORD}&preview=false").json()["data"] == []


def test_put_replaces_the_whole_item(editor: Editor) -> None:
    slug = SEEDED["news"]
    current = editor.client.get(f"{NEWS}/{slug}", headers=editor.admin).json()["data"]
    document = current["document"] | {"title": "Replaced", "topics": []}
    replaced = editor.client.put(
        f"{NEWS}/{slug}", json={"document": document, "status": "published"},
        headers=editor.admin | {"If-Match": '"1"'},
    )  # fmt: skip
    assert replaced.status_code == 200, replaced.text
    public = editor.client.get(f"/api/v1/news/{slug}").json()["data"]
    assert (public["title"], public["topics"]) == ("Replaced", [])
    missing = editor.client.put(f"{NEWS}/{slug}", json={"status": "published"},
                                headers=editor.admin | {"If-Match": '"2"'})  # fmt: skip
    assert [e["pointer"] for e in assert_problem(missing, 422)["errors"]] == ["/document"]


def test_the_nul_character_is_refused_alike_on_both_databases(editor: Editor) -> None:
    """PostgreSQL's text cannot hold NUL and SQLite's can: the fuzz found a 500 on PostgreSQL.
    A 422 on both, pointing at the field or naming the parameter, and nothing written."""
    slug, creation = editor.creation("news")
    creation["json"]["document"]["summary"] = "a\u0000b"
    problem = assert_problem(
        editor.client.post("/api/v1/editor/news", headers=editor.admin, **creation), 422
    )
    detail = "text cannot hold the NUL character (U+0000)"
    assert problem["errors"] == [{"pointer": "/document/summary", "detail": detail}]
    assert_problem(editor.client.get(f"/api/v1/editor/news/{slug}", headers=editor.admin), 404)
    seeded = SEEDED["news"]
    patch = editor.client.patch(
        f"/api/v1/editor/news/{seeded}",
        headers=editor.admin
        | {"If-Match": editor.etag("news", seeded), "Content-Type": "application/merge-patch+json"},
        content=b'{"document": {"body": "\\u0000"}}',
    )
    assert assert_problem(patch, 422)["errors"] == [{"pointer": "/document/body", "detail": detail}]
    for url, name in (
        ("/api/v1/editor/news/a%00b", "slug"),
        ("/api/v1/editor/audit?slug=%00", "slug"),
    ):
        problem = assert_problem(editor.client.get(url, headers=editor.admin), 422)
        assert problem["errors"] == [{"parameter": name, "detail": detail}]
