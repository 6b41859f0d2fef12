"""Who may write: the principal behind a request, and the roles a route needs.

Reads stay public and anonymous. A write route declares the role it needs (``principal: Editor``); the
dependency answers 401 when no credentials are given and 403 when they do not carry the role.

For now the only credential is the operator's ``GRAPHAPP_UPDATE_TOKEN`` (all roles, name ``update-token``),
compared in constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from .deps import SettingsDep
from .errors import AppError

ROLES = ("edit", "edit-restricted", "admin")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="graphapp"'}


@dataclass(frozen=True)
class Principal:
    name: str
    roles: frozenset[str]


def _bearer(request: Request) -> str | None:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" and given.strip() else None


def require(role: str) -> Callable[[Request, SettingsDep], Principal]:
    """A dependency that answers the principal holding ``role``, or refuses the request."""

    def dependency(request: Request, settings: SettingsDep) -> Principal:
        given = _bearer(request)
        if given is None:
            raise AppError(401, "This needs 'Authorization: Bearer <token>'.", CHALLENGE)
        token = settings.update_token
        if not token:
            raise AppError(403, "Writes are disabled on this server (no staff token is configured).")
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise AppError(403, "The bearer token is not valid.")
        principal = Principal("update-token", frozenset(ROLES))
        if role not in principal.roles:
            raise AppError(403, f"This needs the role {role!r}.")
        return principal

    return dependency


Editor = Annotated[Principal, Depends(require("edit"))]
Admin = Annotated[Principal, Depends(require("admin"))]
