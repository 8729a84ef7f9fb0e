"""What the formats share: instants from either database, and where an item lives on the
website (`WEBSITE_URL_PATTERN`, `WEBSITE_URL_PATTERNS`)."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from api.config import Settings


def as_instant(value: datetime | str) -> datetime:
    """An aware UTC datetime: PostgreSQL gives one, SQLite its stored UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def website_url(settings: Settings, collection: str, slug: str) -> str:
    """The item's page on the public website."""
    pattern = settings.website_url_patterns.get(collection, settings.website_url_pattern)
    return pattern.format(collection=collection, slug=quote(slug))


def stable_id(settings: Settings, collection: str, slug: str) -> str:
    """A tag URI (RFC 4151) for an item: the same wherever the API is served from and
    whatever the website's URLs become, so readers never see an item twice."""
    authority = urlsplit(settings.website_url_pattern).hostname or "localhost"
    return f"tag:{authority},2025:{collection}/{slug}"


EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def latest(request: Any, rows: Any, column: str = "updated_at") -> datetime:
    """When the newest of `rows` changed; for no rows, when the content last changed (an
    answer must not date itself by the clock, or its ETag would change at every request)."""
    instants = [as_instant(row[column]) for row in rows]
    if instants:
        return max(instants)
    changed_at = request.scope.get("state", {}).get("changed_at")
    return as_instant(changed_at) if changed_at is not None else EPOCH
