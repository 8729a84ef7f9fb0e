"""Plain factory functions: build valid rows through the same builders the seed loader uses.

Each takes the test's `session` (a private copy of the seeded database) and keyword overrides of
the `*In` model fields, inserts and commits the row, and returns it.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, select

from api.content.base import PublicationStatus
from api.content.countries.models import Country
from api.content.events.models import Event, EventIn, EventTopic
from api.content.field_operations.models import FieldOperation, FieldOperationIn
from api.content.news.models import News, NewsCountry, NewsIn, NewsTopic
from api.content.topics.models import Topic
from api.seed import Refs, event_values, field_operation_values, news_countries, news_values

_counter = 0


def _unique(prefix: str) -> str:
    global _counter
    _counter += 1
    return f"{prefix}-{_counter}"


def refs(session: Session) -> Refs:
    """The natural keys of what is in the database now."""
    found = Refs()
    for country in session.exec(select(Country)).all():
        assert country.id is not None
        found.country[country.iso_alpha2] = country.id
        found.country_region[country.iso_alpha2] = country.region
    found.topic = {t.slug: t.id for t in session.exec(select(Topic)).all() if t.id}
    found.field_operation = {
        o.slug: o.id for o in session.exec(select(FieldOperation)).all() if o.id
    }
    return found


def make_news(session: Session, *, draft: bool = False, **fields: Any) -> News:
    slug = fields.pop("slug", None) or _unique("test-news")
    record = NewsIn.model_validate(
        {
            "slug": slug,
            "title": f"Test news {slug}",
            "type": "news-item",
            "published_at": datetime(2024, 1, 1, 12, tzinfo=UTC),
            "summary": "A summary.",
            "body": "A body.",
        }
        | fields
    )
    known = refs(session)
    row = News(slug=record.slug, **news_values(record, known))
    if draft:
        row.publication_status = PublicationStatus.draft
    session.add(row)
    session.flush()
    # Link rows carry the item's status and date, as the seed loader writes them.
    copied = {"publication_status": row.publication_status, "published_at": row.published_at}
    for code in news_countries(record):
        session.add(NewsCountry(news_id=row.id, country_id=known.country[code], **copied))
    for topic in record.topics:
        session.add(NewsTopic(news_id=row.id, topic_id=known.topic[topic], **copied))
    session.commit()
    return row


def make_event(session: Session, *, draft: bool = False, **fields: Any) -> Event:
    slug = fields.pop("slug", None) or _unique("test-event")
    record = EventIn.model_validate(
        {
            "slug": slug,
            "title": f"Test event {slug}",
            "type": "meeting",
            "all_day": True,
            "starts_on": date(2024, 3, 1),
            "ends_on": date(2024, 3, 1),
            "time_zone": "Europe/Vienna",
            "summary": "A summary.",
            "organiser": "OSCE Secretariat",
        }
        | fields
    )
    known = refs(session)
    row = Event(slug=record.slug, **event_values(record, known))
    if draft:
        row.publication_status = PublicationStatus.draft
    session.add(row)
    session.flush()
    for topic in record.topics:
        session.add(EventTopic(event_id=row.id, topic_id=known.topic[topic]))
    session.commit()
    return row


def make_field_operation(session: Session, *, draft: bool = False, **fields: Any) -> FieldOperation:
    slug = fields.pop("slug", None) or _unique("test-operation")
    record = FieldOperationIn.model_validate(
        {
            "slug": slug,
            "name": f"Test operation {slug}",
            "type": "mission",
            "location": {"city": "Vienna", "country": "AT", "latitude": 48.2082,
                         "longitude": 16.3738},
            "host_state": "AT",
            "established_on": date(2000, 1, 1),
            "closed_on": None,
            "mandate": "A mandate.",
        }
        | fields
    )  # fmt: skip
    row = FieldOperation(slug=record.slug, **field_operation_values(record, refs(session)))
    if draft:
        row.publication_status = PublicationStatus.draft
    session.add(row)
    session.commit()
    return row
