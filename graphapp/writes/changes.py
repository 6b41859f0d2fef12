"""What a write is: quads to remove and quads to add, who asks, how, and from which source.

>>> q = ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("x"), ox.NamedNode("http://e/g"))
>>> from_nquads(to_nquads([q])) == [q]
True
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import pyoxigraph as ox

METHODS = ("api", "form", "import", "update", "revert", "retire")


class WriteRejected(ValueError):
    """A write that cannot be made as asked (HTTP 4xx); nothing was changed.

    ``status`` is the HTTP status, ``report`` the validation report when the shapes said no."""

    def __init__(self, message: str, status: int = 400, report: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.report = report


class StaleWrite(Exception):
    """The change was computed on a version of the graph that is no longer the current one."""


@dataclass(frozen=True)
class Change:
    add: tuple[ox.Quad, ...] = ()
    remove: tuple[ox.Quad, ...] = ()
    actor: str = "anonymous"
    method: str = "api"
    source: str | None = None  # IRI of the document the change comes from, if any
    note: str = ""
    reverts: int | None = None  # the change this one undoes
    subjects: frozenset[str] = field(default_factory=frozenset)  # entities the change is about, beyond its quads

    def touched(self) -> set[str]:
        """IRIs of the subjects whose statements change (the entities of the history)."""
        out = set(self.subjects)
        for q in (*self.add, *self.remove):
            if isinstance(q.subject, ox.NamedNode):
                out.add(q.subject.value)
        return out

    def graphs(self) -> set[str]:
        return {q.graph_name.value for q in (*self.add, *self.remove) if isinstance(q.graph_name, ox.NamedNode)}

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


#: a quad's subject or object (a blank node among them becomes an IRI, the others stay what they are)
_Term = TypeVar("_Term", bound=ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple)


def skolemize(quads: Iterable[ox.Quad], base_iri: str) -> list[ox.Quad]:
    """Name every blank node with an IRI (``<base>.well-known/genid/<uuid>``, RFC 7120), consistently within
    one change, so that it can be removed again and reverted."""
    names: dict[str, ox.NamedNode] = {}

    def name(term: _Term) -> _Term | ox.NamedNode:
        if isinstance(term, ox.BlankNode):
            if term.value not in names:
                names[term.value] = ox.NamedNode(f"{base_iri}.well-known/genid/{uuid.uuid4().hex}")
            return names[term.value]
        return term

    return [ox.Quad(name(q.subject), q.predicate, name(q.object), q.graph_name) for q in quads]


def to_nquads(quads: Iterable[ox.Quad]) -> str:
    out = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS)
    return out.decode() if isinstance(out, bytes) else ""


def from_nquads(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS)) if text else []
