"""One in-memory copy of the graph that the query workers share: a process that loads it and forks them.

The durable truth is the store on disk (:mod:`graphapp.store`), but pyoxigraph answers the heavy queries several
times faster from memory (``python benchmarks/engine_storage.py``, docs/benchmarks.md). Loading a copy per worker
would multiply the memory by the number of workers, so one process of its own, the *zygote*, loads the copy and
forks the query workers from it: a forked worker shares the copy's pages with the zygote and its siblings
(copy-on-write), and starts in tens of milliseconds instead of loading anything.

- **Started** by the query pool (:class:`graphapp.executor.WorkerPool`) with the ``spawn`` method, so it runs no
  thread of the web process; it bars itself from the network first (:mod:`graphapp.sandbox`), so every worker it
  forks inherits the filter. Until its copy is loaded (seconds at 10^6 triples) the pool keeps answering with
  workers that open the snapshot on disk.
- **Versions.** Each committed change is sent to the zygote as the quads it removed and added (from the history),
  and applied to the copy; workers forked before it keep the version they were forked on (their pages are their
  own once the zygote changes them), so a query that runs during a write answers from one version. The pool
  replaces the workers of an older version before their next job.
- **Memory.** A worker that scans the store writes to the pages it reads (the engine's counters), so after a
  heavy query it holds a private copy of much of the store; after each job the pool bounds what it made its own by
  counters the kernel keeps (:meth:`ForkedProcess.memory_counters`), reads its ``Private_Dirty``
  (``/proc/PID/smaps_rollup``) when that bound passes the budget, and replaces it by a fresh fork past
  ``GRAPHAPP_WORKER_DIRTY_MB`` (:data:`DIRTY_LIMIT_MB` by default; a budget for the pool). A worker's
  memory cap (``GRAPHAPP_WORKER_MEMORY_MB``) counts beyond the shared copy.
- **Failure.** If the zygote dies, the pool goes back to workers on the disk snapshot (``GRAPHAPP_QUERY_COPY=disk``
  is that mode from the start, for a machine that cannot hold the copy).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing as mp
import os
import select
import signal
import threading
from collections.abc import Callable
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from .sandbox import SandboxError, deny_network, limit_memory, redirect_stderr

log = logging.getLogger(__name__)

#: a forked worker that has written more than this to its own pages is replaced by a fresh fork after its job
#: (the default of ``GRAPHAPP_WORKER_DIRTY_MB``)
DIRTY_LIMIT_MB = 64
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------- web process side


class ForkedProcess:
    """A worker forked by the zygote: not a child of this process, so it is signalled and awaited through a pidfd
    (no risk of signalling another process that reused its pid). Thread-safe: the pool may kill, await and close one
    worker from two threads at once (a replacement and the pool's close), and a pidfd closed by one is never used by
    the other (it once was: ``select`` on a closed descriptor, EBADF, in ``Service.close``)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exitcode: int | None = None  # the zygote reaps it: its exit status is not known here
        self._lock = threading.Lock()
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self._pidfd = None  # already gone

    def is_alive(self) -> bool:
        with self._lock:
            return self._pidfd is not None and not select.select([self._pidfd], [], [], 0)[0]

    def kill(self) -> None:
        with self._lock:
            if self._pidfd is not None:
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        with self._lock:  # held while waiting: a close from another thread waits for it
            if self._pidfd is not None:
                select.select([self._pidfd], [], [], timeout)

    def close(self) -> None:
        with self._lock:
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None

    def memory_counters(self) -> tuple[int, int] | None:
        """Two counters the kernel keeps for this worker, read without walking its pages (``smaps_rollup`` walks
        every one: about 3 ms at 10^6 triples): the page faults it has taken without reading a file or swap since
        it was forked (``/proc/PID/stat``; a page of the copy it wrote to, and so copied, is one of them), and the
        bytes of its memory that are resident and not backed by a file (``/proc/PID/statm``; what it allocates adds
        to them, a huge page as much as it maps). None when unknown."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as fh:
                stat = fh.read()
            with open(f"/proc/{self.pid}/statm", "rb") as fh:
                statm = fh.read().split()
            faults = int(stat[stat.rindex(b")") + 2 :].split()[7])  # field 10, minflt (the name may hold spaces)
            return faults, (int(statm[1]) - int(statm[2])) * PAGE_BYTES
        except (OSError, ValueError, IndexError):
            return None

    def private_dirty_mb(self) -> float:
        """Memory this worker has written to itself (not shared with the copy), in MB; 0 when unknown."""
        try:
            with open(f"/proc/{self.pid}/smaps_rollup", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Private_Dirty:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            pass
        return 0.0


class MemoryCopy:
    """The zygote, seen from the web process: :meth:`fork` a worker on the copy, :meth:`advance` the copy to a new
    graph version. Thread-safe (one request to the zygote at a time)."""

    def __init__(
        self,
        snapshot: Path,
        version: int,
        *,
        workdir: Path,
        on_ready: Callable[[MemoryCopy], None] | None = None,
    ) -> None:
        ctx = mp.get_context("spawn")
        self._control, child = ctx.Pipe()
        self._stderr = workdir / "zygote.err"
        self._process = ctx.Process(
            target=zygote_main, args=(child, str(snapshot), version, str(self._stderr)), daemon=True
        )
        self._process.start()
        child.close()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._failed = False
        self._closing = False
        self.version = version  # the graph version the copy holds
        self._on_ready = on_ready
        threading.Thread(target=self._wait_loaded, name="memory-copy", daemon=True).start()

    def _wait_loaded(self) -> None:
        try:
            kind, payload = self._control.recv()
        except (EOFError, OSError):
            kind, payload = "died", self.last_words()
        if kind != "ready":
            self._failed = True
            if not self._closing:  # not stopped on purpose while it loaded
                log.error("the in-memory copy could not be loaded (%s): %s", kind, payload)
            return
        self._ready.set()
        if self._on_ready is not None:
            self._on_ready(self)

    @property
    def pid(self) -> int | None:
        """The zygote's process id (for operators: its memory is the copy's)."""
        return self._process.pid

    @property
    def failed(self) -> bool:
        """The copy could not be loaded, or its process stopped."""
        return self._failed

    @property
    def ready(self) -> bool:
        """Loaded and alive: workers may be forked from it."""
        return self._ready.is_set() and not self._failed

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the copy to be loaded; whether it is."""
        self._ready.wait(timeout)
        return self.ready

    def last_words(self) -> str:
        with contextlib.suppress(OSError), self._stderr.open("rb") as fh:
            return fh.read(1 << 16).decode(errors="replace").strip()
        return ""

    def _fail(self, why: str) -> None:
        if not self._failed:
            self._failed = True
            log.error("the in-memory copy stopped (%s); queries go back to the store on disk", why)

    def fork(self, stderr_path: Path, memory_bytes: int) -> tuple[Connection, ForkedProcess, int] | None:
        """A new worker on the copy: its connection, its process and the graph version it holds; ``None`` when the
        copy is not ready or has died."""
        if not self.ready:
            return None
        ours, theirs = mp.get_context("spawn").Pipe()
        with self._lock:
            try:
                self._control.send(("fork", str(stderr_path), memory_bytes))
                reduction.send_handle(self._control, theirs.fileno(), self._process.pid or 0)
                kind, pid, version = self._control.recv()
            except (EOFError, OSError, ValueError) as exc:
                self._fail(f"{type(exc).__name__}: {exc} {self.last_words()}")
                ours.close()
                return None
            finally:
                theirs.close()
        return ours, ForkedProcess(pid), version

    def advance(self, version: int, changes: list[tuple[str, str]]) -> None:
        """Apply ``changes`` (N-Quads removed, N-Quads added, in order) to the copy, which then holds ``version``."""
        if not self.ready:
            return
        with self._lock:
            try:
                self._control.send(("apply", version, changes))
                kind, payload = self._control.recv()
            except (EOFError, OSError, ValueError) as exc:
                self._fail(f"{type(exc).__name__}: {exc}")
                return
        if kind != "applied":
            self._fail(f"the copy refused the change: {payload}")
            return
        self.version = version

    def close(self) -> None:
        self._closing = True
        if not self._ready.is_set():  # still loading (half a minute at 10^6): it reads no message until loaded
            self._process.kill()
        with contextlib.suppress(Exception):
            self._control.send(("stop",))
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)
        with contextlib.suppress(Exception):
            self._control.close()
        self._failed = True


# ---------------------------------------------------------------- the zygote process


def load_copy(path: str) -> ox.Store:
    """The graph in memory: from a checkpoint folder of the on-disk store, or an N-Quads dump."""
    store = ox.Store()
    if Path(path).is_dir():
        store.bulk_extend(ox.Store.read_only(path).quads_for_pattern(None, None, None, None))
    else:
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def _data_kb() -> int:
    """The data segment of this process (what ``RLIMIT_DATA`` counts), in kB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmData:"):
                return int(line.split()[1])
    return 0


def _apply(store: ox.Store, changes: list[tuple[str, str]]) -> None:
    for removed, added in changes:
        for quad in ox.parse(removed.encode(), ox.RdfFormat.N_QUADS):
            store.remove(quad)
        store.extend(ox.parse(added.encode(), ox.RdfFormat.N_QUADS))


def _warm_up(store: ox.Store) -> None:
    """Read and answer one query here, so that every fork inherits what a first query builds: rdflib's grammar
    prepares itself on its first parse, and would otherwise do so in each new worker, on the first query it takes
    after a write (about 30 ms on the shipped data: docs/benchmarks.md, issue 18, writes)."""
    from .sparql_algebra import parse_query

    text = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"  # one row: cheap at any size
    parse_query(text)
    solutions = store.query(text)
    if isinstance(solutions, ox.QuerySolutions):  # a SELECT: read its rows
        for _ in solutions:
            pass


def zygote_main(control: Connection, snapshot: str, version: int, stderr_path: str) -> None:
    """Load the copy, then fork a worker per ``fork`` request and apply each ``apply``. Single-threaded when it
    forks (the engine's bulk loader may leave threads of its own, which a query never uses)."""
    redirect_stderr(stderr_path)
    try:
        deny_network()
    except SandboxError as exc:
        control.send(("sandbox", str(exc)))
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    # what every worker needs, imported once here and shared by the forks: the worker loop, and rdflib's grammar
    # for the second reading of each query
    from . import sparql_algebra, worker  # noqa: F401

    try:
        store = load_copy(snapshot)
    except Exception as exc:  # an unreadable snapshot: the pool stays on disk
        control.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    _warm_up(store)
    # what the zygote made so far (modules, rdflib's grammar) is never walked by a worker's cyclic collector: a full
    # collection writes to every object it walks, and in a fork each such write copies a page of the zygote's
    gc.freeze()
    control.send(("ready", version))
    while True:
        try:
            message = control.recv()
        except (EOFError, OSError):
            return
        if message[0] == "fork":
            _, child_stderr, memory_bytes = message
            fd = reduction.recv_handle(control)
            pid = os.fork()
            if pid == 0:  # the worker
                control.close()
                _worker(Connection(fd), store, version, child_stderr, memory_bytes)
                os._exit(0)
            os.close(fd)
            control.send(("forked", pid, version))
        elif message[0] == "apply":
            _, new_version, changes = message
            try:
                _apply(store, changes)
            except Exception as exc:
                control.send(("error", f"{type(exc).__name__}: {exc}"))
                return
            version = new_version
            control.send(("applied", version))
        else:
            return


def _worker(conn: Connection, store: ox.Store, version: int, stderr_path: str, memory_bytes: int) -> None:
    from .worker import Snapshot, serve_copy

    redirect_stderr(stderr_path)
    limit_memory(_data_kb() * 1024 + memory_bytes)  # what a query may take beyond the shared copy
    serve_copy(conn, store, Snapshot("", version))
