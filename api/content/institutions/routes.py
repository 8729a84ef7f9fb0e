"""Structures and institutions: `/api/v1/institutions`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.responses import Response

from api.content.institutions.models import (
    Institution,
    InstitutionPublic,
    InstitutionTopic,
    InstitutionType,
)
from api.content.institutions.service import TRANSLATABLE
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    ReadContext,
    SlugPath,
    collection_of,
    fallback_of,
    item_of,
    location_of,
    topics_of,
    translations,
)
from api.content.search.query import where_search
from api.db import published, table
from api.http.responses import collection_response, item_response
from api.read.fields import Computed, PublicFields
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import CommaList, DateWindowParams, ListItem, ListParams, PlaceParams, QText
from api.read.query import (
    ListQuery,
    Place,
    Row,
    Source,
    Span,
    where_in,
    where_linked,
    where_place,
    where_window,
)

router = APIRouter(prefix="/institutions", tags=["institutions"])


def _menu_links(row: Row, context: ReadContext) -> list[dict[str, Any]]:
    return context.catalog.menu_links.get(("institution", row["id"]), [])


INSTITUTION_FIELDS = PublicFields(
    InstitutionPublic,
    {
        "slug": Institution.slug,
        "name": Institution.name,
        "acronym": Institution.acronym,
        "type": Institution.type,
        "part_of": Computed(
            (Institution.part_of_id,),
            lambda row, context: context.catalog.institutions.get(row["part_of_id"]),
        ),
        "seat": location_of(Institution, optional=False),
        "established_on": Institution.established_on,
        "summary": Institution.summary,
        "topics": topics_of(Institution.topic_ids),
        "menu_links": Computed((Institution.id,), _menu_links),
        "fallback": fallback_of(Institution.id),
    },
)
INSTITUTIONS = Source(
    "institutions",
    INSTITUTION_FIELDS.columns,
    table(Institution),
    Institution.id,
    (published(Institution),),
)
INSTITUTION_SORTS = {
    "position": SortKey(Institution.position, "int"),
    "name": SortKey(Institution.sort_name, "text"),
    "established_on": SortKey(Institution.established_on, "date"),
}
ESTABLISHED = Span(starts_on=Institution.established_on, ends_on=Institution.established_on)
SEAT = Place(
    Institution.latitude,
    Institution.longitude,
    Institution.city_slug,
    Institution.region,
    Institution.territory_slug,
    countries=(Institution.country_id,),
)


class InstitutionParams(ListParams, DateWindowParams, PlaceParams):
    """`date_from`/`date_to`: established within; `country`, `region`, `city`, `near`,
    `bbox`: by its seat."""

    sort: Literal["position", "-position", "name", "-name", "established_on", "-established_on"] = (
        Field(default="position", description="`position` is the order of the website's menu.")
    )
    fields: Annotated[CommaList[str], INSTITUTION_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )
    type: CommaList[InstitutionType] = Field(
        default_factory=list, description="Any of these types."
    )
    part_of: CommaList[ListItem] = Field(
        default_factory=list, description="Slugs of the structures they belong to (any of them)."
    )
    topic: CommaList[ListItem] = Field(
        default_factory=list, description="Topic slugs (any of them)."
    )
    q: QText = None


class InstitutionItemParams(ItemParams):
    fields: Annotated[CommaList[str], INSTITUTION_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


@router.get(
    "",
    response_model=collection_of(InstitutionPublic),
    responses=LIST_ERRORS,
    operation_id="listInstitutions",
    summary="List structures and institutions",
)
async def list_institutions(
    request: Request, context: Context, params: Annotated[InstitutionParams, Query()]
) -> Response:
    """The OSCE's structures and institutions, in the website's order unless sorted otherwise."""
    catalog = context.catalog
    query = ListQuery(INSTITUTIONS).where(
        where_window(params, ESTABLISHED),
        where_place(params, SEAT, catalog),
        where_search(params.q, "institutions", Institution.id, context.lang),
        where_in(Institution.type, "type", [t.value for t in params.type]),
        where_in(Institution.part_of_id, "part_of", catalog.institution_ids(params.part_of)),
        where_linked(
            Institution.id,
            InstitutionTopic.institution_id,
            InstitutionTopic.topic_id,
            "topic",
            catalog.topic_ids(params.topic),
        ),
    )
    page = await paginate(request, context.reader, query, params, INSTITUTION_SORTS)
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = INSTITUTION_FIELDS.items(page.rows, context, params.fields, texts)
    return collection_response(request, items, page, params)


INSTITUTION_ITEM = ItemBy(INSTITUTIONS, Institution.slug, "structure or institution")


@router.get(
    "/{slug}",
    response_model=item_of(InstitutionPublic),
    responses=ITEM_ERRORS,
    operation_id="getInstitution",
    summary="Get a structure or institution",
)
async def get_institution(
    slug: SlugPath, context: Context, params: Annotated[InstitutionItemParams, Query()]
) -> Response:
    """One structure or institution, by slug."""
    row = await INSTITUTION_ITEM.fetch(context.reader, slug.lower(), slug)
    texts = await translations(context, TRANSLATABLE, [row])
    return item_response(INSTITUTION_FIELDS.item(row, context, params.fields, texts))
