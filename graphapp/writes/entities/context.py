"""The place where entities live: the store to read, the graph new statements go to and the graphs that are
read-only; the classes an entity has, and the declared kind of an IRI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ...iris import is_valid_iri
from ...storage import Store
from .kinds import KINDS, RDF_TYPE, RDFS, Kind


@dataclass
class Context:
    """The store to read, where new statements go (``contributions``) and which graphs are read-only (the
    project's source files)."""

    store: Store
    contributions: str
    read_only: frozenset[str] = frozenset()
    _subclasses: dict[str, set[str]] | None = field(default=None, repr=False)

    @classmethod
    def of_service(cls, service: Any) -> Context:
        return cls(service.store, service.contributions, frozenset(service.writer.read_only))

    @classmethod
    def of_writer(cls, writer: Any, contributions: str) -> Context:
        return cls(writer.store, contributions, frozenset(writer.read_only))

    @property
    def base(self) -> str:
        return self.store.base_iri

    @property
    def id_base(self) -> str:
        return self.store.base_iri + "id/"

    def iri(self, kind: Kind, slug: str) -> str:
        return f"{self.id_base}{kind.segment}/{slug}"

    def quads(self, iri: str) -> list[ox.Quad]:
        return self.store.quads_about([iri]) if is_valid_iri(iri) else []

    def exists(self, iri: str) -> bool:
        """Whether the graph describes ``iri`` (it is the subject of some statement)."""
        return bool(self.quads(iri))

    def superclasses(self, cls: str) -> set[str]:
        """``cls`` and every class above it (``rdfs:subClassOf*``), from the ontology in the store."""
        if self._subclasses is None:
            up: dict[str, set[str]] = {}
            for row in self.store.select_text(f"SELECT ?c ?s WHERE {{ ?c <{RDFS}subClassOf> ?s }}"):
                up.setdefault(str(row["c"]), set()).add(str(row["s"]))
            self._subclasses = up
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self._subclasses.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def is_a(self, types: Iterable[str], cls: str) -> bool:
        return any(cls in self.superclasses(t) for t in types)


def types_of(quads: Iterable[ox.Quad]) -> set[str]:
    return {q.object.value for q in quads if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode)}


def kind_of_iri(ctx: Context, iri: str) -> Kind | None:
    """The declared kind of an entity of the graph, from its IRI's segment and its type."""
    if not iri.startswith(ctx.id_base):
        return None
    segment = iri[len(ctx.id_base) :].split("/", 1)[0]
    types = types_of(ctx.quads(iri))
    for kind in KINDS.values():
        if kind.segment == segment and ctx.is_a(types, kind.cls):
            return kind
    return None
