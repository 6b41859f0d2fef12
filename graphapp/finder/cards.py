"""What a result shows: the practice card, with what replicating the practice takes.

Read through the named queries ``finder-practice-card``, ``-benefits``, ``-sources`` and ``-replicability``; the
web app caches each card once per graph version and language.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ..index import GraphIndex
from ..store import GraphStore
from ..store import iri as as_iri
from .index import PracticeIndex
from .text import LANGS
from .thesaurus import sdg_order


def practice_card(store: GraphStore, labels: GraphIndex, index: PracticeIndex, iri: str, lang: str) -> dict | None:
    """Everything a person replicating a practice needs, in ``lang``: place, problem, solution, benefits with their
    figures, actors, mechanism, status (with its warning and lesson), sources and what replicating it takes.
    ``None`` if ``iri`` is not a best practice."""
    rows = store.select("finder-practice-card", {"practice": as_iri(iri)}, raw=True)
    if not rows:
        return None
    values: dict[str, list] = defaultdict(list)
    for row in rows:
        if row["value"] not in values[row["field"].value]:
            values[row["field"].value].append(row["value"])

    def text(name: str) -> str | None:
        return _pick([v for v in values[name] if hasattr(v, "language")], lang)

    def ref(term: object) -> dict[str, str]:
        return {"iri": term.value, "label": labels.label_or_iri(term.value, lang)}  # type: ignore[attr-defined]

    def refs(name: str) -> list[dict[str, str]]:
        return [ref(v) for v in values[name] if not hasattr(v, "language") and hasattr(v, "value")]

    status = (refs("status") or [None])[0]
    since = values["inactiveSince"][0].value if values["inactiveSince"] else None
    inactive = since is not None or (status is not None and status["iri"].rsplit("/", 1)[-1] in INACTIVE_STATUSES)
    problem = (refs("problem") or [None])[0]
    if problem is not None:
        problem["description"] = text("problemDescription")
    mechanism = (refs("mechanism") or [None])[0]
    if mechanism is not None:
        mechanism["definition"] = text("mechanismDefinition")
    doc = index.doc_of.get(iri)
    benefits = _benefits(store, iri, lang)
    card = {
        "iri": iri,
        "label": text("label") or labels.label_or_iri(iri, lang),
        "place": (refs("place") or [None])[0],
        "problem": problem,
        "solution": text("solution"),
        "beneficiaries": text("beneficiaries"),
        "benefits": benefits,
        "mechanism": mechanism,
        "programmes": refs("programme"),
        "status": {
            **(status or {"iri": "", "label": ""}),
            "inactive": inactive,
            "since": since,
            "note": text("statusNote"),
        },
        "themes": [
            {"iri": t, "label": index.themes[t].label(lang)}
            for t in sorted(index.themes_of[doc] if doc is not None else ())
        ],
        "sdgs": [index.sdg(s, lang) for s in sorted(index.practice_sdgs(doc), key=sdg_order)]
        if doc is not None
        else [],
        "links": [v.value for v in values["seeAlso"] if hasattr(v, "value") and not hasattr(v, "language")],
        "editorial_note": text("editorialNote"),
        **_sources(store, labels, iri, lang),
    }
    # what stopped may be something the practice produced (REGINA), not the practice: the warning names it
    card["status"]["inactive_outputs"] = [o for o in card["outputs"] if o["inactive"]]
    card["replicability"] = _replicability(store, labels, iri, lang, card)
    card["actors"] = _actors(card)
    card["kind"] = "practice"
    # a practice "gave results" when the source reports a benefit of it
    card["evidence"] = {"benefits": len(benefits), "worked": bool(benefits)}
    return card


INACTIVE_STATUSES = {"inactiva", "extinta"}


def _pick(literals: list, lang: str) -> str | None:
    """The literal in ``lang``, else in the other language, else an untagged one."""
    for want in (lang, *(other for other in LANGS if other != lang), ""):
        for lit in literals:
            if (lit.language or "") == want:
                return lit.value
    return literals[0].value if literals else None


def _benefits(store: GraphStore, iri: str, lang: str) -> list[dict[str, object]]:
    by_benefit: dict[str, dict[str, list]] = {}
    for row in store.select("finder-practice-benefits", {"practice": as_iri(iri)}, raw=True):
        entry = by_benefit.setdefault(row["benefit"].value, defaultdict(list))
        entry[row["field"].value].append(row["value"])
    out = []
    for benefit, fields in by_benefit.items():
        quantity = fields["quantity"][0].value if fields["quantity"] else None
        out.append(
            {
                "iri": benefit,
                "label": _pick(fields["label"], lang),
                "quantity": int(quantity) if quantity is not None else None,
                "qualifier": _pick(fields["qualifier"], lang),
                "unit": _pick(fields["unit"], lang),
            }
        )
    return out


def _sources(store: GraphStore, labels: GraphIndex, iri: str, lang: str) -> dict[str, list[dict[str, object]]]:
    found: dict[str, dict[str, dict[str, object]]] = {"sources": {}, "outputs": {}}
    for row in store.select("finder-practice-sources", {"practice": as_iri(iri)}, raw=True):
        item = row["item"].value
        entry = found[row["kind"].value + "s"].setdefault(
            item,
            {
                "iri": item,
                "label": labels.label_or_iri(item, lang),
                "url": None,
                "status": None,
                "since": None,
                "inactive": False,
                "notes": [],
            },
        )
        if "url" in row:
            entry["url"] = row["url"].value
        if "status" in row:
            entry["status"] = labels.label_or_iri(row["status"].value, lang)
            entry["inactive"] = row["status"].value.rsplit("/", 1)[-1] in INACTIVE_STATUSES
        if "note" in row and row["note"] not in entry["notes"]:
            entry["notes"].append(row["note"])
        if "since" in row:
            entry["since"] = row["since"].value
    for entry in (*found["sources"].values(), *found["outputs"].values()):
        entry["note"] = _pick(entry.pop("notes"), lang)
    return {kind: list(items.values()) for kind, items in found.items()}


def _replicability(store: GraphStore, labels: GraphIndex, iri: str, lang: str, card: dict) -> dict[str, object]:
    """Who must sit at the table (the mechanism's required sectors and rules), what the mechanism does, who ran the
    programme (and whether it still exists), what the practice required, achieved and what went wrong."""
    sectors: dict[str, dict[str, str]] = {}
    rules: dict[str, dict[str, object]] = {}
    functions: list[tuple[int, dict[str, str]]] = []
    organisers: dict[str, dict[str, object]] = {}
    successors: list[dict[str, str]] = []
    for row in store.select("finder-practice-replicability", {"practice": as_iri(iri)}, raw=True):
        kind, item = row["kind"].value, row["item"].value
        ref = {"iri": item, "label": labels.label_or_iri(item, lang)}
        if kind == "sector":
            sectors[item] = ref
        elif kind == "rule":
            rules[item] = {**ref, "minimum": int(row["number"].value) if "number" in row else None}
        elif kind == "function" and ref not in [f for _, f in functions]:
            functions.append((int(row["number"].value) if "number" in row else 99, ref))
        elif kind == "organiser":
            organisers[item] = {**ref, "dissolved": row["date"].value if "date" in row else None}
        elif kind == "successor" and ref not in successors:
            successors.append(ref)
    minimum = max((r["minimum"] for r in rules.values() if r["minimum"]), default=None)
    return {
        "mechanism_known": card["mechanism"] is not None,
        "at_the_table": sorted(sectors.values(), key=lambda s: s["label"]),
        "minimum_representatives": minimum,
        "rules": sorted(rules.values(), key=lambda r: str(r["label"])),
        "functions": [f for _, f in sorted(functions, key=lambda x: x[0])],
        "organisers": list(organisers.values()),
        "successors": successors,
        "required": {"solution": card["solution"], "programmes": card["programmes"], "outputs": card["outputs"]},
        "achieved": card["benefits"],
        "went_wrong": card["status"]["note"]
        if card["status"]["inactive"] or card["status"]["inactive_outputs"]
        else None,
    }


def _actors(card: dict) -> list[dict[str, str]]:
    """Who was involved, as far as the graph says: the programme's organisers and the sectors of the mechanism."""
    actors = [{**o, "role": "organiser"} for o in card["replicability"]["organisers"]]
    actors += [{**s, "role": "sector"} for s in card["replicability"]["at_the_table"]]
    return [{"iri": a["iri"], "label": a["label"], "role": a["role"]} for a in actors]


#: the IRM's early results from which a commitment counts as one that "gave results" (marginal, major,
#: outstanding: rank 1 and up on ga:EarlyResultsScale), for the finder's «solo lo que dio resultados»
RESULTS_FROM_RANK = 1


def commitment_card(store: GraphStore, labels: GraphIndex, index: PracticeIndex, iri: str, lang: str) -> dict | None:
    """What the finder shows of one of Mexico's OGP commitments, in ``lang``: its OGP id, plan, institutions, place,
    the problem it addressed, its sources, and the evidence that it worked (the IRM's early results, ambition and
    verifiability with their rank on their scale, starred). ``None`` if ``iri`` is not an OGP commitment."""
    rows = store.select("finder-commitment-card", {"commitment": as_iri(iri)}, raw=True)
    if not rows:
        return None
    values: dict[str, list] = defaultdict(list)
    ranks: dict[str, int] = {}
    for row in rows:
        field = row["field"].value
        if row["value"] not in values[field]:
            values[field].append(row["value"])
        if "rank" in row:
            ranks[row["value"].value] = int(row["rank"].value)

    def ref(term: object) -> dict[str, object]:
        value = term.value  # type: ignore[attr-defined]
        out: dict[str, object] = {"iri": value, "label": labels.label_or_iri(value, lang)}
        if value in ranks:
            out["rank"] = ranks[value]
        return out

    def refs(name: str) -> list[dict[str, object]]:
        return [ref(v) for v in values[name] if not hasattr(v, "language") and isinstance(v, ox.NamedNode)]

    def rating(name: str) -> dict[str, object] | None:
        found = refs(name)
        return found[0] if found else None

    early = rating("earlyResults")
    starred = values["starred"][0].value == "true" if values["starred"] else None
    rank = early.get("rank") if early else None
    doc = index.doc_of.get(iri)
    return {
        "kind": "commitment",
        "iri": iri,
        "label": _pick(values["label"], lang) or labels.label_or_iri(iri, lang),
        "identifier": values["identifier"][0].value if values["identifier"] else None,
        "plan": rating("plan"),
        "place": rating("place"),
        "problem": {"description": _pick(values["problem"], lang)} if values["problem"] else None,
        "lead_institutions": refs("lead"),
        "support_institutions": refs("support"),
        "evidence": {
            "early_results": early,
            "ambition": rating("ambition"),
            "verifiable": rating("verifiable"),
            "starred": starred,
            "worked": bool((isinstance(rank, int) and rank >= RESULTS_FROM_RANK) or starred),
        },
        "themes": [
            {"iri": t, "label": index.themes[t].label(lang)}
            for t in sorted(index.themes_of[doc] if doc is not None else ())
        ],
        "sources": [{"iri": s.value, "label": s.value, "url": s.value} for s in values["source"]],
        "links": [v.value for v in values["seeAlso"]],
    }
