"""Runs user-supplied SPARQL in worker processes that can be killed at the time limit.

Neither rdflib nor pyoxigraph can be stopped inside a thread (FACTS.md), so the public endpoint never runs a
user's query in the web process. A small pool of worker processes, started in advance, each holds its own
in-memory pyoxigraph copy of the public dataset (loaded from an N-Quads dump the web process writes). A query
that passes the deadline gets its worker killed (about 7 ms to reap) and a fresh worker takes its place in
the background, so one heavy query never holds up anybody else's.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing as mp
import queue
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from . import results

log = logging.getLogger(__name__)
T = TypeVar("T")


class QueryError(Exception):
    """A query could not be answered; ``status`` is the HTTP status to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Job:
    query: str
    form: str
    format_key: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    prefixes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    body: bytes
    truncated: bool = False


@dataclass(frozen=True)
class _Snapshot:
    path: str
    version: int


# ---------------------------------------------------------------- worker side


def _load(path: str) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def _format(key: str) -> results.ResultFormat:
    for fmt in (*results.SOLUTION_FORMATS, *results.GRAPH_FORMATS):
        if fmt.key == key:
            return fmt
    raise ValueError(key)


def _take(items: Iterable[T], limit: int) -> tuple[list[T], bool]:
    """The first ``limit`` items, and whether there were more (the row cap).

    >>> _take(iter(range(5)), 3)
    ([0, 1, 2], True)
    """
    taken = list(itertools.islice(items, limit + 1))
    return taken[:limit], len(taken) > limit


def _execute(store: ox.Store, job: Job) -> Answer:
    # The dataset: protocol parameters (or the query's FROM / FROM NAMED, copied into the job) when given;
    # otherwise the default graph is the union of all graphs.
    kwargs: dict[str, object] = {}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.named_graphs:
        kwargs["default_graph"] = ox.DefaultGraph()
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    result = store.query(job.query, **kwargs)  # type: ignore[arg-type]
    fmt = _format(job.format_key)
    if isinstance(result, ox.QueryBoolean):
        return Answer(results.serialize_boolean(bool(result), fmt))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        solutions, truncated = _take(result, job.max_rows)
        rows = [[solution[v] for v in variables] for solution in solutions]
        return Answer(results.serialize_solutions(variables, rows, fmt), truncated)
    triples, truncated = _take(result, job.max_rows)
    return Answer(results.serialize_triples(triples, fmt, job.prefixes), truncated)


def _worker_main(conn: Connection, snapshot: _Snapshot) -> None:
    store = _load(snapshot.path)
    version = snapshot.version
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        job, current = message
        try:
            if current.version != version:
                store, version = _load(current.path), current.version
            conn.send(("ok", _execute(store, job)))
        except SyntaxError as exc:
            conn.send(("syntax", str(exc)))
        except Exception as exc:  # noqa: BLE001 - reported to the client as a 400 without internals
            conn.send(("error", str(exc) or "evaluation failed"))


_POSITION = re.compile(r"error at (\d+):(\d+)")


def readable_syntax_error(message: str) -> str:
    """Spell out the parser's ``line:column`` position.

    >>> readable_syntax_error("error at 1:26: expected one of LATERAL, SERVICE, [_]")
    'error at line 1, column 26: expected one of LATERAL, SERVICE, [_]'
    """
    return _POSITION.sub(r"error at line \1, column \2", message)


# ---------------------------------------------------------------- pool side


class _Worker:
    def __init__(self, ctx: mp.context.SpawnContext, snapshot: _Snapshot) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, snapshot), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> bool:
        try:
            if self.conn.poll(timeout):
                kind, _ = self.conn.recv()
                return kind == "ready"
        except (EOFError, OSError):
            pass  # the worker died while starting (its error went to stderr)
        return False

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """A fixed number of query workers; :meth:`run` answers a job or raises :class:`QueryError`."""

    def __init__(self, dump_path: Path, size: int, timeout: float, start_timeout: float = 120.0) -> None:
        self._ctx = mp.get_context("spawn")
        self._snapshot = _Snapshot(str(dump_path), 0)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self.size = size
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._closed = False
        starting = [self._spawn() for _ in range(size)]
        for worker in starting:
            if not worker.wait_ready(start_timeout):
                raise RuntimeError("a query worker did not start")
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self._snapshot)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, dead: _Worker) -> None:
        with self._lock:
            self._all.discard(dead)
        if self._closed:
            return
        fresh = self._spawn()
        if fresh.wait_ready(self.start_timeout) and not self._closed:
            self._idle.put(fresh)
        else:
            fresh.kill()

    def publish(self, dump_path: Path) -> None:
        """Point workers at a new dump (after an update); each reloads before its next query."""
        self._snapshot = _Snapshot(str(dump_path), self._snapshot.version + 1)

    def run(self, job: Job) -> Answer:
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryError(503, "All query workers are busy; try again in a moment.") from None
        try:
            worker.conn.send((job, self._snapshot))
            remaining = max(0.0, deadline - time.monotonic())
            if not worker.conn.poll(remaining):
                raise TimeoutError
            kind, payload = worker.conn.recv()
        except (TimeoutError, EOFError, OSError, BrokenPipeError):
            worker.kill()
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise QueryError(
                503, f"The query was stopped at the time limit of {self.timeout:g} s. Add LIMIT or narrow it."
            ) from None
        self._idle.put(worker)
        if kind == "ok":
            return payload
        if kind == "syntax":
            raise QueryError(400, f"Syntax error in the query: {readable_syntax_error(payload)}")
        raise QueryError(400, f"The query could not be evaluated: {payload}")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.kill()
