"""Schemathesis hooks: the rules of a valid request that the document states in prose.

JSON Schema cannot say that a country must exist, that a window runs forwards, that `radius_km`
goes with `near`, or that a `cursor` continues the query it came from, so a request that is
valid by the schema alone may rightly be refused with a 422. These hooks keep a request that is
meant to be valid, valid by those rules too; requests meant to be invalid are left alone.

The suite uses them (`tests/test_fuzz.py`); so does a run against a live server
(`make fuzz-live`, which sets `SCHEMATHESIS_HOOKS=tests.fuzz_hooks`).
"""

import json
import math
from typing import Any

import schemathesis

from api.read.params import _parse_date_or_instant, lower_instant, upper_instant
from api.seed import SEED_DIR
from api.text import search_terms


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


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case, kwargs: Any) -> None:
    """The same rules for the requests no generation hook sees (the combined examples)."""
    map_case(context, case)
