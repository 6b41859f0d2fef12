"""The neighbourhood of an entity: everything within a few links of it, nearest first."""

from __future__ import annotations

from typing import Any

import networkx as nx

from .drawing import DEFAULT_LIMIT, OTHER_COLOUR, Canvas, Ctx, class_legend, rest_table
from .projection import entity_graph


def neighbourhood(ctx: Ctx, iri: str, depth: int = 1, limit: int = DEFAULT_LIMIT, page: int = 1) -> dict[str, Any]:
    """Everything within ``depth`` links of an entity; the nearest and best-connected are drawn first.

    Raises ``LookupError`` for an IRI the graph does not mention."""
    if not ctx.service.store.contains(iri):
        raise LookupError(ctx.t(f"No hay ninguna entidad <{iri}>.", f"No entity <{iri}>."))
    eg = entity_graph(ctx.service)
    graph = eg.graph
    distance = nx.single_source_shortest_path_length(graph, iri, cutoff=depth) if iri in graph else {iri: 0}
    degree = {n: graph.degree(n) if n in graph else 0 for n in distance}
    order = sorted(distance, key=lambda n: (distance[n], -degree[n], n))
    drawn, rest = order[:limit], order[limit:]
    colours, legend = class_legend(ctx, drawn)
    canvas = Canvas(ctx)
    for n in drawn:
        centre = n == iri
        canvas.node(
            n,
            colour=colours.get(ctx.class_of(n), OTHER_COLOUR),
            size=26 if centre else 12,
            borderWidth=4 if centre else 1,
            distance=distance[n],
            degree=degree[n],
            font={"size": 16 if centre else 13},
        )
    if iri in graph:
        for *_, data in graph.subgraph(drawn).edges(data=True):
            canvas.link(data["triples"])
    return {
        "view": "neighbourhood",
        "entity": {**ctx.ref(iri), "class_label": ctx.class_label(iri)},
        "depth": depth,
        "total": len(order),
        "shown": len(drawn),
        "limit": limit,
        "legend": legend,
        "rest": rest_table(ctx, rest, degree.__getitem__, page),
        **canvas.data(),
    }
