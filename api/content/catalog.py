"""Reference data every response embeds (countries, topics, field operations), in memory.

Lists embed `{"slug", "name"}` summaries of countries, topics and field operations, and filters
take their slugs and codes. These tables are small and change rarely, so each worker keeps them
in memory, reloaded whenever the content version moves: resolving `country=AL` or embedding
Albania costs a dictionary lookup, not a query.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from api.content.countries.models import Country, CountryKind
from api.content.events.models import Event
from api.content.field_operations.models import FieldOperation
from api.content.institutions.models import Institution
from api.content.menus.models import Menu, MenuNode
from api.content.topics.models import Topic
from api.db import days_between, published
from api.http.problems import unknown_reference
from api.read.reader import Fixed, Reader
from api.text import slugify

Summary = dict[str, Any]
MAX_GROUPS = 10_000  # combinations of countries or topics remembered per catalog


def ids(group: str | None) -> list[int]:
    """The ids of a `*_ids` column (see `api.db.group_ids`): comma-separated, or empty."""
    return [int(part) for part in group.split(",")] if group else []


def country_keys(slug: str, name: str, iso_alpha2: str) -> set[str]:
    """Every way a filter may name a country: its code, its slug, and the slug of its name
    with and without a leading "the" (`TR`, `turkiye`, `Türkiye`; `the-netherlands`)."""
    named = slugify(name)
    return {iso_alpha2.lower(), slug, named, named.removeprefix("the-")}


def key_of(value: str) -> str:
    """The form a filter value is looked up in: codes, slugs and names alike."""
    return slugify(value)


COUNTRY_COLUMNS: tuple[Any, ...] = (
    Country.id, Country.slug, Country.name, Country.iso_alpha2, Country.kind, Country.sort_name,
    Country.region,
)  # fmt: skip
TOPIC_COLUMNS: tuple[Any, ...] = (Topic.id, Topic.slug, Topic.name, Topic.position)
INSTITUTION_COLUMNS: tuple[Any, ...] = (Institution.id, Institution.slug, Institution.name)
OPERATION_COLUMNS: tuple[Any, ...] = (FieldOperation.id, FieldOperation.slug, FieldOperation.name)
COUNTRIES = Fixed("catalog.countries", lambda: select(*COUNTRY_COLUMNS).where(published(Country)))
TOPICS = Fixed("catalog.topics", lambda: select(*TOPIC_COLUMNS).where(published(Topic)))
OPERATIONS = Fixed(
    "catalog.operations", lambda: select(*OPERATION_COLUMNS).where(published(FieldOperation))
)
INSTITUTIONS = Fixed(
    "catalog.institutions",
    lambda: select(*INSTITUTION_COLUMNS).where(published(Institution)),
)
# The menu nodes that lead to an item of the API, by the column naming the item.
LINK_COLUMNS = ("institution_id",)
MENU_LINK_COLUMNS: tuple[Any, ...] = (
    col(Menu.slug).label("menu"),
    MenuNode.label,
    MenuNode.path,
    MenuNode.url,
    *(getattr(MenuNode, column) for column in LINK_COLUMNS),
)
MENU_LINKS = Fixed(
    "catalog.menu_links",
    lambda: (
        select(*MENU_LINK_COLUMNS)
        .join(Menu, col(Menu.id) == MenuNode.menu_id)
        .where(published(MenuNode), published(Menu))
        .order_by(col(Menu.position), col(MenuNode.id))
    ),
)
LONGEST_EVENT = Fixed(
    "catalog.longest_event",
    lambda: select(
        func.coalesce(func.max(days_between(Event.starts_on, Event.ends_on)), 0).label("days")
    ),
)


@dataclass
class Catalog:
    version: int
    countries: dict[int, Summary] = field(default_factory=dict)
    country_kinds: dict[int, str] = field(default_factory=dict)
    country_order: dict[int, str] = field(default_factory=dict)
    country_keys: dict[str, int] = field(default_factory=dict)  # see `country_keys()`
    region_countries: dict[str, list[int]] = field(default_factory=dict)
    topics: dict[int, Summary] = field(default_factory=dict)
    topic_order: dict[int, int] = field(default_factory=dict)
    topic_keys: dict[str, int] = field(default_factory=dict)
    operations: dict[int, Summary] = field(default_factory=dict)
    operation_keys: dict[str, int] = field(default_factory=dict)
    institutions: dict[int, Summary] = field(default_factory=dict)
    institution_keys: dict[str, int] = field(default_factory=dict)
    # (kind, id) → the menu nodes leading to that item: {"menu", "label", "path", "url"}.
    menu_links: dict[tuple[str, int], list[Summary]] = field(default_factory=dict)
    longest_event_days: int = 0
    _groups: dict[tuple[str, str | None], list[Summary]] = field(default_factory=dict)

    def country_ids(self, values: Sequence[str], parameter: str = "country") -> list[int]:
        """Codes, slugs or names of published States and partners; an unknown one is a 404."""
        return self._ids(self.country_keys, values, parameter, "participating State or partner")

    def countries_in(self, regions: Iterable[str]) -> list[int]:
        return [i for region in regions for i in self.region_countries.get(region, [])]

    def topic_ids(self, slugs: Sequence[str], parameter: str = "topic") -> list[int]:
        return self._ids(self.topic_keys, slugs, parameter, "topic")

    def operation_ids(self, slugs: Sequence[str], parameter: str = "field_operation") -> list[int]:
        return self._ids(self.operation_keys, slugs, parameter, "field operation")

    def institution_ids(self, slugs: Sequence[str], parameter: str = "part_of") -> list[int]:
        return self._ids(self.institution_keys, slugs, parameter, "structure or institution")

    @staticmethod
    def _ids(keys: dict[str, int], values: Sequence[str], parameter: str, what: str) -> list[int]:
        found = [keys.get(key_of(value)) for value in values]
        unknown = [value for value, i in zip(values, found, strict=True) if i is None]
        if unknown:
            raise unknown_reference(parameter, f"no {what} {', '.join(map(repr, unknown))}")
        return list(dict.fromkeys(i for i in found if i is not None))

    def country(self, country_id: int | None) -> Summary | None:
        return None if country_id is None else self.countries.get(country_id)

    def countries_of(self, group: str | None) -> list[Summary]:
        """Summaries of the countries of a `country_ids` column (drafts left out), in
        alphabetical order."""
        return self._group("countries", group, self.countries, self.country_order)

    def topics_of(self, group: str | None) -> list[Summary]:
        """Summaries of the topics of a `topic_ids` column (drafts left out), in the
        website's order."""
        return self._group("topics", group, self.topics, self.topic_order)

    def _group(
        self, kind: str, group: str | None, summaries: dict[int, Summary], order: dict[int, Any]
    ) -> list[Summary]:
        # Rows share a few combinations of countries and topics: each is resolved once per
        # catalog (a list's rows then cost a dictionary lookup each), up to a bound.
        found = self._groups.get((kind, group))
        if found is None:
            known = [i for i in ids(group) if i in summaries]
            if len(known) > 1:
                known.sort(key=order.__getitem__)
            found = [summaries[i] for i in known]
            if len(self._groups) < MAX_GROUPS:
                self._groups[kind, group] = found
        return found

    def operation(self, operation_id: int | None) -> Summary | None:
        return None if operation_id is None else self.operations.get(operation_id)


class CatalogCache:
    """The catalog of the current content version, loaded at most once per version."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._catalog: Catalog | None = None

    async def get(self, version: int) -> Catalog:
        if self._catalog is None or self._catalog.version != version:
            self._catalog = await self._load(version)
        return self._catalog

    async def _load(self, version: int) -> Catalog:
        reader, catalog = self.reader, Catalog(version)
        for row in await reader.fetch(reader.statement(COUNTRIES), {}):
            key = row["id"]
            catalog.countries[key] = {
                "slug": row["slug"],
                "name": row["name"],
                "iso_alpha2": row["iso_alpha2"],
            }
            catalog.country_kinds[key] = row["kind"]
            catalog.country_order[key] = row["sort_name"]
            catalog.region_countries.setdefault(row["region"], []).append(key)
            for alias in country_keys(row["slug"], row["name"], row["iso_alpha2"]):
                catalog.country_keys[alias] = key
        for row in await reader.fetch(reader.statement(TOPICS), {}):
            catalog.topics[row["id"]] = {"slug": row["slug"], "name": row["name"]}
            catalog.topic_order[row["id"]] = row["position"]
            catalog.topic_keys[row["slug"]] = row["id"]
        for row in await reader.fetch(reader.statement(OPERATIONS), {}):
            catalog.operations[row["id"]] = {"slug": row["slug"], "name": row["name"]}
            catalog.operation_keys[row["slug"]] = row["id"]
        for row in await reader.fetch(reader.statement(INSTITUTIONS), {}):
            catalog.institutions[row["id"]] = {"slug": row["slug"], "name": row["name"]}
            catalog.institution_keys[row["slug"]] = row["id"]
        for row in await reader.fetch(reader.statement(MENU_LINKS), {}):
            link = {"menu": row["menu"], "label": row["label"], "path": row["path"]}
            link["url"] = row["url"]
            for column in LINK_COLUMNS:
                if row[column] is not None:
                    kind = column.removesuffix("_id")
                    catalog.menu_links.setdefault((kind, row[column]), []).append(link)
        longest = await reader.fetch(reader.statement(LONGEST_EVENT), {})
        catalog.longest_event_days = int(longest[0]["days"])
        return catalog


def is_state(catalog: Catalog, country_id: int) -> bool:
    return catalog.country_kinds.get(country_id) == CountryKind.participating_state
