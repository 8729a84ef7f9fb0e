"""A slug an editor changed answers `301` to the item's new URL, on the public API.

Only a public item lookup that found nothing asks (a 404 costs one indexed read more); the
answer is the redirect an editor's rename left (`slug_redirect`), or the 404 as it was.
"""

import re

from fastapi import FastAPI, Request
from sqlalchemy import bindparam, select
from starlette.responses import RedirectResponse, Response

from api.editor.collections import BY_NAME
from api.editor.models import SlugRedirect
from api.http.problems import ProblemError, problem_response
from api.read.reader import Fixed, Reader

ITEM_PATH = re.compile(r"^/api/v1/([a-z-]+)/([a-z0-9-]+)$")
REDIRECT = Fixed(
    "editor.redirect",
    lambda: select(SlugRedirect.new_slug).where(  # type: ignore[call-overload]
        SlugRedirect.collection == bindparam("collection"),
        SlugRedirect.old_slug == bindparam("slug"),
    ),
)


async def redirect_of(reader: Reader, path: str) -> str | None:
    """The current URL of an item an old slug named, if an editor renamed it."""
    match = ITEM_PATH.match(path)
    if match is None or match[1] not in BY_NAME:
        return None
    rows = await reader.fetch(
        reader.statement(REDIRECT), {"collection": match[1], "slug": match[2]}
    )
    return f"/api/v1/{match[1]}/{rows[0]['new_slug']}" if rows else None


def install_redirects(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        if exc.status == 404 and request.method in ("GET", "HEAD"):
            target = await redirect_of(request.app.state.reader, request.url.path)
            if target is not None:
                if request.url.query:
                    target += f"?{request.url.query}"
                return RedirectResponse(target, 301)
        return problem_response(
            request, exc.status, exc.kind, exc.detail, errors=exc.errors, headers=exc.headers
        )
