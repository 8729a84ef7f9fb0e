"""Navigation menus as ordered trees: `/api/v1/menus`."""

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Row, select
from sqlmodel import col
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
from api.v1.common import ITEM_ERRORS, LIST_ERRORS, Collection, Item, ItemParams, SlugPath

router = APIRouter(prefix="/menus", tags=["menus"])
MAX_DEPTH = 10


class MenuParams(ItemParams):
    depth: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DEPTH,
        description="Levels of nodes to return (1 = top level only); all levels by default.",
    )


NODE_COLUMNS: tuple[Any, ...] = (
    MenuNode.id,
    MenuNode.parent_id,
    MenuNode.label,
    MenuNode.path,
    MenuNode.url,
    col(Country.slug).label("country_slug"),
    col(Country.kind).label("country_kind"),
    col(FieldOperation.slug).label("field_operation_slug"),
    col(Topic.slug).label("topic_slug"),
)


def _resource(node: Row[Any]) -> dict[str, str] | None:
    """The published item a node points to, as `{type, slug, href}`."""
    if node.country_slug:
        is_state = node.country_kind == CountryKind.participating_state
        kind, collection, slug = (
            ("state", "states", node.country_slug)
            if is_state
            else ("partner", "partners", node.country_slug)
        )
    elif node.field_operation_slug:
        kind, collection, slug = ("field-operation", "field-operations", node.field_operation_slug)
    elif node.topic_slug:
        kind, collection, slug = ("topic", "topics", node.topic_slug)
    else:
        return None
    return {"type": kind, "slug": slug, "href": f"/api/v1/{collection}/{slug}"}


def menu_tree(session: SessionDep, menu_id: int, depth: int | None) -> list[dict[str, Any]]:
    nodes = session.execute(
        select(*NODE_COLUMNS)
        .outerjoin(Country, (col(Country.id) == MenuNode.country_id) & published(Country))
        .outerjoin(
            FieldOperation,
            (col(FieldOperation.id) == MenuNode.field_operation_id) & published(FieldOperation),
        )
        .outerjoin(Topic, (col(Topic.id) == MenuNode.topic_id) & published(Topic))
        .where(published(MenuNode), col(MenuNode.menu_id) == menu_id)
        .order_by(col(MenuNode.parent_id), col(MenuNode.position))
    ).all()
    children: dict[int | None, list[Row[Any]]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    def build(parent: int | None, level: int) -> list[dict[str, Any]]:
        return [
            {
                "label": node.label,
                "path": node.path,
                "url": node.url,
                "external": node.url is not None,
                "resource": _resource(node),
                "has_children": bool(children[node.id]),
                "children": build(node.id, level + 1) if depth is None or level < depth else [],
            }
            for node in children[parent]
        ]

    return build(None, 1)


MENU_COLUMNS: tuple[Any, ...] = (Menu.id, Menu.slug, Menu.name)


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
    statement = select(*MENU_COLUMNS).where(published(Menu))
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
def get_menu(
    menu: SlugPath, session: SessionDep, params: Annotated[MenuParams, Query()]
) -> Response:
    """One menu as a tree of nodes in page order, optionally cut at `depth` levels."""
    statement = select(*MENU_COLUMNS).where(published(Menu), col(Menu.slug) == menu.lower())
    row = one_or_404(session, statement, "menu", menu)
    items = menu_tree(session, row.id, params.depth)
    return item_response({"slug": row.slug, "name": row.name, "items": items})
