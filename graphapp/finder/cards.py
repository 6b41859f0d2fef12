"""What a result shows: the practice card, with what replicating the practice takes.

Read through the named queries ``finder-practice-card``, ``-benefits``, ``-sources`` and ``-replicability``; the
web app caches each card once per graph version and language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TypedDict

import pyoxigraph as ox

from ..index import GraphIndex
from ..storage import Store, Term
from ..storage import iri as as_iri
from .card_types import (
    Actor,
    Benefit,
    CommitmentCard,
    Organiser,
    PracticeCard,
    RatedRef,
    Ref,
    Replicability,
    Required,
    Rule,
    Source,
    Status,
)
from .index import PracticeIndex
from .text import LANGS
from .thesaurus import sdg_order


def practice_card(
    store: Store, labels: GraphIndex, index: PracticeIndex, iri: str, lang: str
) -> Mapping[str, object] | None:
    """Everything a person replicating a practice needs, in ``lang``: place, problem, solution, benefits with their
    figures, actors, mechanism, status (with its warning and lesson), sources and what replicating it takes
    (a :class:`PracticeCard`). ``None`` if ``iri`` is not a best practice."""
    rows = store.select("finder-practice-card", {"practice": as_iri(iri)}, raw=True)
    if not rows:
        return None
    values: dict[str, list[Term]] = defaultdict(list)
    for row in rows:
        if row["value"] not in values[row["field"].value]:
            values[row["field"].value].append(row["value"])

    def text(name: str) -> str | None:
        return _pick(_literals(values[name]), lang)

    def refs(name: str) -> list[Ref]:
        return [
            {"iri": v.value, "label": labels.label_or_iri(v.value, lang)}
            for v in values[name]
            if isinstance(v, ox.NamedNode | ox.BlankNode)
        ]

    status = _first(refs("status"))
    since = values["inactiveSince"][0].value if values["inactiveSince"] else None
    inactive = since is not None or (status is not None and status["iri"].rsplit("/", 1)[-1] in INACTIVE_STATUSES)
    problem = _first(refs("problem"))
    mechanism = _first(refs("mechanism"))
    doc = index.doc_of.get(iri)
    benefits = _benefits(store, iri, lang)
    solution, programmes = text("solution"), refs("programme")
    sources = _sources(store, labels, iri, lang)
    outputs = sources["outputs"]
    card_status: Status = {
        **(status or {"iri": "", "label": ""}),
        "inactive": inactive,
        "since": since,
        "note": text("statusNote"),
        # what stopped may be something the practice produced (REGINA), not the practice: the warning names it
        "inactive_outputs": [o for o in outputs if o["inactive"]],
    }
    replicability = _replicability(
        store,
        labels,
        iri,
        lang,
        mechanism_known=mechanism is not None,
        required={"solution": solution, "programmes": programmes, "outputs": outputs},
        achieved=benefits,
        status=card_status,
    )
    card: PracticeCard = {
        "iri": iri,
        "label": text("label") or labels.label_or_iri(iri, lang),
        "place": _first(refs("place")),
        "problem": {**problem, "description": text("problemDescription")} if problem is not None else None,
        "solution": solution,
        "beneficiaries": text("beneficiaries"),
        "benefits": benefits,
        "mechanism": {**mechanism, "definition": text("mechanismDefinition")} if mechanism is not None else None,
        "programmes": programmes,
        "status": card_status,
        "themes": [
            {"iri": t, "label": index.themes[t].label(lang)}
            for t in sorted(index.themes_of[doc] if doc is not None else ())
        ],
        "sdgs": [index.sdg(s, lang) for s in sorted(index.practice_sdgs(doc), key=sdg_order)]
        if doc is not None
        else [],
        "links": [v.value for v in values["seeAlso"] if isinstance(v, ox.NamedNode | ox.BlankNode)],
        "editorial_note": text("editorialNote"),
        "sources": sources["sources"],
        "outputs": outputs,
        "replicability": replicability,
        "actors": _actors(replicability),
        "kind": "practice",
        # a practice "gave results" when the source reports a benefit of it
        "evidence": {"benefits": len(benefits), "worked": bool(benefits)},
    }
    return card


INACTIVE_STATUSES = {"inactiva", "extinta"}


def _first(refs: list[Ref]) -> Ref | None:
    return refs[0] if refs else None


def _literals(terms: Sequence[Term]) -> list[ox.Literal]:
    """The literals among a field's values (texts), without the IRIs."""
    return [t for t in terms if isinstance(t, ox.Literal)]


def _pick(literals: Sequence[ox.Literal], lang: str) -> str | None:
    """The literal in ``lang``, else in the other language, else an untagged one."""
    for want in (lang, *(other for other in LANGS if other != lang), ""):
        for lit in literals:
            if (lit.language or "") == want:
                return lit.value
    return literals[0].value if literals else None


def _benefits(store: Store, iri: str, lang: str) -> list[Benefit]:
    by_benefit: dict[str, dict[str, list[Term]]] = {}
    for row in store.select("finder-practice-benefits", {"practice": as_iri(iri)}, raw=True):
        entry = by_benefit.setdefault(row["benefit"].value, defaultdict(list))
        entry[row["field"].value].append(row["value"])
    out: list[Benefit] = []
    for benefit, fields in by_benefit.items():
        quantity = fields["quantity"][0].value if fields["quantity"] else None
        out.append(
            {
                "iri": benefit,
                "label": _pick(_literals(fields["label"]), lang),
                "quantity": int(quantity) if quantity is not None else None,
                "qualifier": _pick(_literals(fields["qualifier"]), lang),
                "unit": _pick(_literals(fields["unit"]), lang),
            }
        )
    return out


class _SourceDraft(TypedDict):
    """A :class:`Source` while its rows are read: every note, the one in the reader's language picked at the end."""

    iri: str
    label: str
    url: str | None
    status: str | None
    since: str | None
    inactive: bool
    notes: list[Term]


def _sources(store: Store, labels: GraphIndex, iri: str, lang: str) -> dict[str, list[Source]]:
    """The practice's ``sources`` and its ``outputs``."""
    found: dict[str, dict[str, _SourceDraft]] = {"sources": {}, "outputs": {}}
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
    return {
        kind: [
            {
                "iri": e["iri"],
                "label": e["label"],
                "url": e["url"],
                "status": e["status"],
                "since": e["since"],
                "inactive": e["inactive"],
                "note": _pick(_literals(e["notes"]), lang),
            }
            for e in items.values()
        ]
        for kind, items in found.items()
    }


def _replicability(
    store: Store,
    labels: GraphIndex,
    iri: str,
    lang: str,
    *,
    mechanism_known: bool,
    required: Required,
    achieved: list[Benefit],
    status: Status,
) -> Replicability:
    """Who must sit at the table (the mechanism's required sectors and rules), what the mechanism does, who ran the
    programme (and whether it still exists), what the practice required, achieved and what went wrong."""
    sectors: dict[str, Ref] = {}
    rules: dict[str, Rule] = {}
    functions: list[tuple[int, Ref]] = []
    organisers: dict[str, Organiser] = {}
    successors: list[Ref] = []
    for row in store.select("finder-practice-replicability", {"practice": as_iri(iri)}, raw=True):
        kind, item = row["kind"].value, row["item"].value
        ref: Ref = {"iri": item, "label": labels.label_or_iri(item, lang)}
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
        "mechanism_known": mechanism_known,
        "at_the_table": sorted(sectors.values(), key=lambda s: s["label"]),
        "minimum_representatives": minimum,
        "rules": sorted(rules.values(), key=lambda r: str(r["label"])),
        "functions": [f for _, f in sorted(functions, key=lambda x: x[0])],
        "organisers": list(organisers.values()),
        "successors": successors,
        "required": required,
        "achieved": achieved,
        "went_wrong": status["note"] if status["inactive"] or status["inactive_outputs"] else None,
    }


def _actors(replicability: Replicability) -> list[Actor]:
    """Who was involved, as far as the graph says: the programme's organisers and the sectors of the mechanism."""
    actors: list[Actor] = [
        {"iri": o["iri"], "label": o["label"], "role": "organiser"} for o in replicability["organisers"]
    ]
    actors += [{"iri": s["iri"], "label": s["label"], "role": "sector"} for s in replicability["at_the_table"]]
    return actors


#: the IRM's early results from which a commitment counts as one that "gave results" (marginal, major,
#: outstanding: rank 1 and up on ga:EarlyResultsScale), for the finder's «solo lo que dio resultados»
RESULTS_FROM_RANK = 1


def commitment_card(
    store: Store, labels: GraphIndex, index: PracticeIndex, iri: str, lang: str
) -> Mapping[str, object] | None:
    """What the finder shows of one of Mexico's OGP commitments, in ``lang``: its OGP id, plan, institutions, place,
    the problem it addressed, its sources, and the evidence that it worked (the IRM's early results, ambition and
    verifiability with their rank on their scale, starred): a :class:`CommitmentCard`. ``None`` if ``iri`` is not
    an OGP commitment."""
    rows = store.select("finder-commitment-card", {"commitment": as_iri(iri)}, raw=True)
    if not rows:
        return None
    values: dict[str, list[Term]] = defaultdict(list)
    ranks: dict[str, int] = {}
    for row in rows:
        field = row["field"].value
        if row["value"] not in values[field]:
            values[field].append(row["value"])
        if "rank" in row:
            ranks[row["value"].value] = int(row["rank"].value)

    def refs(name: str) -> list[RatedRef]:
        out: list[RatedRef] = []
        for v in values[name]:
            if not isinstance(v, ox.NamedNode):
                continue
            ref: RatedRef = {"iri": v.value, "label": labels.label_or_iri(v.value, lang)}
            if v.value in ranks:
                ref["rank"] = ranks[v.value]
            out.append(ref)
        return out

    def rating(name: str) -> RatedRef | None:
        found = refs(name)
        return found[0] if found else None

    early = rating("earlyResults")
    starred = values["starred"][0].value == "true" if values["starred"] else None
    rank = early.get("rank") if early else None
    doc = index.doc_of.get(iri)
    card: CommitmentCard = {
        "kind": "commitment",
        "iri": iri,
        "label": _pick(_literals(values["label"]), lang) or labels.label_or_iri(iri, lang),
        "identifier": values["identifier"][0].value if values["identifier"] else None,
        "plan": rating("plan"),
        "place": rating("place"),
        "problem": {"description": _pick(_literals(values["problem"]), lang)} if values["problem"] else None,
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
    return card
