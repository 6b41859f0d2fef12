"""The FastAPI application factory: settings in, an app out. The store is loaded in the lifespan."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypedDict

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..config import Settings
from ..executor import WorkerPool
from ..store import GraphStore
from . import errors
from .routers import dataset, sparql

WEB_DIR = Path(__file__).parent


class State(TypedDict):
    settings: Settings
    service: ServiceState


class ServiceState:
    """What the handlers share: the public store, the query workers and where dumps are written."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workdir = Path(tempfile.mkdtemp(prefix="graphapp-"))
        self.store = GraphStore.from_settings(settings)
        self.version = 0
        dump = self._write_dump()
        self.pool = WorkerPool(dump, settings.workers, settings.query_timeout)

    def _write_dump(self) -> Path:
        path = self.workdir / f"public-{self.version}.nq"
        self.store.dump_nquads(path)
        return path

    def replace_store(self, store: GraphStore) -> None:
        """Swap in an updated store and point the query workers at it."""
        self.store = store
        self.version += 1
        self.pool.publish(self._write_dump())

    def close(self) -> None:
        self.pool.close()
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
    )
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=WEB_DIR / "templates")
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(sparql.router)
    app.include_router(dataset.router)
    app.add_exception_handler(errors.AppError, errors.app_error_handler)
    app.add_exception_handler(StarletteHTTPException, errors.http_error_handler)
    app.add_exception_handler(RequestValidationError, errors.validation_error_handler)
    app.add_exception_handler(Exception, errors.unexpected_error_handler)
    return app
