"""The dataset as a whole: a VoID/DCAT description and downloadable dumps of the public graph (written by the
application's :class:`graphapp.web.dumps.DumpFiles`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, Response

from ...describe import DESCRIPTION_PREFIXES
from ..deps import DumpsDep, ServiceDep
from ..dumps import DUMPS
from ..errors import AppError, error_responses
from ..i18n import get_lang
from ..licences import graph_licences
from ..openapi import HTML, RDF, body
from ..params import RdfFormat, page_language
from ..render import html_page, rdf_page, representation

router = APIRouter(tags=["Dataset"])

EXAMPLE_RESOURCE = "id/practica/reubicacion-ladrilleras-durango"


@router.get(
    "/dataset",
    name="dataset",
    summary="VoID/DCAT description of the dataset",
    response_class=HTMLResponse,
    dependencies=[Depends(page_language)],
    responses={
        200: {
            "description": "A page for a browser; the VoID/DCAT record in RDF otherwise.",
            "content": {**HTML, **RDF},
        },
        **error_responses(406),
    },
)
def dataset(request: Request, service: ServiceDep, format: RdfFormat = None) -> Response:
    """The dataset's VoID and DCAT record (licence, sources, size, example resource, endpoint, dumps)."""
    chosen = representation(request, format, json=False, rdf=True)
    if chosen.rdf is None:  # its JSON twin: the description in JSON-LD (format=json)
        lang = get_lang(request)
        context = {
            "triples": service.size(),
            "graphs": service.select("graph-sizes"),
            "dumps": DUMPS,
            "licences": {row["graph"]: row for row in graph_licences(service, service.index, lang)},
        }
        return html_page(request, "dataset.html", context)
    # absolute URLs from the configured public address, never from the request's Host header
    triples = service.dataset_description(service.settings.site_url, service.base_iri + EXAMPLE_RESOURCE)
    return rdf_page(request, chosen.rdf, triples, DESCRIPTION_PREFIXES, headers={"Access-Control-Allow-Origin": "*"})


@router.get(
    "/dataset/dump.{fmt}",
    name="dump",
    summary="Download the public graph",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The whole public graph, as a file to download.",
            "content": {media: body(media) for media in DUMPS.values()},
        },
        **error_responses(404, e404="No dump in that format."),
        **error_responses(503, e503="The service is shutting down."),
    },
)
def dump(
    dumps: DumpsDep,
    fmt: Annotated[
        str,
        PathParam(
            description="`ttl` (Turtle, merged), `nq` (N-Quads, with the named graphs) or `jsonld` (JSON-LD); "
            "another value is a 404.",
            json_schema_extra={"enum": list(DUMPS)},
        ),
    ],
) -> Response:
    """The whole public graph as Turtle (merged), N-Quads (with named graphs) or JSON-LD. Never personal data."""
    if fmt not in DUMPS:
        raise AppError(404, f"No dump in format {fmt!r}; available: {', '.join(DUMPS)}.")
    return dumps.response(fmt, filename=f"gobierno-abierto-kg.{fmt}", headers={"Access-Control-Allow-Origin": "*"})
