"""HTTP caching for the API: strong ETags, 304s, Cache-Control, gzip, and a response cache.

A pure ASGI middleware in front of the routes. Every successful GET of `/api/` gets a strong
`ETag` (a hash of its body), `Last-Modified` (when the content last changed, or today's start
for an answer that depends on the date), the `Cache-Control` and `Vary` of its route group's
`CachePolicy`; `If-None-Match` and `If-Modified-Since` are answered with 304; bodies over 1 kB
are gzipped for clients that accept it.

Each worker also keeps recent responses in memory, keyed by the normalised request (path,
sorted query, host, scheme, today's date) and by the values of the request headers the answer
varies on (RFC 9111 §4.1: the route group's `Vary`, and any a route adds to its response),
and tagged with the content version they were built from. A write anywhere bumps the version
(database triggers), so the next request misses and sees the change; nothing is ever served
from a stale version. Only answers that any client may see are kept: not those of a private
route group, not those that say `private` or `no-store`, and not the answers to a request that
carries credentials (`Authorization`), which are marked `private, no-store` so that no shared
cache keeps them either. The cache is bounded by `RESPONSE_CACHE_MB` and evicts the least
recently used entries.
"""

import asyncio
import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

from isal import isal_zlib
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from xxhash import xxh3_128_hexdigest

from api import clock
from api.locales import LANGUAGES, SOURCE, negotiate
from api.read.reader import DatabaseUnavailableError

# The slugs of the items in an answer, as the routes name them (api/http/responses.py) for
# SurrogateKeysMiddleware (api/http/middleware.py); internal, never sent.
SLUGS = b"surrogate-slugs"
# What a kept entry does not keep of the route's head: set again per answer, or internal.
NOT_KEPT = (b"content-length", b"vary", SLUGS)

GZIP_MIN_BYTES = 1024
GZIP_WBITS = 16 + 15  # a gzip header and trailer around a deflate stream, 32 kB window
# Answers that do not depend on the content: cached for the life of the process, and served
# without asking the database (so also while it is away).
STATIC_PATHS = frozenset({"/api/v1", "/api/v1/openapi.json"})
# What an entry holds beyond its bodies and header values: its objects, its key, its place in
# the LRU (measured with tracemalloc: about 900 bytes).
ENTRY_OVERHEAD_BYTES = 1024

Headers = list[tuple[bytes, bytes]]
# What an entry keeps is tuples of bytes, never lists: the cyclic garbage collector stops
# tracking such a tuple the first time it sees it, so a full cache adds about two objects an
# entry to every collection instead of about 25 (bench/README.md, "Garbage collection").
Head = tuple[tuple[bytes, bytes], ...]
# A request's headers by name, as `dict(scope["headers"])` makes them in one pass.
RequestHeaders = dict[bytes, bytes]
HEADERS_KEY = "api.request_headers"


def request_headers(scope: Scope) -> RequestHeaders:
    """The request's headers by name, made once a request and kept in its scope for the next
    layer that asks (the security headers', the limits', the cache's: three dicts of the same
    headers were a measurable share of a cached answer). No layer changes a request's headers;
    one that did would have to drop the key."""
    found: RequestHeaders | None = scope.get(HEADERS_KEY)
    if found is None:
        found = scope[HEADERS_KEY] = dict(scope["headers"])
    return found


# The Content-Language header of an answer in each language, made once and shared by the
# entries.
_CONTENT_LANGUAGE = {lang: (b"content-language", lang.encode()) for lang in LANGUAGES}


@dataclass(frozen=True, eq=False)  # few, made at start-up: hashed and compared by identity
class CachePolicy:
    """How the answers of a group of routes may be cached, and what they vary on."""

    shared: bool  # shared caches, and this worker's response cache, may keep them
    cache_control: bytes  # of a 200 answer
    vary: tuple[bytes, ...]  # request headers every answer of the group depends on
    max_age: int = 0  # of a shared answer: shortened to the next scheduled change

    def until(self, next_change: datetime | None) -> bytes:
        """The Cache-Control of an answer that changes at `next_change` without a write."""
        if not self.shared or next_change is None:
            return self.cache_control
        left = math.ceil((next_change - clock.now()).total_seconds())
        if left >= self.max_age:
            return self.cache_control
        return f"public, max-age={max(0, left)}, must-revalidate".encode()


# Every answer may be in another language (api/locales.py): `Accept-Language` is in every Vary.
PRIVATE = CachePolicy(
    False, b"private, no-store", (b"Accept-Encoding", b"Accept-Language", b"Authorization")
)


@cache  # one per group, so that an entry's heads are found by the policy's identity
def credentialed(policy: CachePolicy) -> CachePolicy:
    """The answer to a request with credentials, whatever its group: it may depend on them."""
    vary = tuple(dict.fromkeys((*policy.vary, b"Authorization")))
    return CachePolicy(False, PRIVATE.cache_control, vary)


def public_policy(max_age: int, stale: int) -> CachePolicy:
    """The delivery API: anyone's answer is everyone's. `Authorization` is in `Vary` so that a
    shared cache never hands an anonymous answer to a request that carries credentials."""
    cache_control = f"public, max-age={max_age}, stale-while-revalidate={stale}".encode()
    vary = (b"Accept-Encoding", b"Accept-Language", b"Authorization")
    return CachePolicy(True, cache_control, vary, max_age)


@dataclass(slots=True)
class Entry:
    version: int
    body: bytes
    headers: Head  # the route's own headers: Content-Type, Link, …
    etag: bytes
    vary: tuple[bytes, ...]  # the Vary of the answer: its group's and its route's
    dated: bool  # the answer depends on today's date (see `ReadContext.today`)
    gzipped: bytes | None = None
    # The heads of its 200 and 304 answers, but for Last-Modified, by (gzipped, policy): the
    # same for every hit, so built once, at the first hit. An answer never asked for again
    # (most cold ones) keeps nothing: every object an entry keeps is one more for the garbage
    # collector to walk (bench/README.md, "Garbage").
    heads: dict[Any, tuple[Head, Head]] | None = None
    # What it holds but the gzipped body, counted once (`put` asks twice per entry), and the
    # route's own Cache-Control (`_storable`, `_heads`), both found in C: a Python loop over
    # the headers, or a scan for each header asked about, cost more.
    fixed_size: int = field(init=False, default=0)
    cache_control: bytes | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        values = sum(map(len, map(itemgetter(1), self.headers)))
        self.fixed_size = len(self.body) + values + ENTRY_OVERHEAD_BYTES
        self.cache_control = dict(self.headers).get(b"cache-control")

    @property
    def size(self) -> int:
        return self.fixed_size + len(self.gzipped or b"")


def _etags(value: bytes) -> set[bytes]:
    """The entity tags of an If-None-Match header, compared weakly (RFC 9110 §13.1.2)."""
    return {tag.strip().removeprefix(b"W/") for tag in value.split(b",")}


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


class ResponseCache:
    """A byte-bounded LRU of response entries.

    An entry's key is its request's normalised key plus the values of the request headers
    its answer varies on; which headers those are is remembered per request key (`keyed_on`)
    from the answers seen, as an HTTP cache reads `Vary` (RFC 9111 §4.1).
    """

    def __init__(self, max_bytes: int, max_keys: int = 4096) -> None:
        self.max_bytes, self.bytes = max_bytes, 0
        self.entries: OrderedDict[Any, Entry] = OrderedDict()
        self.keyed_on: OrderedDict[Any, tuple[bool, tuple[bytes, ...]]] = OrderedDict()
        self.max_keys = max_keys

    def key(self, request_key: Any, headers: RequestHeaders) -> Any:
        known = self.keyed_on.get(request_key)
        if known is None:
            return request_key
        # The language `Accept-Language` negotiates (the many values browsers send share a
        # few entries), then the values of the other headers the answer varies on.
        by_language, names = known
        if by_language:
            language = negotiate(headers.get(b"accept-language"))
            return (request_key, language, *map(headers.get, names))
        return (request_key, *map(headers.get, names)) if names else request_key

    def get(self, key: Any, version: int) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None or entry.version != version:
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, request_key: Any, headers: RequestHeaders, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        names = _keyed_names(entry.vary)
        if self.keyed_on.get(request_key) != names:
            self.keyed_on[request_key] = names
            if len(self.keyed_on) > self.max_keys:
                self.keyed_on.popitem(last=False)
        key = self.key(request_key, headers)
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        self.entries[key] = entry
        self.bytes += entry.size
        self._evict()

    def grow(self, by: int) -> None:
        """An entry grew (its gzipped body was added)."""
        self.bytes += by
        self._evict()

    def _evict(self) -> None:
        while self.bytes > self.max_bytes and self.entries:
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= evicted.size


class HTTPCacheMiddleware:
    """Caching for the GETs of `/api/`, by the policy of each route group (longest prefix)."""

    def __init__(
        self, app: ASGIApp, *, groups: dict[str, CachePolicy | None], cache_bytes: int
    ) -> None:
        self.app = app
        self.groups = sorted(groups.items(), key=lambda group: -len(group[0]))
        self.cache = ResponseCache(cache_bytes)
        # (key, version) → done when the request rendering it has finished (`_rendered`).
        self.rendering: dict[tuple[Any, int], asyncio.Future[None]] = {}

    def policy(self, path: str) -> CachePolicy | None:
        """The policy of the longest matching prefix; None: not cached here at all."""
        for prefix, policy in self.groups:
            if path.startswith(prefix):
                return policy
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = self.policy(scope["path"]) if scope["type"] == "http" else None
        if policy is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        changed_at: datetime | None
        next_change: datetime | None = None
        today = state.today()
        if scope["path"] in STATIC_PATHS:
            # They change only with a deploy: the ETag validates them, no date means anything.
            version, changed_at = -1, None
        else:
            try:
                current = await state.reader.content_version()
            except DatabaseUnavailableError:
                await self.app(scope, receive, send)  # the route answers with a 503 problem
                return
            version, changed_at = current.effective, current.changed_at
            next_change = current.next_change
            state_of_request = scope.setdefault("state", {})
            state_of_request["content_version"] = version
            state_of_request["catalog_version"] = current.catalog_key
            state_of_request["changed_at"] = changed_at  # dates an empty feed
            state_of_request["today"] = today  # the routes' (api.content.routing.read_context)
        headers = request_headers(scope)
        if b"authorization" in headers:
            policy = credentialed(policy)
        request_key = (
            scope["path"],
            # Parameter order does not matter; their bytes do (decoding them costs more).
            _query_key(scope["query_string"]),
            headers.get(b"host"),
            scope["scheme"],
            today,
        )
        keep = policy.shared and self.cache.max_bytes > 0
        key = self.cache.key(request_key, headers)
        entry = self.cache.get(key, version)
        if keep and entry is None and (key, version) in self.rendering:
            entry = await self._joined(key, version)
        hit = entry is not None
        if not keep or entry is None:
            if keep and request_key in self.cache.keyed_on:  # its variants are known
                entry = await self._rendered(scope, receive, send, version, policy, key)
            else:
                entry = await self._render(scope, receive, send, version, policy)
            if entry is None:
                return  # not cacheable; already sent as it was
            if keep and _storable(entry):
                self.cache.put(request_key, headers, entry)
        if entry.dated and changed_at is not None:
            # The answer changes at midnight without a write: it is as new as today.
            changed_at = max(changed_at, _midnight(today))
        await self._answer(entry, policy, headers, changed_at, next_change, send, hit)

    async def _joined(self, key: Any, version: int) -> Entry | None:
        """The entry another request is rendering for this key and version, once that render
        is over: None if its answer was not kept (it failed, or may not be kept), and this
        request renders its own."""
        await asyncio.wait((self.rendering[key, version],))
        return self.cache.get(key, version)  # the same key: the same variant, if it was kept

    async def _rendered(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        version: int,
        policy: CachePolicy,
        key: Any,
    ) -> Entry | None:
        """`_render`, as the one render of this key and version that other requests for them
        wait for (a single flight): after a write, a page many ask for at once is built once.
        Only for a page whose variants are known (until a first answer has said what it varies
        on, no request may wait for another's variant)."""
        if (key, version) in self.rendering:  # another began after this one waited
            return await self._render(scope, receive, send, version, policy)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.rendering[key, version] = done
        try:
            return await self._render(scope, receive, send, version, policy)
        finally:
            del self.rendering[key, version]
            done.set_result(None)

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, version: int, policy: CachePolicy
    ) -> Entry | None:
        """Run the route; return an entry for a 200 answer (JSON, or a feed, a calendar…),
        else pass the answer on."""
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
        # A copy of exactly its size: orjson's bytes keep their whole growth buffer (16 kB for
        # a 1 kB body), which would make the cache hold many times its budget.
        body = bytes(memoryview(b"".join(chunks)))
        if start["status"] != 200:
            start["headers"] = [(k, v) for k, v in start["headers"] if k != SLUGS]
            if _header(start["headers"], b"content-language") is None:
                # Problems are written in English whatever was asked.
                extra = [(b"content-language", b"en")]
                if _header(start["headers"], b"vary") is None:
                    extra.append((b"vary", _vary(policy.vary)))
                start["headers"] = [*start["headers"], *extra]
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return None
        etag = body_etag(body)
        # What the route's head says, found in C (a scan for each header cost more).
        said = dict(start["headers"])
        headers = [header for header in start["headers"] if header[0] not in NOT_KEPT]
        own_vary = said.get(b"vary")
        vary = (
            policy.vary + tuple(v.strip() for v in own_vary.split(b","))
            if own_vary
            else policy.vary
        )
        state = scope.get("state", {})
        dated = bool(state.get("dated"))
        if b"content-language" not in said:
            headers.append(_CONTENT_LANGUAGE.get(state.get("lang"), _CONTENT_LANGUAGE[SOURCE]))
        return Entry(version, body, tuple(headers), etag, _unique(vary), dated)

    async def _answer(
        self,
        entry: Entry,
        policy: CachePolicy,
        request_headers: RequestHeaders,
        changed_at: datetime | None,
        next_change: datetime | None,
        send: Send,
        hit: bool,
    ) -> None:
        """Send `entry`'s answer; `hit`: it came from the cache (so its heads are kept)."""
        accept_encoding = request_headers.get(b"accept-encoding")
        gzipped = (
            len(entry.body) >= GZIP_MIN_BYTES
            and _accepts_gzip(accept_encoding)
            # Images are compressed already (api/content/images/).
            and not (_header(entry.headers, b"content-type") or b"").startswith(b"image/")
        )
        if gzipped and entry.gzipped is None:
            entry.gzipped = gzip_body(entry.body)
            self.cache.grow(len(entry.gzipped))
        # A gzipped body is another representation: it gets its own strong ETag.
        etag = entry.etag[:-1] + b'-gzip"' if gzipped else entry.etag
        # `policy.until`, without its call when no scheduled change is ahead (most answers).
        cache_control = policy.cache_control if next_change is None else policy.until(next_change)
        conditional = b"if-none-match" in request_headers or b"if-modified-since" in request_headers
        unmodified = conditional and _not_modified(request_headers, {entry.etag, etag}, changed_at)
        if hit and cache_control == policy.cache_control:
            if entry.heads is None:
                entry.heads = {}
            heads = entry.heads.get((gzipped, policy))
            if heads is None:
                heads = _heads(entry, policy, gzipped, etag, cache_control)
                entry.heads[gzipped, policy] = heads
        else:  # a first answer, or a scheduled change comes before max-age runs out
            heads = _heads(entry, policy, gzipped, etag, cache_control, unmodified)
        last_modified = ((b"last-modified", _http_date(changed_at)),) if changed_at else ()
        if unmodified:
            await send(
                {"type": "http.response.start", "status": 304, "headers": heads[1] + last_modified}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        body = entry.gzipped if gzipped and entry.gzipped is not None else entry.body
        await send(
            {"type": "http.response.start", "status": 200, "headers": heads[0] + last_modified}
        )
        await send({"type": "http.response.body", "body": body})


def _heads(
    entry: Entry,
    policy: CachePolicy,
    gzipped: bool,
    etag: bytes,
    cache_control: bytes,
    unmodified: bool | None = None,
) -> tuple[Head, Head]:
    """The head of a 200 answer from `entry`, and of a 304 one, but for Last-Modified; with
    `unmodified` True or False, only the one that answer needs (the other is empty)."""
    own = entry.headers
    common: Head = ((b"etag", etag), (b"vary", _vary(entry.vary)))
    if entry.cache_control is None or not policy.shared:  # else the route's own stands
        if entry.cache_control is not None:
            own = tuple(header for header in own if header[0] != b"cache-control")
        common += ((b"cache-control", cache_control),)
    full: Head = ()
    if not unmodified:
        body = entry.gzipped if gzipped and entry.gzipped is not None else entry.body
        length = (b"content-length", str(len(body)).encode())
        full = (
            (*own, *common, (b"content-encoding", b"gzip"), length)
            if gzipped
            else (*own, *common, length)
        )
    if unmodified is False:
        return full, ()
    return full, (*(header for header in own if header[0] != b"content-type"), *common)


def body_etag(body: bytes) -> bytes:
    """The strong ETag of a body: its 128-bit XXH3 hash, in hex. A validator needs a hash
    that changes with the body, not one that resists a forger (only editors write content,
    and what they would forge is what they may publish anyway). SHA-256, even in the
    processor's hardware, took 20.8 µs for a 36 kB page of news here, XXH3 0.65 µs: 3% of a
    cold answer (bench/README.md, "6 Dec")."""
    return b'"' + xxh3_128_hexdigest(body).encode() + b'"'


def gzip_body(body: bytes) -> bytes:
    """`body` as a gzip member (RFC 1952), by ISA-L at its level 1: within 3% of the size zlib
    makes at its level 1 (most of the saving on JSON), in a quarter of the time on a page of
    news and half on an item: 60 against 258 µs for 36 kB, 13 against 30 µs for 1.3 kB here.
    On a cold answer, which is compressed once and may never be asked for again, zlib had
    become the largest single cost after the query (bench/README.md, "Compressing")."""
    return isal_zlib.compress(body, 1, GZIP_WBITS)


def _storable(entry: Entry) -> bool:
    """An answer that says it is not for everyone is not kept (RFC 9111 §5.2.2)."""
    cache_control = entry.cache_control
    if cache_control is None:
        return True
    # `.find`, not `in`: see `_query_key`.
    cache_control = cache_control.lower()
    return cache_control.find(b"private") < 0 and cache_control.find(b"no-store") < 0


def _query_key(query: bytes) -> bytes:
    """The query string with its parameters in one order: bytes, which the garbage collector
    need not track (a tuple of the parameters is one more object per kept entry).

    `query.find(b"&")` rather than `b"&" in query`: CPython 3.11 first tries the left side
    of a bytes `in` as an integer, raising and clearing a TypeError every time (about 2,200
    machine instructions, five times a cold request; bench/README.md, "Instructions")."""
    return b"&".join(sorted(query.split(b"&"))) if query.find(b"&") >= 0 else query


@lru_cache(maxsize=64)
def _keyed_names(vary: tuple[bytes, ...]) -> tuple[bool, tuple[bytes, ...]]:
    """What an entry is keyed on, by its `Vary`: whether the language `Accept-Language`
    negotiates, and the request headers whose values. Not Accept-Encoding, which picks a
    representation of the same entry, not another entry."""
    names = [name.lower() for name in vary]
    ignored = (b"accept-encoding", b"accept-language")
    return b"accept-language" in names, tuple(name for name in names if name not in ignored)


@lru_cache(maxsize=64)
def _unique(names: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """`names` without repeats, one tuple per distinct list, shared by the entries."""
    return tuple(dict.fromkeys(names))


@lru_cache(maxsize=64)
def _vary(names: tuple[bytes, ...]) -> bytes:
    return b", ".join(names)


@lru_cache(maxsize=8)
def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


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
    request_headers: RequestHeaders, etags: set[bytes], changed_at: datetime | None
) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request_headers.get(b"if-none-match")
    if if_none_match is not None:
        wanted = _etags(if_none_match)
        return b"*" in wanted or bool(wanted & etags)
    if_modified_since = request_headers.get(b"if-modified-since")
    if if_modified_since is None or changed_at is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since.decode("latin-1"))
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return changed_at.replace(microsecond=0) <= since
