"""Reference data every response embeds (countries, topics, field operations), in memory.

Lists embed `{"slug", "name"}` summaries of countries, topics and field operations, and filters
take their slugs and codes. These tables are small and change rarely, so each worker keeps them
in memory, reloaded whenever one of the tables read here changes (the catalog version, see
migration 0041; a news item's save does not reload it): resolving `country=AL` or embedding
Albania costs a dictionary lookup, not a query.
"""

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlmodel import col

from api.content.countries.models import Country, CountryKind
from api.content.events.models import Event
from api.content.field_operations.models import FieldOperation
from api.content.institutions.models import Institution
from api.content.menus.models import Menu, MenuNode
from api.content.spec import Translatable
from api.content.topics.models import Topic
from api.content.translations.models import Translation
from api.db import days_between, published
from api.http.problems import unknown_reference
from api.locales import LANGUAGES, SOURCE, fallback_chain
from api.read.reader import Fixed, Reader
from api.text import city_key, collation_key, name_key, slugify

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
    """The form a filter value is looked up in: codes, slugs and names in any script alike."""
    return name_key(value)


COUNTRY_COLUMNS: tuple[Any, ...] = (
    Country.id, Country.slug, Country.name, Country.iso_alpha2, Country.kind, Country.sort_name,
    Country.region, Country.capital_slug,
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


@cache
def translatable() -> dict[str, Translatable]:
    """The registry's translatable kinds (the registry imports this module's users)."""
    from api.registry import TRANSLATABLE

    return {t.kind: t for t in TRANSLATABLE}


# Translations of reference data are kept in memory; of the rest, only whether there are any.
def _kinds(in_catalog: bool) -> list[str]:
    return [kind for kind, t in translatable().items() if t.in_catalog == in_catalog]


TRANSLATIONS = Fixed(
    "catalog.translations",
    lambda: select(
        col(Translation.kind), col(Translation.item_id), col(Translation.lang),
        col(Translation.field), col(Translation.text),
    ).where(or_(*(col(Translation.kind) == kind for kind in _kinds(True)))),
)  # fmt: skip
TRANSLATED_KINDS = Fixed(
    "catalog.translated_kinds",
    lambda: select(
        *(
            exists()
            .where(col(Translation.kind) == kind, col(Translation.lang) == lang)
            .label(f"{kind}:{lang}")
            for kind in _kinds(False)
            for lang in LANGUAGES
            if lang != SOURCE
        )
    ),
)
LONGEST_EVENT = Fixed(
    "catalog.longest_event",
    lambda: select(
        func.coalesce(func.max(days_between(Event.starts_on, Event.ends_on)), 0).label("days")
    ),
)


# (kind, id) → {lang: {field: text}}
AllTexts = dict[tuple[str, int], dict[str, dict[str, str]]]


@dataclass
class Catalog:
    """The reference data of one catalog version (`ContentVersion.catalog_key`: it changes only
    with the tables read here), in one language (names, orders, texts)."""

    version: int
    lang: str = SOURCE
    chain: tuple[str, ...] = (SOURCE,)
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
    # Translated names of capitals (their keys) → the key of the English name.
    city_aliases: dict[str, str] = field(default_factory=dict)
    capitals: dict[int, str] = field(default_factory=dict)  # country id → its capital's key
    all_texts: AllTexts = field(default_factory=dict)
    # kind → id → its texts in this catalog's language and, as `_fallback`, the fields that
    # fell back: what `api.content.routing.translations` lays over the item's row.
    texts: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    translated_kinds: frozenset[str] = frozenset()  # "news:ru": the kind has some in that lang
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
        if None in found:
            unknown = [value for value, i in zip(values, found, strict=True) if i is None]
            raise unknown_reference(parameter, f"no {what} {', '.join(map(repr, unknown))}")
        return list(dict.fromkeys(found))  # type: ignore[arg-type]  # no None in it

    def city_keys(self, names: Sequence[str]) -> list[str]:
        """The keys of city names in any language (`Вена` and `Vienne` are `vienna`)."""
        keys = [city_key(name) for name in names]
        aliases = self.city_aliases
        return [aliases.get(name_key(name.partition(",")[0]), key) for name, key in zip(
            names, keys, strict=True)]  # fmt: skip

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


def _failed(load: "asyncio.Future[Catalog]") -> bool:
    return load.done() and (load.cancelled() or load.exception() is not None)


class CatalogCache:
    """The catalog of the current content version, loaded at most once per version, and its
    translations into the other languages, made on first use (at most one per language).

    The requests that arrive while a version's catalog is loading wait for that one load: after
    a save, every request of a busy worker used to start its own (9 statements each, holding
    every pooled connection), which kept a save from showing for seconds (bench/editor.py)."""

    def __init__(self, reader: Reader, fallbacks: Mapping[str, list[str]] | None = None) -> None:
        self.reader = reader
        self.fallbacks = dict(fallbacks or {})
        self._catalog: Catalog | None = None
        self._translated: dict[str, Catalog] = {}
        self._loading: tuple[int, asyncio.Future[Catalog]] | None = None

    def ready(self, version: int, lang: str = SOURCE) -> Catalog | None:
        """`get`'s answer when it is at hand, without awaiting (most requests); else None."""
        catalog = self._catalog
        if catalog is None or catalog.version != version:
            return None
        return catalog if lang == SOURCE else self._translated.get(lang)

    async def get(self, version: int, lang: str = SOURCE) -> Catalog:
        found = self.ready(version, lang)
        if found is not None:
            return found
        if self._catalog is None or self._catalog.version != version:
            loaded = await self._load_once(version)
            if self._loading is not None and self._loading[0] != version:
                return self._translate(loaded, lang)  # a newer version is loading: not kept
            if self._catalog is None or self._catalog.version != version:
                self._catalog, self._translated = loaded, {}
        if lang == SOURCE:
            return self._catalog
        found = self._translated.get(lang)
        if found is None:
            found = self._translated[lang] = self._translate(self._catalog, lang)
        return found

    async def _load_once(self, version: int) -> Catalog:
        """The catalog of `version`, loaded once for all the requests that want it meanwhile;
        a request of an older version than the one still loading (it began before a save)
        loads its own, which is not kept. A version lower than one already loaded is the
        latest (a database replaced by an older copy) and is shared and kept like any other."""
        loading = self._loading
        if loading is not None and version < loading[0] and not loading[1].done():
            return await self._load(version)
        if loading is None or loading[0] != version or _failed(loading[1]):
            loading = self._loading = (version, asyncio.ensure_future(self._load(version)))
        # Shielded: a request cancelled while waiting does not cancel the others' load.
        return await asyncio.shield(loading[1])

    def _translate(self, catalog: Catalog, lang: str) -> Catalog:
        if lang == SOURCE:
            return catalog
        return translate_catalog(catalog, lang, fallback_chain(lang, self.fallbacks))

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
            catalog.capitals[key] = row["capital_slug"]
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
        for row in await reader.fetch(reader.statement(TRANSLATIONS), {}):
            texts = catalog.all_texts.setdefault((row["kind"], row["item_id"]), {})
            texts.setdefault(row["lang"], {})[row["field"]] = row["text"]
        [found] = await reader.fetch(reader.statement(TRANSLATED_KINDS), {})
        catalog.translated_kinds = frozenset(name for name, value in found.items() if value)
        self._aliases(catalog)
        return catalog

    @staticmethod
    def _aliases(catalog: Catalog) -> None:
        """Countries are found by their name in any language, capitals too."""
        for (kind, item_id), by_lang in catalog.all_texts.items():
            if kind != "country" or item_id not in catalog.countries:
                continue
            for texts in by_lang.values():
                if "name" in texts:
                    catalog.country_keys.setdefault(name_key(texts["name"]), item_id)
                capital = texts.get("capital")
                if capital and item_id in catalog.capitals:
                    catalog.city_aliases.setdefault(name_key(capital), catalog.capitals[item_id])


def translate_catalog(base: Catalog, lang: str, chain: tuple[str, ...]) -> Catalog:
    """The catalog of `base`'s version in `lang`: names, orders and texts along `chain`."""
    texts: dict[str, dict[int, dict[str, Any]]] = {}
    fields = {kind: t.fields for kind, t in translatable().items()}
    for (kind, item_id), by_lang in base.all_texts.items():
        resolved: dict[str, str] = {}
        fell_back: list[str] = []
        for name in fields.get(kind, ()):
            for source in chain:
                text = by_lang.get(source, {}).get(name)
                if text is not None:
                    resolved[name] = text
                    break
            if by_lang.get(lang, {}).get(name) is None:
                fell_back.append(name)
        texts.setdefault(kind, {})[item_id] = {**resolved, "_fallback": tuple(fell_back)}

    def renamed(kind: str, summaries: Mapping[int, Summary], name: str) -> dict[int, Summary]:
        of_kind = texts.get(kind, {})
        return {
            i: s | {"name": of_kind[i].get(name, s["name"])} if i in of_kind else s
            for i, s in summaries.items()
        }

    countries = renamed("country", base.countries, "name")
    order = {i: collation_key(c["name"], lang) for i, c in countries.items()}
    return replace(
        base,
        lang=lang,
        chain=chain,
        countries=countries,
        country_order=order,
        topics=renamed("topic", base.topics, "name"),
        operations=renamed("field_operation", base.operations, "name"),
        institutions=renamed("institution", base.institutions, "name"),
        texts=texts,
        translated_kinds=frozenset(
            k.partition(":")[0] for k in base.translated_kinds if k.partition(":")[2] in chain
        ),
        _groups={},
    )


def is_state(catalog: Catalog, country_id: int) -> bool:
    return catalog.country_kinds.get(country_id) == CountryKind.participating_state
