"""Reading the file: its encoding (UTF-8, else Windows-1252, else latin-1), its delimiter (the one that makes the
header row known columns), its rows, and the header row checked against the kind's columns."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..entities import Kind
from .columns import Column, columns, header_key
from .report import RowError

DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class Table:
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)
    problem: RowError | None = None  # the file could not be split into rows (nothing else is read then)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and its encoding: UTF-8 (a BOM is dropped), else Windows-1252, else latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def read_table(data: bytes, kind: Kind) -> Table:
    """Decode the file, pick the delimiter that makes the first line known headers, and split it into rows."""
    text, encoding = decode(data)
    first = text.splitlines()[0] if text.strip() else ""
    known = {header_key(c.header) for c in columns(kind)}

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:  # read again below, where the error is reported
            return (0, 0)
        return sum(header_key(c) in known for c in cells), len(cells)

    delimiter = max(DELIMITERS, key=score)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:  # a cell over the csv module's limit (128 KiB), a NUL byte…: a clear error, no traceback
        limit = csv.field_size_limit() // 1024
        problem = RowError(
            reader.line_num,
            None,
            {
                "es": f"La línea {reader.line_num} no se puede leer como CSV ({exc}): una celda no puede pasar de "
                f"{limit} KiB.",
                "en": f"Line {reader.line_num} cannot be read as CSV ({exc}): a cell may not be over {limit} KiB.",
            },
        )
        return Table(encoding, delimiter, [], [], problem)
    header = [h.strip() for h in records[0]] if records else []
    rows = [(i + 1, cells) for i, cells in enumerate(records) if i > 0 and any(c.strip() for c in cells)]
    return Table(encoding, delimiter, header, rows)


def check_header(kind: Kind, header: list[str]) -> tuple[list[Column | None], list[RowError]]:
    """The column of each header cell, and the errors of the header row (unknown, repeated, missing columns)."""
    by_key = {header_key(c.header): c for c in columns(kind)}
    out: list[Column | None] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for h in header:
        col = by_key.get(header_key(h))
        if not h.strip():
            out.append(None)
            continue
        if col is None:
            errors.append(
                RowError(
                    1,
                    h,
                    {
                        "es": f"Columna desconocida para {kind.label_es.lower()}; las columnas válidas: "
                        f"graphapp import --columns --kind {kind.plural}.",
                        "en": f"Unknown column for {kind.label_en.lower()}; the valid columns: "
                        f"graphapp import --columns --kind {kind.plural}.",
                    },
                )
            )
        elif col.header in seen:
            errors.append(RowError(1, h, {"es": "Columna repetida.", "en": "Repeated column."}))
            col = None
        else:
            seen.add(col.header)
        out.append(col)
    for col in columns(kind):
        if col.required and col.header not in seen:
            missing = {"es": "Falta esta columna obligatoria.", "en": "This required column is missing."}
            errors.append(RowError(1, col.header, missing))
    return out, errors
