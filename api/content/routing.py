"""What every collection route shares: its read context and its documented response shapes."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import repeat
from operator import itemgetter
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy import Table, and_, bindparam

from api.content.catalog import Catalog
from api.content.spec import Translatable
from api.content.translations.models import NameKey, Translation
from api.db import in_list, table
from api.http.problems import PROBLEM_JSON, Problem
from api.locales import SOURCE, LangParam, requested_language
from api.read.fields import Computed, Texts
from api.read.paging import SortKey
from api.read.query import Column, Row, Source, instant
from api.read.reader import Fixed, Reader

T = TypeVar("T")


class ReadContext:
    """What a read needs: the reader, the reference data of this version, and today's date.

    Reading `today` marks the answer as depending on the date (an event's status, an
    operation's), which the HTTP cache takes into account for `Last-Modified`.
    """

    __slots__ = ("_state", "_today", "catalog", "lang", "reader")

    def __init__(self, reader: Reader, catalog: Catalog, today: date, state: dict[str, Any]):
        self.reader, self.catalog, self._today, self._state = reader, catalog, today, state
        self.lang = catalog.lang

    @property
    def today(self) -> date:
        self._state["dated"] = True
        return self._today


async def read_context(request: Request) -> ReadContext:
    scope = request.scope
    state = scope["app"].state
    scope_state: dict[str, Any] = scope.setdefault("state", {})
    # The HTTP cache has usually read the content version for this request already.
    version = scope_state.get("catalog_version")
    if version is None:
        version = (await state.reader.content_version()).catalog_key
    lang = scope_state["lang"] = requested_language(scope["query_string"], scope["headers"])
    catalogs = state.catalogs
    catalog = catalogs.ready(version, lang) or await catalogs.get(version, lang)
    # A preview key's request (api/editor/preview.py) reads drafts too.
    reader = state.preview_reader if scope_state.get("preview") else state.reader
    # The HTTP cache keyed the answer on the day it read (a request at midnight sees one).
    today = scope_state.get("today") or state.today()
    return ReadContext(reader, catalog, today, scope_state)


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

    lang: LangParam = None


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
# (304, 400, 406, 408, 413, 414, 429, 431, 500, 503) and the examples.
LIST_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _problem(
        "A country, topic or field operation named by a filter does not exist, or the "
        "`cursor` names no page of this query (the `errors` name the parameter)."
    ),
    422: _problem("A parameter is unknown or its value is not acceptable."),
}
ITEM_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _problem("No item with this slug."),
    422: LIST_ERRORS[422],
}


# --- translations ------------------------------------------------------------------------------

PAGE_TRANSLATIONS = Fixed(
    "translations.page",
    lambda: (
        Translation.__table__.select()  # type: ignore[attr-defined]
        .with_only_columns(
            Translation.item_id, Translation.lang, Translation.field, Translation.text
        )
        .where(
            Translation.kind == bindparam("kind"),
            in_list(Translation.lang, bindparam("langs")),
            in_list(Translation.item_id, bindparam("ids")),
        )
    ),
)


ROW_ID = itemgetter("id")


async def translations(
    context: ReadContext, translatable: Translatable, rows: Sequence[Row]
) -> Texts | None:
    """The texts of `rows` in the context's language (along its fallback chain), each with
    `_fallback`: the fields that are not in that language. None in English: the rows have
    them. `PublicFields.items` lays them over the rows."""
    if context.lang == SOURCE:
        return None
    catalog, kind, fields = context.catalog, translatable.kind, translatable.fields
    names = translatable.text_keys
    if translatable.in_catalog:
        texts, untranslated = catalog.texts.get(kind, {}), {"_fallback": tuple(fields)}
        return Texts(list(map(texts.get, map(ROW_ID, rows), repeat(untranslated))), names)
    optional = translatable.optional
    if kind not in catalog.translated_kinds or not rows:
        if not optional:
            return Texts([{"_fallback": fields}] * len(rows), names)
        return Texts([{"_fallback": _present(fields, optional, row)} for row in rows], names)
    chain = [lang for lang in catalog.chain if lang != SOURCE]
    values = {"kind": kind, "langs": chain, "ids": [row["id"] for row in rows]}
    by_item: dict[int, dict[str, dict[str, str]]] = {}
    reader = context.reader
    for found in await reader.fetch(reader.statement(PAGE_TRANSLATIONS), values):
        item = by_item.setdefault(found["item_id"], {})
        item.setdefault(found["lang"], {})[found["field"]] = found["text"]
    overlays = []
    for row in rows:
        own = by_item.get(row["id"], {})
        overlay: dict[str, Any] = {}
        fell_back = []
        for name in fields:
            text = next((own[lang][name] for lang in chain if name in own.get(lang, {})), None)
            if text is not None:
                overlay[name] = text
            if name not in own.get(context.lang, {}) and (
                name not in optional or row[name] is not None
            ):
                fell_back.append(name)
        overlay["_fallback"] = tuple(fell_back)
        overlays.append(overlay)
    return Texts(overlays, names)


def _present(fields: tuple[str, ...], optional: tuple[str, ...], row: Row) -> tuple[str, ...]:
    """The fields that have a text in English: an empty optional one has nothing to fall back."""
    return tuple(name for name in fields if name not in optional or row[name] is not None)


@dataclass(frozen=True, eq=False)
class NamedReading:
    """A collection whose lists sort by name: in another language than English they read
    through the `name_key` rows of that language, joined in (an index in name order, as the
    English list has, not a sort of every row by a subquery). `part`: the keys' list, where
    several share a kind (`Translatable.sorted_within`: "partner" of the countries)."""

    source: Source
    sorts: dict[str, SortKey]
    kind: str
    part: str = ""

    def of(self, lang: str, sort: str) -> tuple[Source, dict[str, SortKey]]:
        """The source and sorts of a list in `lang`, in the order `sort` names: by name in
        another language, through that language's keys; any other order reads no key."""
        if lang == SOURCE or sort.lstrip("-") != "name":
            return self.source, self.sorts
        return self._in(lang)

    @cache  # noqa: B019 - one per collection and language, built at most six times
    def _in(self, lang: str) -> tuple[Source, dict[str, SortKey]]:
        keys = table(NameKey)
        source = self.source
        joined = source.from_clause.join(
            keys,
            and_(
                keys.c.item_id == source.id, keys.c.kind == self.kind, keys.c.part == self.part,
                keys.c.lang == lang,
            ),
        )  # fmt: skip
        # The tiebreaker is the key row's item id: the same value as the item's, but in the
        # key index's own order, so that the index gives the whole order and the page is read
        # in it. Ordered by the item's id, SQLite sorted the ties and, once ANALYZE had counted
        # the rows, chose to read every item first and sort them all, subqueries included
        # (a page of States in Russian took 438 µs of CPU against 305 in English).
        # Every item has its key in every language (the services write them), so a count
        # reads the item's table alone, as in English (`narrow`).
        narrow = source.from_clause if isinstance(source.from_clause, Table) else source.narrow
        localized = Source(f"{source.name}.{lang}", source.columns, joined, keys.c.item_id,
                           source.conditions, narrow=narrow)  # fmt: skip
        return localized, {**self.sorts, "name": SortKey(keys.c.key, "text")}


def fallback_of(id_column: Column) -> Computed:
    """The `fallback` field: which texts are not in the answer's language (from its
    `translations`; reading the id makes every list select it)."""
    return Computed.of((id_column,), "texts.get('_fallback', ())")


# --- readings shared by the collections' public fields (see api/read/fields.py) -------------


# Each reading looks its column's name up once: reading `column.name` on a mapped attribute
# per row costs about 10 µs (SQLAlchemy's attribute machinery), more than the rest of the row.


def instant_of(column: Column) -> Computed:
    name = column.name
    return Computed.of((column,), f"instant(row[{name!r}])", instant=instant)


def flag_of(column: Column) -> Computed:
    """A boolean (SQLite stores 0 and 1)."""
    name = column.name
    return Computed.of((column,), f"bool(row[{name!r}])")


def topics_of(column: Column) -> Computed:
    """The topics of a `topic_ids` copy, as summaries in the website's order."""
    name = column.name
    return Computed.of((column,), f"context.catalog.topics_of(row[{name!r}])")


def countries_of(column: Column) -> Computed:
    name = column.name
    return Computed.of((column,), f"context.catalog.countries_of(row[{name!r}])")


def country_of(column: Column) -> Computed:
    name = column.name
    # `countries.get(None)` is None, as `Catalog.country` is: without its call.
    return Computed.of((column,), f"context.catalog.countries.get(row[{name!r}])")


def operation_of(column: Column) -> Computed:
    name = column.name
    return Computed.of((column,), f"context.catalog.operations.get(row[{name!r}])")


def location_of(model: Any, *, optional: bool = True) -> Computed:
    """A `Location` from the location columns of `model`; with `optional`, null when none of
    them is set. An expression, inlined into the item function: as a function it was a call a
    row (about 1,500 machine instructions on a page of ten field operations)."""
    columns = (
        model.venue,
        model.city,
        model.territory,
        model.country_id,
        model.region,
        model.latitude,
        model.longitude,
    )
    venue, city, territory, country, region, latitude, longitude = (
        f"row[{c.name!r}]" for c in columns
    )
    location = (
        f"{{'venue': {venue}, 'city': {city}, 'territory': {territory}, "
        f"'country': context.catalog.countries.get({country}), 'region': {region}, "
        f"'latitude': {latitude}, 'longitude': {longitude}}}"
    )
    if optional:
        # Tested as a hand-written function would: most rows have a country, and stop there.
        unset = " and ".join(
            f"{value} is None" for value in (country, city, latitude, territory, region, venue)
        )
        location = f"(None if {unset} else {location})"
    return Computed.of(columns, location)


def capital_of(model: Any) -> Computed:
    columns = (model.capital, model.latitude, model.longitude)
    return Computed.of(
        columns,
        "{'name': row['capital'], 'latitude': row['latitude'], 'longitude': row['longitude']}",
    )
