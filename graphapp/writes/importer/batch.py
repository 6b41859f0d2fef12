"""The import of one file: every row checked as the JSON API checks a body, then the new entities validated
against the SHACL shapes and written all at once (one change, nothing if any row fails), row by row
(``per_row``), or not at all (``dry_run``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ...validation import validate_change
from ..changes import WriteRejected
from ..entities import (
    Context,
    EntityError,
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
from ..writer import Writer
from .columns import SLUG_HEADER
from .report import Report, RowError
from .rows import column_of, row_data, row_errors
from .table import check_header, read_table


@dataclass
class _Draft:
    row: int
    iri: str
    values: dict[str, Any]
    quads: list[Any]


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
    resolve: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Report:
    """Import a CSV file of ``kind`` (see the module docstring); the :class:`Report` says what was written and
    every row that was not, each column named as the file's header row writes it. ``resolve`` maps a row's
    values before they are checked (the service resolves references given by an entity's exact name, as its
    forms do: :func:`graphapp.web.csvimport.run_import`)."""
    report = _import(ctx, writer, kind, data, file=file, actor=actor, source=source, dry_run=dry_run,
                     per_row=per_row, progress=progress, resolve=resolve)  # fmt: skip
    # the columns as the file writes them (``Solucion`` for ``solución``), in the messages too (never the JSON
    # field, «solution»); the header row's own errors already name them so
    words = _column_words(kind, report.headers)
    report.errors = [
        e
        if e.row == 1
        else replace(
            e,
            column=report.headers.get(e.column, e.column) if e.column else None,
            messages=_in_columns(e.messages, words),
        )
        for e in report.errors
    ]
    return report


def _column_words(kind: Kind, headers: dict[str, str]) -> dict[str, str]:
    """The column (as the file writes it) for each JSON name a message may quote: ``solution``, ``label.en``."""
    words = {"slug": headers.get(SLUG_HEADER, SLUG_HEADER)}
    for f in kind.fields:
        for header, lang in f.columns():
            shown = headers.get(header, header)
            words.setdefault(f.name, shown)  # the first column of a text: Spanish
            if lang:
                words[f"{f.name}.{lang}"] = shown
    return words


def _in_columns(messages: dict[str, str], words: dict[str, str]) -> dict[str, str]:
    """``messages`` with each quoted JSON name («solution», 'solution') replaced by its column's header.

    >>> _in_columns({"es": "Falta el campo obligatorio «solution».", "en": "The field 'label.en' is odd."},
    ...             {"solution": "Solucion", "label.en": "nombre (en)"})
    {'es': 'Falta el campo obligatorio «Solucion».', 'en': "The field 'nombre (en)' is odd."}
    """
    pattern = re.compile("(«|')(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")(»|')")
    return {
        lang: pattern.sub(lambda m: m[1] + words[m[2]] + m[3] if (m[1] == "«") == (m[3] == "»") else m[0], text)
        for lang, text in messages.items()
    }


def _import(
    ctx: Context,
    writer: Writer,
    kind: Kind,
    data: bytes,
    *,
    file: str,
    actor: str,
    source: str | None,
    dry_run: bool,
    per_row: bool,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None,
    resolve: Callable[[dict[str, Any]], dict[str, Any]] | None,
) -> Report:
    table = read_table(data, kind)
    report = Report(kind, file, table.encoding, table.delimiter, len(table.rows), dry_run=dry_run, per_row=per_row)
    if table.problem is not None:
        report.errors.append(table.problem)
        return report
    if not table.header:
        report.errors.append(RowError(1, None, {"es": "El archivo está vacío.", "en": "The file is empty."}))
        return report
    header, header_errors = check_header(kind, table.header)
    report.headers = {col.header: written.strip() for col, written in zip(header, table.header, strict=False) if col}
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
            given = row_data(kind, header, cells)
            values = values_of(validate_body(model, resolve(given) if resolve else given, kind))
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
            report.errors += row_errors(kind, row, problems)
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
            RowError(row_of.get(p.focus or ""), column_of(kind, p), p.messages, p.code, p.field)
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
