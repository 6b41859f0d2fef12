"""What the staff JSON API answers, documented: the models of its answers (an entity, a change of the history, a
refused write with its violations) and the error entries of its write routes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ...errors import ERROR_SCHEMA_NAME, error_responses

JSON = "application/json"
TAG = "Staff: entities and history"
SECURITY: list[dict[str, list[str]]] = [{"updateToken": []}]


class Violation(BaseModel):
    field: str | None = None
    shape: str | None = None
    message: str
    code: str
    focus: str | None = None


class WriteError(BaseModel):
    """A refused write: nothing was changed."""

    error: int
    message: str
    violations: list[Violation] = []


class EntityOut(BaseModel):
    """An entity as field values (the fields of its kind, see `GET /api/entities`), with ``retired`` and
    ``source_data`` (true: the project's source data, which this API does not change). Write answers add
    ``change`` (the number of the change in the history, what it added and removed, and the shapes' warnings)."""

    model_config = ConfigDict(extra="allow")
    iri: str
    kind: str
    slug: str | None
    href: str | None
    label: dict[str, str | None]
    retired: dict[str, Any] | None
    source_data: bool


class HistoryEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    at: str
    actor: str
    method: str
    source: str | None
    note: str
    reverts: int | None
    reverted_by: int | None
    entities: list[str]
    added: list[str]
    removed: list[str]


class HistoryOut(BaseModel):
    entity: str
    href: str | None
    changes: list[HistoryEntry]


class RevertOut(BaseModel):
    reverted: int
    change: HistoryEntry | None


def conflict(description: str) -> dict[int | str, dict[str, Any]]:
    """A 409 entry, in the form of :func:`error_responses` (409 is this API's own)."""
    return {
        409: {
            "description": description,
            "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}},
        }
    }


def write_errors(*statuses: int, e400: str, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    out = error_responses(
        *sorted({400, 401, 403, 413, 429, *statuses}),
        media=(JSON,),
        e400=e400,
        e401="No credentials: this needs `Authorization: Bearer <token>` (a staff token with the role `edit`).",
        e429="This staff member made more writes than the server allows; try again after Retry-After.",
        **descriptions,
    )
    out[400] = {**out[400], "model": WriteError}
    # a body over the cap is refused before any route runs, in plain text when its Content-Length says so
    out[413] = error_responses(413)[413]
    return out


E400 = (
    "Nothing was changed: a body that is not valid JSON (or Turtle/JSON-LD), an unknown field, a value of the wrong "
    "type, a reference to no entity of the graph, or a change that breaks the SHACL shapes. `violations` names each "
    "field, the shape (stable ID) and the reason, in the caller's language."
)
E403_WRITE = (
    "The token is not valid or lacks the role `edit`, writes are disabled, or the entity is the project's source "
    "data (read-only here: correct it in its file under data/)."
)
