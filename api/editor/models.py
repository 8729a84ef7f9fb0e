"""The editor API's own tables: keys, the editorial state of items, revisions, the audit log,
idempotency records, slug redirects and the webhook outbox.

They are bookkeeping, not content: only `editor_item` changes what the public API shows (its
`publish_at` and `unpublish_at` hide scheduled items), so only it bumps the content version.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.content.base import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    """A bearer token, kept only as its SHA-256: the token itself is shown once, at creation."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: str = Field(sa_type=sa.Text)  # space-separated
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EditorItem(SQLModel, table=True):
    """The editorial state of one content row: its revision (the ETag), its schedule, trash.

    `kind` is the content table's name (`news`, `country`, …). The public read path hides the
    ids whose `publish_at` is still ahead or whose `unpublish_at` has passed (`api.db.published`)
    through the two (kind, instant) indexes: ranges that are empty unless something is
    scheduled.
    """

    __tablename__ = "editor_item"
    __table_args__ = (
        sa.Index("ix_editor_item_kind_publish_at", "kind", "publish_at"),
        sa.Index("ix_editor_item_kind_unpublish_at", "kind", "unpublish_at"),
        # The search's schedule guard (api/content/search/query.py) looks hits up by these.
        sa.Index("ix_editor_item_collection_item", "collection", "item_id"),
    )

    kind: str = Field(primary_key=True, max_length=40)
    item_id: int = Field(primary_key=True)
    collection: str = Field(max_length=40)
    revision: int
    status: str = Field(max_length=16)  # draft, published, scheduled, as the editor set it
    publish_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unpublish_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    trashed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Revision(SQLModel, table=True):
    """Every save of an item: who, when, the full document and its editorial state."""

    __tablename__ = "revision"
    __table_args__ = (sa.UniqueConstraint("kind", "item_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    item_id: int
    number: int
    collection: str = Field(max_length=40)
    action: str = Field(max_length=24)
    document: str = Field(sa_type=sa.Text)  # JSON of the collection's input model
    # JSON of the item's translations after this revision ({lang: {field: text}}); None where
    # the collection has none, or the revision is older than the editor's translations.
    translations: str | None = Field(default=None, sa_type=sa.Text)
    status: str = Field(max_length=16)
    publish_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unpublish_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    key_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """One write or key operation; rows are only ever inserted."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    key_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=40)
    collection: str | None = Field(default=None, max_length=40)
    slug: str | None = Field(default=None, max_length=120)
    revision: int | None = None
    request_id: str | None = Field(default=None, max_length=100)


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST with this `Idempotency-Key`, per API key."""

    __tablename__ = "idempotency_record"

    key_id: int = Field(primary_key=True)
    idempotency_key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    status: int
    body: str = Field(sa_type=sa.Text)
    location: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SlugRedirect(SQLModel, table=True):
    """An old slug of an item, answered with a 301 to its current one."""

    __tablename__ = "slug_redirect"

    collection: str = Field(primary_key=True, max_length=40)
    old_slug: str = Field(primary_key=True, max_length=120)
    new_slug: str = Field(max_length=120)


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscription"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=sa.Text)
    events: str = Field(sa_type=sa.Text)  # space-separated: "news.published menu.updated", "*"
    secret: str = Field(max_length=100)  # "whsec_…", as the Standard Webhooks libraries take it
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookEvent(SQLModel, table=True):
    """The outbox: written in the transaction of the change it announces."""

    __tablename__ = "webhook_event"

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=60)
    payload: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription, until delivered: the worker's queue and its log."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (sa.Index("ix_webhook_delivery_status_next_attempt_at", "status",
                               "next_attempt_at"),)  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="webhook_event.id", ondelete="CASCADE")
    subscription_id: int = Field(foreign_key="webhook_subscription.id", ondelete="CASCADE")
    status: str = Field(default="pending", max_length=16)  # pending, delivered, failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    response_status: int | None = None
    response_ms: float | None = None
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
