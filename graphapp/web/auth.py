"""Who may write: the principal behind a request, and the roles a route needs.

Reads stay public and anonymous. A write route declares the role it needs (``principal: Editor``,
``principal: Admin`` or ``Depends(require("edit-restricted"))``); the dependency answers

- 401 (``WWW-Authenticate: Bearer``) when no credentials are given; a browser asking for a page (``GET`` with
  ``Accept: text/html``) is sent to the sign-in page ``/acceso`` instead;
- 403 when the credentials are not valid (unknown, disabled or replaced token, ended session), when they do not
  carry the role, or when a form signed in by cookie lacks its CSRF token;
- 429 with ``Retry-After`` when the principal made more writes than ``GRAPHAPP_WRITE_RATE`` allows.

Credentials, checked in this order:

1. ``Authorization: Bearer <token>``: a staff token (:mod:`graphapp.staff`), or the operator's legacy
   ``GRAPHAPP_UPDATE_TOKEN`` (all roles, principal ``update-token``). API clients need nothing else.
2. The session cookie set by ``POST /acceso`` (signed with ``GRAPHAPP_SECRET_KEY``; HttpOnly, SameSite=Strict,
   Secure when the public URL is https). A write (any method but GET, HEAD, OPTIONS) made with it must carry the
   session's CSRF token, as the form field ``csrf_token`` or the header ``X-CSRF-Token``; templates get it from
   ``csrf_token(request)``. A session ends when it is 12 hours old, when its account is disabled or given a new
   token, or at ``POST /salir``.

Every write that passes is logged once to the logger ``graphapp.writes`` (who, how, method, path); a token is never
logged. Tokens, sessions and the rate limit themselves are :mod:`graphapp.web.credentials`' (:class:`Access`); this
module is how routes ask for them.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..staff import LEGACY_NAME, ROLES
from .credentials import (
    SECRET_KEY_FILE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    Access,
    Principal,
    Session,
    secret_key,
)
from .deps import SettingsDep, access_for
from .errors import ERROR_MEDIA, JSON_ONLY_PATHS, AppError, error_responses, render_error, wants
from .render import VARY
from .urls import current_url, path_for

__all__ = [
    "LEGACY_NAME",
    "ROLES",
    "SECRET_KEY_FILE",
    "SESSION_COOKIE",
    "SESSION_MAX_AGE",
    "Access",
    "Admin",
    "Editor",
    "LoginRequired",
    "Principal",
    "RestrictedEditor",
    "Session",
    "access_for",
    "authenticate",
    "csrf_token",
    "install",
    "require",
    "secret_key",
    "session_editor",
    "write_error_responses",
]

log = logging.getLogger("graphapp.writes")

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="graphapp"'}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM = "application/x-www-form-urlencoded"


class LoginRequired(AppError):
    """No credentials: a 401, or for a browser asking for a page, a redirect to the sign-in page."""

    def __init__(self) -> None:
        super().__init__(
            401,
            "This needs 'Authorization: Bearer <token>', or signing in at /acceso with a staff token.",
            dict(CHALLENGE),
        )


def csrf_token(request: Request) -> str:
    """The CSRF token a form posted with this request's session must carry (``csrf_token`` field); empty when
    the request has no session. Templates call it as ``{{ csrf_token(request) }}``."""
    access = access_for(request)
    session = access.session(request)
    return access.csrf(session) if session else ""


def session_editor(request: Request) -> Principal | None:
    """The signed-in staff member behind a page request who may write (a live session with the role ``edit``),
    for pages that offer staff a button (revert, edit); ``None`` for anyone else. Never refuses."""
    return session_with(request, "edit")


def session_with(request: Request, role: str) -> Principal | None:
    """The signed-in staff member behind a page request if their live session carries ``role`` (``admin``: the
    releases page offers the form that makes one); ``None`` for anyone else. Never refuses."""
    access = access_for(request)
    session = access.session(request)
    if session is None:
        return None
    try:
        principal = access.session_principal(session)
    except AppError:
        return None
    return principal if role in principal.roles else None


def _bearer(request: Request) -> str | None:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" and given.strip() else None


async def _given_csrf(request: Request) -> str | None:
    """The CSRF token the request carries: the ``X-CSRF-Token`` header, else the form field ``csrf_token``.

    The route can still read the body afterwards: Starlette keeps it (and the parsed form) on the request, which
    FastAPI hands to the dependencies and the route alike. When the route's own ``Form(...)`` parameters were
    parsed first, the body is gone but the parsed form is kept."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (FORM, "multipart/form-data"):
        return None
    try:
        body: bytes | None = await request.body()
    except RuntimeError:  # "Stream consumed": FastAPI parsed the form for the route's Form parameters
        body = None
    if body is not None and media == FORM:
        try:
            values = parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            return None
        given = values.get(CSRF_FIELD, [])
        return given[0] if len(given) == 1 else None
    try:
        form = await request.form()
    except (AssertionError, ValueError, HTTPException):  # python-multipart missing, or a malformed body
        return None
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


async def authenticate(request: Request) -> tuple[Principal, str]:
    """The principal behind a request and how it proved itself (``token`` or ``session``), whatever the route
    needs; no CSRF check, rate limit or log (see :func:`require`)."""
    access = access_for(request)
    given = _bearer(request)
    if given is not None:
        principal, _ = await run_in_threadpool(access.authenticate, given)
        return principal, "token"
    session = access.session(request)
    if session is None:
        raise LoginRequired()
    return access.session_principal(session), "session"


def require(role: str) -> Callable[[Request, SettingsDep], Awaitable[Principal]]:
    """A dependency that answers the principal holding ``role``, or refuses the request."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    async def dependency(request: Request, settings: SettingsDep) -> Principal:
        principal, via = await authenticate(request)
        if role not in principal.roles:
            raise AppError(403, f"This needs the role {role!r}.")
        if request.method not in SAFE_METHODS:
            if via == "session":
                access = access_for(request)
                session = access.session(request)
                given = await _given_csrf(request)
                if session is None or not given or not hmac.compare_digest(given, access.csrf(session)):
                    raise AppError(
                        403, f"A form sent with a session cookie needs its '{CSRF_FIELD}' field (or X-CSRF-Token)."
                    )
            access_for(request).hit("write:" + principal.name)
            log.info("write by %s (%s): %s %s", principal.name, via, request.method, request.url.path)
        return principal

    return dependency


Editor = Annotated[Principal, Depends(require("edit"))]
RestrictedEditor = Annotated[Principal, Depends(require("edit-restricted"))]
Admin = Annotated[Principal, Depends(require("admin"))]


def write_error_responses(
    *extra: int, media: tuple[str, ...] = ERROR_MEDIA, **descriptions: str
) -> dict[int | str, dict[str, Any]]:
    """The error entries (OpenAPI) of a write route behind :func:`require`: 401, 403 and 429 in their own words,
    plus ``extra`` statuses (``media``, ``e400="..."`` etc. as for :func:`graphapp.web.errors.error_responses`)."""
    words = {
        "e401": "No credentials: neither a bearer token nor a session cookie.",
        "e403": "The token or session is not valid (unknown, disabled, replaced, ended), it lacks the role this "
        "route needs, or a form sent with a session cookie lacks its CSRF token.",
        "e429": "This staff member made more writes than GRAPHAPP_WRITE_RATE allows; try again after Retry-After.",
    }
    return error_responses(*sorted({401, 403, 429, *extra}), media=media, **{**words, **descriptions})


# ---------------------------------------------------------------- wiring into the application


async def _login_required_handler(request: Request, exc: Exception) -> Response:
    """A browser asking for a page is sent to the sign-in page (and back); anyone else gets the 401."""
    assert isinstance(exc, AppError)  # noqa: S101 - registered for LoginRequired only
    is_page = request.method in {"GET", "HEAD"} and not request.url.path.startswith(JSON_ONLY_PATHS)
    if is_page and wants(request, "text/plain", "text/html", "application/json") == "text/html":
        here = str(current_url(request))
        target = f"{path_for(request, 'access_page')}?next={quote(here, safe='')}"
        return RedirectResponse(target, status_code=303, headers=VARY)  # others get the 401: it depends on Accept
    return render_error(request, exc.status, exc.message, exc.headers)


def install(app: FastAPI) -> None:
    """Send browsers without a session to the sign-in page (templates get :func:`csrf_token` from the factory)."""
    app.add_exception_handler(LoginRequired, _login_required_handler)
