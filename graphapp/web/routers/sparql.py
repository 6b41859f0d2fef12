"""SPARQL 1.1 Protocol: queries at ``/sparql`` (read only), updates at ``/sparql/update`` (bearer token).

GET with ``query=``, POST form-encoded, POST ``application/sparql-query``; ``default-graph-uri`` and
``named-graph-uri``; results negotiated from ``Accept`` (or ``format=``); without a query, a browser gets the
query page and any other client the Service Description.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ... import metrics, queries
from ...background import BeingPrepared, BuildFailed
from ...describe import DESCRIPTION_PREFIXES
from ...executor import Job, QueryError
from ...iris import PREFIXES, TYPE_PREFIXES
from ...results import NotAcceptable, ResultFormat, formats_for, negotiate
from ...service import Service
from ...sparql_guard import QUERY_FORMS, RefusedQuery, bulk_operations, inspect_query, inspect_update
from ...validation import Report
from ...versions import VersionError
from ...writes import WriteRejected
from ..auth import Editor
from ..citing import citation_response, query_citation
from ..deps import ServiceDep
from ..errors import AppError, error_responses
from ..i18n import get_lang
from ..openapi import CITATION, SPARQL_GET, SPARQL_POST, SPARQL_UPDATE
from ..params import CitationFormat, page_language
from ..render import html_page, preferred, rdf_page, representation, template_response
from ..versioning import VERSION_HEADER, requested_version, version_error

router = APIRouter(tags=["SPARQL"])

CORS = {"Access-Control-Allow-Origin": "*", "Vary": "Accept"}

UPDATES_ELSEWHERE = "Updates are not accepted here; POST them to /sparql/update with a bearer token."
FORM = "application/x-www-form-urlencoded"
QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AppError(400, f"The {what} is not valid UTF-8 (byte {exc.start}).") from None


def _parse_form(body: bytes) -> dict[str, list[str]]:
    text = _decode(body, "form body")
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise AppError(400, "The form body percent-encodes bytes that are not valid UTF-8.") from None


async def _read_operation(
    request: Request, field: str, direct_media: str, wrong_field: str, wrong_hint: str
) -> tuple[str, dict[str, list[str]]]:
    """The operation text of a POST, from a form (``field=``) or a direct body of ``direct_media``.

    Returns the text and the form's other fields (empty for a direct body). A missing or unsupported
    Content-Type, a form without ``field`` or with ``wrong_field`` (an update at the query endpoint or the
    reverse) and a body that is not UTF-8 are all 400s.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media == direct_media:
        return _decode(body, field), {}
    if media == FORM:
        form = _parse_form(body)
        if wrong_field in form:
            raise AppError(400, wrong_hint)
        text = _one(form.get(field, []), field)
        if text is None:
            raise AppError(400, f"The form has no '{field}' parameter.")
        return text, form
    if not media:
        raise AppError(400, f"Missing Content-Type: use {FORM} or {direct_media}.")
    if media == UPDATE_MEDIA:
        raise AppError(400, UPDATES_ELSEWHERE)
    raise AppError(400, f"Unsupported Content-Type {media!r}: use {FORM} or {direct_media}.")


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise AppError(400, f"Send exactly one '{name}' parameter, not {len(values)}.")
    return values[0] if values else None


def _check_size(service: Service, text: str) -> None:
    limit = service.settings.max_query_bytes
    if len(text.encode("utf-8")) > limit:
        raise AppError(413, f"The query is longer than the limit of {limit} bytes.")


async def _run_query(
    request: Request,
    service: Service,
    query: str,
    default_graphs: list[str],
    named_graphs: list[str],
    format_param: list[str],
    version_param: list[str],
) -> Response:
    _check_size(service, query)
    current = service.version
    version = requested_version(service, version_param)
    known = set(service.graphs())
    # SPARQL 1.1 Protocol: default-graph-uri / named-graph-uri take precedence over FROM / FROM NAMED, so the
    # graphs checked are those that will be used
    for g in (*default_graphs, *named_graphs):
        if g not in known:
            raise AppError(400, f"<{g}> is not a graph of this dataset; this endpoint never fetches graphs from URLs.")
    dataset_given = bool(default_graphs or named_graphs)
    try:
        inspection = inspect_query(query, known, dataset_given=dataset_given)
        as_html = _html_wanted(request, inspection.form, format_param)
        if as_html:  # a browser without JavaScript (the query page's plain form): the results as a page
            fmt = negotiate(inspection.form, None, "json" if inspection.form in ("SELECT", "ASK") else "ttl")
        else:
            fmt = negotiate(inspection.form, request.headers.get("accept"), format_param)
    except RefusedQuery as exc:
        raise AppError(400, str(exc)) from None
    except NotAcceptable as exc:
        raise AppError(406, str(exc)) from None
    settings = service.settings
    job = Job(
        query=query,
        form=inspection.form,
        format_key=fmt.key,
        default_graphs=tuple(default_graphs if dataset_given else inspection.from_graphs),
        named_graphs=tuple(named_graphs if dataset_given else inspection.from_named_graphs),
        max_rows=settings.max_rows,
        max_bytes=settings.max_response_bytes,
        prefixes={**{k: v for k, v in PREFIXES.items() if k != "sh"}, **TYPE_PREFIXES},
        scan=inspection,
        base_iri=_endpoint(request, service),
    )
    client = request.client.host if request.client else "unknown"
    try:
        with service.clients.slot(client):
            if version is None or version == current:
                answer = await service.run_query(job, request.is_disconnected)
            else:
                async with service.reading_version(version) as path:
                    job = replace(job, snapshot=str(path), version=version)
                    answer = await service.run_query(job, request.is_disconnected)
    except QueryError as exc:
        raise AppError(exc.status, exc.message, {**CORS, **exc.headers}) from None
    except VersionError as exc:
        raise version_error(exc) from None
    headers = {**CORS, VERSION_HEADER: str(current if version is None else version)}
    metrics.result_truncated(answer.truncated)
    if answer.truncated == "rows":
        headers["X-Result-Truncated"] = f"results cut at {settings.max_rows} rows"
    elif answer.truncated == "bytes":
        headers["X-Result-Truncated"] = f"results cut at {settings.max_response_bytes} bytes"
    if as_html:
        return _results_page(request, service, query, inspection.form, answer.body, headers)
    return Response(answer.body, media_type=fmt.content_type, headers=headers)


def _html_wanted(request: Request, form: str, format_param: list[str]) -> bool:
    """``format=html``, or no ``format`` and an Accept header that prefers HTML to every result format (a browser
    following the plain form)."""
    if format_param:
        return any(v.strip().lower() in ("html", "text/html") for v in format_param)
    offers = [f.media_type for f in formats_for(form)]
    return preferred(request, *offers, "text/html") == "text/html"


def _results_page(
    request: Request, service: Service, query: str, form: str, answer: bytes, headers: dict[str, str]
) -> Response:
    """The results as an HTML page: a table of SELECT bindings (the graph's own IRIs linked to their pages here),
    the ASK answer, or the Turtle of a graph; with the version they came from and how to cite the query."""
    version = headers[VERSION_HEADER]
    context: dict[str, object] = {"query": query, "form": form, "version": version}
    context["cite"] = {"query": query, "version": version}
    if form in ("SELECT", "ASK"):
        data = json.loads(answer)
        context["boolean"] = data.get("boolean")
        context["variables"] = data.get("head", {}).get("vars", [])
        rows = data.get("results", {}).get("bindings", [])
        base = service.base_iri
        for row in rows:
            for term in row.values():
                value = term.get("value", "")
                if term.get("type") == "uri" and value.startswith(("http://", "https://")):
                    term["href"] = "/" + value[len(base) :] if value.startswith(base) else value
        context["rows"] = rows
    else:
        context["text"] = answer.decode("utf-8", errors="replace")
    return template_response(request, "sparql_results.html", context, headers=headers)


def _endpoint(request: Request, service: Service) -> str:
    """The endpoint's absolute address (from the configured public URL, never the Host header): the base IRI
    of every query, so relative IRIs (``<a>``) resolve."""
    return service.settings.site_url + str(request.app.url_path_for("sparql_get")).lstrip("/")


def _format_values(*sources: dict[str, list[str]]) -> list[str]:
    """The ``format=`` and ``output=`` values of the request (URL and form body alike): SPARQLWrapper sends
    both, Virtuoso reads ``format``, Fuseki ``output``."""
    return [v for source in sources for name in ("format", "output") for v in source.get(name, [])]


#: how the query page names each result format
FORMAT_LABELS = {
    "json": "JSON",
    "xml": "XML",
    "csv": "CSV",
    "tsv": "TSV",
    "ttl": "Turtle",
    "nt": "N-Triples",
    "rdfxml": "RDF/XML",
    "jsonld": "JSON-LD",
}
DEFAULT_QUERY = """SELECT ?practica ?nombre WHERE {
  ?practica a ga:BestPractice ; rdfs:label ?nombre .
  FILTER (LANG(?nombre) = "es")
}
ORDER BY ?nombre"""


@dataclass(frozen=True)
class Example:
    """An example query of the query page: a named query whose tags include ``example``."""

    name: str
    meta: dict[str, str]
    body: str
    form: str


def examples() -> list[Example]:
    """The example queries (tag ``example``), each with its query form (which decides its download formats)."""
    found = []
    for name in queries.names():
        q = queries.load(name)
        if "example" in q.tags:
            found.append(Example(name, q.meta, q.body, inspect_query(q.body).form))
    return found


def _query_page(request: Request, service: Service, version: int | None = None) -> Response:
    shown = {k: v for k, v in PREFIXES.items() if k not in {"sh", "wd", "qb", "sdgo"}}
    prefixes = "\n".join(f"PREFIX {k}: <{v}>" for k, v in shown.items())
    formats = {
        form: [{"key": f.key, "label": FORMAT_LABELS[f.key], "media": f.media_type} for f in formats_for(form)]
        for form in QUERY_FORMS
    }
    return html_page(  # its JSON twin: the Service Description in JSON-LD (format=json)
        request,
        "sparql.html",
        {
            "examples": examples(),
            "default_query": prefixes + "\n\n" + DEFAULT_QUERY,
            "prefix_map": shown,
            "formats": formats,
            "type_prefixes": "\n".join(f"PREFIX {k}: <{v}>" for k, v in TYPE_PREFIXES.items()),
            "settings": service.settings,
            # /sparql?version=N: the page's queries run on that version (the form and the editor send it)
            "version": version if version != service.version else None,
        },
    )


def _service_description(request: Request, service: Service, fmt: ResultFormat) -> Response:
    triples = service.service_description(_endpoint(request, service))
    return rdf_page(request, fmt, triples, DESCRIPTION_PREFIXES, headers=CORS)


@router.get(
    "/sparql", name="sparql_get", summary="SPARQL query (GET) or query page / service description", **SPARQL_GET
)
async def sparql_get(request: Request, service: ServiceDep) -> Response:
    """Run ``query=`` (SPARQL 1.1 Protocol, GET). Without ``query``: the query page for a browser, the
    Service Description (Turtle, N-Triples, RDF/XML or JSON-LD) for any other client."""
    params = request.query_params
    if "update" in params:
        raise AppError(400, UPDATES_ELSEWHERE)
    query = _one(params.getlist("query"), "query")
    if query is None:
        version = requested_version(service, params.getlist("version"))  # checked, as with a query
        chosen = representation(request, params.get("format"), json=False, rdf=True)
        if chosen.rdf is None:
            return _query_page(request, service, version)
        return _service_description(request, service, chosen.rdf)
    return await _run_query(
        request,
        service,
        query,
        params.getlist("default-graph-uri"),
        params.getlist("named-graph-uri"),
        _format_values({k: params.getlist(k) for k in ("format", "output")}),
        params.getlist("version"),
    )


@router.post(
    "/sparql", name="sparql_post", summary="SPARQL query (POST form or application/sparql-query)", **SPARQL_POST
)
async def sparql_post(request: Request, service: ServiceDep) -> Response:
    """Run a query sent as ``application/x-www-form-urlencoded`` (``query=``) or ``application/sparql-query``."""
    query, form = await _read_operation(request, "query", QUERY_MEDIA, "update", UPDATES_ELSEWHERE)
    params = request.query_params
    if "query" in params:
        raise AppError(400, "Send the query either in the URL or in the body, not both.")
    default_graphs = params.getlist("default-graph-uri") + form.get("default-graph-uri", [])
    named_graphs = params.getlist("named-graph-uri") + form.get("named-graph-uri", [])
    formats = _format_values({k: params.getlist(k) for k in ("format", "output")}, form)
    versions = params.getlist("version") + form.get("version", [])
    return await _run_query(request, service, query, default_graphs, named_graphs, formats, versions)


@router.get(
    "/sparql/terms",
    name="sparql_terms",
    summary="What the query editor completes: the prefixes, classes and properties of the graph",
    responses={
        200: {"description": "Prefixes (name → IRI), classes and properties (IRIs), as JSON."},
        **error_responses(503, e503="The classes and properties are being prepared (a first start on a large graph)."),
    },
)
def sparql_terms(service: ServiceDep) -> Response:
    """The project's prefixes (`ga:`, `practica:`, `municipio:` …) and the classes and properties of the graph
    itself (used or declared), for the editor's completion: nothing is asked of an outside service."""
    try:
        terms = service.editor_terms.get().value
    except BuildFailed:
        raise AppError(503, "The editor's terms could not be read from the graph; try again.") from None
    except BeingPrepared as exc:  # the first build after a start, on a large graph: the editor asks again later
        retry = {"Retry-After": str(exc.retry_after)}
        raise AppError(503, "The editor's terms are being prepared; try again.", retry) from None
    data = {
        "prefixes": editor_prefixes(),
        "classes": [str(r["term"]) for r in terms if r["kind"] == "class"],
        "properties": [str(r["term"]) for r in terms if r["kind"] == "property"],
    }
    return JSONResponse(data, headers={"Access-Control-Allow-Origin": "*"})


def editor_prefixes() -> dict[str, str]:
    """The prefixes the editor declares and completes: the project's and one per entity type."""
    return {**{k: v for k, v in PREFIXES.items() if k != "sh"}, **TYPE_PREFIXES}


@router.get(
    "/sparql/cita.{fmt}",
    name="query_citation",
    summary="How to cite a query: the query, the graph version and a link that re-runs it on that version",
    dependencies=[Depends(page_language)],
    responses={
        200: {
            "description": "The citation: plain text, BibTeX or CSL-JSON.",
            "content": CITATION,
        },
        **error_responses(400, 404, 410, 413, e404="No citation in that format, or no such graph version."),
    },
)
def query_cite(
    request: Request,
    service: ServiceDep,
    fmt: CitationFormat,
    query: Annotated[str, Query(description="The query cited.", min_length=1)],
    version: Annotated[
        str | None,
        Query(
            description="The graph version its results came from (default: the current one).", pattern=r"^[0-9]{0,18}$"
        ),
    ] = None,
) -> Response:
    """«Citar esta consulta»: the dataset's citation at the query's version, its URL a link that runs the query
    on exactly that version (`/sparql?query=…&version=N`)."""
    _check_size(service, query)
    lang = get_lang(request)
    chosen = requested_version(service, [version] if version is not None else [])
    at = service.version if chosen is None else chosen
    return citation_response(query_citation(service, query, at, lang), fmt, lang)


@router.options("/sparql", include_in_schema=False)
def sparql_preflight() -> Response:
    return Response(
        status_code=204,
        headers={
            **CORS,
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "86400",
        },
    )


@router.post("/sparql/update", name="sparql_update", summary="SPARQL update (bearer token)", **SPARQL_UPDATE)
async def sparql_update(request: Request, principal: Editor, service: ServiceDep) -> Response:
    """Apply a SPARQL 1.1 Update (``application/sparql-update`` or form ``update=``). The result must still
    conform to the SHACL shapes, or nothing changes. ``LOAD``, ``SERVICE``, writes to the project's source
    graphs, to the restricted graph or outside the service's graphs, and ``DROP/CLEAR ALL`` are refused; the
    update runs in a sandboxed worker under its own time limit."""
    update, _ = await _read_operation(
        request, "update", UPDATE_MEDIA, "query", "Queries go to /sparql, not to the update endpoint."
    )
    _check_size(service, update)
    try:
        inspect_update(update)
    except RefusedQuery as exc:
        metrics.write_rejected("refused")
        raise AppError(400, str(exc)) from None
    bulk = bulk_operations(update)
    if bulk and "admin" not in principal.roles:
        metrics.write_rejected("forbidden")
        raise AppError(
            403,
            f"{', '.join(sorted(set(bulk)))} removes or replaces whole graphs: only an administrator (role admin) may "
            "send it. Remove statements with DELETE DATA or DELETE WHERE, or retire an entity (POST "
            "/api/entities/<kind>/<slug>/retire), which keeps it in the history.",
        )
    try:
        await service.apply_update(update, actor=principal.name)
    except QueryError as exc:
        if exc.status == 400:  # refused or not evaluable by the update worker (its time limit is counted there)
            metrics.write_rejected("refused")
        raise AppError(exc.status, exc.message, exc.headers) from None
    except WriteRejected as exc:
        detail = "\n" + exc.report.format("en") if isinstance(exc.report, Report) else ""
        raise AppError(exc.status, exc.message + detail) from None
    return Response(status_code=204)
