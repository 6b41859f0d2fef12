"""Rows → values: each row as the JSON body the API would take (several values split at ``|``, dates as
``31/05/2024`` too, decimals with a comma, booleans ``sí``/``no``), and problems mapped back to columns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..entities import Field, Kind, Problem
from .columns import SLUG_HEADER, Column
from .report import RowError

SEPARATOR = "|"
TRUE = {"si", "sí", "s", "true", "verdadero", "v", "1", "x", "yes", "y"}
FALSE = {"no", "n", "false", "falso", "f", "0"}
DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _cell_value(f: Field, cell: str) -> Any:
    """A cell as the JSON API would take it (before validation)."""
    items = [p.strip() for p in cell.split(SEPARATOR)] if f.many else [cell.strip()]
    items = [i for i in items if i]
    out = [_scalar(f, i) for i in items]
    return out if f.many else (out[0] if out else None)


def _scalar(f: Field, text: str) -> Any:
    if f.kind == "date" and (m := DMY.match(text)):
        day, month, year = m.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if f.kind == "decimal" and "," in text and "." not in text:
        return text.replace(",", ".")
    if f.kind == "boolean":
        low = text.lower()
        return True if low in TRUE else False if low in FALSE else text
    return text


def row_data(kind: Kind, header: list[Column | None], cells: list[str]) -> dict[str, Any]:
    """The JSON body a row amounts to."""
    data: dict[str, Any] = {}
    for col, cell in zip(header, cells, strict=False):
        if col is None or not cell.strip():
            continue
        if col.field is None:
            data["slug"] = cell.strip()
            continue
        f = col.field
        if f.kind == "text":
            texts = [p.strip() for p in cell.split(SEPARATOR)] if f.many else [cell.strip()]
            texts = [t for t in texts if t]
            if texts:
                data.setdefault(f.name, {})[col.lang or "es"] = texts if f.many else texts[0]
            continue
        value = _cell_value(f, cell)
        if value not in (None, []):
            data[f.name] = value
    return data


def column_of(kind: Kind, problem: Problem) -> str | None:
    """The column (header) a problem names: the slug column, or the field's column in the text's language."""
    if problem.field == "slug":
        return SLUG_HEADER
    f = kind.field(problem.field) if problem.field else None
    if f is None:
        return None
    cols = dict(f.columns())
    for header, lang in cols.items():
        if lang == (problem.lang or ("es" if f.kind == "text" else None)):
            return header
    return f.header


def row_errors(kind: Kind, row: int | None, problems: Iterable[Problem]) -> list[RowError]:
    return [RowError(row, column_of(kind, p), p.messages, p.code, p.field) for p in problems]
