"""The OpenAPI document: what FastAPI infers from the routes and models, completed with what it
cannot infer, so that a client generated from it is as good as a hand-written one.

Added here: the info block (contact, license, servers), one tag per collection with its
description, an example and a description for every parameter, sparse-field item shapes,
problem responses as `application/problem+json` only (400, 406, 408, 413, 414, 422, 429, 431,
500 and 503 on every operation, 404 on every item), 304 and the caching headers on every data
operation, and an example of every response. The examples are real answers of the API on the
seed data, captured in `openapi_examples.json` by `make openapi`; a test checks that they are
still what the API answers, and another that `openapi.json` at the top of the project is this
document.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from api.http.problems import PROBLEM_JSON, problem_bytes
from api.registry import COLLECTIONS, ROUTERS
from api.v1 import PREFIX

EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")


def _operations(router: APIRouter) -> list[tuple[str, str]]:
    """The (path, operation id) of a collection's routes: its list first, then its item."""
    routes = (route for route in router.routes if isinstance(route, APIRoute))
    return sorted(
        (route.path.removeprefix(router.prefix), str(route.operation_id)) for route in routes
    )


def _collection_examples() -> tuple[dict[str, str], dict[tuple[str, str], Any]]:
    """From the registry: the request whose answer on the seed data is each operation's
    documented example, and the examples of each collection's own parameters."""
    requests = {"getApiIndex": PREFIX, "getLiveness": "/livez", "getReadiness": "/readyz"}
    # One hit: the first is the same on both databases, the next ones may differ.
    requests["listSearchHits"] = f"{PREFIX}/search?q=elections&limit=1"
    requests["listSuggestions"] = f"{PREFIX}/suggest?q=mission%20to%20s&limit=3"
    parameters: dict[tuple[str, str], Any] = {}
    for collection in COLLECTIONS:
        path = f"{PREFIX}/{collection.name}"
        (_, list_id), (item_path, item_id) = _operations(collection.router)
        requests[list_id] = f"{path}?{collection.list_example}"
        requests[item_id] = f"{path}/{collection.item_example}"
        parameters[item_id, item_path.strip("/{}")] = collection.item_example
        for name, example in collection.parameter_examples.items():
            parameters[list_id, name] = example
    for router in ROUTERS:  # routes that are not a collection: their plain GETs
        for path, operation_id in _operations(router):
            if "{" not in path:
                requests[operation_id] = f"{PREFIX}{router.prefix}{path}"
    return requests, parameters


EXAMPLE_REQUESTS, OPERATION_PARAMETER_EXAMPLES = _collection_examples()
ERROR_REQUESTS = {"404": "/api/v1/states/atlantis", "422": "/api/v1/news?limit=1000"}
EXAMPLE_HOST = "127.0.0.1:8000"

INFO = {
    "contact": {
        "name": "OSCE Content API maintainers",
        "email": "maintainers@users.noreply.r-seed-2555f236.example",
    },
    "license": {"name": "MIT", "identifier": "MIT"},
}
# Relative: wherever the document is served from (a local `make run` is http://127.0.0.1:8000).
SERVERS = [{"url": "/", "description": "The server this document was loaded from"}]
TAGS = [
    {"name": "discovery", "description": "The entry point: the collections and their links."},
    *({"name": c.name, "description": c.description} for c in COLLECTIONS),
    {
        "name": "search",
        "description": "Ranked full-text search across collections, and "
        "completions for a search box.",
    },
    {"name": "health", "description": "Probes for load balancers and orchestrators."},
    {
        "name": "editor",
        "description": "The editor API: drafts, scheduling, revisions, the "
        "audit log. Needs an API key (`Authorization: Bearer …`); see docs/editor.md.",
    },
]

# An example of every parameter: by name, or by operation and name where they differ.
PARAMETER_EXAMPLES: dict[str, Any] = {
    "limit": 10,
    "offset": 20,
    "country": ["AT"],
    "region": ["western-europe"],
    "city": ["Vienna"],
    "near": "48.2082,16.3738",
    "radius_km": 500,
    "bbox": "13.0,40.0,30.0,50.0",
    "date_from": "2020-01-01",
    "date_to": "2025-12-31",
    "q": "human rights",
    "topic": ["human-rights"],
    "field_operation": ["mission-to-serbia"],
    "group": ["asian"],
    "depth": 1,
    "expand": 1,
    "territory": ["Kosovo"],
    "lang": "fr",
    "collection": ["news"],
    "type": ["story"],
}
FIELDS_EXAMPLES = {"News": ["slug", "title"], "Event": ["slug", "title"]}
SORT_DESCRIPTION = (
    "The order: a field, ascending, or `-field`, descending. Ties are broken by a unique key, "
    "so pages never overlap or skip."
)

# Problems every data operation may answer, besides its own 404 and 422.
COMMON_PROBLEMS = {
    "400": ("The request is not valid HTTP, or names a host this API does not serve "
            "(`TRUSTED_HOSTS`).", "bad-request",
            "This server does not serve the host the request names."),
    "406": ("`Accept` allows no type this operation produces (`application/json`).",
            "not-acceptable", "This resource is available as application/json only."),
    "408": ("The request did not arrive whole within `REQUEST_TIMEOUT_S`.", "request-timeout",
            "The request was not complete within 10 s."),
    "414": ("The URL is longer than `MAX_URL_BYTES`.", "uri-too-long",
            "URLs are limited to 8,192 bytes."),
    "431": ("The request head is larger than `MAX_HEADER_BYTES`, or has more than "
            "`MAX_HEADERS` fields.", "request-header-too-large",
            "Request heads are limited to 16,384 bytes."),
    "422": ("A parameter is unknown or its value is not acceptable.", "invalid-parameters",
            "limit: Input should be less than or equal to 100"),
    "413": ("A request body larger than the API accepts (it reads none).", "content-too-large",
            "Request bodies are limited to 65,536 bytes."),
    "429": ("Too many requests from this client (when a rate limit is set); see `Retry-After`.",
            "rate-limited", "More than 600 requests in 60 s; retry after the wait."),
    "500": ("The server failed; nothing internal is disclosed.", "internal-error",
            "The server failed to answer; the fault is logged."),
    "503": ("The database is unreachable or too slow; retry after `Retry-After`.",
            "database-unavailable",
            "The database is unreachable or too slow right now; retry shortly."),
}  # fmt: skip
EDITOR_PREFIX = "/api/v1/editor"
CACHING_HEADERS = {
    "ETag": "A strong validator of this representation; send it back in `If-None-Match`.",
    "Cache-Control": "`public, max-age=60, stale-while-revalidate=300` by default.",
    "Last-Modified": "When the content last changed (not on the index and the document).",
    "Vary": "`Accept-Encoding, Accept-Language, Authorization`.",
    "Content-Language": "The language of the answer: `lang`, else `Accept-Language`, else en.",
}
LIST_HEADERS = {"Link": "RFC 8288 links to the `next`, `prev` and `self` pages."}


@cache
def stored_examples() -> dict[str, Any]:
    """The captured answers: {operationId or status: {"request": url, "body": ...}}."""
    if not EXAMPLES_FILE.exists():
        return {}
    return json.loads(EXAMPLES_FILE.read_text())  # type: ignore[no-any-return]


def build_document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = FastAPI.openapi(app)
    document["info"].update(INFO)
    document["servers"] = SERVERS
    document["tags"] = TAGS
    _sparse_items(document["components"]["schemas"])
    examples = stored_examples()
    document["components"]["securitySchemes"] = {
        "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key made with "
                   "`content-api keys create`; each operation names the scope it needs."},
    }  # fmt: skip
    formats = getattr(app.state, "formats", {})
    for path, methods in document["paths"].items():
        for operation in methods.values():
            if path.startswith(EDITOR_PREFIX):
                _editor_operation(operation)
                continue
            _parameters(operation)
            _responses(path, operation, examples)
            if path.startswith("/api/"):
                _preview(path, operation)
            _formats(operation, formats.get(path, ()))
            _deprecations(path, operation, app.state.deprecations)
            operation["responses"] = dict(sorted(operation["responses"].items()))
    app.openapi_schema = document
    return document


def _editor_operation(operation: dict[str, Any]) -> None:
    """Editor operations: the bearer key, every error a problem, and `If-Match` required. The
    route takes it as optional so that its absence is RFC 6585's 428, not a 422."""
    operation["security"] = [{"apiKey": []}]
    for parameter in operation.get("parameters", []):
        if parameter["name"] == "If-Match":
            parameter["required"] = True
            parameter["schema"] = {"type": "string"}
            parameter["description"] = "The item's `ETag`: 428 without it, 412 when stale."
    for status, response in operation["responses"].items():
        if status.isdigit() and int(status) >= 400:
            response["content"] = {
                PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
    operation["responses"] = dict(sorted(operation["responses"].items()))


def _sparse_items(schemas: dict[str, Any]) -> None:
    """With `fields`, items hold only the requested fields, so each envelope's `data` is the
    full item or a sparse one."""
    envelopes = [
        s
        for n, s in schemas.items()
        if n.endswith(("Collection", "Item")) and "data" in s.get("properties", {})
    ]
    for envelope in envelopes:
        data = envelope["properties"]["data"]
        target = data.get("items", data)
        if "$ref" not in target:
            continue
        full = target.pop("$ref")
        public = full.rsplit("/", 1)[1]
        sparse = f"{public}Fields"
        schemas.setdefault(
            sparse,
            {
                **{k: v for k, v in schemas[public].items() if k != "required"},
                "title": sparse,
                "description": f"Some fields of {public}: those named by `fields`.",
            },
        )
        target["anyOf"] = [{"$ref": full}, {"$ref": f"#/components/schemas/{sparse}"}]


def _parameters(operation: dict[str, Any]) -> None:
    operation_id = operation["operationId"]
    for parameter in operation.get("parameters", []):
        name, schema = parameter["name"], parameter["schema"]
        if name == "sort":
            parameter["description"] = schema["description"] = SORT_DESCRIPTION
        example = OPERATION_PARAMETER_EXAMPLES.get((operation_id, name))
        example = PARAMETER_EXAMPLES.get(name) if example is None else example
        if name == "fields":
            choices = schema["items"]["enum"]
            example = [f for f in ("slug", "name", "title") if f in choices][:2]
        if name == "cursor":
            example = _example_cursor(operation_id)
        if example is not None:
            schema["examples"] = [example]


PREVIEW_PARAMETER = {
    "name": "preview",
    "in": "query",
    "required": False,
    "schema": {"type": "boolean", "default": False, "examples": [False]},
    "description": "`true`, with an API key that has the `preview` scope: the same answer with "
    "drafts and scheduled items included, marked `Cache-Control: private, no-store` "
    "(api/editor/preview.py). Without a key a 401, with a key that lacks the scope a 403; any "
    "value but `true` or `false`, or the parameter twice, a 422.",
}
PREVIEW_PROBLEMS = {
    "401": ("`preview=true` without a valid API key (see `WWW-Authenticate`).", "unauthorized",
            "This operation needs an API key: `Authorization: Bearer <token>`."),
    "403": ("`preview=true` with a key that lacks the `preview` scope.", "forbidden",
            "This API key lacks the scope `preview`."),
}  # fmt: skip


def _problem_response(description: str, example: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}
        },
    }


def _preview(path: str, operation: dict[str, Any]) -> None:
    """Every public operation reads drafts too for a preview key (api/editor/preview.py)."""
    operation.setdefault("parameters", []).append(PREVIEW_PARAMETER)
    # No key is needed but for `preview=true`: anonymous, or the bearer key.
    operation["security"] = [{}, {"apiKey": []}]
    for status, (description, kind, detail) in PREVIEW_PROBLEMS.items():
        example = json.loads(problem_bytes(int(status), kind, detail, path))
        operation["responses"][status] = _problem_response(description, example)


def _deprecations(path: str, operation: dict[str, Any], deprecations: Any) -> None:
    for deprecation in deprecations:
        if deprecation.path != path:
            continue
        note = f"Deprecated; removed on {deprecation.sunset}. See {deprecation.link}."
        if deprecation.parameter is None:
            operation["deprecated"] = True
            operation["description"] += f"\n\n{note}"
        for parameter in operation.get("parameters", []):
            if parameter["name"] == deprecation.parameter:
                parameter["deprecated"] = True
                parameter["description"] += f" {note}"


def _formats(operation: dict[str, Any], formats: Any) -> None:
    """A list with other formats documents each, its pasteable URL, and the 406 they change."""
    if not formats:
        return
    ok = operation["responses"]["200"]
    for chosen in formats:
        schema = {"type": "object"} if chosen.media_type.endswith("json") else {"type": "string"}
        ok["content"][chosen.media_type] = {"schema": schema}
    urls = ", ".join(f"`.{f.extension}` ({f.media_type})" for f in formats)
    operation["description"] += (
        f"\n\nAlso by `Accept`, or at this path with {urls}: the same items, filters, paging "
        "and errors (docs/formats.md)."
    )
    ok["headers"]["Vary"] = {
        "description": "`Accept-Encoding, Authorization, Accept`.",
        "schema": {"type": "string"},
    }
    types = ", ".join(("application/json", *(f.media_type for f in formats)))
    operation["responses"]["406"]["description"] = f"`Accept` allows none of {types}."


def _example_cursor(operation_id: str) -> str | None:
    """The cursor of the next page in the captured example: it continues that very request."""
    body = stored_examples().get(operation_id, {}).get("body", {})
    following = (body.get("links") or {}).get("next") or ""
    return following.partition("cursor=")[2].partition("&")[0] or None


def _responses(path: str, operation: dict[str, Any], examples: dict[str, Any]) -> None:
    responses = operation["responses"]
    ok = responses["200"]
    ok["description"] = "The data."
    content = ok["content"]["application/json"]
    if operation["operationId"] in examples:
        content["example"] = examples[operation["operationId"]]["body"]
    if not path.startswith("/api/"):
        if "503" in responses:  # /readyz
            responses["503"]["content"]["application/json"]["example"] = {
                "status": "unavailable",
                "detail": "the database is unreachable",
            }
        return  # the health probes: no caching, no problems beyond their own 503
    is_list = operation["operationId"].startswith("list")
    headers = {**CACHING_HEADERS, **(LIST_HEADERS if is_list else {})}
    ok["headers"] = {
        name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
    }
    responses["304"] = {
        "description": "Not modified: the `If-None-Match` or `If-Modified-Since` validator "
        "still matches; no body.",
        "headers": {name: ok["headers"][name] for name in ("ETag", "Cache-Control")},
    }
    problems = dict(COMMON_PROBLEMS)
    for status, response in list(responses.items()):
        if status.isdigit() and int(status) >= 400 and status not in problems:
            problems[status] = (response["description"], "", "")
    for status, (description, kind, detail) in sorted(problems.items()):
        captured = examples.get(status, {}).get("body")
        example = captured or json.loads(problem_bytes(int(status), kind, detail, path))
        responses[status] = _problem_response(description, example)
        if status in ("429", "503"):
            responses[status]["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "string"},
                }
            }
