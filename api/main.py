"""The application factory: middleware, error handlers, routers, self-hosted docs."""

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import health, v1
from api.config import Settings, get_settings
from api.content.base import today
from api.content.catalog import CatalogCache
from api.db import make_engine
from api.editor import routes as editor
from api.editor.keys import FailedLogins
from api.editor.preview import PreviewMiddleware
from api.editor.redirects import install_redirects
from api.editor.uploads import upload_body_limits
from api.formats.sitemap import sitemap_router
from api.http import docs
from api.http.application import ContentAPI
from api.http.cache import HTTPCacheMiddleware, public_policy
from api.http.deprecation import DEPRECATIONS, Deprecation
from api.http.dispatch import GetDispatcher
from api.http.formats import FormatsMiddleware, offered
from api.http.limits import LimitsMiddleware, RateLimit
from api.http.middleware import (
    HeadAsGetMiddleware,
    PublicHeadersMiddleware,
    SurrogateKeysMiddleware,
    TrustedHosts,
)
from api.http.openapi import build_document
from api.http.problems import install_problem_handlers
from api.read.paging import Cursors
from api.read.reader import PreviewReader, make_reader
from api.registry import COLLECTIONS

DESCRIPTION = """
The public content of the OSCE website — participating States, Partners for Co-operation, field
operations, news and stories, events, navigation menus and fields of work — as a versioned,
read-only JSON API. Errors are RFC 9457 problem details. See the project README for the
conventions shared by every collection (paging, sorting, sparse fields, filters).
"""


def create_app(
    settings: Settings | None = None, deprecations: Sequence[Deprecation] = DEPRECATIONS
) -> FastAPI:
    settings = settings or get_settings()
    reader = make_reader(settings)
    engine = make_engine(settings)
    write_engine = make_engine(settings, immediate=True)  # the editor API's transactions

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await reader.start()
        yield
        await reader.close()
        engine.dispose()
        write_engine.dispose()

    app = ContentAPI(
        title="OSCE Content API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        # api/http/docs.py serves both from this server, not from a CDN.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # FastAPI's built-in OpenTelemetry costs a lookup on every request; off unless wanted.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.deprecations = deprecations
    app.state.engine = engine  # writes, migrations and /readyz; reads go through the reader
    app.state.reader = reader
    app.state.preview_reader = PreviewReader(reader)
    app.state.write_engine = write_engine
    app.state.failed_logins = FailedLogins(settings.auth_failures_per_minute)
    app.state.catalogs = CatalogCache(reader, settings.fallbacks)
    app.state.cursors = Cursors(settings.cursor_secret)
    app.state.today = today  # the calendar "upcoming" and "active" mean; tests pin it
    app.state.migration_head = health.migration_head()
    app.state.formats = v1.FORMATS  # documented in the OpenAPI document
    app.state.private_paths = (editor.PREFIX,)  # every answer, problems too, is private
    install_problem_handlers(app)
    install_redirects(app)
    # Added innermost first: GET dispatch, surrogate keys, formats, preview, the cache, limits,
    # CORS and security headers, HEAD.
    app.add_middleware(GetDispatcher, fastapi=app, skip=(editor.PREFIX,))
    if settings.surrogate_keys:
        app.add_middleware(SurrogateKeysMiddleware)
    app.add_middleware(FormatsMiddleware, formats=v1.FORMATS)
    # Inside the cache: a hit never pays for it, and a preview (which carries credentials)
    # is never kept or served from it.
    app.add_middleware(PreviewMiddleware)
    public = public_policy(settings.cache_max_age, settings.cache_stale_while_revalidate)
    app.add_middleware(
        HTTPCacheMiddleware,
        # The editor API answers for itself: private, with its own ETags (revisions).
        groups={"/api/": public, "/sitemap": public, editor.PREFIX: None},
        cache_bytes=settings.response_cache_mb * 1024 * 1024,
    )
    rate_limit = None
    if settings.rate_limit_per_minute:
        rate_limit = RateLimit(
            settings.rate_limit_per_minute,
            settings.rate_limit_burst,
            settings.rate_limit_storage_url,
        )
    app.add_middleware(
        LimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_query_parameters=settings.max_query_parameters,
        rate_limit=rate_limit,
        body_limits=upload_body_limits(settings),
    )
    app.add_middleware(
        PublicHeadersMiddleware,
        deprecations=deprecations,
        trusted_hosts=TrustedHosts(settings.trusted_hosts),
        offered=offered(v1.FORMATS),
    )
    app.add_middleware(HeadAsGetMiddleware)
    app.include_router(editor.editor_router())
    app.include_router(v1.router)
    app.include_router(health.router)
    docs.install_docs(app)
    app.include_router(sitemap_router(COLLECTIONS))
    app.openapi = lambda: build_document(app)  # type: ignore[method-assign]
    return app


def served_app() -> FastAPI:
    """The app of one worker of `content-api serve`. Once it is built, the objects that live as
    long as the process (modules, routes, models and their validators: about 200,000) leave the
    garbage collector's generations (`gc.freeze`): a full collection, which the cyclic
    collector runs every few thousand requests, otherwise walked them all and paused the
    worker for tens of milliseconds each time (bench/README.md, "Garbage collection")."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
