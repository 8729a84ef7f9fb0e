"""Partners for Co-operation: `/api/v1/partners`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlmodel import col
from starlette.responses import Response

from api.content.countries.models import Country, CountryKind, PartnerGroup, PartnerPublic
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
from api.read.paging import SortKey, collection_response, fetch_one, item_response, paginate
from api.read.params import CommaList, DateWindowParams, ListParams, PlaceParams, QText
from api.read.query import (
    ListQuery,
    Place,
    Row,
    Source,
    Span,
    where_in,
    where_place,
    where_text,
    where_window,
)

router = APIRouter(prefix="/partners", tags=["partners"])

PartnerField = Literal[
    "slug", "name", "iso_alpha2", "iso_alpha3", "group", "region", "capital", "partner_since"
]
PARTNER_COLUMNS: tuple[Any, ...] = (
    Country.slug,
    Country.name,
    Country.iso_alpha2,
    Country.iso_alpha3,
    Country.partner_group,
    Country.region,
    Country.capital,
    Country.latitude,
    Country.longitude,
    Country.joined_on,
)
PARTNERS = Source(
    "partners",
    PARTNER_COLUMNS,
    table(Country),
    Country.id,
    (published(Country), col(Country.kind) == CountryKind.partner),
)
PARTNER_SORTS = {
    "name": SortKey(Country.sort_name, "text"),
    "partner_since": SortKey(Country.joined_on, "date"),
}
SINCE = Span(starts_on=Country.joined_on, ends_on=Country.joined_on)
CAPITAL = Place(
    Country.latitude,
    Country.longitude,
    Country.capital_slug,
    Country.region,
    Country.id.in_,  # type: ignore[union-attr]
)


class PartnerParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: became a partner within; `city`, `near`, `bbox`: by capital."""

    sort: Literal["name", "-name", "partner_since", "-partner_since"] = "name"
    fields: CommaList[PartnerField] = Field(default_factory=list, description="Only these fields.")
    group: CommaList[PartnerGroup] = Field(
        default_factory=list, description="asian, mediterranean."
    )
    q: QText = None


class PartnerItemParams(ItemParams):
    fields: CommaList[PartnerField] = Field(default_factory=list, description="Only these fields.")


def partner_json(row: Row) -> dict[str, Any]:
    return {
        "slug": row["slug"],
        "name": row["name"],
        "iso_alpha2": row["iso_alpha2"],
        "iso_alpha3": row["iso_alpha3"],
        "group": row["partner_group"],
        "region": row["region"],
        "capital": {
            "name": row["capital"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
        },
        "partner_since": row["joined_on"],
    }


@router.get(
    "",
    response_model=collection_of(PartnerPublic),
    responses=LIST_ERRORS,
    operation_id="listPartners",
    summary="List Partners for Co-operation",
)
async def list_partners(
    request: Request, context: Context, params: Annotated[PartnerParams, Query()]
) -> Response:
    """The Asian and Mediterranean Partners for Co-operation."""
    query = ListQuery(PARTNERS).where(
        where_window(params, SINCE),
        where_place(params, CAPITAL, context.catalog),
        where_text(Country.search_text, params.q),
        where_in(Country.partner_group, "group", [g.value for g in params.group]),
    )
    page = await paginate(request, context.reader, query, params, PARTNER_SORTS)
    return collection_response(request, [partner_json(r) for r in page.rows], page, params)


@router.get(
    "/{slug}",
    response_model=item_of(PartnerPublic),
    responses=ITEM_ERRORS,
    operation_id="getPartner",
    summary="Get a Partner for Co-operation",
)
async def get_partner(
    slug: SlugPath, context: Context, params: Annotated[PartnerItemParams, Query()]
) -> Response:
    """One partner, by slug or ISO 3166-1 alpha-2 code (`japan` or `JP`)."""
    key = slug.upper() if len(slug) == 2 else slug.lower()
    country_id = context.catalog.country_keys.get(key, 0)
    query = ListQuery(PARTNERS).where(where_in(Country.id, "id", [country_id]))
    row = await fetch_one(context.reader, query, "partner", slug)
    return item_response(partner_json(row), params.fields)
