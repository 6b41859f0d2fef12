"""The store interface: what the service, the write path, the pages and the commands may ask of the graph's store.

Two stores implement :class:`Store`:

- :class:`graphapp.store.GraphStore`, the embedded engine (pyoxigraph, on disk or in memory), the default;
- :class:`graphapp.remote_store.SparqlGraphStore`, a SPARQL 1.1 Protocol + Update server (Oxigraph server,
  Virtuoso) reached over HTTP (``GRAPHAPP_STORE=sparql``).

Everything else types against :class:`Store` and never imports either engine module for its methods. What both
stores share (the named-query runner, the export writer, the SPARQL Update text of a change, the conversion of
terms) lives here as functions, so that neither store imports the other's private helpers. RDF terms are
pyoxigraph's (``ox.Quad``, ``ox.NamedNode``…) on both sides: they are the service's vocabulary for statements,
whichever engine holds them.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal, Protocol, overload, runtime_checkable

import pyoxigraph as ox
import rdflib

from . import queries
from .iris import CANONICAL_BASE, PREFIXES, TYPE_PREFIXES, checked_iri
from .ordering import sort_rows
from .results import compact_jsonld
from .sources import SourceFile

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
QUAD_FORMATS = {"nq", "trig"}

#: an RDF term as the engine gives it (a raw row's values)
Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: a row of Python values (``str``, ``int``, ``Decimal``, ``date``, ``bool``...): which one a variable holds depends
#: on the query, so the values are ``Any``; rows of RDF terms (``raw=True``) are :data:`RawRow`
Row = dict[str, Any]
RawRow = dict[str, Term]


class RemoteStoreError(RuntimeError):
    """The SPARQL server behind the store (GRAPHAPP_STORE=sparql, :mod:`graphapp.remote_store`) refused or failed a
    request of the service (not a user's mistake); pages answer 503."""


class ReadsStopped(RuntimeError):
    """A read under way gave up: the store was asked to stop reading (:meth:`Store.stop_reads`), because the
    service is stopping."""


class EngineSortRefused(ValueError):
    """A query that would sort in the engine, run in this process without ``allow_sort``."""


@runtime_checkable
class Store(Protocol):
    """A dataset of named graphs: one per source file, plus the graphs that writes add.

    Reads are named SELECT queries (``graphapp/queries/<name>.rq``) whose rows come back sorted in Python, and a
    few lookups by IRI; the one write is :meth:`apply` (all or nothing), called only by the write path
    (:class:`graphapp.writes.Writer`). Users' queries are not evaluated through this interface: they run in the
    sandboxed workers on :meth:`reader_snapshot`, or on the SPARQL server (:mod:`graphapp.remote_store`)."""

    #: the base under which entities and graphs are served
    base_iri: str
    #: the folder of an on-disk embedded store (``None`` in memory or on a server)
    path: Path | None
    #: the source files loaded into the store
    files: list[SourceFile]

    def load(self, files: Iterable[SourceFile]) -> None:
        """Parse every file, then add them all: a syntax error leaves the store unchanged."""

    def replace_graphs(self, graphs: Iterable[str], files: Iterable[SourceFile]) -> int:
        """Empty ``graphs`` and load ``files`` into theirs; returns the quads loaded."""

    def apply(self, add: Iterable[ox.Quad], remove: Iterable[ox.Quad]) -> None:
        """Remove then add quads in one transaction: all or nothing, durable once it returns."""

    def snapshot(self, target: Path) -> Path:
        """A consistent copy of the data at ``target`` (a checkpoint folder or an N-Quads file); returns its path."""

    def reader_snapshot(self, target: Path) -> Path:
        """What the query workers open for this version (an empty file when the server evaluates)."""

    def optimize(self) -> None:
        """Compact the data after a bulk load (an on-disk embedded store; nothing to do elsewhere)."""

    def forget_cached_graphs(self) -> None:
        """Forget what the store remembers of its list of graphs (a write of another process changed it)."""

    def source_graphs(self) -> list[str]:
        """IRIs (as served) of the graphs loaded from the project's files."""

    def graphs(self) -> list[str]:
        """IRIs of the service's named graphs."""

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the service's graphs."""

    def holds(self, quad: ox.Quad) -> bool:
        """True if the store has exactly this quad."""

    def contains(self, iri: str) -> bool:
        """True if the IRI is the subject or object of some statement."""

    def subjects_pointing_at(self, nodes: Iterable[str]) -> set[str]:
        """IRIs of the subjects with a statement whose object is one of ``nodes``."""

    def quads_about(self, subjects: Iterable[str]) -> list[ox.Quad]:
        """Every quad whose subject is one of ``subjects``."""

    @overload
    def select(
        self,
        name: str,
        bindings: Mapping[str, object] | None = None,
        *,
        raw: Literal[False] = False,
        allow_sort: bool = False,
    ) -> list[Row]: ...
    @overload
    def select(
        self, name: str, bindings: Mapping[str, object] | None = None, *, raw: Literal[True], allow_sort: bool = False
    ) -> list[RawRow]: ...
    def select(
        self, name: str, bindings: Mapping[str, object] | None = None, *, raw: bool = False, allow_sort: bool = False
    ) -> list[Row] | list[RawRow]:
        """Run the named SELECT query ``queries/<name>.rq`` (see :func:`run_named`)."""

    @overload
    def select_text(
        self,
        text: str,
        bindings: Mapping[str, object] | None = None,
        *,
        raw: Literal[False] = False,
        allow_sort: bool = False,
    ) -> list[Row]: ...
    @overload
    def select_text(
        self, text: str, bindings: Mapping[str, object] | None = None, *, raw: Literal[True], allow_sort: bool = False
    ) -> list[RawRow]: ...
    def select_text(
        self, text: str, bindings: Mapping[str, object] | None = None, *, raw: bool = False, allow_sort: bool = False
    ) -> list[Row] | list[RawRow]:
        """Run a SELECT given as text; no ``ORDER BY`` unless ``allow_sort``."""

    def triples(
        self, name: str, bindings: Mapping[str, object] | None = None, *, allow_sort: bool = False
    ) -> list[ox.Triple]:
        """Run a named SELECT whose rows are ``?s ?p ?o``, as triples."""

    def export(self, fmt: str, output: IO[bytes]) -> None:
        """Write the dataset in one of :data:`EXPORT_FORMATS`."""

    def export_per_graph(self, folder: Path) -> list[Path]:
        """Write each named graph as sorted Turtle under ``folder``."""

    def dump_nquads(self, path: Path) -> None:
        """Write every quad to an N-Quads file."""

    def to_rdflib(self) -> rdflib.Graph:
        """The union of all graphs as an rdflib Graph (for pyshacl)."""

    def stop_reads(self) -> None:
        """Make the reads under way in other threads give up at their next rows with :exc:`ReadsStopped`, and every
        later read: the service is stopping, and its builds of whole-graph indexes (a minute at 10^6 triples) need
        not finish before it stops."""

    def close(self) -> None:
        """Release the engine or the server's connections."""

    def __len__(self) -> int:
        """The number of quads."""


# ---------------------------------------------------------------- named queries


def refuse_engine_sort(text: str, name: str, allowed: bool = False) -> None:
    """Refuse a query with ``ORDER BY`` unless ``allowed``.

    pyoxigraph 0.5.13 aborts the whole process (a Rust panic, no exception to catch) when ``ORDER BY`` sorts some
    mixes of ``xsd:dateTime`` values with and without a timezone (docs/upstream/pyoxigraph-order-by-abort.md).
    The pages run their queries in the web process, so they declare ``#+ order_by:`` and are sorted in Python
    (:mod:`graphapp.ordering`); researchers' queries sort in the killable query workers (:mod:`graphapp.executor`).
    """
    if not allowed and queries.sorts_in_engine(text):
        raise EngineSortRefused(
            f"query {name!r} sorts in the engine (ORDER BY), which can abort this process: "
            "declare the order in '#+ order_by:' and let the store sort the rows in Python"
        )


#: how a store evaluates a SELECT text with bindings: ``(text, bindings, raw) -> rows``
Evaluate = Callable[[str, Mapping[str, object] | None, bool], list[Row]]


def run_named(
    evaluate: Evaluate, name: str, bindings: Mapping[str, object] | None, *, raw: bool, allow_sort: bool
) -> list[Row]:
    """Run the named SELECT query ``queries/<name>.rq`` with a store's ``evaluate``; the rows come in the order the
    query declares (``#+ order_by:``), sorted in Python: the engine never sorts here (:func:`refuse_engine_sort`)."""
    query = queries.load(name)
    refuse_engine_sort(query.text, name, allow_sort or query.worker_only)
    rows = evaluate(query.text, bindings, raw)
    return sort_rows(rows, query.order_by) if query.order_by else rows


def as_triples(rows: list[RawRow]) -> list[ox.Triple]:
    """Rows ``?s ?p ?o`` of RDF terms as triples (a subject or predicate that is a literal is a ``TypeError``)."""
    triples = []
    for row in rows:
        s, p = row["s"], row["p"]
        if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
            raise TypeError(f"not a statement: {row!r}")
        triples.append(ox.Triple(s, p, row["o"]))
    return triples


# ---------------------------------------------------------------- writing the dataset out


def prefixes_for(base_iri: str) -> dict[str, str]:
    """The project's prefixes, with its entity and graph namespaces under ``base_iri``."""
    prefixes = {**PREFIXES, **TYPE_PREFIXES}
    if base_iri != CANONICAL_BASE:
        prefixes = {
            k: v.replace(CANONICAL_BASE, base_iri, 1) if v.startswith(REBASED) else v for k, v in prefixes.items()
        }
    prefixes.pop("sh", None)
    return prefixes


def export_quads(quads: Iterable[ox.Quad], fmt: str, output: IO[bytes], base_iri: str) -> None:
    """Write a dataset: quads for N-Quads/TriG, the merged graph (sorted) for the triple formats."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt in QUAD_FORMATS:
        ox.serialize(quads, output, EXPORT_FORMATS[fmt], prefixes=prefixes_for(base_iri))
        return
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt == "jsonld":  # compacted, with the project's prefixes as its @context
        expanded = ox.serialize(ordered, format=EXPORT_FORMATS[fmt]) or b""
        output.write(compact_jsonld(expanded, prefixes_for(base_iri)))
        return
    prefixes = None if fmt == "nt" else prefixes_for(base_iri)
    ox.serialize(ordered, output, EXPORT_FORMATS[fmt], prefixes=prefixes)


def export_graphs(quads: Iterable[ox.Quad], folder: Path, base_iri: str) -> list[Path]:
    """Write each named graph as sorted Turtle to ``folder/<path of the graph>.ttl`` (``…/graph/contrib/staff``
    → ``contrib/staff.ttl``), so that a change to the graph reads as a small diff under git."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode):
            by_graph.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    root = base_iri + "graph/"
    written: list[Path] = []
    for graph in sorted(by_graph):
        rel = graph[len(root) :] if graph.startswith(root) else "external/" + re.sub(r"[^\w.-]+", "_", graph)
        if not rel or ".." in rel.split("/"):
            continue
        target = folder / f"{rel}.ttl"
        target.parent.mkdir(parents=True, exist_ok=True)
        triples = sorted(by_graph[graph], key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        with target.open("wb") as fh:
            ox.serialize(triples, fh, ox.RdfFormat.TURTLE, prefixes=prefixes_for(base_iri))
        written.append(target)
    return written


def to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """The union of the quads' graphs as one rdflib Graph."""
    g = rdflib.Graph()
    for q in quads:
        g.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    return g


# ---------------------------------------------------------------- serving under another base


REBASED = tuple(CANONICAL_BASE + part for part in ("id/", "graph/"))


def rebase_quad(q: ox.Quad, base: str) -> ox.Quad:
    """Serve entities and graphs under another base. The vocabulary (``…/ontology#``) keeps its IRIs, like
    any published vocabulary: queries and shapes name its terms."""

    def node(t: ox.NamedNode) -> ox.NamedNode:
        return ox.NamedNode(base + t.value[len(CANONICAL_BASE) :]) if t.value.startswith(REBASED) else t

    subject = node(q.subject) if isinstance(q.subject, ox.NamedNode) else q.subject
    obj = node(q.object) if isinstance(q.object, ox.NamedNode) else q.object
    graph = node(q.graph_name) if isinstance(q.graph_name, ox.NamedNode) else q.graph_name
    return ox.Quad(subject, node(q.predicate), obj, graph)


def rebase_iri(value: str, base: str) -> str:
    """An entity or graph IRI of the files, as served under ``base`` (the vocabulary keeps its IRIs).

    >>> rebase_iri("https://w3id.org/gakg/graph/catalog", "https://e.org/kg/")
    'https://e.org/kg/graph/catalog'
    """
    return base + value[len(CANONICAL_BASE) :] if value.startswith(REBASED) and base != CANONICAL_BASE else value


# ---------------------------------------------------------------- a change as SPARQL Update


def data_update(remove: list[ox.Quad], add: list[ox.Quad], *, blank_nodes: bool = False) -> str:
    """A SPARQL ``DELETE DATA``/``INSERT DATA`` update for the quads (the engine runs it as one transaction).

    >>> q = ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("x"), ox.NamedNode("http://e/g"))
    >>> data_update([], [q])
    'INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> "x" . } }'
    """

    def block(quads: list[ox.Quad]) -> str:
        by_graph: dict[str, list[str]] = {}
        for q in quads:
            if not blank_nodes and any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object)):
                raise ValueError("a write cannot name a blank node; name it with an IRI")
            graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
            by_graph.setdefault(graph, []).append(f"{q.subject} {q.predicate} {q.object} .")
        parts = [" ".join(lines) if not g else f"GRAPH {g} {{ {' '.join(lines)} }}" for g, lines in by_graph.items()]
        return " ".join(parts)

    ops = []
    if remove:
        ops.append(f"DELETE DATA {{ {block(remove)} }}")
    if add:
        ops.append(f"INSERT DATA {{ {block(add)} }}")
    return " ; ".join(ops)


# ---------------------------------------------------------------- terms


def rdflib_term(t: object) -> rdflib.term.Node:
    """An engine term as rdflib's."""
    if isinstance(t, ox.NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return rdflib.BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
    raise TypeError(f"unsupported term {t!r}")


def iri(value: str, parameter: str | None = None) -> ox.NamedNode:
    """Mark a string as an IRI for query bindings (plain strings bind as literals).

    Raises :class:`graphapp.iris.InvalidIri` (a ``ValueError`` naming ``parameter``) for a string that cannot be
    an IRI; a route turns it into a 404 (a path) or a 400 (a query parameter)."""
    return ox.NamedNode(checked_iri(value, parameter))


def to_term(value: object) -> ox.NamedNode | ox.Literal:
    """A query binding as an engine term: terms as they are, ``rdflib.URIRef`` as an IRI, Python values as
    literals."""
    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    if isinstance(value, rdflib.URIRef):
        return ox.NamedNode(checked_iri(str(value)))
    if isinstance(value, str):
        return ox.Literal(value)
    if isinstance(value, bool | int | float):
        return ox.Literal(value)
    raise TypeError(f"cannot bind {value!r}")


def to_python(term: object) -> object:
    """An engine term as a Python value (an IRI as its string, a literal as rdflib reads it)."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return rdflib.Literal(
            term.value, lang=term.language, datatype=None if term.language else term.datatype.value
        ).toPython()
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term


#: rows read between two looks at whether the store was asked to stop reading
ROWS_BETWEEN_CHECKS = 4096


def rows_of(
    variables: list[str], solutions: Iterable[ox.QuerySolution], *, raw: bool, stop: threading.Event | None = None
) -> list[Row]:
    """Solutions as rows: a dict per solution of the bound variables, as terms (``raw``) or Python values. Raises
    :exc:`ReadsStopped` when ``stop`` is set, checked every :data:`ROWS_BETWEEN_CHECKS` rows.

    >>> stop = threading.Event(); stop.set()
    >>> rows_of(["x"], [], raw=True, stop=stop)
    Traceback (most recent call last):
    ...
    graphapp.storage.ReadsStopped: the store stopped reading: the service is stopping
    """
    rows: list[Row] = []
    pending = iter(solutions)
    del solutions
    while stop is None or not stop.is_set():
        before = len(rows)
        if raw:
            rows.extend(
                {v: sol[v] for v in variables if sol[v] is not None}
                for sol in itertools.islice(pending, ROWS_BETWEEN_CHECKS)
            )
        else:
            rows.extend(
                {v: to_python(sol[v]) for v in variables if sol[v] is not None}
                for sol in itertools.islice(pending, ROWS_BETWEEN_CHECKS)
            )
        if len(rows) - before < ROWS_BETWEEN_CHECKS:
            return rows
    # the engine's result is not kept by the exception's frames: whichever thread frees the exception, the result
    # is freed by the caller, on the thread that made it (pyoxigraph's results may not be dropped on another)
    del pending
    raise ReadsStopped("the store stopped reading: the service is stopping")
