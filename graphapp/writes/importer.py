"""CSV import: spreadsheets as staff keep them, written through the one write path.

``graphapp import FILE.csv --kind practices`` reads one kind of entity per file, one entity per row:

- the header row names the columns in Spanish, from the declarations (:mod:`graphapp.writes.entities`): a text
  field has a column for Spanish (``solución``) and one for English (``solución (en)``); ``identificador`` (optional)
  gives the slug of the new IRI, else it is made from ``nombre``. Accents, case and spacing of the headers do not
  matter (``Solucion`` is ``solución``); an unknown column is an error, so that a typo never drops data silently.
  ``graphapp import --columns --kind practices`` prints the layout;
- UTF-8 (with or without BOM), else Windows-1252/latin-1; ``;``, ``,`` or tab between cells (the one that makes
  the header row known columns);
- several values in a cell are separated by ``|``; references are IRIs, ``<segment>/<slug>`` or bare slugs
  (``activa``, ``durango``, ``municipio/15106``), looked up under the field's segments, and may name an entity of an
  earlier row; dates as ``2024-05-31`` or ``31/05/2024``, decimals with a point or a comma, booleans ``sí``/``no``.

Every row is checked as the JSON API checks a body, then the new entities are validated against the SHACL shapes.
All or nothing by default: one :class:`~graphapp.writes.Change` for the whole file, and nothing is written if any row
fails. ``per_row`` commits the good rows one by one; ``dry_run`` checks and reports without writing. The report
names every rejected row as the spreadsheet numbers it (the header is row 1), its column and the reason, in Spanish
or English.

The command opens the store on disk itself (``open_store`` and a :class:`~graphapp.writes.Writer` with the
service's policy: the contributions graph writable, the source graphs read-only); a running service holds the
store's lock, so stop it first or send the rows to its JSON API (``POST /api/entities/<kind>``).
"""

from __future__ import annotations

import contextlib
import csv
import getpass
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError, Settings
from ..iris import checked_iri, is_valid_iri, slugify
from ..validation import validate_change
from .changes import WriteRejected
from .entities import (
    KINDS_BY_PLURAL,
    SLUG,
    Context,
    EntityError,
    Field,
    Kind,
    Problem,
    change,
    create_model_for,
    create_quads,
    problems_from_findings,
    slug_for,
    validate_body,
    values_of,
)
from .writer import Writer

SLUG_HEADER = "identificador"
SEPARATOR = "|"
DELIMITERS = (";", ",", "\t")
TRUE = {"si", "sí", "s", "true", "verdadero", "v", "1", "x", "yes", "y"}
FALSE = {"no", "n", "false", "falso", "f", "0"}
DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# ---------------------------------------------------------------- the column layout


@dataclass(frozen=True)
class Column:
    header: str
    field: Field | None  # None: the slug column
    lang: str | None = None

    @property
    def required(self) -> bool:
        return bool(self.field and self.field.required and self.lang != "en")


def columns(kind: Kind) -> list[Column]:
    """The columns a file of ``kind`` may have, in the documented order."""
    out = [Column(SLUG_HEADER, None)]
    for f in kind.fields:
        out += [Column(header, f, lang) for header, lang in f.columns()]
    return out


def _key(header: str) -> str:
    """Headers compare without accents, case, spacing or punctuation: ``Solución (EN)`` is ``solucion-en``."""
    return slugify(header)


_KIND_WORDS = {
    "text": ("texto", "text"),
    "string": ("texto", "text"),
    "iri": ("referencia", "reference"),
    "class": ("tipo", "type"),
    "link": ("enlace http(s)", "http(s) link"),
    "year": ("año (2024)", "year (2024)"),
    "date": ("fecha (2024-05-31 o 31/05/2024)", "date (2024-05-31 or 31/05/2024)"),
    "integer": ("número entero", "whole number"),
    "decimal": ("número", "number"),
    "boolean": ("sí / no", "yes / no"),
}


def layout(kind: Kind, lang: str = "es") -> str:
    """The column layout of ``kind``, one line per column, for people."""
    es = lang == "es"
    lines = [
        f"{kind.label_es if es else kind.label_en} (--kind {kind.plural}): "
        + ("columnas, separadas por ; o , — varios valores en una celda con |" if es else
           "columns, separated by ; or , — several values in a cell with |")
    ]  # fmt: skip
    for col in columns(kind):
        if col.field is None:
            what = (
                "opcional: el final del IRI nuevo; si falta, se forma con el nombre"
                if es
                else "optional: the end of the new IRI; made from the name if absent"
            )
        else:
            f = col.field
            words = _KIND_WORDS[f.kind][0 if es else 1]
            where = ""
            if len(f.segments) > 1:
                where = f" → …/id/{{{','.join(f.segments)}}}/<slug>"
            elif f.segments:
                where = f" → …/id/{f.segments[0]}/"
            elif f.namespace:
                where = f" → {f.namespace}…"
            elif f.choices:
                where = ": " + ", ".join(c.rsplit("#", 1)[-1] for c in f.choices)
            many = (" (varios, con |)" if es else " (several, with |)") if f.many else ""
            need = ("obligatoria" if es else "required") if col.required else ("opcional" if es else "optional")
            label = f.label_es if es else f.label_en
            english = (" — en inglés" if es else " — in English") if col.lang == "en" else ""
            what = f"{need}; {label}{english}; {words}{many}{where}"
        lines.append(f"  {col.header:<36} {what}")
    return "\n".join(lines)


# ---------------------------------------------------------------- reading the file


@dataclass(frozen=True)
class Table:
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)


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
    known = {_key(c.header) for c in columns(kind)}

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        return sum(_key(c) in known for c in cells), len(cells)

    delimiter = max(DELIMITERS, key=score)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = list(reader)
    header = [h.strip() for h in records[0]] if records else []
    rows = [(i + 1, cells) for i, cells in enumerate(records) if i > 0 and any(c.strip() for c in cells)]
    return Table(encoding, delimiter, header, rows)


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    messages: dict[str, str]

    def message(self, lang: str = "es") -> str:
        return self.messages.get(lang) or self.messages.get("es", "")


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

    @property
    def rejected_rows(self) -> set[int | None]:
        return {e.row for e in self.errors}

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
        for e in sorted(self.errors, key=lambda e: (e.row or 0, e.column or "")):
            where = []
            if e.row is not None:
                where.append(f"fila {e.row}" if es else f"row {e.row}")
            if e.column:
                where.append(f"columna «{e.column}»" if es else f"column '{e.column}'")
            text = ", ".join(where) or "—"
            lines.append(f"  {text[:1].upper()}{text[1:]}: {e.message(lang)}")
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


# ---------------------------------------------------------------- rows → values


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


def _column_of(kind: Kind, problem: Problem) -> str | None:
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


def _errors(kind: Kind, row: int | None, problems: Iterable[Problem]) -> list[RowError]:
    return [RowError(row, _column_of(kind, p), p.messages) for p in problems]


# ---------------------------------------------------------------- the import


@dataclass
class _Draft:
    row: int
    iri: str
    values: dict[str, Any]
    quads: list[Any]


def check_header(kind: Kind, header: list[str]) -> tuple[list[Column | None], list[RowError]]:
    """The column of each header cell, and the errors of the header row (unknown, repeated, missing columns)."""
    by_key = {_key(c.header): c for c in columns(kind)}
    out: list[Column | None] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for h in header:
        col = by_key.get(_key(h))
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


def import_rows(
    ctx: Context,
    writer: Writer,
    kind: Kind,
    data: bytes,
    *,
    file: str = "",
    actor: str = "cli",
    source: str | None = None,
    dry_run: bool = False,
    per_row: bool = False,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> Report:
    """Import a CSV file of ``kind`` (see the module docstring); the :class:`Report` says what was written and
    every row that was not."""
    table = read_table(data, kind)
    report = Report(kind, file, table.encoding, table.delimiter, len(table.rows), dry_run=dry_run, per_row=per_row)
    if not table.header:
        report.errors.append(RowError(1, None, {"es": "El archivo está vacío.", "en": "The file is empty."}))
        return report
    header, header_errors = check_header(kind, table.header)
    report.errors += header_errors
    if header_errors:
        return report
    model = create_model_for(kind)
    drafts: list[_Draft] = []
    pending: dict[str, Kind] = {}
    rows_of: dict[str, int] = {}
    for row, cells in progress(table.rows) if progress else table.rows:
        values: dict[str, Any] = {}
        if any(c.strip() for c in cells[len(header) :]):
            report.errors.append(
                RowError(
                    row,
                    None,
                    {
                        "es": f"La fila tiene {len(cells)} celdas y los encabezados {len(header)}: ¿un separador "
                        "dentro de una celda sin comillas?",
                        "en": f"The row has {len(cells)} cells and the header {len(header)}: a delimiter inside an "
                        "unquoted cell?",
                    },
                )
            )
            continue
        try:
            values = values_of(validate_body(model, row_data(kind, header, cells), kind))
            slug = slug_for(kind, values, values.get("slug"))
            iri = ctx.iri(kind, slug)
            if iri in rows_of:
                report.errors.append(
                    RowError(
                        row,
                        SLUG_HEADER if values.get("slug") else "nombre",
                        {
                            "es": f"Da el mismo IRI que la fila {rows_of[iri]} (<{iri}>); dé un identificador propio.",
                            "en": f"Makes the same IRI as row {rows_of[iri]} (<{iri}>); give it a slug of its own.",
                        },
                    )
                )
                continue
            iri, quads = create_quads(ctx, kind, values, slug, pending)
        except EntityError as exc:
            problems = exc.problems or [Problem(None, exc.messages)]
            if exc.status == 409:
                problems = [Problem("slug" if values.get("slug") else "label", exc.messages)]
            report.errors += _errors(kind, row, problems)
            continue
        pending[iri] = kind
        rows_of[iri] = row
        report.accepted[row] = iri
        drafts.append(_Draft(row, iri, values, quads))
    _finish(ctx, writer, kind, report, drafts, actor=actor, source=source, file=file)
    return report


def _finish(
    ctx: Context,
    writer: Writer,
    kind: Kind,
    report: Report,
    drafts: list[_Draft],
    *,
    actor: str,
    source: str | None,
    file: str,
) -> None:
    def shape_errors(batch: list[_Draft], rejected: Any) -> list[RowError]:
        kinds = {d.iri: kind for d in batch}
        row_of = {d.iri: d.row for d in batch}
        problems = problems_from_findings(rejected, kinds, {d.iri: d.values for d in batch})
        return [
            RowError(row_of.get(p.focus or ""), _column_of(kind, p), p.messages)
            for p in problems
        ]  # fmt: skip

    def check(batch: list[_Draft]) -> list[RowError]:
        touched = {d.iri for d in batch}
        focus = touched | ctx.store.subjects_pointing_at(touched)
        report_ = validate_change(ctx.store, focus, [q for d in batch for q in d.quads], [], writer.settings)
        return shape_errors(batch, report_.violations)

    def make(batch: list[_Draft]) -> Any:
        note = f"import {Path(file).name or 'csv'}: {len(batch)} {kind.plural}"
        return change(
            [q for d in batch for q in d.quads],
            actor=actor,
            method="import",
            source=source,
            note=note,
            subjects={d.iri for d in batch},
        )

    if not drafts:
        return
    if report.per_row:
        for d in drafts:
            if report.dry_run:
                report.errors += check([d])
                continue
            try:
                commit = writer.commit(make([d]))
            except WriteRejected as exc:
                report.errors += shape_errors([d], getattr(exc.report, "violations", [])) or [
                    RowError(d.row, None, {"es": exc.message, "en": exc.message})
                ]
                continue
            if commit.change_id is not None:
                report.written[d.row] = commit.change_id
        return
    if report.dry_run or report.errors:
        report.errors += check(drafts)  # the whole report at once, nothing written
        return
    try:
        commit = writer.commit(make(drafts))
    except WriteRejected as exc:
        report.errors += shape_errors(drafts, getattr(exc.report, "violations", [])) or [
            RowError(None, None, {"es": exc.message, "en": exc.message})
        ]
        return
    if commit.change_id is not None:
        report.written = {d.row: commit.change_id for d in drafts}


# ---------------------------------------------------------------- the command


@contextlib.contextmanager
def open_writer(settings: Settings, progress: Any = None) -> Iterator[tuple[Context, Writer]]:
    """The store on disk and a :class:`Writer` with the service's policy (see :class:`graphapp.service.Service`):
    the contributions graph writable, the project's source graphs and the restricted graph not."""
    from ..loading import StoreBusy, open_store  # noqa: PLC0415
    from ..service import HISTORY_FILE  # noqa: PLC0415
    from .history import History  # noqa: PLC0415

    try:
        store, _ = open_store(settings, progress)
    except StoreBusy:
        raise StoreInUse(settings) from None
    history = History(None if settings.in_memory else Path(settings.store_dir) / HISTORY_FILE)
    base = settings.base_iri
    writer = Writer(
        store,
        history,
        settings,
        writable=base + "graph/",
        read_only=store.source_graphs(),
        restricted=base + "graph/restricted/",
    )
    writer.recover()
    try:
        yield Context.of_writer(writer, base + "graph/contrib/staff"), writer
    finally:
        history.close()
        store.close()


class StoreInUse(ConfigError):
    """The service is running and holds the store."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            f"el almacén {settings.store_dir} está en uso por otro proceso (¿el servicio está en marcha?). "
            "Deténgalo para importar, o envíe las filas a la API JSON del servicio: POST /api/entities/<kind> con "
            "'Authorization: Bearer <token>' (README, «Agregar datos»). / The store is in use by another process "
            "(is the service running?). Stop it to import, or send the rows to the service's JSON API."
        )


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def command(
    settings: Settings,
    path: Path | None,
    plural: str,
    *,
    columns_only: bool = False,
    dry_run: bool = False,
    per_row: bool = False,
    actor: str | None = None,
    source: str | None = None,
    lang: str = "es",
) -> int:
    """``graphapp import``: 0 all written (or all valid with ``dry_run``), 1 rows rejected; a :class:`ConfigError`
    (exit 2) for an unreadable file, a bad ``source``, an in-memory store or a busy store."""
    kind = KINDS_BY_PLURAL[plural]
    if columns_only:
        print(layout(kind, lang))
        return 0
    if path is None:
        raise ConfigError("FILE is required (or --columns to see the column layout)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if source is not None and not (is_valid_iri(source) and source.startswith(("http://", "https://"))):
        raise ConfigError(f"--source must be an http(s) IRI: {source!r}")
    if settings.in_memory and not dry_run:
        raise ConfigError("GRAPHAPP_STORE_DIR is ':memory:': there is no store to import into (use --dry-run)")
    from tqdm import tqdm  # noqa: PLC0415

    def bar(rows: Iterable[Any]) -> Iterable[Any]:
        rows = list(rows)
        return tqdm(rows, desc="import", unit="row", file=sys.stderr, disable=not rows)

    def loading(files: list[Any]) -> Iterable[Any]:
        return tqdm(files, desc="loading", unit="file", file=sys.stderr, disable=not files)

    with open_writer(settings, loading) as (ctx, writer):
        report = import_rows(
            ctx,
            writer,
            kind,
            data,
            file=str(path),
            actor=actor or _default_actor(),
            source=checked_iri(source) if source else None,
            dry_run=dry_run,
            per_row=per_row,
            progress=bar,
        )
    print(report.format(lang))
    return 1 if report.errors else 0


__all__ = ["SLUG", "Column", "Report", "RowError", "columns", "command", "import_rows", "layout", "read_table"]
