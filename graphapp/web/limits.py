"""Limits on one request. :class:`BodyLimitMiddleware` keeps one client from taking the service from everyone
else: it refuses a request body over the cap before anything parses it, at once when ``Content-Length`` says so,
otherwise as soon as the bytes received pass it (a 100 MB form once held the event loop for 25 s while it was
parsed). :class:`PatienceMiddleware` bounds how long a request waits for what is built in the background.

The limit on queries per client address belongs to the worker pool's admission:
:class:`graphapp.executor.ClientLimiter`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..background import REQUEST_PATIENCE
from ..config import Settings
from .errors import AppError


def body_limit(settings: Settings) -> int:
    """The largest request body the service reads: three queries' worth, and room for the form around them."""
    return 3 * settings.max_query_bytes + 65_536


class BodyTooLarge(AppError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class BodyLimitMiddleware:
    """Pure ASGI middleware: no request body may pass ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await _refuse(send, self.max_bytes)
                    return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, limit: int) -> None:
    body = f"Error 413: The request body is larger than the limit of {limit} bytes.\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class PatienceMiddleware:
    """Pure ASGI middleware: the code serving a request waits at most ``seconds`` for something built in the
    background with no older value to serve (:data:`graphapp.background.REQUEST_PATIENCE`; the label index after a
    start, 20 s at 10^7 triples), then the request is answered with a 503 «se está preparando» and
    ``Retry-After``, instead of holding the visitor (or a proxy's time limit)."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = REQUEST_PATIENCE.set(self.seconds) if scope["type"] == "http" else None
        try:
            await self.app(scope, receive, send)
        finally:
            if token is not None:
                REQUEST_PATIENCE.reset(token)
