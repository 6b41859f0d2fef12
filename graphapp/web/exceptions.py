"""The one domain exception of the web layer, in a module of its own so that any module may raise it.

:mod:`graphapp.web.errors` answers it in HTML, JSON or text to suit the request."""

from __future__ import annotations


class AppError(Exception):
    """An error a user can act on: HTTP ``status`` and a message that names the problem."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class NotServing(AppError):
    """The application's service is not running (starting or shutting down): a 503."""

    def __init__(self) -> None:
        super().__init__(503, "The service is starting or shutting down; try again.", {"Retry-After": "5"})
