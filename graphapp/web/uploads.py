"""CSV files uploaded for import, kept on the server for a short time under a random id, so that «Importar» imports
exactly the file that was previewed.

``POST /importar`` keeps the file as it came (bytes, its SHA-256, its name, its kind, the optional source and who
uploaded it) in ``<GRAPHAPP_STORE_DIR>/uploads/`` (in the service's temporary folder for a store in memory): a
folder every web process of the service sees. The preview and the import read it back by its id; only the staff
member who uploaded it may, and only for :data:`UPLOAD_TTL` seconds. The import form carries the file's SHA-256
as the preview showed it, and the import checks it against the kept file. An import is recorded in the upload (its
change and entities), under a lock shared by the processes, so a second click never imports the file twice. Expired
uploads are removed whenever a new one arrives.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

#: seconds an upload is kept for its preview and import
UPLOAD_TTL = 30 * 60
_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


@dataclass(frozen=True)
class Upload:
    id: str
    owner: str  # the staff member who uploaded it
    kind: str  # the importer's name of the kind (``practices``)
    filename: str
    source: str | None
    sha256: str
    size: int
    created: float
    #: once imported: ``{"changes": [...], "entities": [[row, iri], ...], "by": name, "at": time}``
    imported: dict[str, Any] | None = field(default=None)

    @property
    def expires(self) -> float:
        return self.created + UPLOAD_TTL


class Uploads:
    """The uploads kept in ``folder``: ``<id>.csv`` (the bytes), ``<id>.json`` (what :class:`Upload` says) and
    ``<id>.lock``."""

    def __init__(self, folder: Path, ttl: float = UPLOAD_TTL) -> None:
        self.folder = folder
        self.ttl = ttl

    @classmethod
    def of_service(cls, service: Any) -> Uploads:
        settings = service.settings
        base = Path(service.workdir) if settings.in_memory else Path(settings.store_dir)
        return cls(base / "uploads")

    def put(self, owner: str, kind: str, filename: str, source: str | None, data: bytes) -> Upload:
        """Keep ``data`` under a new random id."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.sweep()
        upload = Upload(
            id=secrets.token_urlsafe(24),
            owner=owner,
            kind=kind,
            filename=Path(filename.replace("\\", "/")).name[:200] or "datos.csv",
            source=source,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            created=time.time(),
        )
        _write(self._path(upload.id, ".csv"), data)
        self._save(upload)
        return upload

    def get(self, upload_id: str, owner: str) -> Upload | None:
        """The upload ``upload_id`` of ``owner``; ``None`` when there is none, it expired, or it is someone else's."""
        if not _ID.match(upload_id):
            return None
        try:
            meta = json.loads(self._path(upload_id, ".json").read_text(encoding="utf-8"))
            upload = Upload(**meta)
        except (OSError, ValueError, TypeError):
            return None
        if upload.owner != owner or time.time() > upload.created + self.ttl:
            return None
        return upload

    def data(self, upload: Upload) -> bytes:
        """The bytes that were uploaded (checked against their SHA-256)."""
        data = self._path(upload.id, ".csv").read_bytes()
        if hashlib.sha256(data).hexdigest() != upload.sha256:
            raise OSError(f"the upload {upload.id} changed on disk")
        return data

    @contextlib.contextmanager
    def locked(self, upload: Upload) -> Iterator[Upload]:
        """The upload as it is now, while no other request (of any process) imports it."""
        with self._path(upload.id, ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield self.get(upload.id, upload.owner) or upload
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def mark_imported(self, upload: Upload, result: dict[str, Any]) -> Upload:
        done = replace(upload, imported=result)
        self._save(done)
        return done

    def sweep(self) -> None:
        """Remove the uploads older than the time they are kept."""
        limit = time.time() - self.ttl
        for meta in self.folder.glob("*.json"):
            try:
                old = meta.stat().st_mtime < limit and json.loads(meta.read_text(encoding="utf-8"))["created"] < limit
            except (OSError, ValueError, KeyError):
                old = True
            if old:
                for suffix in (".csv", ".lock", ".json"):
                    meta.with_suffix(suffix).unlink(missing_ok=True)

    def _path(self, upload_id: str, suffix: str) -> Path:
        return self.folder / f"{upload_id}{suffix}"

    def _save(self, upload: Upload) -> None:
        _write(self._path(upload.id, ".json"), json.dumps(asdict(upload), ensure_ascii=False).encode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` whole (a reader never sees half a file), readable by the service's user only."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    tmp.replace(path)
