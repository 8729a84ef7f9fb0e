"""Version 1 of the API: one router per collection, assembled under `/api/v1`."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.content.countries import partners, states
from api.content.events import routes as events
from api.content.field_operations import routes as operations
from api.content.menus import routes as menus
from api.content.news import routes as news
from api.content.routing import ItemParams
from api.content.topics import routes as topics
from api.read.paging import json_response

COLLECTIONS = {
    "states": "The 57 participating States.",
    "partners": "The 11 Partners for Co-operation (Asian and Mediterranean).",
    "field-operations": "Field operations, active and closed.",
    "news": "News items, press releases and stories.",
    "events": "Events: meetings, conferences, trainings, ceremonies.",
    "menus": "Navigation menus as ordered trees.",
    "topics": "The fields of work that content is tagged with.",
}

PREFIX = "/api/v1"
MODULES = (states, partners, operations, news, events, menus, topics)
router = APIRouter(prefix=PREFIX)
for module in MODULES:
    router.include_router(module.router)


class CollectionLink(BaseModel):
    name: str = Field(examples=["news"])
    description: str
    href: str = Field(description="Path of the collection on this server.")


class IndexLinks(BaseModel):
    self: str
    openapi: str = Field(description="This API's OpenAPI document.")
    docs: str = Field(description="Interactive documentation (Swagger UI).")
    redoc: str = Field(description="Reference documentation (ReDoc).")


class ApiIndex(BaseModel):
    """The collections of the API and where its documentation lives."""

    data: list[CollectionLink]
    links: IndexLinks


@router.get(
    "",
    response_model=ApiIndex,
    tags=["discovery"],
    operation_id="getApiIndex",
    summary="Discover the API",
)
async def api_index(request: Request, params: Annotated[ItemParams, Query()]) -> Response:
    """The collections of this API, with links to them and to the OpenAPI document."""
    base = str(request.url_for("api_index")).rstrip("/")
    return json_response(
        {
            "data": [
                {"name": name, "description": description, "href": f"/api/v1/{name}"}
                for name, description in COLLECTIONS.items()
            ],
            "links": {
                "self": base,
                "openapi": f"{base}/openapi.json",
                "docs": f"{request.base_url}docs",
                "redoc": f"{request.base_url}redoc",
            },
        }
    )


def get_routes() -> list[tuple[str, APIRoute]]:
    """Every GET route of v1 with its full path, for the GET dispatcher (`api/dispatch.py`)."""
    routes = [(route.path, route) for route in router.routes if isinstance(route, APIRoute)]
    for module in MODULES:
        for route in module.router.routes:
            if isinstance(route, APIRoute):
                routes.append((PREFIX + route.path, route))
    return [(path, route) for path, route in routes if "GET" in (route.methods or ())]
