"""A commitment's problem tree, with its key actions and their activities, laid out top to bottom."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..storage import iri as as_iri
from .drawing import PALETTE, Canvas, Ctx, role_legend
from .names import GA, short_label

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
        "legend": role_legend(ctx, TREE_ROLES, counts),
        **canvas.data(),
    }
