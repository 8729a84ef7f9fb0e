"""Pure ASGI middleware: cheap, and applied to every response, errors included."""

import re
from collections.abc import Awaitable, Mapping, Sequence
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.cache import SLUGS, request_headers
from api.http.deprecation import Deprecation
from api.http.negotiation import negotiate
from api.http.problems import send_problem
from api.read.reader import new_request

PUBLIC_METHODS = b"GET, HEAD"
EXPOSED = (
    b"Link, ETag, Last-Modified, Retry-After, Content-Language, Deprecation, Sunset, "
    b"RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
)
# Request headers a browser may send cross-origin with a GET (beyond the CORS-safelisted ones).
ALLOWED_REQUEST_HEADERS = (
    b"Accept, Accept-Language, Content-Language, If-None-Match, If-Modified-Since"
)
# The API answers JSON only: nothing may load or frame it.
API_POLICY = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# The self-hosted docs run their own scripts and styles, and nothing from elsewhere.
DOCS_POLICY = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_PREFIXES = ("/docs", "/redoc", "/static-offline-docs")
# Probes come from orchestrators that address a pod by its IP; they build no links.
PROBE_PATHS = ("/livez", "/readyz")
API_PREFIX = "/api/v1/"
# What the API's routes produce (their errors are problem+json whatever was asked).
API_TYPES = ("application/json",)
# A host name or an IP literal (RFC 3986 §3.2.2), with an optional port: nothing else may reach
# a link (`a>; rel="canonical", <https://evil.example/x` once added relations to `Link`).
HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::[0-9]{1,5})?")
# On every response of the API, the server's own refusals included (api/http/server.py).
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", API_POLICY),
)


# A layer that lets most requests through is written as a plain function returning the next
# layer's awaitable (`HeadAsGetMiddleware.__call__`, the preview's, the formats'), as ASGI
# allows: an `async def` would make a coroutine of its own for each request only to await the
# next one, about 2,000 machine instructions a layer (bench/README.md, "6 Dec").


class HeadAsGetMiddleware:
    """Answer HEAD exactly like GET, headers included, without the body (RFC 9110 §9.3.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not `async`: see above.
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return self.app(scope, receive, send)
        return self._head(scope, receive, send)

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


class SurrogateKeysMiddleware:
    """Name what a response contains, for a cache in front that purges by key (Varnish's
    xkey, a CDN's Surrogate-Key): `api` on every API response (purge everything), the
    collection on its lists, `collection/slug` for each item in the answer.

    The routes list the slugs of their items in an internal `Surrogate-Slugs` header
    (api/http/responses.py); this turns them into keys, adding the collection taken from the
    path. It sits inside the response cache, so it runs only when a response is built, never
    on a cache hit.

    Off by default (SURROGATE_KEYS), and then not installed at all: uvicorn checks every byte
    of every header it sends, and a page's keys (about 500 bytes) measured 2.9 µs a response,
    4% of a cached answer; only a cache that purges by key needs them. The response cache
    drops the internal header either way (api/http/cache.py).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not `async`: see above.
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            return self.app(scope, receive, send)
        return self._keyed(scope, receive, send)

    async def _keyed(self, scope: Scope, receive: Receive, send: Send) -> None:
        collection, _, rest = scope["path"].removeprefix(API_PREFIX).partition("/")

        async def send_with_keys(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k != SLUGS]
                slugs = [v for k, v in message.get("headers", ()) if k == SLUGS]
                keys = [b"api"]
                if rest and not slugs and message["status"] == 200:
                    slugs = [rest.lower().encode()]  # an item asked for without its slug
                if slugs and collection:
                    prefix = collection.encode() + b"/"
                    keys += [] if rest else [collection.encode()]
                    keys += [prefix + slug for slug in b" ".join(slugs).split()]
                headers.append((b"surrogate-key", b" ".join(keys)))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_keys)


class TrustedHosts:
    """The `Host` values the API answers for: names, `*.suffix` patterns, or `*` for any well
    formed host. The port is not part of the match."""

    def __init__(self, setting: str) -> None:
        names = [name.strip().lower() for name in setting.split(",") if name.strip()]
        self.any = "*" in names
        self.exact = frozenset(n for n in names if not n.startswith("*"))
        self.suffixes = tuple(n[1:] for n in names if n.startswith("*."))
        self.trusts = lru_cache(maxsize=64)(self._trusts)

    def _trusts(self, host: bytes) -> bool:
        text = host.decode("latin-1")
        if not HOST.fullmatch(text):
            return False
        name = text.rpartition(":")[0] if text.count(":") == 1 or "]:" in text else text
        name = name.lower()
        return self.any or name in self.exact or name.endswith(self.suffixes)


class PublicHeadersMiddleware:
    """CORS for a public, read-only API, and security headers, on every response; requests
    for a host the API does not serve, or for a type it cannot produce, are refused here.

    Any origin may GET and HEAD, without credentials; a preflight for any other method is
    refused. Every response says `nosniff`, sends no referrer, and carries a Content Security
    Policy: none at all for the API's JSON, the self-hosted assets only for /docs and /redoc.
    """

    def __init__(
        self,
        app: ASGIApp,
        deprecations: Sequence[Deprecation] = (),
        trusted_hosts: TrustedHosts | None = None,
        offered: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.app, self.deprecations = app, deprecations
        self.trusted_hosts = trusted_hosts or TrustedHosts("*")
        # The types of the paths that offer more than JSON (api/http/formats.py).
        self.offered = dict(offered or {})
        cors = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", EXPOSED),
        ]
        self.api_headers = [*cors, *SECURITY_HEADERS]
        self.docs_headers = [
            *cors,
            *SECURITY_HEADERS[:-1],
            (b"content-security-policy", DOCS_POLICY),
        ]

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not `async`, and neither is the `send` it hands on: see above.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        new_request()
        if scope["method"] == "OPTIONS" and _is_preflight(scope):
            return self._preflight(scope, send)
        extra = self.docs_headers if scope["path"].startswith(DOCS_PREFIXES) else self.api_headers
        for deprecation in self.deprecations:
            if deprecation.applies(scope["path"], scope["query_string"]):
                extra = [*extra, *deprecation.headers()]

        def send_with_headers(message: Message) -> Awaitable[None]:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            return send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            return send_problem(scope, send_with_headers, *refusal)
        return self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        """Why this request is refused before any route sees it, or None."""
        path: str = scope["path"]
        if path in PROBE_PATHS:
            return None
        headers = request_headers(scope)
        host, accept = headers.get(b"host"), headers.get(b"accept")
        if host is None or not self.trusted_hosts.trusts(host):
            return 400, "bad-request", "This server does not serve the host the request names."
        types = self.offered.get(path, API_TYPES)
        if accept is not None and path.startswith("/api/") and not _acceptable(accept, types):
            offered = ", ".join(types)
            return 406, "not-acceptable", f"This resource is available as {offered} only."
        return None

    async def _preflight(self, scope: Scope, send: Send) -> None:
        requested = dict(scope["headers"]).get(b"access-control-request-method", b"")
        allowed = requested in (b"GET", b"HEAD")
        headers = [
            *self.api_headers,
            (b"access-control-allow-methods", PUBLIC_METHODS),
            (b"access-control-allow-headers", ALLOWED_REQUEST_HEADERS),
            (b"access-control-max-age", b"86400"),
            (b"content-length", b"0"),
        ]
        # Refused: the browser then blocks the cross-origin request it asked about.
        await send(
            {"type": "http.response.start", "status": 204 if allowed else 403, "headers": headers}
        )
        await send({"type": "http.response.body", "body": b""})


@lru_cache(maxsize=256)
def _acceptable(accept: bytes, types: tuple[str, ...]) -> bool:
    """Whether an `Accept` value takes one of `types` (clients send few distinct values)."""
    return negotiate(accept.decode("latin-1"), types) is not None


def _is_preflight(scope: Scope) -> bool:
    names = {name for name, _ in scope["headers"]}
    return b"origin" in names and b"access-control-request-method" in names
