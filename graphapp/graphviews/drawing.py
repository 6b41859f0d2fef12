"""Drawing a view: the naming context, a pyvis canvas read back as nodes, edges and options for our
templates and ``graph.js``, the legends and the table of the entities that were not drawn.

pyvis's HTML page is never served. Every label is plain text: templates autoescape it, ``graph.js`` only uses
``textContent``, and vis-network draws labels on a canvas and shows string tooltips with ``innerText``."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..background import Built
from ..web.links import site_href
from .names import capitalised, compact, short_label
from .projection import EntityGraph, ServiceLike, edges_among

if TYPE_CHECKING:
    import networkx as nx

#: class colours, in order of how many drawn nodes have the class; CSS ``.swatch-<i>`` in views.css matches
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#17becf",
    "#8c8c00",
)
OTHER_COLOUR = "#bab0ac"
DEFAULT_LIMIT = 400
PAGE_SIZE = 100
#: a drawing with more entities than this opens grouped by class; a click on a group shows its members
GROUP_OVER = 40
OTHERS = "others"  # the group of the classes too rare to have a colour
#: the smallest label font on screen at the initial zoom (graph.js rearranges the drawing, or zooms in, to keep it)
MIN_LABEL_PX = 11
EDGE_COLOUR = "#9aa5ad"
#: the ring of groups on a narrow canvas (a phone): two columns this far from the middle (boxes are at most 170
#: wide, so the columns never overlap) and one node every RING_PORTRAIT_STEP down the page
RING_PORTRAIT_X = 100.0
RING_PORTRAIT_STEP = 36.0


@dataclass
class Ctx:
    """What a view needs to name things: the service and the reader's language. A request reads one projection
    (:meth:`projection`: the newest built, whichever view or measure asks first) and :meth:`graph_version` says
    which version it reflects."""

    service: ServiceLike
    lang: str
    current: int = field(init=False)  # the graph version when the request came
    _built: Built[EntityGraph] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.current = self.service.version

    def projection(self) -> EntityGraph:
        """The projection this request reads: the current version's, or while it is being built (waiting at most
        :data:`graphapp.background.WAIT_SECONDS`) the previous one's. Raises
        :exc:`graphapp.background.BeingPrepared` when none has been built yet."""
        if self._built is None:
            self._built = self.service.entity_graphs.get()
        return self._built.value

    def graph_version(self) -> dict[str, Any]:
        """Which graph version the answer reflects (``graph_version``), the current one
        (``current_graph_version``), and whether they are the same (``up_to_date``; ``preparing`` otherwise): a
        view drawn from the projection of the previous version while the current one is being built says so."""
        version = self._built.version if self._built is not None else self.current
        up_to_date = version >= self.current
        return {
            "graph_version": version,
            "current_graph_version": self.current,
            "up_to_date": up_to_date,
            "preparing": not up_to_date,
        }

    def t(self, es: str, en: str) -> str:
        return es if self.lang == "es" else en

    def label(self, iri: str) -> str:
        return self.service.index.label_or_iri(iri, self.lang)

    def href(self, iri: str) -> str | None:
        return site_href(iri, self.service.store.base_iri, self.service.index.labels)

    def ref(self, iri: str) -> dict[str, Any]:
        return {"iri": iri, "label": self.label(iri), "href": self.href(iri)}

    def class_of(self, iri: str) -> str:
        primary = self.projection().primary.get(iri)
        if primary:
            return primary
        types = sorted(self.service.index.types.get(iri, ()))
        return types[0] if types else ""

    def class_label(self, iri: str) -> str:
        cls = self.class_of(iri)
        return capitalised(self.label(cls)) if cls else self.t("Sin clase", "No class")


class Canvas:
    """The nodes, edges and options of one drawing, collected in a pyvis Network."""

    def __init__(self, ctx: Ctx, *, hierarchical: bool = False, physics: bool = True) -> None:
        self.ctx = ctx
        from pyvis.network import Network  # imported on first use: 0.2 s of every start otherwise

        self.net = Network(directed=True, layout=True if hierarchical else None)
        self.hierarchical = hierarchical
        self.physics = physics and not hierarchical
        if self.physics:
            self.net.barnes_hut(gravity=-6000, central_gravity=0.4, spring_length=110, overlap=0.1)
        self._ids: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()

    def __contains__(self, iri: str) -> bool:
        return iri in self._ids

    def node(
        self,
        iri: str,
        *,
        colour: str,
        label: str | None = None,
        notes: Iterable[str] = (),
        kind: str | None = None,
        tooltip: str | None = None,
        **options: Any,
    ) -> None:
        """Add an entity; its tooltip is plain text: ``tooltip`` (one sentence), or the full label, its class and
        any ``notes``."""
        if iri in self._ids:
            return
        full = self.ctx.label(iri)
        class_iri = self.ctx.class_of(iri)
        class_label = self.ctx.class_label(iri)
        self._ids.add(iri)
        self.net.add_node(
            iri,
            label=label if label is not None else short_label(full),
            title=tooltip or "\n".join([full, class_label, *notes]),
            color=colour,
            href=self.ctx.href(iri),
            class_iri=class_iri,
            class_label=class_label,
            kind=kind or compact(class_iri),
            **options,
        )

    def edge(self, source: str, target: str, title: str, *, label: str | None = None, **options: Any) -> None:
        """Add a link once per pair of nodes (both must be drawn)."""
        key = (source, target) if source <= target else (target, source)
        if key in self._pairs or source not in self._ids or target not in self._ids:
            return
        self._pairs.add(key)
        extra = {"label": label} if label else {}
        self.net.add_edge(source, target, title=title, **extra, **options)

    def link(self, triples: Sequence[tuple[str, str, str]], *, labelled: bool = False) -> None:
        """An edge of the projection: arrow in the direction of its first statement, titled by its properties."""
        s, _, o = triples[0]
        names = " · ".join(sorted({self.ctx.label(p) for _, p, _ in triples}))
        self.edge(s, o, names, label=short_label(names, 32) if labelled else None)

    def data(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Nodes, edges and vis-network options, read from the pyvis Network (never its HTML template)."""
        nodes, edges, _heading, _height, _width, options_json = self.net.get_network_data()
        options = json.loads(options_json)
        _merge(
            options,
            {
                "autoResize": True,
                "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False},
                "nodes": {
                    "shape": "dot",
                    "size": 12,
                    "font": {"size": 13, "face": "system-ui, sans-serif"},
                    "widthConstraint": {"maximum": 170},
                },
                "edges": {
                    "smooth": False,
                    "color": {"inherit": False, "color": EDGE_COLOUR, "highlight": "#7a1f3d", "hover": "#7a1f3d"},
                    "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                    "font": {"size": 12, "align": "middle", "color": "#5b6670"},
                },
                "physics": {"enabled": self.physics, "stabilization": {"enabled": self.physics, "iterations": 300}},
            },
        )
        if self.hierarchical:
            _merge(
                options,
                {
                    "layout": {
                        "hierarchical": {
                            "direction": "UD",
                            "sortMethod": "directed",
                            "levelSeparation": 140,
                            "nodeSpacing": 230,
                            "blockShifting": True,
                            "edgeMinimization": True,
                            "parentCentralization": True,
                        }
                    }
                },
            )
        if self.physics and len(nodes) > 100:
            # vis-network's "improved layout" (Kamada-Kawai) only works below 100 nodes; it logs a warning above
            _merge(options, {"layout": {"improvedLayout": False}})
        _merge(options, overrides or {})
        return {"nodes": list(nodes), "edges": list(edges), "options": options, "min_label_px": MIN_LABEL_PX}


def group_by_class(
    ctx: Ctx,
    canvas: Canvas,
    graph: nx.Graph,
    shown: list[str],
    grouped: list[str],
    colours: dict[str, str],
    node_options: Callable[[str], dict[str, Any]],
    *,
    ring: bool = False,
) -> dict[str, Any]:
    """Draw ``shown`` one by one and ``grouped`` as one node per class («Municipio (125)»), each group carrying
    its members (drawn as in ``node_options``) for graph.js to show on a click, with the links among them.

    ``ring=True`` places the groups on a circle, largest first (a drawing of groups only, without physics).
    Returns what the view's JSON adds: ``hidden_edges`` (links graph.js adds once both ends are on screen)."""
    for n in shown:
        canvas.node(n, colour=colours.get(ctx.class_of(n), OTHER_COLOUR), **node_options(n))
    by_class: dict[str, list[str]] = {}
    for n in grouped:  # the classes the legend colours have a group each; the rarer ones share «other classes»
        cls = ctx.class_of(n)
        by_class.setdefault(cls if cls in colours else OTHERS, []).append(n)
    hidden = Canvas(ctx)
    for n in [*shown, *grouped]:
        hidden.node(n, colour=colours.get(ctx.class_of(n), OTHER_COLOUR), **node_options(n))
    group_of = {n: "group:" + cls for cls, members in by_class.items() for n in members}
    several = ctx.t(
        "{} entidades de otras clases: haga clic para mostrarlas.", "{} entities of other classes: click to show them."
    )
    among = edges_among(graph, [*shown, *grouped])
    for a, b, data in among:
        if a in group_of or b in group_of:
            hidden.link(data["triples"])
        else:
            canvas.link(data["triples"])
    hidden_data = hidden.data()
    members_of = {n["id"]: n for n in hidden_data["nodes"]}
    group_names: dict[str, str] = {}
    ordered = sorted(by_class.items(), key=lambda item: (-len(item[1]), item[0]))
    radius = max(160.0, 150.0 * len(ordered) / (2 * math.pi))  # about 150 units between neighbours
    for position, (cls, members) in enumerate(ordered):
        angle = 2 * math.pi * position / max(len(ordered), 1) - math.pi / 2
        place: dict[str, Any] = {}
        if ring:
            place = {
                "x": radius * math.cos(angle),
                "y": radius * math.sin(angle),
                "fixed": True,
                "portrait": _ring_portrait(position, len(ordered)),
            }
        if cls == OTHERS:
            name = ctx.t("Otras clases", "Other classes")
        else:
            name = capitalised(ctx.label(cls)) if cls else ctx.t("Sin clase", "No class")
        gid = "group:" + cls
        group_names[gid] = name
        canvas.net.add_node(
            gid,
            label=f"{short_label(name, 28)} ({len(members)})",
            title=several.format(len(members))
            if cls == OTHERS
            else ctx.t(
                "{} entidades de la clase «{}»: haga clic para mostrarlas.",
                "{} entities of the class “{}”: click to show them.",
            ).format(len(members), name),
            color=colours.get(cls, OTHER_COLOUR),
            shape="box",
            kind="group",
            mass=1 + len(members) ** 0.5,
            **place,
            group_class=cls,
            class_label=name,
            href=None,
            font={"size": 14, "color": "#ffffff"},
            members=[members_of[m] for m in members],
        )
        canvas._ids.add(gid)
    # a group is linked to what its members are linked to, with one sentence saying how many
    counts: Counter[tuple[str, str]] = Counter()
    for a, b, _ in among:
        ends = sorted({group_of.get(a, a), group_of.get(b, b)})
        if len(ends) == 2 and (ends[0].startswith("group:") or ends[1].startswith("group:")):
            counts[(ends[0], ends[1])] += 1
    for (a, b), k in sorted(counts.items()):
        names = [group_names[x] if x in group_names else ctx.label(x) for x in (a, b)]
        canvas.edge(
            a,
            b,
            ctx.t("{} enlaces entre «{}» y «{}».", "{} links between “{}” and “{}”.").format(k, *names),
            width=min(1 + k / 5, 6),
            arrows={"to": {"enabled": False}},
        )
    return {"hidden_edges": hidden_data["edges"], "groups": len(by_class)}


def _ring_portrait(position: int, count: int) -> dict[str, float]:
    """A ring's node on a narrow canvas: still in ring order, down the right column and back up the left one, the
    two columns staggered so that the nodes of one column are two steps (more than a box's height) apart."""
    half = (count + 1) // 2
    if position < half:
        x, rank = RING_PORTRAIT_X, 2 * position
    else:
        x, rank = -RING_PORTRAIT_X, 2 * (count - 1 - position) + 1
    return {"x": x, "y": (rank - (count - 1) / 2) * RING_PORTRAIT_STEP}


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def class_legend(ctx: Ctx, nodes: list[str]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Colours for the commonest classes among ``nodes`` (the rest share 'other'), and their legend."""
    counts = Counter(ctx.class_of(n) for n in nodes)
    ranked = [c for c, _ in counts.most_common()][: len(PALETTE)]
    colours = {c: PALETTE[i] for i, c in enumerate(ranked)}
    legend = [
        {
            "iri": c,
            "label": capitalised(ctx.label(c)) if c else ctx.t("Sin clase", "No class"),
            "colour": PALETTE[i],
            "swatch": f"swatch-{i}",
            "count": counts[c],
        }
        for i, c in enumerate(ranked)
    ]
    others = sum(n for c, n in counts.items() if c not in colours)
    if others:
        legend.append(
            {
                "iri": None,
                "label": ctx.t("otras clases", "other classes"),
                "colour": OTHER_COLOUR,
                "swatch": "swatch-other",
                "count": others,
            }
        )
    return colours, legend


def role_legend(ctx: Ctx, roles: list[tuple[str, str, str]], counts: Counter[str]) -> list[dict[str, Any]]:
    """Legend of a view coloured by role: (key, Spanish, English) in palette order."""
    return [
        {"key": key, "label": ctx.t(es, en), "colour": PALETTE[i], "swatch": f"swatch-{i}", "count": counts[key]}
        for i, (key, es, en) in enumerate(roles)
    ]


def rest_table(ctx: Ctx, rest: list[str], degree: Callable[[str], int], page: int) -> dict[str, Any]:
    """One page of the entities that were not drawn."""
    pages = max(1, -(-len(rest) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    chunk = rest[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = [{**ctx.ref(n), "class_label": ctx.class_label(n), "degree": degree(n)} for n in chunk]
    return {"total": len(rest), "page": page, "pages": pages, "page_size": PAGE_SIZE, "rows": rows}
