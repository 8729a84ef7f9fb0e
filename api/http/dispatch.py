"""Serve the API's GET routes without FastAPI's per-request parameter introspection, and
otherwise exactly as FastAPI would.

The routes are ordinary FastAPI routes: their signatures make the OpenAPI document, and FastAPI
serves everything else (other methods, the docs, unknown paths). But FastAPI re-inspects every
field of a query-parameter model on every request, which measured at several times the cost of
the query itself (bench/README.md). So at start-up each `GET /api/…` route whose query
parameters are one pydantic model is compiled into its path pattern, its endpoint, its
parameter model and its dependencies, and a request that matches is validated with the same
model and handed to the same endpoint function.

Dependencies keep FastAPI's contract because FastAPI solves them: everything but the route's
query model and path parameters (its `Depends` and `Security` trees, header and cookie
parameters, `Request`/`Response`/`BackgroundTasks` parameters, `dependency_overrides`,
dependencies with `yield`) goes through FastAPI's own `solve_dependencies`, in FastAPI's order
(dependencies before the route's own parameters). Only the common case is shortcut: an `async`
dependency whose one parameter is the `Request` (such as `read_context`), not overridden, is
awaited directly (solving it costs about 15 µs a request). A route the fast path cannot serve
exactly (scalar query parameters, a body, a sync endpoint, a return type other than a
`Response`) is left to FastAPI, and `GetDispatcher.served_by_fastapi` says which and why.

Parsing the query string here also makes repeated parameters explicit: a list parameter takes
every value given, any other parameter given twice is a 422 naming it.
"""

import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from typing import Any, cast, get_origin
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import solve_dependencies
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("api")
Call = Callable[..., Any]


@dataclass(frozen=True)
class CompiledRoute:
    path: str
    route: Any  # FastAPI's effective route: what `scope["route"]` holds under FastAPI
    endpoint: Call
    pattern: re.Pattern[str] | None  # None: the path has no parameters
    path_fields: tuple[Any, ...]  # FastAPI's ModelFields of the path parameters
    query_name: str | None
    query_model: type[BaseModel] | None
    list_fields: frozenset[str]
    request_names: tuple[str, ...]  # the endpoint's own `Request`/`HTTPConnection` parameters
    # Dependencies awaited directly: (parameter name, async function of the request).
    direct: tuple[tuple[str, Call], ...]
    # Everything else, solved by FastAPI; None when `direct` covers all of it.
    solved: Dependant | None
    # The route's dependencies, with the query model and path parameters left to the
    # dispatcher: FastAPI solves this when `dependency_overrides` touch any of `calls`.
    dependencies: Dependant
    calls: frozenset[Call]


class NotServedError(Exception):
    """Why the fast path leaves a route to FastAPI."""


def _calls(dependant: Dependant) -> set[Call]:
    found = {dependant.call} if dependant.call is not None else set()
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _is_direct(sub: Dependant) -> bool:
    """An `async def dependency(request: Request)` with nothing else to solve."""
    return (
        inspect.iscoroutinefunction(sub.call)
        and sub.request_param_name is not None
        and len(inspect.signature(cast(Call, sub.call)).parameters) == 1
        and not sub.dependencies
        and not (sub.own_oauth_scopes or sub.parent_oauth_scopes)
        and sub.use_cache
        and sub.name is not None
    )


def compile_route(path: str, route: Any) -> CompiledRoute:
    """The fast path's plan for a route, or NotServedError saying why FastAPI must serve it."""
    dependant: Dependant = route.dependant
    endpoint = route.endpoint
    if not inspect.iscoroutinefunction(endpoint):
        raise NotServedError("its endpoint is not `async def`")
    returns = inspect.signature(endpoint).return_annotation
    if not (isinstance(returns, type) and issubclass(returns, Response)):
        raise NotServedError("its endpoint is not annotated to return a Response")
    if dependant.body_params:
        raise NotServedError("it reads a request body")
    models = [f for f in dependant.query_params if _model_of(f) is not None]
    if len(dependant.query_params) > len(models) or len(models) > 1:
        raise NotServedError("its query parameters are not one pydantic model")
    query_model = _model_of(models[0]) if models else None
    list_fields = frozenset(
        name
        for name, field in (query_model.model_fields if query_model else {}).items()
        if get_origin(field.annotation) is list
    )
    request_names = tuple(
        name
        for name in (dependant.request_param_name, dependant.http_connection_param_name)
        if name is not None
    )
    dependencies = replace(
        dependant,
        path_params=[],
        query_params=[],
        request_param_name=None,
        http_connection_param_name=None,
        call=None,
    )
    direct = tuple(
        (str(sub.name), cast(Call, sub.call)) for sub in dependant.dependencies if _is_direct(sub)
    )
    rest = [sub for sub in dependant.dependencies if not _is_direct(sub)]
    leftovers = (
        rest,
        dependant.header_params,
        dependant.cookie_params,
        dependant.response_param_name,
        dependant.background_tasks_param_name,
        dependant.security_scopes_param_name,
        dependant.websocket_param_name,
    )
    solved = replace(dependencies, dependencies=rest) if any(leftovers) else None
    return CompiledRoute(
        path=path,
        route=route,
        endpoint=endpoint,
        pattern=compile_path(path)[0] if dependant.path_params else None,
        path_fields=tuple(dependant.path_params),
        query_name=models[0].name if models else None,
        query_model=query_model,
        list_fields=list_fields,
        request_names=request_names,
        direct=direct,
        solved=solved,
        dependencies=dependencies,
        calls=frozenset(_calls(dependencies)),
    )


def _model_of(field: Any) -> type[BaseModel] | None:
    annotation = field.field_info.annotation
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def query_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of a raw query string, exactly as Starlette's `QueryParams`
    reads them (`parse_qsl(…decode("latin-1"), keep_blank_values=True)`). A query string
    without `%` or `+` has nothing to unquote: it is split here, which is what `parse_qsl`
    comes to for it after about 500 bytecode instructions of argument coercion and `unquote`
    calls on a five-parameter query (bench/README.md, "6 Dec")."""
    if query_string.find(b"%") >= 0 or query_string.find(b"+") >= 0:
        return parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    pieces = query_string.decode("latin-1").split("&")
    return [(name, value) for name, _, value in (p.partition("=") for p in pieces if p)]


def parse_query(route: CompiledRoute, query_string: bytes) -> tuple[Any, list[dict[str, Any]]]:
    """The route's parameter model from the raw query string, and the errors found."""
    values: dict[str, list[str]] = {}
    if query_string:
        for name, value in query_pairs(query_string):
            values.setdefault(name, []).append(value)
    assert route.query_model is not None
    fields = route.query_model.model_fields
    data: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name, given in values.items():
        if name in route.list_fields:
            data[name] = given
        elif len(given) > 1 and name in fields:
            errors.append(
                {"type": "repeated", "loc": ("query", name), "msg": "Given more than once"}
            )
        else:
            data[name] = given[0]
    if errors:
        return None, errors
    try:
        return route.query_model.model_validate(data), []
    except ValidationError as exc:
        return None, [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]


def _alternatives(
    routes: list[CompiledRoute],
) -> tuple[re.Pattern[str], dict[str | None, tuple[CompiledRoute, tuple[tuple[str, str], ...]]]]:
    """One pattern for the paths of `routes`, tried in their order, in one call: a group per
    route around its own pattern, its parameters' groups renamed to be unique. Trying each
    route's pattern in turn cost five calls to reach an item of news. Returns the pattern and,
    by each route's group name, the route and its (parameter, group) names."""
    parts: list[str] = []
    by_group: dict[str | None, tuple[CompiledRoute, tuple[tuple[str, str], ...]]] = {}
    for number, route in enumerate(routes):
        assert route.pattern is not None
        inner = route.pattern.pattern.removeprefix("^").removesuffix("$")
        parameters = tuple(
            (name, f"r{number}_{name}") for name in route.pattern.groupindex
        )  # fmt: skip
        for name, group in parameters:
            inner = inner.replace(f"(?P<{name}>", f"(?P<{group}>")
        parts.append(f"(?P<r{number}>{inner})")
        by_group[f"r{number}"] = (route, parameters)
    # Matches nothing when there are no routes with parameters.
    return re.compile("|".join(parts) or "(?!)"), by_group


async def _direct(route: CompiledRoute, request: Request, kwargs: dict[str, Any]) -> dict[str, Any]:
    """`kwargs` with the dependencies that take only the request, awaited in order, each once."""
    done: dict[Call, Any] = {}
    for name, call in route.direct:
        if call not in done:
            done[call] = await call(request)
        kwargs[name] = done[call]
    return kwargs


class GetDispatcher:
    """Routes `GET /api/…` straight to the endpoints; everything else goes to FastAPI."""

    def __init__(
        self, app: ASGIApp, fastapi: FastAPI, prefix: str = "/api/", skip: tuple[str, ...] = ()
    ) -> None:
        """`skip`: path prefixes left to FastAPI (the editor API: credentialed, not hot)."""
        self.app, self.fastapi = app, fastapi
        self.exact: dict[str, CompiledRoute] = {}
        self.patterns: list[CompiledRoute] = []
        self.served_by_fastapi: dict[str, str] = {}  # path → why
        for context in iter_route_contexts(fastapi.routes):
            path = context.path
            if not path or not path.startswith(prefix) or "GET" not in (context.methods or ()):
                continue
            if path.startswith(skip):
                continue
            if not hasattr(context, "dependant"):
                continue  # a plain Starlette route (the OpenAPI document)
            try:
                compiled = compile_route(path, context)
            except NotServedError as reason:
                self.served_by_fastapi[path] = str(reason)
                log.info("GET %s is served by FastAPI, not the fast path: %s", path, reason)
                continue
            if compiled.pattern is None:
                self.exact[path] = compiled
            else:
                self.patterns.append(compiled)
        self.any_pattern, self.by_group = _alternatives(self.patterns)

    def match(self, path: str) -> tuple[CompiledRoute, dict[str, str]] | None:
        route = self.exact.get(path)
        if route is not None:
            return route, {}
        found = self.any_pattern.fullmatch(path)
        if found is None:
            return None
        # The route's group is the last to close: it holds its parameters' groups.
        route, parameters = self.by_group[found.lastgroup]
        return route, {name: found[group] for name, group in parameters}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        matched = self.match(scope["path"])
        if matched is None:
            await self.app(scope, receive, send)
            return
        route, path_values = matched
        scope["route"], scope["endpoint"] = route.route, route.endpoint
        scope["path_params"] = path_values
        request = Request(scope, receive, send)
        overrides = self.fastapi.dependency_overrides
        try:
            if route.solved is None and not (overrides and route.calls & overrides.keys()):
                kwargs = await _direct(route, request, {})
                response = await self._call(route, request, kwargs, [])
            else:
                # Sent inside the dependencies' exit stacks, as FastAPI does.
                await self._solved(route, request, scope, receive, send)
                return
        except Exception as exc:
            response = await self._handled(request, exc)
        await response(scope, receive, send)

    async def _solved(
        self, route: CompiledRoute, request: Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """FastAPI solves the dependencies, with its exit stacks around the endpoint and the
        response, as its own request handler does."""
        overridden = bool(self.fastapi.dependency_overrides)
        dependant = route.dependencies if overridden else route.solved
        assert dependant is not None
        async with AsyncExitStack() as request_stack:
            scope["fastapi_inner_astack"] = request_stack
            async with AsyncExitStack() as function_stack:
                scope["fastapi_function_astack"] = function_stack
                solved = await solve_dependencies(
                    request=request,
                    dependant=dependant,
                    dependency_overrides_provider=self.fastapi,
                    async_exit_stack=request_stack,
                    embed_body_fields=False,
                )
                kwargs = dict(solved.values)
                if not overridden:
                    kwargs = await _direct(route, request, kwargs)
                response = await self._call(route, request, kwargs, solved.errors)
                if response.background is None:
                    response.background = solved.background_tasks
            await response(scope, receive, send)

    async def _call(
        self,
        route: CompiledRoute,
        request: Request,
        kwargs: dict[str, Any],
        errors: list[Any],
    ) -> Response:
        """Validate the path and query parameters, then call the endpoint."""
        errors = list(errors)
        for name in route.request_names:
            kwargs[name] = request
        for field in route.path_fields:
            value, found = field.validate(request.path_params[field.alias], loc=("path",))
            if found:
                errors += [{**e, "loc": ("path", field.alias)} for e in found]
            else:
                kwargs[field.name] = value
        if route.query_name is not None:
            params, found = parse_query(route, request.scope["query_string"])
            errors += found
            kwargs[route.query_name] = params
        if errors:
            raise RequestValidationError(errors)
        response = await route.endpoint(**kwargs)
        if not isinstance(response, Response):
            raise TypeError(f"GET {route.path} returned {type(response).__name__}, not a Response")
        return response

    async def _handled(self, request: Request, exc: Exception) -> Response:
        """The app's own handler for `exc`, looked up as Starlette does; anything unhandled
        goes on to the server-error handler (a 500 problem)."""
        handlers = self.fastapi.exception_handlers
        handler = next(
            (handlers[kind] for kind in type(exc).__mro__[:-2] if kind in handlers), None
        )
        if handler is None:
            raise exc
        if inspect.iscoroutinefunction(handler):
            return await cast(Awaitable[Response], handler(request, exc))
        return cast(Response, await run_in_threadpool(handler, request, exc))
