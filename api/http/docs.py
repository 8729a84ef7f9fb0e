"""Swagger UI (`/docs`) and ReDoc (`/redoc`) served so that they ask nothing of the internet.

FastAPI's own pages load their scripts from a CDN. fastapi-offline ships the bundles; they are
served from `/static-offline-docs`. ReDoc's bundle itself links Redocly's logo from a CDN
(blocked by the docs' Content-Security-Policy, which then logs an error in the browser): its
page gets the same bundle with that one URL replaced by an empty data URL, which ReDoc hides.
"""

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response

STATIC = Path(fastapi_offline.__file__).parent / "static"
STATIC_PATH = "/static-offline-docs"
BUNDLE = STATIC / "redoc.standalone.js"
CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
BUNDLE_PATH = "/docs-assets/redoc.standalone.js"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"

router = APIRouter(include_in_schema=False)


def install_docs(app: FastAPI) -> None:
    """The two pages and the assets they load, on `app`."""
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="static-offline-docs")
    app.include_router(router)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - Swagger UI",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT}",
        swagger_js_url=f"{root}{STATIC_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC_PATH}/favicon.png",
        swagger_ui_parameters=request.app.swagger_ui_parameters,
    )


@router.get(OAUTH2_REDIRECT)
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


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
        redoc_favicon_url=f"{root}{STATIC_PATH}/favicon.png",
        with_google_fonts=False,
    )


@router.get(BUNDLE_PATH)
async def redoc_bundle() -> Response:
    return Response(
        _bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
