"""Plain factory functions: rows written by the same services as the seed and every other write.

Each takes the test's `session` (a private copy of the seeded database) and keyword overrides of
the `*In` model fields, writes the row with its service, commits, and returns it. `draft=True`
writes it as a draft.
"""

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from sqlmodel import Session

from api.content.base import PublicationStatus
from api.content.events.models import Event, EventIn
from api.content.events.service import save_event
from api.content.field_operations.models import FieldOperation, FieldOperationIn
from api.content.field_operations.service import save_field_operation
from api.content.news.models import News, NewsIn
from api.content.news.service import save_news
from api.content.service import Changes, Refs
from api.registry import REFERENCES

_numbers = count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}"


def _status(draft: bool) -> dict[str, PublicationStatus]:
    return {"publication_status": PublicationStatus.draft if draft else PublicationStatus.published}


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
    refs = Refs.load(session, REFERENCES)
    row = save_news(session, refs, Changes(), record, **_status(draft))
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
    refs = Refs.load(session, REFERENCES)
    row = save_event(session, refs, Changes(), record, **_status(draft))
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
    refs = Refs.load(session, REFERENCES)
    row = save_field_operation(session, refs, Changes(), record, **_status(draft))
    session.commit()
    return row
