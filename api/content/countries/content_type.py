"""Countries: the participating States and the Partners for Co-operation share one table."""

from api.content.countries import partners, service, states
from api.content.countries.models import Chairpersonship, Country, CountryKind
from api.content.spec import Collection, ContentType, Reference
from api.db import table
from api.formats.geojson import geojson

COUNTRY = table(Country)
CONTENT = ContentType(
    name="countries",
    tables=(COUNTRY, table(Chairpersonship)),
    collections=(
        Collection(
            name="states",
            formats=(geojson("capital"),),
            sitemap=states.STATES,
            description="The 57 participating States.",
            router=states.router,
            list_example="limit=2",
            item_example="austria",
            parameter_examples={"sort": "joined_on"},
        ),
        Collection(
            name="partners",
            formats=(geojson("capital"),),
            sitemap=partners.PARTNERS,
            description="The 11 Partners for Co-operation (Asian and Mediterranean).",
            router=partners.router,
            list_example="limit=2",
            item_example="japan",
            parameter_examples={"sort": "-partner_since"},
        ),
    ),
    references=(
        Reference("country", COUNTRY, "iso_alpha2"),
        Reference("state", COUNTRY, "slug", (COUNTRY.c.kind == CountryKind.participating_state,)),
        Reference("partner", COUNTRY, "slug", (COUNTRY.c.kind == CountryKind.partner,)),
    ),
    load_seed=service.load_seed,
    after=("topics",),
    translatable=(service.TRANSLATABLE,),
    searchable=(service.STATES, service.PARTNERS),
)
