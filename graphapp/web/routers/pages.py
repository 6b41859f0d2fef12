"""Pages for people: the home page, entity search, every entity, the ontology and the graph records.

Each page has a machine-readable twin: JSON for home and search, RDF for entities (Turtle, JSON-LD,
N-Triples by ``Accept``, a suffix or ``format=``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Annotated, Any, Protocol

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from ...describe import DESCRIPTION_PREFIXES
from ...graphviews.names import capitalised
from ...iris import PREFIXES, TYPE_PREFIXES
from ...results import ResultFormat
from ...service import Service, VersionReader
from ...storage import RawRow, Row
from ...storage import iri as as_iri
from ...versions import VersionError
from ..deps import ServiceDep, TemplatesDep
from ..errors import error_responses
from ..formatting import format_literal
from ..i18n import get_lang, pick
from ..links import local_href, site_href
from ..openapi import HTML, RDF, page_or_json
from ..params import GraphPageFormat, PageFormat, RdfFormat, VersionParam, check_search_text, page_language
from ..render import (
    VARY,
    check_rdf_format,
    html_page,
    json_page,
    preferred,
    rdf_page,
    render_page,
    representation,
    template_response,
)
from ..versioning import VERSION_HEADER, requested_version, version_error
from .forms import edit_href

PROV_ENTITY = "http://www.w3.org/ns/prov#Entity"

router = APIRouter(tags=["Pages"], dependencies=[Depends(page_language)])

SUFFIXES = {".ttl": "ttl", ".jsonld": "jsonld", ".nt": "nt", ".rdf": "rdfxml"}
SAME_AS = {"http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#exactMatch"}
LABEL_PROPS = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GA = PREFIXES["ga"]
#: graphs under this path hold the team's editorial readings and links (data/editorial/), not the source's words
EDITORIAL_GRAPHS = "/graph/editorial/"
RETIRED_ON = GA + "retiredOn"
RETIREMENT_NOTE = GA + "retirementNote"
#: "referenced by" shows the first links (by property, then entity)
INCOMING_SHOWN = 500


def _value(service: Service, term: Any, lang: str) -> dict[str, Any]:
    """A value ready for a template: text to show, link if any, language and datatype.

    ``term`` is an IRI string or a raw engine term (``select(..., raw=True)``)."""
    base = service.base_iri
    if isinstance(term, ox.NamedNode):
        term = term.value
    if isinstance(term, str):
        # an IRI without a label: our own show their slug, others (web pages, Wikidata) their whole address
        own = term.startswith(base)
        text = service.index.label(term, lang) or (service.index.label_or_iri(term, lang) if own else term)
        return {"kind": "iri", "iri": term, "href": site_href(term, base, service.index.labels), "text": text}
    if isinstance(term, ox.BlankNode):
        return {"kind": "literal", "text": "_:" + term.value, "href": None, "lang": None, "datatype": ""}
    text = term.value
    datatype = term.datatype.value if term.datatype else ""
    literal_lang = term.language
    href = text if datatype.endswith("#anyURI") and text.startswith(("http://", "https://")) else None
    return {
        "kind": "literal",
        "text": format_literal(text, datatype, lang),
        "href": href,
        "lang": literal_lang,
        "datatype": datatype,
    }


def _shown(value: dict[str, Any]) -> tuple[Any, ...]:
    """What a reader sees of a value: two values that look the same are shown once."""
    return (value["kind"], value["text"], value["href"], value.get("lang"), value.get("editorial"))


def _prefer_language(values: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Show literals in the reader's language when the property has them; otherwise show all."""
    if any(v.get("lang") == lang for v in values):
        return [v for v in values if not v.get("lang") or v.get("lang") == lang]
    return values


# ---------------------------------------------------------------- home and search


@router.get(
    "/",
    name="home",
    summary="Home page (HTML) / headline figures (JSON)",
    responses={**page_or_json(), **error_responses(400)},
)
def home(request: Request, service: ServiceDep, format: PageFormat = None) -> Response:
    counts = service.select("home-counts")[0]
    data = {"counts": counts, "triples": service.size()}
    return render_page(request, "home.html", data, data, format=format)


@router.get(
    "/buscar",
    name="search",
    summary="Search entities by name (accent- and case-insensitive)",
    responses={**page_or_json(), **error_responses(400)},
)
def search(request: Request, service: ServiceDep, q: str = "", format: PageFormat = None) -> Response:
    """Entities whose Spanish or English labels contain every word of ``q``."""
    lang = get_lang(request)
    q = check_search_text(q)
    hits = service.index.search(q, lang, limit=50) if q else []
    rows = [
        {
            "iri": h.iri,
            "label": h.label,
            "href": site_href(h.iri, service.base_iri, service.index.labels),
            "types": sorted(
                capitalised(service.index.label_or_iri(t, lang)) for t in service.index.types.get(h.iri, ())
            ),
        }
        for h in hits
    ]
    return render_page(request, "search.html", {"q": q, "results": rows}, {"query": q, "results": rows}, format=format)


# ---------------------------------------------------------------- entities


class Reader(Protocol):
    """The reads an entity's page makes: the service's (the current graph) or a :class:`VersionReader`'s."""

    def select(self, name: str, bindings: Mapping[str, object] | None = None) -> list[Row]: ...

    def select_terms(self, name: str, bindings: Mapping[str, object] | None = None) -> list[RawRow]: ...

    def triples(self, name: str, bindings: Mapping[str, object] | None = None) -> list[ox.Triple]: ...

    def contains(self, iri: str) -> bool: ...


def _entity_view(request: Request, service: Service, iri: str, reader: Reader | None = None) -> dict[str, Any]:
    """What an entity's page shows: its statements read from ``reader`` (an earlier version of the graph, or the
    current one), named with the current labels."""
    lang = get_lang(request)
    index = service.index
    base = service.base_iri
    reads: Reader = reader if reader is not None else service
    outgoing = reads.select_terms("entity-outgoing", {"iri": as_iri(iri)})
    by_prop: dict[str, list[dict[str, Any]]] = defaultdict(list)
    graphs: set[str] = set()
    same_as: list[dict[str, Any]] = []
    types: list[dict[str, Any]] = []
    for row in outgoing:
        p, o = row["p"].value, row["o"]
        graphs.add(row["g"].value if "g" in row else "")
        if p == RDF_TYPE:
            types.append({**(kind := _value(service, o, lang)), "text": capitalised(kind["text"])})
            continue
        if p in SAME_AS:
            same_as.append(_value(service, o, lang))
            continue
        if p in LABEL_PROPS:
            continue
        value = _value(service, o, lang)
        value["graph"] = row["g"].value if "g" in row else ""
        # a statement of a graph under …/graph/editorial/ is the team's reading, not the source's
        value["editorial"] = EDITORIAL_GRAPHS in value["graph"]
        # a value is shown once, however many graphs or datatypes state it (the UN gives "16.10" twice)
        if not any(_shown(value) == _shown(other) for other in by_prop[p]):
            by_prop[p].append(value)
    properties: list[dict[str, Any]] = sorted(
        (
            {
                "iri": p,
                "label": index.label_or_iri(p, lang),
                "href": site_href(p, base, index.labels),
                "vals": _prefer_language(v, lang),
            }
            for p, v in by_prop.items()
        ),
        key=lambda item: str(item["label"]).lower(),
    )
    incoming: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in reads.select("entity-incoming", {"iri": as_iri(iri)})[:INCOMING_SHOWN]:
        incoming[str(row["p"])].append(_value(service, str(row["s"]), lang))
    # each row names the relation from this page to the entities listed, as «Datos» does: by the property's inverse
    # where the graph declares one (16.10 skos:broader 16: on 16's page, 16.10 is «más específico»), otherwise
    # as «es … de» (the template's wording, flagged by "inverse": False)
    referenced_by: list[dict[str, Any]] = sorted(
        (
            {
                "label": index.label_or_iri(index.inverses.get(p, p), lang),
                "href": local_href(index.inverses.get(p, p), base),
                "inverse": p in index.inverses,
                "vals": v,
            }
            for p, v in incoming.items()
        ),
        key=lambda item: str(item["label"]).lower(),
    )
    retired = _retired(outgoing, lang)
    label = index.label_or_iri(iri, lang)
    if reader is not None:  # at an earlier version: its own name then (what it links to keeps today's names)
        names = {
            row["o"].language or "": row["o"].value
            for row in outgoing
            if row["p"].value in LABEL_PROPS and isinstance(row["o"], ox.Literal)
        }
        label = pick(names, lang) if names else label
    sources = []
    for row in reads.select("entity-sources", {"iri": as_iri(iri)}):
        source = _value(service, str(row["source"]), lang)
        if source not in sources:
            sources.append(source)
    graph_records = [_value(service, g, lang) for g in sorted(graphs) if g]
    editorial = any(v.get("editorial") for p in properties for v in p["vals"])
    return {
        "iri": iri,
        "label": label,
        "types": types,
        "type_iris": sorted(index.types.get(iri, ())),
        "properties": properties,
        "referenced_by": referenced_by,
        "sources": sources,
        "graphs": graph_records,
        "same_as": same_as,
        "editorial": editorial,
        "editorial_only": bool(graphs) and all(EDITORIAL_GRAPHS in g for g in graphs if g),
        "path": local_href(iri, base),
        "retired": retired,
    }


def _retired(outgoing: list[dict[str, Any]], lang: str) -> dict[str, str] | None:
    """When and why the entity was retired (``ga:retiredOn``, ``ga:retirementNote``), for the notice at the top of
    its page; ``None`` when it was not."""
    days = sorted(row["o"].value for row in outgoing if row["p"].value == RETIRED_ON)
    if not days:
        return None
    notes = {
        row["o"].language or "": row["o"].value
        for row in outgoing
        if row["p"].value == RETIREMENT_NOTE and isinstance(row["o"], ox.Literal)
    }
    return {
        "on": format_literal(days[0], "http://www.w3.org/2001/XMLSchema#date", lang),
        "on_iso": days[0],
        "note": pick(notes, lang) if notes else "",
    }


def _template_for(templates: Jinja2Templates, type_iris: list[str]) -> str:
    """The most specific template first (``entity-<Class>.html``), then ``entity.html``."""
    env = templates.env
    for t in type_iris:
        name = f"entity-{t.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}.html"
        if t.startswith(GA) and name in env.list_templates():
            return name
    return "entity.html"


def not_found(request: Request, service: Service, iri: str, path: str) -> Response:
    """The 404 of an unknown entity, with entities of a similar address: a page for a client that asks for HTML,
    JSON for any other (with ``Vary: Accept``, as every answer that depends on it)."""
    lang = get_lang(request)
    close = service.index.close_matches(path, lang)
    matches = [{"href": local_href(i, service.base_iri), "label": label} for i, label in close]
    if preferred(request, "application/json", "text/html", "text/turtle") != "text/html":
        body = {"error": 404, "message": f"No entity <{iri}>.", "suggestions": matches}
        return JSONResponse(body, status_code=404, headers=VARY)
    context = {"iri": iri, "suggestions": matches}
    return template_response(request, "not_found.html", context, status_code=404, headers=VARY)


def split_suffix(path: str, format: str | None) -> tuple[str, str | None]:
    """``path`` without an RDF suffix (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``) and the format the request asks
    for: the suffix's, unless ``format=html`` (the ``Link`` of an RDF answer names the page so). A ``format=``
    that names no format is a 406, even when a suffix chose one or ``Accept`` names one.

    >>> split_suffix("municipio/15106.ttl", None)
    ('municipio/15106', 'ttl')
    """
    if format not in (None, "html", "json"):
        check_rdf_format(format)
    for suffix, key in SUFFIXES.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], "html" if format == "html" else key
    return path, format


def resource_page(
    request: Request,
    service: Service,
    templates: Jinja2Templates,
    iri: str,
    format: str | None,
    *,
    near: str,
    extra: Mapping[str, Any] | None = None,
    version: str | None = None,
) -> Response:
    """An entity or external resource the graph describes: its page, or its RDF description (Turtle, JSON-LD,
    N-Triples, RDF/XML; ``format=json`` is its JSON-LD), chosen by :func:`graphapp.web.render.representation`.
    Unknown: a 404 suggesting entities whose address is close to ``near``. ``extra`` (an external resource's)
    goes into the page's context; the graph's own entities get the staff's «Editar» link instead. ``version``
    (``version=N``): the page or description of the entity as it was at that graph version."""
    wanted = requested_version(service, [version] if version is not None else [])
    if wanted is not None and wanted != service.version:
        try:
            with service.version_reader(wanted) as reader:
                return _page_at(request, service, templates, iri, format, near, reader)
        except VersionError as exc:
            raise version_error(exc) from None
    if not service.contains(iri):
        return not_found(request, service, iri, near)
    chosen = representation(request, format, json=False, rdf=True)
    if chosen.rdf is not None:
        return describe(request, service, iri, chosen.rdf)
    view = _entity_view(request, service, iri)
    headers = None
    if extra is None:
        view["edit_href"] = edit_href(request, service, iri)  # «Editar», for a signed-in editor only
        headers = {"Cache-Control": "private, no-store"} if view["edit_href"] else None
    else:
        view.update(extra)
    # its JSON twin is its JSON-LD description (format=json)
    return html_page(request, _template_for(templates, view["type_iris"]), view, headers=headers)


def _page_at(
    request: Request,
    service: Service,
    templates: Jinja2Templates,
    iri: str,
    format: str | None,
    near: str,
    reader: VersionReader,
) -> Response:
    """An entity's page or description at an earlier version: its statements then, the current labels, a notice
    that links the current page, and no «Editar»."""
    headers = {VERSION_HEADER: str(reader.version)}
    if not reader.contains(iri):
        response = not_found(request, service, iri, near)
        response.headers[VERSION_HEADER] = str(reader.version)
        return response
    chosen = representation(request, format, json=False, rdf=True)
    if chosen.rdf is not None:
        return describe(request, reader, iri, chosen.rdf, headers)
    view = _entity_view(request, service, iri, reader)
    view["as_of_version"] = reader.version
    view["edit_href"] = None
    return html_page(request, _template_for(templates, view["type_iris"]), view, headers=headers)


def describe(
    request: Request, reads: Reader, iri: str, fmt: ResultFormat, headers: Mapping[str, str] | None = None
) -> Response:
    """The RDF description of ``iri`` in ``fmt``: its statements and the labels of what it links to."""
    triples = reads.triples("entity-describe", {"iri": as_iri(iri)})
    prefixes = {**DESCRIPTION_PREFIXES, **{k: v for k, v in PREFIXES.items() if k != "sh"}, **TYPE_PREFIXES}
    return rdf_page(request, fmt, triples, prefixes, headers=headers)


_UNKNOWN_ENTITY = error_responses(
    404, e404="No such entity: a page (JSON for a client that does not ask for HTML) that suggests similar ones."
)


@router.get(
    "/id/{path:path}",
    name="entity",
    summary="Any entity: HTML page or its RDF description",
    response_class=HTMLResponse,
    responses={
        200: {"description": "The entity's page or its RDF description.", "content": {**HTML, **RDF}},
        **_UNKNOWN_ENTITY,
        **error_responses(400, 406, 410, e400="Not a version number (`version=`)."),
    },
)
def entity(
    request: Request,
    service: ServiceDep,
    templates: TemplatesDep,
    path: Annotated[
        str,
        PathParam(
            description="The entity's path under `/id/`, optionally with a suffix (`.ttl`, `.jsonld`, `.nt`, `.rdf`)",
            examples=["practica/reubicacion-ladrilleras-durango", "municipio/15106.ttl"],
        ),
    ],
    format: RdfFormat = None,
    version: VersionParam = None,
) -> Response:
    """The page of an entity (``text/html``) or its description in Turtle, JSON-LD, N-Triples or RDF/XML,
    chosen by ``Accept``, by a suffix (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``) or by ``format=``. With
    ``version=N``: as it was at graph version N (docs/versions.md)."""
    path, format = split_suffix(path, format)
    iri = service.base_iri + "id/" + path
    return resource_page(request, service, templates, iri, format, near=path, version=version)


@router.get(
    "/graph/{path:path}",
    name="graph_record",
    summary="A named graph: its record (what it holds and its source), as a page, JSON or RDF",
    responses={
        200: {
            "description": "The page (`text/html`), its JSON twin (`application/json`) or the graph's record in RDF.",
            "content": {**HTML, **RDF},
        },
        **_UNKNOWN_ENTITY,
        **error_responses(406),
    },
)
def graph_record(
    request: Request,
    service: ServiceDep,
    path: Annotated[
        str,
        PathParam(
            description="The graph's path under `/graph/`, optionally with a suffix (`.ttl`, `.jsonld`, `.nt`, `.rdf`)",
            examples=["presentacion/stl", "presentacion/stl.ttl"],
        ),
    ],
    format: GraphPageFormat = None,
) -> Response:
    """The record of a named graph: a page, its JSON twin (``format=json`` or an ``Accept`` that prefers JSON) or its
    RDF description, chosen as for an entity by a suffix, ``format=`` or ``Accept``."""
    if format not in (None, "html", "json"):
        check_rdf_format(format)
    stored = service.graphs()

    def known(graph: str) -> bool:
        """A graph the store holds, or one the catalogue describes while it is still empty (the staff
        contributions before the first write)."""
        return graph in stored or PROV_ENTITY in service.index.types.get(graph, ())

    iri = service.base_iri + "graph/" + path
    for suffix, key in SUFFIXES.items():
        if not known(iri) and path.endswith(suffix):
            path, format = path[: -len(suffix)], format if format in ("html", "json") else key
            iri = service.base_iri + "graph/" + path
    if not known(iri):
        return not_found(request, service, iri, path)
    chosen = representation(request, format, json=True, rdf=True)
    if chosen.rdf is not None:
        return describe(request, service, iri, chosen.rdf)
    view = _entity_view(request, service, iri)
    size = next((int(r["triples"]) for r in service.select("graph-sizes") if r["graph"] == iri), 0)
    if chosen.kind == "json":
        sources = [s["iri"] for s in view["sources"]]
        return json_page(request, {"iri": iri, "label": view["label"], "triples": size, "sources": sources})
    return html_page(request, "entity.html", {**view, "graph_size": size})


@router.get(
    "/ontology",
    name="ontology",
    summary="The ontology: classes and properties with labels and definitions",
    responses={**page_or_json(), **error_responses(400)},
)
def ontology(request: Request, service: ServiceDep, format: PageFormat = None) -> Response:
    lang = get_lang(request)
    rows = service.select_terms("ontology-terms")
    own = GA
    terms: dict[str, dict[str, Any]] = {}
    for row in rows:
        iri = row["term"].value
        if not iri.startswith(own):
            continue
        term = terms.setdefault(
            iri,
            {
                "iri": iri,
                "kind": row["kind"].value,
                "label": service.index.label_or_iri(iri, lang),
                "definition": {},
            },
        )
        definition = row.get("definition")
        if isinstance(definition, ox.Literal):
            term["definition"][definition.language or ""] = definition.value
    items = sorted(terms.values(), key=lambda t: (t["kind"], t["label"].lower()))
    for t in items:
        t["anchor"] = t["iri"].rsplit("#", 1)[-1]
        t["definition_text"] = t["definition"].get(lang) or next(iter(t["definition"].values()), "")
    data = {"terms": [{k: v for k, v in t.items() if k != "definition"} for t in items]}
    return render_page(request, "ontology.html", {"terms": items}, data, format=format)
