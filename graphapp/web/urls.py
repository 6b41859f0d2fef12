"""Links without the Host header. Pages link with root-relative paths; absolute URLs (the service description, the
VoID/DCAT record, the endpoint shown on the query page) come from ``Settings.site_url``. A request's ``Host``
header is never written into a page, a description or a redirect.

>>> str(_relative("//evil.example/x", "lang=en"))
'/%2Fevil.example/x?lang=en'
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send


def _app_root_path(scope: Scope) -> str:
    """The path under which the application is served (``--root-path``), '' at the root."""
    return str(scope.get("app_root_path", scope.get("root_path", ""))).rstrip("/")


def _relative(path: str, query: str = "") -> URL:
    """A URL made of a path (never read as ``//host``) and a query string."""
    if path.startswith("//"):
        path = "/%2F" + path[2:]
    return URL(f"{path}?{query}" if query else path)


def app_path(request: Request, path: str) -> URL:
    """A path of the application (``/openapi.json``) as a root-relative URL, under the app's root path."""
    return _relative(_app_root_path(request.scope) + path)


def path_for(request: Request, name: str, /, **path_params: Any) -> URL:
    """The root-relative URL of a named route or mount (``/static/style.css``), under the app's root path."""
    return app_path(request, request.app.url_path_for(name, **path_params))


def current_url(request: Request, /, **query_params: Any) -> URL:
    """This page as a root-relative URL, with ``query_params`` set (e.g. ``lang='en'``, ``format='json'``)."""
    path = request.scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    url = _relative(path, request.scope.get("query_string", b"").decode("latin-1"))
    return url.include_query_params(**query_params) if query_params else url


@pass_context
def template_url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> URL:
    """Jinja ``url_for``: a root-relative path instead of Starlette's absolute URL built from the Host header."""
    return path_for(context["request"], name, **path_params)


@pass_context
def template_current_url(context: dict[str, Any], /, **query_params: Any) -> URL:
    """Jinja ``current_url(lang=…)``: this page as a root-relative URL with some query parameters set."""
    return current_url(context["request"], **query_params)


class TrailingSlashRedirectMiddleware:
    """``/path/`` → ``/path`` when a route answers ``/path``, with a relative ``Location`` that keeps the query.

    Replaces Starlette's ``redirect_slashes``, whose ``Location`` is absolute and built from the Host header. The
    application's router runs with ``redirect_slashes=False``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        location = self._redirect(scope) if scope["type"] == "http" else None
        if location is None:
            await self.app(scope, receive, send)
            return
        await RedirectResponse(location, status_code=307)(scope, receive, send)

    @staticmethod
    def _redirect(scope: Scope) -> str | None:
        path: str = scope["path"]
        root_path = _app_root_path(scope)
        route_path = path[len(root_path) :] if root_path and path.startswith(root_path) else path
        if not route_path.endswith("/") or not route_path.strip("/") or route_path.startswith(("//", "/\\")):
            return None
        routes = scope["app"].router.routes
        if any(route.matches(scope)[0] == Match.FULL for route in routes):
            return None
        target = path.rstrip("/")
        target_scope = {**scope, "path": target}
        if not any(route.matches(target_scope)[0] != Match.NONE for route in routes):
            return None
        return str(_relative(target, scope.get("query_string", b"").decode("latin-1")))
