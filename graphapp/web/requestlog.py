"""Every request gets an id, a timing, one structured log line and a sample in the latency histogram.

The id is the caller's ``X-Request-ID`` when it is a short safe token (a proxy's id, so both logs share it),
else a new one; it comes back in the response's ``X-Request-ID``. The log line (logger ``graphapp.requests``)
holds the method, the path without its query string (a query string may carry a SPARQL query or a secret), the
route template, the status, the duration in milliseconds and the id; never a header, a cookie or a body, so never a
token. The probes of the proxy and the monitoring (``/health``, ``/ready``, ``/metrics``) are logged at DEBUG, so
that they do not drown the log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import metrics
from ..logs import REQUEST_ID

log = logging.getLogger("graphapp.requests")

HEADER = "X-Request-ID"
#: where the id is kept in the ASGI scope, for the 500 page (sent outside every middleware; see errors.py)
SCOPE_KEY = "graphapp.request_id"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
QUIET_PATHS = frozenset({"/health", "/ready", "/metrics"})
UNMATCHED = "unmatched"  # the route label of a request no route took (a 404 at an unknown path, a redirect)


def request_id(incoming: str | None) -> str:
    """The caller's id when it is safe to log and echo, else a new one.

    >>> request_id("req-42.a_b")
    'req-42.a_b'
    >>> len(request_id("bad id\\r\\nX-Evil: 1")), len(request_id(None))
    (32, 32)
    """
    if incoming is not None and SAFE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The template of the route that took the request (``/id/{kind}/{slug}``, ``/static``), never the raw path,
    so that the metrics' series stay few whatever paths are asked for."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class RequestLogMiddleware:
    """Pure ASGI middleware, outermost of the application's own (see :mod:`graphapp.web.security` for why not
    ``BaseHTTPMiddleware``): the timing covers every other middleware and ends with the last byte sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        incoming = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), None)
        rid = request_id(incoming)
        scope[SCOPE_KEY] = rid
        token = REQUEST_ID.set(rid)
        status = 500  # unless the application starts a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - start, rid)
            REQUEST_ID.reset(token)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float, rid: str) -> None:
        route = route_template(scope)
        method = scope.get("method", "")
        metrics.observe_request(route, method, status, seconds)
        path = scope.get("path", "")
        level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
        log.log(
            level,
            "request",
            extra={
                "request_id": rid,
                "method": method,
                "path": path,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            },
        )
