"""The OpenAPI document as a product: valid, complete, committed, and its examples real.

`make openapi` refreshes what is committed: it runs this module with UPDATE_OPENAPI=1, which
writes the captured examples (api/openapi_examples.json) and then the document (openapi.json).
"""

import json
import os
import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from api.cli import openapi_document
from api.config import PROJECT_ROOT, Settings
from api.editor.collections import NOT_EDITED
from api.http.openapi import (
    ERROR_REQUESTS,
    EXAMPLE_HOST,
    EXAMPLE_REQUESTS,
    EXAMPLES_FILE,
    stored_examples,
)
from api.main import create_app
from api.registry import COLLECTIONS

UPDATE = os.environ.get("UPDATE_OPENAPI") == "1"
COMMITTED = PROJECT_ROOT / "openapi.json"


def _document() -> dict[str, Any]:
    """The document a server with the default settings serves (no database needed)."""
    stored_examples.cache_clear()
    return create_app(Settings(database_url="sqlite:///unused.db")).openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The public operations (the editor API's are checked by `test_editor_operations_…`)."""
    return [
        (path, op)
        for path, methods in document["paths"].items()
        if not path.startswith("/api/v1/editor")
        for op in methods.values()
    ]


def test_editor_operations_need_a_key_and_answer_errors_as_problems(app: FastAPI) -> None:
    document = app.openapi()
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    editor = [(p, op) for p, methods in document["paths"].items() if p.startswith("/api/v1/editor")
              for op in methods.values()]  # fmt: skip
    edited = len(COLLECTIONS) - len(NOT_EDITED)
    # Eleven operations a collection, two more for its translations, the audit log, webhooks
    # and keys.
    assert len(editor) == 13 * edited + 1 + 5 + 3
    for path, op in editor:
        assert op["tags"] == ["editor"], path
        assert op["security"] == [{"apiKey": []}], path
        assert op["summary"], path
        assert op["description"], path
        assert {"401", "403", "422"} <= set(op["responses"]), path
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (path, status)


def test_examples_are_what_the_api_answers_on_the_seed_data(client: TestClient) -> None:
    captured = {}
    for key, url in {**EXAMPLE_REQUESTS, **ERROR_REQUESTS}.items():
        response = client.get(url, headers={"Host": EXAMPLE_HOST})
        assert response.status_code == (int(key) if key.isdigit() else 200), (url, response.text)
        captured[key] = {"request": url, "body": response.json()}
    if UPDATE:
        EXAMPLES_FILE.write_text(json.dumps(captured, indent=2, ensure_ascii=False) + "\n")
    stored = json.loads(EXAMPLES_FILE.read_text())
    # A cursor holds the sort key as the database gives it, which differs between SQLite and
    # PostgreSQL (both accept either); everything else must be identical.
    assert _without_cursors(stored) == _without_cursors(captured), (
        "the examples are stale: run `make openapi` and commit"
    )


def _without_cursors(examples: dict[str, Any]) -> Any:
    """Also without search scores: BM25 on SQLite, ts_rank_cd on PostgreSQL."""
    text = re.sub(r"cursor=[\w.-]+", "cursor=…", json.dumps(examples))
    return json.loads(re.sub(r'"score": [\d.e-]+', '"score": 0', text))


def test_the_committed_document_is_the_apps() -> None:
    document = _document()
    if UPDATE:
        COMMITTED.write_text(openapi_document())
    assert json.loads(COMMITTED.read_text()) == document, (
        "openapi.json differs from the app's document: run `make openapi`, review, commit"
    )


def test_the_document_is_valid_openapi_3_1(app: FastAPI) -> None:
    document = app.openapi()
    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_the_info_block_names_contact_license_and_servers(app: FastAPI) -> None:
    document = app.openapi()
    info = document["info"]
    assert info["description"].strip()
    assert info["contact"]["name"]
    assert info["contact"]["email"]
    assert info["license"]["identifier"] == "MIT"
    assert document["servers"][0]["url"] == "/"
    described = {tag["name"] for tag in document["tags"] if tag["description"]}
    used = {tag for _, op in _operations(document) for tag in op["tags"]}
    assert used <= described


def test_every_operation_has_an_id_a_summary_a_description_and_one_tag(app: FastAPI) -> None:
    operations = _operations(app.openapi())
    # The index, the site's settings, the two probes, search and suggest.
    assert len(operations) == 2 * len(COLLECTIONS) + 6
    ids = [op["operationId"] for _, op in operations]
    assert len(set(ids)) == len(ids)
    for path, op in operations:
        assert re.fullmatch(r"(list|get)[A-Z][A-Za-z]+", op["operationId"]), path
        assert op["summary"], path
        assert op["description"], path
        assert len(op["tags"]) == 1, path


def _one_page(op: dict[str, Any]) -> bool:
    """Whether the operation's documented list is a single page: it has no cursor to show."""
    body = stored_examples().get(op["operationId"], {}).get("body", {})
    return "links" in body and body["links"]["next"] is None


def test_every_parameter_has_a_description_and_an_example(app: FastAPI) -> None:
    for path, op in _operations(app.openapi()):
        for parameter in op.get("parameters", []):
            where = (path, parameter["name"])
            assert parameter.get("description"), where
            if parameter["name"] == "cursor" and _one_page(op):
                assert "examples" not in parameter["schema"], where
                continue
            assert parameter["schema"].get("examples"), where


def test_every_response_has_an_example_and_errors_are_problems(app: FastAPI) -> None:
    for path, op in _operations(app.openapi()):
        expected = {"200"} | (
            {"304", "413", "422", "429", "500", "503"} if "/api/" in path else set()
        )
        if "{" in path:
            expected.add("404")
        assert expected <= set(op["responses"]), path
        for status, response in op["responses"].items():
            assert response["description"], (path, status)
            if status == "304":
                assert "content" not in response
                continue
            (media_type, content), *others = response["content"].items()
            # A list's other formats (docs/formats.md) follow its JSON, which has the example.
            formats = {"application/rss+xml", "application/atom+xml", "text/calendar"}
            formats.add("application/geo+json")
            assert status == "200" or not others, (path, status)
            assert {m for m, _ in others} <= formats, (path, status)
            assert "example" in content, (path, status)
            if int(status) >= 400 and path.startswith("/api/"):
                assert media_type == "application/problem+json", (path, status)
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_every_public_operation_documents_preview_as_the_api_answers_it(
    app: FastAPI, client: TestClient
) -> None:
    """`preview` is taken before the routes (api/editor/preview.py): the document names it, and
    the problems it brings, on every operation under /api/."""
    documented = 0
    for path, op in _operations(app.openapi()):
        if not path.startswith("/api/"):
            assert "preview" not in [p["name"] for p in op.get("parameters", [])], path
            continue
        [preview] = [p for p in op["parameters"] if p["name"] == "preview"]
        assert (preview["in"], preview["schema"]["type"]) == ("query", "boolean"), path
        assert op["security"] == [{}, {"apiKey": []}], path
        assert {"401", "403"} <= set(op["responses"]), path
        documented += 1
    assert documented > 2 * len(COLLECTIONS)  # each collection's list and item, and more
    [op] = app.openapi()["paths"]["/api/v1/states"].values()
    answered = client.get("/api/v1/states?preview=true")
    assert answered.status_code == 401
    assert answered.headers["www-authenticate"].startswith("Bearer")
    example = op["responses"]["401"]["content"]["application/problem+json"]["example"]
    assert answered.json() == example
    assert client.get("/api/v1/states?preview=maybe").status_code == 422


def test_enums_are_named_reusable_schemas(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for name in ("NewsType", "EventType", "EventStatus", "FieldOperationType", "Region"):
        assert "enum" in schemas[name], name


# Parameters that mean something only with another one.
NEEDS = {"radius_km": "near"}


def _example_url(path: str, op: dict[str, Any], name: str) -> str:
    """The operation's URL with the path examples and, alone (or with what it needs), the
    example of `name`."""
    url, query = path, []
    for parameter in op.get("parameters", []):
        if "examples" not in parameter["schema"]:  # a one-page list's cursor
            continue
        example = parameter["schema"]["examples"][0]
        if parameter["in"] == "path":
            url = url.replace(f"{{{parameter['name']}}}", example)
        elif parameter["name"] in (name, NEEDS.get(name)) or parameter.get("required"):
            value = ",".join(example) if isinstance(example, list) else example
            value = json.dumps(value) if isinstance(value, bool) else value
            query.append(f"{parameter['name']}={value}")
    return url + ("?" + "&".join(query) if query else "")


def test_every_parameter_example_alone_is_accepted(app: FastAPI, client: TestClient) -> None:
    checked = 0
    for path, op in _operations(app.openapi()):
        for parameter in op.get("parameters", []):
            url = _example_url(path, op, parameter["name"])
            if parameter["name"] == "cursor" and _one_page(op):
                continue
            if parameter["name"] == "cursor":  # a cursor continues its own query
                url = stored_examples()[op["operationId"]]["request"] + url[url.index("?") :]
                url = url.replace("?cursor", "&cursor")
            response = client.get(url)
            assert response.status_code == 200, (url, response.text)
            checked += 1
    assert checked > 100
