"""What the contract fuzzing modules share: the app without its lifespan, and how a generated
case is sent through a test client."""

from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send


class WithoutLifespan:
    """An app already started by a test client, minus its lifespan: that client owns it (and its
    connections), so schemathesis' own requests (its probes without credentials) must not start
    it again."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


def send(client: TestClient, case: schemathesis.Case) -> tuple[Any, dict[str, Any]]:
    """Send `case` through `client` (its event loop owns the app's database connections); the
    response and the transport arguments that checks replaying the request need."""
    kwargs = case.as_transport_kwargs()
    if not kwargs.get("cookies"):  # the API reads none; an empty per-request jar is deprecated
        kwargs.pop("cookies", None)
    if isinstance(kwargs.get("data"), bytes | str):  # a raw body (the editor API's); httpx
        kwargs["content"] = kwargs.pop("data")  # deprecates passing one as `data`
    # A header value goes on the wire as Latin-1 (RFC 9110's obs-text), as schemathesis' own
    # transport sends it; the test client would refuse anything past ASCII before sending.
    headers = {
        name: value.encode("latin-1") if isinstance(value, str) else value
        for name, value in (kwargs.get("headers") or {}).items()
    }
    return client.request(**(kwargs | {"headers": headers})), kwargs
