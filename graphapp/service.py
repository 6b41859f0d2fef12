"""The service object: what every route and command shares, built once and handed out typed.

It owns the store (persistent on disk, or in memory for tests), the history, the one write path
(:class:`graphapp.writes.Writer`), the label index, the caches of derived data, and the sandboxed worker
pools that answer users' queries and evaluate their updates. Each committed write becomes a new graph
version: the writer calls :meth:`Service.publish`, which rebuilds the label index, drops stale caches and
hands the query workers a consistent snapshot of the store (a RocksDB checkpoint they open read-only, or an
N-Quads dump for an in-memory store), so no worker keeps a copy of the data of its own on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import shutil
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from . import analytics, derived, metrics, results
from .answers import AnswerCache
from .background import REQUEST_PATIENCE, BeingPrepared
from .config import Settings
from .executor import Answer, ClientLimiter, Job, QueryError, UpdateJob, WorkerPool
from .heap import large_blocks_returned, release_free_memory
from .index import GraphIndex
from .loading import Progress, SyncReport, open_store, sources_state
from .sparql_algebra import WritePolicy
from .sparql_guard import is_data_update
from .storage import RawRow, ReadsStopped, Row, Store
from .versions import Versions
from .workdir import make_workdir
from .writes import Change, Commit, Writer
from .writes.changes import StaleWrite, from_nquads, skolemize, to_nquads
from .writes.history import History, Release
from .zygote import MemoryCopy

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
HISTORY_FILE = "history.sqlite"
WRITE_LOCK = "write.lock"
FOLLOW_SECONDS = 0.5  # how often a web process looks for a version another process committed
COPY_WAIT_SECONDS = 10.0  # how long a start on an in-memory store waits for the copy (a second or two)
log = logging.getLogger(__name__)


class VersionReader:
    """The named-query reads of a page (as :class:`Service` offers them) on an earlier version of the graph."""

    def __init__(self, store: Store, version: int) -> None:
        self._store = store
        self.version = version

    def select(self, name: str, bindings: Mapping[str, object] | None = None) -> list[Row]:
        return self._store.select(name, bindings)

    def select_terms(self, name: str, bindings: Mapping[str, object] | None = None) -> list[RawRow]:
        return self._store.select(name, bindings, raw=True)

    def triples(self, name: str, bindings: Mapping[str, object] | None = None) -> list[ox.Triple]:
        return self._store.triples(name, bindings)

    def contains(self, iri: str) -> bool:
        return self._store.contains(iri)


class Service:
    """See the module docstring. ``close()`` stops the workers; the store and history stay on disk."""

    def __init__(self, settings: Settings, progress: Progress | None = None) -> None:
        large_blocks_returned()  # this process's large blocks go back to the system when freed
        sys.setswitchinterval(settings.switch_interval_ms / 1000)  # see Settings.switch_interval_ms
        self.settings = settings
        self.workdir = make_workdir()  # graphapp-<pid>-*: folders of killed servers are removed at start
        self._stopping = threading.Event()  # set by close: builds under way give up
        self.store, self.sync_report = open_store(settings, progress)
        self.contributions = contributions_graph(settings)
        self.history = open_history(settings)
        self.write_policy = write_policy(settings, self.store)
        self.writer = make_writer(settings, self.store, self.history, self.write_policy, on_commit=self.publish)
        self.version = self.writer.version
        self.state = self._graph_state()
        # earlier versions (version=N) and releases (graphapp.versions)
        self.versions = Versions(
            self.store,
            self.history,
            locked=self.writer.locked,
            current=lambda: self.writer.version,
            folder=self.workdir / "versions",
            retention_days=settings.version_retention_days,
            sources=lambda: sources_state(settings),
        )
        self.answers = AnswerCache.open(settings, self.workdir)
        # the label index is built in the background: SPARQL answers at once, pages wait for it (at 10^6 triples
        # the build takes seconds; see docs/benchmarks.md)
        self._index: GraphIndex | None = None
        self._index_ready = threading.Event()
        self._index_thread = threading.Thread(target=self._build_index, name="label-index", daemon=True)
        self._index_thread.start()
        # derived data (graph projections, centralities, search indexes) computed once per graph version:
        # key -> (version, value); see cached()
        self._cache: dict[str, tuple[int, object]] = {}
        self._cache_lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._update_lock = asyncio.Lock()
        # the centrality rankings take seconds: computed in the background for each version (publish() and below)
        self.centrality = analytics.CentralityInBackground(self)
        self._start_builders()  # the projection and the finder's index: see the end of the class
        # one HTTP client for users' queries to a SPARQL server, kept open (its connections too) on the event loop
        # that made it: a client per query cost a new connection each time
        self._remote_http: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None
        self.clients = ClientLimiter(settings.max_queries_per_client)
        self._flights: dict[str, asyncio.Future[Answer]] = {}  # answer key -> the evaluation under way
        self._confirmed = ConfirmedQueries()
        self._snapshots_lock = threading.Lock()  # the query workers' snapshot on disk: made, published, removed
        snapshot = self._snapshot()
        # users' queries read one in-memory copy of the graph that the query workers share (graphapp.zygote); the
        # workers open the snapshot on disk until it is loaded (at once for a small graph)
        self.copy: MemoryCopy | None = None
        if settings.query_copy == "memory" and not settings.remote:
            self.copy = MemoryCopy(snapshot, self.version, workdir=self.workdir, on_ready=self._copy_loaded)
            if settings.in_memory:  # no store on disk to answer from meanwhile (tests, demos): wait for it
                self.copy.wait(COPY_WAIT_SECONDS)
        self.pool = WorkerPool(
            snapshot,
            settings.workers,
            settings.query_timeout,
            max_queued=settings.max_queued_queries,
            min_ready=1,
            workdir=self.workdir,
            memory_mb=settings.worker_memory_mb,
            copy=self.copy if self.copy is not None and self.copy.ready else None,
            dirty_limit_mb=settings.worker_dirty_mb,
        )
        try:
            # updates are evaluated in their own sandboxed worker: killable at their time limit, no network. It
            # reads no snapshot (an update is read off its parse, or evaluated on a private copy): it opens an
            # empty dump
            empty = self.workdir / "empty.nq"
            empty.touch()
            self.updater = WorkerPool(
                empty,
                1,
                settings.update_timeout,
                max_queued=4,
                what="update",
                min_ready=0,
                workdir=self.workdir,
                memory_mb=settings.worker_memory_mb,
            )
        except BaseException:
            self.pool.close()
            raise
        self._stop_following = threading.Event()
        if settings.remote and not settings.in_memory:
            # other web processes write to the same store: follow the version the history holds
            threading.Thread(target=self._follow_versions, name="version-follower", daemon=True).start()
        self.centrality.publish(self.version)

    # ------------------------------------------------------------ versions

    @property
    def index(self) -> GraphIndex:
        """The label index of the current version. Waits for the first build (or its reading from the store
        folder: 20 s after a restart at 10^7 triples); while serving a request, at most the request's patience
        (``GRAPHAPP_BUILD_WAIT_SECONDS``), then raises :exc:`graphapp.background.BeingPrepared`, which the web
        layer answers with a 503 «se está preparando»."""
        if not self._index_ready.wait(REQUEST_PATIENCE.get()):
            raise BeingPrepared("labels", self.version)
        assert self._index is not None  # noqa: S101 - set before the event
        return self._index

    @index.setter
    def index(self, value: GraphIndex) -> None:
        self._index = value
        self._index_ready.set()

    def index_if_ready(self) -> GraphIndex | None:
        """The label index if it is there, without waiting (what a page's footer shows, even on the 503 «se está
        preparando» of the index itself)."""
        return self._index if self._index_ready.is_set() else None

    def _build_index(self) -> None:
        try:
            index = self._derive("labels", GraphIndex.build, apart=True)
        except (derived.BuildStopped, ReadsStopped) as stopped:  # the service is stopping: not worth building
            log.warning("the label index was not built: %s", stopped)
            index = GraphIndex()
        except Exception:
            log.exception("the label index could not be built")
            index = GraphIndex()
        if self._index is None:  # a write may have published a newer one meanwhile
            self.index = index
        release_free_memory()

    def _graph_state(self) -> str:
        """What identifies the graph the service answers from: the source files the store holds (their manifest),
        the version and last change of the history, and the base IRI. Users' answers and saved indexes are keyed
        by it: a source file corrected and loaded at the next start makes no new version in the history, and must
        not be answered from a cache of the file as it was."""
        last = self.history.latest(1)
        return self._state_of(f"{self.version}:{last[0].at if last else ''}")

    def _state_of(self, version: str) -> str:
        return hashlib.sha256(f"{sources_state(self.settings)}\0{version}".encode()).hexdigest()

    def version_state(self, version: int) -> str:
        """What identifies the graph of an earlier ``version`` (answers of ``version=N`` are keyed by it): the
        source files the store holds and the version; later writes do not change it."""
        return self.state if version == self.version else self._state_of(f"version {version}")

    def _derived_path(self, name: str) -> Path | None:
        """Where the index ``name`` of this start's graph is saved, so that the next start with the same graph
        reads it instead of building it (seconds at 10^6 triples): keyed by the graph's state
        (:meth:`_graph_state`) and the code that builds it. ``None`` for a store in memory."""
        if self.settings.in_memory:
            return None
        key = hashlib.sha256(f"{self.state}\0{derived.code_digest()}".encode())
        return Path(self.settings.store_dir) / "index" / f"{name}-{key.hexdigest()[:20]}.pickle"

    def _derive(self, name: str, builder: derived.Builder, *, apart: bool = False) -> Any:
        """The index ``name`` of the current graph: read from the store folder when this graph's copy is saved
        there; else built (``apart``: in a process of its own on a large embedded store, see
        :mod:`graphapp.derived`) and saved, the copies of older graphs removed."""
        path = self._derived_path(name)
        if path is None:
            return builder(self.store)
        value = derived.saved(path)
        if value is not None:
            return value
        if apart and self.store.path is not None and _source_bytes(self.store) >= derived.APART_FROM_BYTES:
            value = derived.build_apart(builder, self.store.path, self.store.base_iri, path, self._stopping)
        if value is None:
            value = builder(self.store)
            try:
                derived.save(value, path)
            except OSError:
                log.warning("the index %s could not be saved in %s", name, path.parent, exc_info=True)
        for old in path.parent.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        return value

    def derived_index(self, name: str, builder: Callable[[Store], T]) -> T:
        """An index derived from the whole graph, built once per graph version with ``builder`` (a module-level
        function or classmethod, which a builder process imports by name) and saved in the store folder."""
        return self.cached(name, lambda: self._derive(name, builder))  # type: ignore[no-any-return]

    def _snapshot(self) -> Path:
        return self.store.reader_snapshot(self.workdir / f"snapshot-{self.version}-{uuid.uuid4().hex[:8]}")

    def _snapshot_now(self) -> None:
        """Give the query workers a snapshot of the current version on disk (:meth:`WorkerPool.publish_later`:
        when a worker must read the disk, the copy having died)."""
        with self._snapshots_lock:
            if self.pool.snapshot_behind:
                self.pool.publish(self._snapshot())

    def _follow_versions(self) -> None:
        while not self._stop_following.wait(FOLLOW_SECONDS):
            try:
                latest = self.history.last_id()
                if latest != self.version:
                    with self.writer.locked():
                        pass  # the writer follows the history under its lock, and publishes the version
            except Exception:
                log.exception("could not follow the graph version")

    def publish(self, version: int, touched: set[str] | None = None) -> None:
        """A write was committed: readers move to the new version (called by the writer, under its lock). The
        label index is refreshed for the ``touched`` entities only (rebuilt whole when not given: a write of
        another web process)."""
        if not hasattr(self, "pool"):
            return  # still starting: the index and the workers are built from the current version
        self.store.forget_cached_graphs()
        self.version = version
        self.state = self._graph_state()
        if self.copy is not None:
            self._catch_up(self.copy)
        with self._snapshots_lock:
            previous = self.pool.snapshot_path
            if self.pool.on_copy:
                self.pool.publish_later(self._snapshot_now)  # the workers read the copy: no checkpoint per write
            else:
                self.pool.publish(self._snapshot())
            # snapshots older than the previous one are read by no worker: workers move to the newest before
            # their next job, and one that is starting reads the one it was given
            for old in self.workdir.glob("snapshot-*"):
                if old not in {self.pool.snapshot_path, previous}:
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
        self.pool.refresh()  # idle workers of the previous version are replaced now, not at the next query
        if touched is None:
            self.index = GraphIndex.build(self.store)
        else:
            self._index_ready.wait()  # a write right after a start refreshes the first index once it is there
            assert self._index is not None  # noqa: S101 - set before the event
            self.index = self._index.refreshed(self.store, touched)
        release_free_memory()
        self._publish_builders(version)
        self.centrality.publish(version)

    def queries_read(self) -> str:
        """What users' queries read now: ``memory`` (the shared copy), ``loading`` (the disk while the copy loads),
        ``disk`` or ``server``."""
        if self.settings.remote:
            return "server"
        if self.copy is None or self.copy.failed:
            return "disk"
        return "memory" if self.pool.on_copy else "loading"

    def _copy_loaded(self, copy: MemoryCopy) -> None:
        """The in-memory copy is loaded (called from its thread): bring it to the current version, then the query
        workers move onto it."""
        with self.writer.locked():
            self._catch_up(copy)
            if hasattr(self, "pool"):
                self.pool.attach_copy(copy)

    def _catch_up(self, copy: MemoryCopy) -> None:
        """Apply to the copy the changes the history holds after the copy's version (under the writer's lock)."""
        if copy.version == self.version or not copy.ready:
            return
        changes = []
        for change_id in range(copy.version + 1, self.version + 1):
            entry = self.history.entry(change_id)
            if entry is not None:
                changes.append((to_nquads(entry.removed), to_nquads(entry.added)))
        copy.advance(self.version, changes)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per graph version: expensive measures are not recomputed per request.
        Concurrent first requests for the same key wait for one computation instead of repeating it."""
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] == self.version:
                return hit[1]  # type: ignore[return-value]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._cache_lock:
                hit = self._cache.get(key)
                version = self.version
            if hit is not None and hit[0] == version:
                return hit[1]  # type: ignore[return-value]
            value = compute()
            with self._cache_lock:
                self._cache[key] = (version, value)
            release_free_memory()  # the rows it was built from are freed: give their pages back
            return value

    # ------------------------------------------------------------ users' queries

    async def run_query(self, job: Job, gone: Callable[[], Awaitable[bool]] | None = None) -> Answer:
        """Answer a user's query (already scanned by the guard): from the answer cache when this exact request
        was answered on this graph version; else in a sandboxed worker (embedded store), or confirmed by a
        worker's parse and evaluated by the SPARQL server (``GRAPHAPP_STORE=sparql``)."""
        key = self.answers.key(job, self.state if job.version is None else self.version_state(job.version))
        hit = self.answers.get(key)
        if hit is not None:
            return hit
        # single flight: identical requests (query, dataset, format, limits, graph state) that arrive while one is
        # being evaluated wait for its answer instead of evaluating it again, with or without the cache
        while (flight := self._flights.get(key)) is not None:
            try:
                answer = await _follow(flight, gone)
            except QueryError as exc:
                if exc.status == 499 and not (gone is not None and await gone()):
                    continue  # the first request's client left and its evaluation stopped: evaluate anew
                raise
            metrics.query_evaluated(shared=True)
            return answer
        flight = asyncio.get_running_loop().create_future()
        flight.add_done_callback(_retrieve)
        self._flights[key] = flight
        try:
            metrics.query_evaluated(shared=False)
            # a text the workers' parse has already confirmed (with the same scan) is not parsed again
            confirmed = self._confirmed.holds(job)
            if job.scan is not None:
                metrics.query_parsed(remembered=confirmed)
            if self.settings.remote and job.snapshot is None:
                if not confirmed:
                    await self.pool.run(replace(job, confirm_only=True), gone)
                    self._confirmed.add(job)
                answer = await self._remote_query(job)
            else:
                answer = await self.pool.run(replace(job, scan=None) if confirmed else job, gone)
                if not confirmed:
                    self._confirmed.add(job)
        except BaseException as exc:
            flight.set_exception(
                exc if isinstance(exc, QueryError) else QueryError(503, "The query could not be answered; try again.")
            )
            raise
        finally:
            del self._flights[key]
        flight.set_result(answer)
        self.answers.put(key, answer)
        return answer

    async def _remote_query(self, job: Job) -> Answer:
        import httpx

        from .remote_store import RemoteQueryError, SparqlGraphStore, run_user_query

        if not isinstance(self.store, SparqlGraphStore):
            raise TypeError("users' queries are evaluated by the store only on a SPARQL server")
        loop = asyncio.get_running_loop()
        if self._remote_http is None or self._remote_http[0] is not loop:
            self._remote_http = (loop, httpx.AsyncClient())
        client = self._remote_http[1]
        try:
            written = await run_user_query(
                self.store,
                client,
                query=job.query,
                form=job.form,
                fmt=results.format_by_key(job.format_key),
                default_graphs=job.default_graphs,
                named_graphs=job.named_graphs,
                limits=results.Limits(rows=job.max_rows, bytes=job.max_bytes),
                prefixes=job.prefixes,
                timeout=self.settings.query_timeout,
                max_read_bytes=4 * job.max_bytes,
                base_iri=job.base_iri,
            )
        except RemoteQueryError as exc:
            if "time limit" in exc.message:
                self.pool.killed["time"] += 1
            raise QueryError(exc.status, exc.message) from None
        return Answer(written.body, written.truncated)

    @contextlib.asynccontextmanager
    async def reading_version(self, version: int) -> AsyncIterator[Path]:
        """The folder of an on-disk store of an earlier ``version`` (:mod:`graphapp.versions`; made off the event
        loop if needed), kept while the block runs. Raises :class:`graphapp.versions.VersionError`."""
        path = await run_in_threadpool(self.versions.acquire, version)
        try:
            yield path
        finally:
            self.versions.release_reader(version)

    @contextlib.contextmanager
    def version_reader(self, version: int) -> Iterator[VersionReader]:
        """The reads a page makes (:class:`VersionReader`), on the graph of an earlier ``version`` (made if needed:
        call it off the event loop). Raises :class:`graphapp.versions.VersionError`."""
        from .store import GraphStore

        with self.versions.reading(version) as folder:
            store = GraphStore.read_only(folder, self.store.base_iri)
            try:
                yield VersionReader(store, version)
            finally:
                store.close()

    def export_version(self, folder: Path, fmt: str, output: IO[bytes]) -> None:
        """Write the graph of an earlier version (its on-disk store at ``folder``, from :meth:`reading_version`) in
        ``fmt``, as :meth:`export` writes the current one."""
        from .store import GraphStore

        GraphStore.read_only(folder, self.store.base_iri).export(fmt, output)

    def make_release(self, name: str, actor: str, note: str = "") -> Release:
        """Freeze the current version as release ``name`` (:meth:`graphapp.versions.Versions.make_release`); raises
        :class:`graphapp.versions.ReleaseError`."""
        release = self.versions.make_release(name, actor, note)
        log.info("release %s made of version %d by %s", release.name, release.version, actor)
        return release

    # ------------------------------------------------------------ writes

    async def write(self, change: Change) -> Commit:
        """Commit a change through the one write path (off the event loop: validation takes milliseconds)."""
        return await run_in_threadpool(self.writer.commit, change)

    async def apply_update(self, update: str, actor: str) -> Commit:
        """Evaluate a SPARQL Update in the update worker and commit what it changed through the write path. The
        contributions graph plays the default graph. Raises :class:`QueryError` (time, memory, refused, busy) or
        :class:`WriteRejected`; on any error nothing changes.

        A data-only update (``INSERT DATA``/``DELETE DATA``) is read off its parse: its change does not depend on
        the graph, so it commits whatever landed meanwhile. Any other update is evaluated on a private copy of
        the current version and committed only onto that version (updates wait for each other; a write from
        another way in meanwhile makes it evaluate again)."""
        data_only = is_data_update(update)
        for _attempt in range(5):
            async with self._update_lock:
                version = self.version
                workspace = (
                    None
                    if data_only
                    else await run_in_threadpool(self.store.snapshot, self.workdir / f"update-{uuid.uuid4().hex[:8]}")
                )
                try:
                    answer = await self.updater.run(
                        UpdateJob(
                            update,
                            str(workspace or ""),
                            self.write_policy,
                            self.contributions,
                            self.settings.max_update_statements,
                        )
                    )
                finally:
                    if workspace is not None:
                        _remove(workspace)
                diff = json.loads(answer.body)
                change = Change(
                    add=tuple(skolemize(from_nquads(diff["add"]), self.settings.base_iri)),
                    remove=tuple(from_nquads(diff["remove"])),
                    actor=actor,
                    method="update",
                    note="SPARQL Update",
                )
                try:
                    return await run_in_threadpool(self.writer.commit, change, None if data_only else version)
                except StaleWrite:
                    continue  # a write from another way in landed meanwhile: evaluate again on the new version
                finally:
                    del diff, change, answer
                    release_free_memory()  # the change's statements and their validation go back to the system
        raise QueryError(
            503, "The graph kept changing while the update was evaluated; try again.", {"Retry-After": "1"}
        )

    async def aclose(self) -> None:
        """Close what lives on the event loop (the SPARQL server's client), then everything else."""
        if self._remote_http is not None:
            client, self._remote_http = self._remote_http[1], None
            await client.aclose()
        self.close()

    def close(self) -> None:
        self._stopping.set()  # the label index's builder process is stopped
        self._stop_following.set()
        self._close_builders(timeout=0)  # marked closed: a build that gives up from now on is no failure
        self.store.stop_reads()  # the builds under way give up at their next rows (not a minute later at 10^6)
        self._close_builders()
        self.centrality.close()
        # a build still reading the store holds it open (RocksDB's lock): the next service on the same folder, in
        # this process, could not open it
        self._index_thread.join(timeout=120)
        self.answers.close()
        self.versions.close()
        self.pool.close()
        self.updater.close()
        if self.copy is not None:
            self.copy.close()
        self.history.close()
        self.store.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # ------------------------------------------------------------ reads, for the web layer
    # The routes ask the service, never its store (graphapp/web/**): the reads a page makes are these, so the store
    # behind them may change without touching a router.

    @property
    def base_iri(self) -> str:
        """The base of the graph's own IRIs (``…/id/…`` entities, ``…/graph/…`` graphs)."""
        return self.store.base_iri

    def select(self, name: str, bindings: Mapping[str, object] | None = None) -> list[Row]:
        """The rows of the named SELECT query ``queries/<name>.rq``, as Python values."""
        return self.store.select(name, bindings)

    def select_terms(self, name: str, bindings: Mapping[str, object] | None = None) -> list[RawRow]:
        """The rows of the named SELECT query as RDF terms (``.value``, ``.language``, ``.datatype``)."""
        return self.store.select(name, bindings, raw=True)

    def triples(self, name: str, bindings: Mapping[str, object] | None = None) -> list[ox.Triple]:
        """The triples (``pyoxigraph.Triple``) of the named query whose rows are ``?s ?p ?o``."""
        return self.store.triples(name, bindings)

    def contains(self, iri: str) -> bool:
        """Whether the IRI is the subject or object of some statement."""
        return self.store.contains(iri)

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""
        return self.store.graphs()

    def statements_about(self, subjects: Iterable[str]) -> list[ox.Quad]:
        """Every quad (``pyoxigraph.Quad``) whose subject is one of ``subjects``."""
        return self.store.quads_about(subjects)

    def size(self) -> int:
        """How many statements the store holds."""
        return len(self.store)

    def dataset_description(self, site_url: str, example_iri: str) -> list[ox.Triple]:
        """The VoID/DCAT record of the dataset (triples), with absolute URLs under ``site_url``."""
        from .describe import dataset_description

        return dataset_description(site_url, self.store, example_iri, self.versions.releases(), self.version)

    def service_description(self, endpoint: str) -> list[ox.Triple]:
        """The SPARQL Service Description (triples) of the endpoint at the absolute URL ``endpoint``."""
        from .describe import service_description

        return service_description(endpoint, self.store, self.version)

    def export(self, fmt: str, output: IO[bytes]) -> None:
        """Write the whole public graph in ``fmt`` (``ttl``, ``nq``, ``jsonld``) to the binary file ``output``."""
        self.store.export(fmt, output)

    def read_with(self, reader: Callable[[Store], T]) -> T:
        """``reader(store)``: for a module whose reads take the store itself (the finder's cards and problem
        query), so that a route hands it over without holding the store."""
        return reader(self.store)

    # ---- built in the background
    # The views' projection and the finder's index take minutes to build at 10^7 triples: each is built in the
    # background for every graph version (graphapp.background), and a request reads the newest one built, never
    # waiting for a build more than GRAPHAPP_BUILD_WAIT_SECONDS (1 s). On a large store they are built from the start
    # (the first visitor must not find the build only just begun); on a small one (the shipped data, the tests: a
    # second each) from their first request on.

    def _start_builders(self) -> None:
        """Create the background builders of the projection (``entity_graphs``) and the finder's index
        (``finder``), and tell them of the current version (called once, from ``__init__``)."""
        from .background import BuiltInBackground
        from .finder.index import PracticeIndex
        from .graphviews.overview import ranking
        from .graphviews.projection import EntityGraph, build_entity_graph

        eager = not self.settings.remote and _source_bytes(self.store) >= derived.APART_FROM_BYTES

        def projection(version: int, part: str) -> EntityGraph:
            graph: EntityGraph = self._derive("entity-graph", build_entity_graph, apart=True)
            ranking(graph, frozenset())  # the overview's order of the whole graph: seconds at 10^7, not per request
            return graph

        def finder(version: int, part: str) -> PracticeIndex:
            index: PracticeIndex = self._derive("finder", PracticeIndex.build, apart=True)
            return index

        wait = self.settings.build_wait_seconds
        self.entity_graphs: BuiltInBackground[EntityGraph] = BuiltInBackground(
            "entity-graph", projection, eager=eager, wait_seconds=wait
        )
        self.finder: BuiltInBackground[PracticeIndex] = BuiltInBackground(
            "finder", finder, eager=eager, wait_seconds=wait
        )

        def editor_terms(version: int, part: str) -> list[Row]:
            return self.select("editor-terms")  # a scan of the whole graph: 1.7 s at 10^6

        # the query editor's classes and properties (GET /sparql/terms): off the request's path, the previous
        # version's served while a write's is built
        self.editor_terms: BuiltInBackground[list[Row]] = BuiltInBackground(
            "editor-terms", editor_terms, wait_seconds=wait
        )
        self._publish_builders(self.version)

    def _publish_builders(self, version: int) -> None:
        """A new graph version: the builders that are active start building it (called by ``publish``)."""
        self.entity_graphs.publish(version)
        self.finder.publish(version)
        self.editor_terms.publish(version)

    def _close_builders(self, timeout: float = 60.0) -> None:
        """Stop the builders before the store closes and wait for them (at most ``timeout`` seconds each; called by
        ``close``). The centrality is marked closed first: a ranking waiting for the projection then stops instead
        of failing when the projection's builder stops."""
        self.centrality.close(timeout=0)
        self.entity_graphs.close(timeout)
        self.finder.close(timeout)
        self.editor_terms.close(timeout)

    def building(self) -> list[str]:
        """What is being built in the background now (``/ready``): ``labels`` (the label index after a start),
        ``entity-graph`` (the views' projection), ``finder``, ``editor-terms``, ``centrality``. These builds share
        the web process's interpreter with the requests, which are slower meanwhile."""
        names = [] if self._index_ready.is_set() else ["labels"]
        builders = (self.entity_graphs, self.finder, self.editor_terms, self.centrality)
        return names + [b.name for b in builders if b.busy()]

    def wait_for_builds(self, timeout: float = 120.0) -> bool:
        """Ask for everything built in the background (the projection, the finder's index, the centrality
        rankings) and wait until the current version's is ready; ``False`` at the ``timeout`` (seconds). For tests
        and scripts that read the steady state: requests never wait more than two seconds."""
        import time

        deadline = time.monotonic() + timeout
        builders = (self.entity_graphs, self.finder, self.centrality)
        for builder in builders:
            builder.request()
        return all(builder.wait(max(0.0, deadline - time.monotonic())) for builder in builders)


class ConfirmedQueries:
    """The query texts the workers' own parse (rdflib's grammar) has confirmed, with the guard's reading of each:
    a repeated query skips that second parse, which costs more than evaluating a small query. The confirmation
    is a function of the text and the reading only (:func:`graphapp.sparql_algebra.confirm_query`), so keeping it
    is safe; at most ``size`` of them, the least recently used forgotten first. (Each worker also keeps its own
    parses, ``parse_query``'s cache, but a write replaces every worker by a fresh fork, which starts without them.)

    >>> from graphapp.sparql_guard import Inspection
    >>> seen = ConfirmedQueries(size=1)
    >>> ask = Job("ASK {}", "ASK", "json", scan=Inspection("ASK"))
    >>> seen.holds(ask), seen.add(ask), seen.holds(ask)
    (False, None, True)
    >>> seen.add(Job("ASK { ?s ?p ?o }", "ASK", "json", scan=Inspection("ASK"))); seen.holds(ask)
    False
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._seen: dict[bytes, None] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(job: Job) -> bytes | None:
        if job.scan is None:
            return None
        return hashlib.sha256(f"{job.scan!r}\x00{job.query}".encode()).digest()

    def holds(self, job: Job) -> bool:
        key = self._key(job)
        if key is None:
            return False
        with self._lock:
            if key not in self._seen:
                return False
            self._seen[key] = self._seen.pop(key)  # most recently used last
            return True

    def add(self, job: Job) -> None:
        key = self._key(job)
        if key is None:
            return
        with self._lock:
            self._seen.pop(key, None)
            self._seen[key] = None
            while len(self._seen) > self.size:
                del self._seen[next(iter(self._seen))]


async def _follow(flight: asyncio.Future[Answer], gone: Callable[[], Awaitable[bool]] | None) -> Answer:
    """The answer of an evaluation another request started (its error too); a client that leaves meanwhile stops
    waiting (499) without stopping the evaluation the others wait for."""
    while not flight.done():
        await asyncio.wait({asyncio.shield(flight)}, timeout=0.25)
        if not flight.done() and gone is not None and await gone():
            raise QueryError(499, "The client closed the connection while its query was waiting.")
    return flight.result()


def _retrieve(flight: asyncio.Future[Answer]) -> None:
    """Mark an evaluation's error as seen when no other request waited for it (asyncio would log it)."""
    if not flight.cancelled():
        flight.exception()


# ---------------------------------------------------------------- the write path, for the service and the CLI


def _source_bytes(store: Store) -> int:
    """The size of the files the store was loaded from: how large it is, without counting it."""
    return sum(f.path.stat().st_size for f in store.files if f.path.exists())


def contributions_graph(settings: Settings) -> str:
    """Where writes land when they name no graph: the staff contributions graph."""
    return settings.base_iri + "graph/contrib/staff"


def open_history(settings: Settings) -> History:
    """The history of changes: beside the store on disk, or in memory with an in-memory store."""
    return History(None if settings.in_memory else Path(settings.store_dir) / HISTORY_FILE)


def write_policy(settings: Settings, store: Store) -> WritePolicy:
    """Which graphs writes may touch: those under ``…/graph/``, except the project's source graphs (read-only)
    and the restricted graph."""
    base = settings.base_iri
    return WritePolicy(
        writable_prefix=base + "graph/",
        restricted_prefix=base + "graph/restricted/",
        source_graphs=frozenset(store.source_graphs()),
    )


def make_writer(
    settings: Settings,
    store: Store,
    history: History,
    policy: WritePolicy | None = None,
    on_commit: Callable[[int, set[str] | None], None] | None = None,
) -> Writer:
    """The one write path over ``store`` with the service's policy (:func:`write_policy`), the changes a crash
    left pending settled. The service and ``graphapp import`` both write through it."""
    policy = policy or write_policy(settings, store)
    writer = Writer(
        store,
        history,
        settings,
        writable=policy.writable_prefix,
        read_only=policy.source_graphs,
        restricted=policy.restricted_prefix,
        on_commit=on_commit,
        lock_path=None if settings.in_memory else Path(settings.store_dir) / WRITE_LOCK,
    )
    writer.recover()
    return writer


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


__all__ = ["Service", "SyncReport", "contributions_graph", "make_writer", "open_history", "write_policy"]
