"""The site's settings: `/api/v1/site`."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from starlette.responses import Response

from api.content.routing import ITEM_ERRORS, Context, ItemParams, ReadContext, item_of
from api.content.site.models import Site, SitePublic
from api.db import published, table
from api.http.responses import item_response
from api.read.fields import Computed, PublicFields
from api.read.paging import ItemBy
from api.read.query import Row, Source

# Under "discovery": like the index, it is what a front end reads first.
router = APIRouter(prefix="/site", tags=["discovery"])


def _json(name: str) -> Computed:
    return Computed((getattr(Site, name),), lambda row, _: orjson.loads(row[name]))


def _logo(row: Row, _: ReadContext) -> str | None:
    return f"/api/v1/images/{row['logo_slug']}" if row["logo_slug"] else None


SITE_FIELDS = PublicFields(
    SitePublic,
    {
        "name": Site.name,
        "short_name": Site.short_name,
        "logo": Computed((Site.logo_slug,), _logo),
        "home_page": Computed(
            (Site.home_page_slug,), lambda row, _: f"/api/v1/pages/{row['home_page_slug']}"
        ),
        "languages": _json("languages"),
        "social": _json("social"),
    },
)
SITE = Source("site", (*SITE_FIELDS.columns, Site.slug), table(Site), Site.id, (published(Site),))


SITE_ITEM = ItemBy(SITE, None, "site")


@router.get(
    "",
    response_model=item_of(SitePublic),
    responses=ITEM_ERRORS,
    operation_id="getSite",
    summary="Get the site's settings",
)
async def get_site(context: Context, params: Annotated[ItemParams, Query()]) -> Response:
    """The site's name, logo, languages and social media accounts."""
    row: Any = await SITE_ITEM.fetch(context.reader, None, "osce")
    return item_response(SITE_FIELDS.item(row, context))
