"""The ASGI application class: FastAPI without the per-request layers it adds that do nothing
in this app.

FastAPI wraps every request, before the app's own middleware, in a telemetry check, a layer
that reports exceptions to telemetry and a layer that enforces its `max_body_size`. Here
telemetry is off (`create_app`) and bodies are bounded by `LimitsMiddleware`, so the three
only pass the request on: four coroutines and about 8,000 machine instructions a request,
7% of an answer from the response cache (bench/README.md, "5 Dec"). `ContentAPI` leaves them
out when they are inert and keeps FastAPI's own behaviour whenever one is not: telemetry on,
a `max_body_size`, a lifespan or websocket scope, or a stack of another shape. It also does
Starlette's `ServerErrorMiddleware`'s part itself, leaving its answers to errors to it.
"""

from collections.abc import Awaitable
from typing import Any

from fastapi import FastAPI
from fastapi._body_limit import AppBodyLimitMiddleware
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from starlette.datastructures import State
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TELEMETRY_SIGNALS = ("tracing", "metrics", "logs")


class AppState(State):
    """Starlette's `State`, whose attributes are also kept as attributes: read without a call
    to `State.__getattr__`, a Python function (two calls an answer from the response cache,
    six a page built)."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        super().__init__(state)
        for key, value in self._state.items():
            object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: Any) -> None:
        self._state[key] = value
        object.__setattr__(self, key, value)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __delattr__(self, key: str) -> None:
        del self._state[key]
        object.__delattr__(self, key)

    def __delitem__(self, key: str) -> None:
        delattr(self, key)


class ContentAPI(FastAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = AppState(self.state._state)
        # Set once: neither can be changed after the app is built without a new one.
        self.inert_layers = self.max_body_size is None and not any(
            self._telemetry.get(signal) for signal in TELEMETRY_SIGNALS
        )

    def build_middleware_stack(self) -> ASGIApp:
        """FastAPI's stack, with its telemetry and body-limit layers taken out when inert:
        server errors, then the app's middleware, as before."""
        stack = super().build_middleware_stack()
        if not self.inert_layers or not isinstance(stack, ServerErrorMiddleware):
            return stack
        telemetry = stack.app
        if isinstance(telemetry, ExceptionTelemetryMiddleware) and isinstance(
            telemetry.app, AppBodyLimitMiddleware
        ):
            stack.app = telemetry.app.app  # without max_body_size: the app's own middleware
        return stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.inert_layers:
            await super().__call__(scope, receive, send)
            return
        # What FastAPI's and Starlette's calls do for a request when telemetry is off.
        if self.root_path:
            scope["root_path"] = self.root_path
        scope["app"] = self
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()
        errors = self.middleware_stack
        if not isinstance(errors, ServerErrorMiddleware):
            await errors(scope, receive, send)
            return
        # What ServerErrorMiddleware does, without its coroutine and the one it makes of every
        # message sent (three a request): note whether the answer has begun, and on an error
        # let it answer (unless the answer has begun) and raise.
        started = False

        def tracked(message: Message) -> Awaitable[None]:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            return send(message)

        try:
            await errors.app(scope, receive, tracked)
        except Exception as exc:
            await _answer_error(errors, exc, scope, receive, send if not started else _dropped)
            raise


async def _answer_error(
    errors: ServerErrorMiddleware, exc: Exception, scope: Scope, receive: Receive, send: Send
) -> None:
    """Starlette's answer to `exc` (its handler, or its debug page), which raises it again."""

    async def rethrow(_scope: Scope, _receive: Receive, _send: Send) -> None:
        raise exc

    try:
        await ServerErrorMiddleware(rethrow, errors.handler, errors.debug)(scope, receive, send)
    except Exception as raised:
        if raised is not exc:  # the handler failed too: as under Starlette, that error goes up
            raise


async def _dropped(_message: Message) -> None:
    """An answer that has begun gets nothing more: the server closes the connection."""
