"""The dump files of the public graph (``/dataset/dump.{fmt}``): each graph version and format written once.

One :class:`DumpFiles` per running service, owned by the application's :class:`graphapp.web.state.WebState`.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from ..service import Service

#: the formats of the dumps, by file extension
DUMPS = {"ttl": "text/turtle", "nq": "application/n-quads", "jsonld": "application/ld+json"}


class DumpFiles:
    """The dump files of one service: each (graph version, format) written once, the older versions deleted.

    Concurrent first requests for a dump wait for one writer (a lock per version and format); the file is written
    under a unique temporary name and renamed into place, so a reader never sees half a file. Once a dump of a newer
    graph version is written, the dumps of older versions are deleted as soon as no response is still sending them.
    """

    NAME = re.compile(r"dump-(?P<version>[0-9]+)\.(?P<fmt>[a-z]+)")

    def __init__(self, service: Service) -> None:
        self._service = service
        self.workdir: Path = service.workdir
        self._lock = threading.Lock()
        self._writers: dict[tuple[int, str], threading.Lock] = {}
        self._readers: Counter[Path] = Counter()
        self._newest = -1

    def acquire(self, fmt: str) -> Path:
        """The dump of the current graph version in ``fmt``, written if needed; :meth:`release` it once sent."""
        # the version first, then the data: an update publishes its data before it counts a new version, so this
        # order can only label a newer graph with an older version (deleted later), never the reverse
        version: int = self._service.version
        path = self.workdir / f"dump-{version}.{fmt}"
        with self._lock:
            self._readers[path] += 1  # claimed: not deleted while this request uses it
            writer = self._writers.setdefault((version, fmt), threading.Lock())
        try:
            with writer:
                if not path.exists():
                    self._write(fmt, path)
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

    def response(self, fmt: str, **kwargs: Any) -> FileResponse:
        """The dump in ``fmt`` as a file response that releases the file once sent."""
        path = self.acquire(fmt)
        version = self.NAME.fullmatch(path.name)["version"]  # type: ignore[index]  # acquire's own name
        # the dump names its version, and its ETag is derived from it (and from the source files' state)
        headers = {
            **kwargs.pop("headers", {}),
            "X-Graph-Version": version,
            "ETag": f'W/"{version}-{self._service.state[:12]}-{fmt}"',
        }
        return _DumpResponse(path, release=self.release, media_type=DUMPS[fmt], headers=headers, **kwargs)

    def _write(self, fmt: str, path: Path, export: Callable[[str, IO[bytes]], None] | None = None) -> None:
        """Write the dump with ``export`` (the current graph's by default) under a temporary name, then rename it."""
        fd, tmp_name = tempfile.mkstemp(dir=self.workdir, prefix=f".{path.name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                (export or self._service.export)(fmt, fh)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    async def version_response(self, version: int, fmt: str, **kwargs: Any) -> FileResponse:
        """The dump of an earlier ``version`` in ``fmt``, written for this request and deleted once sent: a dump of
        an earlier version is asked for rarely, and one kept per version would be a copy of the whole graph each.
        Raises :class:`graphapp.versions.VersionError`."""
        path = self.workdir / f"version-dump-{version}-{uuid.uuid4().hex[:8]}.{fmt}"
        async with self._service.reading_version(version) as folder:

            def export(fmt: str, out: IO[bytes]) -> None:
                self._service.export_version(folder, fmt, out)

            await run_in_threadpool(self._write, fmt, path, export)
        headers = {
            **kwargs.pop("headers", {}),
            "X-Graph-Version": str(version),
            "ETag": f'W/"{version}-{self._service.version_state(version)[:12]}-{fmt}"',
        }
        return _DumpResponse(path, release=_unlink, media_type=DUMPS[fmt], headers=headers, **kwargs)

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


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


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
