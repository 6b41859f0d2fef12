"""Limits that keep one client from taking the service from everyone else.

- :class:`BodyLimitMiddleware` refuses a request body over the cap before anything parses it: at once when
  ``Content-Length`` says so, otherwise as soon as the bytes received pass it (a 100 MB form once held the
  event loop for 25 s while it was parsed).
- :class:`ClientLimiter` bounds how many queries one client address has running or waiting at once.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..executor import QueryError
from .errors import AppError


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


class ClientLimiter:
    """At most ``per_client`` queries running or waiting per client address (0: no limit). Used from the
    event loop's thread only, so it needs no lock.

    >>> limiter = ClientLimiter(1)
    >>> with limiter.slot("1.2.3.4"):
    ...     with limiter.slot("1.2.3.4"):
    ...         pass
    Traceback (most recent call last):
    ...
    graphapp.executor.QueryError: This client already has 1 queries running or waiting; wait for one to finish.
    """

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._counts: Counter[str] = Counter()

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        if self.per_client and self._counts[client] >= self.per_client:
            raise QueryError(
                429,
                f"This client already has {self.per_client} queries running or waiting; wait for one to finish.",
                {"Retry-After": "5"},
            )
        self._counts[client] += 1
        try:
            yield
        finally:
            self._counts[client] -= 1
            if self._counts[client] <= 0:
                del self._counts[client]
