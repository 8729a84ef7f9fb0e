"""Structures and institutions of the OSCE."""

from api.content.institutions import routes, service
from api.content.institutions.models import Institution, InstitutionTopic
from api.content.spec import Collection, ContentType, Reference
from api.db import table
from api.formats.geojson import geojson

CONTENT = ContentType(
    name="institutions",
    tables=(table(Institution), table(InstitutionTopic)),
    collections=(
        Collection(
            name="institutions",
            formats=(geojson("seat"),),
            sitemap=routes.INSTITUTIONS,
            description="The OSCE's structures and institutions: the Secretariat, ODIHR, "
            "HCNM, the Representative on Freedom of the Media, the Parliamentary Assembly, "
            "the Court of Conciliation and Arbitration.",
            router=routes.router,
            list_example="limit=2",
            item_example="odihr",
            parameter_examples={
                "sort": "established_on",
                "type": ["institution"],
                "part_of": ["secretariat"],
            },
        ),
    ),
    references=(Reference("institution", table(Institution), "slug"),),
    load_seed=service.load_seed,
    after=("topics", "countries"),
    translatable=(service.TRANSLATABLE,),
    searchable=(service.SEARCHABLE,),
)
