"""What a content type declares about itself, so that everything else can be derived from it.

A *content type* is one folder of `api/content/`: its tables, its write rules (`service.py`),
its seed file and its public collections. A *collection* is one entry of `GET /api/v1`, with
its own router and OpenAPI tag (the `countries` type has two: `states` and `partners`).
`api/registry.py` lists the content types; the `/api/v1` index, the routers, the OpenAPI tags
and examples, the seed loader, the references writes resolve, and the cross-collection tests
all read them from there.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from sqlalchemy import Table

from api.http.formats import Format
from api.read.query import Source


@dataclass(frozen=True)
class Collection:
    """One public collection: `/api/v1/{name}` and `/api/v1/{name}/{slug}`."""

    name: str  # path segment and OpenAPI tag: "field-operations"
    description: str  # one sentence, shown by the index and as the tag's description
    router: APIRouter
    # The documented examples are real answers on the seed data: the list with this query,
    # and the item with this slug.
    list_example: str
    item_example: str
    # Examples of this collection's own parameters where the shared ones do not fit.
    parameter_examples: Mapping[str, Any] = field(default_factory=dict)
    # The formats its list is also read in besides JSON (api/http/formats.py): by `Accept`,
    # and at `/api/v1/{name}.{extension}`.
    formats: tuple[Format, ...] = ()
    # Its published items, whose pages on the website the sitemap lists (by `slug`, dated by
    # `updated_at`); None: no item of it has a page of its own.
    sitemap: Source | None = None


@dataclass(frozen=True)
class Reference:
    """How writes name rows of this type in other records: `kind` + a natural key → id."""

    kind: str  # "topic", "country", "state", …
    table: Table
    key: str  # the column holding the natural key: "slug", "iso_alpha2"
    where: tuple[Any, ...] = ()  # conditions narrowing the rows ("kind = 'partner'")


@dataclass(frozen=True)
class StructuredText:
    """A translatable field stored as JSON text rather than plain text (a page's body, its
    blocks): `write` checks a written value (the structure, or its JSON) and gives the text
    stored, raising ValueError when it is not valid; `read` gives back the structure."""

    write: Callable[[Any], str]
    read: Callable[[str], Any]


@dataclass(frozen=True)
class Translatable:
    """Rows of one kind whose public text fields have translations (`api/content/translations`).

    `fields` are public fields read from same-named columns of `table`; the seed's
    translations name an item by its `key` column. With `sorted_by`, a collation key of that
    field is kept per language, for lists in name order; `sorted_within`, a column whose value
    splits the table into several such lists (a country's `kind`). `in_catalog`: few rows, kept
    in memory per worker with the reference data; otherwise read per page. `structured`: the
    fields that are not plain text, and how they are checked and stored."""

    kind: str
    table: Table
    fields: tuple[str, ...]
    key: str = "slug"
    sorted_by: str | None = None
    sorted_within: str | None = None
    in_catalog: bool = True
    structured: Mapping[str, StructuredText] = field(
        default_factory=dict, hash=False, compare=False
    )

    @cached_property
    def optional(self) -> tuple[str, ...]:
        """Its fields that may be empty (null) in English: not said to fall back when they are."""
        return tuple(name for name in self.fields if self.table.c[name].nullable)

    @cached_property
    def text_keys(self) -> frozenset[str]:
        """The keys a row's texts may have (`api.content.routing.translations`)."""
        return frozenset((*self.fields, "_fallback"))


@dataclass(frozen=True)
class Searchable:
    """A collection whose items the search finds (`api/content/search`): the columns of
    `translatable.table` its hits show and rank by, and which of its rows are its own."""

    collection: str  # "news": the hit's collection, and its path
    translatable: Translatable  # the table, and the translated texts of the other languages
    title: str  # the column of its title or name (weighted above the rest)
    text: tuple[str, ...]  # the other searched columns; the snippet is cut from them
    date: str | None = None  # the column of the date that `date_from`/`date_to` and `year` use
    type: str | None = None  # the column of its type, or the same `type_value` for all
    type_value: str | None = None
    country: str | None = None  # the column naming its country ("id": the item is one)
    city: str | None = None  # the column of its city key
    where: tuple[Any, ...] = ()  # conditions on the table's rows that make this collection
    # Text columns that hold something other than plain text (a page's blocks, as JSON): the
    # function that reads the words a reader sees out of the stored value.
    readers: Mapping[str, Callable[[str], str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ContentType:
    """One folder of `api/content/`."""

    name: str
    tables: tuple[Table, ...]  # every table it writes; each bumps the content version
    collections: tuple[Collection, ...] = ()
    references: tuple[Reference, ...] = ()
    # Loads its seed file(s) through its service: (session, refs, changes, seed folder).
    load_seed: Callable[[Any, Any, Any, Path], None] | None = None
    after: tuple[str, ...] = ()  # content types whose rows its seed refers to
    translatable: tuple[Translatable, ...] = ()
    searchable: tuple[Searchable, ...] = ()
    # Routes of its own that are not a collection (the site's settings: there is one site).
    routers: tuple[APIRouter, ...] = ()
