"""RFC 9457 problem details: the one error shape of the API."""

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import Scope, Send

from api.read.reader import DatabaseUnavailableError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("api")

# What each problem `type` means; the README lists the same table.
PROBLEM_TYPES = {
    "bad-request": "The request is not valid HTTP, or its Host is not one this API serves.",
    "not-found": "No resource at this URL, or no item with this slug.",
    "method-not-allowed": "The resource exists but not with this method; see `Allow`.",
    "not-acceptable": "The API cannot answer in any type `Accept` allows; see `detail`.",
    "request-timeout": "The request did not arrive whole in time.",
    "invalid-parameters": "A query parameter is unknown, or its value is not acceptable.",
    "internal-error": "The server failed; the details are in its logs, not in the response.",
    "database-unavailable": "The database is unreachable or too slow; retry after `Retry-After`.",
    "content-too-large": "The request has a body larger than the API accepts.",
    "uri-too-long": "The request URL is longer than the API accepts.",
    "request-header-too-large": "The request head is larger, or has more fields, than accepted.",
    "service-unavailable": "The server has too many open connections; retry after `Retry-After`.",
    "rate-limited": "Too many requests from this client; retry after `Retry-After`.",
    "http-error": "Any other HTTP error.",
}


# RFC 9110 renamed these; Python's `http` module still has the RFC 7231 names.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
# A 422 lists this many of its errors and counts the rest: a request with thousands of bad
# parameters got a 1.4 MB answer, which took 85 ms of CPU to build.
MAX_LISTED_ERRORS = 10


class ProblemItem(BaseModel):
    """One reason a request was rejected."""

    model_config = ConfigDict(extra="forbid")

    parameter: str | None = Field(
        default=None, description="The query or path parameter at fault.", examples=["limit"]
    )
    pointer: str | None = Field(
        default=None, description="JSON Pointer into the request body, for body errors."
    )
    detail: str = Field(examples=["Input should be less than or equal to 100"])


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(examples=["/problems/invalid-parameters"])
    title: str = Field(examples=["Invalid parameters"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["limit: Input should be less than or equal to 100"])
    instance: str = Field(examples=["/api/v1/news?limit=1000"])
    errors: list[ProblemItem] | None = Field(
        default=None, description="For 422: every parameter at fault."
    )


class ProblemError(Exception):
    """Raised by routes and dependencies; rendered as problem+json."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        errors: list[ProblemItem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.errors, self.headers = errors, headers


def invalid_parameter(parameter: str, detail: str) -> ProblemError:
    error = ProblemItem(parameter=parameter, detail=detail)
    return ProblemError(422, "invalid-parameters", f"{parameter}: {detail}", errors=[error])


def unknown_reference(parameter: str, detail: str) -> ProblemError:
    """A well-formed parameter that names something that does not exist (a country, a topic,
    the position of a cursor): what it asks for is not found."""
    error = ProblemItem(parameter=parameter, detail=detail)
    return ProblemError(404, "not-found", f"{parameter}: {detail}", errors=[error])


def problem_bytes(
    status: int, kind: str, detail: str, instance: str, errors: list[ProblemItem] | None = None
) -> bytes:
    body: dict[str, Any] = {
        "type": f"/problems/{kind}",
        "title": TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = [e.model_dump(exclude_none=True) for e in errors]
    return orjson.dumps(body)


# The headers of every answer to a credentialed request (the editor API's).
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Vary": "Authorization"}
# Answers that say "not now" rather than "no": no cache in front may keep them.
TRANSIENT = frozenset({429, 500, 502, 503, 504})


def problem_response(
    request: Request,
    status: int,
    kind: str,
    detail: str,
    *,
    errors: list[ProblemItem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    # The path the client asked for: a format's pasteable URL is served by its collection's
    # route (api/http/formats.py), which sees the collection's path.
    path = getattr(request.scope.get("api.format"), "path", None) or request.url.path
    instance = path + (f"?{request.url.query}" if request.url.query else "")
    body = problem_bytes(status, kind, detail, instance, errors)
    app = request.scope.get("app")
    private = getattr(app.state, "private_paths", ()) if app is not None else ()
    if private and request.scope["path"].startswith(private):
        # The editor API's answers, errors too, are for the key that asked and no one else.
        headers = {**(headers or {}), **PRIVATE_HEADERS}
    elif status in TRANSIENT:
        headers = {**(headers or {}), "Cache-Control": "no-store"}
    return Response(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    kind: str,
    detail: str,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """Answer with a problem from ASGI middleware, before any route runs."""
    query = scope.get("query_string", b"").decode("latin-1")
    instance = scope["path"] + (f"?{query}" if query else "")
    body = problem_bytes(status, kind, detail, instance)
    extra = [(b"cache-control", b"no-store")] if status in TRANSIENT else []
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *extra,
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _validation_errors(exc: RequestValidationError) -> list[ProblemItem]:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        source, names = (location[0], location[1:]) if location else ("query", [])
        name = str((error.get("ctx") or {}).get("parameter") or (names[0] if names else source))
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden":
            message = "Unknown parameter; see the OpenAPI document for the accepted ones"
        if source == "body":
            errors.append(ProblemItem(pointer="/" + "/".join(names), detail=message))
        else:
            errors.append(ProblemItem(parameter=name, detail=message))
    return errors


@lru_cache(maxsize=256)
def _pattern(path: str) -> re.Pattern[str]:
    return compile_path(path)[0]


def _allowed(request: Request) -> list[str]:
    """Every method some route serves at this request's path (HEAD is added later)."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        if context.path and context.methods and _pattern(context.path).match(request.url.path):
            methods |= set(context.methods)
    return sorted(methods - {"HEAD"})


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return problem_response(
            request, exc.status, exc.kind, exc.detail, errors=exc.errors, headers=exc.headers
        )

    @app.exception_handler(DatabaseUnavailableError)
    async def _unavailable(request: Request, exc: DatabaseUnavailableError) -> Response:
        log.warning("database unavailable on %s: %s", request.url.path, exc)
        detail = "The database is unreachable or too slow right now; retry shortly."
        headers = {"Retry-After": "5"}
        return problem_response(request, 503, "database-unavailable", detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        listed = errors[:MAX_LISTED_ERRORS]
        detail = "; ".join(f"{e.parameter or e.pointer}: {e.detail}" for e in listed)
        if len(errors) > len(listed):
            detail += f"; and {len(errors) - len(listed):,} more"
        return problem_response(request, 422, "invalid-parameters", detail, errors=listed)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"Nothing at {request.url.path}; GET /api/v1 lists the collections."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names the methods of the first route that matched the path; a path
            # served by several routes (the editor API's) allows all of theirs.
            allowed = ", ".join(_allowed(request)) or headers.get("Allow", "")
            headers["Allow"] = allowed
            if "GET" in allowed.split(", "):  # HEAD is served wherever GET is
                headers["Allow"] = allowed = f"{allowed}, HEAD"
            detail = f"{request.method} is not allowed here; allowed: {allowed}."
        return problem_response(request, exc.status_code, kind, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        detail = "The server failed to answer this request; it has been logged."
        return problem_response(request, 500, "internal-error", detail)
