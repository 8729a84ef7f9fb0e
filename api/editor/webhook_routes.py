"""`/api/v1/editor/webhooks`: subscriptions, their delivery log, and replay (`webhooks:manage`)."""

import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session, col, select
from starlette.responses import Response

from api.editor import service
from api.editor.collections import EDITOR_COLLECTIONS
from api.editor.keys import Principal, require
from api.editor.models import WebhookDelivery, WebhookSubscription
from api.editor.routes import EDITOR_ERRORS, Number, _answer, _engine, answer
from api.editor.webhooks import TargetError, check_target
from api.http.problems import PRIVATE_HEADERS, ProblemError, ProblemItem

ACTIONS = ("created", "published", "updated", "unpublished", "deleted")
EVENTS = ("*", *(f"{c.event}.{a}" for c in EDITOR_COLLECTIONS for a in ACTIONS))
Event = Annotated[str, StringConstraints(pattern=r"^(\*|[a-z_]+\.[a-z]+)$")]
manage = Depends(require("webhooks:manage"))
router = APIRouter(prefix="/webhooks", tags=["editor"])


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, examples=["https://example.org/hooks/osce"])
    events: list[Event] = Field(min_length=1, examples=[["news.published", "menu.updated"]])
    secret: str | None = Field(
        default=None,
        pattern=r"^whsec_[A-Za-z0-9+/=]{24,}$",
        description="A Standard Webhooks secret; one is made when absent (shown once).",
    )


class SubscriptionOut(BaseModel):
    id: int
    url: str
    events: list[str]
    created_at: datetime


class Subscriptions(BaseModel):
    data: list[SubscriptionOut]


class NewSubscription(SubscriptionOut):
    secret: str = Field(description="The Standard Webhooks secret: shown in this answer only.")


class NewSubscriptionAnswer(BaseModel):
    data: NewSubscription


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    subscription_id: int
    status: str = Field(examples=["delivered"], description="pending, delivered or failed")
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    response_status: int | None
    response_ms: float | None
    delivered_at: datetime | None


class Deliveries(BaseModel):
    data: list[DeliveryOut]


class Replayed(BaseModel):
    id: int
    status: str = Field(examples=["pending"])


class ReplayedAnswer(BaseModel):
    data: Replayed


def _subscription(subscription: WebhookSubscription, secret: bool = False) -> dict[str, Any]:
    out = {"id": subscription.id, "url": subscription.url, "events": subscription.events.split(),
           "created_at": subscription.created_at}  # fmt: skip
    return out | ({"secret": subscription.secret} if secret else {})


CREATED = answer(NewSubscriptionAnswer, "The subscription, with its secret.", 201)


@router.post("", operation_id="editorCreateWebhook", summary="Subscribe to events",
             status_code=201, responses=EDITOR_ERRORS | CREATED)  # fmt: skip
def create_webhook(
    request: Request, subscription: SubscriptionIn, principal: Principal = manage
) -> Response:
    """A new subscription; the answer is the only one that shows its secret."""
    unknown = sorted(set(subscription.events) - set(EVENTS))
    errors = [ProblemItem(pointer="/events", detail=f"unknown events: {', '.join(unknown)}")]
    if unknown:
        raise ProblemError(422, "invalid-body", errors[0].detail, errors=errors)
    try:
        check_target(subscription.url, request.app.state.settings.webhook_allow_private)
    except TargetError as exc:
        error = ProblemItem(pointer="/url", detail=str(exc))
        raise ProblemError(422, "invalid-body", f"/url: {exc}", errors=[error]) from None
    secret = subscription.secret or "whsec_" + secrets.token_urlsafe(24).replace("-", "+").replace(
        "_", "/"
    )
    with Session(_engine(request)) as session:
        created = service.create_subscription(
            session, subscription.url, subscription.events, secret, principal
        )
        return _answer({"data": _subscription(created, secret=True)}, 201)


@router.get("", operation_id="editorListWebhooks", summary="List subscriptions",
            responses=EDITOR_ERRORS | answer(Subscriptions, "Every subscription."))  # fmt: skip
def list_webhooks(request: Request, principal: Principal = manage) -> Response:
    """Every subscription (without its secret)."""
    with Session(_engine(request)) as session:
        rows = session.exec(select(WebhookSubscription).order_by(col(WebhookSubscription.id)))
        return _answer({"data": [_subscription(s) for s in rows.all()]})


@router.api_route("/{subscription_id}", methods=["DELETE"], operation_id="editorDeleteWebhook",
                  summary="Unsubscribe", status_code=204, response_description="Unsubscribed.",
                  responses=EDITOR_ERRORS)  # fmt: skip
def delete_webhook(
    request: Request, subscription_id: Number, principal: Principal = manage
) -> Response:
    """Remove a subscription and its pending deliveries."""
    with Session(_engine(request)) as session:
        if not service.delete_subscription(session, subscription_id, principal):
            raise ProblemError(404, "not-found", f"No webhook subscription {subscription_id}.")
    return Response(status_code=204, headers=PRIVATE_HEADERS)


@router.get("/{subscription_id}/deliveries", operation_id="editorWebhookDeliveries",
            summary="Read a subscription's delivery log",
            responses=EDITOR_ERRORS | answer(Deliveries, "The last 100 deliveries."))  # fmt: skip
def deliveries(
    request: Request, subscription_id: Number, principal: Principal = manage
) -> Response:
    """Each event sent to the subscription: status, attempts, last error, response time."""
    with Session(_engine(request)) as session:
        rows = session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(col(WebhookDelivery.id).desc())
            .limit(100)
        ).all()
        return _answer({"data": [r.model_dump() for r in rows]})


@router.post("/deliveries/{delivery_id}/replay", operation_id="editorReplayDelivery",
             summary="Send a delivery again", status_code=202,
             responses=EDITOR_ERRORS | answer(ReplayedAnswer, "Queued.", 202))  # fmt: skip
def replay(request: Request, delivery_id: Number, principal: Principal = manage) -> Response:
    """Queue the delivery to be sent again now (a failed one, or any)."""
    with Session(_engine(request)) as session:
        if not service.replay_delivery(session, delivery_id, principal):
            raise ProblemError(404, "not-found", f"No delivery {delivery_id}.")
    return _answer({"data": {"id": delivery_id, "status": "pending"}}, 202)
