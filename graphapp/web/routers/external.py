"""Local pages for the external resources the graph describes: the UN's SDG goals, targets and indicators
(``/ods/<code>``) and any other resource with a label in the graph (``/recurso?iri=…``, e.g. a term of a reused
vocabulary). A visitor offline or in a closed network reads what the graph says about them without leaving the
site; the page shows the resource's own IRI as its identity, linked once.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ...describe import DESCRIPTION_PREFIXES
from ...iris import PREFIXES, TYPE_PREFIXES
from ...results import NotAcceptable, negotiate, serialize_triples
from ...service import Service
from ...store import iri as as_iri
from ..deps import ServiceDep, TemplatesDep
from ..errors import AppError, error_responses, wants
from ..links import SDG
from ..openapi import HTML, RDF
from ..params import RdfFormat, page_language
from ..render import alternate_headers, html_page
from .pages import GRAPH_FORMATS, SUFFIXES, _entity_view, _not_found, _template_for

router = APIRouter(tags=["Pages"], dependencies=[Depends(page_language)])

_RESPONSES = {
    200: {"description": "The resource's page or its RDF description.", "content": {**HTML, **RDF}},
    **error_responses(400, 404, 406, e404="The graph says nothing about this resource."),
}


def _page(
    request: Request,
    service: Service,
    templates: Jinja2Templates,
    iri: str,
    path: str,
    format: str | None,
    asked: str | None,
) -> Response:
    if not service.store.contains(iri):
        return _not_found(request, service, templates, iri, iri.rsplit("/", 1)[-1])
    if format == "html" or (
        format is None and wants(request, *(f.media_type for f in GRAPH_FORMATS), "text/html") == "text/html"
    ):
        view = _entity_view(request, service, iri)
        view.update(path=path, external=True)
        # its JSON twin is its JSON-LD description (format=json), as for an entity
        return html_page(request, _template_for(templates, view["type_iris"]), view)
    try:
        if asked is not None:
            negotiate("DESCRIBE", None, asked)
        fmt = negotiate("DESCRIBE", request.headers.get("accept"), format)
    except NotAcceptable as exc:
        raise AppError(406, str(exc)) from None
    triples = service.store.triples("entity-describe", {"iri": as_iri(iri)})
    prefixes = {**DESCRIPTION_PREFIXES, **{k: v for k, v in PREFIXES.items() if k != "sh"}, **TYPE_PREFIXES}
    headers = alternate_headers(request, fmt.media_type, "text/html", "html")
    return Response(serialize_triples(triples, fmt, prefixes), media_type=fmt.content_type, headers=headers)


@router.get(
    "/ods/{code}",
    name="sdg_page",
    summary="An SDG goal, target or indicator of the UN, as the graph describes it",
    response_class=HTMLResponse,
    responses=_RESPONSES,
)
def sdg_page(
    request: Request,
    service: ServiceDep,
    templates: TemplatesDep,
    code: Annotated[
        str,
        PathParam(
            description="The UN code (`16`, `16.10`, an indicator `C161001`), optionally with a suffix (`.ttl`…)",
            examples=["16", "16.10.ttl"],
        ),
    ],
    format: RdfFormat = None,
) -> Response:
    asked = format
    for suffix, key in SUFFIXES.items():
        if code.endswith(suffix):
            code, format = code[: -len(suffix)], key
    return _page(request, service, templates, SDG + code, f"/ods/{code}", format, asked)


@router.get(
    "/recurso",
    name="external_resource",
    summary="Any other external resource the graph describes (e.g. a term of a reused vocabulary)",
    response_class=HTMLResponse,
    responses=_RESPONSES,
)
def external_resource(
    request: Request,
    service: ServiceDep,
    templates: TemplatesDep,
    iri: str = Query(
        ...,
        description="The resource's IRI (http or https)",
        examples=["http://purl.org/dc/terms/subject"],
        pattern=r"^https?://[^\s<>\"{}|\\^`]+$",
    ),
    format: RdfFormat = None,
) -> Response:
    if not iri.startswith(("http://", "https://")) or any(c in iri for c in ' <>"{}|\\^`'):
        raise AppError(400, f"Not an http(s) IRI: {iri!r}.")
    return _page(request, service, templates, iri, "/recurso?iri=" + quote(iri, safe=""), format, format)
