"""Runs user-supplied SPARQL in worker processes that can be killed, and that can reach nothing.

Neither rdflib nor pyoxigraph can be stopped inside a thread (docs/security.md), so the public endpoint never
runs a user's query or update in the web process. A small pool of worker processes, started in advance, each
opens the current snapshot of the store (a RocksDB checkpoint, read-only; for an in-memory store, an N-Quads
dump loaded into memory) and moves to the newest snapshot before its next job. Each worker, before it reads
anything (:mod:`graphapp.worker`):

- bars itself from the network and caps its own memory (:mod:`graphapp.sandbox`);
- sends its standard error to a file, so that when the engine aborts the process (a Rust panic, an allocation
  past the memory cap) the pool can say which limit or fault stopped the query.

A worker parses each request a second time with a real grammar (:mod:`graphapp.sparql_algebra`) and refuses it
when that reading disagrees with the web process's keyword scan; it writes the answer row by row up to the row
and byte caps. A query that passes the deadline, or whose client has gone, gets its worker killed (about 7 ms
to reap) and a fresh worker takes its place in the background. The pool is asynchronous: waiting for a worker
holds no thread, so queries never starve the threads that serve pages; beyond ``max_queued`` waiting queries
the answer is 503 at once.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import functools
import logging
import multiprocessing as mp
import os
import re
import socket
import struct
import termios
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from . import metrics
from .worker import Answer, Job, QueryError, Snapshot, UpdateJob, worker_main, worker_main_waiting
from .zygote import DIRTY_LIMIT_MB, PAGE_BYTES, ForkedProcess, MemoryCopy

__all__ = ["Answer", "ClientLimiter", "Job", "QueryError", "UpdateJob", "WorkerPool", "readable_syntax_error"]

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # how often a running query checks whether its client is still there
READ_EVERY = 64
"""Jobs after which a worker's own pages are read again (``smaps_rollup``) even if its bound is within the budget:
the zygote's own writes may leave a page to one worker without a fault of the worker's."""


_POSITION = re.compile(r"error at (\d+):(\d+)")


def readable_syntax_error(message: str) -> str:
    """Spell out the parser's ``line:column`` position.

    >>> readable_syntax_error("error at 1:26: expected one of LATERAL, SERVICE, [_]")
    'error at line 1, column 26: expected one of LATERAL, SERVICE, [_]'
    """
    return _POSITION.sub(r"error at line \1, column \2", message)


# ---------------------------------------------------------------- pool side

#: worker processes started before any pool (:func:`prestart`), for the first pool that spawns one to take
_waiting: list[tuple[Connection, mp.process.BaseProcess]] = []
_waiting_lock = threading.Lock()


def prestart() -> int | None:
    """Start one worker process now, before the service exists: ``graphapp serve`` calls it first thing, so that the
    new interpreter's start and imports (most of the 0.7 s a worker takes to be ready) run beside the web
    application's own imports and the store's opening, on the other core. The first pool that spawns a worker takes
    it (:meth:`_Worker.spawned`); one never taken ends with the service (it is a daemon, waiting on its pipe).
    Returns the process's id."""
    ctx = mp.get_context("spawn")
    conn, child = ctx.Pipe()
    process = ctx.Process(target=worker_main_waiting, args=(child,), daemon=True, name="query-worker-waiting")
    process.start()
    child.close()
    with _waiting_lock:
        _waiting.append((conn, process))
    return process.pid


def _take_waiting() -> tuple[Connection, mp.process.BaseProcess] | None:
    with _waiting_lock:
        while _waiting:
            conn, process = _waiting.pop()
            if process.is_alive():
                return conn, process
            conn.close()
    return None


class _Worker:
    """A worker as the pool sees it: spawned on the snapshot on disk (``version`` None: it follows the pool's
    snapshot itself), or forked by the zygote on the in-memory copy at graph ``version``."""

    _ids = iter(range(1, 1 << 62))

    def __init__(
        self,
        conn: Connection,
        process: mp.process.BaseProcess | ForkedProcess,
        stderr_path: Path,
        version: int | None = None,
    ) -> None:
        self.conn = conn
        self.process = process
        self.stderr_path = stderr_path
        self.version = version
        self.dirty = 0.0  # MB of the copy made its own: read (dirty_mb), or at most that (dirty_bound_mb)
        self.dirty_read = True  # whether ``dirty`` was read, not bounded
        self._read_at: tuple[float, tuple[int, int] | None] = (0.0, None)  # what dirty_mb read, and the counters then
        self._bounded = 0  # jobs since the last reading
        self.peek = peek_socket(conn)  # whether a whole answer waits (None: always read it on a thread)

    @classmethod
    def spawned(cls, ctx: mp.context.SpawnContext, snapshot: Snapshot, memory_bytes: int, workdir: Path) -> _Worker:
        stderr_path = workdir / f"worker-{next(cls._ids)}.err"
        waiting = _take_waiting()
        if waiting is not None:  # a process started ahead (prestart): told what to read, it goes on as a worker
            conn, process = waiting
            try:
                conn.send((snapshot, memory_bytes, str(stderr_path)))
                return cls(conn, process, stderr_path)
            except OSError:
                conn.close()
                process.kill()
        conn, child = ctx.Pipe()
        process = ctx.Process(target=worker_main, args=(child, snapshot, memory_bytes, str(stderr_path)), daemon=True)
        process.start()
        child.close()
        return cls(conn, process, stderr_path)

    @classmethod
    def forked(cls, copy: MemoryCopy, memory_bytes: int, workdir: Path) -> _Worker | None:
        stderr_path = workdir / f"worker-{next(cls._ids)}.err"
        made = copy.fork(stderr_path, memory_bytes)
        if made is None:
            return None
        conn, process, version = made
        return cls(conn, process, stderr_path, version)

    def wait_ready(self, timeout: float) -> str | None:
        """None when ready, else why not."""
        try:
            if self.conn.poll(timeout):
                kind, payload = self.conn.recv()
                if kind != "ready":
                    return str(payload)
                self._counted_from_fork()
                return None
        except (EOFError, OSError):
            return "the worker died while loading the data: " + self.last_words()
        return f"the worker did not start within {timeout:g} s"

    def last_words(self) -> str:
        """What the worker wrote to standard error (a panic and its backtrace, or an allocation failure)."""
        with contextlib.suppress(OSError), self.stderr_path.open("rb") as fh:
            return fh.read(1 << 16).decode(errors="replace").strip()
        return ""

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.peek is not None:
            self.peek.close()
        if isinstance(self.process, ForkedProcess):
            self.process.close()
        self.stderr_path.unlink(missing_ok=True)

    def dirty_mb(self) -> float:
        """What a forked worker has written to its own pages (0 for a spawned one, which holds its own data); kept
        in :attr:`dirty` (an idle worker writes nothing)."""
        if isinstance(self.process, ForkedProcess):
            counters = self.process.memory_counters()  # before the reading: a fault in between is counted again
            self.dirty = self.process.private_dirty_mb()
            self._read_at = (self.dirty, counters)
        else:
            self.dirty = 0.0
        self.dirty_read, self._bounded = True, 0
        return self.dirty

    def _counted_from_fork(self) -> None:
        """Start the bound (:meth:`dirty_bound_mb`) at the fork, without reading the pages: nothing was the worker's
        own then, a fork counts its faults from 0, and what its memory grew by is counted from now (its growth
        until now was made at faults, counted already, unless the kernel gave it huge pages: the reading every
        :data:`READ_EVERY` jobs corrects that)."""
        if isinstance(self.process, ForkedProcess) and (counters := self.process.memory_counters()) is not None:
            self._read_at = (0.0, (0, counters[1]))

    def dirty_bound_mb(self) -> float | None:
        """At most what :meth:`dirty_mb` would read, without walking the worker's pages: what it read last, plus a
        page per minor fault since (a page of the copy it writes to is copied at a fault, one page even within a
        huge page), plus what its memory not backed by a file grew by (what it allocated, huge pages whole). None
        when the counters cannot be read, or after :data:`READ_EVERY` bounded jobs: then read it. Kept in
        :attr:`dirty`."""
        if not isinstance(self.process, ForkedProcess):
            return 0.0
        read, then = self._read_at
        now = self.process.memory_counters()
        if then is None or now is None or self._bounded >= READ_EVERY:
            return None
        faults, grown = now[0] - then[0], max(0, now[1] - then[1])
        self.dirty = read + (faults * PAGE_BYTES + grown) / 2**20
        self.dirty_read = False
        self._bounded += 1
        return self.dirty


def whole_message_waiting(sock: socket.socket) -> bool:
    """Whether a whole message of :class:`multiprocessing.connection.Connection` (a 4-byte length, then as many
    bytes) is waiting on ``sock`` (the pool's end of a duplex ``Pipe()``, a pair of sockets), so that reading it
    cannot block. A cheap query's answer is; handing its reading to a thread, and the result back, cost about
    0.2 ms of its 2 ms (docs/benchmarks.md).

    >>> a, b = mp.Pipe()
    >>> peek = peek_socket(a)
    >>> whole_message_waiting(peek)
    False
    >>> b.send(("ok", b"x" * 100)); whole_message_waiting(peek), a.recv()[1][:3]
    (True, b'xxx')
    >>> peek.close()
    """
    try:
        head = sock.recv(4, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        if len(head) < 4:
            return False
        (size,) = struct.unpack("!i", head)  # -1: a length of 8 bytes follows (messages over 2 GB)
        waiting = bytearray(4)
        fcntl.ioctl(sock.fileno(), termios.FIONREAD, waiting)
        (available,) = struct.unpack("i", waiting)
        return bool(size >= 0 and available >= 4 + size)
    except OSError:  # nothing waiting (EAGAIN)
        return False


def peek_socket(conn: Connection) -> socket.socket | None:
    """A socket on a copy of ``conn``'s descriptor, to look at what waits on it (:func:`whole_message_waiting`);
    None when ``conn`` is not a socket. The caller closes it."""
    fd = os.dup(conn.fileno())
    try:
        return socket.socket(fileno=fd)
    except OSError:
        os.close(fd)
        return None


class _Stop(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


class WorkerPool:
    """A fixed number of sandboxed workers; :meth:`run` answers a job or raises :class:`QueryError`."""

    def __init__(
        self,
        dump_path: Path,
        size: int,
        timeout: float,
        *,
        workdir: Path,
        memory_mb: int = 2048,
        max_queued: int = 16,
        start_timeout: float = 120.0,
        what: str = "query",
        min_ready: int | None = None,
        copy: MemoryCopy | None = None,
        dirty_limit_mb: float = DIRTY_LIMIT_MB,
    ) -> None:
        self._ctx = mp.get_context("spawn")
        self._snapshot = Snapshot(str(dump_path), 0)
        self._workdir = workdir
        self._idle: collections.deque[_Worker] = collections.deque()
        self._waiters: collections.deque[asyncio.Future[_Worker]] = collections.deque()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.size = size
        self.timeout = timeout
        self.memory_mb = memory_mb
        # the workers on the copy may together make size × this much of it their own (one busy worker may hold
        # all of it while the others are idle): past that, the worker that has just answered is replaced
        self.dirty_limit_mb = dirty_limit_mb
        self.max_queued = max_queued
        self.start_timeout = start_timeout
        self.what = what
        self.killed = collections.Counter[str]()  # reason -> count, for operators and tests
        self._closed = False
        self._copy = copy  # the shared in-memory copy (graphapp.zygote), given or attached later (attach_copy)
        # while the copy serves, a new version needs no snapshot on disk until a worker on disk does (publish_later)
        self._make_snapshot: Callable[[], None] | None = None
        self._snapshot_behind = False
        min_ready = size if min_ready is None else min(min_ready, size)
        starting = [self._spawn() for _ in range(size)]
        # the pool answers as soon as ``min_ready`` workers are ready (a fast start); the others join as they
        # become ready, from a thread of their own
        for worker in starting[:min_ready]:
            problem = worker.wait_ready(start_timeout)
            if problem is not None:
                self.close()
                raise RuntimeError(f"a {what} worker did not start: {problem}")
            self._idle.append(worker)
        for worker in starting[min_ready:]:
            threading.Thread(target=self._join_when_ready, args=(worker,), daemon=True).start()

    # -- workers

    def _spawn(self) -> _Worker:
        """A new worker: forked on the in-memory copy when one is attached and alive, else on the disk snapshot."""
        worker = None
        if self._copy is not None and self._copy.ready:
            worker = _Worker.forked(self._copy, self.memory_mb * 2**20, self._workdir)
        if worker is None:
            worker = _Worker.spawned(self._ctx, self._current_snapshot(), self.memory_mb * 2**20, self._workdir)
        with self._lock:
            self._all.add(worker)
        return worker

    # -- the shared in-memory copy (graphapp.zygote)

    def attach_copy(self, copy: MemoryCopy) -> None:
        """Answer from ``copy`` from now on: its workers replace the ones on disk as they come free."""
        self._copy = copy
        self.refresh()

    @property
    def on_copy(self) -> bool:
        return self._copy is not None and self._copy.ready

    def _stale(self, worker: _Worker) -> bool:
        """A worker that must not take another job: on disk while the copy serves, or on a version of the copy
        that is not the copy's current one (or on a copy that has died)."""
        copy = self._copy
        if worker.version is None:
            return copy is not None and copy.ready
        return copy is None or not copy.ready or worker.version != copy.version

    def refresh(self) -> None:
        """Replace the idle workers that are stale (the copy moved to a new version, or has just been loaded)."""
        for _ in range(len(self._idle)):
            try:
                worker = self._idle.popleft()
            except IndexError:
                break
            if self._stale(worker):
                self._retire(worker, count=False)
            else:
                self._idle.append(worker)

    def _retire(self, worker: _Worker, *, count: bool = True) -> None:
        """Kill a worker and start its replacement in the background (``count``: a stop, in the metrics)."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        if count:
            metrics.worker_restarted(self.what)
        threading.Thread(target=self._replace, daemon=True).start()

    def _join_when_ready(self, worker: _Worker) -> None:
        problem = worker.wait_ready(self.start_timeout)
        if problem is not None:
            log.error("a %s worker did not start: %s", self.what, problem)
            with self._lock:
                self._all.discard(worker)
            worker.kill()
            return
        if self._closed:
            return
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(functools.partial(self._release, worker, fresh=True))
                return
        self._idle.appendleft(worker)  # taken when no warmer one is free (waiting requests also look here)

    def _replace(self) -> None:
        if self._closed:
            return
        fresh = self._spawn()
        problem = fresh.wait_ready(self.start_timeout)
        if problem is None and not self._closed:
            if self._loop is None:  # no query yet (a new version before the first): the first request takes it
                self._idle.appendleft(fresh)
                return
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(functools.partial(self._release, fresh, fresh=True))
                return
        if problem is not None:
            log.error("a %s worker did not start: %s", self.what, problem)
        with self._lock:
            self._all.discard(fresh)
        fresh.kill()
        if problem is not None and not self._closed:
            # try again in a moment (a forked worker dies with the copy's process; the next one reads the disk):
            # a pool that gave up would keep one worker fewer, and with none every query would wait in vain
            retry = threading.Timer(1.0, self._replace)
            retry.daemon = True
            retry.start()

    def _release(self, worker: _Worker, *, fresh: bool = False) -> None:
        """Hand a free worker to the first waiting request, or keep it idle (on the event loop's thread).

        Idle workers are taken warmest first: the one that answered last is taken next, a ``fresh`` one (just
        forked or started) last. A worker on the in-memory copy pays a page fault the first time it writes to each
        page of the copy it reads (docs/benchmarks.md, «The dirty limit»); queries that follow one another in the
        same worker find those pages already its own, where rotating among the workers would fault them in every
        worker."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        if fresh:
            self._idle.appendleft(worker)
        else:
            self._idle.append(worker)

    async def _acquire(self, gone: Callable[[], Awaitable[bool]] | None = None) -> _Worker:
        while self._idle:
            worker = self._idle.pop()  # the warmest (see _release)
            if not self._stale(worker):
                return worker
            self._retire(worker, count=False)
        if len(self._waiters) >= self.max_queued:
            raise QueryError(
                503,
                f"All {self.what} workers are busy and {self.max_queued} requests are already waiting; "
                "try again in a moment.",
                {"Retry-After": "5"},
            )
        assert self._loop is not None  # noqa: S101 - set by run()
        waiter: asyncio.Future[_Worker] = self._loop.create_future()
        self._waiters.append(waiter)
        deadline = self._loop.time() + self.timeout
        left = False
        try:
            while not waiter.done() and (remaining := deadline - self._loop.time()) > 0:
                await asyncio.wait({waiter}, timeout=min(POLL_SECONDS, remaining))
                if not waiter.done() and self._idle:  # a worker that joined while the loop was not yet known
                    waiter.set_result(self._idle.pop())
                    break
                if not waiter.done() and gone is not None and await gone():
                    left = True  # a client that has gone gives up its place in the queue
                    break
        finally:
            if not waiter.done():
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
        if left:
            raise QueryError(499, "The client closed the connection while its query was waiting.")
        if waiter.cancelled():
            raise QueryError(
                503,
                f"All {self.what} workers stayed busy for {self.timeout:g} s; try again later.",
                {"Retry-After": "10"},
            )
        return waiter.result()

    def publish(self, dump_path: Path) -> None:
        """Point workers at a new dump (after an update); each reloads before its next job."""
        self._snapshot = Snapshot(str(dump_path), self._snapshot.version + 1)
        self._snapshot_behind = False

    def publish_later(self, make: Callable[[], None]) -> None:
        """A new version that the workers on the in-memory copy already read: its snapshot on disk is made only
        when a worker on disk needs it (the copy has died), by ``make()``, which calls :meth:`publish`. A write
        saves the checkpoint's time (tens of milliseconds) while the copy serves."""
        self._make_snapshot = make
        self._snapshot_behind = True

    def _current_snapshot(self) -> Snapshot:
        """The snapshot of the current version, made now if it was left for later (:meth:`publish_later`)."""
        make = self._make_snapshot
        if self._snapshot_behind and make is not None:
            make()
        return self._snapshot

    @property
    def snapshot_path(self) -> Path:
        return Path(self._snapshot.path)

    @property
    def snapshot_behind(self) -> bool:
        """Whether the snapshot on disk is of an earlier version than the current one (:meth:`publish_later`)."""
        return self._snapshot_behind

    # -- one job

    async def run(self, job: Job | UpdateJob, gone: Callable[[], Awaitable[bool]] | None = None) -> Answer:
        """Answer ``job`` in a worker within the time limit. ``gone()`` says whether the client has left; if
        so the worker is stopped at once instead of finishing work nobody will read."""
        self._loop = asyncio.get_running_loop()
        worker = await self._acquire(gone)
        keep = False
        try:
            message = await self._exchange(worker, job, gone)
            keep = message[0] != "memory"
        except _Stop as stop:
            self.killed[stop.reason] += 1
            metrics.query_stopped(self.what, stop.reason)
            raise self._stopped(stop.reason, worker) from None
        finally:
            if keep and (self._stale(worker) or self._over_dirty_budget(worker)):
                self._retire(worker, count=False)  # an older version, or no longer sharing enough of the copy
            elif keep:
                self._release(worker)
            else:
                self._retire(worker)
        return self._answer(*message)

    def _over_dirty_budget(self, worker: _Worker) -> bool:
        """Whether the workers, ``worker`` read again after its job, hold more of the copy as their own than the
        pool's budget (``size`` × ``dirty_limit_mb``). A budget for the pool rather than a limit per worker: one
        client's queries go to one worker (warmest first, :meth:`_release`), which may then keep what the others
        do not use, and the total stays the same."""
        budget = self.dirty_limit_mb * self.size
        with self._lock:
            others = [w for w in self._all if w is not worker]
        held = sum(w.dirty for w in others)
        bound = worker.dirty_bound_mb()  # a cheap query faults few pages: no need to walk them
        if bound is not None and bound + held <= budget:
            return False
        dirty = worker.dirty_mb()
        if dirty + held <= budget:
            return False
        # the others' figures may be bounds above what they hold: read them before replacing this worker
        held = sum(w.dirty if w.dirty_read else w.dirty_mb() for w in others)
        return dirty + held > budget

    async def _exchange(
        self, worker: _Worker, job: Job | UpdateJob, gone: Callable[[], Awaitable[bool]] | None
    ) -> tuple[str, object]:
        loop = asyncio.get_running_loop()
        try:
            # a worker on the copy keeps its version and never reads the snapshot on disk
            worker.conn.send((job, self._snapshot if worker.version is not None else self._current_snapshot()))
        except (OSError, ValueError):
            raise _Stop("died") from None
        readable: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def _readable() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(fd, _readable)
        deadline = loop.time() + self.timeout
        try:
            while not readable.done():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise _Stop("time")
                await asyncio.wait({readable}, timeout=min(POLL_SECONDS, remaining))
                if not readable.done() and gone is not None and await gone():
                    raise _Stop("gone")
        finally:
            loop.remove_reader(fd)
        try:
            if worker.peek is not None and whole_message_waiting(
                worker.peek
            ):  # every byte is there: reading cannot block, no hop to another thread
                message: tuple[str, object] = worker.conn.recv()
                return message
            # a large answer arrives in pieces: read it off the event loop's thread
            return await loop.run_in_executor(None, worker.conn.recv)
        except (EOFError, OSError):
            raise _Stop("died") from None

    def _stopped(self, reason: str, worker: _Worker) -> QueryError:
        if reason == "time":
            return QueryError(
                503,
                f"The {self.what} was stopped at the time limit of {self.timeout:g} s. Add LIMIT or narrow it.",
            )
        if reason == "gone":
            return QueryError(499, "The client closed the connection; the query was stopped.")
        worker.process.join(timeout=2)
        words = worker.last_words()
        if "memory allocation" in words or "MemoryError" in words:
            self.killed["memory"] += 1
            return self._memory_error()
        cause = next((line for line in words.splitlines() if "panicked" in line), words[-500:])
        log.error("a %s worker died (exit code %s): %s", self.what, worker.process.exitcode, cause)
        if "panicked" in words:
            return QueryError(
                500,
                "The query engine failed on this request and stopped (a known engine fault, for example ORDER BY "
                "over date-times with and without a time zone). Nothing else was affected; try it without sorting.",
            )
        return QueryError(500, f"The {self.what} worker stopped unexpectedly. Nothing else was affected.")

    def _memory_error(self) -> QueryError:
        return QueryError(
            503,
            f"The {self.what} was stopped at the memory limit of {self.memory_mb} MB. "
            "Add LIMIT, or avoid building very long strings or sorting very large results.",
        )

    def _answer(self, kind: str, payload: object) -> Answer:
        if kind == "ok":
            assert isinstance(payload, Answer)  # noqa: S101
            return payload
        if kind == "memory":
            self.killed["memory"] += 1
            metrics.query_stopped(self.what, "memory")
            raise self._memory_error()
        if kind == "syntax":
            raise QueryError(400, f"Syntax error in the {self.what}: {readable_syntax_error(str(payload))}")
        if kind == "refused":
            raise QueryError(400, str(payload))
        if kind == "too-large":
            raise QueryError(413, str(payload))
        raise QueryError(400, f"The {self.what} could not be evaluated: {payload}")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.kill()
        for waiter in self._waiters:
            waiter.cancel()


class ClientLimiter:
    """At most ``per_client`` queries running or waiting per client address (0: no limit). Used from the
    event loop's thread only, so it needs no lock.

    >>> limiter = ClientLimiter(1)
    >>> with limiter.slot("1.2.3.4"):
    ...     with limiter.slot("1.2.3.4"):
    ...         pass
    Traceback (most recent call last):
    ...
    graphapp.worker.QueryError: This client already has 1 queries running or waiting; wait for one to finish.
    """

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._counts: Counter[str] = Counter()

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        if self.per_client and self._counts[client] >= self.per_client:
            raise QueryError(
                429,
                f"This client already has {self.per_client} queries running or waiting; wait for one to finish.",
                {"Retry-After": "5"},
            )
        self._counts[client] += 1
        try:
            yield
        finally:
            self._counts[client] -= 1
            if self._counts[client] <= 0:
                del self._counts[client]
