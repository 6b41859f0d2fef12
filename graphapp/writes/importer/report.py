"""The report of an import: every rejected row as the spreadsheet numbers it (the header is row 1), its column
and the reason, in Spanish or English, and what was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..entities import Kind


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None  # the column's header as the file writes it (a missing column: as declared)
    messages: dict[str, str]
    code: str | None = None  # the problem's code (``unknown-reference``, ``missing``, ``shape``…), when known
    field: str | None = None  # the JSON field the column holds, when known
    value: str | None = None  # the cell's text, for a reference that names nothing or more than one entity
    #: entities it may have meant: (what to write in the cell, its label in Spanish, in English)
    suggestions: tuple[tuple[str, str, str], ...] = ()

    def message(self, lang: str = "es") -> str:
        return self.messages.get(lang) or self.messages.get("es", "")

    def as_json(self, lang: str = "es") -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message(lang),
            "code": self.code,
            "value": self.value,
            "suggestions": [{"value": v, "label": es if lang == "es" else en} for v, es, en in self.suggestions],
        }


@dataclass
class Report:
    kind: Kind
    file: str
    encoding: str = ""
    delimiter: str = ""
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    accepted: dict[int, str] = field(default_factory=dict)  # row → IRI of the entity it makes
    written: dict[int, int] = field(default_factory=dict)  # row → change id
    dry_run: bool = False
    per_row: bool = False
    headers: dict[str, str] = field(default_factory=dict)  # declared header → the header as the file writes it

    @property
    def rejected_rows(self) -> set[int | None]:
        return {e.row for e in self.errors}

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self, lang: str = "es") -> dict[str, Any]:
        """The report for programs: every error (row as the spreadsheet numbers it, column as the file writes it),
        the entity each accepted row makes, what was written, and the text :meth:`format` prints."""
        rejected = {r for r in self.rejected_rows if r is not None}
        return {
            "kind": self.kind.plural,
            "file": self.file,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "valid_rows": 0 if 1 in rejected else self.rows - len(rejected),
            "rejected_rows": sorted(rejected),
            "dry_run": self.dry_run,
            "per_row": self.per_row,
            "ok": self.ok,
            "errors": [e.as_json(lang) for e in self.sorted_errors()],
            "accepted": [{"row": row, "iri": iri} for row, iri in sorted(self.accepted.items()) if row not in rejected],
            "written": [{"row": row, "change": change} for row, change in sorted(self.written.items())],
            "changes": sorted(set(self.written.values())),
            "report": self.format(lang),
        }

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row or 0, e.column or ""))

    def format(self, lang: str = "es") -> str:
        es = lang == "es"
        delim = {"\t": "tab", ";": ";", ",": ","}.get(self.delimiter, self.delimiter)
        head = (
            f"{self.file}: {_n(self.rows, 'fila', 'filas')} de {self.kind.label_es.lower()} ({self.encoding}, "
            f"separador «{delim}»)"
            if es
            else f"{self.file}: {_n(self.rows, 'row', 'rows')} of {self.kind.label_en.lower()} ({self.encoding}, "
            f"delimiter '{delim}')"
        )
        lines = [head]
        for e in self.sorted_errors():
            where = []
            if e.row is not None:
                where.append(f"fila {e.row}" if es else f"row {e.row}")
            if e.column:
                where.append(f"columna «{e.column}»" if es else f"column '{e.column}'")
            text = ", ".join(where) or "—"
            lines.append(f"  {text[:1].upper()}{text[1:]}: {e.message(lang)}")
            if e.suggestions:
                some = "; ".join(f"{v} ({l_es if es else l_en})" for v, l_es, l_en in e.suggestions)
                lines.append(f"    {'¿Quiso decir' if es else 'Did you mean'}: {some}?")
        if 1 in self.rejected_rows:
            lines.append(
                "La fila de encabezados tiene errores: no se revisó ninguna fila."
                if es
                else "The header row has errors: no row was checked."
            )
        else:
            rejected = len({r for r in self.rejected_rows if r is not None})
            good = self.rows - rejected
            lines.append(
                f"{_n(good, 'fila válida', 'filas válidas')}, {_n(rejected, 'rechazada', 'rechazadas')}."
                if es
                else f"{_n(good, 'valid row', 'valid rows')}, {rejected} rejected."
            )
        if self.dry_run:
            lines.append(
                "Prueba (--dry-run): no se escribió nada." if es else "Dry run (--dry-run): nothing was written."
            )
        elif self.written:
            changes = sorted(set(self.written.values()))
            ids = ", ".join(str(c) for c in changes)
            lines.append(
                f"{_n(len(self.written), 'entidad escrita', 'entidades escritas')} (cambio {ids} del historial)."
                if es
                else f"{_n(len(self.written), 'entity', 'entities')} written (change {ids} of the history)."
            )
        if self.errors and not self.dry_run and not self.per_row:
            lines.append(
                "No se escribió nada (todo o nada): corrija esas filas y vuelva a importar, o use --per-row."
                if es
                else "Nothing was written (all or nothing): fix those rows and import again, or use --per-row."
            )
        return "\n".join(lines)


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
