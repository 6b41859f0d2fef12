"""One domain exception and one handler that answers in HTML, JSON or plain text to suit the request."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..results import parse_accept
from .security import security_headers

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error a user can act on: HTTP ``status`` and a message that names the problem."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def wants(request: Request, *media_types: str) -> str | None:
    """The first of ``media_types`` the Accept header prefers over the others (ties: order given)."""
    best: tuple[float, int] | None = None
    chosen = None
    for media, q in parse_accept(request.headers.get("accept")):
        for i, mt in enumerate(media_types):
            if q > 0 and (media == mt or media == mt.split("/")[0] + "/*") and (best is None or (q, -i) > best):
                best, chosen = (q, -i), mt
    return chosen


def render_error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error page, JSON or text the request prefers. It carries the security headers itself: the 500 handler
    runs in Starlette's ServerErrorMiddleware, outside the middleware that adds them to other responses."""
    headers = {**security_headers(request.scope), **(headers or {})}
    kind = wants(request, "text/html", "application/json", "text/plain")
    if kind == "text/html":
        templates = request.app.state.templates
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status, headers=headers
        )
    if kind == "application/json":
        return JSONResponse({"error": status, "message": message}, status_code=status, headers=headers)
    return PlainTextResponse(f"Error {status}: {message}\n", status_code=status, headers=headers)


async def app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)  # noqa: S101 - registered for AppError only
    return render_error(request, exc.status, exc.message, exc.headers)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    message = exc.detail if isinstance(exc.detail, str) else "Error"
    if exc.status_code == 404 and message == "Not Found":
        message = f"No page at {request.url.path}."
    return render_error(request, exc.status_code, message, getattr(exc, "headers", None))


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return render_error(request, 400, f"Invalid request: {problems}")


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return render_error(request, 500, "Internal error. It has been logged.")
