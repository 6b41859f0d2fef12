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
logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import os
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse as parse_rate
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..config import Settings
from ..staff import LEGACY_NAME, ROLES, StaffFile, split_token, staff_path
from .deps import SettingsDep
from .errors import ERROR_MEDIA, JSON_ONLY_PATHS, AppError, error_responses, render_error, wants
from .urls import current_url, path_for

__all__ = [
    "ROLES",
    "Admin",
    "Editor",
    "Principal",
    "RestrictedEditor",
    "csrf_token",
    "require",
    "write_error_responses",
]

log = logging.getLogger("graphapp.writes")

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="graphapp"'}
SESSION_COOKIE = "graphapp_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM = "application/x-www-form-urlencoded"
SECRET_KEY_FILE = "secret.key"  # noqa: S105 - a file name


@dataclass(frozen=True)
class Principal:
    name: str
    roles: frozenset[str]
    display_name: str = ""


@dataclass(frozen=True)
class Session:
    """What the signed cookie says: a random session id, the account and the token it was opened with (the
    token's id for a staff account, a keyed fingerprint for the legacy token)."""

    sid: str
    name: str
    proof: str


class LoginRequired(AppError):
    """No credentials: a 401, or for a browser asking for a page, a redirect to the sign-in page."""

    def __init__(self) -> None:
        super().__init__(
            401,
            "This needs 'Authorization: Bearer <token>', or signing in at /acceso with a staff token.",
            dict(CHALLENGE),
        )


def secret_key(settings: Settings) -> bytes:
    """``GRAPHAPP_SECRET_KEY``; else a random key made once and kept (mode 0600) in the store folder; else, for
    an in-memory store, a new key for this process (sessions then end with it)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    if settings.in_memory:
        return secrets.token_bytes(32)
    path = Path(settings.store_dir) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes().strip()
        if len(key) >= 32:
            return key
        raise AppError(500, f"{path} is too short to be a secret key; remove it to get a new one.") from None
    key = secrets.token_urlsafe(48).encode("ascii")
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


class Access:
    """What one application needs to check credentials: its staff file, its session key, its write limiter."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.staff = StaffFile(staff_path(settings))
        self.key = secret_key(settings)
        self.signer = URLSafeTimedSerializer(self.key, salt="graphapp.session")
        self.rate = parse_rate(settings.write_rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.secure_cookie = settings.site_url.startswith("https://")

    # ------------------------------------------------------------ tokens

    def _legacy_proof(self, token: str) -> str:
        return hmac.new(self.key, b"legacy-token\x00" + token.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def authenticate(self, token: str) -> tuple[Principal, str]:
        """The principal holding ``token`` and the proof a session keeps; 403 when the token is not valid.
        Slow on purpose (scrypt): call it from a worker thread."""
        legacy = self.settings.update_token
        if legacy and hmac.compare_digest(token.encode("utf-8"), legacy.encode("utf-8")):
            return Principal(LEGACY_NAME, frozenset(ROLES), "GRAPHAPP_UPDATE_TOKEN"), self._legacy_proof(token)
        parts = split_token(token)
        member = self.staff.by_token_id(parts[0]) if parts else None
        if member is not None and member.verify(token):
            if member.disabled:
                raise AppError(403, f"The staff account {member.name!r} is disabled.")
            return Principal(member.name, frozenset(member.roles), member.display_name), member.token_id
        if not legacy and not self.staff.members():
            raise AppError(403, "Writes are disabled on this server (no staff token is configured).")
        raise AppError(403, "The bearer token is not valid.")

    # ------------------------------------------------------------ sessions

    def open_session(self, principal: Principal, proof: str) -> str:
        """The value of a new session cookie (a new session id at each sign-in)."""
        return self.signer.dumps({"sid": secrets.token_urlsafe(16), "name": principal.name, "proof": proof})

    def session(self, request: Request) -> Session | None:
        """The request's session, if its cookie is there, signed by this server and not too old."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self.signer.loads(raw, max_age=SESSION_MAX_AGE)
            return Session(str(data["sid"]), str(data["name"]), str(data["proof"]))
        except (BadSignature, KeyError, TypeError):
            return None

    def session_principal(self, session: Session) -> Principal:
        """The principal of a session, if its account still holds the token it signed in with; else 403."""
        if session.name == LEGACY_NAME:
            legacy = self.settings.update_token
            if legacy and hmac.compare_digest(session.proof, self._legacy_proof(legacy)):
                return Principal(LEGACY_NAME, frozenset(ROLES), "GRAPHAPP_UPDATE_TOKEN")
        else:
            member = self.staff.by_name(session.name)
            if member is not None and not member.disabled and hmac.compare_digest(member.token_id, session.proof):
                return Principal(member.name, frozenset(member.roles), member.display_name)
        raise AppError(403, "This session has ended (the account was disabled or given a new token): sign in again.")

    def csrf(self, session: Session) -> str:
        digest = hmac.new(self.key, b"csrf\x00" + session.sid.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def set_cookie(self, response: Response, value: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=SESSION_MAX_AGE,
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure_cookie,
        )

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=self.secure_cookie)

    # ------------------------------------------------------------ rate limit

    def hit(self, key: str) -> None:
        """Count one write (or sign-in attempt) for ``key``; 429 with Retry-After beyond the rate."""
        if self.limiter.hit(self.rate, "graphapp", key):
            return
        reset, _ = self.limiter.get_window_stats(self.rate, "graphapp", key)
        wait = max(1, math.ceil(reset - time.time()))
        raise AppError(
            429,
            f"Too many writes: at most {self.settings.write_rate}. Try again in {wait} s.",
            {"Retry-After": str(wait)},
        )


_ACCESS_LOCK = threading.Lock()


def access_for(app: FastAPI | Any) -> Access:
    """The application's :class:`Access`, made on first use."""
    access = getattr(app.state, "access", None)
    if access is None:
        with _ACCESS_LOCK:
            access = getattr(app.state, "access", None)
            if access is None:
                access = app.state.access = Access(app.state.settings)
    return access


def csrf_token(request: Request) -> str:
    """The CSRF token a form posted with this request's session must carry (``csrf_token`` field); empty when
    the request has no session. Templates call it as ``{{ csrf_token(request) }}``."""
    access = access_for(request.app)
    session = access.session(request)
    return access.csrf(session) if session else ""


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
    access = access_for(request.app)
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
                access = access_for(request.app)
                session = access.session(request)
                given = await _given_csrf(request)
                if session is None or not given or not hmac.compare_digest(given, access.csrf(session)):
                    raise AppError(
                        403, f"A form sent with a session cookie needs its '{CSRF_FIELD}' field (or X-CSRF-Token)."
                    )
            access_for(request.app).hit("write:" + principal.name)
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
    if is_page and wants(request, "text/html", "application/json", "text/plain") == "text/html":
        here = str(current_url(request))
        target = f"{path_for(request, 'access_page')}?next={quote(here, safe='')}"
        return RedirectResponse(target, status_code=303)
    return render_error(request, exc.status, exc.message, exc.headers)


def install(app: FastAPI) -> None:
    """Give templates ``csrf_token(request)`` and send browsers without a session to the sign-in page."""
    app.state.templates.env.globals["csrf_token"] = csrf_token
    app.add_exception_handler(LoginRequired, _login_required_handler)
