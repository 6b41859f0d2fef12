"""Mexico's 32 states on a map, coloured by the published Métrica 2017 average of their open-government index.

The map is the SVG of the npm package ``@svg-maps/mexico`` (CC BY 4.0, by Victor Cazanave), vendored in
``graphapp/web/static/vendor/svg-maps-mexico/`` with its licence and version (refreshed by
``graphapp/web/static/vendor/refresh.py``). Its paths are named by state ("Jalisco", "Mexico City", "México");
each is matched to the graph's state by its English or Spanish label, and drawn by the template as a link to the
state's page: no script, nothing fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..index import fold
from .drawing import Ctx
from .municipalities import SCORE_BINS, UNMEASURED_COLOUR, _number, _score_bin, score_colour

MAP_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "svg-maps-mexico"
SVG_NS = "{http://www.w3.org/2000/svg}"
#: the SVG's name for a state where it is neither the graph's English nor its Spanish label
ALIASES = {"mexico": "estado de mexico"}


@lru_cache(maxsize=1)
def map_paths() -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """The vendored map: its viewBox and (id, name, path data) of each state."""
    root = ET.parse(MAP_DIR / "mexico.svg").getroot()  # noqa: S314 - our own vendored file
    paths = tuple((p.get("id", ""), p.get("aria-label", ""), p.get("d", "")) for p in root.iter(SVG_NS + "path"))
    return root.get("viewBox", "0 0 793 498"), paths


def map_attribution() -> str:
    """«@svg-maps/mexico 2.0.0, CC-BY-4.0, Victor Cazanave», from the vendored VERSION file."""
    first, *rest = (MAP_DIR / "VERSION").read_text(encoding="utf-8").splitlines()
    fields = dict(line.split(": ", 1) for line in rest if ": " in line)
    return f"{first}, {fields.get('licence', '')}, {fields.get('author', '').split(' <')[0]}"


def state_map(ctx: Ctx) -> dict[str, Any]:
    """Each state of the map with its link, published 2017 average, rank, colour and a one-sentence title."""
    rows = ctx.service.store.select("view-metrica-states")
    scores = {str(r["state"]): _number(r.get("score")) for r in rows}
    by_name: dict[str, str] = {}
    for state in scores:
        for lang in ("en", "es"):
            label = ctx.service.index.label(state, lang)
            if label:
                by_name.setdefault(fold(label), state)
    ranked = sorted((s for s in scores if scores[s] is not None), key=lambda s: -(scores[s] or 0))
    rank = {s: i + 1 for i, s in enumerate(ranked)}
    view_box, paths = map_paths()
    states = []
    for svg_id, name, d in paths:
        key = fold(name)
        found: str | None = by_name.get(key) or by_name.get(ALIASES.get(key, ""))
        score = scores.get(found) if found else None
        label = ctx.label(found) if found else name
        if score is None:
            title = ctx.t("{}: sin promedio en la Métrica 2017.", "{}: no average in the 2017 Metric.").format(label)
        else:
            title = ctx.t(
                "{}: promedio {:.4f} en la Métrica 2017, lugar {} de {}.",
                "{}: average {:.4f} in the 2017 Metric, rank {} of {}.",
            ).format(label, score, rank[found or ""], len(ranked))
        states.append(
            {
                "svg_id": svg_id,
                "iri": found,
                "label": label,
                "href": ctx.href(found) if found else None,
                "score": score,
                "rank": rank.get(found) if found else None,
                "colour": score_colour(score),
                "swatch": _score_bin(score)[2] if score is not None else "unmeasured",
                "title": title,
                "d": d,
            }
        )
    legend = []
    for i, (low, colour, swatch) in enumerate(SCORE_BINS):
        high = SCORE_BINS[i + 1][0] if i + 1 < len(SCORE_BINS) else None
        text = f"≥ {low:.1f}" if high is None else (f"< {high:.1f}" if i == 0 else f"{low:.1f} – {high:.1f}")
        count = sum(1 for s in states if s["swatch"] == swatch)
        legend.append({"key": swatch, "label": text, "colour": colour, "swatch": swatch, "count": count})
    unmeasured = sum(1 for s in states if s["score"] is None)
    if unmeasured:
        legend.append(
            {
                "key": "unmeasured",
                "label": ctx.t("sin medición", "not measured"),
                "colour": UNMEASURED_COLOUR,
                "swatch": "unmeasured",
                "count": unmeasured,
            }
        )
    return {
        "view_box": view_box,
        "states": states,
        "ranked": sorted((s for s in states if s["rank"]), key=lambda s: s["rank"]),
        "legend": legend,
        "attribution": map_attribution(),
    }
