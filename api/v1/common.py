"""The documented response shapes shared by every collection: envelopes and error responses."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from api.models import Country
from api.problems import PROBLEM_JSON, Problem

T = TypeVar("T")


class PageMeta(BaseModel):
    total: int = Field(description="Items matching the filters, over all pages.", examples=[57])
    limit: int = Field(examples=[20])
    offset: int = Field(examples=[0])


class PageLinks(BaseModel):
    self: str = Field(examples=["http://127.0.0.1:8000/api/v1/states?limit=20"])
    next: str | None = Field(description="The next page; null on the last page.")
    prev: str | None = Field(description="The previous page; null on the first page.")


class Collection(BaseModel, Generic[T]):
    """A page of a collection; `links` are also sent as an RFC 8288 `Link` header."""

    data: list[T]
    meta: PageMeta
    links: PageLinks

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{params[0].__name__.removesuffix('Public')}Collection"


class Item(BaseModel, Generic[T]):
    """One item."""

    data: T

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{params[0].__name__.removesuffix('Public')}Item"


class ItemParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


SlugPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=120,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        description="The item's slug (letters, digits and hyphens).",
    ),
]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem, "content": {PROBLEM_JSON: {}}}


SERVER_ERRORS: dict[int | str, dict[str, Any]] = {
    500: _problem("The server failed; nothing internal is disclosed."),
}
LIST_ERRORS: dict[int | str, dict[str, Any]] = {
    422: _problem("A parameter is unknown or its value is not acceptable."),
    **SERVER_ERRORS,
}
ITEM_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _problem("No item with this slug."),
    **LIST_ERRORS,
}

COUNTRY_COLUMNS: tuple[Any, ...] = (
    Country.id,
    Country.slug,
    Country.name,
    Country.iso_alpha2,
    Country.iso_alpha3,
    Country.region,
    Country.partner_group,
    Country.capital,
    Country.latitude,
    Country.longitude,
    Country.joined_on,
)
