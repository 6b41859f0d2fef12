"""Pages for people: the home page, entity search, every entity, the ontology and the graph records.

Each page has a machine-readable twin: JSON for home and search, RDF for entities (Turtle, JSON-LD,
N-Triples by ``Accept``, a suffix or ``format=``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from ...describe import DESCRIPTION_PREFIXES
from ...graphviews.names import capitalised
from ...iris import PREFIXES, TYPE_PREFIXES
from ...results import GRAPH_FORMATS, NotAcceptable, negotiate, serialize_triples
from ...service import Service
from ...store import iri as as_iri
from ..deps import ServiceDep, TemplatesDep
from ..errors import AppError, error_responses, wants
from ..formatting import format_literal
from ..i18n import get_lang, pick
from ..links import local_href, site_href
from ..openapi import HTML, RDF, page_or_json
from ..params import GraphPageFormat, PageFormat, RdfFormat, check_search_text, page_language
from ..render import alternate_headers, html_page, render_page
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


def _value(service: Any, term: Any, lang: str) -> dict[str, Any]:
    """A value ready for a template: text to show, link if any, language and datatype.

    ``term`` is an IRI string or a raw engine term (``select(..., raw=True)``)."""
    base = service.store.base_iri
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
def home(request: Request, service: ServiceDep, templates: TemplatesDep, format: PageFormat = None) -> Response:
    counts = service.store.select("home-counts")[0]
    data = {"counts": counts, "triples": len(service.store)}
    return render_page(request, "home.html", data, data, format=format)


@router.get(
    "/buscar",
    name="search",
    summary="Search entities by name (accent- and case-insensitive)",
    responses={**page_or_json(), **error_responses(400)},
)
def search(
    request: Request, service: ServiceDep, templates: TemplatesDep, q: str = "", format: PageFormat = None
) -> Response:
    """Entities whose Spanish or English labels contain every word of ``q``."""
    lang = get_lang(request)
    q = check_search_text(q)
    hits = service.index.search(q, lang, limit=50) if q else []
    rows = [
        {
            "iri": h.iri,
            "label": h.label,
            "href": site_href(h.iri, service.store.base_iri, service.index.labels),
            "types": sorted(
                capitalised(service.index.label_or_iri(t, lang)) for t in service.index.types.get(h.iri, ())
            ),
        }
        for h in hits
    ]
    return render_page(request, "search.html", {"q": q, "results": rows}, {"query": q, "results": rows}, format=format)


# ---------------------------------------------------------------- entities


def _entity_view(request: Request, service: Service, iri: str) -> dict[str, Any]:
    lang = get_lang(request)
    index = service.index
    base = service.store.base_iri
    outgoing = service.store.select("entity-outgoing", {"iri": as_iri(iri)}, raw=True)
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
    properties = sorted(
        (
            {
                "iri": p,
                "label": index.label_or_iri(p, lang),
                "href": site_href(p, base, index.labels),
                "vals": _prefer_language(v, lang),
            }
            for p, v in by_prop.items()
        ),
        key=lambda item: item["label"].lower(),
    )
    incoming: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in service.store.select("entity-incoming", {"iri": as_iri(iri)})[:INCOMING_SHOWN]:
        incoming[str(row["p"])].append(_value(service, str(row["s"]), lang))
    # each row names the relation from this page to the entities listed, as «Datos» does: by the property's inverse
    # where the graph declares one (16.10 skos:broader 16: on 16's page, 16.10 is «más específico»), otherwise
    # as «es … de» (the template's wording, flagged by "inverse": False)
    referenced_by = sorted(
        (
            {
                "label": index.label_or_iri(index.inverses.get(p, p), lang),
                "href": local_href(index.inverses.get(p, p), base),
                "inverse": p in index.inverses,
                "vals": v,
            }
            for p, v in incoming.items()
        ),
        key=lambda item: item["label"].lower(),
    )
    retired = _retired(outgoing, lang)
    sources = []
    for row in service.store.select("entity-sources", {"iri": as_iri(iri)}):
        source = _value(service, str(row["source"]), lang)
        if source not in sources:
            sources.append(source)
    graph_records = [_value(service, g, lang) for g in sorted(graphs) if g]
    editorial = any(v.get("editorial") for p in properties for v in p["vals"])
    return {
        "iri": iri,
        "label": index.label_or_iri(iri, lang),
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


def _not_found(request: Request, service: Service, templates: Jinja2Templates, iri: str, path: str) -> Response:
    lang = get_lang(request)
    matches = [
        {"href": local_href(i, service.store.base_iri), "label": label}
        for i, label in service.index.close_matches(path, lang)
    ]
    if wants(request, "application/json", "text/html", "text/turtle") != "text/html":
        return JSONResponse({"error": 404, "message": f"No entity <{iri}>.", "suggestions": matches}, status_code=404)
    return templates.TemplateResponse(request, "not_found.html", {"iri": iri, "suggestions": matches}, status_code=404)


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
        **error_responses(406),
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
) -> Response:
    """The page of an entity (``text/html``) or its description in Turtle, JSON-LD, N-Triples or RDF/XML,
    chosen by ``Accept``, by a suffix (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``) or by ``format=``."""
    asked = format
    for suffix, key in SUFFIXES.items():
        if path.endswith(suffix):  # format=html still asks for the page (the Link of an RDF answer says so)
            path, format = path[: -len(suffix)], "html" if format == "html" else key
    iri = service.store.base_iri + "id/" + path
    if not service.store.contains(iri):
        return _not_found(request, service, templates, iri, path)
    if format == "html" or (
        format is None and wants(request, *(f.media_type for f in GRAPH_FORMATS), "text/html") == "text/html"
    ):
        view = _entity_view(request, service, iri)
        view["edit_href"] = edit_href(request, service, iri)  # «Editar», for a signed-in editor only
        no_store = {"Cache-Control": "private, no-store"} if view["edit_href"] else None
        # its JSON twin is its JSON-LD description (format=json)
        return html_page(request, _template_for(templates, view["type_iris"]), view, headers=no_store)
    return describe(request, service, iri, format, asked)


def describe(request: Request, service: Service, iri: str, format: str | None, asked: str | None) -> Response:
    """The RDF description of ``iri`` (its statements and the labels of what it links to), in the format ``format=``
    or a suffix names (``format``), else the one ``Accept`` prefers; a ``format=`` (``asked``) that names none is a
    406, even when a suffix chose the format."""
    try:
        if asked is not None:
            negotiate("DESCRIBE", None, asked)  # a suffix chooses the format, but format= must still be one
        fmt = negotiate("DESCRIBE", request.headers.get("accept"), format)
    except NotAcceptable as exc:
        raise AppError(406, str(exc)) from None
    triples = service.store.triples("entity-describe", {"iri": as_iri(iri)})
    prefixes = {**DESCRIPTION_PREFIXES, **{k: v for k, v in PREFIXES.items() if k != "sh"}, **TYPE_PREFIXES}
    headers = alternate_headers(request, fmt.media_type, "text/html", "html")
    return Response(serialize_triples(triples, fmt, prefixes), media_type=fmt.content_type, headers=headers)


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
    templates: TemplatesDep,
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
    asked = format
    stored = service.store.graphs()

    def known(graph: str) -> bool:
        """A graph the store holds, or one the catalogue describes while it is still empty (the staff
        contributions before the first write)."""
        return graph in stored or PROV_ENTITY in service.index.types.get(graph, ())

    iri = service.store.base_iri + "graph/" + path
    for suffix, key in SUFFIXES.items():
        if not known(iri) and path.endswith(suffix):
            path, format = path[: -len(suffix)], format if format in ("html", "json") else key
            iri = service.store.base_iri + "graph/" + path
    if not known(iri):
        return _not_found(request, service, templates, iri, path)
    # the page and its JSON twin unless format= (or a suffix) names RDF, or Accept prefers it
    pages = ("text/html", "application/json")
    if format not in (None, "html", "json") or (
        format is None and wants(request, *pages, *(f.media_type for f in GRAPH_FORMATS)) not in (None, *pages)
    ):
        return describe(request, service, iri, format, asked if asked not in ("html", "json") else None)
    view = _entity_view(request, service, iri)
    size = next((int(r["triples"]) for r in service.store.select("graph-sizes") if r["graph"] == iri), 0)
    view["graph_size"] = size
    data = {"iri": iri, "label": view["label"], "triples": size, "sources": [s["iri"] for s in view["sources"]]}
    return render_page(request, "entity.html", view, data, format=format)


@router.get(
    "/ontology",
    name="ontology",
    summary="The ontology: classes and properties with labels and definitions",
    responses={**page_or_json(), **error_responses(400)},
)
def ontology(request: Request, service: ServiceDep, templates: TemplatesDep, format: PageFormat = None) -> Response:
    lang = get_lang(request)
    rows = service.store.select("ontology-terms", raw=True)
    own = GA
    terms: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row["term"].value.startswith(own):
            continue
        row = {"term": row["term"].value, "kind": row["kind"].value, "definition": row.get("definition")}
        term = terms.setdefault(
            str(row["term"]),
            {
                "iri": str(row["term"]),
                "kind": str(row["kind"]),
                "label": service.index.label_or_iri(str(row["term"]), lang),
                "definition": {},
            },
        )
        if row.get("definition") is not None:
            term["definition"][row["definition"].language or ""] = row["definition"].value
    items = sorted(terms.values(), key=lambda t: (t["kind"], t["label"].lower()))
    for t in items:
        t["anchor"] = t["iri"].rsplit("#", 1)[-1]
        t["definition_text"] = t["definition"].get(lang) or next(iter(t["definition"].values()), "")
    data = {"terms": [{k: v for k, v in t.items() if k != "definition"} for t in items]}
    return render_page(request, "ontology.html", {"terms": items}, data, format=format)
