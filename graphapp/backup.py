"""``graphapp backup DIR`` and ``graphapp restore DIR``: the store, its history and the staff accounts, as plain
files with a manifest of counts and checksums.

A backup folder holds:

- ``store.nq``: every quad of the store in N-Quads, whatever the backend (an embedded store and a SPARQL server
  are dumped and restored the same way; see :func:`store_archive`);
- ``history.sqlite``: the history of changes, copied with SQLite's online backup API;
- ``staff.json``: the staff accounts (hashes, never a token), when there is a staff file;
- ``sources.json``: the embedded store's manifest of the source files it was built from;
- ``backup.json``: the manifest (:data:`MANIFEST`), written last: a folder without it is not a backup.

A backup may be taken while the service runs and writes. The store and the history must agree: the history is
copied, then the store dumped, then the history copied again; if a change was committed in between, the whole is
taken again. A change still *pending* in the copy (begun, not yet finished) is settled by the service when it
starts on the restored store, as after a crash (:meth:`graphapp.writes.history.History.recover`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from . import __version__
from .answers import FOLDER as ANSWERS_FOLDER
from .config import Settings
from .loading import DATABASE
from .loading import MANIFEST as SOURCES_MANIFEST
from .service import HISTORY_FILE
from .staff import read_members, staff_path
from .store import GraphStore

if TYPE_CHECKING:
    from .remote_store import SparqlGraphStore

FORMAT = "graphapp-backup"
VERSION = 1
MANIFEST = "backup.json"
STORE_FILE = "store.nq"
HISTORY = "history.sqlite"
STAFF = "staff.json"
SOURCES = "sources.json"
ATTEMPTS = 5  # backups taken again when writes land meanwhile, before giving up


class BackupError(ValueError):
    """A backup or restore that cannot be made as asked; nothing was changed (restore) or left half-written."""


# ---------------------------------------------------------------- the store-specific part


class StoreArchive(Protocol):
    """What a backup needs of a store backend: dump every quad, say whether it is in use or empty, replace
    everything with the quads of a dump."""

    backend: str

    def dump(self, target: Path) -> dict[str, int]:
        """Write every quad to ``target`` (N-Quads); ``{"quads": n, "graphs": g}``."""

    def copy_extras(self, folder: Path) -> list[str]:
        """Copy the backend's own files into the backup ``folder`` (names returned)."""

    def in_use(self) -> bool:
        """True when a running service holds the store (a restore must not replace it under it)."""

    def quads(self) -> int:
        """How many quads the store holds now (0 for none, or no store yet)."""

    def replace(self, folder: Path, expected_quads: int) -> int:
        """Replace the whole store with ``folder/store.nq`` (and the backend's own files); the number of quads
        loaded. Raises :class:`BackupError` before anything is replaced when it is not ``expected_quads``."""


def store_archive(settings: Settings) -> StoreArchive:
    """The archive of the store the settings name: the one place that knows the backend. A SPARQL server backend
    plugs in here: dump with a ``SELECT ?s ?p ?o ?g`` over all graphs (or the server's own dump) to N-Quads, and
    replace with ``DROP ALL`` then the quads in ``INSERT DATA`` batches (or the server's bulk loader)."""
    return SparqlArchive(settings) if settings.remote else EmbeddedArchive(settings)


class SparqlArchive:
    """The service's graphs on a SPARQL server (``GRAPHAPP_STORE=sparql``): dumped through the protocol, replaced
    graph by graph (only the service's graphs: a server's own graphs are never touched)."""

    backend = "sparql"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = Path(settings.store_dir)

    def _open(self) -> contextlib.closing[SparqlGraphStore]:
        from .remote_store import SparqlGraphStore

        return contextlib.closing(SparqlGraphStore.from_settings(self.settings))

    def dump(self, target: Path) -> dict[str, int]:
        with self._open() as store:
            store.dump_nquads(target)
            return {"quads": len(store), "graphs": len(store.graphs())}

    def copy_extras(self, folder: Path) -> list[str]:
        manifests = sorted(self.folder.glob("sources-*.json"))
        if not manifests:
            return []
        shutil.copyfile(manifests[0], folder / SOURCES)
        return [SOURCES]

    def in_use(self) -> bool:
        return False  # a server is shared by design; stop the web service before a restore (docs/deploy.md)

    def quads(self) -> int:
        with self._open() as store:
            return len(store)

    def replace(self, folder: Path, expected_quads: int) -> int:
        dump = GraphStore(self.settings.base_iri)
        loaded = dump.load_nquads(folder / STORE_FILE)
        if loaded != expected_quads:
            raise BackupError(f"{STORE_FILE} loads {loaded} quads, the manifest says {expected_quads}")
        with self._open() as store:
            graphs = sorted(set(store.graphs()) | set(dump.graphs()))
            store.replace_graphs(graphs, [])
            store.insert_quads(list(dump.quads()))
        for manifest in self.folder.glob("sources-*.json"):
            manifest.unlink()  # the next start checks every source file against the restored graphs
        return loaded


class EmbeddedArchive:
    """The on-disk pyoxigraph store in ``GRAPHAPP_STORE_DIR/db``, and its manifest of source files."""

    backend = "embedded"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = Path(settings.store_dir)
        self.db = self.folder / DATABASE

    def dump(self, target: Path) -> dict[str, int]:
        if not self.db.is_dir():
            raise BackupError(f"there is no store at {self.db}: nothing to back up (`graphapp load` builds it)")
        store = GraphStore.read_only(self.db, self.settings.base_iri)
        try:
            store.dump_nquads(target)
            return {"quads": len(store), "graphs": len(store.graphs())}
        finally:
            store.close()

    def copy_extras(self, folder: Path) -> list[str]:
        source = self.folder / SOURCES_MANIFEST
        if not source.is_file():
            return []
        shutil.copyfile(source, folder / SOURCES)
        return [SOURCES]

    def in_use(self) -> bool:
        if not self.db.is_dir():
            return False
        try:
            store = GraphStore(self.settings.base_iri, self.db)
        except OSError as exc:
            if "lock" in str(exc).lower():
                return True
            raise
        store.close()
        return False

    def quads(self) -> int:
        if not self.db.is_dir():
            return 0
        store = GraphStore.read_only(self.db, self.settings.base_iri)
        try:
            return len(store)
        finally:
            store.close()

    def replace(self, folder: Path, expected_quads: int) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = self.folder / (DATABASE + ".restoring")
        shutil.rmtree(staging, ignore_errors=True)
        store = GraphStore(self.settings.base_iri, staging)
        try:
            loaded = store.load_nquads(folder / STORE_FILE)
        finally:
            store.close()
        if loaded != expected_quads:
            shutil.rmtree(staging, ignore_errors=True)
            raise BackupError(f"{STORE_FILE} loads {loaded} quads, the manifest says {expected_quads}")
        old = self.folder / (DATABASE + ".replaced")
        shutil.rmtree(old, ignore_errors=True)
        if self.db.exists():
            self.db.rename(old)
        staging.rename(self.db)
        shutil.rmtree(old, ignore_errors=True)
        sources = folder / SOURCES
        target = self.folder / SOURCES_MANIFEST
        if sources.is_file():
            _copy_atomically(sources, target)
        else:
            target.unlink(missing_ok=True)  # the next start loads every source file again
        return loaded


# ---------------------------------------------------------------- backup


@dataclass(frozen=True)
class Summary:
    folder: Path
    quads: int
    graphs: int
    changes: int
    staff: int | None


def backup(settings: Settings, folder: Path) -> Summary:
    """Write a backup of the store, the history and the staff file into ``folder`` (new, or empty)."""
    if settings.in_memory:
        raise BackupError("GRAPHAPP_STORE_DIR is ':memory:': there is no persistent store to back up")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} is not an empty folder: back up into a new one")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    archive = store_archive(settings)
    history = Path(settings.store_dir) / HISTORY_FILE
    for _attempt in range(ATTEMPTS):
        before = _copy_history(history, folder / HISTORY)
        counts = archive.dump(folder / STORE_FILE)
        after = _copy_history(history, folder / HISTORY)
        if before == after:  # no change was committed while the store was dumped
            break
    else:
        raise BackupError(f"writes kept landing during {ATTEMPTS} attempts; try again at a quieter moment")
    files = [STORE_FILE, HISTORY, *archive.copy_extras(folder)]
    staff_accounts = None
    staff = staff_path(settings)
    if staff is not None and staff.is_file():
        shutil.copyfile(staff, folder / STAFF)
        os.chmod(folder / STAFF, 0o600)
        staff_accounts = len(read_members(folder / STAFF))
        files.append(STAFF)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "graphapp": __version__,
        "pyoxigraph": ox.__version__,
        "base_iri": settings.base_iri,
        "store": {"backend": archive.backend, **counts},
        "history": {"changes": after[0], "last_change": after[1]},
        "staff": None if staff_accounts is None else {"accounts": staff_accounts},
        "files": {name: _file_record(folder / name) for name in files},
    }
    _write_json(folder / MANIFEST, manifest)
    return Summary(folder, counts["quads"], counts["graphs"], after[0], staff_accounts)


def _copy_history(source: Path, target: Path) -> tuple[int, int]:
    """Copy the history with SQLite's online backup API (consistent while the service writes); returns the
    (changes, last change id) of the copy. A store with no history yet gets an empty one."""
    from .writes.history import History

    target.unlink(missing_ok=True)
    if source.is_file():
        src = sqlite3.connect(source)  # reads only; a read-write connection works on a live WAL file
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    History(target).close()  # the schema, if the copy has none (a store that was never written to)
    return _history_counts(target)


def _history_counts(path: Path) -> tuple[int, int]:
    db = sqlite3.connect(path)
    try:
        row = db.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM change WHERE state = 'done'").fetchone()
    finally:
        db.close()
    return int(row[0]), int(row[1])


# ---------------------------------------------------------------- restore


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the backup in ``folder``, every file checked against its size and SHA-256."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} has no {MANIFEST}: not a backup, or an unfinished one") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST} is not a graphapp backup manifest")
    if manifest.get("version") != VERSION:
        raise BackupError(f"backup format version {manifest.get('version')!r}; this graphapp reads version {VERSION}")
    files = manifest.get("files", {})
    for required in (STORE_FILE, HISTORY):
        if required not in files:
            raise BackupError(f"the manifest lists no {required}")
    for name, record in files.items():
        if name not in (STORE_FILE, HISTORY, STAFF, SOURCES):
            raise BackupError(f"the manifest lists an unknown file {name!r}")
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{path} is missing")
        if _file_record(path) != record:
            raise BackupError(f"{path} does not match the manifest (size or SHA-256): the backup is damaged")
    return manifest


def restore(settings: Settings, folder: Path, force: bool = False) -> Summary:
    """Replace the store, the history, the staff file and the manifest of sources with the backup in ``folder``.
    Refuses, changing nothing, a damaged backup, another base IRI, a running store, and a store or history that
    is not empty unless ``force``."""
    if settings.in_memory:
        raise BackupError("GRAPHAPP_STORE_DIR is ':memory:': there is no persistent store to restore into")
    manifest = read_manifest(folder)
    if manifest.get("base_iri") != settings.base_iri:
        raise BackupError(
            f"the backup is of a service at base {manifest.get('base_iri')!r}, this one is at {settings.base_iri!r} "
            "(GRAPHAPP_BASE_IRI)"
        )
    archive = store_archive(settings)
    if archive.in_use():
        raise BackupError(f"the store at {settings.store_dir} is in use by a running service: stop it first")
    history = Path(settings.store_dir) / HISTORY_FILE
    changes = _history_counts(history)[0] if history.is_file() else 0
    quads = archive.quads()
    if (quads or changes) and not force:
        raise BackupError(
            f"the store at {settings.store_dir} is not empty ({quads} quads, {changes} changes in its history): "
            "restore into an empty one, or add --force to replace everything"
        )
    loaded = archive.replace(folder, int(manifest["store"]["quads"]))
    _restore_history(folder / HISTORY, history)
    # what was derived from the graph that was replaced: the restored one may reach the same version number
    for derived in (ANSWERS_FOLDER, "index"):
        shutil.rmtree(Path(settings.store_dir) / derived, ignore_errors=True)
    staff = staff_path(settings)
    if STAFF in manifest["files"] and staff is not None:
        staff.parent.mkdir(parents=True, exist_ok=True)
        _copy_atomically(folder / STAFF, staff, mode=0o600)
    restored = _history_counts(history)
    return Summary(
        folder,
        loaded,
        int(manifest["store"].get("graphs", 0)),
        restored[0],
        (manifest.get("staff") or {}).get("accounts"),
    )


def _restore_history(source: Path, target: Path) -> None:
    """The backup's history in place of the store's: written beside it, then renamed over it (with the old
    file's write-ahead log gone, so SQLite never replays it onto the new file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restoring")
    staging.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(staging)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(staging, target)


# ---------------------------------------------------------------- files


def _file_record(path: Path) -> dict[str, object]:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write_atomically(path, lambda fh: fh.write(json.dumps(data, indent=1, sort_keys=True).encode() + b"\n"))


def _copy_atomically(source: Path, target: Path, mode: int = 0o644) -> None:
    _write_atomically(target, lambda fh: fh.write(source.read_bytes()), mode)


def _write_atomically(path: Path, write: Callable[[Any], object], mode: int = 0o644) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
