"""The contract every collection keeps, checked on every collection of the registry.

The cases are generated from `api.registry.COLLECTIONS` and from each route's own parameter
model, so a new collection is checked by this module the moment it is registered: its list and
item answer their documented models, refuse what they must with a problem naming the
parameter, and treat the shared parameters (paging, fields, places, windows, text) alike.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.read.params import DateWindowParams, LocationParams, PlaceParams
from api.registry import COLLECTIONS
from tests.helpers import assert_invalid, assert_problem, assert_refused, link_header, slugs


@dataclass(frozen=True)
class Operation:
    collection: str
    path: str  # "/api/v1/news" or "/api/v1/news/{slug}"
    params: type[BaseModel]
    model: type[BaseModel]  # the 200 response's envelope
    example: str  # the documented example's URL

    @property
    def is_list(self) -> bool:
        return "{" not in self.path

    def __str__(self) -> str:
        return self.path


def _operations() -> Iterator[Operation]:
    for collection in COLLECTIONS:
        for route in collection.router.routes:
            assert isinstance(route, APIRoute)
            path = f"/api/v1{route.path}"
            [query] = route.dependant.query_params
            params = query.field_info.annotation
            model = route.response_model
            item = route.path != collection.router.prefix
            example = (
                f"/api/v1/{collection.name}/{collection.item_example}"
                if item
                else f"/api/v1/{collection.name}?{collection.list_example}"
            )
            yield Operation(collection.name, path, params, model, example)


OPERATIONS = list(_operations())
LISTS = [o for o in OPERATIONS if o.is_list]
ITEMS = [o for o in OPERATIONS if not o.is_list]
PLACED = [o for o in LISTS if issubclass(o.params, PlaceParams)]
LOCATED = [o for o in LISTS if issubclass(o.params, LocationParams)]
DATED = [o for o in LISTS if issubclass(o.params, DateWindowParams)]
SEARCHED = [o for o in LISTS if "q" in o.params.model_fields]
FIELDED = [o for o in OPERATIONS if "fields" in o.params.model_fields]


def test_every_registered_collection_is_checked() -> None:
    assert {o.collection for o in LISTS} == {c.name for c in COLLECTIONS}
    assert {o.collection for o in ITEMS} == {c.name for c in COLLECTIONS}


# --- every operation ---------------------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_the_documented_example_is_exactly_the_response_model(
    client: TestClient, operation: Operation
) -> None:
    response = client.get(operation.example)
    assert response.status_code == 200, response.text
    body = response.json()
    assert operation.model.model_validate(body).model_dump(mode="json") == body
    if operation.is_list:
        assert body["data"], "the example list has items"


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_head_answers_like_get_without_a_body(client: TestClient, operation: Operation) -> None:
    get, head = client.get(operation.example), client.head(operation.example)
    assert head.status_code == 200
    assert head.content == b""
    for header in ("content-length", "etag", "link", "cache-control"):
        assert head.headers.get(header) == get.headers.get(header), header


@pytest.mark.parametrize("operation", FIELDED, ids=str)
def test_fields_selects_only_the_fields_named(client: TestClient, operation: Operation) -> None:
    separator = "&" if operation.is_list else "?"
    body = client.get(f"{operation.example}{separator}fields=slug&fields=slug").json()
    items = body["data"] if operation.is_list else [body["data"]]
    assert items
    assert all(item == {"slug": item["slug"]} for item in items)
    assert_invalid(client.get(f"{operation.example}{separator}fields=slug,nope"), "fields")


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_an_unknown_parameter_is_refused_by_name(client: TestClient, operation: Operation) -> None:
    separator = "&" if operation.is_list else "?"
    error = assert_invalid(client.get(f"{operation.example}{separator}colour=red"), "colour")
    assert error["detail"].startswith("Unknown parameter")


@pytest.mark.parametrize("operation", ITEMS, ids=str)
def test_an_unknown_item_is_a_404_problem(client: TestClient, operation: Operation) -> None:
    url = operation.path.replace(operation.path[operation.path.index("{") :], "no-such-item")
    body = assert_problem(client.get(url), 404)
    assert body["type"] == "/problems/not-found"
    assert "'no-such-item'" in body["detail"]


@pytest.mark.parametrize("operation", ITEMS, ids=str)
@pytest.mark.parametrize("slug", ["a%00b", "%C3%BF", "x" * 300, "-leading-hyphen"])
def test_a_malformed_slug_is_refused_by_name(
    client: TestClient, operation: Operation, slug: str
) -> None:
    name = operation.path[operation.path.index("{") + 1 : -1]
    url = operation.path.replace(f"{{{name}}}", slug)
    assert_invalid(client.get(url), name)


@pytest.mark.parametrize("operation", ITEMS, ids=str)
def test_an_item_takes_no_paging(client: TestClient, operation: Operation) -> None:
    assert_invalid(client.get(f"{operation.example}?limit=1"), "limit")


# --- every list --------------------------------------------------------------------------------

PAGING_REFUSALS = [
    ("limit=0", "limit"),
    ("limit=101", "limit"),
    ("limit=ten", "limit"),
    ("limit=2&limit=3", "limit"),
    ("offset=-5", "offset"),
    ("offset=10001", "offset"),
    ("offset=9223372036854775808", "offset"),
    ("sort=colour", "sort"),
    ("sort=name&sort=-name", "sort"),
    ("cursor=", "cursor"),
    ("cursor=" + "x" * 601, "cursor"),
]


@pytest.mark.parametrize("operation", LISTS, ids=str)
@pytest.mark.parametrize(("query", "parameter"), PAGING_REFUSALS)
def test_a_bad_paging_value_is_refused_by_name(
    client: TestClient, operation: Operation, query: str, parameter: str
) -> None:
    assert_invalid(client.get(f"{operation.path}?{query}"), parameter)


@pytest.mark.parametrize("operation", LISTS, ids=str)
@pytest.mark.parametrize("cursor", ["garbage", "e30.AAAA", "x.y.z"])
def test_a_cursor_of_no_page_is_a_404_naming_it(
    client: TestClient, operation: Operation, cursor: str
) -> None:
    error = assert_refused(client.get(f"{operation.path}?cursor={cursor}"), 404, "cursor")
    assert error["detail"] == "not a cursor of this API; start again from the first page"


@pytest.mark.parametrize("operation", LISTS, ids=str)
def test_an_offset_past_the_end_is_empty_and_links_back_to_the_last_page(
    client: TestClient, operation: Operation
) -> None:
    total = client.get(operation.path).json()["meta"]["total"]
    response = client.get(f"{operation.path}?limit=5&offset={total + 20}")
    body = response.json()
    assert body["data"] == []
    assert body["meta"]["total"] == total
    assert body["links"]["next"] is None
    assert link_header(response)["prev"] == body["links"]["prev"]
    last = client.get(body["links"]["prev"]).json()
    assert last["meta"]["offset"] == max(0, total - 5)
    assert len(last["data"]) == min(total, 5)


# --- shared filters ----------------------------------------------------------------------------

PLACE_REFUSALS = [
    ("country=AL,", 422, "country"),
    ("country=A%00", 422, "country"),
    ("country=XX", 404, "country"),
    ("country=atlantis", 404, "country"),
    ("region=europe", 422, "region"),
    ("region=eastern_europe", 422, "region"),
    ("city=", 422, "city"),
    ("near=48.2", 422, "near"),
    ("near=91,0", 422, "near"),
    ("near=48.2,16.3,1", 422, "near"),
    ("near=48.2e0,16.3", 422, "near"),
    ("near=NaN,NaN", 422, "near"),
    ("radius_km=0", 422, "radius_km"),
    ("radius_km=20001", 422, "radius_km"),
    ("bbox=1,2,3", 422, "bbox"),
    ("bbox=181,0,0,0", 422, "bbox"),
    ("bbox=0,-91,0,0", 422, "bbox"),
]


@pytest.mark.parametrize("operation", PLACED, ids=str)
@pytest.mark.parametrize(("query", "status", "parameter"), PLACE_REFUSALS)
def test_a_bad_place_is_refused_by_name(
    client: TestClient, operation: Operation, query: str, status: int, parameter: str
) -> None:
    assert_refused(client.get(f"{operation.path}?{query}"), status, parameter)


@pytest.mark.parametrize("operation", PLACED, ids=str)
def test_radius_without_near_changes_nothing(client: TestClient, operation: Operation) -> None:
    everything = client.get(f"{operation.path}?limit=100").json()
    assert (
        client.get(f"{operation.path}?limit=100&radius_km=10").json()["data"]
        == (everything["data"])
    )


@pytest.mark.parametrize("operation", PLACED, ids=str)
def test_a_box_whose_south_is_north_of_its_north_holds_nothing(
    client: TestClient, operation: Operation
) -> None:
    body = client.get(f"{operation.path}?bbox=-180,50,180,40").json()
    assert body["data"] == []
    assert body["meta"]["total"] == 0


@pytest.mark.parametrize("operation", PLACED, ids=str)
@pytest.mark.parametrize("country", ["AT", "at", "austria", "Austria", "AUSTRIA"])
def test_a_country_is_named_by_code_slug_or_name_alike(
    client: TestClient, operation: Operation, country: str
) -> None:
    expected = slugs(client.get(f"{operation.path}?country=AT&limit=100").json())
    assert slugs(client.get(f"{operation.path}?country={country}&limit=100").json()) == expected


@pytest.mark.parametrize("operation", LOCATED, ids=str)
@pytest.mark.parametrize(("query", "parameter"), [("territory=", "territory")])
def test_a_bad_territory_is_refused_by_name(
    client: TestClient, operation: Operation, query: str, parameter: str
) -> None:
    assert_invalid(client.get(f"{operation.path}?{query}"), parameter)


WINDOW_REFUSALS = [
    ("date_from=yesterday", "date_from"),
    ("date_from=2026-02-30", "date_from"),
    ("date_from=2025-13-01", "date_from"),
    ("date_to=tomorrow", "date_to"),
    ("date_from=2026-02-08T09:00:00", "date_from"),  # no zone
    ("date_from=2025-12-31T12:00Z", "date_from"),  # no seconds: not RFC 3339
    ("date_from=2025-12-31%2012:00:00Z", "date_from"),  # a space, not T
    ("date_from=20251231", "date_from"),
    ("date_to=2025-W01", "date_to"),
]


@pytest.mark.parametrize("operation", DATED, ids=str)
@pytest.mark.parametrize(("query", "parameter"), WINDOW_REFUSALS)
def test_a_bad_window_bound_is_refused_by_name(
    client: TestClient, operation: Operation, query: str, parameter: str
) -> None:
    error = assert_invalid(client.get(f"{operation.path}?{query}"), parameter)
    assert error["detail"] == (
        "expected a date (YYYY-MM-DD) or an RFC 3339 date-time with seconds and a zone "
        "(2025-12-31T12:00:00Z, 2025-12-31T13:00:00+01:00)"
    )


EVERYTHING_WINDOWS = [
    "date_from=0001-01-01",
    "date_from=0001-01-01T00:00:00%2B23:59",
    "date_from=0001-01-01T00:00:00-01:00",
    "date_to=9999-12-31",
    "date_to=9999-12-31T23:59:59.999999-23:59",
    "date_from=0001-01-01&date_to=9999-12-31",
    "date_from=0001-01-01T00:00:00.1234567890Z&date_to=9999-12-31T23:59:59Z",
]


@pytest.mark.parametrize("operation", DATED, ids=str)
@pytest.mark.parametrize("window", EVERYTHING_WINDOWS)
def test_a_window_to_the_edges_of_the_calendar_holds_everything(
    client: TestClient, operation: Operation, window: str
) -> None:
    everything = slugs(client.get(f"{operation.path}?limit=100").json())
    assert slugs(client.get(f"{operation.path}?limit=100&{window}").json()) == everything


@pytest.mark.parametrize("operation", DATED, ids=str)
@pytest.mark.parametrize(
    "window",
    [
        "date_from=2026-01-02&date_to=2026-01-01",
        "date_from=2026-01-01T00:00:01Z&date_to=2026-01-01T00:00:00Z",
        "date_from=9999-12-31&date_to=0001-01-01",
    ],
)
def test_a_window_that_ends_before_it_starts_holds_nothing(
    client: TestClient, operation: Operation, window: str
) -> None:
    body = client.get(f"{operation.path}?{window}").json()
    assert (body["data"], body["meta"]["total"]) == ([], 0)


@pytest.mark.parametrize("operation", SEARCHED, ids=str)
@pytest.mark.parametrize("q", ['"', "%", "_", "*", "(", "'''", "-"])
def test_a_search_for_no_letters_or_digits_finds_nothing(
    client: TestClient, operation: Operation, q: str
) -> None:
    body = client.get(operation.path, params={"q": q}).json()
    assert (body["data"], body["meta"]["total"]) == ([], 0)


@pytest.mark.parametrize("operation", SEARCHED, ids=str)
@pytest.mark.parametrize("q", ["", " ", "\t"])
def test_a_blank_search_is_no_search(client: TestClient, operation: Operation, q: str) -> None:
    everything = slugs(client.get(f"{operation.path}?limit=100").json())
    body = client.get(operation.path, params={"q": q, "limit": 100}).json()
    assert slugs(body) == everything


@pytest.mark.parametrize("operation", SEARCHED, ids=str)
def test_a_search_of_200_characters_is_answered_and_201_refused(
    client: TestClient, operation: Operation
) -> None:
    assert client.get(operation.path, params={"q": "x" * 200}).status_code == 200
    assert_invalid(client.get(operation.path, params={"q": "x" * 201}), "q")


REFERENCES = {"topic": "peace", "field_operation": "mission-to-atlantis", "part_of": "nothing"}


@pytest.mark.parametrize(
    ("operation", "parameter"),
    [(o, name) for o in LISTS for name in REFERENCES if name in o.params.model_fields],
    ids=str,
)
def test_a_reference_to_nothing_is_a_404_naming_it(
    client: TestClient, operation: Operation, parameter: str
) -> None:
    value = REFERENCES[parameter]
    error = assert_refused(client.get(f"{operation.path}?{parameter}={value}"), 404, parameter)
    assert repr(value) in error["detail"]


def _values(name: str, operation: Operation) -> list[Any]:
    annotation = operation.params.model_fields[name].annotation
    return [m.value for m in getattr(annotation, "__args__", [annotation])[0]]


@pytest.mark.parametrize(
    ("operation", "parameter"),
    [
        (o, name)
        for o in LISTS
        for name in ("type", "status", "group")
        if name in o.params.model_fields
    ],
    ids=str,
)
def test_an_enumerated_filter_refuses_other_values_and_empty_items(
    client: TestClient, operation: Operation, parameter: str
) -> None:
    assert_invalid(client.get(f"{operation.path}?{parameter}=nothing-like-it"), parameter)
    value = quote(str(_values(parameter, operation)[0]))
    assert_invalid(client.get(f"{operation.path}?{parameter}={value},"), parameter)
    assert client.get(f"{operation.path}?{parameter}={value}").status_code == 200
