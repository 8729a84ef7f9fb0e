"""Events: meetings, conferences, trainings and ceremonies, all-day or timed."""

from api.content.events import routes, service
from api.content.events.models import Event, EventTopic
from api.content.spec import Collection, ContentType
from api.db import table
from api.formats.calendar import ICALENDAR
from api.formats.geojson import geojson

CONTENT = ContentType(
    name="events",
    tables=(table(Event), table(EventTopic)),
    collections=(
        Collection(
            name="events",
            formats=(ICALENDAR, geojson("location")),
            sitemap=routes.EVENTS_DATED,
            description="Events: meetings, conferences, trainings, ceremonies.",
            router=routes.router,
            # The seed has two events: a first page of one has a next page, with a cursor.
            list_example="limit=1",
            item_example="professional-development-school-for-criminal-law-professors",
            parameter_examples={"sort": "-starts_on", "type": ["training"], "status": ["upcoming"]},
        ),
    ),
    load_seed=service.load_seed,
    after=("topics", "countries", "field_operations"),
    translatable=(service.TRANSLATABLE,),
    searchable=(service.SEARCHABLE,),
)
