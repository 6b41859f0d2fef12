"""Mexico's 32 states on a map, coloured by the published Métrica 2017 average of their open-government index.

The map is the SVG of the npm package ``@svg-maps/mexico`` (CC BY 4.0, by Victor Cazanave), vendored in
``graphapp/web/static/vendor/svg-maps-mexico/`` with its licence and version (refreshed by
``graphapp/web/static/vendor/refresh.py``). Its paths are named by state ("Jalisco", "Mexico City", "México");
each is matched to the graph's state by its English or Spanish label, and drawn by the template as a link to the
state's page: no script, nothing fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..index import fold
from .drawing import Ctx
from .municipalities import SCORE_BINS, UNMEASURED_COLOUR, number_value, score_bin, score_colour

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


def _states_by_name(ctx: Ctx, states: Iterable[str]) -> dict[str, str]:
    """The graph's states by their folded English and Spanish labels, to match the map's paths."""
    by_name: dict[str, str] = {}
    for state in states:
        for lang in ("en", "es"):
            label = ctx.service.index.label(state, lang)
            if label:
                by_name.setdefault(fold(label), state)
    return by_name


def _state_of_path(by_name: dict[str, str], name: str) -> str | None:
    """The graph's state a path of the map names ("Mexico" is the Estado de México), or ``None``."""
    key = fold(name)
    return by_name.get(key) or by_name.get(ALIASES.get(key, ""))


def state_map(ctx: Ctx) -> dict[str, Any]:
    """Each state of the map with its link, published 2017 average, rank, colour and a one-sentence title."""
    rows = ctx.service.store.select("view-metrica-states")
    scores = {str(r["state"]): number_value(r.get("score")) for r in rows}
    by_name = _states_by_name(ctx, scores)
    ranked = sorted((s for s in scores if scores[s] is not None), key=lambda s: -(scores[s] or 0))
    rank = {s: i + 1 for i, s in enumerate(ranked)}
    view_box, paths = map_paths()
    states = []
    for svg_id, name, d in paths:
        found = _state_of_path(by_name, name)
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
                "swatch": score_bin(score)[2] if score is not None else "unmeasured",
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


#: the stages of a state's local exercise, most advanced first: key, colour, Spanish and English legend
LOCAL_STAGES = (
    ("plan", "#1b7837", "publicó un plan de acción local", "published a local action plan"),
    ("secretariat", "#7fbf7b", "instaló su Secretariado Técnico Local", "installed its Local Technical Secretariat"),
    ("joined", "#d9f0d3", "participó en Cocreación desde lo local", "took part in Co-creation from the local level"),
)


def _local_stage(entry: dict[str, Any]) -> tuple[str, str, str, str] | None:
    """The most advanced stage the sources state for a state (``None``: no source names it)."""
    for stage, fact in zip(LOCAL_STAGES, ("plan", "secretariat", "participated"), strict=True):
        if entry.get(fact) is True:
            return stage
    return None


def local_exercise_map(ctx: Ctx) -> dict[str, Any]:
    """The same map, coloured by how far each state's local open-government exercise went as the sources say
    (data/reference/ogp-local.ttl: INAI's «Cocreación desde lo local» up to 2017, and OGP Local membership): a state
    no source names is grey, not "did not take part"."""
    facts: dict[str, dict[str, Any]] = {}
    for row in ctx.service.store.select("view-local-exercises"):
        entry = facts.setdefault(str(row["state"]), {})
        for key in ("participated", "secretariat", "plan", "member", "withdrew"):
            if row.get(key) is not None:
                entry[key] = row[key]
    by_name = _states_by_name(ctx, facts)
    view_box, paths = map_paths()
    states = []
    for svg_id, name, d in paths:
        found = _state_of_path(by_name, name)
        entry = facts.get(found or "", {})
        stage = _local_stage(entry)
        label = ctx.label(found) if found else name
        parts = [
            ctx.t(stage[2], stage[3])
            if stage
            else ctx.t("ninguna fuente del grafo lo nombra", "no source in the graph names it")
        ]
        if entry.get("member") is not None:
            parts.append(ctx.t("miembro de OGP Local desde {}", "OGP Local member since {}").format(entry["member"]))
        if entry.get("withdrew") is not None:
            parts.append(
                ctx.t("se retiró de OGP Local en {}", "withdrew from OGP Local in {}").format(entry["withdrew"])
            )
        states.append(
            {
                "svg_id": svg_id,
                "iri": found,
                "label": label,
                "href": ctx.href(found) if found else None,
                "stage": stage[0] if stage else "unknown",
                "colour": stage[1] if stage else UNMEASURED_COLOUR,
                "member": entry.get("member"),
                "title": f"{label}: {'; '.join(parts)}.",
                "d": d,
            }
        )
    legend = [
        {
            "key": key,
            "label": ctx.t(es, en),
            "colour": colour,
            "swatch": f"local-{key}",
            "count": sum(1 for s in states if s["stage"] == key),
        }
        for key, colour, es, en in LOCAL_STAGES
    ]
    legend.append(
        {
            "key": "unknown",
            "label": ctx.t("sin dato", "no data"),
            "colour": UNMEASURED_COLOUR,
            "swatch": "unmeasured",
            "count": sum(1 for s in states if s["stage"] == "unknown"),
        }
    )
    members = sorted((s for s in states if s["member"] is not None), key=lambda s: (str(s["member"]), s["label"]))
    return {"view_box": view_box, "states": states, "legend": legend, "members": members}
