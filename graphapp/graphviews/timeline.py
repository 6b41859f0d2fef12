"""The timeline: milestones, later changes and national action plans, left to right by year."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .drawing import OTHER_COLOUR, PALETTE, Canvas, Ctx, role_legend
from .names import GA, ORG, compact, short_label

TIMELINE_KINDS = [
    (GA + "HistoricalMilestone", "Hito histórico", "Historical milestone"),
    (ORG + "ChangeEvent", "Cambio posterior", "Later change"),
    (GA + "NationalActionPlan", "Plan de acción nacional", "National action plan"),
]
#: a column per year, items staggered on four rows: labels (at most 170 wide) of the same row never overlap, and
#: the eleven items of 1766–2025 fit a desktop canvas with labels at 11 px (graph.js)
TIMELINE_STEP = 100
TIMELINE_ROWS = (-150, -50, 50, 150)
#: on a narrow canvas (a phone), graph.js uses the items' "portrait" places: top to bottom in order, in two
#: columns taken in turn (two labels of 170 side by side)
PORTRAIT_COLUMNS = (-95, 95)
PORTRAIT_STEP = 55


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
            tooltip=ctx.t("«{}»: {}, {}.", "“{}”: {}, {}.").format(
                ctx.label(i), kind_label.get(item["kind"], "").lower() or ctx.class_label(i).lower(), when
            ),
            kind="milestone" if year is not None else "undated",
            x=x,
            y=y,
            portrait={"x": PORTRAIT_COLUMNS[position % 2], "y": position * PORTRAIT_STEP},
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
        sentence = ctx.t("«{}» ({}) viene después de «{}» ({}).", "“{}” ({}) comes after “{}” ({}).")
        a, b = items[after], items[before]
        canvas.edge(
            before, after, sentence.format(ctx.label(after), a["year"], ctx.label(before), b["year"]), dashes=True
        )
    legend = role_legend(
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
