"""The neighbourhood of an entity: everything within a few links of it, nearest first."""

from __future__ import annotations

from typing import Any

from .drawing import DEFAULT_LIMIT, GROUP_OVER, Canvas, Ctx, class_legend, group_by_class, rest_table


def neighbourhood(ctx: Ctx, iri: str, depth: int = 1, limit: int = DEFAULT_LIMIT, page: int = 1) -> dict[str, Any]:
    """Everything within ``depth`` links of an entity; the nearest and best-connected are drawn first.

    Raises ``LookupError`` for an IRI the graph does not mention."""
    import networkx as nx

    if not ctx.service.store.contains(iri):
        raise LookupError(ctx.t(f"No hay ninguna entidad <{iri}>.", f"No entity <{iri}>."))
    eg = ctx.projection()
    graph = eg.graph
    distance = nx.single_source_shortest_path_length(graph, iri, cutoff=depth) if iri in graph else {iri: 0}
    degree = {n: graph.degree(n) if n in graph else 0 for n in distance}
    order = sorted(distance, key=lambda n: (distance[n], -degree[n], n))
    drawn, rest = order[:limit], order[limit:]
    colours, legend = class_legend(ctx, drawn)
    canvas = Canvas(ctx)

    def options(n: str) -> dict[str, Any]:
        centre = n == iri
        return {
            "size": 26 if centre else 12,
            "borderWidth": 4 if centre else 1,
            "distance": distance[n],
            "degree": degree[n],
            "font": {"size": 16 if centre else 13},
        }

    # the entity and its nearest, best-connected neighbours one by one; when that is too many to read at once,
    # the rest one node per class, opened by a click
    shown = drawn if len(drawn) <= GROUP_OVER else drawn[: GROUP_OVER // 2]
    if iri not in graph:
        shown = drawn
    extra = group_by_class(ctx, canvas, graph, shown, [n for n in drawn if n not in shown], colours, options)
    return {
        "view": "neighbourhood",
        "entity": {**ctx.ref(iri), "class_label": ctx.class_label(iri)},
        "depth": depth,
        "total": len(order),
        "shown": len(drawn),
        "limit": limit,
        "legend": legend,
        "rest": rest_table(ctx, rest, degree.__getitem__, page),
        **extra,
        "focus": iri,
        **canvas.data(),
    }
