"""Contract fuzzing: schemathesis generates requests from the OpenAPI document, valid and
invalid, for every operation, and checks every answer against the document.

All of schemathesis' default checks run: no server errors, status codes, content types and
headers that the document declares, responses that match their schemas, invalid data rejected,
valid data accepted, unsupported methods answered with 405. FUZZ_EXAMPLES sets the examples
per operation: the suite uses a few, `make fuzz` many (and FUZZ_RANDOM=1 new ones each run).
"""

import json
import math
import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from starlette.types import Receive, Scope, Send

from api.params import _parse_date_or_instant, lower_instant, upper_instant
from api.seed import SEED_DIR
from api.text import search_terms

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))


def _seeded(name: str, key: str) -> list[str]:
    return [record[key] for record in json.loads((SEED_DIR / f"{name}.json").read_text())]


# References the document describes in prose ("ISO code or slug of a participating State or
# partner", "topic slugs"): a valid request names ones that exist.
KNOWN = {
    "country": _seeded("states", "iso_alpha2") + _seeded("partners", "slug"),
    "topic": _seeded("topics", "slug"),
    "field_operation": _seeded("field_operations", "slug"),
}


def _items(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _valid_moment(value: Any) -> Any:
    try:
        _parse_date_or_instant(value)
    except ValueError:
        return "2025-06-01"  # past the calendar's edges once converted to UTC
    return value


def _clamped(value: Any, count: int, limits: list[float]) -> str:
    numbers = [float(n) for n in str(value).split(",")]
    numbers = [0.0 if not math.isfinite(n) else n for n in numbers][:count]
    return ",".join(str(max(-lim, min(lim, n))) for n, lim in zip(numbers, limits, strict=True))


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Keep a valid request valid by the rules the document states in prose, which JSON Schema
    cannot: references exist, a window runs forwards, `radius_km` goes with `near`, latitudes
    lie within ±90, and a `cursor` comes from a `links.next` (so a made-up one is dropped)."""
    negative = case.meta is not None and not case.meta.generation.mode.is_positive
    if negative or not case.query:
        return case
    query = case.query
    for name, known in KNOWN.items():
        if name in query:
            query[name] = [known[hash(v) % len(known)] for v in _items(query[name])]
    query.pop("cursor", None)
    if "q" in query and not search_terms(query["q"]):
        query["q"] = "osce"
    if "near" not in query:
        query.pop("radius_km", None)
    if "near" in query:
        query["near"] = _clamped(query["near"], 2, [90, 180])
    if "bbox" in query:
        west, south, east, north = (
            float(n) for n in _clamped(query["bbox"], 4, [180, 90, 180, 90]).split(",")
        )
        query["bbox"] = f"{west},{min(south, north)},{east},{max(south, north)}"
    for name in ("date_from", "date_to"):
        if name in query:
            query[name] = _valid_moment(query[name])
    if "date_from" in query and "date_to" in query:
        start = lower_instant(_parse_date_or_instant(query["date_from"]))
        end = upper_instant(_parse_date_or_instant(query["date_to"]))
        if end is not None and start >= end:
            query["date_from"], query["date_to"] = query["date_to"], query["date_from"]
    return case


class _WithoutLifespan:
    """The shared app, minus its lifespan: the shared client owns that (and its connections)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", _WithoutLifespan(app))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("FUZZ_RANDOM") is None,
)
def test_every_operation_honours_the_contract(
    case: schemathesis.Case, shared_client: TestClient
) -> None:
    # The examples phase does not pass through the hook: keep its combined examples valid too.
    case = map_case(None, case)  # type: ignore[arg-type]
    # Through the shared client: its event loop owns the app's database connections.
    kwargs = case.as_transport_kwargs()
    if not kwargs.get("cookies"):  # the API reads none; an empty per-request jar is deprecated
        kwargs.pop("cookies", None)
    response = shared_client.request(**kwargs)
    case.validate_response(response, transport_kwargs=kwargs)
