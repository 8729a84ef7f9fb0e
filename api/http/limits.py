"""Limits checked before any work is done: request body size, query parameter count, and an
optional per-client rate limit.

The body limit counts what arrives, not what `Content-Length` promises: a chunked body is read
up to `MAX_BODY_BYTES` and refused past it (a 1 MB chunked body once passed). An image upload's
path has a larger limit, MAX_IMAGE_BYTES plus MAX_BODY_BYTES (`api.editor.uploads`), bounded
the same way.

The rate limit is the `limits` package's moving window: at most RATE_LIMIT_BURST requests in any
window of `60 * burst / RATE_LIMIT_PER_MINUTE` seconds (rounded to whole seconds, at least one),
which allows bursts of the burst size and sustains the per-minute rate. Counts live in each
worker (`memory://`, the default) or in Redis (`RATE_LIMIT_STORAGE_URL=redis://…`), where every
worker of every instance shares them. Responses describe exactly that window with the fields of
the IETF draft (draft-ietf-httpapi-ratelimit-headers-10): `RateLimit-Policy: "default";q=…;w=…`
and `RateLimit: "default";r=…;t=…`, and with the earlier drafts' `RateLimit-Limit`,
`-Remaining` and `-Reset` carrying the same numbers. If Redis does not answer within
`STORAGE_TIMEOUT_S`, requests pass unlimited (logged): a limiter outage must not take the API
down.

The client address is the connecting peer, or the one a trusted proxy (FORWARDED_ALLOW_IPS)
reports in X-Forwarded-For, never a header from anyone else.
"""

import logging
import math
import time
from collections.abc import Awaitable

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.cache import request_headers
from api.http.problems import send_problem

UNLIMITED_PATHS = ("/livez", "/readyz")
STORAGE_TIMEOUT_S = 0.5
log = logging.getLogger("api")


class RateLimit:
    """The moving-window policy and where its counts are kept."""

    def __init__(self, per_minute: int, burst: int, storage_url: str) -> None:
        self.quota = burst or per_minute
        self.window = max(1, round(60 * self.quota / per_minute))
        self.item = RateLimitItemPerSecond(self.quota, self.window)
        storage: Storage
        if storage_url.startswith(("redis://", "rediss://")):
            storage = RedisStorage(
                f"async+{storage_url}",
                implementation="redispy",
                socket_timeout=STORAGE_TIMEOUT_S,
                socket_connect_timeout=STORAGE_TIMEOUT_S,
            )
        else:
            storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(storage)
        self.policy = f'"default";q={self.quota};w={self.window}'.encode()

    async def take(self, client: str) -> tuple[bool, list[tuple[bytes, bytes]]]:
        """Whether `client` may go on, and the headers that say where it stands."""
        allowed = await self.limiter.hit(self.item, client)
        reset_at, remaining = await self.limiter.get_window_stats(self.item, client)
        reset = max(0, math.ceil(reset_at - time.time()))
        headers = [
            (b"ratelimit-policy", self.policy),
            (b"ratelimit", f'"default";r={remaining};t={reset}'.encode()),
            (b"ratelimit-limit", str(self.quota).encode()),
            (b"ratelimit-remaining", str(remaining).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]
        if not allowed:
            headers.append((b"retry-after", str(max(1, reset)).encode()))
        return allowed, headers


class LimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_query_parameters: int,
        rate_limit: RateLimit | None,
        body_limits: dict[str, int] | None = None,
    ) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes
        self.body_limits = body_limits or {}  # larger limits of some paths (image uploads)
        self.max_query_parameters = max_query_parameters
        self.rate_limit = rate_limit

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not `async` (api/http/middleware.py says why): a request with no body, few
        # parameters and no rate limit to take goes straight on.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        asked = request_headers(scope)
        query: bytes = scope["query_string"]
        if (
            b"content-length" not in asked
            and b"transfer-encoding" not in asked
            and (not query or query.count(b"&") < self.max_query_parameters)
            and (self.rate_limit is None or scope["path"] in UNLIMITED_PATHS)
        ):
            return self.app(scope, receive, send)
        return self._checked(scope, receive, send)

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = request_headers(scope)
        length = asked.get(b"content-length")
        chunked = asked.get(b"transfer-encoding")
        limit = self.body_limits.get(scope["path"], self.max_body_bytes)
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._too_large(scope, send, limit)
            return
        if chunked is not None:
            body = await _read_body(receive, limit)
            if body is None:
                await self._too_large(scope, send, limit)
                return
            receive = _replay(body)
        query: bytes = scope["query_string"]
        if query and query.count(b"&") >= self.max_query_parameters:
            detail = f"Requests are limited to {self.max_query_parameters} query parameters."
            await send_problem(scope, send, 422, "invalid-parameters", detail)
            return
        if self.rate_limit is None or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        try:
            allowed, headers = await self.rate_limit.take(client)
        except (RedisError, OSError) as exc:  # Redis is away: serve rather than refuse
            log.warning("rate limit storage unavailable, request not counted: %s", exc)
            await self.app(scope, receive, send)
            return
        if not allowed:
            detail = (
                f"More than {self.rate_limit.quota} requests in {self.rate_limit.window} s; "
                "retry after the wait."
            )
            await send_problem(scope, send, 429, "rate-limited", detail, headers)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        detail = f"Request bodies are limited to {limit:,} bytes."
        close = [(b"connection", b"close")]  # the rest of the body is not worth reading
        await send_problem(scope, send, 413, "content-too-large", detail, close)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A `receive` that hands the body read already to the app, then waits as usual."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
