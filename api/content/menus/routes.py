"""Navigation menus as ordered trees: `/api/v1/menus`."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import bindparam, select
from sqlmodel import col
from starlette.responses import Response

from api.content.catalog import Catalog, is_state
from api.content.menus.models import Menu, MenuNode, MenuPublic, MenuSummaryPublic
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    SlugPath,
    collection_of,
    item_of,
)
from api.db import published, table
from api.http.responses import collection_response, item_response
from api.locales import SOURCE
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import ListParams
from api.read.query import ListQuery, Row, Source
from api.read.reader import Fixed

router = APIRouter(prefix="/menus", tags=["menus"])
MAX_DEPTH = 10
MENU_COLUMNS: tuple[Any, ...] = (Menu.id, Menu.slug, Menu.name)
MENUS = Source("menus", MENU_COLUMNS, table(Menu), Menu.id, (published(Menu),))
MENU_SORTS = {"position": SortKey(Menu.position, "int")}
NODE_COLUMNS: tuple[Any, ...] = (
    MenuNode.id,
    MenuNode.parent_id,
    MenuNode.label,
    MenuNode.path,
    MenuNode.url,
    MenuNode.country_id,
    MenuNode.field_operation_id,
    MenuNode.topic_id,
    MenuNode.institution_id,
)
NODES = Fixed(
    "menus.nodes",
    lambda: (
        select(*NODE_COLUMNS)
        .where(published(MenuNode), col(MenuNode.menu_id) == bindparam("menu"))
        .order_by(col(MenuNode.parent_id), col(MenuNode.position))
    ),
)


class MenuListParams(ListParams):
    sort: Literal["position"] = Field(default="position", description="The website's order.")


class MenuParams(ItemParams):
    depth: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DEPTH,
        description="Levels of nodes to return (1 = top level only); all levels by default.",
    )


def _resource(node: Row, catalog: Catalog) -> dict[str, str] | None:
    """The published item a node points to, as `{type, slug, href}`."""
    if node["country_id"] in catalog.countries:
        country_id = node["country_id"]
        state = is_state(catalog, country_id)
        kind, collection = ("state", "states") if state else ("partner", "partners")
        slug = catalog.countries[country_id]["slug"]
    elif node["field_operation_id"] in catalog.operations:
        kind, collection = "field-operation", "field-operations"
        slug = catalog.operations[node["field_operation_id"]]["slug"]
    elif node["topic_id"] in catalog.topics:
        kind, collection, slug = "topic", "topics", catalog.topics[node["topic_id"]]["slug"]
    elif node["institution_id"] in catalog.institutions:
        kind, collection = "institution", "institutions"
        slug = catalog.institutions[node["institution_id"]]["slug"]
    else:
        return None
    return {"type": kind, "slug": slug, "href": f"/api/v1/{collection}/{slug}"}


def label_of(node: Row, catalog: Catalog) -> str:
    """A node's label in the catalog's language: its own translation, else the name of the
    item it leads to in that language, else its English label."""
    if catalog.lang == SOURCE:
        return str(node["label"])
    own = catalog.texts.get("menu_node", {}).get(node["id"])
    if own is not None and own.get("label"):
        return str(own["label"])
    for column, summaries in (
        ("country_id", catalog.countries),
        ("topic_id", catalog.topics),
        ("field_operation_id", catalog.operations),
        ("institution_id", catalog.institutions),
    ):
        summary = summaries.get(node[column])
        if summary is not None:
            return str(summary["name"])
    return str(node["label"])


def menu_tree(nodes: Sequence[Row], catalog: Catalog, depth: int | None) -> list[dict[str, Any]]:
    children: dict[int | None, list[Row]] = defaultdict(list)
    for node in nodes:
        children[node["parent_id"]].append(node)

    def build(parent: int | None, level: int) -> list[dict[str, Any]]:
        return [
            {
                "label": label_of(node, catalog),
                "path": node["path"],
                "url": node["url"],
                "external": node["url"] is not None,
                "resource": _resource(node, catalog),
                "has_children": bool(children[node["id"]]),
                "children": build(node["id"], level + 1) if depth is None or level < depth else [],
            }
            for node in children[parent]
        ]

    return build(None, 1)


@router.get(
    "",
    response_model=collection_of(MenuSummaryPublic),
    responses=LIST_ERRORS,
    operation_id="listMenus",
    summary="List menus",
)
async def list_menus(
    request: Request, context: Context, params: Annotated[MenuListParams, Query()]
) -> Response:
    """The menus of the website, in page order, without their nodes."""
    query = ListQuery(MENUS)
    page = await paginate(request, context.reader, query, params, MENU_SORTS)
    items = [
        {"slug": r["slug"], "name": r["name"], "href": f"/api/v1/menus/{r['slug']}"}
        for r in page.rows
    ]
    return collection_response(request, items, page, params)


MENU_ITEM = ItemBy(MENUS, Menu.slug, "menu")


@router.get(
    "/{menu}",
    response_model=item_of(MenuPublic),
    responses=ITEM_ERRORS,
    operation_id="getMenu",
    summary="Get a menu tree",
)
async def get_menu(
    menu: SlugPath, context: Context, params: Annotated[MenuParams, Query()]
) -> Response:
    """One menu as a tree of nodes in page order, optionally cut at `depth` levels."""
    row = await MENU_ITEM.fetch(context.reader, menu.lower(), menu)
    nodes = await context.reader.fetch(context.reader.statement(NODES), {"menu": row["id"]})
    items = menu_tree(nodes, context.catalog, params.depth)
    return item_response({"slug": row["slug"], "name": row["name"], "items": items})
