"""Partners for Co-operation: `/api/v1/partners`."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlmodel import col
from starlette.responses import Response

from api.content.catalog import key_of
from api.content.countries.models import Country, CountryKind, PartnerGroup, PartnerPublic
from api.content.countries.service import TRANSLATABLE
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    NamedReading,
    SlugPath,
    capital_of,
    collection_of,
    fallback_of,
    item_of,
    translations,
)
from api.content.search.query import where_search
from api.db import published, table
from api.http.responses import collection_response, item_response
from api.read.fields import PublicFields
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import CommaList, DateWindowParams, ListParams, PlaceParams, QText
from api.read.query import (
    ListQuery,
    Place,
    Source,
    Span,
    where_in,
    where_place,
    where_window,
)

router = APIRouter(prefix="/partners", tags=["partners"])

PARTNER_FIELDS = PublicFields(
    PartnerPublic,
    {
        "slug": Country.slug,
        "name": Country.name,
        "iso_alpha2": Country.iso_alpha2,
        "iso_alpha3": Country.iso_alpha3,
        "group": Country.partner_group,
        "region": Country.region,
        "capital": capital_of(Country),
        "partner_since": Country.joined_on,
        "fallback": fallback_of(Country.id),
    },
)
PARTNERS = Source(
    "partners",
    PARTNER_FIELDS.columns,
    table(Country),
    Country.id,
    (published(Country), col(Country.kind) == CountryKind.partner),
)
PARTNER_SORTS = {
    "name": SortKey(Country.sort_name, "text"),
    "partner_since": SortKey(Country.joined_on, "date"),
}
PARTNERS_BY_NAME = NamedReading(
    PARTNERS, PARTNER_SORTS, TRANSLATABLE.kind, CountryKind.partner.value
)
SINCE = Span(starts_on=Country.joined_on, ends_on=Country.joined_on)
CAPITAL = Place(
    Country.latitude,
    Country.longitude,
    Country.capital_slug,
    Country.region,
    None,
    countries=(Country.id,),
)


class PartnerParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: became a partner within; `city`, `near`, `bbox`: by capital."""

    sort: Literal["name", "-name", "partner_since", "-partner_since"] = "name"
    fields: Annotated[CommaList[str], PARTNER_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
    group: CommaList[PartnerGroup] = Field(
        default_factory=list, description="asian, mediterranean."
    )
    q: QText = None


class PartnerItemParams(ItemParams):
    fields: Annotated[CommaList[str], PARTNER_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


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
    source, sorts = PARTNERS_BY_NAME.of(context.lang, params.sort)
    query = ListQuery(source).where(
        where_window(params, SINCE),
        where_place(params, CAPITAL, context.catalog),
        where_search(params.q, "partners", Country.id, context.lang),
        where_in(Country.partner_group, "group", [g.value for g in params.group]),
    )
    page = await paginate(request, context.reader, query, params, sorts)
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = PARTNER_FIELDS.items(page.rows, context, params.fields, texts)
    return collection_response(request, items, page, params)


PARTNER_ITEM = ItemBy(PARTNERS, Country.id, "partner")


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
    country_id = context.catalog.country_keys.get(key_of(slug), 0)
    row = await PARTNER_ITEM.fetch(context.reader, country_id, slug)
    texts = await translations(context, TRANSLATABLE, [row])
    return item_response(PARTNER_FIELDS.item(row, context, params.fields, texts))
