"""Key management over HTTP (`/api/v1/editor/keys`, scope `keys:manage`): a token shown once,
only scopes the caller holds, revocation from the next request on, each step audited."""

from datetime import timedelta

from api import clock
from api.editor.routes import PREFIX
from tests.editor_support import Editor
from tests.helpers import assert_problem

KEYS = f"{PREFIX}/keys"


def test_a_created_key_works_at_once_is_listed_without_its_token_and_revocation_stops_it(
    editor: Editor,
) -> None:
    manager = editor.auth("keys:manage", "news:read", "audit:read")
    expires = (clock.now() + timedelta(days=30)).replace(microsecond=0)
    body = {"name": "news desk", "scopes": ["news:read", "news:read"],
            "expires_at": expires.isoformat()}  # fmt: skip
    created = editor.client.post(KEYS, json=body, headers=manager | {"X-Request-Id": "req-7"})
    assert created.status_code == 201, created.text
    key = created.json()["data"]
    assert created.headers["location"] == f"{KEYS}/{key['id']}"
    assert created.headers["cache-control"] == "private, no-store"
    assert key["name"] == "news desk"
    assert key["scopes"] == ["news:read"]  # a repeated scope is granted once
    assert key["expires_at"] == expires.isoformat().replace("+00:00", "Z")
    assert (key["last_used_at"], key["revoked_at"]) == (None, None)
    token = key["token"]
    assert token.startswith("osce_")
    assert len(token) == 48

    bearer = {"Authorization": f"Bearer {token}"}
    assert editor.client.get(f"{PREFIX}/news", headers=bearer).status_code == 200
    assert_problem(editor.client.get(f"{PREFIX}/topics", headers=bearer), 403)

    listed = editor.client.get(KEYS, headers=manager).json()["data"]
    mine = [k for k in listed if k["id"] == key["id"]]
    assert len(mine) == 1
    assert set(mine[0]) == set(key) - {"token"}
    assert mine[0]["last_used_at"] is not None  # the read above touched it
    assert token not in editor.client.get(KEYS, headers=manager).text

    revoked = editor.client.delete(f"{KEYS}/{key['id']}", headers=manager)
    assert (revoked.status_code, revoked.content) == (204, b"")
    problem = assert_problem(editor.client.get(f"{PREFIX}/news", headers=bearer), 401)
    assert problem["detail"] == "The API key has been revoked."
    again = editor.client.delete(f"{KEYS}/{key['id']}", headers=manager)
    assert again.status_code == 204  # revoking twice changes nothing

    manager_id = int(editor.key_id(editor.key("keys:manage", "news:read", "audit:read")))
    log = editor.client.get(
        f"{PREFIX}/audit", params={"collection": "keys", "slug": str(key["id"])}, headers=manager
    ).json()["data"]
    assert [(e["action"], e["key_id"]) for e in log] == [
        ("key.revoked", manager_id), ("key.created", manager_id)
    ]  # fmt: skip
    assert log[1]["request_id"] == "req-7"


def test_a_key_grants_only_scopes_it_holds(editor: Editor) -> None:
    manager = editor.auth("keys:manage", "news:read")
    before = len(editor.client.get(KEYS, headers=manager).json()["data"])
    body = {"name": "escalation", "scopes": ["news:read", "news:publish", "keys:manage"]}
    response = editor.client.post(KEYS, json=body, headers=manager)
    problem = assert_problem(response, 403)
    assert problem["detail"] == "A key grants only scopes it holds; it lacks `news:publish`."
    assert len(editor.client.get(KEYS, headers=manager).json()["data"]) == before


def test_bad_key_requests_are_422_problems_pointing_at_the_field(editor: Editor) -> None:
    past = (clock.now() - timedelta(seconds=5)).isoformat()
    cases = {
        "/scopes/1": {"name": "x", "scopes": ["news:read", "news:delete"]},
        "/scopes": {"name": "x", "scopes": []},
        "/name": {"name": "", "scopes": ["preview"]},
        "/expires_at": {"name": "x", "scopes": ["preview"], "expires_at": past},
        "/token": {"name": "x", "scopes": ["preview"], "token": "osce_chosen"},
    }
    for pointer, body in cases.items():
        problem = assert_problem(editor.client.post(KEYS, json=body, headers=editor.admin), 422)
        assert [e["pointer"] for e in problem["errors"]] == [pointer], body
    naive = {"name": "x", "scopes": ["preview"], "expires_at": "2030-01-01T00:00:00"}
    problem = assert_problem(editor.client.post(KEYS, json=naive, headers=editor.admin), 422)
    assert [e["pointer"] for e in problem["errors"]] == ["/expires_at"]


def test_revoking_an_unknown_key_is_a_404(editor: Editor) -> None:
    problem = assert_problem(editor.client.delete(f"{KEYS}/999999", headers=editor.admin), 404)
    assert problem["detail"] == "No API key 999999."
