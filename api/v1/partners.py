"""Partners for Co-operation: `/api/v1/partners`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Row, select
from sqlmodel import col
from starlette.responses import Response

from api.db import SessionDep
from api.models import Country, CountryKind, PartnerGroup, PartnerPublic
from api.query import (
    CommaList,
    DateWindowParams,
    ListParams,
    Place,
    PlaceParams,
    QText,
    Span,
    collection_response,
    item_response,
    one_or_404,
    order_by,
    paginate,
    published,
    where_place,
    where_text,
    where_window,
)
from api.v1.common import (
    COUNTRY_COLUMNS,
    ITEM_ERRORS,
    LIST_ERRORS,
    Collection,
    Item,
    ItemParams,
    SlugPath,
)

router = APIRouter(prefix="/partners", tags=["partners"])

PartnerField = Literal[
    "slug", "name", "iso_alpha2", "iso_alpha3", "group", "region", "capital", "partner_since"
]
PARTNER_SORTS = {"name": Country.sort_name, "partner_since": Country.joined_on}
JOINED = Span(starts_on=Country.joined_on, ends_on=Country.joined_on)
PARTNER_PLACE = Place(
    latitude=Country.latitude,
    longitude=Country.longitude,
    city_slug=Country.capital_slug,
    region=Country.region,
    in_countries=lambda ids: col(Country.id).in_(ids),
)


class PartnerParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: became a partner within; `city`, `near`, `bbox`: by capital."""

    sort: Literal["name", "-name", "partner_since", "-partner_since"] = "name"
    fields: CommaList[PartnerField] = Field(default=[], description="Only these fields.")
    group: CommaList[PartnerGroup] = Field(default=[], description="asian, mediterranean.")
    q: QText = None


class PartnerItemParams(ItemParams):
    fields: CommaList[PartnerField] = Field(default=[], description="Only these fields.")


def _partner_select() -> Any:
    return select(*COUNTRY_COLUMNS).where(
        published(Country), col(Country.kind) == CountryKind.partner
    )


def _partner_json(row: Row[Any]) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "name": row.name,
        "iso_alpha2": row.iso_alpha2,
        "iso_alpha3": row.iso_alpha3,
        "group": row.partner_group,
        "region": row.region,
        "capital": {"name": row.capital, "latitude": row.latitude, "longitude": row.longitude},
        "partner_since": row.joined_on,
    }


@router.get(
    "",
    response_model=Collection[PartnerPublic],
    responses=LIST_ERRORS,
    operation_id="listPartners",
    summary="List Partners for Co-operation",
)
def list_partners(
    request: Request, session: SessionDep, params: Annotated[PartnerParams, Query()]
) -> Response:
    """The Asian and Mediterranean Partners for Co-operation."""
    statement = _partner_select().where(
        *where_window(params, JOINED),
        *where_place(session, params, PARTNER_PLACE),
        *where_text(Country.search_text, params.q),
    )
    if params.group:
        statement = statement.where(col(Country.partner_group).in_(params.group))
    page = paginate(session, statement, params, order_by(params.sort, PARTNER_SORTS, Country.id))
    return collection_response(request, [_partner_json(r) for r in page.rows], page, params)


@router.get(
    "/{slug}",
    response_model=Item[PartnerPublic],
    responses=ITEM_ERRORS,
    operation_id="getPartner",
    summary="Get a Partner for Co-operation",
)
def get_partner(
    slug: SlugPath, session: SessionDep, params: Annotated[PartnerItemParams, Query()]
) -> Response:
    """One partner, by slug or ISO 3166-1 alpha-2 code (`japan` or `JP`)."""
    statement = _partner_select().where(
        (Country.slug == slug.lower()) | (Country.iso_alpha2 == slug.upper())
    )
    row = one_or_404(session, statement, "partner", slug)
    return item_response(_partner_json(row), params.fields)
