"""The Sustainable Development Goals: the goals, the targets contributed to, and the contributors."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from ..storage import Store
from .drawing import OTHER_COLOUR, PALETTE, Canvas, Ctx, role_legend

SDG_STEP, SDG_IDLE_STEP, SDG_CONTRIBUTOR_STEP = 150, 95, 260  # horizontal spacing of the layout
SDG_GOALS_Y, SDG_TARGETS_Y, SDG_TARGET_STEP = 170, 250, 55  # rows: contributors at 0, goals, their targets
SDG_ROLES = [
    ("goal", "Objetivo con contribuciones a sus metas", "Goal with contributions to its targets"),
    ("target", "Meta", "Target"),
    ("contributed", "Meta u objetivo al que algo contribuye", "Goal or target something contributes to"),
    (
        "contributor",
        "Lo que contribuye (compromiso o buena práctica, por sus temas)",
        "What contributes (commitment, or best practice through its themes)",
    ),
]


@dataclass(frozen=True)
class SdgData:
    goals: dict[str, dict[str, Any]]  # goal -> {"targets": [target, ...]}
    goal_of: dict[str, str]  # target -> goal
    code: dict[str, str]  # goal or target -> UN code
    contributions: dict[str, list[str]]  # goal or target -> entities contributing to it
    via: dict[tuple[str, str], list[str]]  # (entity, goal or target) -> themes it is reached through


def _sdg_data(store: Store) -> SdgData:
    """The goals with their targets and codes, and who contributes to each goal or target (through which themes):
    read once per graph version (``view-sdg``, ``view-sdg-contributions``, raw rows)."""
    goals: dict[str, dict[str, Any]] = {}
    goal_of: dict[str, str] = {}
    code: dict[str, str] = {}
    for row in store.select("view-sdg", raw=True):
        goal = row["goal"].value
        goals.setdefault(goal, {"targets": []})
        code[goal] = row["goal_code"].value
        if "target" in row and row["target"].value not in goal_of:
            target = row["target"].value
            goals[goal]["targets"].append(target)
            goal_of[target] = goal
            code[target] = row["target_code"].value
    # an entity once per goal or target, in the order found (a dict as an ordered set: thousands per target at 10^6)
    found: dict[str, dict[str, None]] = defaultdict(dict)
    via: dict[tuple[str, str], list[str]] = defaultdict(list)  # (entity, sdg) -> themes it is reached through
    for row in store.select("view-sdg-contributions", raw=True):
        entity, target = row["entity"].value, row["sdg"].value
        found[target][entity] = None
        if "via" in row:
            via[(entity, target)].append(row["via"].value)
    contributions = {target: list(entities) for target, entities in found.items()}
    return SdgData(goals, goal_of, code, contributions, dict(via))


def sdg(ctx: Ctx) -> dict[str, Any]:
    """The 17 goals, the targets of the goals something contributes to, and the contributors."""
    service = ctx.service
    data = service.cached("graphviews.sdg", lambda: _sdg_data(service.store))
    goals, goal_of, code, contributions, via = data.goals, data.goal_of, data.code, data.contributions, data.via
    active = {goal_of.get(s, s) for s in contributions}

    def order(c: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 100 + ord(p[0]) for p in code.get(c, "0").split("."))

    word = ctx.t("ODS", "SDG")
    canvas = Canvas(ctx, physics=False)
    # a fixed layout that reads at a glance: what contributes on top, the goals it reaches in a row with their
    # targets beneath, and the goals nobody contributes to in a row of their own at the bottom
    active_goals = [g for g in sorted(goals, key=order) if g in active]
    idle_goals = [g for g in sorted(goals, key=order) if g not in active]
    column = {g: i * SDG_STEP for i, g in enumerate(active_goals)}
    deepest = max((sum(1 for t in goals[g]["targets"] if t in contributions) for g in active_goals), default=0)
    idle_y = SDG_TARGETS_Y + deepest * SDG_TARGET_STEP + 60
    idle_left = (len(active_goals) - 1) * SDG_STEP / 2 - (len(idle_goals) - 1) * SDG_IDLE_STEP / 2
    counts: Counter[str] = Counter()
    colours = {key: PALETTE[i] for i, (key, _, _) in enumerate(SDG_ROLES)}
    out = []
    for goal in sorted(goals, key=order):
        role = "contributed" if goal in contributions else "goal" if goal in active else "other"
        counts[role] += 1
        canvas.node(
            goal,
            colour=colours.get(role, OTHER_COLOUR),
            label=f"{word} {code[goal]}",
            kind="goal",
            shape="box",
            mass=2,
            font={"color": "#ffffff" if goal in active else "#1d2a33", "size": 16 if goal in active else 13},
            x=column[goal] if goal in active else idle_left + idle_goals.index(goal) * SDG_IDLE_STEP,
            y=SDG_GOALS_Y if goal in active else idle_y,
            fixed=True,
            tooltip=ctx.t("Objetivo {}: {}.", "Goal {}: {}.").format(code[goal], ctx.label(goal).rstrip(".")),
        )
        contributors = list(contributions.get(goal, []))
        depth = 0
        for target in sorted(goals[goal]["targets"], key=order):
            if target not in contributions:
                continue  # only the targets something contributes to are drawn; the table counts the rest
            counts["contributed"] += 1
            depth += 1
            canvas.node(
                target,
                colour=colours["contributed"],
                label=code[target],
                kind="target",
                size=12,
                x=column[goal],
                y=SDG_TARGETS_Y + (depth - 1) * SDG_TARGET_STEP,
                fixed=True,
                tooltip=ctx.t("Meta {}: {}.", "Target {}: {}.").format(code[target], ctx.label(target).rstrip(".")),
            )
            canvas.edge(
                goal,
                target,
                ctx.t("La meta {} es parte del objetivo {}.", "Target {} is part of goal {}.").format(
                    code[target], code[goal]
                ),
            )
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
    reached: dict[str, list[float]] = defaultdict(list)
    for target, entities in contributions.items():
        for entity in entities:
            reached[entity].append(column[goal_of.get(target, target)])
    contributors_order = sorted(reached, key=lambda e: (sum(reached[e]) / len(reached[e]), e))
    left = (len(active_goals) - 1) * SDG_STEP / 2 - (len(contributors_order) - 1) * SDG_CONTRIBUTOR_STEP / 2
    for i, entity in enumerate(contributors_order):
        counts["contributor"] += 1
        canvas.node(
            entity,
            colour=colours["contributor"],
            kind="contributor",
            size=16,
            x=left + i * SDG_CONTRIBUTOR_STEP,
            y=0,
            fixed=True,
            widthConstraint={"maximum": 200},
        )
    for target, entities in contributions.items():
        for entity in entities:
            themes = via.get((entity, target))
            if themes:
                sentence = ctx.t(
                    "«{}» contribuye a {} {} por su tema «{}».", "“{}” contributes to {} {} through its theme “{}”."
                ).format(ctx.label(entity), word, code.get(target, ""), ctx.label(themes[0]))
            else:
                sentence = ctx.t("«{}» contribuye a {} {}.", "“{}” contributes to {} {}.").format(
                    ctx.label(entity), word, code.get(target, "")
                )
            canvas.edge(entity, target, sentence)
    legend = [item for item in role_legend(ctx, SDG_ROLES, counts) if item["count"]]
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
            {
                **ctx.ref(e),
                "sdg": ctx.ref(s),
                "code": code.get(s, ""),
                "via": [ctx.ref(v) for v in dict.fromkeys(via.get((e, s), []))],
            }
            for s, es in contributions.items()
            for e in es
        ],
        "legend": legend,
        **canvas.data(),
    }
