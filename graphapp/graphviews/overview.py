"""The overview: the whole graph, or the entities of some classes, best-connected first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .drawing import DEFAULT_LIMIT, GROUP_OVER, OTHER_COLOUR, Canvas, Ctx, class_legend, group_by_class, rest_table
from .names import compact, expand
from .projection import edges_among

if TYPE_CHECKING:
    from .projection import EntityGraph


def overview(ctx: Ctx, classes: list[str], limit: int = DEFAULT_LIMIT, page: int = 1) -> dict[str, Any]:
    """The whole graph, or the entities of some classes; the ``limit`` best-connected ones are drawn.

    Raises ``ValueError`` for a class that is not a prefixed name or IRI of a class with entities."""
    eg = ctx.projection()
    selected: set[str] = set()
    for value in classes:
        iri = expand(value)
        if iri is None or iri not in eg.class_sizes:
            raise ValueError(
                ctx.t(
                    f"Clase desconocida o sin entidades: {value!r} (use p. ej. ga:Municipality).",
                    f"Unknown class or class without entities: {value!r} (use e.g. ga:Municipality).",
                )
            )
        selected.add(iri)
    order, degree = ranking(eg, frozenset(selected))
    drawn, rest = order[:limit], order[limit:]
    colours, legend = class_legend(ctx, drawn)
    grouped = len(drawn) > GROUP_OVER
    # one class only (a filter): its best-connected entities one by one, the rest in one group; several classes:
    # one node per class, on a ring; either way a click on a group shows its members
    one_class = len({ctx.class_of(n) for n in drawn}) <= 1
    canvas = Canvas(ctx, physics=not grouped or one_class)
    extra: dict[str, Any] = {"hidden_edges": [], "groups": 0}
    if grouped:

        def options(n: str) -> dict[str, Any]:
            return {"value": degree[n], "degree": degree[n]}

        if one_class:
            first = drawn[: GROUP_OVER // 2]
            extra = group_by_class(ctx, canvas, eg.graph, first, drawn[len(first) :], colours, options)
        else:
            extra = group_by_class(ctx, canvas, eg.graph, [], drawn, colours, options, ring=True)
    else:
        for n in drawn:
            canvas.node(n, colour=colours.get(ctx.class_of(n), OTHER_COLOUR), value=degree[n], degree=degree[n])
        for *_, data in edges_among(eg.graph, drawn):
            canvas.link(data["triples"])
    available = sorted(eg.class_sizes.items(), key=lambda item: (-item[1], item[0]))
    return {
        "view": "overview",
        "total": len(order),
        "shown": len(drawn),
        "limit": limit,
        "selected": sorted(compact(c) for c in selected),
        "classes": [
            {"iri": c, "curie": compact(c), "label": ctx.label(c), "count": n, "selected": c in selected}
            for c, n in available
        ],
        "legend": legend,
        "rest": rest_table(ctx, rest, degree.__getitem__, page),
        **extra,
        **canvas.data(
            {
                "nodes": {"scaling": {"min": 8, "max": 36, "label": {"enabled": False}}},
            }
        ),
    }


def ranking(eg: EntityGraph, selected: frozenset[str]) -> tuple[list[str], dict[str, int]]:
    """The entities of the ``selected`` classes (all with none), best-connected first, and each one's degree among
    them. The whole graph's and each single class's ranking are kept with the projection (:meth:`EntityGraph.memo`;
    a bounded number of them), a combination of classes is ranked per request. At 10^7 triples the whole graph's
    took 12 s of every request; the service ranks it when it builds the projection, in the background."""

    def compute() -> tuple[list[str], dict[str, int]]:
        if selected:
            candidates = [n for n in eg.graph if not selected.isdisjoint(eg.classes.get(n, ()))]
            degree = dict(eg.graph.subgraph(candidates).degree())
        else:
            candidates, degree = list(eg.graph), dict(eg.graph.degree())
        return sorted(candidates, key=lambda n: (-degree[n], n)), degree

    if len(selected) > 1:
        return compute()
    return eg.memo("overview-ranking " + " ".join(selected), compute)
