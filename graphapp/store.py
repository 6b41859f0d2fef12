"""The one module that owns the triple store.

The embedded engine is pyoxigraph (docs/benchmarks.md, `python benchmarks/run.py`: 30-150x faster than an
rdflib-backed endpoint on the data-heavy queries at 10^6 triples). The web process reads and writes the store only
through :class:`GraphStore`; the query workers (:mod:`graphapp.executor`) open its snapshots.
rdflib stays the modelling, parsing and SHACL API; :meth:`GraphStore.to_rdflib` hands a copy to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal, overload

import pyoxigraph as ox
import rdflib

from . import queries
from .config import Settings
from .iris import CANONICAL_BASE, PREFIXES, TYPE_PREFIXES, checked_iri, is_valid_iri
from .ordering import sort_rows
from .results import compact_jsonld
from .sources import SourceFile, discover, parse_all

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


class EngineSortRefused(ValueError):
    """A query that would sort in the engine, run in this process without ``allow_sort``."""


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
            "declare the order in '#+ order_by:' and let GraphStore sort the rows in Python"
        )


class GraphStore:
    """A dataset of named graphs, one per source file plus the graphs that writes add; on disk at ``path``
    (RocksDB, every committed write durable) or in memory.

    >>> s = GraphStore.from_settings(Settings())
    >>> len(s) > 1000
    True
    """

    evaluates_queries = False  # users' queries run in the service's sandboxed workers, on snapshots of this store

    def __init__(self, base_iri: str = CANONICAL_BASE, path: Path | None = None) -> None:
        self._store = ox.Store(str(path)) if path is not None else ox.Store()
        self.path = path
        self.base_iri = base_iri
        self.files: list[SourceFile] = []

    @classmethod
    def from_settings(cls, settings: Settings, *, include_restricted: bool = False) -> GraphStore:
        """Load the ontology and the data that the settings point at (public graphs only by default)."""
        store = cls(settings.base_iri)
        store.load(discover(settings, include_restricted=include_restricted))
        return store

    def load(self, files: Iterable[SourceFile]) -> None:
        """Parse every file first, then add them all: a syntax error leaves the store unchanged."""
        files = list(files)
        quads = parse_all(files)
        if self.base_iri != CANONICAL_BASE:
            quads = [_rebase(q, self.base_iri) for q in quads]
        self._store.bulk_extend(quads)
        self.files.extend(files)

    def replace_graphs(self, graphs: Iterable[str], files: Iterable[SourceFile]) -> int:
        """Empty ``graphs`` (IRIs as stored) and load ``files`` into theirs (under the store's base): how
        the store follows changed source files. Parses everything first, so a syntax error changes nothing.
        Returns the quads loaded."""
        files = list(files)
        quads = parse_all(files)
        if self.base_iri != CANONICAL_BASE:
            quads = [_rebase(q, self.base_iri) for q in quads]
        for graph in graphs:
            node = ox.NamedNode(graph)
            if self._store.contains_named_graph(node):
                self._store.remove_graph(node)
        self._store.bulk_extend(quads)
        if self.path is not None:
            self._store.flush()
        return len(quads)

    def snapshot(self, target: Path) -> Path:
        """A consistent copy for readers in other processes: a RocksDB checkpoint (hard links, tens of
        milliseconds) of an on-disk store, an N-Quads dump of one in memory. Returns its path."""
        if self.path is None:
            path = target.with_suffix(".nq")
            self.dump_nquads(path)
            return path
        self._store.backup(str(target))
        return target

    def reader_snapshot(self, target: Path) -> Path:
        """What the query workers open: a snapshot of the data (:meth:`snapshot`)."""
        return self.snapshot(target)

    def forget_cached_graphs(self) -> None:
        """Nothing to forget: the embedded engine answers :meth:`graphs` itself."""

    def ping(self) -> bool:
        """A real query against the engine (readiness)."""
        return isinstance(self._store.query("ASK { }"), ox.QueryBoolean)

    def apply(self, add: Iterable[ox.Quad], remove: Iterable[ox.Quad]) -> None:
        """Remove then add quads in one transaction: all or nothing, durable once it returns.

        Blank nodes cannot be named in a transaction's data: writes name every node (see
        :func:`graphapp.writes.changes.skolemize`)."""
        text = _data_update(list(remove), list(add))
        if text:
            self._store.update(text)

    def source_graphs(self) -> list[str]:
        """IRIs (as served, under this store's base) of the graphs loaded from the project's files."""
        return sorted({rebase_iri(f.graph, self.base_iri) for f in self.files})

    def holds(self, quad: ox.Quad) -> bool:
        """True if the store has exactly this quad."""
        pattern = (quad.subject, quad.predicate, quad.object, quad.graph_name)
        return next(self._store.quads_for_pattern(*pattern), None) is not None

    def subjects_pointing_at(self, nodes: Iterable[str]) -> set[str]:
        """IRIs of the subjects with a statement whose object is one of ``nodes``."""
        found: set[str] = set()
        for node in nodes:
            if not is_valid_iri(node):
                continue
            for q in self._store.quads_for_pattern(None, None, ox.NamedNode(node), None):
                if isinstance(q.subject, ox.NamedNode):
                    found.add(q.subject.value)
        return found

    def quads_about(self, subjects: Iterable[str]) -> list[ox.Quad]:
        """Every quad whose subject is one of ``subjects`` (IRIs)."""
        out: list[ox.Quad] = []
        for s in subjects:
            if is_valid_iri(s):
                out.extend(self._store.quads_for_pattern(ox.NamedNode(s), None, None, None))
        return out

    def close(self) -> None:
        """Release the engine (on disk: its lock on the folder, so another process or command may open it)."""
        self._store = ox.Store()  # the on-disk store is closed when its last reference goes

    def __len__(self) -> int:
        return len(self._store)

    def graphs(self) -> list[str]:
        """IRIs of the named graphs in the store."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, None)

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
        self,
        name: str,
        bindings: Mapping[str, object] | None = None,
        *,
        raw: bool = False,
        allow_sort: bool = False,
    ) -> list[Row] | list[RawRow]:
        """Run the named SELECT query ``queries/<name>.rq``; rows hold Python values, or the engine's RDF terms
        (``raw=True``: ``.value``, ``.language``, ``.datatype``) where a page needs to know what a value is.

        The rows come in the order the query declares (``#+ order_by:``), sorted in Python: the engine never
        sorts here (see :func:`refuse_engine_sort`)."""
        query = queries.load(name)
        refuse_engine_sort(query.text, name, allow_sort or query.worker_only)
        rows = self._select(query.text, bindings, raw=raw)
        return sort_rows(rows, query.order_by) if query.order_by else rows

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
        """Run a SELECT query given as text (the default graph is the union of all graphs); no ``ORDER BY``
        unless ``allow_sort`` (only for fixed, trusted data: a test)."""
        refuse_engine_sort(text, "select_text", allow_sort)
        return self._select(text, bindings, raw=raw)

    def _select(self, text: str, bindings: Mapping[str, object] | None, *, raw: bool) -> list[Row]:
        result = self._store.query(
            text,
            use_default_graph_as_union=True,
            substitutions={ox.Variable(k): _to_ox(v) for k, v in (bindings or {}).items()},
        )
        try:
            variables = [v.value for v in result.variables]
            convert = (lambda t: t) if raw else _to_python
            return [{v: convert(sol[v]) for v in variables if sol[v] is not None} for sol in result]
        finally:
            del result  # freed on the thread that made it

    def triples(
        self, name: str, bindings: Mapping[str, object] | None = None, *, allow_sort: bool = False
    ) -> list[ox.Triple]:
        """Run the named SELECT query ``queries/<name>.rq`` whose rows are ``?s ?p ?o`` and return them as triples.

        The web process never runs a CONSTRUCT in the engine: pyoxigraph's CONSTRUCT result may only be freed on
        the thread that made it, and the web serves from a pool of threads (a result freed by another thread's
        garbage collection is leaked with an error). Users' CONSTRUCT queries run in the query workers."""
        rows = self.select(name, bindings, raw=True, allow_sort=allow_sort)
        return [ox.Triple(row["s"], row["p"], row["o"]) for row in rows]  # type: ignore[arg-type]  # s, p: not literals

    def contains(self, iri: str) -> bool:
        """True if the IRI is the subject or object of some statement (never for a string that cannot be an IRI)."""
        if not is_valid_iri(iri):
            return False
        node = ox.NamedNode(iri)
        return bool(
            next(self._store.quads_for_pattern(node, None, None, None), None)
            or next(self._store.quads_for_pattern(None, None, node, None), None)
        )

    def export(self, fmt: str, output: IO[bytes]) -> None:
        """Write the public dataset: quads for N-Quads/TriG, the merged graph for the triple formats."""
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
        if fmt in QUAD_FORMATS:
            ox.serialize(self.quads(), output, EXPORT_FORMATS[fmt], prefixes=_prefixes(self.base_iri))
            return
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()}
        ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        if fmt == "jsonld":  # compacted, with the project's prefixes as its @context
            expanded = ox.serialize(ordered, format=EXPORT_FORMATS[fmt]) or b""
            output.write(compact_jsonld(expanded, _prefixes(self.base_iri)))
            return
        prefixes = None if fmt == "nt" else _prefixes(self.base_iri)
        ox.serialize(ordered, output, EXPORT_FORMATS[fmt], prefixes=prefixes)

    def export_per_graph(self, folder: Path) -> list[Path]:
        """Write each named graph as sorted Turtle to ``folder/<path of the graph>.ttl`` (``…/graph/contrib/staff``
        → ``contrib/staff.ttl``), so that a change to the graph reads as a small diff under git."""
        root = self.base_iri + "graph/"
        written: list[Path] = []
        for graph in self.graphs():
            rel = graph[len(root) :] if graph.startswith(root) else "external/" + re.sub(r"[^\w.-]+", "_", graph)
            if not rel or ".." in rel.split("/"):
                continue
            target = folder / f"{rel}.ttl"
            target.parent.mkdir(parents=True, exist_ok=True)
            node = ox.NamedNode(graph)
            triples = sorted(
                (
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in self._store.quads_for_pattern(None, None, None, node)
                ),
                key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
            )
            with target.open("wb") as fh:
                ox.serialize(triples, fh, ox.RdfFormat.TURTLE, prefixes=_prefixes(self.base_iri))
            written.append(target)
        return written

    def dump_nquads(self, path: Path) -> None:
        """Write every quad to an N-Quads file (what the query workers load)."""
        self._store.dump(str(path), ox.RdfFormat.N_QUADS)

    @classmethod
    def read_only(cls, path: Path, base_iri: str = CANONICAL_BASE) -> GraphStore:
        """Open an on-disk store read-only, also while a service holds it: a consistent view as of now (what
        ``graphapp backup`` dumps). Raises ``OSError`` when there is no store at ``path``."""
        store = cls(base_iri)
        store._store = ox.Store.read_only(str(path))
        store.path = path
        return store

    def load_nquads(self, path: Path) -> int:
        """Add every quad of an N-Quads file (a dump, a backup) with the engine's bulk loader; durable once it
        returns. Returns the number of quads in the store."""
        self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        if self.path is not None:
            self._store.flush()
        self.optimize()
        return len(self._store)

    def optimize(self) -> None:
        """Compact an on-disk store after a bulk load. A freshly loaded store keeps its data in many small files,
        which every read must look into: at 10^6 triples the heavy example queries ran about 3x slower on it than
        after this (1.5 s; ``python benchmarks/engine_storage.py``, docs/benchmarks.md). Nothing to do in memory."""
        if self.path is not None:
            self._store.optimize()

    def triples_of(self, subjects: Iterable[str]) -> Iterator[ox.Triple]:
        for s in subjects:
            if not is_valid_iri(s):
                continue  # it cannot be the subject of anything
            for q in self._store.quads_for_pattern(ox.NamedNode(s), None, None, None):
                yield ox.Triple(q.subject, q.predicate, q.object)

    def to_rdflib(self) -> rdflib.Graph:
        """The union of all graphs as an rdflib Graph, for pyshacl and other rdflib tools."""
        g = rdflib.Graph()
        for q in self.quads():
            g.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
        return g


def rdflib_graph(files: Iterable[SourceFile]) -> rdflib.Graph:
    """Parse files straight into one rdflib Graph (same parser and errors as the store)."""
    g = rdflib.Graph()
    for q in parse_all(files):
        g.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    return g


def export_files(files: Iterable[SourceFile], fmt: str, output: IO[bytes], base_iri: str = CANONICAL_BASE) -> None:
    """Export the given files without keeping a store around (used by the CLI)."""
    store = GraphStore(base_iri)
    store.load(files)
    store.export(fmt, output)


def _prefixes(base_iri: str) -> dict[str, str]:
    prefixes = {**PREFIXES, **TYPE_PREFIXES}
    if base_iri != CANONICAL_BASE:
        prefixes = {
            k: v.replace(CANONICAL_BASE, base_iri, 1) if v.startswith(REBASED) else v for k, v in prefixes.items()
        }
    prefixes.pop("sh", None)
    return prefixes


REBASED = tuple(CANONICAL_BASE + part for part in ("id/", "graph/"))


def _rebase(q: ox.Quad, base: str) -> ox.Quad:
    """Serve entities and graphs under another base. The vocabulary (``…/ontology#``) keeps its IRIs, like
    any published vocabulary: queries and shapes name its terms."""

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(t, ox.NamedNode) and t.value.startswith(REBASED):
            return ox.NamedNode(base + t.value[len(CANONICAL_BASE) :])
        return t

    return ox.Quad(term(q.subject), term(q.predicate), term(q.object), term(q.graph_name))


def rebase_iri(value: str, base: str) -> str:
    """An entity or graph IRI of the files, as served under ``base`` (the vocabulary keeps its IRIs).

    >>> rebase_iri("https://w3id.org/gakg/graph/catalog", "https://e.org/kg/")
    'https://e.org/kg/graph/catalog'
    """
    return base + value[len(CANONICAL_BASE) :] if value.startswith(REBASED) and base != CANONICAL_BASE else value


def _data_update(remove: list[ox.Quad], add: list[ox.Quad], *, blank_nodes: bool = False) -> str:
    """A SPARQL ``DELETE DATA``/``INSERT DATA`` update for the quads (the engine runs it as one transaction).

    >>> q = ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("x"), ox.NamedNode("http://e/g"))
    >>> _data_update([], [q])
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


def rdflib_term(t: object) -> rdflib.term.Node:
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


def _to_ox(value: object) -> ox.NamedNode | ox.Literal:
    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    if isinstance(value, rdflib.URIRef):
        return ox.NamedNode(checked_iri(str(value)))
    if isinstance(value, str):
        return ox.Literal(value)
    if isinstance(value, bool | int | float):
        return ox.Literal(value)
    raise TypeError(f"cannot bind {value!r}")


def _to_python(term: object) -> object:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return rdflib.Literal(
            term.value, lang=term.language, datatype=None if term.language else term.datatype.value
        ).toPython()
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term


__all__ = [
    "GraphStore",
    "EngineSortRefused",
    "EXPORT_FORMATS",
    "rdflib_graph",
    "export_files",
    "refuse_engine_sort",
    "Path",
]
