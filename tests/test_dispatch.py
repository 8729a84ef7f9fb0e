"""The GET dispatcher: the lean read path answers exactly what FastAPI itself would.

Routes with dependencies of every kind FastAPI offers are served through the dispatcher and,
for comparison, by the same app with the dispatcher removed: the two must answer alike.
"""

import random
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request, Security
from fastapi.security import SecurityScopes
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from api.content.countries.models import StatePublic
from api.content.events.models import EventPublic
from api.content.field_operations.models import FieldOperationPublic
from api.content.menus.models import MenuPublic, MenuSummaryPublic
from api.content.news.models import NewsPublic
from api.content.routing import Collection, Context, Item
from api.content.topics.models import TopicPublic
from api.http.dispatch import GetDispatcher, query_pairs
from api.http.responses import json_response
from api.main import create_app
from tests.conftest import TestDatabase
from tests.helpers import assert_invalid, assert_problem

LISTS: list[tuple[str, type[BaseModel]]] = [
    ("/api/v1/states?limit=100", StatePublic),
    ("/api/v1/field-operations?limit=100", FieldOperationPublic),
    ("/api/v1/news?limit=100", NewsPublic),
    ("/api/v1/events", EventPublic),
    ("/api/v1/topics?limit=100", TopicPublic),
    ("/api/v1/menus", MenuSummaryPublic),
]
ITEMS: list[tuple[str, type[BaseModel]]] = [
    ("/api/v1/states/finland", StatePublic),
    ("/api/v1/field-operations/mission-in-kosovo", FieldOperationPublic),
    ("/api/v1/news/dealing-with-the-cold-wars-toxic-legacy", NewsPublic),
    ("/api/v1/menus/main", MenuPublic),
]


def _round_trip(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_validate(body).model_dump(mode="json")
    return dumped


@pytest.mark.parametrize(("url", "model"), LISTS)
def test_a_list_is_byte_for_byte_what_its_public_model_produces(
    client: TestClient, url: str, model: type[BaseModel]
) -> None:
    body = client.get(url).json()
    assert body["data"]
    assert _round_trip(Collection[model], body) == body  # type: ignore[valid-type]


@pytest.mark.parametrize(("url", "model"), ITEMS)
def test_an_item_is_byte_for_byte_what_its_public_model_produces(
    client: TestClient, url: str, model: type[BaseModel]
) -> None:
    body = client.get(url).json()
    assert _round_trip(Item[model], body) == body  # type: ignore[valid-type]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("limit=2&limit=3", "limit"), ("sort=name&sort=-name", "sort"), ("q=a&q=b", "q")],
)
def test_a_single_valued_parameter_given_twice_is_422(
    client: TestClient, query: str, parameter: str
) -> None:
    response = client.get(f"/api/v1/states?{query}")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"parameter": parameter, "detail": "Given more than once"}]


def test_a_list_parameter_may_be_repeated_and_comma_separated(client: TestClient) -> None:
    repeated = client.get("/api/v1/states?country=AL&country=RS,ME&fields=slug&fields=name")
    assert [s["slug"] for s in repeated.json()["data"]] == ["albania", "montenegro", "serbia"]
    assert set(repeated.json()["data"][0]) == {"slug", "name"}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        # Undecodable UTF-8 becomes U+FFFD: no letter to search for, so nothing is found.
        ("q=%ff%fe", 200),
        ("q=%E2%82", 200),
        ("q=%", 200),
        # A malformed escape is kept as written: no country is called "%zz".
        ("country=%zz", 404),
    ],
)
def test_invalid_percent_encoding_and_utf8_are_answered_not_crashed(
    client: TestClient, query: str, status: int
) -> None:
    response = client.get(f"/api/v1/news?{query}")
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["data"] == []


QUERY_PIECES = ["a", "b", "=", "&", "x", "é", "", ";", "=&", "&&", "%41", "+", "%zz", "a=1"]


def test_query_pairs_are_starlettes_for_every_query_string() -> None:
    """The split without unquoting (no `%`, no `+`) reads every query string as
    Starlette's `QueryParams` does: 20,000 strings of the pieces that matter to it."""
    rng = random.Random(6)
    for _ in range(20_000):
        query = "".join(rng.choice(QUERY_PIECES) for _ in range(rng.randint(0, 8))).encode()
        expected = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        assert query_pairs(query) == expected, query
    pairs = [("country", "at"), ("x", ""), ("", "y"), ("z", "")]
    assert query_pairs(b"country=at&&x=&=y&z") == pairs


def test_other_methods_and_paths_still_go_through_fastapi(client: TestClient) -> None:
    assert client.post("/api/v1/states").status_code == 405
    assert client.get("/api/v1/nowhere").status_code == 404
    assert client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.")


def test_every_route_of_the_registry_takes_the_fast_path(app: FastAPI) -> None:
    dispatcher = _dispatcher(app)
    assert dispatcher.served_by_fastapi == {}
    fast = set(dispatcher.exact) | {route.path for route in dispatcher.patterns}
    documented = {
        p
        for p in app.openapi()["paths"]
        if p.startswith("/api/v1") and not p.startswith("/api/v1/editor")
    }
    # The one route left out of the document serves files, not JSON: an image's renditions.
    hidden = {"/api/v1/images/{slug}/renditions/{file}"}
    assert fast == (documented | hidden) - {"/api/v1/openapi.json"}


def _dispatcher(app: FastAPI) -> GetDispatcher:
    layer: Any = app.middleware_stack
    while not isinstance(layer, GetDispatcher):
        layer = layer.app
    return layer


# --- dependencies: served as FastAPI serves them ------------------------------------------------

events: list[str] = []


class EchoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    word: str = "hello"


async def current_locale(accept_language: Annotated[str | None, Header()] = None) -> str:
    """A dependency with a header parameter of its own."""
    return (accept_language or "en").split(",")[0]


def user_agent(request: Request) -> str:
    """A sync dependency: FastAPI runs it in the thread pool."""
    return request.headers.get("user-agent", "")


async def greeting(agent: Annotated[str, Depends(user_agent)]) -> str:
    """A dependency of a dependency."""
    return f"hello {agent}"


async def scopes_of(security_scopes: SecurityScopes) -> list[str]:
    return security_scopes.scopes


async def resource() -> AsyncIterator[str]:
    """A dependency with `yield`: set up before the endpoint, torn down after the response."""
    events.append("open")
    yield "resource"
    events.append("close")


async def refuse(x_refuse: Annotated[str | None, Header()] = None) -> None:
    if x_refuse:
        raise HTTPException(403, "refused by a dependency")


router = APIRouter(prefix="/api/v1/test")


@router.get("/locale")
async def locale_route(
    locale: Annotated[str, Depends(current_locale)],
    context: Context,
    params: Annotated[EchoParams, Query()],
) -> Response:
    body = {"locale": locale, "word": params.word, "version": context.catalog.version}
    return json_response(body, headers={"Vary": "Accept-Language"})


@router.get("/chain/{name}")
async def chain_route(
    name: str,
    hello: Annotated[str, Depends(greeting)],
    again: Annotated[str, Depends(greeting)],
    params: Annotated[EchoParams, Query()],
) -> Response:
    body = {"name": name, "hello": hello, "same": hello == again}
    return json_response(body, headers={"Vary": "User-Agent"})


@router.get("/secure")
async def secure_route(
    scopes: Annotated[list[str], Security(scopes_of, scopes=["news:read", "preview"])],
    params: Annotated[EchoParams, Query()],
) -> Response:
    return json_response({"scopes": scopes})


@router.get("/yield", dependencies=[Depends(refuse)])
async def yield_route(
    thing: Annotated[str, Depends(resource)], params: Annotated[EchoParams, Query()]
) -> Response:
    events.append("endpoint")
    return json_response({"thing": thing}, headers={"Cache-Control": "no-store"})


@router.get("/scalar")
async def scalar_route(depth: int = 1) -> Response:
    """Scalar query parameters: left to FastAPI."""
    return json_response({"depth": depth})


def _app(database: TestDatabase, *, fast: bool) -> FastAPI:
    app = create_app(database.settings)
    app.include_router(router)
    if not fast:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not GetDispatcher]
    return app


@pytest.fixture(scope="module")
def both(database: TestDatabase) -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(_app(database, fast=True)) as fast,
        TestClient(_app(database, fast=False)) as plain,
    ):
        yield fast, plain


REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("/api/v1/test/locale", {}),
    ("/api/v1/test/locale?word=hi", {"Accept-Language": "fr-CH, fr;q=0.9"}),
    ("/api/v1/test/locale?word=hi&colour=red", {}),
    ("/api/v1/test/chain/anna", {"User-Agent": "tests"}),
    ("/api/v1/test/chain/anna?word=", {}),
    ("/api/v1/test/secure", {}),
    ("/api/v1/test/secure?nope=1", {}),
    ("/api/v1/test/yield", {}),
    ("/api/v1/test/yield", {"X-Refuse": "yes"}),
    ("/api/v1/test/scalar?depth=3", {}),
    ("/api/v1/test/scalar?depth=deep", {}),
    ("/api/v1/states?limit=2", {}),
    ("/api/v1/states/atlantis", {}),
    ("/api/v1/news?limit=0", {}),
]


@pytest.mark.parametrize(("url", "headers"), REQUESTS, ids=[u for u, _ in REQUESTS])
def test_the_fast_path_answers_as_fastapi_does(
    both: tuple[TestClient, TestClient], url: str, headers: dict[str, str]
) -> None:
    fast, plain = both
    ours, theirs = fast.get(url, headers=headers), plain.get(url, headers=headers)
    assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json())
    assert ours.headers["content-type"] == theirs.headers["content-type"]


def test_dependencies_are_solved_with_their_own_parameters(
    both: tuple[TestClient, TestClient],
) -> None:
    fast, _ = both
    body = fast.get("/api/v1/test/locale?word=hi", headers={"Accept-Language": "de, en"}).json()
    assert body == {"locale": "de", "word": "hi", "version": body["version"]}
    chain = fast.get("/api/v1/test/chain/anna", headers={"User-Agent": "tests"}).json()
    assert chain == {"name": "anna", "hello": "hello tests", "same": True}
    assert fast.get("/api/v1/test/secure").json() == {"scopes": ["news:read", "preview"]}


def test_a_dependency_with_yield_closes_after_the_response(
    both: tuple[TestClient, TestClient],
) -> None:
    fast, _ = both
    events.clear()
    assert fast.get("/api/v1/test/yield").json() == {"thing": "resource"}
    assert events == ["open", "endpoint", "close"]
    events.clear()
    body = assert_problem(fast.get("/api/v1/test/yield", headers={"X-Refuse": "1"}), 403)
    assert body["detail"] == "refused by a dependency"
    assert events == []  # the route's own dependency refused before the resource was opened


def test_dependency_overrides_are_honoured(both: tuple[TestClient, TestClient]) -> None:
    fast, _ = both
    app: Any = fast.app

    async def swiss() -> str:
        return "rm"

    # Each request is a new URL: the response cache keeps answers, not the dependencies.
    app.dependency_overrides[current_locale] = swiss
    try:
        assert fast.get("/api/v1/test/locale?word=o1").json()["locale"] == "rm"
        app.dependency_overrides[user_agent] = lambda: "robot"
        assert fast.get("/api/v1/test/chain/o2").json()["hello"] == "hello robot"
    finally:
        app.dependency_overrides.clear()
    assert fast.get("/api/v1/test/locale?word=o3").json()["locale"] == "en"


def test_a_route_the_fast_path_cannot_serve_exactly_is_left_to_fastapi_by_name(
    both: tuple[TestClient, TestClient],
) -> None:
    fast, _ = both
    dispatcher = _dispatcher(fast.app)  # type: ignore[arg-type]
    assert dispatcher.served_by_fastapi == {
        "/api/v1/test/scalar": "its query parameters are not one pydantic model"
    }
    assert fast.get("/api/v1/test/scalar?depth=3").json() == {"depth": 3}
    assert_invalid(fast.get("/api/v1/test/scalar?depth=deep"), "depth")
