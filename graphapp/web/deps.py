"""What routes receive from the application, typed, through FastAPI dependencies.

One application owns one :class:`graphapp.web.state.WebState` (its settings, templates, service, staff
credentials, dump files and caches), built by the factory; the lifespan starts and stops its service. This module
is the only one that reads it off the application (``app.state``): routes declare ``service: ServiceDep``,
``settings: SettingsDep``, ``templates: TemplatesDep``, ``access: AccessDep`` or ``web: WebDep``, as Starlette's
lifespan state and Datasette's ``Datasette`` object are handed to views; code that runs outside a route (error
handlers, template globals, other dependencies) calls :func:`web_state`.

The state hangs off the application rather than the lifespan's ``request.state``: an error page must render even
for a request that no lifespan saw (an application used without it, a second test client of the same app).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp

from ..config import Settings
from ..service import Service
from .credentials import Access
from .dumps import DumpFiles
from .state import WebState

__all__ = [
    "AccessDep",
    "DumpsDep",
    "ServiceDep",
    "SettingsDep",
    "TemplatesDep",
    "WebDep",
    "access_for",
    "attach",
    "web_state",
]


def attach(app: FastAPI, web: WebState) -> None:
    """Give ``app`` its state (the factory, once)."""
    app.state.web = web


def state_of(app: ASGIApp) -> WebState:
    """The state of an application built by the factory."""
    web = getattr(getattr(app, "state", None), "web", None)
    if not isinstance(web, WebState):
        raise TypeError("not an application built by graphapp.web.app.create_app")
    return web


def web_state(request: Request) -> WebState:
    """The state of the application answering ``request``."""
    return state_of(request.app)


def get_service(request: Request) -> Service:
    """The running service; a 503 when the application is starting or stopping."""
    return web_state(request).service


def get_settings(request: Request) -> Settings:
    return web_state(request).settings


def get_templates(request: Request) -> Jinja2Templates:
    return web_state(request).templates


def access_for(request: Request) -> Access:
    """The staff credentials, sessions and rate limit of the application."""
    return web_state(request).access


def get_dumps(request: Request) -> DumpFiles:
    return web_state(request).dumps


T = TypeVar("T")


def _on_the_loop(get: Callable[[Request], T]) -> Callable[[Request], Awaitable[T]]:
    """``get`` as a dependency that runs on the event loop. FastAPI runs a dependency written as a plain function in
    its thread pool: a hop to another thread and back on every request, for a lookup of an attribute."""

    async def dependency(request: Request) -> T:
        return get(request)

    return dependency


WebDep = Annotated[WebState, Depends(_on_the_loop(web_state))]
ServiceDep = Annotated[Service, Depends(_on_the_loop(get_service))]
SettingsDep = Annotated[Settings, Depends(_on_the_loop(get_settings))]
TemplatesDep = Annotated[Jinja2Templates, Depends(_on_the_loop(get_templates))]
AccessDep = Annotated[Access, Depends(_on_the_loop(access_for))]
DumpsDep = Annotated[DumpFiles, Depends(_on_the_loop(get_dumps))]
