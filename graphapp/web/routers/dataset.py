"""The dataset as a whole: a VoID/DCAT description and downloadable dumps of the public graph (written by the
application's :class:`graphapp.web.dumps.DumpFiles`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, Response

from ...describe import DESCRIPTION_PREFIXES
from ...versions import VersionError
from ..citing import citation_response, dataset_citation
from ..deps import DumpsDep, ServiceDep
from ..dumps import DUMPS
from ..errors import AppError, error_responses
from ..i18n import get_lang
from ..licences import graph_licences
from ..openapi import CITATION, HTML, RDF, body
from ..params import CitationFormat, RdfFormat, page_language
from ..render import html_page, rdf_page, representation
from ..versioning import requested_version, version_error

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
        releases = service.versions.releases()
        context = {
            "triples": service.size(),
            "graphs": service.select("graph-sizes"),
            "dumps": DUMPS,
            "licences": {row["graph"]: row for row in graph_licences(service, service.index, lang)},
            "version": service.version,
            "releases": list(reversed(releases))[:5],
            "release_count": len(releases),
            "citation": dataset_citation(service, lang),
            "lang": lang,
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
        **error_responses(
            400,
            404,
            410,
            e400="Not a version number.",
            e404="No dump in that format, or no such version.",
            e410="That version is no longer kept (the message names the nearest release).",
        ),
        **error_responses(503, e503="The service is shutting down."),
    },
)
async def dump(
    service: ServiceDep,
    dumps: DumpsDep,
    fmt: Annotated[
        str,
        PathParam(
            description="`ttl` (Turtle, merged), `nq` (N-Quads, with the named graphs) or `jsonld` (JSON-LD); "
            "another value is a 404.",
            json_schema_extra={"enum": list(DUMPS)},
        ),
    ],
    version: Annotated[
        str | None,
        Query(description="A graph version (docs/versions.md): the graph as it was then.", pattern=r"^[0-9]{0,18}$"),
    ] = None,
) -> Response:
    """The whole public graph as Turtle (merged), N-Quads (with named graphs) or JSON-LD. Never personal data.
    With `version=N`, the graph exactly as it was at version N (docs/versions.md)."""
    if fmt not in DUMPS:
        raise AppError(404, f"No dump in format {fmt!r}; available: {', '.join(DUMPS)}.")
    wanted = requested_version(service, [version] if version is not None else [])
    headers = {"Access-Control-Allow-Origin": "*"}
    if wanted is None or wanted == service.version:
        return dumps.response(fmt, filename=f"gobierno-abierto-kg.{fmt}", headers=headers)
    try:
        return await dumps.version_response(
            wanted, fmt, filename=f"gobierno-abierto-kg-v{wanted}.{fmt}", headers=headers
        )
    except VersionError as exc:
        raise version_error(exc) from None


@router.get(
    "/dataset/cita.{fmt}",
    name="dataset_citation",
    summary="How to cite the dataset",
    responses={
        200: {
            "description": "The citation of the latest release (or of the current version when there is none), as "
            "plain text, BibTeX or CSL-JSON.",
            "content": CITATION,
        },
        **error_responses(404, e404="No citation in that format."),
    },
    dependencies=[Depends(page_language)],
)
def dataset_cite(
    request: Request,
    service: ServiceDep,
    fmt: CitationFormat,
) -> Response:
    """The dataset's citation: its latest release, or its current version when no release was made."""
    lang = get_lang(request)
    return citation_response(dataset_citation(service, lang), fmt, lang)
