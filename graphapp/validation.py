"""SHACL validation (pyshacl) of data against the shapes, with a report people can read.

Validation runs without inference (FACTS.md: RDFS inference hid ``sh:class`` violations); the ontology is
mixed into the data graph so that ``sh:class`` sees ``rdfs:subClassOf``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query

from .config import Settings
from .sources import SourceFile, discover, local_file
from .storage import Store, rdflib_term
from .store import GraphStore, rdflib_graph


class _CachedSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, keeping the parsed and translated form of the last query texts it saw.

    pyshacl evaluates the shapes' SPARQL targets and constraints by their text at every validation (values are
    bound through ``initBindings``, the text does not change), and rdflib parses the text each time: about a fifth
    of a write's focused validation went to parsing the same few queries. A translated query is reusable as is
    (that is what :func:`rdflib.plugins.sparql.prepareQuery` returns); only the text is the key, with the base
    and the namespaces given."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,
        initBindings: Mapping[str, Any] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            namespaces = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = _translated(strOrQuery, base, namespaces)
        return evalQuery(self.graph, strOrQuery, initBindings or {}, base)


@functools.lru_cache(maxsize=256)
def _translated(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


rdflib.plugin.register("sparql", rdflib.query.Processor, __name__, "_CachedSPARQLProcessor")

#: shorter values (numbers, "1", "es") are not masked: they carry no personal data and would garble messages
MIN_HIDDEN_VALUE = 3


@dataclass(frozen=True)
class Finding:
    """One validation result."""

    focus: str
    shape: str
    severity: str
    messages: dict[str, str] = field(default_factory=dict)
    path: str | None = None
    value: str | None = None

    def message(self, lang: str) -> str:
        return self.messages.get(lang) or self.messages.get("") or next(iter(self.messages.values()), "")


#: what operator output shows instead of a name or value from the restricted (personal) data
RESTRICTED_PLACEHOLDER = {"es": "[dato restringido]", "en": "[restricted data]"}


@dataclass
class Report:
    conforms: bool
    findings: list[Finding]
    labels: dict[str, str]
    #: entities described in the restricted data (data/restricted/): their labels are personal data
    restricted: frozenset[str] = frozenset()
    #: text values of the restricted data, never printed in a message unless asked for
    restricted_values: frozenset[str] = frozenset()

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    def shapes(self) -> set[str]:
        """Local names (stable IDs) of the shapes that produced a finding."""
        return {_local(f.shape) for f in self.findings}

    def restrict(self, restricted: rdflib.Graph) -> Report:
        """This report, knowing which entities and values come from the restricted data (``restricted``)."""
        nodes = {str(s) for s in restricted.subjects()}  # as Finding.focus names them
        values = {
            str(o)
            for o in restricted.objects()
            if isinstance(o, rdflib.Literal) and len(str(o)) >= MIN_HIDDEN_VALUE and any(c.isalpha() for c in str(o))
        }
        return replace(
            self, restricted=self.restricted | frozenset(nodes), restricted_values=self.restricted_values | values
        )

    def publishable(self, publication_shapes: Iterable[str], restricted: Iterable[str]) -> Report:
        """This report without the findings of the publication shapes (what may be *published* about people)
        for entities of the restricted data, which is never published: a name without consent belongs there."""
        shapes, nodes = set(publication_shapes), set(restricted)
        kept = [f for f in self.findings if not (f.shape in shapes and f.focus in nodes)]
        return replace(self, findings=kept, conforms=not any(f.severity == "Violation" for f in kept))

    def format(self, lang: str = "es", *, show_restricted: bool = False) -> str:
        """Group the findings by entity label: one heading per entity, one line per finding.

        Entities of the restricted data are headed by a placeholder and their IRI, and values of the restricted
        data are masked in messages, unless ``show_restricted``.
        """
        if not self.findings:
            return (
                "Conforme: los datos cumplen todas las formas SHACL."
                if lang == "es"
                else ("Conforms: the data satisfies every SHACL shape.")
            )
        placeholder = RESTRICTED_PLACEHOLDER.get(lang, RESTRICTED_PLACEHOLDER["en"])
        hidden = frozenset() if show_restricted else self.restricted

        def label(focus: str) -> str:
            return placeholder if focus in hidden else self.labels.get(focus, focus)

        def mask(text: str) -> str:
            if show_restricted:
                return text
            for value in sorted(self.restricted_values, key=len, reverse=True):
                text = text.replace(value, placeholder)
            return text

        by_focus: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            by_focus[f.focus].append(f)
        lines: list[str] = []
        for focus in sorted(by_focus, key=lambda n: (label(n).lower(), n)):
            lines.append(f"{label(focus)}  <{focus}>")
            for f in sorted(by_focus[focus], key=lambda f: (f.shape, f.path or "")):
                where = f" [{_local(f.path)}]" if f.path else ""
                lines.append(f"  {f.severity} {_local(f.shape)}{where}: {mask(f.message(lang))}")
        n_v, n_w = len(self.violations), len(self.findings) - len(self.violations)
        n_e = len(by_focus)
        if lang == "es":
            counted = (_n(n_v, "violación", "violaciones"), _n(n_w, "aviso", "avisos"), _n(n_e, "entidad", "entidades"))
            summary = "{}, {} en {}.".format(*counted)
        else:
            counted = (
                _n(n_v, "violation", "violations"),
                _n(n_w, "warning", "warnings"),
                _n(n_e, "entity", "entities"),
            )
            summary = "{}, {} in {}.".format(*counted)
        n_hidden = len(hidden & by_focus.keys())
        if n_hidden:
            summary += (
                f" Nombres ocultos de {n_hidden} entidades de datos restringidos (personales); --show-restricted los"
                " muestra."
                if lang == "es"
                else f" Names of {n_hidden} entities from restricted (personal) data hidden; --show-restricted shows"
                " them."
            )
        return "\n".join([*lines, "", summary])


def load_shapes(shape_files: Iterable[SourceFile]) -> rdflib.Graph:
    return rdflib_graph(shape_files)


def validate(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph,
    focus_nodes: Sequence[rdflib.URIRef] | None = None,
) -> Report:
    """Validate ``data`` (with ``ontology`` mixed in) against ``shapes``; only ``focus_nodes`` if given."""
    conforms, results, _ = pyshacl.validate(
        data,
        focus_nodes=list(focus_nodes) if focus_nodes is not None else None,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=True,
        js=False,
        do_owl_imports=False,
    )
    findings = [_finding(results, shapes, r) for r in results.subjects(RDF.type, SH.ValidationResult)]
    labels = _labels(data, {f.focus for f in findings})
    return Report(bool(conforms), findings, labels)


def _finding(results: rdflib.Graph, shapes: rdflib.Graph, r: rdflib.term.Node) -> Finding:
    # A SPARQL constraint is reported under its node shape (sh:sourceShape); its own IRI, which is the
    # stable ID people look for, is in sh:sourceConstraint.
    constraint = results.value(r, SH.sourceConstraint)
    source = constraint if isinstance(constraint, rdflib.URIRef) else results.value(r, SH.sourceShape)
    # Messages come from the shape itself, where they keep their language tags (pyshacl drops the tags of
    # SPARQL-constraint messages); the result's own message is the fallback.
    messages: dict[str, str] = {}
    for m in (*shapes.objects(source, SH.message), *results.objects(r, SH.resultMessage)):
        lang = m.language if isinstance(m, rdflib.Literal) and m.language else ""
        messages.setdefault(lang, str(m))
    severity = results.value(r, SH.resultSeverity)
    path = results.value(r, SH.resultPath)
    value = results.value(r, SH.value)
    return Finding(
        focus=str(results.value(r, SH.focusNode)),
        shape=str(source),
        severity=_local(str(severity)) if severity else "Violation",
        messages=messages,
        path=str(path) if isinstance(path, rdflib.URIRef) else None,
        value=str(value) if value is not None else None,
    )


def _labels(data: rdflib.Graph, nodes: set[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for n in nodes:
        node = rdflib.URIRef(n) if not n.startswith("_:") else rdflib.BNode(n[2:])
        for prop in (RDFS.label, SKOS.prefLabel):
            found = {lit.language: str(lit) for lit in data.objects(node, prop) if isinstance(lit, rdflib.Literal)}
            if found:
                labels[n] = found.get("es") or found.get("en") or next(iter(found.values()))
                break
    return labels


def _local(iri: str | None) -> str:
    if not iri:
        return ""
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri


#: the shapes file of what may be published about people (see :meth:`Report.publishable`)
PUBLICATION_SHAPES = "publication.ttl"


def publication_shapes(settings: Settings) -> frozenset[str]:
    """IRIs of the shapes (and their constraints) declared in ``shapes/publication.ttl``."""
    path = settings.shapes_dir / PUBLICATION_SHAPES
    if not path.exists():
        return frozenset()
    graph = rdflib_graph([local_file(path)])
    return frozenset(str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef))


def shapes_graph(settings: Settings) -> rdflib.Graph:
    return load_shapes(local_file(p) for p in sorted(settings.shapes_dir.glob("*.ttl")))


def ontology_graph(settings: Settings) -> rdflib.Graph:
    return rdflib_graph(f for f in discover(settings) if f.path.parent == settings.ontology_dir)


def validate_store(store: Store, settings: Settings) -> Report:
    """Validate a whole store (e.g. after an update) against the project's shapes."""
    return validate(store.to_rdflib(), shapes_graph(settings), ontology_graph(settings))


#: what the ontology says only for people (labels, definitions, comments): no shape reads it from the ontology, and
#: it is most of the ontology's statements, which pyshacl copies into every validation's data and scans
ANNOTATIONS = frozenset({RDFS.label, RDFS.comment, SKOS.definition})


@functools.lru_cache(maxsize=4)
def _rules(
    shapes_dir: Path, ontology_dir: Path, data_dir: Path
) -> tuple[
    rdflib.Graph,
    rdflib.Graph,
    dict[rdflib.term.Node, list[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]],
]:
    """The shapes, the ontology without its annotations (:data:`ANNOTATIONS`), and those annotations by subject."""
    settings = Settings(shapes_dir=shapes_dir, ontology_dir=ontology_dir, data_dir=data_dir)
    structure, annotations = rdflib.Graph(), defaultdict(list)
    for s, p, o in ontology_graph(settings):
        if p in ANNOTATIONS:
            annotations[s].append((s, p, o))
        else:
            structure.add((s, p, o))
    return shapes_graph(settings), structure, dict(annotations)


def validate_change(
    store: Store, focus: Iterable[str], add: Iterable[ox.Quad], remove: Iterable[ox.Quad], settings: Settings
) -> Report:
    """Validate what a change leaves behind, for its ``focus`` entities only (pyshacl focus nodes): the shapes
    see each focus entity's statements and those of the nodes it points at (two steps deep, as the SPARQL
    constraints look), with the change applied. Milliseconds per entity where the whole graph takes seconds
    (docs/benchmarks.md)."""
    focus = {f for f in focus if not f.startswith("_:")}
    add, remove = list(add), set(remove)
    after = [q for q in store.quads_about(focus) if q not in remove]
    after += [q for q in add if isinstance(q.subject, ox.NamedNode) and q.subject.value in focus]
    neighbours = {q.object.value for q in after if isinstance(q.object, ox.NamedNode)} - focus
    after += [q for q in store.quads_about(neighbours) if q not in remove]
    data = rdflib.Graph()
    for q in after:
        data.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    shapes, ontology, annotations = _rules(settings.shapes_dir, settings.ontology_dir, settings.data_dir)
    # the ontology's annotations of the entities in the context are kept (as the whole ontology would give them)
    for node in focus | neighbours:
        for triple in annotations.get(rdflib.URIRef(node), ()):
            data.add(triple)
    # The whole (small) context is validated and only the focus entities' findings kept: pyshacl's focus_nodes
    # mode skips sh:qualifiedValueShape constraints (the Spanish-label and STL-sector shapes), so it cannot be
    # used. The neighbours' own findings are dropped: their context is incomplete by design.
    report = validate(data, shapes, ontology)
    findings = [f for f in report.findings if f.focus in focus]
    return replace(report, conforms=not any(f.severity == "Violation" for f in findings), findings=findings)


def warm_up(settings: Settings) -> None:
    """Load the shapes and the ontology, and validate a one-statement change once (pyshacl's first run, the
    shapes' SPARQL parsed): the first write of a process then costs what the others do."""
    graph = ox.NamedNode(settings.base_iri + "graph/contrib/staff")
    node = ox.NamedNode(settings.base_iri + "id/x/warm-up")
    quad = ox.Quad(node, ox.NamedNode(str(RDFS.label)), ox.Literal("warm-up", language="es"), graph)
    validate_change(GraphStore(), {node.value}, [quad], [], settings)


def _n(count: int, one: str, many: str) -> str:
    """«1 aviso», «2 avisos»."""
    return f"{count} {one if count == 1 else many}"
