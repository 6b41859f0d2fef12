"""The citations the pages offer (:mod:`graphapp.citation`): of a release, of the dataset, of one query at one
version; and the response that sends one in plain text, BibTeX or CSL-JSON."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi.responses import Response

from ..citation import FORMATS, Citation
from ..describe import TITLE_EN, TITLE_ES
from ..service import Service
from ..writes.history import Release
from .exceptions import AppError
from .versioning import VERSION_HEADER


def _title(lang: str) -> str:
    return TITLE_ES if lang == "es" else TITLE_EN


def release_citation(service: Service, release: Release, lang: str) -> Citation:
    """A release, at its page's address."""
    return Citation(
        title=_title(lang),
        publisher=service.settings.publisher,
        version=release.name,
        issued=release.issued,
        url=f"{service.settings.site_url}releases/{release.name}",
        graph_version=release.version,
    )


def _issued(service: Service, version: int) -> str:
    """When ``version`` was made: its change's time (version 0, the files as loaded: today)."""
    return service.history.time_of(version) or datetime.now(UTC).isoformat(timespec="seconds")


def version_citation(service: Service, version: int, lang: str) -> Citation:
    """The dataset at ``version``: its release's citation when one was made of it, else the dump of exactly that
    version."""
    release = service.versions.release_at(version)
    if release is not None:
        return release_citation(service, release, lang)
    return Citation(
        title=_title(lang),
        publisher=service.settings.publisher,
        version=("versión " if lang == "es" else "version ") + str(version),
        issued=_issued(service, version),
        url=f"{service.settings.site_url}dataset/dump.nq?version={version}",
        graph_version=version,
    )


def dataset_citation(service: Service, lang: str) -> Citation:
    """How to cite the dataset: its latest release, or else its current version."""
    releases = service.versions.releases()
    if releases:
        return release_citation(service, releases[-1], lang)
    return version_citation(service, service.version, lang)


def query_citation(service: Service, query: str, version: int, lang: str) -> Citation:
    """One query at one version: the link re-runs it on that version."""
    base = version_citation(service, version, lang)
    link = f"{service.settings.site_url}sparql?" + urlencode({"query": query, "version": str(version)})
    one_line = " ".join(query.split())  # the query itself, on one line
    note = (
        f"Consulta SPARQL sobre la versión {version} del grafo: {one_line}"
        if lang == "es"
        else f"SPARQL query on graph version {version}: {one_line}"
    )
    return replace(base, url=link, note=note)


def citation_response(citation: Citation, fmt: str, lang: str) -> Response:
    """``citation`` in ``fmt`` (``txt``, ``bib``, ``json``), naming the graph version it cites; 404 for another."""
    if fmt not in FORMATS:
        raise AppError(404, f"No citation in format {fmt!r}; available: {', '.join(FORMATS)}.")
    return Response(
        citation.render(fmt, lang),
        media_type=FORMATS[fmt],
        headers={
            VERSION_HEADER: str(citation.graph_version),
            "Content-Disposition": f'inline; filename="{citation.key}.{fmt}"',
            "Access-Control-Allow-Origin": "*",
        },
    )
