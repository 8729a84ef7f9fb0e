"""Webhook delivery: the outbox (`webhook_delivery`) sent to subscribers, at least once.

Each delivery is a POST of `{"type", "timestamp", "data"}` signed as the Standard Webhooks
specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 with
the subscription's `whsec_` secret, by the reference `standardwebhooks` library), so that a
receiver verifies it with off-the-shelf code. The id is the event's, the same on every
attempt: receivers drop repeats by it.

A worker (`content-api webhooks-worker`, any number of them) claims due deliveries (see
`service.claim_deliveries`: FOR UPDATE SKIP LOCKED on PostgreSQL), sends them, and records the
outcome in the delivery log: status, attempts, last error, response time. A failure is tried
again after 2^attempts seconds (capped at an hour), MAX_ATTEMPTS times in all; a failed
delivery can be replayed through the API. Targets in private, loopback and link-local ranges
are refused (when subscribing, and again when sending, since a name can change address)
unless WEBHOOK_ALLOW_PRIVATE is set.
"""

import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

import orjson
from sqlalchemy import Engine
from sqlmodel import Session
from standardwebhooks.webhooks import Webhook

from api import clock
from api.editor.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from api.editor.service import announce_schedule, claim_deliveries, record_delivery

MAX_ATTEMPTS = 8
TIMEOUT_S = 5.0
LEASE = timedelta(seconds=30)  # longer than an attempt can take
log = logging.getLogger("api")


class TargetError(ValueError):
    """A webhook URL that may not be called."""


def check_target(url: str, allow_private: bool) -> None:
    """Refuse what is not http(s), and private, loopback or link-local addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError("the URL must be http:// or https:// with a host")
    if allow_private:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 80)}
    except (socket.gaierror, UnicodeError):
        raise TargetError(f"the host {parts.hostname!r} does not resolve") from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise TargetError(f"{parts.hostname} is a private, loopback or link-local address")


def payload(event: WebhookEvent) -> str:
    return orjson.dumps(
        {"type": event.type, "timestamp": event.created_at, "data": orjson.loads(event.payload)},
        option=orjson.OPT_UTC_Z,
    ).decode()


def signed_request(
    event: WebhookEvent, subscription: WebhookSubscription
) -> urllib.request.Request:
    body = payload(event)
    message_id, sent_at = f"evt_{event.id}", clock.now()
    signature = Webhook(subscription.secret).sign(message_id, sent_at, body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "osce-content-api-webhooks",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
    return urllib.request.Request(subscription.url, body.encode(), headers, method="POST")


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 3600))


def attempt(
    delivery: WebhookDelivery,
    event: WebhookEvent,
    subscription: WebhookSubscription,
    allow_private: bool,
) -> tuple[int | None, str | None, float]:
    """One POST: (response status, error or None, milliseconds)."""
    started = time.monotonic()
    status: int | None = None
    try:
        check_target(subscription.url, allow_private)
        with urllib.request.urlopen(signed_request(event, subscription), timeout=TIMEOUT_S) as r:
            status = r.status
        error = None
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
        exc.close()
    except (TargetError, OSError) as exc:
        error = str(exc) or type(exc).__name__
    return status, error, (time.monotonic() - started) * 1000


def deliver_due(engine: Engine, allow_private: bool, limit: int = 20) -> int:
    """Announce what the schedule changed, then send the deliveries due now; how many
    deliveries were attempted."""
    with Session(engine) as session:
        announce_schedule(session)
        claimed = claim_deliveries(session, limit, LEASE)
        for delivery, event, subscription in claimed:
            status, error, elapsed = attempt(delivery, event, subscription, allow_private)
            retry_at = None
            if error is not None and delivery.attempts < MAX_ATTEMPTS:
                retry_at = clock.now() + backoff(delivery.attempts)
            assert delivery.id is not None
            record_delivery(session, delivery.id, status=status, error=error,
                            elapsed_ms=elapsed, retry_at=retry_at)  # fmt: skip
            if error is not None:
                log.warning("webhook %s to %s: %s", event.type, subscription.url, error)
        return len(claimed)


def run_worker(engine: Engine, allow_private: bool, idle_s: float = 0.5) -> None:
    """Deliver forever: at once while there is work, every `idle_s` otherwise."""
    while True:
        if deliver_due(engine, allow_private) == 0:
            time.sleep(idle_s)
