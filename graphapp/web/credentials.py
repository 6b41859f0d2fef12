"""Credentials: the principal a token or a session stands for, the signed session cookie and its CSRF token, and
the write rate limit, as one :class:`Access` per application (see :mod:`graphapp.web.auth` for how routes use it).

A session ends when it is 12 hours old, when its account is disabled or given a new token, or at ``POST /salir``;
the cookie is signed with ``GRAPHAPP_SECRET_KEY`` (else a key kept in the store folder, see :func:`secret_key`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse as parse_rate
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from ..config import Settings
from ..staff import LEGACY_NAME, ROLES, StaffFile, staff_path
from .exceptions import AppError

SESSION_COOKIE = "graphapp_session"
SESSION_MAX_AGE = 12 * 3600
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
    issued: float = 0.0  # when the cookie was signed (seconds since the epoch)


class EndedSessions:
    """The ids of sessions ended by signing out, kept until the session would have expired anyway: a copied cookie
    no longer works after «Salir», in every web process of the store (a SQLite file in the store folder; in memory
    for a store in memory)."""

    FILE = "sessions.sqlite"

    def __init__(self, path: Path | None) -> None:

        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 5000")
        if path is not None:
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS ended (sid TEXT PRIMARY KEY, until REAL NOT NULL)")
        self._lock = threading.Lock()

    def end(self, session: Session) -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO ended (sid, until) VALUES (?, ?)",
                (session.sid, max(session.issued, now - SESSION_MAX_AGE) + SESSION_MAX_AGE),
            )
            self._db.execute("DELETE FROM ended WHERE until < ?", (now,))

    def ended(self, sid: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM ended WHERE sid = ?", (sid,)).fetchone() is not None


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
        self.ended = EndedSessions(None if settings.in_memory else Path(settings.store_dir) / EndedSessions.FILE)

    # ------------------------------------------------------------ tokens

    def _legacy_proof(self, token: str) -> str:
        return hmac.new(self.key, b"legacy-token\x00" + token.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def authenticate(self, token: str) -> tuple[Principal, str]:
        """The principal holding ``token`` and the proof a session keeps; 403 when the token is not valid.
        Slow on purpose (scrypt) the first time a token is seen: call it from a worker thread."""
        legacy = self.settings.update_token
        if legacy and hmac.compare_digest(token.encode("utf-8"), legacy.encode("utf-8")):
            return Principal(LEGACY_NAME, frozenset(ROLES), "GRAPHAPP_UPDATE_TOKEN"), self._legacy_proof(token)
        member = self.staff.verified(token)
        if member is not None:
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
            data, signed = self.signer.loads(raw, max_age=SESSION_MAX_AGE, return_timestamp=True)
            session = Session(str(data["sid"]), str(data["name"]), str(data["proof"]), signed.timestamp())
        except (BadSignature, KeyError, TypeError):
            return None
        return None if self.ended.ended(session.sid) else session

    def end_session(self, session: Session) -> None:
        """Sign out: the session's id is refused from now on, wherever its cookie is sent from."""
        self.ended.end(session)

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
