"""Limits checked before any work is done: request body size and a per-client rate limit.

The rate limit is a token bucket per client address, per worker process: RATE_LIMIT_PER_MINUTE
requests a minute, in bursts of up to RATE_LIMIT_BURST. The client address is the connecting
peer, or the one a trusted proxy (FORWARDED_ALLOW_IPS) reports in X-Forwarded-For, never a
header from anyone else. Behind a load balancer with N workers the limit per client is up to N
times the setting; for one global limit, rate-limit at the proxy as well.
"""

import math
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import problem_bytes

UNLIMITED_PATHS = ("/livez", "/readyz")
MAX_TRACKED_CLIENTS = 100_000


class TokenBuckets:
    """Tokens per client: `rate` a second, at most `capacity`."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate, self.capacity = per_minute / 60, float(burst)
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str, now: float) -> tuple[bool, float, float]:
        """(allowed, tokens left, seconds until a token is back)."""
        tokens, then = self.buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self.buckets[client] = (tokens, now)
        if len(self.buckets) > MAX_TRACKED_CLIENTS:
            self.buckets.popitem(last=False)  # the least recently seen client starts afresh
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        return allowed, tokens, wait


class LimitsMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, per_minute: int, burst: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes
        self.per_minute = per_minute
        self.buckets = TokenBuckets(per_minute, burst or per_minute) if per_minute else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body_bytes:
            detail = f"Request bodies are limited to {self.max_body_bytes:,} bytes."
            await _problem(scope, send, 413, "content-too-large", detail, [])
            return
        if self.buckets is None or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        allowed, left, wait = self.buckets.take(client, time.monotonic())
        headers = [
            (b"ratelimit-limit", str(self.per_minute).encode()),
            (b"ratelimit-remaining", str(math.floor(left)).encode()),
            (b"ratelimit-reset", str(math.ceil(wait)).encode()),
        ]
        if not allowed:
            detail = f"More than {self.per_minute} requests a minute; retry after the wait."
            retry = [
                (b"retry-after", str(max(1, math.ceil(wait))).encode()),
                (b"cache-control", b"no-store"),
                *headers,
            ]
            await _problem(scope, send, 429, "rate-limited", detail, retry)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _problem(
    scope: Scope,
    send: Send,
    status: int,
    kind: str,
    detail: str,
    headers: list[tuple[bytes, bytes]],
) -> None:
    query = scope.get("query_string", b"").decode("latin-1")
    instance = scope["path"] + (f"?{query}" if query else "")
    body = problem_bytes(status, kind, detail, instance)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
