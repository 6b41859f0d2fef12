"""Network analytics on the entity graph (networkx): who is central, how two entities are connected, and
which parts of the graph hang together.

All measures run on the projection of :mod:`graphapp.graphviews` (entities and their links, undirected), which is
built in the background for each graph version (:mod:`graphapp.background`): a request reads the newest one built.
The components are computed once per projection; the centrality rankings, which take seconds, are computed in the
background for each new version (:class:`CentralityInBackground`), so that no reader waits for them; a shortest
path is a breadth-first search and is answered per request. Betweenness is exact on small graphs and sampled
(``BETWEENNESS_SAMPLE`` sources, fixed seed) on large ones: at 10^5 triples the sample takes seconds, exact
betweenness minutes (measured with networkx 3.6 on 2 cores).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from . import graphviews
from .background import BuiltInBackground
from .graphviews import PALETTE, Canvas, Ctx, ServiceLike
from .graphviews.projection import EntityGraph
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


def measured_bodies(projection: EntityGraph) -> set[str]:
    """The bodies measured by the Métrica de Gobierno Abierto 2017 that are nothing else: their main class is
    ga:ObligatedSubject (INFOEM or INAI, also measured, keep their own class and stay)."""
    return {iri for iri, cls in projection.primary.items() if cls == MEASURED_CLASS}


def network_centrality(service: ServiceLike, network: str = NETWORKS[0]) -> Centrality:
    """The centrality ranking of the current graph, computed now: by default on the open-government network
    (without the measured bodies), with ``network="todo"`` on the whole graph. Each ranked row also names the
    actor's class (``class``: its primary class in the projection, else its first type), so that a page can name
    it without the projection of a newer version. Pages read the rankings :class:`CentralityInBackground`
    computed; this waits for the projection of the current version (built in the background too)."""
    if network not in NETWORKS:
        raise ValueError(f"red must be one of {', '.join(NETWORKS)}, not {network!r}.")
    projection = graphviews.entity_graph(service)
    graph = projection.graph
    if network == "gobierno-abierto":
        measured = measured_bodies(projection)
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


class CentralityInBackground(BuiltInBackground[Centrality]):
    """The centrality rankings of each graph version (one part per network, the default network first), computed
    in the background (:class:`graphapp.background.BuiltInBackground`) from the first reader on: a service that
    nobody asks pays nothing. Pages never wait for them (``wait_seconds=0``: seconds at 10^5 triples): they serve
    the newest ranking computed, of an older version while the current one is being prepared, or a 503 with
    ``Retry-After`` before the first."""

    def __init__(self, service: ServiceLike) -> None:
        def build(version: int, network: str) -> Centrality:
            service.index  # noqa: B018 - the label index first: pages wait for it, the rankings can wait
            return network_centrality(service, network)

        super().__init__("centrality", build, parts=NETWORKS, wait_seconds=0.0, retry_after=RETRY_AFTER)


def compute_components(graph: nx.Graph) -> Components:
    """Connected components by size; for each listed one, its five best-connected members."""
    import networkx as nx

    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    listed = [
        {"size": len(c), "top": sorted(c, key=lambda n: (-graph.degree(n), n))[:5]} for c in parts[:COMPONENTS_LISTED]
    ]
    return Components([len(c) for c in parts], listed, graph.number_of_nodes(), sum(1 for c in parts if len(c) == 1))


def projection_components(projection: EntityGraph) -> Components:
    """The components of a projection (computed once per projection, so once per graph version): what a page
    serves, with the projection it reads."""
    return projection.memo("analytics.components", lambda: compute_components(projection.graph))


def components(service: ServiceLike) -> Components:
    """The components of the current graph version (waiting for its projection: for scripts and tests)."""
    return projection_components(graphviews.entity_graph(service))


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

    graph = ctx.projection().graph
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
