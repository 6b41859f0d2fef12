"""The persistent store and the source files: build it once, reopen it at once, follow the files as they change.

The store on disk (``GRAPHAPP_STORE_DIR``, RocksDB) holds one named graph per source file of ``ontology/``
and ``data/`` plus the graphs that writes add (staff contributions). A manifest beside it records a digest of
each source file, so a restart re-parses nothing when the files have not changed, and only the changed files
otherwise. Graphs that no source file names (the contributions) are never touched by a sync.

A crash during a sync leaves the manifest as it was: the next start loads the same files again (removing their
graphs first), so a sync is safe to repeat.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, cast

from .config import Settings
from .sources import SourceFile, discover
from .storage import Store, rebase_iri
from .store import GraphStore

MANIFEST = "sources.json"
DATABASE = "db"
FORMAT_VERSION = 1  # bump when the layout of the store changes: the next start rebuilds the source graphs

#: wraps the files about to be loaded, e.g. ``tqdm`` for a progress bar
Progress = Callable[[list[SourceFile]], Iterable[SourceFile]]


@dataclass(frozen=True)
class SyncReport:
    loaded: tuple[str, ...]  # graphs (re)loaded from their files
    removed: tuple[str, ...]  # graphs whose file is gone
    quads: int  # quads loaded

    @property
    def unchanged(self) -> bool:
        return not self.loaded and not self.removed


class StoreBusy(RuntimeError):
    """Another process (a running service) holds the store."""


def rebuild_manifest(settings: Settings) -> None:
    """Forget the digests: the next open reloads every source file (contributions are kept)."""
    for manifest in Path(settings.store_dir).glob("sources*.json"):  # the embedded store's, and one per server
        manifest.unlink(missing_ok=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_store(settings: Settings, progress: Progress | None = None) -> tuple[Store, SyncReport]:
    """The service's store: in memory from the files, or on disk at ``settings.store_dir`` and in sync with
    the source files (built on first use)."""
    files = discover(settings)
    if settings.remote:
        return _open_remote(settings, files, progress)
    if settings.in_memory:
        store = GraphStore(settings.base_iri)
        store.load(files)
        return store, SyncReport(tuple(f.graph for f in files), (), len(store))
    folder = Path(settings.store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        store = GraphStore(settings.base_iri, folder / DATABASE)
    except OSError as exc:
        if "lock" not in str(exc).lower():
            raise
        raise StoreBusy(
            f"the store at {folder} is in use by another process (a running service?): stop it, or read the "
            "current graph from the service (/dataset/dump.nq)"
        ) from None
    store.files = files
    return store, sync(store, folder / MANIFEST, files, settings.base_iri, progress)


def _open_remote(settings: Settings, files: list[SourceFile], progress: Progress | None) -> tuple[Store, SyncReport]:
    """The store on a SPARQL server, its source graphs in sync with the files. The manifest of what the server
    holds lives in the store folder, one per server; with an in-memory store folder every start reloads the
    files. Web workers that start together sync one at a time (a lock file), so the second finds nothing to do."""
    from .remote_store import SparqlGraphStore

    store = SparqlGraphStore.from_settings(settings)
    store.files = files
    if settings.in_memory:
        graphs = sorted({rebase_iri(f.graph, settings.base_iri) for f in files})
        total = store.replace_graphs(graphs, files)
        return store, SyncReport(tuple(f.graph for f in files), (), total)
    folder = Path(settings.store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with _file_lock(folder / "sync.lock"):
        report = sync(store, manifest_path(settings), files, settings.base_iri, progress)
    store.forget_cached_graphs()
    return store, report


def sources_state(settings: Settings) -> str:
    """What identifies the source files the store was built from (their manifest), the base IRI and the SPARQL
    server: a digest that changes when a corrected source file is loaded at a start."""
    import hashlib

    manifest = manifest_path(settings)
    key = hashlib.sha256()
    for part in (
        settings.base_iri,
        settings.sparql_query_url if settings.remote else "",
        manifest.read_text(encoding="utf-8") if not settings.in_memory and manifest.exists() else "",
    ):
        key.update(part.encode() + b"\0")
    return key.hexdigest()


def manifest_path(settings: Settings) -> Path:
    """The manifest of what the store holds of the source files: one per SPARQL server, or the embedded store's."""
    folder = Path(settings.store_dir)
    if settings.remote:
        return folder / f"sources-{hashlib.sha256(settings.sparql_query_url.encode()).hexdigest()[:12]}.json"
    return folder / MANIFEST


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def sync(
    store: Store, manifest: Path, files: list[SourceFile], base_iri: str, progress: Progress | None = None
) -> SyncReport:
    """Bring the source graphs of ``store`` in line with ``files``; see the module docstring."""
    recorded = _read(manifest)
    same_layout = recorded.get("format") == FORMAT_VERSION and recorded.get("base_iri") == base_iri
    old: dict[str, str] = recorded.get("graphs", {}) if same_layout else {}
    current = {f.graph: digest(f.path) for f in files}
    changed = [f for f in files if old.get(f.graph) != current[f.graph]]
    removed = sorted(set(old) - set(current))
    if not same_layout and recorded.get("base_iri"):
        # a new base or layout: the graphs the files filled under the old base go, every file is reloaded
        old_base = str(recorded["base_iri"])
        store.replace_graphs([rebase_iri(g, old_base) for g in recorded.get("graphs", {})], [])
    total = 0
    for f in progress(changed) if progress is not None else changed:
        total += store.replace_graphs([rebase_iri(f.graph, base_iri)], [f])
    if removed:
        store.replace_graphs([rebase_iri(g, base_iri) for g in removed], [])
    if changed or removed or not same_layout:
        store.optimize()  # compacted once the files are in: reads of a freshly loaded store are slower
        _write(manifest, {"format": FORMAT_VERSION, "base_iri": base_iri, "graphs": current})
    return SyncReport(tuple(f.graph for f in changed), tuple(removed), total)


class Manifest(TypedDict, total=False):
    """The manifest beside the store: what the source graphs were loaded from."""

    format: int  # FORMAT_VERSION of the layout
    base_iri: str  # the base the graphs were loaded under
    graphs: dict[str, str]  # graph IRI → digest of its source file


def _read(path: Path) -> Manifest:
    try:
        return cast(Manifest, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _write(path: Path, data: Manifest) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
