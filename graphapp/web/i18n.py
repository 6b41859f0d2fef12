"""Language: Spanish first, English second. ``?lang=en`` switches and a cookie keeps the choice.

>>> pick({"es": "Municipio", "en": "Municipality"}, "en")
'Municipality'
>>> pick({"en": "Goal"}, "es")
'Goal'
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGS = ("es", "en")
DEFAULT = "es"
COOKIE = "lang"


def get_lang(request: Request) -> str:
    """The reader's language: ``?lang=``, else the cookie, else Spanish."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(COOKIE)
    return kept if kept in LANGS else DEFAULT


def pick(values: Mapping[str, str], lang: str) -> str:
    """The value in ``lang``, falling back to the other language, then to any value (e.g. untagged)."""
    for key in (lang, *(other for other in LANGS if other != lang), ""):
        if values.get(key):
            return values[key]
    return next(iter(values.values()), "")


class LanguageCookieMiddleware:
    """Remember an explicit ``?lang=`` choice in a cookie so that it sticks across pages.

    Pure ASGI middleware (no ``BaseHTTPMiddleware``: it would buffer streaming responses and hide client
    disconnects): the cookie is added to the start of the response.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        asked = request.query_params.get("lang")
        if asked not in LANGS or request.cookies.get(COOKIE) == asked:
            await self.app(scope, receive, send)
            return
        cookie = Response()
        cookie.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        set_cookie = cookie.headers["set-cookie"]

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message).append("set-cookie", set_cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def template_context(request: Request) -> dict[str, object]:
    """Context every template gets: the language and a ``t(es, en)`` helper."""
    lang = get_lang(request)

    def t(es: str, en: str) -> str:
        return es if lang == "es" else en

    def has_route(name: str) -> bool:
        """Whether the app has a route of that name (optional parts of the site link to each other)."""
        try:
            request.app.url_path_for(name, **_PLACEHOLDER_PARAMS.get(name, {}))
        except Exception:
            return False
        return True

    return {"lang": lang, "t": t, "other_lang": "en" if lang == "es" else "es", "has_route": has_route}


# path parameters needed to test routes that take one
_PLACEHOLDER_PARAMS: dict[str, dict[str, str]] = {"view_neighbourhood": {"path": "x"}}
