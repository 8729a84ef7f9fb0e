"""Serve the API's GET routes without FastAPI's per-request machinery.

The routes are ordinary FastAPI routes: their signatures make the OpenAPI document, and FastAPI
serves everything else (other methods, the docs, unknown paths). But FastAPI re-inspects every
field of a query-parameter model on every request, which measured at several times the cost of
the query itself (bench/README.md). So at start-up each `GET /api/v1/…` route is compiled once
into its path pattern, its endpoint and its parameter model, and a request that matches is
validated with the same pydantic model and handed to the same endpoint function.

Parsing the query string here also makes repeated parameters explicit: a list parameter takes
every value given, any other parameter given twice is a 422 naming it.
"""

import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, cast, get_args, get_origin
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from api.content.routing import read_context


@dataclass(frozen=True)
class CompiledRoute:
    endpoint: Callable[..., Any]
    pattern: re.Pattern[str] | None  # None: the path has no parameters
    path_parameters: dict[str, TypeAdapter[Any]]
    query_model: type[BaseModel]
    list_fields: frozenset[str]
    takes_request: bool
    takes_context: bool


def _compile(path: str, route: APIRoute) -> CompiledRoute:
    query_model: type[BaseModel] | None = None
    path_parameters: dict[str, TypeAdapter[Any]] = {}
    signature = inspect.signature(route.endpoint).parameters
    takes_request, takes_context = "request" in signature, "context" in signature
    for name, parameter in signature.items():
        annotation = parameter.annotation
        model = get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation
        if name in ("request", "context"):
            continue
        if isinstance(model, type) and issubclass(model, BaseModel):
            if name != "params":
                raise TypeError(f"{path}: name the query-parameter model `params`")
            query_model = model
        elif f"{{{name}}}" in path:
            path_parameters[name] = TypeAdapter(annotation)
    if query_model is None:
        raise TypeError(f"{path}: a GET route of the API takes a query-parameter model")
    lists = frozenset(
        name
        for name, field in query_model.model_fields.items()
        if get_origin(field.annotation) is list
    )
    pattern = compile_path(path)[0] if path_parameters else None
    return CompiledRoute(
        route.endpoint, pattern, path_parameters, query_model, lists, takes_request, takes_context
    )


def _invalid(errors: list[dict[str, Any]]) -> RequestValidationError:
    return RequestValidationError(errors)


def parse_query(route: CompiledRoute, query_string: bytes) -> BaseModel:
    """The route's parameter model from the raw query string, or a RequestValidationError."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        values.setdefault(name, []).append(value)
    data: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name, given in values.items():
        if name in route.list_fields:
            data[name] = given
        elif len(given) > 1 and name in route.query_model.model_fields:
            errors.append(
                {"type": "repeated", "loc": ("query", name), "msg": "Given more than once"}
            )
        else:
            data[name] = given[0]
    if errors:
        raise _invalid(errors)
    try:
        return route.query_model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


class GetDispatcher:
    """Routes `GET /api/v1/…` straight to the endpoints; everything else goes to FastAPI."""

    def __init__(self, app: ASGIApp, fastapi: FastAPI, routes: list[tuple[str, APIRoute]]) -> None:
        self.app, self.fastapi = app, fastapi
        self.exact: dict[str, CompiledRoute] = {}
        self.patterns: list[CompiledRoute] = []
        for path, route in routes:
            compiled = _compile(path, route)
            if compiled.pattern is None:
                self.exact[path] = compiled
            else:
                self.patterns.append(compiled)

    def _match(self, path: str) -> tuple[CompiledRoute, dict[str, str]] | None:
        route = self.exact.get(path)
        if route is not None:
            return route, {}
        for candidate in self.patterns:
            assert candidate.pattern is not None
            found = candidate.pattern.match(path)
            if found:
                return candidate, found.groupdict()
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        matched = self._match(scope["path"])
        if matched is None:
            await self.app(scope, receive, send)
            return
        route, path_values = matched
        request = Request(scope, receive)
        handlers = self.fastapi.exception_handlers
        try:
            kwargs: dict[str, Any] = {"request": request} if route.takes_request else {}
            errors: list[dict[str, Any]] = []
            for name, adapter in route.path_parameters.items():
                try:
                    kwargs[name] = adapter.validate_python(path_values[name])
                except ValidationError as exc:
                    errors += [{**e, "loc": ("path", name)} for e in exc.errors(include_url=False)]
            if errors:
                raise _invalid(errors)
            kwargs["params"] = parse_query(route, scope["query_string"])
            if route.takes_context:
                kwargs["context"] = await read_context(request)
            response = await route.endpoint(**kwargs)
        except Exception as exc:
            # The app's own handlers, looked up as Starlette does; anything unhandled goes on to
            # the server-error handler (a 500 problem).
            handler = next(
                (handlers[kind] for kind in type(exc).__mro__[:-2] if kind in handlers), None
            )
            if handler is None:
                raise
            response = await cast(Awaitable[Response], handler(request, exc))
        await response(scope, receive, send)
