"""The FastAPI application factory: settings in, an app out.

The factory builds the application's one state object (:class:`graphapp.web.state.WebState`: settings, templates,
what the routes share); the lifespan starts the service (the store, the workers) in it and stops it."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__, logs
from ..background import BeingPrepared
from ..config import Settings
from ..service import Service
from ..storage import RemoteStoreError
from . import auth, errors, openapi
from .deps import attach
from .head import HeadAsGetMiddleware
from .i18n import LanguageCookieMiddleware, template_context
from .licences import licence_summary
from .limits import BodyLimitMiddleware, PatienceMiddleware, body_limit
from .requestlog import RequestLogMiddleware
from .routers import (
    access,
    analytics,
    dataset,
    docs,
    external,
    forms,
    history,
    imports,
    ops,
    pages,
    practices,
    releases,
    sparql,
    staff_api,
    views,
)
from .security import SecurityHeadersMiddleware
from .state import WebState
from .urls import TrailingSlashRedirectMiddleware, template_current_url, template_url_for
from .versioning import VersionTagMiddleware

T = TypeVar("T")
WEB_DIR = Path(__file__).parent
# found without importing pyvis (0.2 s at every start; the views import it on first use)
_PYVIS = importlib.util.find_spec("pyvis")
VIS_DIR = Path((_PYVIS.origin if _PYVIS else None) or "").parent / "lib" / "vis-9.1.2"


def _graph_version(app: FastAPI) -> int | None:
    """The version of the graph the application's service answers from (``None`` while it is not serving)."""
    service = getattr(app.state, "service", None)
    return service.version if service is not None else None


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service. Tests build as many differently configured apps as they need."""
    settings = settings or Settings.from_env()
    logs.configure()  # JSON lines on standard error, once per process (each web worker builds its app)

    templates = Jinja2Templates(directory=WEB_DIR / "templates", context_processors=[template_context])
    # links are root-relative paths and absolute URLs come from settings: never from the Host header
    templates.env.globals.update(
        url_for=template_url_for,
        current_url=template_current_url,
        site_url=settings.site_url,
        licence_summary=licence_summary,
        csrf_token=auth.csrf_token,
        graph_views=views.VIEWS,  # the views' nav bar (views_base.html)
    )
    web = WebState(settings, templates)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Service(settings)
        web.start(service)
        # for tests and embedding code (the app's own modules read the state through graphapp.web.deps)
        app.state.service = service
        try:
            yield
        finally:
            web.stop()
            await service.aclose()

    app = FastAPI(
        title="Gobierno Abierto KG",
        summary="Grafo de conocimiento de prácticas de gobierno abierto en México / "
        "Knowledge graph of open-government practices in Mexico",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # Starlette's slash redirect builds its Location from the Host header; see TrailingSlashRedirectMiddleware
        redirect_slashes=False,
    )
    attach(app, web)
    app.state.settings = settings  # for tests and embedding code, as app.state.service
    # vis-network ships inside the pyvis package: served from there as one cacheable file, never from a CDN.
    # The vendor mounts come first: "/static" would otherwise claim their paths.
    app.mount("/static/vendor/vis", StaticFiles(directory=VIS_DIR), name="vis")
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(external.router)
    app.include_router(sparql.router)
    app.include_router(dataset.router)
    app.include_router(releases.router)
    app.include_router(docs.router)
    app.include_router(views.router)
    app.include_router(analytics.router)
    app.include_router(practices.router)
    app.include_router(staff_api.router)
    app.include_router(access.router)
    app.include_router(forms.router)
    app.include_router(imports.router)
    app.include_router(history.router)
    app.include_router(ops.router)
    # innermost: a request body over the cap is refused before any route reads it
    app.add_middleware(BodyLimitMiddleware, max_bytes=body_limit(settings))
    app.add_middleware(PatienceMiddleware, seconds=settings.build_wait_seconds)
    app.add_middleware(TrailingSlashRedirectMiddleware)
    # inside HEAD-as-GET: a HEAD gets the ETag of the GET's body
    app.add_middleware(VersionTagMiddleware, current=lambda: _graph_version(app))
    app.add_middleware(HeadAsGetMiddleware)  # HEAD for every GET route
    app.add_middleware(LanguageCookieMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    # outermost: the request id, the timing and the log line cover every other middleware
    app.add_middleware(RequestLogMiddleware)
    app.add_exception_handler(errors.AppError, errors.app_error_handler)
    app.add_exception_handler(StarletteHTTPException, errors.http_error_handler)
    app.add_exception_handler(RequestValidationError, errors.validation_error_handler)
    app.add_exception_handler(RemoteStoreError, errors.store_unavailable_handler)
    app.add_exception_handler(BeingPrepared, views.being_prepared_handler)
    app.add_exception_handler(Exception, errors.unexpected_error_handler)
    auth.install(app)  # csrf_token() in templates; a browser without a session goes to /acceso
    openapi.install(app)
    return app
