"""Why a write is refused: :class:`Problem` s (a field, a shape, a message in Spanish and English) and the
:class:`EntityError` that carries them with an HTTP status; the shapes' findings mapped back to the fields that
caused them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .kinds import LANGS, Field, Kind


def msg(es: str, en: str) -> dict[str, str]:
    """A message in Spanish and English."""
    return {"es": es, "en": en}


@dataclass(frozen=True)
class Problem:
    """Why a value or an entity is refused: the field (JSON name) when known, the SHACL shape (stable ID) when the
    shapes said so, and the message in Spanish and English."""

    field: str | None
    messages: dict[str, str]
    shape: str | None = None
    focus: str | None = None
    code: str = "invalid"
    lang: str | None = None  # the language of the text at fault, when it is one (``label.en``)

    def message(self, lang: str = "es") -> str:
        return self.messages.get(lang) or self.messages.get("es") or self.messages.get("") or ""

    def as_json(self, lang: str = "es") -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "shape": self.shape, "message": self.message(lang)}
        out["code"] = self.code
        if self.focus:
            out["focus"] = self.focus
        return out


class EntityError(Exception):
    """The request cannot be made as asked; nothing was changed. ``status`` is the HTTP status (400 bad values or a
    shapes violation, 403 source data, 404 unknown entity, 409 IRI taken or already retired)."""

    def __init__(self, status: int, messages: dict[str, str], problems: Iterable[Problem] = ()) -> None:
        super().__init__(messages.get("en", ""))
        self.status = status
        self.messages = messages
        self.problems = list(problems)

    def message(self, lang: str = "es") -> str:
        return self.messages.get(lang) or self.messages.get("es", "")


def invalid(problems: list[Problem]) -> EntityError:
    return EntityError(
        400,
        msg(
            "Los datos no son válidos; no se cambió nada.",
            "The data is not valid; nothing was changed.",
        ),
        problems,
    )


def field_problem(f: Field, es: str, en: str, code: str) -> Problem:
    return Problem(f.name, msg(es, en), code=code)


# ---------------------------------------------------------------- shapes findings → fields


def problems_from_findings(
    findings: Iterable[Any], kinds: Mapping[str, Kind], values: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Problem]:
    """Findings of a validation report (:class:`graphapp.validation.Finding`) as :class:`Problem` s: the field is
    the one whose predicate is the result's path, else (SPARQL constraints, which name no path) the one holding the
    offending value. ``kinds`` maps the IRIs of the entities written to their kind, ``values`` to the values
    given."""
    problems = []
    for finding in findings:
        kind = kinds.get(finding.focus)
        name = None
        if kind is not None:
            f = kind.by_predicate(finding.path) if finding.path else None
            if f is None and finding.value is not None:
                f = _holding(kind, (values or {}).get(finding.focus, {}), finding.value)
            name = f.name if f else None
        messages = {lang: finding.message(lang) for lang in LANGS}
        shape = finding.shape.rsplit("#", 1)[-1] if finding.shape else None
        code = "shape" if finding.severity == "Violation" else "warning"
        problems.append(Problem(name, messages, shape=shape, focus=finding.focus, code=code))
    return problems


def _holding(kind: Kind, values: Mapping[str, Any], value: str) -> Field | None:
    for f in kind.fields:
        given = values.get(f.name)
        items = given if isinstance(given, list) else [given]
        if any(str(v) == value or str(v).rsplit("/", 1)[-1] == value.rsplit("/", 1)[-1] for v in items if v):
            return f
    return None
