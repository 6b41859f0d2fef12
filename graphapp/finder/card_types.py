"""What the finder's cards hold (:mod:`graphapp.finder.cards`): a practice's card and an OGP commitment's, with
the pieces they share. Plain dictionaries at run time (the pages and the JSON API read them as they are)."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Ref(TypedDict):
    """An entity a card names: its IRI and its label in the reader's language."""

    iri: str
    label: str


class ProblemRef(Ref):
    description: str | None


class MechanismRef(Ref):
    definition: str | None


class Source(TypedDict):
    """A source of a practice, or an output of it (a portal, a law...), with its status if it stopped."""

    iri: str
    label: str
    url: str | None
    status: str | None
    since: str | None
    inactive: bool
    note: str | None


class Status(TypedDict):
    iri: str
    label: str
    inactive: bool
    since: str | None
    note: str | None
    inactive_outputs: list[Source]


class Benefit(TypedDict):
    iri: str
    label: str | None
    quantity: int | None
    qualifier: str | None
    unit: str | None


class Rule(Ref):
    minimum: int | None


class Organiser(Ref):
    dissolved: str | None


class Required(TypedDict):
    solution: str | None
    programmes: list[Ref]
    outputs: list[Source]


class Replicability(TypedDict):
    mechanism_known: bool
    at_the_table: list[Ref]
    minimum_representatives: int | None
    rules: list[Rule]
    functions: list[Ref]
    organisers: list[Organiser]
    successors: list[Ref]
    required: Required
    achieved: list[Benefit]
    went_wrong: str | None


class Actor(Ref):
    role: str


class PracticeEvidence(TypedDict):
    benefits: int
    worked: bool


class PracticeCard(TypedDict):
    """What :func:`graphapp.finder.cards.practice_card` answers."""

    iri: str
    label: str
    place: Ref | None
    problem: ProblemRef | None
    solution: str | None
    beneficiaries: str | None
    benefits: list[Benefit]
    mechanism: MechanismRef | None
    programmes: list[Ref]
    status: Status
    themes: list[Ref]
    sdgs: list[dict[str, str]]
    links: list[str]
    editorial_note: str | None
    sources: list[Source]
    outputs: list[Source]
    replicability: Replicability
    actors: list[Actor]
    kind: str
    evidence: PracticeEvidence


class RatedRef(Ref):
    """An entity named by a commitment, with its rank on its scale when it is a rating (ambition, early results)."""

    rank: NotRequired[int]


class CommitmentEvidence(TypedDict):
    early_results: RatedRef | None
    ambition: RatedRef | None
    verifiable: RatedRef | None
    starred: bool | None
    worked: bool


class Link(TypedDict):
    iri: str
    label: str
    url: str


class CommitmentCard(TypedDict):
    """What :func:`graphapp.finder.cards.commitment_card` answers."""

    kind: str
    iri: str
    label: str
    identifier: str | None
    plan: RatedRef | None
    place: RatedRef | None
    problem: dict[str, str | None] | None
    lead_institutions: list[RatedRef]
    support_institutions: list[RatedRef]
    evidence: CommitmentEvidence
    themes: list[Ref]
    sources: list[Link]
    links: list[str]
