"""Reference data every response embeds (countries, topics, field operations), in memory.

Lists embed `{"slug", "name"}` summaries of countries, topics and field operations, and filters
take their slugs and codes. These tables are small and change rarely, so each worker keeps them
in memory, reloaded whenever the content version moves: resolving `country=AL` or embedding
Albania costs a dictionary lookup, not a query.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from api.content.countries.models import Country, CountryKind
from api.content.events.models import Event
from api.content.field_operations.models import FieldOperation
from api.content.topics.models import Topic
from api.db import days_between, published
from api.http.problems import invalid_parameter
from api.read.reader import Reader

Summary = dict[str, Any]
MAX_GROUPS = 10_000  # combinations of countries or topics remembered per catalog


def ids(group: str | None) -> list[int]:
    """The ids of a `*_ids` column (see `api.db.group_ids`): comma-separated, or empty."""
    return [int(part) for part in group.split(",")] if group else []


COUNTRY_COLUMNS: tuple[Any, ...] = (
    Country.id, Country.slug, Country.name, Country.iso_alpha2, Country.kind, Country.sort_name
)  # fmt: skip
TOPIC_COLUMNS: tuple[Any, ...] = (Topic.id, Topic.slug, Topic.name, Topic.position)
OPERATION_COLUMNS: tuple[Any, ...] = (FieldOperation.id, FieldOperation.slug, FieldOperation.name)


@dataclass
class Catalog:
    version: int
    countries: dict[int, Summary] = field(default_factory=dict)
    country_kinds: dict[int, str] = field(default_factory=dict)
    country_order: dict[int, str] = field(default_factory=dict)
    country_keys: dict[str, int] = field(default_factory=dict)  # ISO alpha-2 and slug
    topics: dict[int, Summary] = field(default_factory=dict)
    topic_order: dict[int, int] = field(default_factory=dict)
    topic_keys: dict[str, int] = field(default_factory=dict)
    operations: dict[int, Summary] = field(default_factory=dict)
    operation_keys: dict[str, int] = field(default_factory=dict)
    longest_event_days: int = 0
    _groups: dict[tuple[str, str | None], list[Summary]] = field(default_factory=dict)

    def country_ids(self, values: Sequence[str], parameter: str = "country") -> list[int]:
        """ISO alpha-2 codes or slugs of published states and partners; unknown ones are a 422."""
        ids, unknown = [], []
        for value in values:
            found = self.country_keys.get(value.upper() if len(value) == 2 else value.lower())
            (unknown.append(value) if found is None else ids.append(found))
        if unknown:
            detail = f"not a participating State or partner: {', '.join(unknown)}"
            raise invalid_parameter(parameter, detail)
        return ids

    def topic_ids(self, slugs: Sequence[str], parameter: str = "topic") -> list[int]:
        return self._ids(self.topic_keys, slugs, parameter, "topic")

    def operation_ids(self, slugs: Sequence[str], parameter: str = "field_operation") -> list[int]:
        return self._ids(self.operation_keys, slugs, parameter, "field operation")

    @staticmethod
    def _ids(keys: dict[str, int], slugs: Sequence[str], parameter: str, what: str) -> list[int]:
        unknown = sorted({s for s in slugs if s.lower() not in keys})
        if unknown:
            raise invalid_parameter(parameter, f"unknown {what}: {', '.join(unknown)}")
        return [keys[s.lower()] for s in slugs]

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
        countries = reader.statement(
            "catalog.countries",
            lambda: select(*COUNTRY_COLUMNS).where(published(Country)),
        )
        for row in await reader.fetch(countries, {}):
            key = row["id"]
            catalog.countries[key] = {
                "slug": row["slug"],
                "name": row["name"],
                "iso_alpha2": row["iso_alpha2"],
            }
            catalog.country_kinds[key] = row["kind"]
            catalog.country_order[key] = row["sort_name"]
            catalog.country_keys[row["iso_alpha2"]] = catalog.country_keys[row["slug"]] = key
        topics = reader.statement(
            "catalog.topics",
            lambda: select(*TOPIC_COLUMNS).where(published(Topic)),
        )
        for row in await reader.fetch(topics, {}):
            catalog.topics[row["id"]] = {"slug": row["slug"], "name": row["name"]}
            catalog.topic_order[row["id"]] = row["position"]
            catalog.topic_keys[row["slug"]] = row["id"]
        operations = reader.statement(
            "catalog.operations",
            lambda: select(*OPERATION_COLUMNS).where(published(FieldOperation)),
        )
        for row in await reader.fetch(operations, {}):
            catalog.operations[row["id"]] = {"slug": row["slug"], "name": row["name"]}
            catalog.operation_keys[row["slug"]] = row["id"]
        longest = reader.statement(
            "catalog.longest_event",
            lambda: select(
                func.coalesce(func.max(days_between(Event.starts_on, Event.ends_on)), 0).label(
                    "days"
                )
            ),
        )
        catalog.longest_event_days = int((await reader.fetch(longest, {}))[0]["days"])
        return catalog


def is_state(catalog: Catalog, country_id: int) -> bool:
    return catalog.country_kinds.get(country_id) == CountryKind.participating_state
