"""The one list of content types, from which everything that spans them is derived.

The `/api/v1` index and its routers (`api/v1.py`), the OpenAPI tags and examples
(`api/http/openapi.py`), the seed loader (`api/seed.py`), the references that writes resolve
(`api.content.service.Refs`), the tables whose writes bump the content version (checked against
the migrations by `tests/test_registry.py`) and the cross-collection contract tests
(`tests/test_contract.py`) all read this list. Adding a content type is a folder under
`api/content/`, one line here and a migration: see `docs/adding-a-collection.md`.
"""

from graphlib import TopologicalSorter

from sqlalchemy import Table

from api.content.countries.content_type import CONTENT as COUNTRIES
from api.content.events.content_type import CONTENT as EVENTS
from api.content.field_operations.content_type import CONTENT as FIELD_OPERATIONS
from api.content.images.content_type import CONTENT as IMAGES
from api.content.institutions.content_type import CONTENT as INSTITUTIONS
from api.content.menus.content_type import CONTENT as MENUS
from api.content.news.content_type import CONTENT as NEWS
from api.content.pages.content_type import CONTENT as PAGES
from api.content.search.content_type import CONTENT as SEARCH
from api.content.site.content_type import CONTENT as SITE
from api.content.spec import Collection, ContentType, Reference, Searchable, Translatable
from api.content.topics.content_type import CONTENT as TOPICS
from api.content.translations.content_type import CONTENT as TRANSLATIONS

# In the order `GET /api/v1` lists their collections.
CONTENT_TYPES: tuple[ContentType, ...] = (
    COUNTRIES,
    FIELD_OPERATIONS,
    INSTITUTIONS,
    NEWS,
    EVENTS,
    MENUS,
    TOPICS,
    PAGES,
    IMAGES,
    SITE,
    TRANSLATIONS,
    SEARCH,
)

ROUTERS = tuple(router for t in CONTENT_TYPES for router in t.routers)
COLLECTIONS: tuple[Collection, ...] = tuple(c for t in CONTENT_TYPES for c in t.collections)
REFERENCES: tuple[Reference, ...] = tuple(r for t in CONTENT_TYPES for r in t.references)
CONTENT_TABLES: tuple[Table, ...] = tuple(table for t in CONTENT_TYPES for table in t.tables)
TRANSLATABLE: tuple[Translatable, ...] = tuple(x for t in CONTENT_TYPES for x in t.translatable)
SEARCHABLE: tuple[Searchable, ...] = tuple(x for t in CONTENT_TYPES for x in t.searchable)


def seed_order() -> list[ContentType]:
    """The content types in an order where each comes after those its seed refers to."""
    by_name = {t.name: t for t in CONTENT_TYPES}
    graph = {t.name: set(t.after) for t in CONTENT_TYPES}
    # Ties keep the registry's order, so the load order is the same on every run.
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order: list[ContentType] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=[t.name for t in CONTENT_TYPES].index)
        order += [by_name[name] for name in ready]
        sorter.done(*ready)
    return order
