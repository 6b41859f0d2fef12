"""The Local Technical Secretariats (STL): their sectors, seats with roles, and who holds them."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .drawing import PALETTE, Canvas, Ctx, role_legend

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
        "legend": role_legend(ctx, STL_ROLES, counts),
        **canvas.data(),
    }
