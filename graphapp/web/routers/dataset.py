"""The dataset as a whole: a VoID/DCAT description and downloadable dumps of the public graph."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from ...describe import DESCRIPTION_PREFIXES, dataset_description
from ...results import NotAcceptable, negotiate, serialize_triples
from ..errors import AppError, wants

router = APIRouter(tags=["Dataset"])

DUMPS = {"ttl": "text/turtle", "nq": "application/n-quads", "jsonld": "application/ld+json"}
EXAMPLE_RESOURCE = "id/practica/reubicacion-ladrilleras-durango"


@router.get("/dataset", name="dataset", summary="VoID/DCAT description of the dataset")
def dataset(request: Request, format: str | None = None) -> Response:  # noqa: A002 - the protocol's name
    """The dataset's VoID and DCAT record (licence, sources, size, example resource, endpoint, dumps)."""
    service = request.state.service
    base_url = str(request.url_for("dataset")).removesuffix("dataset")
    triples = dataset_description(base_url, service.store, service.store.base_iri + EXAMPLE_RESOURCE)
    if format is None and wants(request, "text/html", "text/turtle") == "text/html":
        return request.app.state.templates.TemplateResponse(
            request,
            "dataset.html",
            {"triples": len(service.store), "graphs": service.store.select("graph-sizes"), "dumps": DUMPS},
        )
    try:
        fmt = negotiate("DESCRIBE", request.headers.get("accept"), format)
    except NotAcceptable as exc:
        raise AppError(406, str(exc)) from None
    body = serialize_triples(triples, fmt, DESCRIPTION_PREFIXES)
    return Response(body, media_type=fmt.content_type, headers={"Access-Control-Allow-Origin": "*"})


@router.get("/dataset/dump.{fmt}", name="dump", summary="Download the public graph")
def dump(request: Request, fmt: str) -> Response:
    """The whole public graph as Turtle (merged), N-Quads (with named graphs) or JSON-LD. Never personal data."""
    if fmt not in DUMPS:
        raise AppError(404, f"No dump in format {fmt!r}; available: {', '.join(DUMPS)}.")
    service = request.state.service
    path: Path = service.workdir / f"dump-{service.version}.{fmt}"
    if not path.exists():
        tmp = path.with_suffix(".part")
        with tmp.open("wb") as fh:
            service.store.export(fmt, fh)
        tmp.replace(path)
    return FileResponse(
        path,
        media_type=DUMPS[fmt],
        filename=f"gobierno-abierto-kg.{fmt}",
        headers={"Access-Control-Allow-Origin": "*"},
    )
