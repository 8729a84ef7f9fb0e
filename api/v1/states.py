"""Participating States: `/api/v1/states`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Row, select
from sqlmodel import col
from starlette.responses import Response

from api.db import SessionDep
from api.models import Chairpersonship, Country, CountryKind, StatePublic
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

router = APIRouter(prefix="/states", tags=["states"])

StateField = Literal[
    "slug", "name", "iso_alpha2", "iso_alpha3", "region", "capital", "joined_on",
    "chairpersonship_years",
]  # fmt: skip
STATE_SORTS = {"name": Country.sort_name, "joined_on": Country.joined_on}
JOINED = Span(starts_on=Country.joined_on, ends_on=Country.joined_on)
STATE_PLACE = Place(
    latitude=Country.latitude,
    longitude=Country.longitude,
    city_slug=Country.capital_slug,
    region=Country.region,
    in_countries=lambda ids: col(Country.id).in_(ids),
)


class StateParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: joined within; `city`, `near` and `bbox`: by capital."""

    sort: Literal["name", "-name", "joined_on", "-joined_on"] = "name"
    fields: CommaList[StateField] = Field(default=[], description="Only these fields.")
    q: QText = None


class StateItemParams(ItemParams):
    fields: CommaList[StateField] = Field(default=[], description="Only these fields.")


def _state_select() -> Any:
    return select(*COUNTRY_COLUMNS).where(
        published(Country), col(Country.kind) == CountryKind.participating_state
    )


def _state_json(row: Row[Any], years: list[int]) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "name": row.name,
        "iso_alpha2": row.iso_alpha2,
        "iso_alpha3": row.iso_alpha3,
        "region": row.region,
        "capital": {"name": row.capital, "latitude": row.latitude, "longitude": row.longitude},
        "joined_on": row.joined_on,
        "chairpersonship_years": years,
    }


def _chair_years(session: SessionDep, country_ids: list[int]) -> dict[int, list[int]]:
    years: dict[int, list[int]] = {i: [] for i in country_ids}
    rows = session.execute(
        select(col(Chairpersonship.country_id), col(Chairpersonship.year))
        .where(published(Chairpersonship), col(Chairpersonship.country_id).in_(country_ids))
        .order_by(col(Chairpersonship.year))
    )
    for country_id, year in rows:
        years[country_id].append(year)
    return years


@router.get(
    "",
    response_model=Collection[StatePublic],
    responses=LIST_ERRORS,
    operation_id="listStates",
    summary="List participating States",
)
def list_states(
    request: Request, session: SessionDep, params: Annotated[StateParams, Query()]
) -> Response:
    """The 57 participating States, filtered by when they joined, where they are and by name."""
    statement = _state_select().where(
        *where_window(params, JOINED),
        *where_place(session, params, STATE_PLACE),
        *where_text(Country.search_text, params.q),
    )
    page = paginate(session, statement, params, order_by(params.sort, STATE_SORTS, Country.id))
    years = _chair_years(session, [r.id for r in page.rows])
    items = [_state_json(r, years[r.id]) for r in page.rows]
    return collection_response(request, items, page, params)


@router.get(
    "/{slug}",
    response_model=Item[StatePublic],
    responses=ITEM_ERRORS,
    operation_id="getState",
    summary="Get a participating State",
)
def get_state(
    slug: SlugPath, session: SessionDep, params: Annotated[StateItemParams, Query()]
) -> Response:
    """One participating State, by slug or ISO 3166-1 alpha-2 code (`albania` or `AL`)."""
    statement = _state_select().where(
        (Country.slug == slug.lower()) | (Country.iso_alpha2 == slug.upper())
    )
    row = one_or_404(session, statement, "participating State", slug)
    return item_response(_state_json(row, _chair_years(session, [row.id])[row.id]), params.fields)
