"""Field operations: missions, presences, centres and offices, active and closed."""

from api.content.field_operations import routes, service
from api.content.field_operations.models import FieldOperation, FieldOperationTopic
from api.content.spec import Collection, ContentType, Reference
from api.db import table
from api.formats.geojson import geojson

CONTENT = ContentType(
    name="field_operations",
    tables=(table(FieldOperation), table(FieldOperationTopic)),
    collections=(
        Collection(
            name="field-operations",
            formats=(geojson("location"),),
            sitemap=routes.OPERATIONS,
            description="Field operations, active and closed.",
            router=routes.router,
            list_example="limit=2&status=active",
            item_example="mission-to-serbia",
            parameter_examples={"sort": "established_on", "type": ["mission"], "status": "active"},
        ),
    ),
    references=(Reference("field-operation", table(FieldOperation), "slug"),),
    load_seed=service.load_seed,
    after=("topics", "countries"),
    translatable=(service.TRANSLATABLE,),
    searchable=(service.SEARCHABLE,),
)
