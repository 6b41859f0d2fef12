"""The networkx projection of the entity graph: entities as nodes, IRI-to-IRI links as undirected edges.

It comes from three named queries and is built in the background once per graph version (the service's
``entity_graphs``, a :class:`graphapp.background.BuiltInBackground`: minutes at 10^7 triples); a request reads the
newest projection built (:meth:`graphapp.graphviews.drawing.Ctx.projection`), the views and
:mod:`graphapp.analytics` share it."""

from __future__ import annotations

import functools
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from sys import intern
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..background import BuiltInBackground
from ..index import GraphIndex
from ..storage import Store

if TYPE_CHECKING:  # networkx is imported by the first view that needs it: 0.1 s of every start otherwise
    import networkx as nx

T = TypeVar("T")


class ServiceLike(Protocol):
    store: Store
    index: GraphIndex
    version: int
    entity_graphs: BuiltInBackground[EntityGraph]

    def cached(self, key: str, compute: Callable[[], T]) -> T: ...
    def derived_index(self, name: str, builder: Callable[[Store], T]) -> T: ...


@dataclass
class EntityGraph:
    """Entities as nodes, links as undirected edges; each edge keeps its ``triples`` (s, p, o), a tuple."""

    graph: nx.Graph
    classes: dict[str, tuple[str, ...]]
    primary: dict[str, str]
    class_sizes: Counter[str]
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once for this projection (so once per graph version): measures derived from it, such as
        the components, are kept with it and served with it while a newer projection is being built."""
        with _MEMO_LOCK:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()
        with _MEMO_LOCK:
            return self._memo.setdefault(key, value)  # type: ignore[no-any-return]

    def released(self) -> None:
        """No longer served (:class:`graphapp.background.BuiltInBackground` calls it when a newer projection
        replaces this one): drop the views networkx caches on the graph (``edges``, ``degree``, …). Each refers to
        the graph, a cycle that only the interpreter's next full collection would free, so that the projection of
        every earlier version stayed in memory until then (143,000 objects at 10^6 triples). A reader still using
        this projection gets the views made again."""
        for cls in type(self.graph).__mro__:
            for name, attr in vars(cls).items():
                if isinstance(attr, functools.cached_property):
                    self.graph.__dict__.pop(name, None)

    def dismantle(self) -> None:
        """Free this projection a few objects at a time, once nobody reads it (:class:`graphapp.background.Reaper`
        calls it). Freed at once, its millions of dictionaries held the interpreter's lock the whole time: 113-147 ms
        at 10^6 triples, more than a second at 10^7, and every request of the web process waited meanwhile. Emptied
        by a loop, the lock passes to the other threads every few milliseconds."""
        self.released()
        for table in (self.graph._adj, self.graph._node, self.classes, self.primary, self._memo):
            while table:
                table.popitem()

    def __getstate__(self) -> dict[str, Any]:
        # saved in the store folder without what was derived from it
        return {**self.__dict__, "_memo": {}}


_MEMO_LOCK = threading.Lock()


def build_entity_graph(store: Store) -> EntityGraph:
    """Project the store onto networkx (named queries ``view-entity-nodes``, ``view-entity-edges`` and
    ``view-meta-nodes``, whose vocabulary terms and reified statements are left out).

    A node's primary class, which colours it, is its rarest class: an ayuntamiento is drawn as an
    ayuntamiento, not as one of 916 obligated subjects."""
    found: dict[str, set[str]] = defaultdict(set)
    # IRIs interned: one string per IRI however many edges and triples name it (most of the projection's memory
    # at 10^6 triples was copies)
    # raw rows (the engine's terms, read as strings): no rdflib term is made for each of millions of IRIs
    for row in store.select("view-entity-nodes", raw=True):
        found[intern(row["s"].value)].add(intern(row["type"].value))
    # what the projection keeps is tuples of strings (its classes, each edge's triples), never sets or lists: the
    # interpreter's collector stops walking a tuple of strings once it has seen it, but walks every set and list
    # each time, and holds the interpreter lock meanwhile (with the three whole-graph indexes held at 10^6 triples,
    # a full collection took 438 ms with sets and lists here and in the finder's postings, 123 ms without:
    # python benchmarks/derived_indexes.py, docs/benchmarks.md)
    shared: dict[frozenset[str], tuple[str, ...]] = {}  # one tuple per distinct set of classes
    classes = {n: shared.setdefault(frozenset(cs), tuple(sorted(cs))) for n, cs in found.items()}
    del found, shared
    meta = {row["n"].value for row in store.select("view-meta-nodes", raw=True)}
    links: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for row in store.select("view-entity-edges", raw=True):
        s, p, o = intern(row["s"].value), intern(row["p"].value), intern(row["o"].value)
        if s == o or s in meta or o in meta:
            continue
        links[(s, o) if (o, s) not in links else (o, s)].append((s, p, o))
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(classes)
    graph.add_edges_from((s, o, {"triples": tuple(triples)}) for (s, o), triples in links.items())
    del links
    sizes: Counter[str] = Counter(c for cs in classes.values() for c in cs)
    primary = {n: min(cs, key=lambda c: (sizes[c], c)) for n, cs in classes.items()}
    return EntityGraph(graph, classes, primary, sizes)


def entity_graph(service: ServiceLike) -> EntityGraph:
    """The projection of the current graph version, waiting for its build as long as it takes: for background
    work (the centrality rankings) and scripts. A request reads :meth:`Ctx.projection`, which never waits more
    than :data:`graphapp.background.WAIT_SECONDS`."""
    return service.entity_graphs.current().value


def edges_among(graph: nx.Graph, nodes: Iterable[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """The edges of ``graph`` between two of ``nodes``, each once with its data, in the order of ``nodes``: what
    ``graph.subgraph(nodes).edges(data=True)`` gives. A node with more neighbours than there are ``nodes`` is asked
    about each of the others rather than walked: the overview draws the best-connected entities, and at 10^7
    triples walking their neighbours through networkx's subgraph view took most of its second
    (docs/benchmarks.md)."""
    adjacency = graph._adj  # the dict of dicts behind graph.adj, without a view object per lookup
    inside = dict.fromkeys(n for n in nodes if n in adjacency)
    done: set[str] = set()
    found = []
    for a in inside:
        neighbours = adjacency[a]
        if len(neighbours) > len(inside):
            pairs: Iterable[tuple[str, dict[str, Any]]] = ((b, neighbours[b]) for b in inside if b in neighbours)
        else:
            pairs = ((b, data) for b, data in neighbours.items() if b in inside)
        found += [(a, b, data) for b, data in pairs if b not in done]
        done.add(a)
    return found
