"""Navigation menus as ordered trees: `/api/v1/menus`."""

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Row, select
from starlette.responses import Response

from api.db import SessionDep
from api.models import (
    Country,
    CountryKind,
    FieldOperation,
    Menu,
    MenuNode,
    MenuPublic,
    MenuSummaryPublic,
    Topic,
)
from api.query import (
    ListParams,
    collection_response,
    item_response,
    one_or_404,
    paginate,
    published,
)
from api.v1.common import ITEM_ERRORS, LIST_ERRORS, Collection, Item, ItemParams

router = APIRouter(prefix="/menus", tags=["menus"])
MAX_DEPTH = 10


class MenuParams(ItemParams):
    depth: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DEPTH,
        description="Levels of nodes to return (1 = top level only); all levels by default.",
    )


def _resources(session: SessionDep, nodes: list[Row[Any]]) -> dict[int, dict[str, Any]]:
    """`{node id: resource}` for nodes that point to a published state, operation or topic."""
    resources: dict[int, dict[str, Any]] = {}
    lookups = (
        (
            "country_id",
            Country,
            lambda r: "state" if r.kind == CountryKind.participating_state else "partner",
        ),
        ("field_operation_id", FieldOperation, lambda r: "field-operation"),
        ("topic_id", Topic, lambda r: "topic"),
    )
    collections = {
        "state": "states",
        "partner": "partners",
        "field-operation": "field-operations",
        "topic": "topics",
    }
    for column, model, kind_of in lookups:
        ids = {getattr(n, column) for n in nodes if getattr(n, column) is not None}
        if not ids:
            continue
        columns = [model.id, model.slug] + ([Country.kind] if model is Country else [])
        rows = {
            r.id: r
            for r in session.execute(select(*columns).where(published(model), model.id.in_(ids)))
        }
        for node in nodes:
            row = rows.get(getattr(node, column))
            if row is not None:
                kind = kind_of(row)
                resources[node.id] = {
                    "type": kind,
                    "slug": row.slug,
                    "href": f"/api/v1/{collections[kind]}/{row.slug}",
                }
    return resources


def menu_tree(session: SessionDep, menu_id: int, depth: int | None) -> list[dict[str, Any]]:
    nodes = session.execute(
        select(
            MenuNode.id,
            MenuNode.parent_id,
            MenuNode.label,
            MenuNode.path,
            MenuNode.url,
            MenuNode.country_id,
            MenuNode.field_operation_id,
            MenuNode.topic_id,
        )
        .where(published(MenuNode), MenuNode.menu_id == menu_id)
        .order_by(MenuNode.parent_id, MenuNode.position)
    ).all()
    children: dict[int | None, list[Row[Any]]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    resources = _resources(session, nodes)

    def build(parent: int | None, level: int) -> list[dict[str, Any]]:
        return [
            {
                "label": node.label,
                "path": node.path,
                "url": node.url,
                "external": node.url is not None,
                "resource": resources.get(node.id),
                "has_children": bool(children[node.id]),
                "children": build(node.id, level + 1) if depth is None or level < depth else [],
            }
            for node in children[parent]
        ]

    return build(None, 1)


@router.get(
    "",
    response_model=Collection[MenuSummaryPublic],
    responses=LIST_ERRORS,
    operation_id="listMenus",
    summary="List menus",
)
def list_menus(
    request: Request, session: SessionDep, params: Annotated[ListParams, Query()]
) -> Response:
    """The menus of the website, in page order, without their nodes."""
    statement = select(Menu.id, Menu.slug, Menu.name).where(published(Menu))
    page = paginate(session, statement, params, [Menu.position, Menu.id])
    items = [{"slug": r.slug, "name": r.name, "href": f"/api/v1/menus/{r.slug}"} for r in page.rows]
    return collection_response(request, items, page, params)


@router.get(
    "/{menu}",
    response_model=Item[MenuPublic],
    responses=ITEM_ERRORS,
    operation_id="getMenu",
    summary="Get a menu tree",
)
def get_menu(menu: str, session: SessionDep, params: Annotated[MenuParams, Query()]) -> Response:
    """One menu as a tree of nodes in page order, optionally cut at `depth` levels."""
    statement = select(Menu.id, Menu.slug, Menu.name).where(
        published(Menu), Menu.slug == menu.lower()
    )
    row = one_or_404(session, statement, "menu", menu)
    items = menu_tree(session, row.id, params.depth)
    return item_response({"slug": row.slug, "name": row.name, "items": items})
