"""Who may do what in the editor API: every operation of the route table x every kind of
credential, with the exact answer each gets."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from api.content.translations.service import translatable_of
from api.editor.cli import SCOPES
from api.editor.collections import BY_NAME, EDITOR_COLLECTIONS, NOT_EDITED
from api.editor.routes import PREFIX
from api.main import create_app
from api.registry import COLLECTIONS
from api.text import slugify
from tests.editor_support import Editor
from tests.helpers import assert_problem


def _scope(dependant: Any) -> str | None:
    for sub in dependant.dependencies:
        found = getattr(sub.call, "scope", None) or _scope(sub)
        if found:
            return str(found)
    return None


def editor_routes() -> Iterator[tuple[str, str, str]]:
    """(method, path, scope) of every editor operation, read from the app's route table."""
    for context in iter_route_contexts(create_app().routes):
        if context.path.startswith(PREFIX) and hasattr(context, "dependant"):
            scope = _scope(context.dependant)
            assert scope is not None, f"{context.path} needs no scope"
            for method in sorted(context.methods or ()):
                yield method, context.path, scope


ROUTES = sorted(editor_routes())
# What a key with exactly the scope gets, by the shape of the path.
EXPECTED = {
    ("GET", ""): 200, ("POST", ""): 201, ("GET", "/{slug}"): 200, ("PATCH", "/{slug}"): 200,
    ("DELETE", "/{slug}"): 200, ("POST", "/{slug}/restore"): 200,
    ("DELETE", "/{slug}/purge"): 204, ("GET", "/{slug}/revisions"): 200,
    ("GET", "/{slug}/revisions/{number}"): 200, ("PUT", "/{slug}"): 200,
    ("POST", "/{slug}/revisions/{number}/restore"): 200,
}  # fmt: skip
# … and of its items' translations.
TRANSLATIONS = {("GET", "/{slug}/translations"): 200, ("PUT", "/{slug}/translations/{lang}"): 200}


def test_every_collection_of_the_registry_has_every_editor_operation() -> None:
    edited = {c.name for c in EDITOR_COLLECTIONS}
    assert edited == {c.name for c in COLLECTIONS} - set(NOT_EDITED)
    assert edited.isdisjoint(NOT_EDITED)
    for collection in EDITOR_COLLECTIONS:
        shapes = {(m, p.removeprefix(f"{PREFIX}/{collection.name}"))
                  for m, p, _ in ROUTES if p.startswith(f"{PREFIX}/{collection.name}")}  # fmt: skip
        assert shapes == set(EXPECTED | TRANSLATIONS), collection.name
    assert ("GET", f"{PREFIX}/audit", "audit:read") in ROUTES
    assert {(m, p) for m, p, s in ROUTES if s == "webhooks:manage"} == {
        ("POST", f"{PREFIX}/webhooks"), ("GET", f"{PREFIX}/webhooks"),
        ("DELETE", f"{PREFIX}/webhooks/{{subscription_id}}"),
        ("GET", f"{PREFIX}/webhooks/{{subscription_id}}/deliveries"),
        ("POST", f"{PREFIX}/webhooks/deliveries/{{delivery_id}}/replay"),
    }  # fmt: skip
    assert {(m, p) for m, p, s in ROUTES if s == "keys:manage"} == {
        ("POST", f"{PREFIX}/keys"), ("GET", f"{PREFIX}/keys"),
        ("DELETE", f"{PREFIX}/keys/{{key_id}}"),
    }  # fmt: skip


def _request(editor: Editor, method: str, path: str) -> tuple[str, dict[str, Any], int]:
    """A request this route answers with a 2xx given the scope: url, arguments, status."""
    if path == f"{PREFIX}/audit":
        return path, {}, 200
    if path.startswith(f"{PREFIX}/webhooks"):
        return _webhook_request(editor, method, path)
    if path.startswith(f"{PREFIX}/keys"):
        if method == "POST":  # a key grants only scopes it holds: this one holds keys:manage
            return path, {"json": {"name": "matrix", "scopes": ["keys:manage"]}}, 201
        if method == "DELETE":
            return path.replace("{key_id}", editor.key_id(editor.key("preview"))), {}, 204
        return path, {}, 200
    name, shape = re.match(rf"{PREFIX}/([a-z-]+)(.*)", path).groups()  # type: ignore[union-attr]
    if (method, shape) == ("POST", ""):
        return path, editor.creation(name)[1], 201
    if shape == "":
        return path, {}, 200
    slug = editor.copy(name)
    url = path.replace("{slug}", slug).replace("{number}", "1").replace("{lang}", "fr")
    headers = {"If-Match": editor.etag(name, slug)}
    if shape in ("/{slug}/restore", "/{slug}/purge"):
        trashed = editor.client.delete(f"{PREFIX}/{name}/{slug}", headers=editor.admin | headers)
        assert trashed.status_code == 200, trashed.text
        headers = {"If-Match": trashed.headers["etag"]}
    arguments: dict[str, Any] = {"headers": headers}
    if method == "PATCH":
        arguments["json"] = {}
    if (method, shape) == ("PUT", "/{slug}/translations/{lang}"):
        translatable = translatable_of(BY_NAME[name].kind)
        if translatable is not None:
            text = translatable.fields[0]
        else:  # a menu's translations are its nodes' labels, by key (its English label's slug)
            text = slugify(editor.document(name, slug)["nodes"][0]["label"])
        arguments["json"] = {text: "Un texte en français"}
    elif method == "PUT":
        current = editor.client.get(url, headers=editor.admin).json()["data"]
        writable = ("status", "publish_at", "unpublish_at", "document")
        arguments["json"] = {k: current[k] for k in writable}
    return url, arguments, (EXPECTED | TRANSLATIONS)[(method, shape)]


def _webhook_request(editor: Editor, method: str, path: str) -> tuple[str, dict[str, Any], int]:
    subscription = {"url": "http://127.0.0.1:9/hook", "events": ["*"]}
    if (method, path) == ("POST", f"{PREFIX}/webhooks"):
        return path, {"json": subscription}, 201
    if path == f"{PREFIX}/webhooks":
        return path, {}, 200
    created = editor.client.post(f"{PREFIX}/webhooks", json=subscription, headers=editor.admin)
    assert created.status_code == 201, created.text
    url = path.replace("{subscription_id}", str(created.json()["data"]["id"]))
    if "{delivery_id}" in path:
        editor.copy("topics")  # an event, delivered to the subscription
        subscription_id = created.json()["data"]["id"]
        log = editor.client.get(
            f"{PREFIX}/webhooks/{subscription_id}/deliveries", headers=editor.admin
        )
        url = url.replace("{delivery_id}", str(log.json()["data"][0]["id"]))
        return url, {}, 202
    return url, {}, 204 if method == "DELETE" else 200


def _check(editor: Editor, method: str, path: str, scope: str) -> None:
    url, arguments, success = _request(editor, method, path)
    headers = arguments.pop("headers", {})
    credentials = {
        "no key": None,
        "bad key": "osce_" + "x" * 43,
        "revoked key": editor.key(scope, revoked=True),
        "expired key": editor.key(scope, expired=True),
    }
    for case, token in credentials.items():
        sent = headers | ({"Authorization": f"Bearer {token}"} if token else {})
        response = editor.client.request(method, url, headers=sent, **arguments)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith('Bearer realm="editor"'), case
        assert response.headers["cache-control"] == "private, no-store"
    others = tuple(s for s in SCOPES if s != scope)
    response = editor.client.request(
        method, url, headers=headers | editor.auth(*others), **arguments
    )
    assert f"`{scope}`" in assert_problem(response, 403)["detail"], (method, path)
    response = editor.client.request(method, url, headers=headers | editor.auth(scope), **arguments)
    assert response.status_code == success, (method, path, response.text)
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["vary"] == "Authorization"


# One test per collection (each needs its own copy of the database, which costs more than
# its requests), every operation of the collection in it.
GROUPS = sorted({path.removeprefix(f"{PREFIX}/").split("/")[0] for _, path, _ in ROUTES})


@pytest.mark.parametrize("group", GROUPS)
def test_each_operation_answers_each_credential_exactly(editor: Editor, group: str) -> None:
    routes = [r for r in ROUTES if r[1].removeprefix(f"{PREFIX}/").split("/")[0] == group]
    assert routes
    for method, path, scope in routes:
        _check(editor, method, path, scope)
