"""Create, correct and retire: the :class:`~graphapp.writes.Change` each one makes.

A new entity gets an IRI from the slug of its Spanish label (an IRI already taken is a 409); a correction replaces
the values of some of its fields; a retirement adds ``ga:retiredOn`` and ``ga:retirementNote`` (the entity stays,
with its history). New statements go to the staff contributions graph. Entities with statements in the project's
source graphs (read-only for the service) are not updated or retired here: 403, corrections to them go to the
source files. Every change built here still goes through :class:`graphapp.writes.Writer`, which validates it
against the shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pyoxigraph as ox

from ..changes import Change
from .context import Context, types_of
from .kinds import RDF_TYPE, RETIRED_ON, RETIREMENT_NOTE, SOURCE, XSD, Kind
from .problems import EntityError, Problem, invalid, msg
from .values import check_spanish_label, field_objects, slug_for, source_with_url, texts_of


def _check_address_free(ctx: Context, kind: Kind, values: Mapping[str, Any], iri: str) -> None:
    """A source's address names one source only (a web address given as a source finds it): 409 when another
    source has it."""
    url = values.get("url")
    if kind is not SOURCE or not isinstance(url, str) or not url.strip():
        return
    other = source_with_url(ctx, url.strip())
    if other is not None and other != iri:
        raise EntityError(
            409,
            msg(
                f"Ya hay una fuente con la dirección {url.strip()}: <{other}>.",
                f"A source with the address {url.strip()} already exists: <{other}>.",
            ),
            [
                Problem(
                    "url",
                    msg(
                        f"Ya hay una fuente con esta dirección: <{other}>; elíjala en lugar de crear otra.",
                        f"A source with this address already exists: <{other}>; pick it instead of adding another.",
                    ),
                    focus=iri,
                    code="url-taken",
                )
            ],
        )


def create_quads(
    ctx: Context,
    kind: Kind,
    values: Mapping[str, Any],
    slug: str | None = None,
    pending: Mapping[str, Kind] | None = None,
) -> tuple[str, list[ox.Quad]]:
    """The IRI and the statements of a new entity of ``kind`` with ``values`` (already validated by
    :func:`create_model_for`). 409 when the IRI is taken; 400 naming the fields whose references do not resolve."""
    slug = slug_for(kind, values, slug or values.get("slug"))
    iri = ctx.iri(kind, slug)
    check_spanish_label({"label": values.get("label")}, iri)
    if ctx.store.contains(iri) or iri in (pending or {}):
        raise EntityError(
            409,
            msg(
                f"Ya existe <{iri}>: elija otro nombre o dé un «slug» propio.",
                f"<{iri}> already exists: choose another name or give a 'slug' of your own.",
            ),
            [Problem("slug", msg("Identificador ya usado.", "Slug already taken."), focus=iri, code="exists")],
        )
    _check_address_free(ctx, kind, values, iri)
    graph = ox.NamedNode(ctx.contributions)
    subject = ox.NamedNode(iri)
    quads = [ox.Quad(subject, ox.NamedNode(RDF_TYPE), ox.NamedNode(kind.cls), graph)]
    problems: list[Problem] = []
    made: dict[str, list[ox.Quad]] = {}  # sources made for web addresses, written with the entity
    for f in kind.fields:
        try:
            objects = field_objects(ctx, f, values.get(f.name), {**(pending or {}), iri: kind}, made)
        except EntityError as exc:
            problems.extend(exc.problems)
            continue
        quads.extend(ox.Quad(subject, ox.NamedNode(f.predicate), o, graph) for o in objects)
    if problems:
        raise invalid(problems)
    quads += [q for made_quads in made.values() for q in made_quads]
    return iri, list(dict.fromkeys(quads))


def change(
    add: Iterable[ox.Quad] = (),
    remove: Iterable[ox.Quad] = (),
    *,
    actor: str,
    method: str = "api",
    source: str | None = None,
    note: str = "",
    subjects: Iterable[str] = (),
) -> Change:
    return Change(
        add=tuple(add),
        remove=tuple(remove),
        actor=actor,
        method=method,
        source=source,
        note=note,
        subjects=frozenset(subjects),
    )


def build_create(
    ctx: Context,
    kind: Kind,
    values: Mapping[str, Any],
    *,
    actor: str,
    method: str = "api",
    source: str | None = None,
    slug: str | None = None,
) -> tuple[str, Change]:
    """The :class:`Change` that creates an entity (see :func:`create_quads`)."""
    iri, quads = create_quads(ctx, kind, values, slug)
    return iri, change(quads, actor=actor, method=method, source=source, note=f"create {kind.name}", subjects={iri})


def build_together(
    ctx: Context,
    creates: Sequence[tuple[Kind, Mapping[str, Any]]],
    *,
    update: tuple[Kind, str, Mapping[str, Any]] | None = None,
    actor: str,
    method: str = "api",
    source: str | None = None,
) -> tuple[list[str], Change]:
    """One :class:`Change` that creates entities (each may refer to those before it) and then creates the last
    one or, with ``update``, corrects an existing entity that may refer to them: all or nothing. Its IRIs (those
    created, then the one corrected) and the change. A refusal names every problem at once, each with the IRI of
    its entity as ``focus``; 409 when the only problems are IRIs already taken."""
    pending: dict[str, Kind] = {}
    iris: list[str] = []
    add: list[ox.Quad] = []
    remove: list[ox.Quad] = []
    notes: list[str] = []
    problems: list[Problem] = []
    conflicts: list[EntityError] = []
    others = 0

    def refused(exc: EntityError, iri: str | None) -> None:
        nonlocal others
        if exc.status not in {400, 409}:
            raise exc
        if exc.status == 409:
            conflicts.append(exc)
        else:
            others += 1
        found = exc.problems or [Problem(None, exc.messages)]
        # a taken IRI: the problem says which, and what to do, as the answer does
        problems.extend(
            replace(p, focus=p.focus or iri, messages=exc.messages if p.code == "exists" else p.messages) for p in found
        )

    for kind, values in creates:
        try:
            slug = slug_for(kind, values, values.get("slug"))
        except EntityError as exc:
            refused(exc, None)
            continue
        iri = ctx.iri(kind, slug)
        try:
            iri, quads = create_quads(ctx, kind, values, slug, pending)
        except EntityError as exc:
            refused(exc, iri)
        else:
            add += quads
            notes.append(f"create {kind.name}")
        pending[iri] = kind  # later entities may refer to it, even when it was refused
        iris.append(iri)
    if update is not None:
        kind, iri, values = update
        try:
            corrected = build_update(ctx, kind, iri, values, actor=actor, method=method, pending=pending)
        except EntityError as exc:
            refused(exc, iri)
        else:
            add += corrected.add
            remove += corrected.remove
            notes.append(corrected.note)
        iris.append(iri)
    if problems:
        if conflicts and not others:
            raise EntityError(409, conflicts[0].messages, problems)
        raise invalid(problems)
    made = change(add, remove, actor=actor, method=method, source=source, note="; ".join(notes), subjects=set(iris))
    return iris, made


def existing(ctx: Context, kind: Kind, iri: str) -> list[ox.Quad]:
    """The statements about an entity of ``kind``; 404 when there is none of that kind at ``iri``."""
    quads = ctx.quads(iri)
    if not quads or not ctx.is_a(types_of(quads), kind.cls):
        raise EntityError(
            404,
            msg(
                f"No hay {kind.label_es.lower()} <{iri}>.",
                f"There is no {kind.label_en.lower()} <{iri}>.",
            ),
        )
    return quads


def _writable(ctx: Context, kind: Kind, iri: str, quads: list[ox.Quad]) -> None:
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} & ctx.read_only)
    if graphs:
        raise EntityError(
            403,
            msg(
                f"<{iri}> viene de los datos fuente del proyecto ({', '.join(f'<{g}>' for g in graphs)}), de solo "
                "lectura para el servicio: corríjalo en su archivo de data/ o pida el cambio a quien mantiene los "
                "datos.",
                f"<{iri}> comes from the project's source data ({', '.join(f'<{g}>' for g in graphs)}), read-only "
                "for the service: correct it in its file under data/ or ask the data maintainers.",
            ),
        )


def build_update(
    ctx: Context,
    kind: Kind,
    iri: str,
    values: Mapping[str, Any],
    *,
    actor: str,
    method: str = "api",
    source: str | None = None,
    pending: Mapping[str, Kind] | None = None,
) -> Change:
    """The :class:`Change` that replaces the values of the fields in ``values`` (only those): the entity's
    statements with those predicates go, the new values come into the contributions graph; a value the entity
    already has stays (a field whose values do not change is left alone, and its note names the fields that
    change). ``pending``: entities created in the same change, which the values may name. 404 unknown entity, 403
    source data, 400 bad references, 409 a source's address another source has."""
    quads = existing(ctx, kind, iri)
    _writable(ctx, kind, iri, quads)
    check_spanish_label(values, iri)
    _check_address_free(ctx, kind, values, iri)
    graph = ox.NamedNode(ctx.contributions)
    subject = ox.NamedNode(iri)
    add: list[ox.Quad] = []
    remove: list[ox.Quad] = []
    problems: list[Problem] = []
    changed: list[str] = []
    made: dict[str, list[ox.Quad]] = {}
    for name, value in values.items():
        f = kind.field(name)
        if f is None:
            continue
        old = [
            q
            for q in quads
            if q.predicate.value == f.predicate
            and not (f.predicate == RDF_TYPE and not isinstance(q.object, ox.Triple) and q.object.value == kind.cls)
        ]
        try:
            objects = field_objects(ctx, f, value, pending, made)
        except EntityError as exc:
            problems.extend(exc.problems)
            continue
        new = [ox.Quad(subject, ox.NamedNode(f.predicate), o, graph) for o in objects]
        if {q.object for q in old} == set(objects):
            continue
        remove += [q for q in old if q not in new]
        add += [q for q in new if q not in old]
        changed.append(name)
    if problems:
        raise invalid(problems)
    add += [q for made_quads in made.values() for q in made_quads]
    fields = ", ".join(sorted(changed or values))
    return change(add, remove, actor=actor, method=method, source=source, note=f"update {fields}", subjects={iri})


def build_retire(
    ctx: Context,
    kind: Kind,
    iri: str,
    on: date,
    reason: Any,
    *,
    actor: str,
    source: str | None = None,
) -> Change:
    """The :class:`Change` (method ``retire``) that marks an entity retired on ``on`` with a short ``reason``; the
    entity and its history stay. 404 unknown, 403 source data, 409 already retired."""
    quads = existing(ctx, kind, iri)
    _writable(ctx, kind, iri, quads)
    if any(q.predicate.value == RETIRED_ON for q in quads):
        raise EntityError(409, msg(f"<{iri}> ya está retirada.", f"<{iri}> is already retired."))
    texts = texts_of(reason, False)
    if not texts:
        raise invalid([Problem("reason", msg("Falta el motivo.", "The reason is missing."), code="missing")])
    graph = ox.NamedNode(ctx.contributions)
    subject = ox.NamedNode(iri)
    add = [
        ox.Quad(
            subject, ox.NamedNode(RETIRED_ON), ox.Literal(on.isoformat(), datatype=ox.NamedNode(XSD + "date")), graph
        )
    ]
    add += [
        ox.Quad(subject, ox.NamedNode(RETIREMENT_NOTE), ox.Literal(t, language=lang), graph)
        for lang, items in texts.items()
        for t in items
    ]
    return change(add, actor=actor, method="retire", source=source, note=f"retire {kind.name}", subjects={iri})
