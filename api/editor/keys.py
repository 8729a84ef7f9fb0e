"""API keys: random bearer tokens, kept only as their SHA-256, each with scopes.

A token is `osce_` and 43 URL-safe characters: 256 bits from `secrets`. It is shown once, when
the key is created (`content-api keys create`); the database holds its hash, so a copy of the
database grants nothing. A request proves a scope with `Authorization: Bearer <token>`:
no token, an unknown one, a revoked or expired key is a 401 problem with `WWW-Authenticate`;
a key without the scope a 403 problem naming it. Failed attempts are counted per client (a
moving window, like the public rate limit) and refused with a 429 past the limit, so tokens
cannot be guessed at speed. Revocation takes effect on the next request: nothing is cached.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Depends, Request
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from api import clock
from api.editor.models import ApiKey
from api.http.problems import ProblemError

TOKEN_PREFIX = "osce_"
# Scopes that are not per collection; each collection adds `<name>:read`, `:write`, `:publish`.
GLOBAL_SCOPES = ("preview", "keys:manage", "webhooks:manage", "audit:read")
ACTIONS = ("read", "write", "publish")
# last_used_at is written at most this often per key: not one write per request.
TOUCH_EVERY = timedelta(seconds=60)
CHALLENGE = 'Bearer realm="editor"'
log = logging.getLogger("api")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def all_scopes(collections: Iterable[str]) -> tuple[str, ...]:
    return (*(f"{c}:{a}" for c in collections for a in ACTIONS), *GLOBAL_SCOPES)


@dataclass(frozen=True)
class Principal:
    """Who is asking: the key, by id and name, and what it may do."""

    key_id: int
    name: str
    scopes: frozenset[str]


class FailedLogins:
    """At most `per_minute` failed authentications per client in any minute."""

    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def allowed(self, client: str) -> bool:
        return self.limiter.test(self.item, client)

    def failed(self, client: str) -> None:
        self.limiter.hit(self.item, client)


def _unauthorized(detail: str, error: str | None = None) -> ProblemError:
    challenge = f'{CHALLENGE}, error="{error}"' if error else CHALLENGE
    headers = {"WWW-Authenticate": challenge, "Cache-Control": "no-store"}
    return ProblemError(401, "unauthorized", detail, headers=headers)


def authenticate(request: Request) -> Principal:
    """The key of this request's bearer token, or a 401 (429 after too many failures)."""
    state = request.app.state
    client = request.client.host if request.client else "unknown"
    failures: FailedLogins = state.failed_logins
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("This operation needs an API key: `Authorization: Bearer <token>`.")
    # Only a token can be a guess: only requests with one are counted and limited.
    if not failures.allowed(client):
        headers = {"Retry-After": "60"}
        detail = "Too many failed authentications from this client; retry after a minute."
        raise ProblemError(429, "rate-limited", detail, headers=headers)
    with Session(state.engine) as session:
        key = session.exec(select(ApiKey).where(ApiKey.token_hash == token_hash(token.strip())))
        found = key.one_or_none()
        now = clock.now()
        reason = None
        if found is None:
            reason = "The API key is not valid."
        elif found.revoked_at is not None:
            reason = "The API key has been revoked."
        elif found.expires_at is not None and found.expires_at <= now:
            reason = "The API key has expired."
        if reason is not None or found is None:
            failures.failed(client)
            raise _unauthorized(reason or "", "invalid_token")
    assert found.id is not None
    if found.last_used_at is None or now - found.last_used_at >= TOUCH_EVERY:
        from api.editor.service import touch_key  # the services own every write

        try:
            with Session(state.write_engine) as session:
                touch_key(session, found.id, now)
        except OperationalError as exc:  # a timestamp is not worth failing the request
            log.warning("last_used_at of key %s not written: %s", found.id, exc)
    return Principal(found.id, found.name, frozenset(found.scopes.split()))


def require(scope: str) -> Callable[..., Principal]:
    """A dependency: the request's key, which must have `scope` (403 naming it otherwise)."""

    def dependency(principal: Principal = Depends(authenticate)) -> Principal:  # noqa: B008
        if scope not in principal.scopes:
            raise ProblemError(403, "forbidden", f"This API key lacks the scope `{scope}`.")
        return principal

    dependency.__name__ = f"require_{scope.replace(':', '_').replace('-', '_')}"
    dependency.scope = scope  # type: ignore[attr-defined] # what the route table says it needs
    return dependency
