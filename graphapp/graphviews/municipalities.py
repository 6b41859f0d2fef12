"""The Métrica 2017 open-government index: the 32 states on a map (:mod:`.states`) and the Estado de México
municipalities as a ranked bar chart (the measured ones, best first; no municipal geometry ships offline).

>>> score_colour(0.5201) == SCORE_BINS[3][1]
True
>>> score_colour(None) == UNMEASURED_COLOUR
True
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..storage import iri as as_iri
from .drawing import Ctx

UNMEASURED_COLOUR = "#d0d0d0"
#: Métrica 2017 open-government index bins: (lower bound, colour, CSS class); the highest scores are darkest
SCORE_BINS = (
    (0.0, "#fde725", "score-0"),
    (0.3, "#5ec962", "score-1"),
    (0.4, "#21918c", "score-2"),
    (0.5, "#3b528b", "score-3"),
    (0.6, "#440154", "score-4"),
)
STATE_PATH = "id/entidad/estado-de-mexico"


def score_colour(score: float | None) -> str:
    """The colour of a Métrica 2017 index (grey when the body was not measured)."""
    return UNMEASURED_COLOUR if score is None else score_bin(score)[1]


def score_bin(score: float) -> tuple[float, str, str]:
    found = SCORE_BINS[0]
    for b in SCORE_BINS:
        if score >= b[0]:
            found = b
    return found


def number_value(value: object) -> float | None:
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def municipalities(ctx: Ctx) -> dict[str, Any]:
    """The state map and the Estado de México municipalities, best Métrica 2017 index first, coloured by it."""
    from .states import local_exercise_map, state_map  # states.py reads this module's bins

    store = ctx.service.store
    best: dict[str, dict[str, Any]] = {}
    for row in store.select("view-municipalities", {"state": as_iri(store.base_iri + STATE_PATH)}):
        mun = str(row["municipality"])
        entry = {
            "code": row.get("code"),
            "score": number_value(row.get("score")),
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
    out = []
    for mun in order:
        info = best[mun]
        score = info["score"]
        colour = score_colour(score)
        out.append(
            {
                **ctx.ref(mun),
                "code": info["code"],
                "score": score,
                "colour": colour,
                "swatch": score_bin(score)[2] if score is not None else "unmeasured",
                "observation": ctx.ref(info["obs"]) if info["obs"] else None,
                "body": ctx.ref(info["body"]) if info["body"] else None,
            }
        )
    scores = [best[m]["score"] for m in order if best[m]["score"] is not None]
    legend = []
    for i, (low, colour, swatch) in enumerate(SCORE_BINS):
        high = SCORE_BINS[i + 1][0] if i + 1 < len(SCORE_BINS) else None
        text = f"≥ {low:.1f}" if high is None else (f"< {high:.1f}" if i == 0 else f"{low:.1f} – {high:.1f}")
        count = sum(1 for s in scores if score_bin(s)[2] == swatch)
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
        "bars": [m for m in out if m["score"] is not None],
        "unmeasured": [m for m in out if m["score"] is None],
        "map": state_map(ctx),
        "local": local_exercise_map(ctx),
    }
