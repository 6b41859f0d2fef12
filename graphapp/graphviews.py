"""The interactive graph views: a networkx projection of the entity graph, and the networks each view draws.

The projection (entities as nodes, IRI-to-IRI links as edges) comes from two named queries and is built once
per graph version (``service.cached``). Each view turns part of it, or the answer of its own named query,
into a pyvis :class:`~pyvis.network.Network`; we read the network's node and edge lists and its options and
hand them to our own templates and ``graph.js``. pyvis's HTML page is never served: it loads Bootstrap from a
CDN and switches to HTML tooltips when a title contains ``href`` (see ../shared/FACTS.md).

Every label a view returns is plain text: templates autoescape it, ``graph.js`` only uses ``textContent``,
and vis-network draws labels on a canvas and shows string tooltips with ``innerText``.

>>> compact("https://w3id.org/gakg/ontology#Municipality")
'ga:Municipality'
>>> expand("sdgo:Goal")
'http://metadata.un.org/sdg/ontology#Goal'
>>> score_colour(0.5201) == SCORE_BINS[3][1]
True
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import networkx as nx
from pyvis.network import Network

from .index import GraphIndex
from .iris import PREFIXES
from .store import GraphStore
from .store import iri as as_iri
from .web.links import local_href

T = TypeVar("T")
GA = PREFIXES["ga"]
ORG = PREFIXES["org"]

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
UNMEASURED_COLOUR = "#d0d0d0"
#: Métrica 2017 open-government index bins: (lower bound, colour, CSS class); the highest scores are darkest
SCORE_BINS = (
    (0.0, "#fde725", "score-0"),
    (0.3, "#5ec962", "score-1"),
    (0.4, "#21918c", "score-2"),
    (0.5, "#3b528b", "score-3"),
    (0.6, "#440154", "score-4"),
)
DEFAULT_LIMIT = 400
PAGE_SIZE = 100
EDGE_COLOUR = "#9aa5ad"


class ServiceLike(Protocol):
    store: GraphStore
    index: GraphIndex

    def cached(self, key: str, compute: Callable[[], T]) -> T: ...


# ---------------------------------------------------------------- names of classes


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace (the longest match wins), else the IRI."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    rest = iri[len(PREFIXES[best]) :] if best else ""
    return f"{best}:{rest}" if best and rest and "/" not in rest and "#" not in rest else iri


def expand(value: str) -> str | None:
    """The IRI of ``prefix:local`` or of a full http(s) IRI; ``None`` for anything else."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and local:
        return PREFIXES[prefix] + local
    return None


def score_colour(score: float | None) -> str:
    """The colour of a Métrica 2017 index (grey when the body was not measured)."""
    return UNMEASURED_COLOUR if score is None else _score_bin(score)[1]


def _score_bin(score: float) -> tuple[float, str, str]:
    found = SCORE_BINS[0]
    for b in SCORE_BINS:
        if score >= b[0]:
            found = b
    return found


def short_label(text: str, size: int = 48) -> str:
    """A label short enough to draw; the tooltip and the tables keep the full text."""
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _number(value: object) -> float | None:
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


# ---------------------------------------------------------------- the projection


@dataclass
class EntityGraph:
    """Entities as nodes, links as undirected edges; each edge keeps its ``triples`` (s, p, o)."""

    graph: nx.Graph
    classes: dict[str, set[str]]
    primary: dict[str, str]
    class_sizes: Counter[str]


def build_entity_graph(store: GraphStore) -> EntityGraph:
    """Project the store onto networkx (named queries ``view-entity-nodes`` and ``view-entity-edges``).

    A node's primary class, which colours it, is its rarest class: an ayuntamiento is drawn as an
    ayuntamiento, not as one of 916 obligated subjects."""
    classes: dict[str, set[str]] = defaultdict(set)
    for row in store.select("view-entity-nodes"):
        classes[str(row["s"])].add(str(row["type"]))
    graph = nx.Graph()
    graph.add_nodes_from(classes)
    for row in store.select("view-entity-edges"):
        s, p, o = str(row["s"]), str(row["p"]), str(row["o"])
        if s == o:
            continue
        if graph.has_edge(s, o):
            graph[s][o]["triples"].append((s, p, o))
        else:
            graph.add_edge(s, o, triples=[(s, p, o)])
    sizes: Counter[str] = Counter(c for cs in classes.values() for c in cs)
    primary = {n: min(cs, key=lambda c: (sizes[c], c)) for n, cs in classes.items()}
    return EntityGraph(graph, dict(classes), primary, sizes)


def entity_graph(service: ServiceLike) -> EntityGraph:
    """The projection of the current graph version, computed once per version."""
    return service.cached("graphviews.entity_graph", lambda: build_entity_graph(service.store))


# ---------------------------------------------------------------- drawing


@dataclass
class Ctx:
    """What a view needs to name things: the service and the reader's language."""

    service: ServiceLike
    lang: str

    def t(self, es: str, en: str) -> str:
        return es if self.lang == "es" else en

    def label(self, iri: str) -> str:
        return self.service.index.label_or_iri(iri, self.lang)

    def href(self, iri: str) -> str | None:
        return local_href(iri, self.service.store.base_iri)

    def ref(self, iri: str) -> dict[str, Any]:
        return {"iri": iri, "label": self.label(iri), "href": self.href(iri)}

    def class_of(self, iri: str) -> str:
        primary = entity_graph(self.service).primary.get(iri)
        if primary:
            return primary
        types = sorted(self.service.index.types.get(iri, ()))
        return types[0] if types else ""

    def class_label(self, iri: str) -> str:
        cls = self.class_of(iri)
        return self.label(cls) if cls else self.t("sin clase", "no class")


class Canvas:
    """The nodes, edges and options of one drawing, collected in a pyvis Network."""

    def __init__(self, ctx: Ctx, *, hierarchical: bool = False, physics: bool = True) -> None:
        self.ctx = ctx
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
        **options: Any,
    ) -> None:
        """Add an entity; its tooltip is plain text: the full label, its class and any ``notes``."""
        if iri in self._ids:
            return
        full = self.ctx.label(iri)
        class_iri = self.ctx.class_of(iri)
        class_label = self.ctx.class_label(iri)
        self._ids.add(iri)
        self.net.add_node(
            iri,
            label=label if label is not None else short_label(full),
            title="\n".join([full, class_label, *notes]),
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

    def link(self, triples: list[tuple[str, str, str]], *, labelled: bool = False) -> None:
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
                    "font": {"size": 10, "align": "middle", "color": "#5b6670"},
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
        return {"nodes": list(nodes), "edges": list(edges), "options": options}


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _class_legend(ctx: Ctx, nodes: list[str]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Colours for the commonest classes among ``nodes`` (the rest share 'other'), and their legend."""
    counts = Counter(ctx.class_of(n) for n in nodes)
    ranked = [c for c, _ in counts.most_common()][: len(PALETTE)]
    colours = {c: PALETTE[i] for i, c in enumerate(ranked)}
    legend = [
        {
            "iri": c,
            "label": ctx.label(c) if c else ctx.t("sin clase", "no class"),
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


def _role_legend(ctx: Ctx, roles: list[tuple[str, str, str]], counts: Counter[str]) -> list[dict[str, Any]]:
    """Legend of a view coloured by role: (key, Spanish, English) in palette order."""
    return [
        {"key": key, "label": ctx.t(es, en), "colour": PALETTE[i], "swatch": f"swatch-{i}", "count": counts[key]}
        for i, (key, es, en) in enumerate(roles)
    ]


def _table(ctx: Ctx, rest: list[str], degree: Callable[[str], int], page: int) -> dict[str, Any]:
    """One page of the entities that were not drawn."""
    pages = max(1, -(-len(rest) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    chunk = rest[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = [{**ctx.ref(n), "class_label": ctx.class_label(n), "degree": degree(n)} for n in chunk]
    return {"total": len(rest), "page": page, "pages": pages, "page_size": PAGE_SIZE, "rows": rows}


# ---------------------------------------------------------------- overview and neighbourhood


def overview(ctx: Ctx, classes: list[str], limit: int = DEFAULT_LIMIT, page: int = 1) -> dict[str, Any]:
    """The whole graph, or the entities of some classes; the ``limit`` best-connected ones are drawn.

    Raises ``ValueError`` for a class that is not a prefixed name or IRI of a class with entities."""
    eg = entity_graph(ctx.service)
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
    candidates = [n for n in eg.graph if not selected or eg.classes.get(n, set()) & selected]
    sub = eg.graph.subgraph(candidates)
    degree = dict(sub.degree())
    order = sorted(candidates, key=lambda n: (-degree[n], n))
    drawn, rest = order[:limit], order[limit:]
    colours, legend = _class_legend(ctx, drawn)
    canvas = Canvas(ctx)
    for n in drawn:
        canvas.node(n, colour=colours.get(ctx.class_of(n), OTHER_COLOUR), value=degree[n], degree=degree[n])
    for *_, data in sub.subgraph(drawn).edges(data=True):
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
        "rest": _table(ctx, rest, degree.__getitem__, page),
        **canvas.data({"nodes": {"scaling": {"min": 8, "max": 36}}}),
    }


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
    colours, legend = _class_legend(ctx, drawn)
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
        "rest": _table(ctx, rest, degree.__getitem__, page),
        **canvas.data(),
    }


# ---------------------------------------------------------------- problem tree

TREE_LEVELS = {"effect": 0, "central_problem": 1, "cause": 2, "commitment": 3, "key_action": 4, "activity": 5}
TREE_ROLES = [
    ("effect", "Efecto", "Effect"),
    ("central_problem", "Problema central", "Central problem"),
    ("cause", "Causa", "Cause"),
    ("commitment", "Compromiso", "Commitment"),
    ("key_action", "Acción clave", "Key action"),
    ("activity", "Actividad", "Activity"),
]
BRANCHES = {GA + "effect": "effect", GA + "centralProblem": "central_problem", GA + "cause": "cause"}


def problem_tree(ctx: Ctx, iri: str) -> dict[str, Any]:
    """A commitment's problem tree laid out top to bottom: effects, the central problem, causes; then the
    commitment with its key actions and their activities.

    Raises ``LookupError`` when ``iri`` is not a ga:Commitment."""
    if GA + "Commitment" not in ctx.service.index.types.get(iri, set()):
        raise LookupError(ctx.t(f"No hay ningún compromiso <{iri}>.", f"No commitment <{iri}>."))
    store = ctx.service.store
    branches: dict[str, list[str]] = {"effect": [], "central_problem": [], "cause": []}
    tree = None
    for row in store.select("view-problem-tree", {"c": as_iri(iri)}):
        tree = str(row["tree"])
        role = BRANCHES[str(row["branch"])]
        if row["problem"] not in branches[role]:
            branches[role].append(str(row["problem"]))
    actions: dict[str, list[str]] = {}
    for row in store.select("view-key-actions", {"c": as_iri(iri)}):
        activities = actions.setdefault(str(row["action"]), [])
        if "activity" in row and row["activity"] not in activities:
            activities.append(str(row["activity"]))
    colour = {key: PALETTE[i] for i, (key, _, _) in enumerate(TREE_ROLES)}
    canvas = Canvas(ctx, hierarchical=True)
    counts: Counter[str] = Counter()

    def box(node: str, role: str) -> None:
        counts[role] += 1
        canvas.node(
            node,
            colour=colour[role],
            label=short_label(ctx.label(node), 110),
            kind=role,
            level=TREE_LEVELS[role],
            shape="box",
            widthConstraint={"maximum": 210},
            font={"color": "#ffffff" if role in {"central_problem", "commitment"} else "#1d2a33"},
        )

    for role in ("effect", "central_problem", "cause"):
        for problem in branches[role]:
            box(problem, role)
    box(iri, "commitment")
    for action, activities in actions.items():
        box(action, "key_action")
        canvas.edge(iri, action, ctx.t("acción clave", "key action"))
        for activity in activities:
            box(activity, "activity")
            canvas.edge(action, activity, ctx.t("actividad", "activity"))
    for central in branches["central_problem"]:
        canvas.edge(iri, central, ctx.t("atiende", "addresses"))
        for effect in branches["effect"]:
            canvas.edge(central, effect, ctx.t("produce", "leads to"))
        for cause in branches["cause"]:
            canvas.edge(cause, central, ctx.t("causa", "causes"))
    return {
        "view": "problem_tree",
        "commitment": ctx.ref(iri),
        "tree": ctx.ref(tree) if tree else None,
        "levels": TREE_LEVELS,
        "effects": [ctx.ref(p) for p in branches["effect"]],
        "central_problems": [ctx.ref(p) for p in branches["central_problem"]],
        "causes": [ctx.ref(p) for p in branches["cause"]],
        "key_actions": [{**ctx.ref(a), "activities": [ctx.ref(x) for x in acts]} for a, acts in actions.items()],
        "legend": _role_legend(ctx, TREE_ROLES, counts),
        **canvas.data(),
    }


# ---------------------------------------------------------------- STL

STL_ROLES = [
    ("stl", "Secretariado Técnico Local", "Local Technical Secretariat"),
    ("sector", "Sector", "Sector"),
    ("seat", "Lugar (membresía y rol)", "Seat (membership and role)"),
    ("member", "Integrante", "Member"),
]


def stl(ctx: Ctx) -> dict[str, Any]:
    """Each STL, its sectors, the seats (memberships) of each sector with their role, and who holds them."""
    stls: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in ctx.service.store.select("view-stl"):
        seats = stls[str(row["stl"])][str(row.get("sector", ""))]
        if any(s["membership"] == row["membership"] for s in seats):
            continue
        seats.append(
            {
                "membership": str(row["membership"]),
                "role": str(row["role"]) if "role" in row else None,
                "member": str(row["member"]) if "member" in row else None,
                "vote": row.get("vote"),
            }
        )
    colour = {key: PALETTE[i] for i, (key, _, _) in enumerate(STL_ROLES)}
    canvas = Canvas(ctx, hierarchical=True)
    counts: Counter[str] = Counter()
    no_member = ctx.t("sin integrante nombrado en la fuente", "no named member in the source")
    out = []
    for stl_iri, sectors in sorted(stls.items()):
        counts["stl"] += 1
        canvas.node(stl_iri, colour=colour["stl"], kind="stl", level=0, shape="box", font={"color": "#ffffff"})
        sector_out = []
        for sector, seats in sorted(sectors.items(), key=lambda item: ctx.label(item[0])):
            if sector:
                counts["sector"] += sector not in canvas
                canvas.node(sector, colour=colour["sector"], kind="sector", level=1, shape="box")
                canvas.edge(stl_iri, sector, ctx.t("sector", "sector"))
            seat_out = []
            for seat in seats:
                role = ctx.label(seat["role"]) if seat["role"] else ctx.t("rol no indicado", "role not given")
                member = seat["member"]
                counts["seat"] += 1
                canvas.node(
                    seat["membership"],
                    colour=colour["seat"],
                    label=role if member else f"{role}\n({no_member})",
                    notes=[role] + ([] if member else [no_member]),
                    kind="seat",
                    level=2,
                    shape="dot",
                    size=10,
                )
                canvas.edge(sector or stl_iri, seat["membership"], role)
                if member:
                    counts["member"] += member not in canvas
                    canvas.node(member, colour=colour["member"], kind="member", level=3)
                    canvas.edge(seat["membership"], member, ctx.t("integrante", "member"))
                seat_out.append(
                    {
                        **ctx.ref(seat["membership"]),
                        "role": ctx.ref(seat["role"]) if seat["role"] else None,
                        "member": ctx.ref(member) if member else None,
                        "vote": seat["vote"],
                    }
                )
            sector_out.append({**(ctx.ref(sector) if sector else {"iri": None, "label": ""}), "seats": seat_out})
        out.append({**ctx.ref(stl_iri), "sectors": sector_out})
    return {
        "view": "stl",
        "stls": out,
        "no_member": no_member,
        "legend": _role_legend(ctx, STL_ROLES, counts),
        **canvas.data(),
    }


# ---------------------------------------------------------------- timeline

TIMELINE_KINDS = [
    (GA + "HistoricalMilestone", "Hito histórico", "Historical milestone"),
    (ORG + "ChangeEvent", "Cambio posterior", "Later change"),
    (GA + "NationalActionPlan", "Plan de acción nacional", "National action plan"),
]
TIMELINE_STEP = 200
TIMELINE_ROWS = (-150, -50, 50, 150)


def timeline(ctx: Ctx) -> dict[str, Any]:
    """Milestones, later changes and the national action plans, left to right by year; undated items go
    at the end, labelled so."""
    items: dict[str, dict[str, Any]] = {}
    for row in ctx.service.store.select("view-timeline"):
        item = items.setdefault(
            str(row["item"]),
            {"kind": str(row["kind"]), "year": None, "until": None, "date": None, "text": None},
        )
        item["year"] = item["year"] if item["year"] is not None else row.get("year")
        item["until"] = item["until"] if item["until"] is not None else row.get("until")
        item["date"] = item["date"] or (str(row["date"]) if "date" in row else None)
        item["text"] = item["text"] or row.get(f"text_{ctx.lang}") or row.get("text_es")
    dated = sorted((i for i in items if items[i]["year"] is not None), key=lambda i: (items[i]["year"], i))
    undated = sorted((i for i in items if items[i]["year"] is None), key=ctx.label)
    years = sorted({items[i]["year"] for i in dated})
    column = {y: k for k, y in enumerate(years)}
    kind_colour = {k: PALETTE[i] for i, (k, _, _) in enumerate(TIMELINE_KINDS)}
    kind_label = {k: ctx.t(es, en) for k, es, en in TIMELINE_KINDS}
    undated_text = ctx.t("sin fecha en la fuente", "undated in the source")
    canvas = Canvas(ctx, physics=False)
    out = []
    for position, i in enumerate(dated + undated):
        item = items[i]
        year, until = item["year"], item["until"]
        if year is None:
            span, when = ctx.t("sin fecha", "undated"), undated_text
            x = (len(years) + 0.7 + undated.index(i)) * TIMELINE_STEP
        else:
            span = f"{year}–{until}" if until and until != year else str(year)
            when = item["date"] or (f"{item['text']} ({span})" if item["text"] else span)
            x = column[year] * TIMELINE_STEP
        y = TIMELINE_ROWS[position % len(TIMELINE_ROWS)]
        canvas.node(
            i,
            colour=kind_colour.get(item["kind"], OTHER_COLOUR),
            label=f"{span}\n{short_label(ctx.label(i), 40)}",
            notes=[kind_label.get(item["kind"], ""), when],
            kind="milestone" if year is not None else "undated",
            x=x,
            y=y,
            fixed=True,
            physics=False,
            shape="dot",
            size=11,
            year=year,
            widthConstraint={"maximum": 170},
        )
        out.append(
            {
                **ctx.ref(i),
                "kind": item["kind"],
                "kind_label": kind_label.get(item["kind"], ""),
                "year": year,
                "until": until,
                "date": item["date"],
                "when": when,
                "undated": year is None,
                "x": x,
            }
        )
    for before, after in zip(dated, dated[1:], strict=False):
        canvas.edge(before, after, ctx.t("después", "next"), dashes=True)
    legend = _role_legend(
        ctx, [(compact(k), es, en) for k, es, en in TIMELINE_KINDS], Counter(compact(items[i]["kind"]) for i in items)
    )
    return {
        "view": "timeline",
        "items": out,
        "first_year": years[0] if years else None,
        "last_year": years[-1] if years else None,
        "undated": len(undated),
        "legend": legend,
        **canvas.data({"interaction": {"dragNodes": True}}),
    }


# ---------------------------------------------------------------- SDGs

SDG_ROLES = [
    ("goal", "Objetivo con contribuciones", "Goal with contributions"),
    ("target", "Meta", "Target"),
    ("contributed", "Meta o objetivo al que se contribuye", "Goal or target contributed to"),
    ("contributor", "Lo que contribuye", "What contributes"),
]


def sdg(ctx: Ctx) -> dict[str, Any]:
    """The 17 goals, the targets of the goals something contributes to, and the contributors."""
    store = ctx.service.store
    goals: dict[str, dict[str, Any]] = {}
    goal_of: dict[str, str] = {}
    code: dict[str, str] = {}
    for row in store.select("view-sdg"):
        goal = str(row["goal"])
        goals.setdefault(goal, {"targets": []})
        code[goal] = str(row["goal_code"])
        if "target" in row and row["target"] not in goals[goal]["targets"]:
            goals[goal]["targets"].append(str(row["target"]))
            goal_of[str(row["target"])] = goal
            code[str(row["target"])] = str(row["target_code"])
    contributions: dict[str, list[str]] = defaultdict(list)
    for row in store.select("view-sdg-contributions"):
        contributions[str(row["sdg"])].append(str(row["entity"]))
    active = {goal_of.get(s, s) for s in contributions}

    def order(c: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 100 + ord(p[0]) for p in code.get(c, "0").split("."))

    word = ctx.t("ODS", "SDG")
    canvas = Canvas(ctx)
    counts: Counter[str] = Counter()
    colours = {key: PALETTE[i] for i, (key, _, _) in enumerate(SDG_ROLES)}
    out = []
    for goal in sorted(goals, key=order):
        role = "contributed" if goal in contributions else "goal"
        counts[role if goal in active else "other"] += 1
        canvas.node(
            goal,
            colour=colours[role] if goal in active else OTHER_COLOUR,
            label=f"{word} {code[goal]}",
            kind="goal",
            shape="box",
            mass=2,
            font={"color": "#ffffff" if goal in active else "#1d2a33"},
        )
        contributors = list(contributions.get(goal, []))
        if goal in active:
            for target in sorted(goals[goal]["targets"], key=order):
                role = "contributed" if target in contributions else "target"
                counts[role] += 1
                canvas.node(target, colour=colours[role], label=code[target], kind="target", size=9)
                canvas.edge(goal, target, ctx.t("meta", "target"))
                contributors += contributions.get(target, [])
        out.append(
            {
                **ctx.ref(goal),
                "code": code[goal],
                "targets": len(goals[goal]["targets"]),
                "contributed": sorted({code.get(s, s) for s in contributions if goal_of.get(s, s) == goal}),
                "contributors": [ctx.ref(c) for c in dict.fromkeys(contributors)],
            }
        )
    for target, entities in contributions.items():
        for entity in entities:
            if entity not in canvas:
                counts["contributor"] += 1
                canvas.node(entity, colour=colours["contributor"], kind="contributor", size=16)
            canvas.edge(entity, target, ctx.t("contribuye a", "contributes to"))
    legend = _role_legend(ctx, SDG_ROLES, counts)
    legend.append(
        {
            "key": "other",
            "label": ctx.t("Objetivo sin contribuciones", "Goal without contributions"),
            "colour": OTHER_COLOUR,
            "swatch": "swatch-other",
            "count": counts["other"],
        }
    )
    return {
        "view": "sdg",
        "goals": out,
        "contributions": [
            {**ctx.ref(e), "sdg": ctx.ref(s), "code": code.get(s, "")} for s, es in contributions.items() for e in es
        ],
        "legend": legend,
        **canvas.data({"physics": {"barnesHut": {"springLength": 90}}}),
    }


# ---------------------------------------------------------------- municipalities

STATE_PATH = "id/entidad/estado-de-mexico"
GRID_COLUMNS = 10


def municipalities(ctx: Ctx) -> dict[str, Any]:
    """The Estado de México municipalities on a grid, best Métrica 2017 index first, coloured by it."""
    store = ctx.service.store
    best: dict[str, dict[str, Any]] = {}
    for row in store.select("view-municipalities", {"state": as_iri(store.base_iri + STATE_PATH)}):
        mun = str(row["municipality"])
        entry = {
            "code": row.get("code"),
            "score": _number(row.get("score")),
            "obs": str(row["obs"]) if "obs" in row else None,
            "body": str(row["body"]) if "body" in row else None,
            # the body that governs the municipality (its ayuntamiento) wins over others with it as jurisdiction
            "rank": (int(row.get("rank", 9)), str(row.get("obs", ""))),
        }
        current = best.get(mun)
        if (
            current is None
            or current["score"] is None
            or (entry["score"] is not None and entry["rank"] < current["rank"])
        ):
            best[mun] = entry
    order = sorted(best, key=lambda m: (best[m]["score"] is None, -(best[m]["score"] or 0), ctx.label(m)))
    index_text = ctx.t("Índice de gobierno abierto 2017", "Open-government index 2017")
    unmeasured = ctx.t("no medido en la Métrica 2017", "not measured in the 2017 Metric")
    canvas = Canvas(ctx, physics=False)
    out = []
    for position, mun in enumerate(order):
        info = best[mun]
        score = info["score"]
        colour = score_colour(score)
        canvas.node(
            mun,
            colour=colour,
            notes=[f"{index_text}: {score:.4f}" if score is not None else unmeasured],
            kind="municipality",
            x=(position % GRID_COLUMNS) * 150,
            y=(position // GRID_COLUMNS) * 75,
            fixed=True,
            physics=False,
            size=12,
            score=score,
            font={"size": 11},
            widthConstraint={"maximum": 140},
        )
        out.append(
            {
                **ctx.ref(mun),
                "code": info["code"],
                "score": score,
                "colour": colour,
                "swatch": _score_bin(score)[2] if score is not None else "unmeasured",
                "observation": ctx.ref(info["obs"]) if info["obs"] else None,
                "body": ctx.ref(info["body"]) if info["body"] else None,
            }
        )
    scores = [best[m]["score"] for m in order if best[m]["score"] is not None]
    legend = []
    for i, (low, colour, swatch) in enumerate(SCORE_BINS):
        high = SCORE_BINS[i + 1][0] if i + 1 < len(SCORE_BINS) else None
        text = f"≥ {low:.1f}" if high is None else (f"< {high:.1f}" if i == 0 else f"{low:.1f} – {high:.1f}")
        count = sum(1 for s in scores if _score_bin(s)[2] == swatch)
        legend.append({"key": swatch, "label": text, "colour": colour, "swatch": swatch, "count": count})
    legend.append(
        {
            "key": "unmeasured",
            "label": ctx.t("sin medición", "not measured"),
            "colour": UNMEASURED_COLOUR,
            "swatch": "unmeasured",
            "count": len(order) - len(scores),
        }
    )
    return {
        "view": "municipalities",
        "state": ctx.ref(store.base_iri + STATE_PATH),
        "municipalities": out,
        "measured": len(scores),
        "total": len(order),
        "legend": legend,
        **canvas.data(),
    }
