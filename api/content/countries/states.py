"""Participating States: `/api/v1/states`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import select
from sqlmodel import col
from starlette.responses import Response

from api.content.catalog import ids, key_of
from api.content.countries.models import Chairpersonship, Country, CountryKind, StatePublic
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
from api.db import group_ids, published, table
from api.http.responses import collection_response, item_response
from api.read.fields import Computed, PublicFields
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import CommaList, DateWindowParams, ListParams, PlaceParams, QText
from api.read.query import (
    ListQuery,
    Place,
    Source,
    Span,
    where_place,
    where_window,
)

router = APIRouter(prefix="/states", tags=["states"])

CHAIRPERSONSHIP_YEARS: Any = (
    select(group_ids(Chairpersonship.year))
    .where(col(Chairpersonship.country_id) == Country.id, published(Chairpersonship))
    .correlate(Country)
    .scalar_subquery()
    .label("chairpersonship_years")
)
STATE_FIELDS = PublicFields(
    StatePublic,
    {
        "slug": Country.slug,
        "name": Country.name,
        "iso_alpha2": Country.iso_alpha2,
        "iso_alpha3": Country.iso_alpha3,
        "region": Country.region,
        "capital": capital_of(Country),
        "joined_on": Country.joined_on,
        "chairpersonship_years": Computed(
            (CHAIRPERSONSHIP_YEARS,), lambda row, _: sorted(ids(row["chairpersonship_years"]))
        ),
        "fallback": fallback_of(Country.id),
    },
)
STATES = Source(
    "states",
    STATE_FIELDS.columns,
    table(Country),
    Country.id,
    (published(Country), col(Country.kind) == CountryKind.participating_state),
)
STATE_SORTS = {
    "name": SortKey(Country.sort_name, "text"),
    "joined_on": SortKey(Country.joined_on, "date"),
}
STATES_BY_NAME = NamedReading(
    STATES, STATE_SORTS, TRANSLATABLE.kind, CountryKind.participating_state.value
)
JOINED = Span(starts_on=Country.joined_on, ends_on=Country.joined_on)
# A State's place is its capital; `country` and `region` are the State itself.
CAPITAL = Place(
    Country.latitude,
    Country.longitude,
    Country.capital_slug,
    Country.region,
    None,
    countries=(Country.id,),
)


class StateParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: joined within; `city`, `near` and `bbox`: by capital."""

    sort: Literal["name", "-name", "joined_on", "-joined_on"] = "name"
    fields: Annotated[CommaList[str], STATE_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
    q: QText = None


class StateItemParams(ItemParams):
    fields: Annotated[CommaList[str], STATE_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


@router.get(
    "",
    response_model=collection_of(StatePublic),
    responses=LIST_ERRORS,
    operation_id="listStates",
    summary="List participating States",
)
async def list_states(
    request: Request, context: Context, params: Annotated[StateParams, Query()]
) -> Response:
    """The 57 participating States, filtered by when they joined, where they are and by name."""
    source, sorts = STATES_BY_NAME.of(context.lang, params.sort)
    query = ListQuery(source).where(
        where_window(params, JOINED),
        where_place(params, CAPITAL, context.catalog),
        where_search(params.q, "states", Country.id, context.lang),
    )
    page = await paginate(request, context.reader, query, params, sorts)
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = STATE_FIELDS.items(page.rows, context, params.fields, texts)
    return collection_response(request, items, page, params)


STATE_ITEM = ItemBy(STATES, Country.id, "participating State")


@router.get(
    "/{slug}",
    response_model=item_of(StatePublic),
    responses=ITEM_ERRORS,
    operation_id="getState",
    summary="Get a participating State",
)
async def get_state(
    slug: SlugPath, context: Context, params: Annotated[StateItemParams, Query()]
) -> Response:
    """One participating State, by slug or ISO 3166-1 alpha-2 code (`albania` or `AL`)."""
    country_id = context.catalog.country_keys.get(key_of(slug), 0)
    row = await STATE_ITEM.fetch(context.reader, country_id, slug)
    texts = await translations(context, TRANSLATABLE, [row])
    return item_response(STATE_FIELDS.item(row, context, params.fields, texts))
