"""A change built from field values, committed on the version it was built on: one step for the JSON API and the
forms. Built again when another write landed meanwhile (at most three times, the last without the check); a
refusal of the writer becomes an :class:`EntityError` naming the fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..changes import Change, StaleWrite, WriteRejected
from ..writer import Commit, Writer
from .kinds import Kind
from .problems import EntityError, problems_from_findings


def commit_built(writer: Writer, build: Callable[[], Change], kinds: dict[str, Kind], values: dict[str, Any]) -> Commit:
    """Commit what ``build`` makes; ``kinds`` and ``values`` (by entity IRI) name the fields of a refusal."""
    for attempt in range(3):
        version = writer.version
        change = build()
        try:
            return writer.commit(change, None if attempt == 2 else version)
        except StaleWrite:
            continue
        except WriteRejected as exc:
            raise rejection(exc, kinds, values) from None
    raise AssertionError("unreachable")  # pragma: no cover - the third attempt does not check the version


def rejection(exc: WriteRejected, kinds: dict[str, Kind], values: dict[str, Any]) -> EntityError:
    """The writer's refusal as an :class:`EntityError`: the shapes' violations mapped to fields, or its message."""
    report = exc.report
    if report is not None:
        problems = problems_from_findings(getattr(report, "violations", []), kinds, values)
        return EntityError(
            400,
            {
                "es": "El cambio no cumple las formas SHACL; no se cambió nada.",
                "en": "The change breaks the SHACL shapes; nothing was changed.",
            },
            problems,
        )
    return EntityError(exc.status, {"es": exc.message, "en": exc.message})
