"""Staff accounts: who may write, with which roles, holding which token. Configured by the operator
(``graphapp staff ...``), kept in one JSON file (``GRAPHAPP_STAFF_FILE``).

A token is ``<id>.<secret>``: the id is not secret and finds the account without hashing against every entry;
the secret is 32 random bytes. The file keeps only a salted scrypt hash of the token, never the token itself,
which is shown once, when it is made. Verification compares digests in constant time.

>>> member, token = new_member("ana.lopez", ["edit"], display_name="Ana López")
>>> member.verify(token), member.verify(token + "x"), token.startswith(member.token_id + ".")
(True, False, True)
>>> token in member.to_json()["token_hash"]
False
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import fcntl
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .config import ConfigError, Settings

#: what a staff member may do: edit public data, edit restricted personal data, administer
ROLES = ("edit", "edit-restricted", "admin")
#: the name of the principal behind the legacy ``GRAPHAPP_UPDATE_TOKEN``; no account may take it
LEGACY_NAME = "update-token"
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
FILE_VERSION = 1

# scrypt: 16 MiB and a few tens of milliseconds per verification (the tokens are random, not passwords: this is
# defence in depth should the file leak, not the only protection)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
#: how long a token verified by scrypt is trusted again without hashing (see :meth:`StaffFile.verified`)
VERIFIED_SECONDS = 300.0
VERIFIED_MAX = 1024


class StaffError(ConfigError):
    """A staff command that cannot be carried out (unknown name, name taken, bad role...)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_token(token: str, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$N$r$p$<salt>$<hash>`` of a token, with a fresh random salt unless one is given."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(token.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def check_token(token: str, stored: str) -> bool:
    """Whether ``token`` is the one ``stored`` (a :func:`hash_token` string) was made from; constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        given = hashlib.scrypt(token.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, expected)


def split_token(token: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a staff token, or None when it does not have that form."""
    token_id, dot, secret = token.partition(".")
    return (token_id, secret) if dot and token_id and secret else None


def _new_token() -> tuple[str, str]:
    token_id = secrets.token_hex(8)
    return token_id, f"{token_id}.{secrets.token_urlsafe(32)}"


def _today() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Member:
    """One staff member, as the file keeps it (no token, only its hash)."""

    name: str
    display_name: str
    roles: tuple[str, ...]
    token_id: str
    token_hash: str
    created: str
    disabled: bool = False
    token_created: str = ""

    def verify(self, token: str) -> bool:
        return check_token(token, self.token_hash)

    def public(self) -> dict[str, object]:
        """What may be shown: everything but the token hash."""
        return {
            "name": self.name,
            "display_name": self.display_name,
            "roles": list(self.roles),
            "token_id": self.token_id,
            "created": self.created,
            "token_created": self.token_created or self.created,
            "disabled": self.disabled,
        }

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "roles": list(self.roles)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Member:
        try:
            return cls(
                name=str(data["name"]),
                display_name=str(data.get("display_name") or ""),
                roles=_roles(data.get("roles", ())),
                token_id=str(data["token_id"]),
                token_hash=str(data["token_hash"]),
                created=str(data.get("created") or ""),
                disabled=bool(data.get("disabled", False)),
                token_created=str(data.get("token_created") or ""),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"staff file: an entry lacks {exc}") from None


def _roles(value: object) -> tuple[str, ...]:
    """The roles of a staff file's entry (a JSON list)."""
    if not isinstance(value, Iterable):
        raise TypeError(f"'{type(value).__name__}' object is not iterable")
    return tuple(str(r) for r in value)


def new_member(name: str, roles: Iterable[str], display_name: str = "") -> tuple[Member, str]:
    """A new member and its token (to be shown once)."""
    roles = tuple(dict.fromkeys(roles))
    _check(name, roles)
    token_id, token = _new_token()
    now = _today()
    member = Member(name, display_name or name, roles, token_id, hash_token(token), now, token_created=now)
    return member, token


def _check(name: str, roles: tuple[str, ...]) -> None:
    if not NAME_PATTERN.fullmatch(name) or name == LEGACY_NAME:
        raise StaffError(
            f"{name!r} is not a usable staff name: lowercase letters, digits, '.', '_' and '-' (e.g. ana.lopez), "
            f"at most 64, and not {LEGACY_NAME!r}"
        )
    if not roles:
        raise StaffError("give at least one --role: " + ", ".join(ROLES))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise StaffError(f"unknown role {unknown[0]!r}: use " + ", ".join(ROLES))


def staff_path(settings: Settings) -> Path | None:
    """The staff file: ``GRAPHAPP_STAFF_FILE``, else ``staff.json`` in the store folder; none for an in-memory
    store without ``GRAPHAPP_STAFF_FILE`` (then only the legacy update token can write)."""
    if settings.staff_file:
        return Path(settings.staff_file)
    return None if settings.in_memory else Path(settings.store_dir) / "staff.json"


def read_members(path: Path) -> dict[str, Member]:
    """The members in ``path`` by name; an absent file has none."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"staff file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("staff"), list):
        raise ConfigError(f"staff file {path} has no 'staff' list")
    members = [Member.from_json(entry) for entry in data["staff"]]
    return {m.name: m for m in members}


def write_members(path: Path, members: dict[str, Member]) -> None:
    """Replace the file atomically (readers see the old or the new file, never half of one), mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": FILE_VERSION, "staff": [members[name].to_json() for name in sorted(members)]}
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _editing(path: Path) -> Iterator[dict[str, Member]]:
    """The members, to change in place; written back on success. One editor at a time (a lock file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        members = read_members(path)
        yield members
        write_members(path, members)


class StaffFile:
    """The staff file of a running service: re-read when it changes, so ``graphapp staff disable`` takes effect
    at once without a restart."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._by_id: dict[str, Member] = {}
        self._lock = threading.Lock()
        self._verified: dict[tuple[str, str], tuple[bytes, float]] = {}  # see verified()

    def _current(self) -> dict[str, Member]:
        if self.path is None:
            return {}
        try:
            st = self.path.stat()
            stamp: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                members = read_members(self.path) if stamp else {}
                self._by_id = {m.token_id: m for m in members.values()}
                self._stamp = stamp
            return self._by_id

    def by_token_id(self, token_id: str) -> Member | None:
        return self._current().get(token_id)

    def verified(self, token: str) -> Member | None:
        """The member whose token ``token`` is (disabled or not: the caller refuses a disabled one), or None.

        The scrypt verification (tens of milliseconds, on purpose) is remembered for :data:`VERIFIED_SECONDS`,
        keyed by a SHA-256 of the token (random, 32 bytes: a fast hash suffices) together with the token hash the
        file holds: the member is looked up in the current file at every call, so a new token (``graphapp staff
        token``) or a disabled account takes effect at once; only the hashing is skipped."""
        parts = split_token(token)
        member = self.by_token_id(parts[0]) if parts else None
        if member is None:
            return None
        key = (member.token_id, member.token_hash)
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        now = time.monotonic()
        with self._lock:
            hit = self._verified.get(key)
        if hit is not None and now - hit[1] < VERIFIED_SECONDS and hmac.compare_digest(hit[0], digest):
            return member
        if not member.verify(token):
            return None
        with self._lock:
            if len(self._verified) >= VERIFIED_MAX:
                self._verified.clear()
            self._verified[key] = (digest, now)
        return member

    def by_name(self, name: str) -> Member | None:
        return next((m for m in self._current().values() if m.name == name), None)

    def members(self) -> list[Member]:
        return sorted(self._current().values(), key=lambda m: m.name)


# ---------------------------------------------------------------- the operator's commands (graphapp staff ...)


def add(path: Path, name: str, roles: Iterable[str], display_name: str = "") -> tuple[Member, str]:
    """Add a member; returns it and its token (shown once, never stored)."""
    member, token = new_member(name, roles, display_name)
    with _editing(path) as members:
        if name in members:
            raise StaffError(f"{name!r} already has an account (graphapp staff token {name} gives a new token)")
        members[name] = member
    return member, token


def rotate(path: Path, name: str) -> tuple[Member, str]:
    """A new token for ``name``; the old one stops working at once."""
    with _editing(path) as members:
        old = _get(members, name)
        token_id, token = _new_token()
        members[name] = replace(old, token_id=token_id, token_hash=hash_token(token), token_created=_today())
    return members[name], token


def set_disabled(path: Path, name: str, disabled: bool = True) -> Member:
    with _editing(path) as members:
        members[name] = replace(_get(members, name), disabled=disabled)
    return members[name]


def _get(members: dict[str, Member], name: str) -> Member:
    if name not in members:
        raise StaffError(f"no staff member named {name!r} (graphapp staff list shows them)")
    return members[name]


def system_actor() -> str:
    """Who a write or release made by a command (not through the service) is recorded as: the system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"
