"""Every write of the editor API, each one transaction: the item (through its content type's
service), its link rows, its revision, its audit entry, its outbox event and, by the database's
triggers, the content version commit together or not at all.

Lost updates are refused, not merged: an update first moves the item's revision from the one
the client saw (its `If-Match`) to the next, in one conditional UPDATE. Of concurrent updates
from the same revision exactly one finds it; the others change no row and are answered 412.
That UPDATE is the transaction's first statement, so it also takes the write lock at once
(SQLite) or the row lock (PostgreSQL) before anything is read.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from api import clock
from api.content.base import ContentVersion, PublicationStatus
from api.content.service import Changes, Refs, rename
from api.content.translations.service import Texts, forget_deleted
from api.db import table
from api.editor.collections import EditorCollection, Save
from api.editor.keys import Principal, new_token, token_hash
from api.editor.models import (
    ApiKey,
    AuditEntry,
    EditorItem,
    IdempotencyRecord,
    Revision,
    SlugRedirect,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from api.editor.translations import translations_for
from api.registry import REFERENCES


class StaleError(Exception):
    """The item is no longer at the revision the client saw."""


class ConflictError(Exception):
    """The write would break a rule of the data (a slug taken, a row still referred to)."""


@dataclass(frozen=True)
class Editorial:
    """The editorial state a write asks for."""

    status: str  # draft, published, scheduled
    publish_at: datetime | None = None
    unpublish_at: datetime | None = None


def schedule_bounds(session: Session) -> None:
    """Keep the version row's summary of the schedule in step (see `api.db.published`)."""
    session.execute(
        update(ContentVersion)
        .where(col(ContentVersion.id) == 1)
        .values(
            publish_until=select(func.max(EditorItem.publish_at)).scalar_subquery(),
            unpublish_from=select(func.min(EditorItem.unpublish_at)).scalar_subquery(),
        )
    )


def dump(record: BaseModel) -> str:
    return orjson.dumps(record.model_dump(mode="json")).decode()


# --- keys ----------------------------------------------------------------------------------


def create_key(
    session: Session,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    by: Principal | None = None,
    request_id: str | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its token (the only time the token exists outside the client). The audit
    entry names the key that made it (`by`), or the new key itself when made on the command
    line; its item is `keys/<id>`."""
    token = new_token()
    key = ApiKey(
        name=name, token_hash=token_hash(token), scopes=" ".join(scopes), expires_at=expires_at
    )
    session.add(key)
    session.flush()
    assert key.id is not None
    session.add(_key_audit("key.created", key.id, by, request_id))
    session.commit()
    session.refresh(key)
    return key, token


def revoke_key(
    session: Session, key_id: int, by: Principal | None = None, request_id: str | None = None
) -> ApiKey | None:
    """The key, revoked from its next request on (None if there is no such key); revoking a
    revoked key changes nothing and writes no audit entry."""
    key = session.get(ApiKey, key_id)
    if key is None:
        return None
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        session.add(_key_audit("key.revoked", key_id, by, request_id))
        session.commit()
        session.refresh(key)
    return key


def _key_audit(
    action: str, key_id: int, by: Principal | None, request_id: str | None
) -> AuditEntry:
    actor = by.key_id if by is not None else key_id
    return AuditEntry(key_id=actor, action=action, collection="keys", slug=str(key_id),
                      request_id=request_id)  # fmt: skip


def touch_key(session: Session, key_id: int, at: datetime) -> None:
    session.execute(update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=at))
    session.commit()


# --- items ---------------------------------------------------------------------------------


def _publication(editorial: Editorial) -> str:
    draft = editorial.status == "draft"
    return PublicationStatus.draft if draft else PublicationStatus.published


def _schedule(editorial: Editorial) -> dict[str, Any]:
    """`publish_at` only hides an item while it is ahead: a published item has none."""
    publish_at = editorial.publish_at if editorial.status == "scheduled" else None
    unpublish_at = editorial.unpublish_at if editorial.status != "draft" else None
    return {"status": editorial.status, "publish_at": publish_at, "unpublish_at": unpublish_at}


def _event_type(collection: EditorCollection, before: str | None, after: str) -> str:
    """A scheduled item is announced as published when it appears (`announce_schedule`)."""
    if after == "trashed" or (before in ("published", "scheduled") and after == "draft"):
        return f"{collection.event}.unpublished"
    if after == "published" and before != "published":
        return f"{collection.event}.published"
    if before is None:
        return f"{collection.event}.created"
    return f"{collection.event}.updated"


def _announce(session: Session, event_type: str, data: dict[str, Any]) -> None:
    """The outbox: the event, and one pending delivery per subscription that wants it."""
    event = WebhookEvent(type=event_type, payload=orjson.dumps(data).decode())
    session.add(event)
    session.flush()
    for subscription in session.exec(select(WebhookSubscription)).all():
        wanted = subscription.events.split()
        if "*" in wanted or event_type in wanted:
            assert event.id is not None
            assert subscription.id is not None
            session.add(WebhookDelivery(event_id=event.id, subscription_id=subscription.id))


def _snapshot_of(texts: dict[str, Any] | None) -> str | None:
    return orjson.dumps(texts).decode() if texts is not None else None


def translations_now(session: Session, collection: EditorCollection, item_id: int) -> str | None:
    """The JSON of an item's translations as they are, for its revision (None: it has none)."""
    texts_of = translations_for(collection)
    return _snapshot_of(texts_of.read(session, item_id)) if texts_of is not None else None


def _record(
    session: Session,
    collection: EditorCollection,
    item: EditorItem,
    document: str,
    action: str,
    principal: Principal,
    request_id: str | None,
    slug: str,
    event_type: str,
) -> None:
    """The revision (with the item's translations as they now are), audit entry and outbox
    event of a write."""
    session.flush()
    session.add(
        Revision(
            kind=item.kind,
            item_id=item.item_id,
            number=item.revision,
            collection=collection.name,
            action=action,
            document=document,
            translations=translations_now(session, collection, item.item_id),
            status=item.status,
            publish_at=item.publish_at,
            unpublish_at=item.unpublish_at,
            key_id=principal.key_id,
        )
    )
    session.add(
        AuditEntry(
            key_id=principal.key_id,
            action=f"{collection.name}.{action}",
            collection=collection.name,
            slug=slug,
            revision=item.revision,
            request_id=request_id,
        )
    )
    data = {
        "collection": collection.name,
        "slug": slug,
        "revision": item.revision,
        "status": item.status,
    }
    _announce(session, event_type, data)
    session.flush()
    schedule_bounds(session)


def _save(
    session: Session,
    collection: EditorCollection,
    record: Any,
    editorial: Editorial,
    save: Save | None = None,
) -> Any:
    refs = Refs.load(session, REFERENCES)
    return (save or collection.save)(session, refs, Changes(), record, _publication(editorial))


def create_item(
    session: Session,
    collection: EditorCollection,
    record: Any,
    editorial: Editorial,
    principal: Principal,
    request_id: str | None,
    save: Save | None = None,
) -> EditorItem:
    """A new item at revision 1; a slug already in the table is a ConflictError. `save`
    replaces the collection's own where the document is not all there is (an upload's file)."""
    row_model: Any = collection.row
    taken = session.exec(select(row_model.id).where(row_model.slug == record.slug)).first()
    if taken is not None:
        raise ConflictError(f"An item with the slug {record.slug!r} exists already.")
    row = _save(session, collection, record, editorial, save)
    item = EditorItem(
        kind=collection.kind,
        item_id=row.id,
        collection=collection.name,
        revision=1,
        **_schedule(editorial),
    )
    session.add(item)
    # A slug in use again is no longer a redirect.
    session.execute(
        delete(SlugRedirect).where(
            col(SlugRedirect.collection) == collection.name,
            col(SlugRedirect.old_slug) == record.slug,
        )
    )
    event = _event_type(collection, None, editorial.status)
    _record(
        session,
        collection,
        item,
        dump(record),
        "created",
        principal,
        request_id,
        record.slug,
        event,
    )
    session.flush()
    return item


def _claim(
    session: Session, item: EditorItem, expected: int, changes: dict[str, Any]
) -> EditorItem:
    """Move the item from revision `expected` to the next, or raise StaleError; the item as
    it is now."""
    key = (item.kind, item.item_id)
    moved = session.execute(
        update(EditorItem)
        .where(
            col(EditorItem.kind) == item.kind,
            col(EditorItem.item_id) == item.item_id,
            col(EditorItem.revision) == expected,
        )
        .values(revision=expected + 1, updated_at=clock.now(), **changes)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise StaleError
    claimed = session.get(EditorItem, key, populate_existing=True)
    assert claimed is not None
    return claimed


def update_item(
    session: Session,
    collection: EditorCollection,
    item: EditorItem,
    old_slug: str,
    expected: int,
    record: Any,
    editorial: Editorial,
    principal: Principal,
    request_id: str | None,
    action: str = "updated",
    translations: Texts | None = None,
) -> EditorItem:
    """Save a new version of an item seen at revision `expected`; with `translations`
    ({lang: {field: text}}), they become the item's translations in the same transaction."""
    before = item.status
    item = _claim(session, item, expected, _schedule(editorial) | {"trashed_at": None})
    row_model: Any = collection.row
    row = session.exec(select(row_model).where(row_model.id == item.item_id)).one()
    if record.slug != old_slug:
        taken = session.exec(select(row_model.id).where(row_model.slug == record.slug)).first()
        if taken is not None:
            session.rollback()
            raise ConflictError(f"An item with the slug {record.slug!r} exists already.")
        rename(session, row, record.slug)
        _redirect(session, collection.name, old_slug, record.slug)
    saved = _save(session, collection, record, editorial)
    if translations is not None:
        _translate(session, collection, saved, translations)
    event = _event_type(collection, before, editorial.status)
    _record(
        session, collection, item, dump(record), action, principal, request_id, record.slug, event
    )
    session.flush()
    return item


def translate_item(
    session: Session,
    collection: EditorCollection,
    item: EditorItem,
    slug: str,
    expected: int,
    document: str,
    texts: Texts,
    principal: Principal,
    request_id: str | None,
) -> EditorItem:
    """Make an item seen at revision `expected` (whose document is `document`) have the
    translations `texts` ({lang: {field: text}}): a new revision of the same document, its
    editorial state unchanged."""
    item = _claim(session, item, expected, {})
    row_model: Any = collection.row
    row = session.exec(select(row_model).where(row_model.id == item.item_id)).one()
    _translate(session, collection, row, texts)
    event = _event_type(collection, item.status, item.status)
    _record(session, collection, item, document, "translated", principal, request_id, slug, event)
    session.flush()
    return item


def _translate(session: Session, collection: EditorCollection, row: Any, texts: Texts) -> None:
    texts_of = translations_for(collection)
    assert texts_of is not None  # only collections with translations have them to save
    texts_of.write(session, row, texts)


def _redirect(session: Session, collection: str, old: str, new: str) -> None:
    """`old` answers 301 to `new`, and so do the slugs that led to `old`."""
    session.execute(
        update(SlugRedirect)
        .where(col(SlugRedirect.collection) == collection, col(SlugRedirect.new_slug) == old)
        .values(new_slug=new)
    )
    session.execute(
        delete(SlugRedirect).where(
            col(SlugRedirect.collection) == collection, col(SlugRedirect.old_slug) == new
        )
    )
    session.add(SlugRedirect(collection=collection, old_slug=old, new_slug=new))


def trash_item(
    session: Session,
    collection: EditorCollection,
    item: EditorItem,
    slug: str,
    expected: int,
    document: str,
    principal: Principal,
    request_id: str | None,
) -> EditorItem:
    """Withdraw the item from the public API; it can be restored, or purged."""
    item = _claim(session, item, expected, {"trashed_at": clock.now()})
    record = collection.model.model_validate_json(document)
    collection.save(
        session, Refs.load(session, REFERENCES), Changes(), record, PublicationStatus.draft
    )
    _record(
        session,
        collection,
        item,
        document,
        "trashed",
        principal,
        request_id,
        slug,
        _event_type(collection, item.status, "trashed"),
    )
    session.flush()
    return item


def purge_item(
    session: Session,
    collection: EditorCollection,
    item: EditorItem,
    slug: str,
    principal: Principal,
    request_id: str | None,
) -> None:
    """Delete a trashed item for good; its revisions go with it, the audit log keeps it."""
    row_model: Any = collection.row
    session.execute(delete(row_model).where(row_model.id == item.item_id))
    forget_deleted(session, table(collection.row))
    session.execute(
        delete(Revision).where(
            col(Revision.kind) == item.kind, col(Revision.item_id) == item.item_id
        )
    )
    session.execute(
        delete(SlugRedirect).where(
            col(SlugRedirect.collection) == collection.name,
            col(SlugRedirect.new_slug) == slug,
        )
    )
    session.execute(
        delete(EditorItem).where(
            col(EditorItem.kind) == item.kind, col(EditorItem.item_id) == item.item_id
        )
    )
    session.add(
        AuditEntry(
            key_id=principal.key_id,
            action=f"{collection.name}.purged",
            collection=collection.name,
            slug=slug,
            request_id=request_id,
        )
    )
    _announce(session, f"{collection.event}.deleted", {"collection": collection.name, "slug": slug})
    session.flush()
    schedule_bounds(session)
    session.flush()


# --- idempotency ---------------------------------------------------------------------------


def claim_idempotency_key(session: Session, key_id: int, key: str, request_hash: str) -> None:
    """The first statement of a POST with an `Idempotency-Key`: a second request with the same
    key waits here for the first to commit, then fails on the primary key."""
    session.add(
        IdempotencyRecord(
            key_id=key_id, idempotency_key=key, request_hash=request_hash, status=0, body=""
        )
    )
    session.flush()


def keep_answer(
    session: Session, key_id: int, key: str, status: int, body: bytes, location: str | None
) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(
            col(IdempotencyRecord.key_id) == key_id, col(IdempotencyRecord.idempotency_key) == key
        )
        .values(status=status, body=body.decode(), location=location)
    )


# --- seed ----------------------------------------------------------------------------------


def record_seed_revision(
    session: Session, collection: EditorCollection, record: BaseModel, item_id: int, status: str
) -> None:
    """Revision 1 of a seeded item, so that the editor API can show and edit it."""
    session.add(
        EditorItem(
            kind=collection.kind,
            item_id=item_id,
            collection=collection.name,
            revision=1,
            status=status,
        )
    )
    session.add(
        Revision(
            kind=collection.kind,
            item_id=item_id,
            number=1,
            collection=collection.name,
            action="seeded",
            document=dump(record),
            status=status,
        )
    )


# --- webhooks ------------------------------------------------------------------------------


def create_subscription(
    session: Session, url: str, events: list[str], secret: str, principal: Principal
) -> WebhookSubscription:
    subscription = WebhookSubscription(url=url, events=" ".join(events), secret=secret)
    session.add(subscription)
    session.flush()
    session.add(AuditEntry(key_id=principal.key_id, action="webhook.created", slug=url))
    session.commit()
    session.refresh(subscription)
    return subscription


def delete_subscription(session: Session, subscription_id: int, principal: Principal) -> bool:
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        return False
    session.execute(
        delete(WebhookSubscription).where(col(WebhookSubscription.id) == subscription_id)
    )
    session.add(AuditEntry(key_id=principal.key_id, action="webhook.deleted",
                           slug=subscription.url))  # fmt: skip
    session.commit()
    return True


def claim_deliveries(
    session: Session, limit: int, lease: timedelta
) -> list[tuple[WebhookDelivery, WebhookEvent, WebhookSubscription]]:
    """Take up to `limit` due deliveries for this worker: each gets one more attempt and is
    hidden from other workers for `lease` (past it, a crashed worker's delivery is due again).
    On PostgreSQL the rows are claimed with FOR UPDATE SKIP LOCKED: two workers never take
    the same one, and neither waits for the other."""
    now = clock.now()
    due = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", col(WebhookDelivery.next_attempt_at) <= now)
        .order_by(col(WebhookDelivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.exec(due).all())
    if not ids:
        session.rollback()
        return []
    session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id).in_(ids))
        .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=now + lease)
    )
    session.commit()
    rows = session.exec(
        select(WebhookDelivery, WebhookEvent, WebhookSubscription)
        .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
        .join(WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id)
        .where(col(WebhookDelivery.id).in_(ids))
        .order_by(col(WebhookDelivery.id))
    ).all()
    return [(d, e, s) for d, e, s in rows]


def record_delivery(
    session: Session,
    delivery_id: int,
    *,
    status: int | None,
    error: str | None,
    elapsed_ms: float,
    retry_at: datetime | None,
) -> None:
    """The outcome of an attempt: delivered, due again at `retry_at`, or failed for good."""
    values: dict[str, Any] = {"response_status": status, "last_error": error,
                              "response_ms": round(elapsed_ms, 1)}  # fmt: skip
    if error is None:
        values |= {"status": "delivered", "delivered_at": clock.now()}
    elif retry_at is not None:
        values |= {"status": "pending", "next_attempt_at": retry_at}
    else:
        values |= {"status": "failed"}
    session.execute(
        update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id).values(**values)
    )
    session.commit()


def replay_delivery(session: Session, delivery_id: int, principal: Principal) -> bool:
    """Send a delivery again, now, whatever became of it."""
    replayed = session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery_id)
        .values(status="pending", next_attempt_at=clock.now())
    )
    if replayed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    session.add(AuditEntry(key_id=principal.key_id, action="webhook.replayed",
                           revision=delivery_id))  # fmt: skip
    session.commit()
    return True


def announce_schedule(session: Session) -> int:
    """Announce the scheduled items that have appeared or gone since the last call (the
    public API shows them without it: this only sends the webhooks). Each is taken once, by
    whichever worker locks it first."""
    from api.editor.collections import BY_NAME  # the collections import the services

    now, announced = clock.now(), 0
    appeared = select(EditorItem).where(
        EditorItem.status == "scheduled", col(EditorItem.publish_at) <= now
    )
    gone = select(EditorItem).where(
        col(EditorItem.status).in_(["published", "scheduled"]),
        col(EditorItem.unpublish_at) <= now,
    )
    for query, status, action in ((appeared, "published", "published"),
                                  (gone, "draft", "unpublished")):  # fmt: skip
        for item in session.exec(query.with_for_update(skip_locked=True)).all():
            collection = BY_NAME[item.collection]
            row: Any = collection.row
            slug = session.exec(select(row.slug).where(row.id == item.item_id)).one()
            item.status = status
            session.add(item)
            data = {"collection": item.collection, "slug": slug, "revision": item.revision,
                    "status": status}  # fmt: skip
            _announce(session, f"{collection.event}.{action}", data)
            announced += 1
    if announced:
        session.flush()
        schedule_bounds(session)
    session.commit()
    return announced


# --- import --------------------------------------------------------------------------------


def _parsed(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def current_document(entry: dict[str, Any]) -> Any:
    """The document of an export line's current revision."""
    return next(r for r in entry["revisions"] if r["number"] == entry["revision"])["document"]


def restore_item(
    session: Session,
    *,
    collection: EditorCollection | None = None,
    refs: Refs | None = None,
    changes: Changes | None = None,
    entry: dict[str, Any] | None = None,
    redirect: SlugRedirect | None = None,
) -> Any:
    """One line of an export (`api/editor/transfer.py`): an item as it was (its row is
    returned), or a redirect."""
    if redirect is not None:
        session.add(redirect)
        return None
    assert collection is not None
    assert refs is not None
    assert changes is not None
    assert entry is not None
    revisions = entry["revisions"]
    record = collection.model.model_validate(current_document(entry))
    hidden = entry["status"] == "draft" or entry["trashed_at"] is not None
    status = PublicationStatus.draft if hidden else PublicationStatus.published
    row = collection.save(session, refs, changes, record, status)
    session.add(EditorItem(
        kind=collection.kind, item_id=row.id, collection=collection.name,
        revision=entry["revision"], status=entry["status"],
        publish_at=_parsed(entry["publish_at"]), unpublish_at=_parsed(entry["unpublish_at"]),
        trashed_at=_parsed(entry["trashed_at"]),
        updated_at=datetime.fromisoformat(entry["updated_at"]),
    ))  # fmt: skip
    for revision in revisions:
        session.add(Revision(
            kind=collection.kind, item_id=row.id, number=revision["number"],
            collection=collection.name, action=revision["action"],
            document=dump(collection.model.model_validate(revision["document"])),
            translations=_snapshot_of(revision.get("translations")),
            status=revision["status"], publish_at=_parsed(revision["publish_at"]),
            unpublish_at=_parsed(revision["unpublish_at"]), key_id=revision["key_id"],
            created_at=datetime.fromisoformat(revision["created_at"]),
        ))  # fmt: skip
    session.flush()
    return row
