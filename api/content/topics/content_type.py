"""Topics: the fields of work that field operations, news and events are tagged with."""

from api.content.spec import Collection, ContentType, Reference
from api.content.topics import routes, service
from api.content.topics.models import Topic
from api.db import table

CONTENT = ContentType(
    name="topics",
    tables=(table(Topic),),
    collections=(
        Collection(
            name="topics",
            sitemap=routes.TOPICS,
            description="The fields of work that content is tagged with.",
            router=routes.router,
            list_example="limit=2",
            item_example="human-rights",
            parameter_examples={"sort": "name"},
        ),
    ),
    references=(Reference("topic", table(Topic), "slug"),),
    load_seed=service.load_seed,
    translatable=(service.TRANSLATABLE,),
)
