"""The GET dispatcher: the lean read path answers exactly what the public models describe."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.content.countries.models import PartnerPublic, StatePublic
from api.content.events.models import EventPublic
from api.content.field_operations.models import FieldOperationPublic
from api.content.menus.models import MenuPublic, MenuSummaryPublic
from api.content.news.models import NewsPublic
from api.content.routing import Collection, Item
from api.content.topics.models import TopicPublic

LISTS: list[tuple[str, type[BaseModel]]] = [
    ("/api/v1/states?limit=100", StatePublic),
    ("/api/v1/partners", PartnerPublic),
    ("/api/v1/field-operations?limit=100", FieldOperationPublic),
    ("/api/v1/news?limit=100", NewsPublic),
    ("/api/v1/events", EventPublic),
    ("/api/v1/topics?limit=100", TopicPublic),
    ("/api/v1/menus", MenuSummaryPublic),
]
ITEMS: list[tuple[str, type[BaseModel]]] = [
    ("/api/v1/states/finland", StatePublic),
    ("/api/v1/partners/JP", PartnerPublic),
    ("/api/v1/field-operations/mission-in-kosovo", FieldOperationPublic),
    ("/api/v1/news/dealing-with-the-cold-wars-toxic-legacy", NewsPublic),
    ("/api/v1/events/professional-development-school-for-criminal-law-professors", EventPublic),
    ("/api/v1/topics/youth", TopicPublic),
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


def test_invalid_percent_encoding_and_utf8_are_answered_not_crashed(client: TestClient) -> None:
    for query in ("q=%ff%fe", "q=%E2%82", "country=%zz", "q=%"):
        assert client.get(f"/api/v1/news?{query}").status_code in (200, 422), query


def test_other_methods_and_paths_still_go_through_fastapi(client: TestClient) -> None:
    assert client.post("/api/v1/states").status_code == 405
    assert client.get("/api/v1/nowhere").status_code == 404
    assert client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.")
