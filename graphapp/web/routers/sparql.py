"""SPARQL 1.1 Protocol: queries at ``/sparql`` (read only), updates at ``/sparql/update`` (bearer token).

GET with ``query=``, POST form-encoded, POST ``application/sparql-query``; ``default-graph-uri`` and
``named-graph-uri``; results negotiated from ``Accept`` (or ``format=``); without a query, a browser gets the
query page and any other client the Service Description.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from ... import queries
from ...describe import DESCRIPTION_PREFIXES, service_description
from ...executor import Job, QueryError
from ...iris import PREFIXES, TYPE_PREFIXES
from ...results import GRAPH_FORMATS, NotAcceptable, negotiate, serialize_triples
from ...service import Service
from ...sparql_guard import RefusedQuery, inspect_query, inspect_update
from ...validation import Report
from ...writes import WriteRejected
from ..auth import Editor
from ..deps import ServiceDep, TemplatesDep
from ..errors import AppError, wants
from ..openapi import SPARQL_GET, SPARQL_POST, SPARQL_UPDATE

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
    format_param: str | None,
) -> Response:
    _check_size(service, query)
    known = set(service.store.graphs())
    for g in (*default_graphs, *named_graphs):
        if g not in known:
            raise AppError(400, f"<{g}> is not a graph of this dataset; this endpoint never fetches graphs from URLs.")
    try:
        inspection = inspect_query(query, known)
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
        # SPARQL 1.1 Protocol: default-graph-uri / named-graph-uri override the query's FROM / FROM NAMED
        default_graphs=tuple(default_graphs or ([] if named_graphs else inspection.from_graphs)),
        named_graphs=tuple(named_graphs or ([] if default_graphs else inspection.from_named_graphs)),
        max_rows=settings.max_rows,
        max_bytes=settings.max_response_bytes,
        prefixes={**{k: v for k, v in PREFIXES.items() if k != "sh"}, **TYPE_PREFIXES},
        scan=inspection,
    )
    client = request.client.host if request.client else "unknown"
    try:
        with service.clients.slot(client):
            answer = await service.pool.run(job, request.is_disconnected)
    except QueryError as exc:
        raise AppError(exc.status, exc.message, {**CORS, **exc.headers}) from None
    headers = dict(CORS)
    if answer.truncated == "rows":
        headers["X-Result-Truncated"] = f"results cut at {settings.max_rows} rows"
    elif answer.truncated == "bytes":
        headers["X-Result-Truncated"] = f"results cut at {settings.max_response_bytes} bytes"
    return Response(answer.body, media_type=fmt.content_type, headers=headers)


def _query_page(request: Request, service: Service, templates: Jinja2Templates) -> Response:
    examples = [queries.load(n) for n in queries.names() if queries.load(n).meta.get("tags") == "example"]
    prefixes = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items() if k not in {"sh", "wd", "qb", "sdgo"})
    return templates.TemplateResponse(
        request,
        "sparql.html",
        {
            "examples": examples,
            "prefixes": prefixes,
            "type_prefixes": "\n".join(f"PREFIX {k}: <{v}>" for k, v in TYPE_PREFIXES.items()),
            "settings": service.settings,
        },
    )


def _service_description(request: Request, service: Service, format_param: str | None) -> Response:
    try:
        fmt = negotiate("DESCRIBE", request.headers.get("accept"), format_param)
    except NotAcceptable as exc:
        raise AppError(406, str(exc)) from None
    endpoint = service.settings.site_url + request.app.url_path_for("sparql_get").lstrip("/")
    body = serialize_triples(service_description(endpoint, service.store), fmt, DESCRIPTION_PREFIXES)
    return Response(body, media_type=fmt.content_type, headers=CORS)


@router.get(
    "/sparql", name="sparql_get", summary="SPARQL query (GET) or query page / service description", **SPARQL_GET
)
async def sparql_get(request: Request, service: ServiceDep, templates: TemplatesDep) -> Response:
    """Run ``query=`` (SPARQL 1.1 Protocol, GET). Without ``query``: the query page for a browser, the
    Service Description (Turtle, N-Triples, RDF/XML or JSON-LD) for any other client."""
    params = request.query_params
    if "update" in params:
        raise AppError(400, UPDATES_ELSEWHERE)
    query = _one(params.getlist("query"), "query")
    if query is None:
        if wants(request, "text/html", *(f.media_type for f in GRAPH_FORMATS)) == "text/html":
            return _query_page(request, service, templates)
        return _service_description(request, service, params.get("format"))
    return await _run_query(
        request,
        service,
        query,
        params.getlist("default-graph-uri"),
        params.getlist("named-graph-uri"),
        params.get("format"),
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
    return await _run_query(request, service, query, default_graphs, named_graphs, params.get("format"))


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
        raise AppError(400, str(exc)) from None
    try:
        await service.apply_update(update, actor=principal.name)
    except QueryError as exc:
        raise AppError(exc.status, exc.message, exc.headers) from None
    except WriteRejected as exc:
        detail = "\n" + exc.report.format("en") if isinstance(exc.report, Report) else ""
        raise AppError(exc.status, exc.message + detail) from None
    return Response(status_code=204)
