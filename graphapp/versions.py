"""Earlier versions of the graph and releases: what ``version=N`` answers from.

Version N is the graph as it was right after change N of the history (version 0: before any change, the source
files as loaded). The store holds the current version only; an earlier one is made when first asked for, as an
on-disk store of its own in the service's working folder:

- a **release** (a version frozen with a name, :meth:`Versions.make_release`) keeps its quads in the history
  (``history.sqlite``, so a backup keeps them): its version is loaded from them, exactly as it was, whatever
  happens to the store or the source files later;
- any **other version** is the current graph with the changes made since applied backwards: what each added is
  removed, what it removed is added back. The history holds the exact quads of every change (the writer records
  only what a change really added and removed), so this is the graph as it was. What the history does not hold is
  not undone: a source file corrected and loaded at a later start (see ``docs/versions.md``).

Which versions are kept: every release forever; the current version; any other version for
``GRAPHAPP_VERSION_RETENTION_DAYS`` after the change that replaced it. Asking for one no longer kept is a
:class:`VersionError` with status 410 that names the nearest kept release. The made versions are a cache: at most
:data:`KEEP` of them stay on disk (the least recently used one that no request is reading is removed).
"""

from __future__ import annotations

import collections
import gzip
import re
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox

from .storage import Store, export_quads
from .writes.history import History, Release

KEEP = 4  # made versions kept on disk at once
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
RELEASE_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")


class VersionError(LookupError):
    """A version that cannot be answered from: ``status`` 400 (not a version number), 404 (never existed), 410
    (no longer kept; ``release`` is the nearest kept one)."""

    def __init__(self, status: int, message: str, release: Release | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.release = release


class ReleaseError(ValueError):
    """A release that cannot be made as asked (``status`` 400: a bad name, 409: the name is taken)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_version(raw: str) -> int:
    """The version number of a ``version=`` parameter.

    >>> parse_version("12")
    12
    >>> parse_version("v1")
    Traceback (most recent call last):
    ...
    graphapp.versions.VersionError: version must be a whole number (a graph version, e.g. version=12), not 'v1'.
    """
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise VersionError(400, f"version must be a whole number (a graph version, e.g. version=12), not {raw!r}.")
    return int(text)


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RETIRED_ON = ox.NamedNode("https://w3id.org/gakg/ontology#retiredOn")
#: how an entity changed between two versions, in the order a release page lists them
CHANGE_KINDS = ("added", "corrected", "retired", "removed")


def changes_between(history: History, first: int, last: int) -> dict[str, list[str]]:
    """The entities that changes ``first`` to ``last`` left different, by how: ``added`` (it got a type it did not
    have), ``retired`` (marked ``ga:retiredOn``), ``removed`` (its type is gone), ``corrected`` (any other net
    change). What a change did and a later one undid does not count."""
    added: set[ox.Quad] = set()
    removed: set[ox.Quad] = set()
    for entry in history.between(first, last):
        for quad in entry.removed:
            if quad in added:
                added.discard(quad)
            else:
                removed.add(quad)
        for quad in entry.added:
            if quad in removed:
                removed.discard(quad)
            else:
                added.add(quad)
    subjects = {
        q.subject.value for q in added | removed if isinstance(q.subject, ox.NamedNode) and "/id/" in q.subject.value
    }
    typed = {str(q.subject.value) for q in added if q.predicate == RDF_TYPE and isinstance(q.subject, ox.NamedNode)}
    untyped = {str(q.subject.value) for q in removed if q.predicate == RDF_TYPE and isinstance(q.subject, ox.NamedNode)}
    retired = {q.subject.value for q in added if q.predicate == RETIRED_ON and isinstance(q.subject, ox.NamedNode)}
    out: dict[str, list[str]] = {kind: [] for kind in CHANGE_KINDS}
    for subject in sorted(subjects):
        if subject in retired:
            out["retired"].append(subject)
        elif subject in typed and subject not in untyped:
            out["added"].append(subject)
        elif subject in untyped and subject not in typed:
            out["removed"].append(subject)
        else:
            out["corrected"].append(subject)
    return out


class Versions:
    """The earlier versions of one service's graph, and its releases."""

    def __init__(
        self,
        store: Store,
        history: History,
        *,
        locked: Callable[[], AbstractContextManager[None]],
        current: Callable[[], int],
        folder: Path,
        retention_days: int,
        keep: int = KEEP,
        sources: Callable[[], str] = lambda: "",
    ) -> None:
        self._store = store
        self._history = history
        self._locked = locked  # the writer's lock: no change commits while the current version is copied
        self._current = current
        self.folder = folder
        self.retention_days = retention_days
        self.keep = keep
        self._sources = sources  # the source files' state now (graphapp.loading.sources_state)
        self._lock = threading.Lock()
        self._builders: dict[int, threading.Lock] = {}
        self._made: collections.OrderedDict[int, Path] = collections.OrderedDict()  # least recently used first
        self._readers: collections.Counter[int] = collections.Counter()

    # -- which versions exist and are kept

    def releases(self) -> list[Release]:
        return self._history.releases()

    def release(self, name: str) -> Release | None:
        return self._history.release(name)

    def release_at(self, version: int) -> Release | None:
        """The first release made of ``version``, if any."""
        return next((r for r in self.releases() if r.version == version), None)

    def nearest_release(self, version: int) -> Release | None:
        """The release whose version is nearest to ``version`` (the later one on a tie)."""
        releases = self.releases()
        if not releases:
            return None
        return min(releases, key=lambda r: (abs(r.version - version), -r.version))

    def check(self, version: int) -> None:
        """Raise :class:`VersionError` unless ``version`` can be answered from."""
        current = self._current()
        if version > current:
            raise VersionError(404, f"There is no version {version} yet: the current version is {current}.")
        if version == current or self.release_at(version) is not None:
            return
        if version > 0 and self._history.time_of(version) is None:
            raise VersionError(404, f"There is no version {version}: no change {version} was committed.")
        ended = self._history.next_after(version)
        if ended is None:  # pragma: no cover - version < current always has a later change
            return
        replaced_at = datetime.fromisoformat(ended[1])
        if datetime.now(UTC) - replaced_at <= timedelta(days=self.retention_days):
            return
        nearest = self.nearest_release(version)
        kept = (
            f"The nearest kept release is {nearest.name} (version {nearest.version}): /releases/{nearest.name}."
            if nearest is not None
            else f"No release has been made; the current version is {current}."
        )
        raise VersionError(
            410,
            f"Version {version} is no longer kept: releases are kept forever, other versions for "
            f"{self.retention_days} days after the change that replaced them (it was replaced on "
            f"{ended[1][:10]}). {kept}",
            nearest,
        )

    # -- a version as a store on disk

    @contextmanager
    def reading(self, version: int) -> Iterator[Path]:
        """The folder of an on-disk store of ``version`` (checked, made if needed), not removed while the block
        runs. Raises :class:`VersionError`."""
        path = self.acquire(version)
        try:
            yield path
        finally:
            self.release_reader(version)

    def acquire(self, version: int) -> Path:
        """As :meth:`reading`: the caller calls :meth:`release_reader` once done with the folder."""
        self.check(version)
        with self._lock:
            builder = self._builders.setdefault(version, threading.Lock())
        with builder:  # concurrent first requests for one version wait for one build
            with self._lock:
                path = self._made.get(version)
                if path is not None:
                    self._made.move_to_end(version)
                    self._readers[version] += 1
                    return path
            path = self._build(version)
            with self._lock:
                self._made[version] = path
                self._readers[version] += 1
                self._evict()
            return path

    def release_reader(self, version: int) -> None:
        with self._lock:
            self._readers[version] -= 1
            if self._readers[version] <= 0:
                del self._readers[version]
            self._evict()

    def _evict(self) -> None:
        """Remove the least recently used made versions beyond :attr:`keep` that no one reads (lock held)."""
        for version in list(self._made):
            if len(self._made) <= self.keep:
                return
            if self._readers[version] == 0:
                shutil.rmtree(self._made.pop(version), ignore_errors=True)

    def _build(self, version: int) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"version-{version}-{uuid.uuid4().hex[:8]}"
        release = self.release_at(version)
        # a release is loaded from its own quads when the source files changed since it was made; otherwise going
        # back from the current version gives the same graph, in a fraction of the time (a checkpoint and the
        # changes since, against loading every quad: 0.1 s against 17 s at 10^6, docs/benchmarks.md)
        if release is not None and release.sources != self._sources():
            nquads = self.release_file(release.name)
            store = ox.Store(str(target))
            store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
            store.flush()
            del store
            return target
        with self._locked():  # the current version and its number, together
            current = self._current()
            base = self._store.snapshot(self.folder / f"base-{uuid.uuid4().hex[:8]}")
        try:
            if base.is_dir():  # a checkpoint of the embedded store: a store of its own
                base.rename(target)
                store = ox.Store(str(target))
            else:  # an N-Quads dump (a store in memory, a SPARQL server)
                store = ox.Store(str(target))
                store.bulk_load(path=str(base), format=ox.RdfFormat.N_QUADS)
        finally:
            if base.exists() and not base.is_dir():
                base.unlink()
        for entry in reversed(self._history.between(version + 1, current)):
            for quad in entry.added:
                store.remove(quad)
            store.extend(entry.removed)
        store.flush()
        del store
        return target

    # -- releases

    def release_file(self, name: str) -> Path:
        """The N-Quads of release ``name`` as a file in the working folder (written once from the history)."""
        path = self.folder / f"release-{name}.nq"
        if path.exists():
            return path
        data = self._history.release_data(name)
        if data is None:
            raise VersionError(404, f"There is no release {name!r}.")
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
        partial.write_bytes(gzip.decompress(data))
        partial.replace(path)
        return path

    def make_release(self, name: str, actor: str, note: str = "") -> Release:
        """Freeze the current version as release ``name``: its quads (gzipped N-Quads), statements per graph and
        the release before it, kept in the history forever. Raises :class:`ReleaseError`."""
        if not RELEASE_NAME.fullmatch(name):
            raise ReleaseError(
                400,
                f"A release name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit "
                f"(e.g. 2026.1), not {name!r}.",
            )
        if self.release(name) is not None:
            raise ReleaseError(409, f"There is already a release {name!r}; choose another name.")
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._locked():
            version = self._current()
            base = self._store.snapshot(self.folder / f"release-base-{uuid.uuid4().hex[:8]}")
        nquads = base
        try:
            counts: collections.Counter[str] = collections.Counter()
            if base.is_dir():  # a checkpoint of the embedded store: dumped, and counted by the engine
                nquads = self.folder / f"release-base-{uuid.uuid4().hex[:8]}.nq"
                checkpoint = ox.Store.read_only(str(base))
                checkpoint.dump(str(nquads), ox.RdfFormat.N_QUADS)
                for row in checkpoint.query(COUNTS):  # type: ignore[union-attr]
                    counts[row["g"].value] = int(row["n"].value)
                del checkpoint
            else:
                for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
                    if isinstance(quad.graph_name, ox.NamedNode):
                        counts[quad.graph_name.value] += 1
            # level 1, the fastest: a release is made in a request, and its file is read rarely
            data = gzip.compress(nquads.read_bytes(), compresslevel=1)
        finally:
            for path in (base, nquads):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        previous = max(self.releases(), key=lambda r: (r.version, r.issued), default=None)
        release = Release(
            name=name,
            version=version,
            issued=datetime.now(UTC).isoformat(timespec="seconds"),
            actor=actor,
            note=note,
            previous=previous.name if previous is not None else None,
            counts=dict(sorted(counts.items())),
            sources=self._sources(),
        )
        try:
            self._history.add_release(release, data)
        except sqlite3.IntegrityError:
            raise ReleaseError(409, f"There is already a release {name!r}; choose another name.") from None
        return release

    def changes_in(self, release: Release) -> dict[str, list[str]]:
        """The entities added, corrected, retired and removed since the release before ``release`` (since
        version 0 for the first)."""
        since = self.release(release.previous) if release.previous else None
        return changes_between(self._history, (since.version if since else 0) + 1, release.version)

    def turtle_file(self, name: str) -> Path:
        """Release ``name`` as Turtle (its graphs merged into one), written once beside its N-Quads."""
        path = self.folder / f"release-{name}.ttl"
        if path.exists():
            return path
        nquads = self.release_file(name)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
        with partial.open("wb") as out:
            export_quads(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS), "ttl", out, self._store.base_iri)
        partial.replace(path)
        return path

    def close(self) -> None:
        with self._lock:
            for path in self._made.values():
                shutil.rmtree(path, ignore_errors=True)
            self._made.clear()
