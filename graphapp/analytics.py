"""Network analytics on the entity graph (networkx): who is central, how two entities are connected, and
which parts of the graph hang together.

All measures run on the projection of :mod:`graphapp.graphviews` (entities and their links, undirected). The
components are computed once per graph version through ``service.cached``; the centrality rankings, which take
seconds, are computed in the background for each new version (:class:`CentralityInBackground`), so that no
reader waits for them; a shortest path is a breadth-first search and is answered per request. Betweenness is
exact on small graphs and sampled (``BETWEENNESS_SAMPLE`` sources, fixed seed) on large ones: at 10^5 triples the
sample takes seconds, exact betweenness minutes (measured with networkx 3.6 on 2 cores).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from . import graphviews
from .graphviews import PALETTE, Canvas, Ctx, ServiceLike
from .heap import release_free_memory
from .iris import InvalidIri, is_valid_iri

if TYPE_CHECKING:  # imported where used (see graphviews.projection)
    import networkx as nx

TOP = 20
MEASURED_CLASS = "https://w3id.org/gakg/ontology#ObligatedSubject"
NETWORKS = ("gobierno-abierto", "todo")
"""``gobierno-abierto``: the open-government network, without the 908 bodies measured by the Métrica 2017 (each
hangs on its state and its scores, so hundreds of them tie on betweenness and bury the actors); ``todo``: with them."""
EXACT_BETWEENNESS_UP_TO = 1500
BETWEENNESS_SAMPLE = 300
SEED = 42
MAX_PATHS = 10
COMPONENTS_LISTED = 25
RETRY_AFTER = 5
"""Seconds a reader is asked to wait when no ranking of a network has been computed yet (the shipped data takes
about three per network on 2 cores)."""
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Centrality:
    """The most central actors, as IRIs with their measures, and how betweenness was computed."""

    by_degree: list[dict[str, Any]]
    by_betweenness: list[dict[str, Any]]
    nodes: int
    edges: int
    actors: int
    sample: int | None


@dataclass(frozen=True)
class Components:
    """Connected components, largest first: sizes and best-connected members (IRIs)."""

    sizes: list[int]
    listed: list[dict[str, Any]]
    nodes: int
    isolated: int


def actors(service: ServiceLike) -> set[str]:
    """Organisations (any subclass of org:Organization) and people (named query ``analytics-actors``)."""
    return service.cached(
        "analytics.actors", lambda: {str(r["actor"]) for r in service.store.select("analytics-actors")}
    )


def compute_centrality(graph: nx.Graph, who: set[str]) -> Centrality:
    """Degree and betweenness centrality over the whole graph, ranked among the actors ``who``."""
    import networkx as nx

    degree = nx.degree_centrality(graph) if len(graph) > 1 else dict.fromkeys(graph, 0.0)
    sample = None if len(graph) <= EXACT_BETWEENNESS_UP_TO else BETWEENNESS_SAMPLE
    betweenness = nx.betweenness_centrality(graph, k=sample, seed=SEED if sample else None)
    present = [n for n in graph if n in who]

    def row(n: str) -> dict[str, Any]:
        return {"iri": n, "degree": graph.degree(n), "degree_centrality": degree[n], "betweenness": betweenness[n]}

    by_degree = sorted(present, key=lambda n: (-degree[n], -betweenness[n], n))[:TOP]
    by_betweenness = sorted(present, key=lambda n: (-betweenness[n], -degree[n], n))[:TOP]
    return Centrality(
        [row(n) for n in by_degree],
        [row(n) for n in by_betweenness],
        graph.number_of_nodes(),
        graph.number_of_edges(),
        len(present),
        sample,
    )


def measured_bodies(service: ServiceLike) -> set[str]:
    """The bodies measured by the Métrica de Gobierno Abierto 2017 that are nothing else: their main class is
    ga:ObligatedSubject (INFOEM or INAI, also measured, keep their own class and stay)."""
    primary = graphviews.entity_graph(service).primary
    return {iri for iri, cls in primary.items() if cls == MEASURED_CLASS}


def network_centrality(service: ServiceLike, network: str = NETWORKS[0]) -> Centrality:
    """The centrality ranking of the current graph, computed now: by default on the open-government network
    (without the measured bodies), with ``network="todo"`` on the whole graph. Each ranked row also names the
    actor's class (``class``: its primary class in the projection, else its first type), so that a page can name
    it without the projection of a newer version. Pages read the rankings :class:`CentralityInBackground`
    computed."""
    if network not in NETWORKS:
        raise ValueError(f"red must be one of {', '.join(NETWORKS)}, not {network!r}.")
    projection = graphviews.entity_graph(service)
    graph = projection.graph
    if network == "gobierno-abierto":
        measured = measured_bodies(service)
        graph = graph.subgraph(n for n in graph if n not in measured)
    result = compute_centrality(graph, actors(service))
    types = service.index.types

    def with_class(row: dict[str, Any]) -> dict[str, Any]:
        iri = row["iri"]
        cls = projection.primary.get(iri) or min(types.get(iri, ()), default="")
        return {**row, "class": cls}

    by_degree = [with_class(r) for r in result.by_degree]
    by_betweenness = [with_class(r) for r in result.by_betweenness]
    return Centrality(by_degree, by_betweenness, result.nodes, result.edges, result.actors, result.sample)


class CentralityInBackground:
    """The centrality rankings of each graph version, computed in a background thread so that no reader waits
    for them (seconds at 10^5 triples, and a write makes a new version).

    :meth:`publish` tells it of a version (the service calls it at start and for every new version). Nothing is
    computed until a reader first asks for the rankings (:meth:`request`: a service that nobody asks pays nothing,
    and the test suite starts hundreds); from then on one thread computes every network for each new version, the
    default network first, one computation at a time. A newer version
    supersedes an older one: the older version's networks not yet started are skipped (a computation under way
    finishes, and its ranking serves until the newer one is ready). :meth:`latest` is what a page serves: the
    newest ranking computed for a network, with the version it was computed for (older than the current one
    while the current one is being prepared), or ``None`` when none has been computed yet."""

    def __init__(self, service: ServiceLike) -> None:
        self._service = service
        self._changed = threading.Condition()
        self._wanted: int | None = None  # the newest version asked for
        self._done: dict[str, tuple[int, Centrality]] = {}  # network -> (version, ranking), the newest computed
        self._failed: set[tuple[int, str]] = set()  # (version, network): not tried again for that version
        self._closed = False
        self._active = False  # a reader has asked for the rankings: every version is computed from then on
        self._current: int | None = None  # the newest version published
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        """A reader asks for the rankings: compute the current version's now (returns at once), and every new
        version's from now on."""
        with self._changed:
            if self._active or self._closed or self._current is None:
                return
            self._active = True
            current = self._current
        self.publish(current)

    def publish(self, version: int) -> None:
        """A new graph version: once the rankings have been asked for, start computing its (returns at once)."""
        with self._changed:
            if self._closed:
                return
            self._current = version
            if not self._active:
                return
            self._wanted = version
            self._changed.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="centrality", daemon=True)
                self._thread.start()

    def latest(self, network: str) -> tuple[int, Centrality] | None:
        """The newest ranking computed for ``network`` and its graph version, or ``None``."""
        with self._changed:
            return self._done.get(network)

    def wait(self, timeout: float) -> bool:
        """Wait until every network of the newest version asked for is computed (or failed); ``False`` at the
        ``timeout`` (seconds). For tests and scripts: pages never wait."""
        with self._changed:
            return self._changed.wait_for(lambda: self._closed or self._pending() is None, timeout)

    def close(self, timeout: float = 60.0) -> None:
        """Stop the thread after its current computation (whose result is dropped), and wait for it (at most
        ``timeout`` seconds): a computation under way reads the store, which must be closed after it."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _pending(self) -> tuple[int, str] | None:
        """The (version, network) to compute next: the newest version's first network without its ranking."""
        wanted = self._wanted
        if wanted is None:
            return None
        for network in NETWORKS:
            done = self._done.get(network)
            if (done is None or done[0] < wanted) and (wanted, network) not in self._failed:
                return wanted, network
        return None

    def _run(self) -> None:
        try:
            self._service.index  # noqa: B018 - the label index first: pages wait for it, the rankings can wait
        except Exception:
            log.exception("the label index could not be read before the centrality rankings")
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closed or self._pending() is not None)
                job = self._pending()
                if self._closed or job is None:
                    return
            version, network = job
            try:
                ranking = network_centrality(self._service, network)
            except Exception:
                with self._changed:
                    if self._closed:
                        return  # the store was closed under the computation
                    self._failed.add(job)
                    self._changed.notify_all()
                log.exception("the centrality of the %s network (graph version %s) failed", network, version)
                continue
            with self._changed:
                if self._closed:
                    return
                held = self._done.get(network)
                if held is None or held[0] < version:
                    self._done[network] = (version, ranking)
                self._changed.notify_all()
            release_free_memory()


def compute_components(graph: nx.Graph) -> Components:
    """Connected components by size; for each listed one, its five best-connected members."""
    import networkx as nx

    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    listed = [
        {"size": len(c), "top": sorted(c, key=lambda n: (-graph.degree(n), n))[:5]} for c in parts[:COMPONENTS_LISTED]
    ]
    return Components([len(c) for c in parts], listed, graph.number_of_nodes(), sum(1 for c in parts if len(c) == 1))


def components(service: ServiceLike) -> Components:
    """The components of the current graph version (computed once per version)."""
    return service.cached("analytics.components", lambda: compute_components(graphviews.entity_graph(service).graph))


def resolve(ctx: Ctx, value: str | None, name: str) -> str:
    """An entity from what a reader typed: an IRI, a ``/id/...`` path, or a name to look up.

    Raises ``ValueError`` (nothing given, or something that cannot be an IRI: :class:`InvalidIri`) or
    ``LookupError`` (no such entity)."""
    value = (value or "").strip()
    service = ctx.service
    if not value:
        raise ValueError(ctx.t(f"Falta el parámetro «{name}».", f"The parameter '{name}' is missing."))
    base = service.store.base_iri
    if value.startswith(("http://", "https://")):
        iri = value
    elif value.startswith(("/id/", "id/")):
        iri = base + value.lstrip("/")
    else:
        hits = service.index.search(value, ctx.lang, limit=1)
        if not hits:
            raise LookupError(ctx.t(f"Ninguna entidad se llama «{value}».", f"No entity is called '{value}'."))
        iri = hits[0].iri
    if not is_valid_iri(iri):
        raise InvalidIri(iri, name, ctx.lang)
    if not service.store.contains(iri):
        raise LookupError(ctx.t(f"No hay ninguna entidad <{iri}>.", f"No entity <{iri}>."))
    return iri


def paths(ctx: Ctx, source: str, target: str) -> dict[str, Any]:
    """Up to ``MAX_PATHS`` shortest paths between two entities, listed step by step and drawn left to right."""
    import networkx as nx

    graph = graphviews.entity_graph(ctx.service).graph
    found: list[list[str]] = []
    if source == target:
        found = [[source]]
    elif source in graph and target in graph:
        try:
            found = list(islice(nx.all_shortest_paths(graph, source, target), MAX_PATHS))
        except nx.NetworkXNoPath:
            found = []
    canvas = Canvas(ctx, hierarchical=True)
    listed = []
    for path in found:
        for position, node in enumerate(path):
            end = node in (source, target)
            canvas.node(
                node,
                colour=PALETTE[0] if end else PALETTE[1],
                level=position,
                shape="box" if end else "dot",
                font={"color": "#ffffff"} if end else {},
            )
        steps = []
        for a, b in zip(path, path[1:], strict=False):
            triples = graph[a][b]["triples"]
            canvas.link(triples, labelled=True)
            steps.append(
                {
                    "from": ctx.ref(a),
                    "to": ctx.ref(b),
                    "links": [{"subject": s, "predicate": ctx.ref(p), "object": o} for s, p, o in triples],
                }
            )
        listed.append({"nodes": [ctx.ref(n) for n in path], "steps": steps})
    data = canvas.data({"layout": {"hierarchical": {"direction": "LR", "levelSeparation": 400, "nodeSpacing": 90}}})
    return {
        "view": "path",
        "from": ctx.ref(source),
        "to": ctx.ref(target),
        "connected": bool(found),
        "length": len(found[0]) - 1 if found else None,
        "paths": listed,
        "more": len(found) == MAX_PATHS,
        **data,
    }
