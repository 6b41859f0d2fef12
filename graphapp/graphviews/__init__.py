"""The interactive graph views: a networkx projection of the entity graph, and the networks each view draws.

The projection (entities as nodes, IRI-to-IRI links as edges) comes from named queries and is built in the
background once per graph version (:mod:`graphapp.background`); a view reads the newest one built
(``Ctx.projection``). Each view turns part of it, or the answer of its own named query,
into a pyvis :class:`~pyvis.network.Network`; we read the network's node and edge lists and its options and
hand them to our own templates and ``graph.js``. pyvis's HTML page is never served: it loads Bootstrap from a
CDN and switches to HTML tooltips when a title contains ``href`` (pyvis 0.3.2's template).

Every label a view returns is plain text: templates autoescape it, ``graph.js`` only uses ``textContent``,
and vis-network draws labels on a canvas and shows string tooltips with ``innerText``.

The package is split by concern: :mod:`.names` (prefixed names and short labels), :mod:`.projection` (the
networkx projection, built per graph version), :mod:`.drawing` (the naming context, the pyvis canvas, legends
and the table of what was not drawn), and one module per view: :mod:`.overview`, :mod:`.neighbourhood`,
:mod:`.problem_tree`, :mod:`.stl`, :mod:`.timeline`, :mod:`.sdg` and :mod:`.municipalities`; the names below
are the ones the routers, :mod:`graphapp.analytics` and the tests use.
"""

from __future__ import annotations

from . import projection
from .drawing import DEFAULT_LIMIT, OTHER_COLOUR, PALETTE, Canvas, Ctx
from .municipalities import SCORE_BINS, UNMEASURED_COLOUR, municipalities, score_colour
from .names import GA, ORG, compact, expand, short_label
from .neighbourhood import neighbourhood
from .overview import overview
from .problem_tree import problem_tree
from .projection import EntityGraph, ServiceLike, build_entity_graph, entity_graph
from .sdg import sdg
from .stl import stl
from .timeline import timeline

__all__ = [
    "DEFAULT_LIMIT",
    "GA",
    "ORG",
    "OTHER_COLOUR",
    "PALETTE",
    "SCORE_BINS",
    "UNMEASURED_COLOUR",
    "Canvas",
    "Ctx",
    "EntityGraph",
    "ServiceLike",
    "build_entity_graph",
    "compact",
    "entity_graph",
    "expand",
    "municipalities",
    "neighbourhood",
    "overview",
    "problem_tree",
    "projection",
    "score_colour",
    "sdg",
    "short_label",
    "stl",
    "timeline",
]
