"""The dataset as a whole: a VoID/DCAT description and downloadable dumps of the public graph."""

from __future__ import annotations

import os
import re
import tempfile
import threading
import weakref
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from ...describe import DESCRIPTION_PREFIXES, dataset_description
from ...results import NotAcceptable, negotiate, serialize_triples
from ...service import Service
from ..deps import ServiceDep, TemplatesDep
from ..errors import AppError, error_responses, wants
from ..openapi import HTML, RDF, body
from ..params import RdfFormat, page_language
from ..render import alternate_headers, html_page

router = APIRouter(tags=["Dataset"])

DUMPS = {"ttl": "text/turtle", "nq": "application/n-quads", "jsonld": "application/ld+json"}
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
def dataset(
    request: Request,
    service: ServiceDep,
    templates: TemplatesDep,
    format: RdfFormat = None,
) -> Response:
    """The dataset's VoID and DCAT record (licence, sources, size, example resource, endpoint, dumps)."""
    # absolute URLs from the configured public address, never from the request's Host header
    site_url = service.settings.site_url
    triples = dataset_description(site_url, service.store, service.store.base_iri + EXAMPLE_RESOURCE)
    if format == "html" or (format is None and wants(request, "text/turtle", "text/html") == "text/html"):
        return html_page(  # its JSON twin: the description in JSON-LD (format=json)
            request,
            "dataset.html",
            {"triples": len(service.store), "graphs": service.store.select("graph-sizes"), "dumps": DUMPS},
        )
    try:
        fmt = negotiate("DESCRIBE", request.headers.get("accept"), format)
    except NotAcceptable as exc:
        raise AppError(406, str(exc)) from None
    body = serialize_triples(triples, fmt, DESCRIPTION_PREFIXES)
    headers = {"Access-Control-Allow-Origin": "*", **alternate_headers(request, fmt.media_type, "text/html", "html")}
    return Response(body, media_type=fmt.content_type, headers=headers)


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
    request: Request,
    service: ServiceDep,
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
    files = _dump_files(service)
    path = files.acquire(fmt)
    return _DumpResponse(
        path,
        release=files.release,
        media_type=DUMPS[fmt],
        filename=f"gobierno-abierto-kg.{fmt}",
        headers={"Access-Control-Allow-Origin": "*"},
    )


class DumpFiles:
    """The dump files of one service: each (graph version, format) written once, the older versions deleted.

    Concurrent first requests for a dump wait for one writer (a lock per version and format); the file is written
    under a unique temporary name and renamed into place, so a reader never sees half a file. Once a dump of a newer
    graph version is written, the dumps of older versions are deleted as soon as no response is still sending them.
    """

    NAME = re.compile(r"dump-(?P<version>[0-9]+)\.(?P<fmt>[a-z]+)")

    def __init__(self, service: Any) -> None:
        self._service = weakref.ref(service)
        self.workdir: Path = service.workdir
        self._lock = threading.Lock()
        self._writers: dict[tuple[int, str], threading.Lock] = {}
        self._readers: Counter[Path] = Counter()
        self._newest = -1

    def acquire(self, fmt: str) -> Path:
        """The dump of the current graph version in ``fmt``, written if needed; :meth:`release` it once sent."""
        service = self._service()
        if service is None:
            raise AppError(503, "The service is shutting down.")
        # the version first, then the store: an update swaps the store before it counts a new version, so this
        # order can only label a newer graph with an older version (deleted later), never the reverse
        version: int = service.version
        store = service.store
        path = self.workdir / f"dump-{version}.{fmt}"
        with self._lock:
            self._readers[path] += 1  # claimed: not deleted while this request uses it
            writer = self._writers.setdefault((version, fmt), threading.Lock())
        try:
            with writer:
                if not path.exists():
                    self._write(store, fmt, path)
        except BaseException:
            self.release(path)
            raise
        with self._lock:
            if version > self._newest:
                self._newest = version
                self._writers = {k: v for k, v in self._writers.items() if k[0] >= version}
            self._delete_stale()
        return path

    def release(self, path: Path) -> None:
        """A response has finished with ``path``: delete it if it belongs to an older graph version."""
        with self._lock:
            self._readers[path] -= 1
            if self._readers[path] <= 0:
                del self._readers[path]
            self._delete_stale()

    def _write(self, store: Any, fmt: str, path: Path) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=self.workdir, prefix=f".{path.name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                store.export(fmt, fh)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _delete_stale(self) -> None:
        """Delete the dumps of versions older than the newest written that no response is sending (lock held)."""
        try:
            files = list(self.workdir.iterdir())
        except OSError:  # the service has shut down and removed its folder
            return
        for file in files:
            match = self.NAME.fullmatch(file.name)
            if match and int(match["version"]) < self._newest and self._readers[file] == 0:
                file.unlink(missing_ok=True)


_registry: weakref.WeakKeyDictionary[Any, DumpFiles] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def _dump_files(service: Service) -> DumpFiles:
    """The dump files of a service (one :class:`DumpFiles` per service, forgotten with it)."""
    with _registry_lock:
        files = _registry.get(service)
        if files is None:
            files = _registry[service] = DumpFiles(service)
        return files


class _DumpResponse(FileResponse):
    """A file response that tells its :class:`DumpFiles` when the file has been sent (or the send failed)."""

    def __init__(self, path: Path, *, release: Callable[[Path], None], **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self._dump_path = path
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release(self._dump_path)
