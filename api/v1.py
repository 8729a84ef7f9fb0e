"""Version 1 of the API: one router per collection, assembled under `/api/v1`."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.content.routing import ItemParams
from api.content.search import routes as search_routes
from api.http.responses import json_response
from api.registry import COLLECTIONS, ROUTERS

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX)
for collection in COLLECTIONS:
    router.include_router(collection.router)
router.include_router(search_routes.router)
for own in ROUTERS:
    router.include_router(own)
# The other formats of each collection, by path (api/http/formats.py).
FORMATS = {f"{PREFIX}/{c.name}": c.formats for c in COLLECTIONS if c.formats}


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
                {"name": c.name, "description": c.description, "href": f"{PREFIX}/{c.name}"}
                for c in COLLECTIONS
            ],
            "links": {
                "self": base,
                "openapi": f"{base}/openapi.json",
                "docs": f"{request.base_url}docs",
                "redoc": f"{request.base_url}redoc",
            },
        }
    )
