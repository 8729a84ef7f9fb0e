"""HTTP caching for the API: strong ETags, 304s, Cache-Control, gzip, and a response cache.

A pure ASGI middleware in front of the routes. Every successful GET of `/api/` gets a strong
`ETag` (a hash of its body), `Cache-Control: public, max-age, stale-while-revalidate`,
`Last-Modified` (when the content last changed) and `Vary: Accept-Encoding`; `If-None-Match`
and `If-Modified-Since` are answered with 304; bodies over 1 kB are gzipped for clients that
accept it.

Each worker also keeps recent responses in memory, keyed by the normalised request (path,
sorted query, host, scheme, today's date) and tagged with the content version they were built
from. A write anywhere bumps the version (triggers, see migration 0002), so the next request
misses and sees the change; nothing is ever served from a stale version. The cache is bounded
by `RESPONSE_CACHE_MB` and evicts the least recently used entries.
"""

import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.read.reader import DatabaseUnavailableError

GZIP_MIN_BYTES = 1024
# Answers that do not depend on the content: cached for the life of the process, and served
# without asking the database (so also while it is away).
STATIC_PATHS = frozenset({"/api/v1", "/api/v1/openapi.json"})
# What an entry holds beyond its bodies and header values: its objects, its key, its place in
# the LRU (measured with tracemalloc: about 900 bytes).
ENTRY_OVERHEAD_BYTES = 1024


@dataclass
class Entry:
    version: int
    body: bytes
    headers: list[tuple[bytes, bytes]]  # the route's own headers: Content-Type, Link, …
    etag: bytes
    gzipped: bytes | None = None

    @property
    def size(self) -> int:
        headers = sum(len(value) for _, value in self.headers)
        return len(self.body) + len(self.gzipped or b"") + headers + ENTRY_OVERHEAD_BYTES


def _etags(value: bytes) -> set[bytes]:
    """The entity tags of an If-None-Match header, compared weakly (RFC 9110 §13.1.2)."""
    return {tag.strip().removeprefix(b"W/") for tag in value.split(b",")}


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


class ResponseCache:
    """A byte-bounded LRU of response entries."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.bytes = max_bytes, 0
        self.entries: OrderedDict[Any, Entry] = OrderedDict()

    def get(self, key: Any, version: int) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None or entry.version != version:
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, key: Any, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        self.entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= evicted.size

    def grow(self, by: int) -> None:
        """An entry grew (its gzipped body was added)."""
        self.bytes += by
        while self.bytes > self.max_bytes and self.entries:
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= evicted.size


class HTTPCacheMiddleware:
    def __init__(self, app: ASGIApp, *, max_age: int, stale: int, cache_bytes: int) -> None:
        self.app = app
        self.cache_control = f"public, max-age={max_age}, stale-while-revalidate={stale}".encode()
        self.cache = ResponseCache(cache_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        changed_at: datetime | None
        if scope["path"] in STATIC_PATHS:
            # They change only with a deploy: the ETag validates them, no date means anything.
            version, changed_at = -1, None
        else:
            try:
                version, changed_at = await state.reader.content_version()
            except DatabaseUnavailableError:
                await self.app(scope, receive, send)  # the route answers with a 503 problem
                return
            scope.setdefault("state", {})["content_version"] = version
        request_headers: list[tuple[bytes, bytes]] = scope["headers"]
        key = (
            scope["path"],
            # Parameter order does not matter; their bytes do (decoding them costs more).
            tuple(sorted(scope["query_string"].split(b"&"))),
            _header(request_headers, b"host"),
            scope["scheme"],
            state.today(),
        )
        entry = self.cache.get(key, version)
        if entry is None:
            entry = await self._render(scope, receive, send, version)
            if entry is None:
                return  # not cacheable; already sent as it was
            if self.cache.max_bytes:
                self.cache.put(key, entry)
        await self._answer(entry, request_headers, changed_at, send)

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, version: int
    ) -> Entry | None:
        """Run the route; return an entry for a 200 JSON answer, else pass the answer on."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        assert start is not None
        headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
        content_type = _header(headers, b"content-type") or b""
        # A copy of exactly its size: orjson's bytes keep their whole growth buffer (16 kB for
        # a 1 kB body), which would make the cache hold many times its budget.
        body = bytes(memoryview(b"".join(chunks)))
        if start["status"] != 200 or not content_type.startswith(b"application/json"):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return None
        # SHA-256 (truncated): processors hash it in hardware, at twice BLAKE2's speed here.
        etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
        return Entry(version, body, headers, etag)

    async def _answer(
        self,
        entry: Entry,
        request_headers: list[tuple[bytes, bytes]],
        changed_at: datetime | None,
        send: Send,
    ) -> None:
        accept_encoding = _header(request_headers, b"accept-encoding")
        gzipped = len(entry.body) >= GZIP_MIN_BYTES and _accepts_gzip(accept_encoding)
        if gzipped and entry.gzipped is None:
            # Level 1: most of the saving on JSON, a fraction of the time of the default 9.
            entry.gzipped = gzip.compress(entry.body, compresslevel=1, mtime=0)
            self.cache.grow(len(entry.gzipped))
        # A gzipped body is another representation: it gets its own strong ETag.
        etag = entry.etag[:-1] + b'-gzip"' if gzipped else entry.etag
        headers = [
            *entry.headers,
            (b"etag", etag),
            (b"cache-control", self.cache_control),
            (b"vary", b"Accept-Encoding"),
        ]
        if changed_at is not None:
            headers.append((b"last-modified", _http_date(changed_at)))
        if _not_modified(request_headers, {entry.etag, etag}, changed_at):
            headers = [(k, v) for k, v in headers if k != b"content-type"]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = entry.gzipped if gzipped and entry.gzipped is not None else entry.body
        if gzipped:
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@lru_cache(maxsize=256)
def _accepts_gzip(accept_encoding: bytes | None) -> bool:
    """Whether `Accept-Encoding` (RFC 9110 §12.5.3) allows gzip: named, or `*`, with q > 0."""
    if not accept_encoding:
        return False
    qualities: dict[bytes, float] = {}
    for item in accept_encoding.lower().split(b","):
        coding, _, params = item.strip().partition(b";")
        quality = 1.0
        for param in params.split(b";"):
            name, _, value = param.strip().partition(b"=")
            if name == b"q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding.strip()] = quality
    return qualities.get(b"gzip", qualities.get(b"x-gzip", qualities.get(b"*", 0.0))) > 0


@lru_cache(maxsize=64)
def _http_date(moment: datetime) -> bytes:
    return format_datetime(moment.astimezone(UTC), usegmt=True).encode()


def _not_modified(
    request_headers: list[tuple[bytes, bytes]], etags: set[bytes], changed_at: datetime | None
) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = _header(request_headers, b"if-none-match")
    if if_none_match is not None:
        wanted = _etags(if_none_match)
        return b"*" in wanted or bool(wanted & etags)
    if_modified_since = _header(request_headers, b"if-modified-since")
    if if_modified_since is None or changed_at is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since.decode("latin-1"))
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return changed_at.replace(microsecond=0) <= since
