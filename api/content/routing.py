"""What every collection route shares: its read context and its documented response shapes."""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field, create_model

from api.content.catalog import Catalog
from api.http.problems import PROBLEM_JSON, Problem
from api.read.reader import Reader

T = TypeVar("T")


@dataclass(frozen=True)
class ReadContext:
    """What a read needs: the reader, the reference data of this version, and today's date."""

    reader: Reader
    catalog: Catalog
    today: date


async def read_context(request: Request) -> ReadContext:
    state = request.app.state
    # The HTTP cache has usually read the content version for this request already.
    version = getattr(request.state, "content_version", None)
    if version is None:
        version = (await state.reader.content_version()).number
    return ReadContext(state.reader, await state.catalogs.get(version), state.today())


Context = Annotated[ReadContext, Depends(read_context)]


class PageMeta(BaseModel):
    total: int = Field(
        description="Items matching the filters, over all pages; a lower bound when "
        "`total_exact` is false (counting stops at COUNT_CAP, 1,000 by default).",
        examples=[57],
    )
    total_exact: bool = Field(description="False when `total` is only a lower bound.")
    limit: int = Field(examples=[20])
    offset: int | None = Field(
        description="Items skipped; null on a page reached by `cursor`.", examples=[0]
    )


class PageLinks(BaseModel):
    self: str = Field(examples=["http://127.0.0.1:8000/api/v1/states?limit=20"])
    next: str | None = Field(description="The next page; null on the last page.")
    prev: str | None = Field(description="The previous page; null on the first page.")


class Collection(BaseModel, Generic[T]):
    """A page of a collection; `links` are also sent as an RFC 8288 `Link` header."""

    data: list[T]
    meta: PageMeta
    links: PageLinks


class Item(BaseModel, Generic[T]):
    """One item."""

    data: T


@cache
def collection_of(model: type[BaseModel]) -> type[BaseModel]:
    """`Collection[model]` under a name a client generator can use: `NewsCollection`."""
    name = model.__name__.removesuffix("Public")
    envelope: type[BaseModel] = create_model(f"{name}Collection", __base__=Collection[model])  # type: ignore[valid-type]
    envelope.__doc__ = f"A page of {name} items; `links` also go in an RFC 8288 `Link` header."
    return envelope


@cache
def item_of(model: type[BaseModel]) -> type[BaseModel]:
    """`Item[model]` under a name a client generator can use: `NewsItem`."""
    name = model.__name__.removesuffix("Public")
    envelope: type[BaseModel] = create_model(f"{name}Item", __base__=Item[model])  # type: ignore[valid-type]
    envelope.__doc__ = f"One {name}."
    return envelope


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


# What each operation answers besides 200; api/openapi.py adds what every operation may answer
# (304, 413, 429, 500, 503) and the examples.
LIST_ERRORS: dict[int | str, dict[str, Any]] = {
    422: _problem("A parameter is unknown or its value is not acceptable."),
}
ITEM_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _problem("No item with this slug."),
    **LIST_ERRORS,
}
