"""The app class: FastAPI's per-request layers are left out only while they do nothing
(api/http/application.py)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import Request
from fastapi.exceptions import FastAPIDeprecationWarning
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from starlette.datastructures import State

from api.config import Settings
from api.http.application import AppState, ContentAPI
from api.main import create_app

INERT = {"ExceptionTelemetryMiddleware", "AppBodyLimitMiddleware"}
OFF: Any = {"tracing": False, "metrics": False, "logs": False}  # as create_app has it


def _layers(app: Any) -> list[str]:
    layer = app.build_middleware_stack()
    names = []
    while layer is not None:
        names.append(type(layer).__name__)
        layer = getattr(layer, "app", None)
    return names


def test_the_served_app_goes_from_server_errors_straight_to_its_own_middleware() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:"))
    layers = _layers(app)
    assert layers[:4] == [
        "ServerErrorMiddleware",
        "HeadAsGetMiddleware",
        "PublicHeadersMiddleware",
        "LimitsMiddleware",
    ]
    assert not INERT & set(layers)


def test_fastapi_keeps_its_body_limit_when_one_is_set() -> None:
    app = ContentAPI(max_body_size=10, telemetry=OFF)
    assert not app.inert_layers

    @app.post("/echo")
    async def echo(request: Request) -> int:
        return len(await request.body())

    assert _layers(app)[:3] == [
        "ServerErrorMiddleware",
        "ExceptionTelemetryMiddleware",
        "AppBodyLimitMiddleware",
    ]
    client = TestClient(app)
    assert client.post("/echo", content=b"12345").json() == 5
    assert client.post("/echo", content=b"x" * 11).status_code == 413


def test_fastapi_keeps_its_telemetry_layer_when_telemetry_is_on() -> None:
    app = ContentAPI(telemetry={"tracing": True, "metrics": False, "logs": False})
    assert not app.inert_layers
    assert _layers(app)[:2] == ["ServerErrorMiddleware", "ExceptionTelemetryMiddleware"]


def test_a_root_path_reaches_the_routes_as_fastapi_sets_it() -> None:
    with pytest.warns(FastAPIDeprecationWarning):  # FastAPI still honours it
        app = ContentAPI(root_path="/content", telemetry=OFF)

    @app.get("/where")
    async def where(request: Request) -> dict[str, Any]:
        return {"root_path": request.scope["root_path"], "app": request.scope["app"] is app}

    assert app.inert_layers
    assert TestClient(app).get("/where").json() == {"root_path": "/content", "app": True}


def _failing_app() -> ContentAPI:
    app = ContentAPI(telemetry=OFF)

    @app.get("/fails")
    async def fails() -> None:
        raise RuntimeError("before the answer")

    @app.get("/fails-midway")
    async def fails_midway() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            yield b"begun"
            raise RuntimeError("after the head")

        return StreamingResponse(parts())

    return app


def test_an_error_before_the_answer_gets_the_server_error_answer_and_goes_up() -> None:
    app = _failing_app()
    assert app.inert_layers
    answered = TestClient(app, raise_server_exceptions=False).get("/fails")
    assert (answered.status_code, answered.text) == (500, "Internal Server Error")
    with pytest.raises(RuntimeError, match="before the answer"):
        TestClient(app).get("/fails")


def test_an_error_after_the_head_sends_no_second_answer_and_goes_up() -> None:
    app = _failing_app()
    answered = TestClient(app, raise_server_exceptions=False).get("/fails-midway")
    assert (answered.status_code, answered.text) == (200, "begun")
    with pytest.raises(RuntimeError, match="after the head"):
        TestClient(app).get("/fails-midway")


def test_the_app_state_is_read_as_plain_attributes_and_still_a_starlette_state() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:"))
    state = app.state
    assert isinstance(state, State)
    assert {"reader", "today", "settings"} <= set(vars(state))  # found without __getattr__
    state.pinned = 1
    state["keyed"] = 2
    assert (state.pinned, state["pinned"], state.keyed, state["keyed"]) == (1, 1, 2, 2)
    assert {"pinned", "keyed"} <= set(state)
    del state.pinned
    del state["keyed"]
    for name in ("pinned", "keyed"):
        assert name not in vars(state)
        assert name not in set(state)
        with pytest.raises(AttributeError):
            getattr(state, name)
    assert vars(AppState({"kept": 3}))["kept"] == 3
