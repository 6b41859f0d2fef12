"""RDF bodies: a Turtle or JSON-LD description of one new entity, read as the JSON body it amounts to."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from .context import Context
from .kinds import LANGS, RDF_TYPE, Field, Kind
from .problems import EntityError, Problem, field_problem, invalid, msg
from .values import SLUG

RDF_MEDIA = {"text/turtle": ox.RdfFormat.TURTLE, "application/ld+json": ox.RdfFormat.JSON_LD}


def values_from_rdf(ctx: Context, kind: Kind, body: bytes, media: str) -> dict[str, Any]:
    """The JSON body (field values and ``slug``) that a Turtle or JSON-LD description of one new entity of ``kind``
    amounts to, to be validated as JSON bodies are. 400 for a syntax error, blank nodes, named graphs, more than one
    subject, a subject outside ``…/id/<segment>/``, a type other than the kind's, or a predicate no field has."""
    try:
        quads = list(ox.parse(body, format=RDF_MEDIA[media]))
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        raise invalid(
            [Problem(None, msg(f"Error de sintaxis: {exc}", f"Syntax error: {exc}"), code="syntax")]
        ) from None

    def bad(es: str, en: str, code: str) -> EntityError:
        return invalid([Problem(None, msg(es, en), code=code)])

    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise bad("No se aceptan grafos con nombre.", "Named graphs are not accepted.", "named-graph")
    if any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
        raise bad(
            "No se aceptan nodos en blanco: dé un IRI a cada entidad.",
            "Blank nodes are not accepted: give every entity an IRI.",
            "blank-node",
        )
    subjects = sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)})
    outside = [s for s in subjects if not s.startswith(ctx.id_base)]
    if outside:
        raise bad(
            f"Sujetos fuera del espacio de nombres {ctx.id_base}: {', '.join(outside)}.",
            f"Subjects outside the namespace {ctx.id_base}: {', '.join(outside)}.",
            "outside-namespace",
        )
    if len(subjects) != 1:
        raise bad(
            f"Se espera la descripción de una sola entidad; hay {len(subjects)}. Para muchas, use la importación CSV.",
            f"Expected the description of one entity; there are {len(subjects)}. For many, use the CSV import.",
            "one-entity",
        )
    subject = subjects[0]
    prefix = f"{ctx.id_base}{kind.segment}/"
    slug = subject[len(prefix) :] if subject.startswith(prefix) else ""
    if not SLUG.match(slug):
        raise bad(
            f"<{subject}> no es un IRI de {kind.label_es.lower()} ({prefix}<slug>).",
            f"<{subject}> is not an IRI of a {kind.label_en.lower()} ({prefix}<slug>).",
            "wrong-kind",
        )
    types = [q.object.value for q in quads if q.predicate.value == RDF_TYPE]
    if not ctx.is_a(types, kind.cls):
        raise bad(
            f"<{subject}> no tiene el tipo <{kind.cls}>.", f"<{subject}> does not have the type <{kind.cls}>.", "type"
        )
    data: dict[str, Any] = {"slug": slug}
    problems: list[Problem] = []
    by_field: dict[str, list[ox.NamedNode | ox.Literal]] = {}
    for q in quads:
        p = q.predicate.value
        f = kind.by_predicate(p)
        if p == RDF_TYPE and q.object.value == kind.cls:
            continue
        if f is None and p == RDF_TYPE:
            problems.append(
                Problem(
                    None,
                    msg(
                        f"Tipo <{q.object.value}> no admitido para {kind.label_es.lower()}.",
                        f"Type <{q.object.value}> is not accepted for a {kind.label_en.lower()}.",
                    ),
                    code="type",
                )
            )
            continue
        if f is None:
            problems.append(
                Problem(None, msg(f"Propiedad desconocida <{p}>.", f"Unknown property <{p}>."), code="unknown-property")
            )
            continue
        by_field.setdefault(f.name, []).append(q.object)
    for name, objects in by_field.items():
        f = kind.field(name)
        assert f is not None  # noqa: S101 - from by_predicate
        try:
            data[name] = _json_value(f, objects)
        except EntityError as exc:
            problems.extend(exc.problems)
    if problems:
        raise invalid(problems)
    return data


def _json_value(f: Field, objects: list[ox.NamedNode | ox.Literal]) -> Any:
    if f.kind == "text":
        texts: dict[str, list[str]] = {}
        for o in objects:
            if not isinstance(o, ox.Literal) or o.language not in LANGS:
                raise invalid(
                    [
                        field_problem(
                            f,
                            "Un texto lleva su idioma: @es o @en.",
                            "A text carries its language: @es or @en.",
                            "language",
                        )
                    ]
                )
            texts.setdefault(o.language, []).append(o.value)
        if not f.many and any(len(v) > 1 for v in texts.values()):
            raise invalid([field_problem(f, "Un solo texto por idioma.", "One text per language.", "max-count")])
        return texts if f.many else {lang: v[0] for lang, v in texts.items()}
    items: list[Any] = []
    for o in objects:
        is_iri = isinstance(o, ox.NamedNode)
        if (f.kind in {"iri", "class", "link"}) != is_iri:
            want = msg("un IRI", "an IRI") if not is_iri else msg("un literal", "a literal")
            raise invalid([field_problem(f, f"Se espera {want['es']}.", f"Expected {want['en']}.", "node-kind")])
        items.append(o.value)
    if not f.many and len(items) > 1:
        raise invalid([field_problem(f, "Se espera un solo valor.", "Expected a single value.", "max-count")])
    return items if f.many else items[0]
