"""Which licence each public graph carries, from the catalogue (``data/catalog.ttl``), for the footer and /dataset.

The project cannot relicense what its sources publish: a graph carries its source's licence (``dcterms:license``)
or says that the source states none (``dcterms:rights``), and every page says so per graph.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from fastapi import Request

from .deps import web_state
from .i18n import get_lang, pick

if TYPE_CHECKING:
    from ..index import GraphIndex
    from ..service import Service


def graph_licences(service: Service, labels: GraphIndex, lang: str) -> list[dict[str, Any]]:
    """One row per graph of the catalogue: its IRI, label, licence (IRI and label) or the rights statement."""
    rows: dict[str, dict[str, Any]] = {}
    rights: dict[str, dict[str, str]] = {}
    for row in service.select_terms("graph-licences"):
        graph = row["graph"].value
        entry = rows.setdefault(
            graph, {"graph": graph, "label": labels.label_or_iri(graph, lang), "licence": None, "licence_label": None}
        )
        if "licence" in row:
            entry["licence"] = row["licence"].value
            entry["licence_label"] = labels.label_or_iri(row["licence"].value, lang)
        if "rights" in row:
            rights.setdefault(graph, {})[getattr(row["rights"], "language", None) or ""] = row["rights"].value
    for graph, texts in rights.items():
        rows[graph]["rights"] = pick(texts, lang)
    return sorted(rows.values(), key=lambda r: r["graph"])


def licence_summary(request: Request) -> dict[str, Any]:
    """For the footer: the licence most graphs carry, the graphs with another licence, the graphs with none."""
    web = web_state(request)
    index = web.service.index_if_ready() if web.serving else None
    if index is None:  # an app that is not serving (no store), or the label index being prepared: only the link
        return {"main": None, "other": [], "none": []}
    rows = graph_licences(web.service, index, get_lang(request))
    licensed = [r for r in rows if r["licence"]]
    common = Counter(r["licence_label"] for r in licensed).most_common(1)
    main = common[0][0] if common else None
    return {
        "main": main,
        "other": [r for r in licensed if r["licence_label"] != main],
        "none": [r for r in rows if not r["licence"]],
    }
