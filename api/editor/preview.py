"""`?preview=true` on any public URL, with a key that has the `preview` scope: the same answer
with drafts and scheduled items included.

Checked before the routes (their parameter models know nothing of `preview`), so a public
request pays one byte search of its query string. The answer carries credentials, so the
HTTP cache neither keeps it nor serves a kept one for it (`Cache-Control: private, no-store`).
"""

from collections.abc import Awaitable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.editor.keys import authenticate
from api.http.problems import ProblemError, send_problem

PREVIEW = b"preview="


class PreviewMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not `async`, as the layers of api/http/middleware.py that let requests through.
        query: bytes = scope.get("query_string", b"")
        # `.find`, not `in`: see api.http.cache._query_key.
        if scope["type"] != "http" or query.find(PREVIEW) < 0:
            return self.app(scope, receive, send)
        return self._preview(scope, receive, send, query)

    async def _preview(self, scope: Scope, receive: Receive, send: Send, query: bytes) -> None:
        parts = query.split(b"&")
        asked = [p for p in parts if p.startswith(PREVIEW)]
        kept = b"&".join(p for p in parts if not p.startswith(PREVIEW))
        if asked != [b"preview=true"] and asked != [b"preview=false"]:
            detail = "preview: give it once, as true or false"
            await send_problem(scope, send, 422, "invalid-parameters", detail)
            return
        scope = {**scope, "query_string": kept}
        if asked == [b"preview=true"]:
            try:
                principal = await run_in_threadpool(authenticate, Request(scope))
                if "preview" not in principal.scopes:
                    raise ProblemError(403, "forbidden", "This API key lacks the scope `preview`.")
            except ProblemError as exc:
                headers = [(k.lower().encode(), v.encode()) for k, v in (exc.headers or {}).items()]
                await send_problem(scope, send, exc.status, exc.kind, exc.detail, headers)
                return
            scope.setdefault("state", {})["preview"] = True
        await self.app(scope, receive, send)
