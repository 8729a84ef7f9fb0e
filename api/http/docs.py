"""ReDoc served so that it asks nothing of the internet.

fastapi-offline ships ReDoc's bundle, but the bundle itself links Redocly's logo from a CDN
(blocked by the docs' Content-Security-Policy, which then logs an error in the browser). This
page serves the same bundle with that one URL replaced by an empty data URL, which ReDoc hides.
"""

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from starlette.responses import HTMLResponse, Response

BUNDLE = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
BUNDLE_PATH = "/docs-assets/redoc.standalone.js"

router = APIRouter(include_in_schema=False)


@cache
def _bundle() -> bytes:
    return BUNDLE.read_bytes().replace(CDN_LOGO, b"data:,")


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{BUNDLE_PATH}",
        redoc_favicon_url=f"{root}/static-offline-docs/favicon.png",
        with_google_fonts=False,
    )


@router.get(BUNDLE_PATH)
async def redoc_bundle() -> Response:
    return Response(
        _bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
