"""Security headers on every response: a strict Content-Security-Policy and friends.

No inline script is ever needed: pages keep data in ``<script type="application/json">`` blocks (which the
browser does not run) and behaviour in static files.

The headers are declared once, here, and applied twice: by :class:`SecurityHeadersMiddleware` to every response
that goes through the application, and by the error rendering (``errors.render_error``) to the 500 page, which
Starlette sends from ``ServerErrorMiddleware``, outside every user middleware.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The one <style> element the vendored YASGUI inserts (its table column resizer's rules), allowed by its hash,
# never by 'unsafe-inline'. A YASGUI upgrade that changes it shows as a CSP error in tests/test_browser_sparql.py.
YASGUI_STYLE_HASH = "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='"
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {YASGUI_STYLE_HASH}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def security_headers(scope: Scope) -> dict[str, str]:
    """The security headers a response to this request carries (unless the handler set its own)."""
    return {"Content-Security-Policy": CSP, **COMMON_HEADERS}


def add_security_headers(scope: Scope, headers: MutableHeaders) -> None:
    """Add the security headers that ``headers`` does not set already."""
    for name, value in security_headers(scope).items():
        headers.setdefault(name, value)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (no ``BaseHTTPMiddleware``: it would buffer streaming responses and hide client
    disconnects): adds the security headers to the start of every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                add_security_headers(scope, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)
