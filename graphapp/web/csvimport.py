"""The CSV import as the service runs it: the importer of :mod:`graphapp.writes.importer` over the service's store
and writer, with references given by an entity's exact name resolved as the staff forms resolve them
(:func:`graphapp.web.formfields.by_exact_name`: «Metepec» is ``municipio/15054``), and every reference that names
nothing, or more than one entity, explained with the entities it may have meant.

The upload page (:mod:`graphapp.web.routers.imports`), ``POST /api/import/<kind>`` and ``graphapp import`` with the
service stopped (:class:`OfflineNames`: the same lookups over the store the command opened) all import through
:func:`run_import`, so a file gets the same report whichever way it comes in.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import pyoxigraph as ox

from ..index import GraphIndex, fold
from ..writes.entities import KINDS, KINDS_BY_PLURAL, Context, EntityError, Field, Kind, resolve
from ..writes.importer import SEPARATOR, Report, RowError, Table, columns, import_rows, read_table
from ..writes.importer.columns import header_key
from .formfields import by_exact_name, options
from .links import local_href

if TYPE_CHECKING:
    from ..service import Service
    from ..storage import Store
    from ..writes import Writer

CONTAINED_IN = ("https://schema.org/containedInPlace", "http://schema.org/containedInPlace")
REFERENCE_CODES = frozenset({"unknown-reference", "ambiguous-reference", "wrong-kind"})
MAX_SUGGESTIONS = 6


class OfflineNames:
    """What the forms' name lookup reads of the service (the store, the writer, the contributions graph, the label
    index, a cache), for ``graphapp import`` with the service stopped."""

    def __init__(self, store: Store, writer: Writer, contributions: str) -> None:
        self.store = store
        self.writer = writer
        self.contributions = contributions
        self._index: GraphIndex | None = None
        self._cache: dict[str, Any] = {}

    @property
    def base_iri(self) -> str:
        return self.store.base_iri

    def statements_about(self, subjects: list[str]) -> list[ox.Quad]:
        return self.store.quads_about(subjects)

    @property
    def index(self) -> GraphIndex:
        if self._index is None:
            self._index = GraphIndex.build(self.store)
        return self._index

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


def kind_named(name: str) -> Kind | None:
    """A kind by the importer's name (``practices``, as ``graphapp import --kind``) or the API's (``practice``)."""
    return KINDS_BY_PLURAL.get(name) or KINDS.get(name)


def run_import(
    names: Service | OfflineNames,
    kind: Kind,
    data: bytes,
    *,
    file: str,
    actor: str,
    source: str | None = None,
    dry_run: bool = False,
    per_row: bool = False,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> Report:
    """Import ``data`` (a CSV file of ``kind``) through ``names``' writer, references by exact name resolved as
    the forms do, and the errors of references explained (:func:`explain`)."""
    service = cast("Service", names)  # by_exact_name reads only what OfflineNames has too
    refs = [f for f in kind.fields if f.kind == "iri"]

    def by_name(values: dict[str, Any]) -> dict[str, Any]:
        given = [v for f in refs if f.name in values for v in _items(values[f.name])]
        if all(isinstance(v, str) and ("/" in v or ":" in v) for v in given):
            return values  # IRIs and <segment>/<slug>: nothing to look up by name
        return by_exact_name(service, kind, values)

    report = import_rows(
        Context.of_service(names),
        names.writer,
        kind,
        data,
        file=file,
        actor=actor,
        source=source,
        dry_run=dry_run,
        per_row=per_row,
        progress=progress,
        resolve=by_name,
    )
    explain(names, kind, report, read_table(data, kind))
    return report


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- references that name nothing, or too much


def explain(names: Service | OfflineNames, kind: Kind, report: Report, table: Table) -> None:
    """Give each error of a reference the cell's text and the entities it may have meant: every entity with that
    exact name when there are several (and say it is ambiguous), else those with a similar name."""
    if not table.header:
        return
    service = cast("Service", names)
    ctx = Context.of_service(names)
    at = {h.strip(): i for i, h in enumerate(table.header)}
    cells_of = dict(table.rows)
    pending = {iri: kind for iri in report.accepted.values()}
    out: list[RowError] = []
    for e in report.errors:
        f = kind.field(e.field) if e.field else None
        if (
            f is None
            or f.kind != "iri"
            or e.code not in REFERENCE_CODES
            or e.row in (None, 1)
            or e.column not in at
            or e.row not in cells_of
        ):
            out.append(e)
            continue
        cells = cells_of[e.row]
        cell = cells[at[e.column]] if at[e.column] < len(cells) else ""
        items = [p.strip() for p in cell.split(SEPARATOR)] if f.many else [cell.strip()]
        bad = [i for i in dict.fromkeys(items) if i and not _resolves(service, ctx, kind, f, i, pending)]
        # one error per item of a cell of several: the one its message quotes
        named = [i for i in bad if f"«{i}»" in e.messages.get("es", "") or f"'{i}'" in e.messages.get("en", "")]
        bad = named or bad
        if not bad:
            out.append(e)
            continue
        found: list[tuple[str, str, str]] = []
        ambiguous: list[tuple[str, list[tuple[str, str, str]]]] = []
        for item in bad:
            same = _same_name(service, f, item)
            if len(same) > 1:
                ambiguous.append((item, same))
            found += same or _similar(service, f, item)
        suggestions = tuple(dict.fromkeys(found))
        messages = e.messages
        if len(bad) == 1 and ambiguous:
            item, same = ambiguous[0]
            messages = {
                "es": f"«{item}» es ambiguo: {len(same)} entidades se llaman así. Escriba la que quiere como "
                f"<tipo>/<slug>, p. ej. «{same[0][0]}».",
                "en": f"'{item}' is ambiguous: {len(same)} entities have that name. Write the one you mean as "
                f"<type>/<slug>, e.g. '{same[0][0]}'.",
            }
        limit = max(MAX_SUGGESTIONS, *(len(s) for _, s in ambiguous)) if ambiguous else MAX_SUGGESTIONS
        out.append(replace(e, messages=messages, value=" | ".join(bad), suggestions=suggestions[:limit]))
    report.errors = out


def _resolves(service: Service, ctx: Context, kind: Kind, f: Field, item: str, pending: dict[str, Kind]) -> bool:
    value = by_exact_name(service, kind, {f.name: item})[f.name]
    try:
        resolve(ctx, f, value, pending)
    except EntityError:
        return False
    return True


def _choices(service: Service, f: Field) -> list[tuple[str, str, str]]:
    """The entities a reference field may name: (what to write, label in Spanish, in English)."""
    english = {o["value"]: o["label"] for o in options(service, f, "en")}
    return [(o["value"], o["label"], english.get(o["value"], o["label"])) for o in options(service, f, "es")]


def _same_name(service: Service, f: Field, item: str) -> list[tuple[str, str, str]]:
    key = fold(item)
    return [_placed(service, f, c) for c in _choices(service, f) if key in (fold(c[1]), fold(c[2]))]


def _similar(service: Service, f: Field, item: str) -> list[tuple[str, str, str]]:
    """Entities whose name or ``<segment>/<slug>`` looks like ``item``: close by spelling, or containing it."""
    key = fold(item)
    if not key:
        return []
    choices = _choices(service, f)
    by_key: dict[str, list[tuple[str, str, str]]] = {}
    for c in choices:
        for k in {fold(c[0]), fold(c[1]), fold(c[2]), fold(c[0].rsplit("/", 1)[-1].replace("-", " "))}:
            by_key.setdefault(k, []).append(c)
    hits = [c for k in difflib.get_close_matches(key, list(by_key), n=MAX_SUGGESTIONS, cutoff=0.6) for c in by_key[k]]
    if len(key) >= 3:
        hits += [c for c in choices if key in fold(c[1]) or key in fold(c[2])]
    return [_placed(service, f, c) for c in dict.fromkeys(hits)][:MAX_SUGGESTIONS]


def _placed(service: Service | OfflineNames, f: Field, choice: tuple[str, str, str]) -> tuple[str, str, str]:
    """A place's label with the place it lies in («La Paz, México»): two places may share a name."""
    value, es, en = choice
    iri = value if value.startswith(("http://", "https://")) else service.base_iri + "id/" + value
    parents = [
        q.object.value
        for q in service.statements_about([iri])
        if q.predicate.value in CONTAINED_IN and isinstance(q.object, ox.NamedNode)
    ]
    if not parents:
        return choice
    index = service.index
    return value, f"{es}, {index.label_or_iri(parents[0], 'es')}", f"{en}, {index.label_or_iri(parents[0], 'en')}"


# ---------------------------------------------------------------- the preview, row by row


def preview_rows(
    names: Service | OfflineNames, kind: Kind, report: Report, table: Table, lang: str
) -> list[dict[str, Any]]:
    """Each row of the file as the preview shows it: its number, its name as written, the entity it makes (when
    it has no error) and every error of it."""
    label_col = next((c.header for c in columns(kind) if c.field and c.field.name == "label" and c.lang != "en"), "")
    at = next((i for i, h in enumerate(table.header) if header_key(h) == header_key(label_col)), None)
    errors: dict[int | None, list[RowError]] = {}
    for e in report.sorted_errors():
        errors.setdefault(e.row, []).append(e)
    base = names.base_iri
    out = []
    for row, cells in table.rows:
        mine = errors.get(row, [])
        iri = None if mine or 1 in errors else report.accepted.get(row)
        out.append(
            {
                "row": row,
                "name": cells[at].strip() if at is not None and at < len(cells) else "",
                "iri": iri,
                "href": local_href(iri, base) if iri else None,
                "written": row in report.written,
                "errors": [e.as_json(lang) for e in mine],
            }
        )
    return out
