"""The embedded store: :class:`GraphStore`, the default implementation of :class:`graphapp.storage.Store`.

The embedded engine is pyoxigraph (docs/benchmarks.md, `python benchmarks/run.py`: 30-150x faster than an
rdflib-backed endpoint on the data-heavy queries at 10^6 triples), on disk (RocksDB) or in memory. The web process
reads and writes it only through the :class:`graphapp.storage.Store` interface; the query workers
(:mod:`graphapp.worker`) open its snapshots read-only with pyoxigraph themselves, in their sandbox.
rdflib stays the modelling, parsing and SHACL API; :meth:`GraphStore.to_rdflib` hands a copy to it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Literal, overload

import pyoxigraph as ox
import rdflib

from .config import Settings
from .iris import CANONICAL_BASE, is_valid_iri
from .sources import SourceFile, discover, parse_all
from .storage import (
    RawRow,
    Row,
    as_triples,
    data_update,
    export_graphs,
    export_quads,
    rebase_iri,
    rebase_quad,
    refuse_engine_sort,
    rows_of,
    run_named,
    to_rdflib,
    to_term,
)

log = logging.getLogger(__name__)


class GraphStore:
    """A dataset of named graphs, one per source file plus the graphs that writes add; on disk at ``path``
    (RocksDB, every committed write durable) or in memory.

    >>> s = GraphStore.from_settings(Settings())
    >>> len(s) > 1000
    True
    """

    def __init__(self, base_iri: str = CANONICAL_BASE, path: Path | None = None) -> None:
        self._store = ox.Store(str(path)) if path is not None else ox.Store()
        self.path = path
        self.base_iri = base_iri
        self.files: list[SourceFile] = []
        self._reads_stopped = threading.Event()
        # the list of named graphs, remembered until a change: the engine on disk took about 2.6 ms to list them at
        # 10^6 triples, and every SPARQL request asks for it (docs/benchmarks.md, «What a cheap query paid at 10^6»)
        self._graphs: list[str] | None = None
        self._graphs_changes = 0  # changes so far: a list read before a change is not remembered after it
        self._graphs_lock = threading.Lock()

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
            quads = [rebase_quad(q, self.base_iri) for q in quads]
        self._store.bulk_extend(quads)
        self.files.extend(files)
        self.forget_cached_graphs()

    def replace_graphs(self, graphs: Iterable[str], files: Iterable[SourceFile]) -> int:
        """Empty ``graphs`` (IRIs as stored) and load ``files`` into theirs (under the store's base): how
        the store follows changed source files. Parses everything first, so a syntax error changes nothing.
        Returns the quads loaded."""
        files = list(files)
        quads = parse_all(files)
        if self.base_iri != CANONICAL_BASE:
            quads = [rebase_quad(q, self.base_iri) for q in quads]
        for graph in graphs:
            node = ox.NamedNode(graph)
            if self._store.contains_named_graph(node):
                self._store.remove_graph(node)
        self._store.bulk_extend(quads)
        if self.path is not None:
            self._store.flush()
        self.forget_cached_graphs()
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
        """Forget the list of graphs (:meth:`graphs`): the store changed, here or in another process."""
        with self._graphs_lock:
            self._graphs = None
            self._graphs_changes += 1

    def apply(self, add: Iterable[ox.Quad], remove: Iterable[ox.Quad]) -> None:
        """Remove then add quads in one transaction: all or nothing, durable once it returns.

        Blank nodes cannot be named in a transaction's data: writes name every node (see
        :func:`graphapp.writes.changes.skolemize`)."""
        text = data_update(list(remove), list(add))
        if text:
            try:
                self._store.update(text)
            finally:
                self.forget_cached_graphs()

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

    def stop_reads(self) -> None:
        self._reads_stopped.set()

    def close(self) -> None:
        """Release the engine (on disk: its lock on the folder, so another process or command may open it)."""
        self._store = ox.Store()  # the on-disk store is closed when its last reference goes
        self.forget_cached_graphs()

    def __len__(self) -> int:
        return len(self._store)

    def graphs(self) -> list[str]:
        """IRIs of the named graphs in the store (listed once per change: :meth:`forget_cached_graphs`)."""
        with self._graphs_lock:
            if self._graphs is not None:
                return list(self._graphs)
            changes = self._graphs_changes
        listed = sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        with self._graphs_lock:
            if changes == self._graphs_changes:
                self._graphs = listed
        return list(listed)

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
        return run_named(self._select, name, bindings, raw=raw, allow_sort=allow_sort)

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
        return self._select(text, bindings, raw)

    def _select(self, text: str, bindings: Mapping[str, object] | None, raw: bool) -> list[Row]:
        terms = {k: to_term(v) for k, v in (bindings or {}).items()}
        inlined = with_constants(text, terms)
        try:
            result = self._store.query(
                inlined if inlined is not None else text,
                use_default_graph_as_union=True,
                substitutions={} if inlined is not None else {ox.Variable(k): t for k, t in terms.items()},
            )
        except SyntaxError:
            if inlined is None:
                raise
            log.warning("a named query could not take its bindings as constants; bound by the engine instead")
            result = self._store.query(
                text, use_default_graph_as_union=True, substitutions={ox.Variable(k): t for k, t in terms.items()}
            )
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("not a SELECT query")
        try:
            return rows_of([v.value for v in result.variables], result, raw=raw, stop=self._reads_stopped)
        finally:
            del result  # freed on the thread that made it

    def triples(
        self, name: str, bindings: Mapping[str, object] | None = None, *, allow_sort: bool = False
    ) -> list[ox.Triple]:
        """Run the named SELECT query ``queries/<name>.rq`` whose rows are ``?s ?p ?o`` and return them as triples.

        The web process never runs a CONSTRUCT in the engine: pyoxigraph's CONSTRUCT result may only be freed on
        the thread that made it, and the web serves from a pool of threads (a result freed by another thread's
        garbage collection is leaked with an error). Users' CONSTRUCT queries run in the query workers."""
        return as_triples(self.select(name, bindings, raw=True, allow_sort=allow_sort))

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
        export_quads(self.quads(), fmt, output, self.base_iri)

    def export_per_graph(self, folder: Path) -> list[Path]:
        """Write each named graph as sorted Turtle to ``folder/<path of the graph>.ttl`` (see
        :func:`graphapp.storage.export_graphs`)."""
        return export_graphs(self.quads(), folder, self.base_iri)

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
        self.forget_cached_graphs()
        self.optimize()
        return len(self._store)

    def optimize(self) -> None:
        """Compact an on-disk store after a bulk load. A freshly loaded store keeps its data in many small files,
        which every read must look into: at 10^6 triples the heavy example queries ran about 3x slower on it than
        after this (1.5 s; ``python benchmarks/engine_storage.py``, docs/benchmarks.md). Nothing to do in memory."""
        if self.path is not None:
            self._store.optimize()

    def to_rdflib(self) -> rdflib.Graph:
        """The union of all graphs as an rdflib Graph, for pyshacl and other rdflib tools."""
        return to_rdflib(self.quads())


def rdflib_graph(files: Iterable[SourceFile]) -> rdflib.Graph:
    """Parse files straight into one rdflib Graph (same parser and errors as the store)."""
    return to_rdflib(parse_all(files))


__all__ = ["GraphStore", "rdflib_graph"]


_SUBQUERY = re.compile(r"\bSELECT\b", re.IGNORECASE)


def with_constants(text: str, terms: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
    r"""``text`` with each bound variable written as its term in the ``WHERE`` group, and bound again by a trailing
    ``VALUES`` for the rows; ``None`` when there is nothing to bind or the group holds a subquery (the engine binds
    them then).

    pyoxigraph applies ``substitutions`` after it has planned the query: its planner does not know the variable
    is bound, and may start from a pattern that matches the whole graph. An entity's RDF description
    (``entity-describe``) took 1.5 s at 10^6 triples that way, 3 ms with the IRI written in
    (``python benchmarks/bound_queries.py --store STORE_DIR/db``; see ``docs/benchmarks.md``).

    >>> with_constants("SELECT ?iri ?l WHERE { ?iri ?p ?x . ?x <http://l> ?l }", {"iri": ox.NamedNode("http://e/a")})
    'SELECT ?iri ?l WHERE { <http://e/a> ?p ?x . ?x <http://l> ?l }\nVALUES (?iri) { (<http://e/a>) }'
    """
    start = text.find("{")
    if not terms or start < 0 or _SUBQUERY.search(text, start):
        return None
    head, body = text[:start], text[start:]
    for name, term in terms.items():
        written = str(term).replace("\\", "\\\\")  # a replacement string: its backslashes kept as they are
        body = re.sub(rf"[?$]{re.escape(name)}(?![\w\u00B7\u0300-\u036F\u203F-\u2040])", written, body)
    names = " ".join(f"?{name}" for name in terms)
    row = " ".join(str(term) for term in terms.values())
    return f"{head}{body.rstrip()}\nVALUES ({names}) {{ ({row}) }}"
