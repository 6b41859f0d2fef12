"""The FastAPI application factory: settings in, an app out. The store is loaded in the lifespan."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypedDict, TypeVar

import pyvis
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from .. import __version__
from ..config import Settings
from ..executor import UpdateJob, WorkerPool
from ..index import GraphIndex
from ..sparql_algebra import WritePolicy
from ..store import GraphStore
from ..workdir import make_workdir
from . import errors, openapi
from .i18n import LanguageCookieMiddleware, template_context
from .limits import BodyLimitMiddleware, ClientLimiter
from .routers import analytics, dataset, docs, pages, practices, sparql, views
from .security import SecurityHeadersMiddleware
from .urls import TrailingSlashRedirectMiddleware, template_current_url, template_url_for

T = TypeVar("T")
WEB_DIR = Path(__file__).parent
VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"


class State(TypedDict):
    settings: Settings
    service: ServiceState


class ServiceState:
    """What the handlers share: the public store, the query workers and where dumps are written."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workdir = make_workdir()  # graphapp-<pid>-*: folders of killed servers are removed at start
        self.store = GraphStore.from_settings(settings)
        self.index = GraphIndex.build(self.store)
        self.version = 0
        # derived data (graph projections, centralities, search indexes) computed once per graph version:
        # key -> (version, value); see cached()
        self._cache: dict[str, tuple[int, object]] = {}
        self._cache_lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self.clients = ClientLimiter(settings.max_queries_per_client)
        self.write_policy = WritePolicy(
            writable_prefix=settings.base_iri + "graph/",
            restricted_prefix=settings.base_iri + "graph/restricted/",
            source_graphs=frozenset(self.store.graphs()),
        )
        self._update_lock = asyncio.Lock()
        dump = self._write_dump()
        limits = {"workdir": self.workdir, "memory_mb": settings.worker_memory_mb}
        self.pool = WorkerPool(
            dump, settings.workers, settings.query_timeout, max_queued=settings.max_queued_queries, **limits
        )
        try:
            # updates run in their own sandboxed worker too: killable at their time limit, no network
            self.updater = WorkerPool(dump, 1, settings.update_timeout, max_queued=4, what="update", **limits)
        except BaseException:
            self.pool.close()
            raise

    def _write_dump(self) -> Path:
        path = self.workdir / f"public-{self.version}.nq"
        self.store.dump_nquads(path)
        return path

    async def apply_update(self, update: str) -> None:
        """Apply a SPARQL Update in the update worker, validate the result with the shapes and publish it.
        Raises :class:`QueryError` or :class:`AppError`; on any error nothing changes."""
        from ..validation import validate_store  # noqa: PLC0415 - pyshacl is heavy: import only when writing

        async with self._update_lock:
            output = self.workdir / f"public-{self.version + 1}.nq"
            try:
                await self.updater.run(UpdateJob(update, str(output), self.write_policy))
                candidate = await run_in_threadpool(GraphStore.from_dump, output, self.store)
                report = await run_in_threadpool(validate_store, candidate, self.settings)
                if report.violations:
                    raise errors.AppError(
                        400, "The update breaks the shapes; nothing was changed.\n" + report.format("en")
                    )
            except BaseException:
                output.unlink(missing_ok=True)
                raise
            self.replace_store(candidate, output)

    def replace_store(self, store: GraphStore, dump: Path | None = None) -> None:
        """Swap in an updated store and point the query workers at it (``dump``: its N-Quads, if written)."""
        previous = self.pool.snapshot_path
        self.store = store
        self.index = GraphIndex.build(store)
        self.version += 1
        dump = dump or self._write_dump()
        self.pool.publish(dump)
        self.updater.publish(dump)
        # the snapshot before the previous one is no longer read by any worker: workers move to the newest
        # before their next job, and one that is starting reads the one it was given
        for old in self.workdir.glob("public-*.nq"):
            if old not in {dump, previous}:
                old.unlink(missing_ok=True)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per graph version: expensive measures are not recomputed per request.
        Concurrent first requests for the same key wait for one computation instead of repeating it."""
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] == self.version:
                return hit[1]  # type: ignore[return-value]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._cache_lock:
                hit = self._cache.get(key)
                version = self.version
            if hit is not None and hit[0] == version:
                return hit[1]  # type: ignore[return-value]
            value = compute()
            with self._cache_lock:
                self._cache[key] = (version, value)
            return value

    def close(self) -> None:
        self.pool.close()
        self.updater.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service. Tests build as many differently configured apps as they need."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        service = ServiceState(settings)
        app.state.service = service
        try:
            yield {"settings": settings, "service": service}
        finally:
            service.close()

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
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=WEB_DIR / "templates", context_processors=[template_context])
    # links are root-relative paths and absolute URLs come from settings: never from the Host header
    app.state.templates.env.globals.update(
        url_for=template_url_for, current_url=template_current_url, site_url=settings.site_url
    )
    # vis-network ships inside the pyvis package: served from there as one cacheable file, never from a CDN.
    # The vendor mounts come first: "/static" would otherwise claim their paths.
    app.mount("/static/vendor/vis", StaticFiles(directory=VIS_DIR), name="vis")
    app.mount("/static/vendor/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(sparql.router)
    app.include_router(dataset.router)
    app.include_router(docs.router)
    app.include_router(views.router)
    app.include_router(analytics.router)
    app.include_router(practices.router)
    # innermost: a request body over the cap is refused before any route reads it
    app.add_middleware(BodyLimitMiddleware, max_bytes=3 * settings.max_query_bytes + 65_536)
    app.add_middleware(TrailingSlashRedirectMiddleware)
    app.add_middleware(LanguageCookieMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_exception_handler(errors.AppError, errors.app_error_handler)
    app.add_exception_handler(StarletteHTTPException, errors.http_error_handler)
    app.add_exception_handler(RequestValidationError, errors.validation_error_handler)
    app.add_exception_handler(Exception, errors.unexpected_error_handler)
    openapi.install(app)
    return app
