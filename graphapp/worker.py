"""What runs inside a query worker process: the jobs it receives, and how it answers them.

A worker sandboxes itself (:mod:`graphapp.sandbox`: no network, bounded memory, standard error to a file), opens
the snapshot it is given, and answers each job: a query, confirmed by the real parse
(:mod:`graphapp.sparql_algebra`) and written row by row up to the row and byte caps; or an update, evaluated on a
private copy of the store (or read off its parse when it only inserts or deletes data) and answered as the quads
it adds and removes. The pool that starts, feeds and kills workers is :mod:`graphapp.executor`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import results
from .engine_order import CUSTOM_FUNCTIONS, rewrite_order_by
from .heap import HeapWatch
from .sandbox import SandboxError, deny_network, limit_memory, redirect_stderr
from .sparql_guard import Inspection, RefusedQuery

if TYPE_CHECKING:
    from .sparql_algebra import WritePolicy

#: a SPARQL extension function, as pyoxigraph's ``custom_functions`` takes it
_Function = Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]
WORKER_STACK_BYTES = 64 * 2**20  # room for rdflib's recursive grammar (sparql_algebra.RECURSION_LIMIT)


class QueryError(Exception):
    """A query could not be answered; ``status`` is the HTTP status to send, ``headers`` extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Job:
    query: str
    form: str
    format_key: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    max_bytes: int = 50_000_000
    prefixes: dict[str, str] = field(default_factory=dict)
    scan: Inspection | None = None  # the web process's reading, which the worker's parse must confirm
    confirm_only: bool = False  # parse and confirm only: a SPARQL server evaluates it (GRAPHAPP_STORE=sparql)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's address)
    # an earlier version of the graph (version=N): the folder of its on-disk store (graphapp.versions), opened
    # read-only for this job instead of the worker's own store
    snapshot: str | None = None
    version: int | None = None


class TooLarge(RefusedQuery):
    """The request is over a size limit (HTTP 413)."""


@dataclass(frozen=True)
class UpdateJob:
    """Evaluate ``update`` on ``workspace`` (a private copy of the store: a checkpoint folder or an N-Quads
    dump) and answer what it changed, as N-Quads to add and to remove. ``contributions`` plays the default
    graph: a plain ``INSERT DATA`` lands there, a plain ``WHERE`` reads it. Without a workspace the update must
    be data only (``INSERT DATA``/``DELETE DATA``), whose change is read off its parse."""

    update: str
    workspace: str
    policy: WritePolicy  # imported lazily: rdflib is heavy
    contributions: str = ""
    max_statements: int = 10_000  # most statements added and removed together (TooLarge beyond)


@dataclass(frozen=True)
class Answer:
    body: bytes
    truncated: str | None = None  # "rows" or "bytes"


@dataclass(frozen=True)
class Snapshot:
    path: str
    version: int


# ---------------------------------------------------------------- worker side


def _load(path: str, *, writable: bool = False) -> ox.Store:
    """Open a snapshot: a checkpoint folder of the on-disk store (read-only unless ``writable``: a private copy),
    or an N-Quads dump loaded into memory."""
    if Path(path).is_dir():
        return ox.Store(path) if writable else ox.Store.read_only(path)
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def _confirm(query: str, scan: Inspection) -> None:
    from .sparql_algebra import confirm_query

    confirm_query(query, scan)


def _execute(store: ox.Store, job: Job) -> Answer:
    if job.scan is not None:
        _confirm(job.query, job.scan)
    if job.confirm_only:
        return Answer(b"")
    # The dataset: protocol parameters (or the query's FROM / FROM NAMED, copied into the job) when given;
    # otherwise the default graph is the union of all graphs.
    # (pyoxigraph takes None, and False for the union, as "not given")
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | ox.DefaultGraph | None = None
    if job.default_graphs:
        default_graph = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.named_graphs:
        default_graph = ox.DefaultGraph()
    named_graphs: list[ox.NamedNode | ox.BlankNode] | None = (
        [ox.NamedNode(g) for g in job.named_graphs] if job.named_graphs else None
    )
    query = job.query
    functions: dict[ox.NamedNode, _Function] | None = None
    if "ORDER" in query.upper():
        # the engine sorts by keys it compares consistently (an engine sort of mixed values aborts the process)
        query = rewrite_order_by(query)
        functions = dict(CUSTOM_FUNCTIONS)
    result = store.query(
        query,
        use_default_graph_as_union=not job.default_graphs and not job.named_graphs,
        default_graph=default_graph,
        named_graphs=named_graphs,
        base_iri=job.base_iri or None,
        custom_functions=functions,
    )
    fmt = results.format_by_key(job.format_key)
    limits = results.Limits(rows=job.max_rows, bytes=job.max_bytes)
    if isinstance(result, ox.QueryBoolean):
        return Answer(results.serialize_boolean(bool(result), fmt))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = (tuple(solution) for solution in result)  # the values in the variables' order, None if unbound
        written = results.write_solutions(variables, rows, fmt, limits)
    else:
        written = results.write_triples(result, fmt, job.prefixes, limits)
    return Answer(written.body, written.truncated)


def _quads_of(store: ox.Store, graphs: list[ox.NamedNode | ox.DefaultGraph]) -> set[ox.Quad]:
    return {q for g in graphs for q in store.quads_for_pattern(None, None, None, g)}


def _ox_term(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    import rdflib

    from .sparql_guard import unescape_iri

    if isinstance(term, rdflib.URIRef):
        if ":" not in str(term):
            raise RefusedQuery(f"Relative IRI <{term}>: updates write only absolute IRIs (no base IRI is applied).")
        return ox.NamedNode(unescape_iri(str(term)))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise RefusedQuery("Variables are not allowed in INSERT DATA or DELETE DATA.")


def _data_update(job: UpdateJob) -> Answer:
    """``INSERT DATA``/``DELETE DATA`` only: the change is read off the parse, with no copy of the store to open."""
    from .sparql_algebra import DEFAULT, data_quads

    add: dict[ox.Quad, None] = {}
    remove: dict[ox.Quad, None] = {}
    contributions = ox.NamedNode(job.contributions)
    try:
        for action, (s, p, o), graph in data_quads(job.update):
            g = contributions if graph == DEFAULT else ox.NamedNode(str(graph))
            subject, predicate = _ox_term(s), _ox_term(p)
            if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                raise RefusedQuery("A statement's subject cannot be a literal, and its predicate must be an IRI.")
            quad = ox.Quad(subject, predicate, _ox_term(o), g)
            (add if action == "add" else remove)[quad] = None
            (remove if action == "add" else add).pop(quad, None)
            if len(add) + len(remove) > job.max_statements:
                break
    except ValueError as exc:
        raise RefusedQuery(f"The update names something that is not a valid IRI or term: {exc}") from None
    _check_size(len(add) + len(remove), job.max_statements)
    return Answer(json.dumps({"add": _nquads(add), "remove": _nquads(remove)}).encode())


def _check_size(changed: int, limit: int) -> None:
    if changed > limit:
        raise TooLarge(
            f"The update changes more than {limit} statements (the limit of one update; nothing was changed). "
            "Split it, or load large data with graphapp load or graphapp import."
        )


def _nquads(quads: Iterable[ox.Quad]) -> str:
    out = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS)
    return out.decode() if isinstance(out, bytes) else ""


def _apply_update(job: UpdateJob) -> Answer:
    from .sparql_algebra import DEFAULT, parse_update

    policy = job.policy
    parsed = parse_update(job.update)
    policy.check(parsed)
    if not job.workspace:
        return _data_update(job)
    store = _load(job.workspace, writable=True)
    contributions = ox.NamedNode(job.contributions)
    if job.contributions:
        store.update(f"ADD SILENT {contributions} TO DEFAULT")
    graphs = [ox.DefaultGraph() if g == DEFAULT else ox.NamedNode(g) for g in sorted(parsed.writes)]
    before, size = _quads_of(store, graphs), len(store)
    try:
        store.update(job.update)
    except SyntaxError:
        raise
    except Exception as exc:
        raise RefusedQuery(f"The update could not be applied: {exc}") from None
    after = _quads_of(store, graphs)
    added, removed = after - before, before - after
    _check_size(len(added) + len(removed), job.max_statements)
    # A second look, whatever the parse said: nothing changed outside the graphs the update names.
    if len(store) - size != len(added) - len(removed):
        raise RefusedQuery("The update changed graphs it does not name; name every graph it writes.")

    def home(q: ox.Quad) -> ox.Quad:  # the default graph stands for the contributions graph
        graph = contributions if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
        return ox.Quad(q.subject, q.predicate, q.object, graph)

    added_home, removed_home = [home(q) for q in added], [home(q) for q in removed]
    return Answer(json.dumps({"add": _nquads(added_home), "remove": _nquads(removed_home)}).encode())


def _serve(conn: Connection, snapshot: Snapshot, copy: ox.Store | None = None) -> None:
    """Answer jobs until the pool closes the connection. A worker on the shared in-memory ``copy``
    (:mod:`graphapp.zygote`) keeps the version it was forked on: the pool replaces it rather than have it reload."""
    store = copy if copy is not None else _load(snapshot.path)
    version = snapshot.version
    heap = HeapWatch()
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        job, current = message
        is_update = isinstance(job, UpdateJob)
        answer: Answer | None = None
        try:
            if current.version != version and not is_update and copy is None:
                store, version = _load(current.path), current.version
            if is_update:
                answer = _apply_update(job)
            elif job.snapshot is not None:
                answer = _execute(ox.Store.read_only(job.snapshot), job)
            else:
                answer = _execute(store, job)
            conn.send(("ok", answer))
        except TooLarge as exc:
            conn.send(("too-large", str(exc)))
        except RefusedQuery as exc:
            conn.send(("refused", str(exc)))
        except SyntaxError as exc:
            conn.send(("syntax", str(exc)))
        except MemoryError:
            conn.send(("memory", None))
            return  # the heap may be fragmented past use: let the pool start a fresh worker
        except Exception as exc:
            conn.send(("error", str(exc) or "evaluation failed"))
        # what the evaluation allocated (joins, the answer's rows) goes back to the system, not kept for reuse:
        # a worker that answered one large query no longer holds its peak (see graphapp.heap); a cheap query,
        # which did not grow the heap, is not followed by a walk of the whole heap
        message = job = answer = None
        heap.release_if_grown()


def worker_main(conn: Connection, snapshot: Snapshot, memory_bytes: int, stderr_path: str) -> None:
    redirect_stderr(stderr_path)
    try:
        deny_network()
    except SandboxError as exc:
        conn.send(("sandbox", str(exc)))
        return
    limit_memory(memory_bytes)
    threading.stack_size(WORKER_STACK_BYTES)
    worker = threading.Thread(target=_serve, args=(conn, snapshot), name="query-worker")
    worker.start()
    worker.join()


def worker_main_waiting(conn: Connection) -> None:
    """A worker started before the service knows what it will read (:func:`graphapp.executor.prestart`): it
    imports what a query needs (the interpreter, pyoxigraph, rdflib's grammar) while the service starts, then
    waits for ``(snapshot, memory_bytes, stderr_path)`` and is a worker like any other (:func:`worker_main`)."""
    from . import sparql_algebra  # noqa: F401 - imported now, while waiting: the first query's parse needs it

    try:
        message = conn.recv()
    except (EOFError, OSError):
        return  # the service never took it (it stopped, or did not need it)
    if message is None:
        return
    snapshot, memory_bytes, stderr_path = message
    worker_main(conn, snapshot, memory_bytes, stderr_path)


def serve_copy(conn: Connection, store: ox.Store, snapshot: Snapshot) -> None:
    """A worker forked by the zygote on its in-memory copy (:mod:`graphapp.zygote`): already barred from the
    network and capped (inherited and set by the zygote); answers on a thread with room for rdflib's grammar."""
    threading.stack_size(WORKER_STACK_BYTES)
    worker = threading.Thread(target=_serve, args=(conn, snapshot, store), name="query-worker")
    worker.start()
    worker.join()
