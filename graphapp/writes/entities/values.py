"""Field values → RDF terms: texts by language, typed literals, and references resolved to the IRIs of the graph;
the slug of a new entity.

Values, as the JSON API takes them (the CSV import produces the same):

- ``text``: a string (Spanish) or ``{"es": "…", "en": "…"}``; many: a list of strings or ``{"es": […], "en": […]}``;
- ``string``: a plain string (no language, e.g. an acronym); with ``datatype`` ``xsd:anyURI``, an http(s) address;
- ``iri``: a reference to an entity of the graph: full IRI, ``<segment>/<slug>`` or just the slug (looked up under
  the field's segments); it must exist (a 400 otherwise). Where a source document is expected (a field whose range
  is ``dcterms:BibliographicResource``), a web address is taken too: the source with that ``schema:url``, or a new
  one made for it in the same change (:func:`source_for_url`; the same address is always the same source);
- ``class``: one of the field's classes, by IRI, ``ga:Name``, ``Name`` or its label;
- ``link``: an http(s) address outside the graph (``rdfs:seeAlso``, Wikidata ``Q…`` for ``owl:sameAs``);
- ``year`` (``xsd:gYear``), ``date`` (``xsd:date``; with ``or_year``, a bare year is an ``xsd:gYear``), ``integer``,
  ``decimal``, ``boolean``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, MutableMapping
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from ...iris import is_valid_iri, slugify
from .context import Context
from .kinds import ANY_URI, LABEL, LANGS, RDF_TYPE, RDFS, SCHEMA, SOURCE, XSD, Field, Kind
from .problems import EntityError, Problem, field_problem, invalid, msg

MAX_SLUG = 80
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def texts_of(value: Any, many: bool) -> dict[str, list[str]]:
    """A text value in any accepted form, as ``{lang: [texts]}``."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"es": [value]}
    if isinstance(value, list):
        return {"es": [v for v in value if v]}
    if isinstance(value, Mapping):
        out: dict[str, list[str]] = {}
        for lang in LANGS:
            v = value.get(lang)
            items = v if isinstance(v, list) else [v] if v else []
            if items:
                out[lang] = list(items)
        return out
    raise TypeError(value)


def _literal(f: Field, value: Any) -> ox.Literal:
    if f.kind == "string":
        if f.datatype == ANY_URI:
            address = str(value).strip()
            if not address.startswith(("http://", "https://")) or not is_valid_iri(address):
                raise invalid(
                    [
                        field_problem(
                            f, f"No es una dirección http(s): «{value}».", f"Not an http(s) address: '{value}'.", "link"
                        )
                    ]
                )
            return ox.Literal(address, datatype=ox.NamedNode(ANY_URI))
        return ox.Literal(str(value), datatype=ox.NamedNode(f.datatype)) if f.datatype else ox.Literal(str(value))
    if f.kind == "year" or (f.kind == "date" and isinstance(value, int)):
        return ox.Literal(f"{int(value):04d}", datatype=ox.NamedNode(XSD + "gYear"))
    if f.kind == "date":
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if f.kind == "integer":
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if f.kind == "decimal":
        text = format(Decimal(value).normalize(), "f")
        return ox.Literal(text if "." in text else text + ".0", datatype=ox.NamedNode(XSD + "decimal"))
    if f.kind == "boolean":
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    raise ValueError(f.kind)


def resolve(
    ctx: Context,
    f: Field,
    value: str,
    pending: Mapping[str, Kind] | None = None,
    made: MutableMapping[str, list[ox.Quad]] | None = None,
) -> str:
    """The IRI a reference names: a full IRI, ``<segment>/<slug>`` or a bare slug (looked up under the field's
    segments and namespace); where a source is expected, a web address (see :func:`source_for_url`: the statements
    of a new source go to ``made``). Raises :class:`EntityError` (400) naming the field when it names nothing
    known."""
    pending = pending or {}
    v = value.strip()
    if f.kind == "class":
        return _resolve_class(ctx, f, v)

    def known(iri: str) -> bool:
        return iri in pending or ctx.exists(iri)

    if f.kind == "link":
        if not v.startswith(("http://", "https://")) and f.namespace:
            v = f.namespace + v
        if not v.startswith(("http://", "https://")) or not is_valid_iri(v):
            raise invalid(
                [
                    field_problem(
                        f, f"No es una dirección http(s): «{value}».", f"Not an http(s) address: '{value}'.", "link"
                    )
                ]
            )
        return v
    if v.startswith(("http://", "https://")):
        if not is_valid_iri(v):
            raise invalid([field_problem(f, f"No es un IRI válido: «{value}».", f"Not a valid IRI: '{value}'.", "iri")])
        if v.startswith(ctx.id_base):
            segment = v[len(ctx.id_base) :].split("/", 1)[0]
            if f.segments and segment not in f.segments:
                raise invalid([_wrong_segment(f, value)])
        elif takes_sources(f) and not v.startswith(ctx.base):
            return source_for_url(ctx, v, pending, made)
        elif not (f.namespace and v.startswith(f.namespace)):
            raise invalid(
                [
                    field_problem(
                        f,
                        f"«{value}» está fuera del grafo: se espera una entidad bajo {ctx.id_base}.",
                        f"'{value}' is outside the graph: expected an entity under {ctx.id_base}.",
                        "outside-namespace",
                    )
                ]
            )
        if not known(v):
            raise invalid([_unknown(f, value)])
        return v
    if "/" in v:
        segment = v.split("/", 1)[0]
        if segment not in f.segments:
            raise invalid([_wrong_segment(f, value)])
        candidates = [ctx.id_base + v]
    else:
        candidates = [f"{ctx.id_base}{s}/{v}" for s in f.segments] + ([f.namespace + v] if f.namespace else [])
    found = [c for c in candidates if is_valid_iri(c) and known(c)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise invalid([_unknown(f, value)])
    shown = ", ".join(found)
    raise invalid(
        [
            field_problem(
                f,
                f"«{value}» es ambiguo ({shown}); use <tipo>/<slug> o el IRI completo.",
                f"'{value}' is ambiguous ({shown}); use <type>/<slug> or the full IRI.",
                "ambiguous-reference",
            )
        ]
    )


def _wrong_segment(f: Field, value: str) -> Problem:
    where = ", ".join(f"{s}/" for s in f.segments) or "—"
    return field_problem(
        f,
        f"«{value}» no es del tipo que espera «{f.name}» ({where}).",
        f"'{value}' is not of the type '{f.name}' expects ({where}).",
        "wrong-kind",
    )


def _unknown(f: Field, value: str) -> Problem:
    where = ", ".join([*(f"…/id/{s}/" for s in f.segments), *([f.namespace] if f.namespace else [])])
    return field_problem(
        f,
        f"No hay ninguna entidad «{value}» en el grafo (se buscó en {where}).",
        f"There is no entity '{value}' in the graph (looked in {where}).",
        "unknown-reference",
    )


def _resolve_class(ctx: Context, f: Field, value: str) -> str:
    wanted = slugify(value.removeprefix("ga:"))
    for cls in f.choices:
        local = cls.rsplit("#", 1)[-1]
        names = {slugify(cls), slugify(local)}
        for q in ctx.quads(cls):
            if q.predicate.value == RDFS + "label" and isinstance(q.object, ox.Literal):
                names.add(slugify(q.object.value))
        if value == cls or wanted in names:
            return cls
    options = ", ".join(c.rsplit("#", 1)[-1] for c in f.choices)
    raise invalid(
        [
            field_problem(
                f,
                f"Tipo desconocido «{value}»; elija entre: {options}.",
                f"Unknown type '{value}'; choose from: {options}.",
                "unknown-type",
            )
        ]
    )


def field_objects(
    ctx: Context,
    f: Field,
    value: Any,
    pending: Mapping[str, Kind] | None = None,
    made: MutableMapping[str, list[ox.Quad]] | None = None,
) -> list[ox.NamedNode | ox.Literal]:
    """The objects of the statements a field value makes (empty for ``None`` or ``[]``); the statements of the
    sources a web address makes go to ``made`` (by IRI)."""
    if value is None:
        return []
    if f.kind == "text":
        texts = texts_of(value, f.many)
        return [ox.Literal(t, language=lang) for lang, items in texts.items() for t in dict.fromkeys(items)]
    items = value if isinstance(value, list) else [value]
    out: list[ox.NamedNode | ox.Literal] = []
    problems: list[Problem] = []
    for item in items:
        try:
            if f.kind in {"iri", "class", "link"}:
                out.append(ox.NamedNode(resolve(ctx, f, str(item), pending, made)))
            else:
                out.append(_literal(f, item))
        except EntityError as exc:
            problems.extend(exc.problems)
    if problems:
        raise invalid(problems)
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- a web address where a source is expected


def takes_sources(f: Field) -> bool:
    """Whether ``f`` refers to source documents (then a web address names one)."""
    return f.kind == "iri" and SOURCE.cls in f.range


def source_with_url(ctx: Context, url: str) -> str | None:
    """The source document whose address (``schema:url``) is ``url``, if the graph has one."""
    text = str(ox.Literal(url))  # quoted and escaped as N-Triples writes it
    rows = ctx.store.select_text(
        f"SELECT ?s WHERE {{ ?s <{SCHEMA}url> ?u ; <{RDF_TYPE}> <{SOURCE.cls}> . FILTER (STR(?u) = {text}) }}"
    )
    found = sorted(str(row["s"]) for row in rows if str(row.get("s", "")).startswith(("http://", "https://")))
    return found[0] if found else None


def url_slug(url: str) -> str:
    """The slug of the source made for a web address: its words (at most 50 characters) and a short digest of the
    whole address, so that the same address always makes the same IRI.

    >>> url_slug("https://www.example.org/oficios/2024/12.pdf")
    'example-org-oficios-2024-12-pdf-d1948eff'
    """
    words = slugify(re.sub(r"^https?://(www\.)?", "", url))
    if len(words) > 50:
        words = words[:50].rsplit("-", 1)[0]
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    return f"{words}-{digest}" if words else digest


def source_for_url(
    ctx: Context,
    url: str,
    pending: Mapping[str, Kind] | None = None,
    made: MutableMapping[str, list[ox.Quad]] | None = None,
) -> str:
    """The source document a web address names: the one with that ``schema:url`` if the graph has it, else a new
    one (``…/id/fuente/<url_slug>``, its address as its name) whose statements go to ``made``, to be written in
    the same change."""
    found = source_with_url(ctx, url)
    if found is not None:
        return found
    iri = ctx.iri(SOURCE, url_slug(url))
    if iri in (pending or {}) or ctx.exists(iri) or made is None:
        return iri
    graph = ox.NamedNode(ctx.contributions)
    subject = ox.NamedNode(iri)
    made[iri] = [
        ox.Quad(subject, ox.NamedNode(RDF_TYPE), ox.NamedNode(SOURCE.cls), graph),
        *(ox.Quad(subject, ox.NamedNode(LABEL.predicate), ox.Literal(url, language=lang), graph) for lang in LANGS),
        ox.Quad(subject, ox.NamedNode(SCHEMA + "url"), ox.Literal(url, datatype=ox.NamedNode(ANY_URI)), graph),
    ]
    return iri


# ---------------------------------------------------------------- slugs and labels of new entities


def slug_for(kind: Kind, values: Mapping[str, Any], slug: str | None = None) -> str:
    """The slug of a new entity: the one given, else made from its Spanish label (cut at a word, at most
    :data:`MAX_SLUG` characters)."""
    if slug:
        if not SLUG.match(slug) or len(slug) > MAX_SLUG:
            raise invalid(
                [
                    Problem(
                        "slug",
                        msg(
                            "El identificador solo lleva minúsculas sin acentos, cifras y guiones.",
                            "The slug has only lower-case ASCII letters, digits and hyphens.",
                        ),
                        code="slug",
                    )
                ]
            )
        return slug
    label = texts_of(values.get("label"), False).get("es", [])
    made = slugify(label[0]) if label else ""
    if len(made) > MAX_SLUG:
        made = made[:MAX_SLUG].rsplit("-", 1)[0]
    if not made:
        raise invalid(
            [
                Problem(
                    "label",
                    msg(
                        "Falta el nombre en español (con letras o cifras): el IRI nuevo se forma con él.",
                        "The Spanish name (with letters or digits) is missing: the new IRI is made from it.",
                    ),
                    shape="SpanishLabel-label",
                    code="missing-label",
                )
            ]
        )
    return made


#: what ``gs:SpanishLabel-label`` says; checked here too, before the write, so that the answer names the field
#: at once (the writer's validation checks the shape as well)
SPANISH_LABEL = msg(
    "Falta la etiqueta en español (rdfs:label con @es).", "Missing Spanish label (rdfs:label with @es)."
)


def check_spanish_label(values: Mapping[str, Any], iri: str) -> None:
    if "label" in values and not texts_of(values.get("label"), False).get("es"):
        raise invalid([Problem("label", SPANISH_LABEL, shape="SpanishLabel-label", focus=iri, code="shape")])
