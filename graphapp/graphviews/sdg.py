"""The Sustainable Development Goals: the goals, the targets contributed to, and the contributors."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .drawing import OTHER_COLOUR, PALETTE, Canvas, Ctx, role_legend

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
    legend = role_legend(ctx, SDG_ROLES, counts)
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
