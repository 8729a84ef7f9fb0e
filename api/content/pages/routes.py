"""Pages of the website, the home page among them: `/api/v1/pages`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.responses import Response

from api.content.pages.expand import MAX_EXPAND, answered_body
from api.content.pages.models import Page, PagePublic
from api.content.pages.service import TRANSLATABLE
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    ReadContext,
    SlugPath,
    collection_of,
    fallback_of,
    instant_of,
    item_of,
    translations,
)
from api.content.search.query import where_search
from api.db import published, table
from api.http.responses import collection_response, item_response
from api.read.fields import Computed, PublicFields
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import CommaList, ListItem, ListParams, QText
from api.read.query import ListQuery, Row, Source, where_in

router = APIRouter(prefix="/pages", tags=["pages"])


def _seo(row: Row, _: ReadContext) -> dict[str, Any]:
    return {"title": row["seo_title"] or row["title"], "description": row["seo_description"]}


def _parent(row: Row, _: ReadContext) -> dict[str, str] | None:
    slug = row["parent_slug"]
    return {"slug": slug, "name": row["parent_title"]} if slug else None


PAGE_FIELDS = PublicFields(
    PagePublic,
    {
        "slug": Page.slug,
        "title": Page.title,
        "summary": Page.summary,
        "seo": Computed((Page.seo_title, Page.title, Page.seo_description), _seo),
        "parent": Computed((Page.parent_slug, Page.parent_title), _parent),
        "published_at": instant_of(Page.published_at),
        "updated_at": instant_of(Page.revised_at),
        # The stored JSON: the route answers it block by block (api/content/pages/expand.py).
        "body": Page.body,
        "fallback": fallback_of(Page.id),
    },
)
PAGES = Source("pages", PAGE_FIELDS.columns, table(Page), Page.id, (published(Page),))
PAGE_SORTS = {"title": SortKey(Page.sort_title, "text")}


class PageParams(ListParams):
    sort: Literal["title", "-title"] = "title"
    fields: Annotated[CommaList[str], PAGE_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
    parent: CommaList[ListItem] = Field(
        default_factory=list, description="Slugs of parent pages (any of them): their children."
    )
    q: QText = None


class PageItemParams(ItemParams):
    fields: Annotated[CommaList[str], PAGE_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
    expand: int = Field(
        default=0,
        ge=0,
        le=MAX_EXPAND,
        description="1: each block's references, images and queries carry their items; 2: "
        "pages among them are expanded once more.",
    )


async def _answered(
    request: Request, item: dict[str, Any], expand: int, lang: str
) -> dict[str, Any]:
    if "body" in item:
        item["body"] = await answered_body(request, item["body"], expand, lang)
    return item


@router.get(
    "",
    response_model=collection_of(PagePublic),
    responses=LIST_ERRORS,
    operation_id="listPages",
    summary="List pages",
)
async def list_pages(
    request: Request, context: Context, params: Annotated[PageParams, Query()]
) -> Response:
    """The website's pages, by title unless sorted otherwise."""
    query = ListQuery(PAGES).where(
        where_search(params.q, "pages", Page.id, context.lang),
        where_in(Page.parent_slug, "parent", [slug.lower() for slug in params.parent]),
    )
    page = await paginate(request, context.reader, query, params, PAGE_SORTS)
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = [
        await _answered(request, item, 0, context.lang)
        for item in PAGE_FIELDS.items(page.rows, context, params.fields, texts)
    ]
    return collection_response(request, items, page, params)


PAGE_ITEM = ItemBy(PAGES, Page.slug, "page")


@router.get(
    "/{slug}",
    response_model=item_of(PagePublic),
    responses=ITEM_ERRORS,
    operation_id="getPage",
    summary="Get a page",
)
async def get_page(
    request: Request,
    slug: SlugPath,
    context: Context,
    params: Annotated[PageItemParams, Query()],
) -> Response:
    """One page, by slug; with `expand`, the items its blocks name, in the same answer."""
    row = await PAGE_ITEM.fetch(context.reader, slug.lower(), slug)
    texts = await translations(context, TRANSLATABLE, [row])
    item = PAGE_FIELDS.item(row, context, params.fields, texts)
    return item_response(await _answered(request, item, params.expand, context.lang))
