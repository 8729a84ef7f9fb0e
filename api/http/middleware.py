"""Pure ASGI middleware: cheap, and applied to every response, errors included."""

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.deprecation import Deprecation

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


class HeadAsGetMiddleware:
    """Answer HEAD exactly like GET, headers included, without the body (RFC 9110 §9.3.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


class PublicHeadersMiddleware:
    """CORS for a public, read-only API, and security headers, on every response.

    Any origin may GET and HEAD, without credentials; a preflight for any other method is
    refused. Every response says `nosniff`, sends no referrer, and carries a Content Security
    Policy: none at all for the API's JSON, the self-hosted assets only for /docs and /redoc.
    """

    def __init__(self, app: ASGIApp, deprecations: Sequence[Deprecation] = ()) -> None:
        self.app, self.deprecations = app, deprecations
        common = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", EXPOSED),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
        ]
        self.api_headers = [*common, (b"content-security-policy", API_POLICY)]
        self.docs_headers = [*common, (b"content-security-policy", DOCS_POLICY)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and _is_preflight(scope):
            await self._preflight(scope, send)
            return
        extra = self.docs_headers if scope["path"].startswith(DOCS_PREFIXES) else self.api_headers
        for deprecation in self.deprecations:
            if deprecation.applies(scope["path"], scope["query_string"]):
                extra = [*extra, *deprecation.headers()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

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


def _is_preflight(scope: Scope) -> bool:
    names = {name for name, _ in scope["headers"]}
    return b"origin" in names and b"access-control-request-method" in names
