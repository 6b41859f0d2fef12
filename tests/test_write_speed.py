"""What makes writes fast must not make them lax: the warmed-up validation and the cached SPARQL of the shapes
still refuse a change that breaks the shapes (see docs/benchmarks-writes.md)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from graphapp.config import Settings
from graphapp.store import GraphStore
from graphapp.validation import Report
from graphapp.writes import Change, Writer, WriteRejected
from graphapp.writes.history import History

GRAPH = ox.NamedNode("https://w3id.org/gakg/graph/contrib/staff")
PRACTICE = ox.NamedNode("https://w3id.org/gakg/id/practica/sin-nada")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def test_a_change_that_breaks_the_shapes_is_refused_after_the_warm_up() -> None:
    writer = Writer(GraphStore(), History(None), Settings(), writable="https://w3id.org/gakg/graph/")
    writer.warm_up().join(timeout=60)
    bare = ox.Quad(PRACTICE, TYPE, ox.NamedNode("https://w3id.org/gakg/ontology#BestPractice"), GRAPH)
    for _ in range(2):  # the second time with the shapes' SPARQL already parsed
        with pytest.raises(WriteRejected) as refused:
            writer.commit(Change(add=(bare,), actor="ana"))
        report = refused.value.report
        assert isinstance(report, Report) and report.violations
    assert len(writer.store) == 0
    label = ox.Quad(ox.NamedNode("https://w3id.org/gakg/id/x/a"), LABEL, ox.Literal("a", language="es"), GRAPH)
    assert writer.commit(Change(add=(label,), actor="ana")).change_id == 1


def test_a_cached_query_answers_with_each_call_s_bindings() -> None:
    import graphapp.validation  # noqa: F401 - registers the caching processor

    graph = rdflib.Graph()
    a, b, p = rdflib.URIRef("urn:a"), rdflib.URIRef("urn:b"), rdflib.URIRef("urn:p")
    graph.add((a, p, rdflib.Literal(1)))
    graph.add((b, p, rdflib.Literal(2)))
    query = "SELECT ?o WHERE { ?s <urn:p> ?o }"
    assert [r.o.toPython() for r in graph.query(query, initBindings={"s": a})] == [1]  # type: ignore[union-attr]
    assert [r.o.toPython() for r in graph.query(query, initBindings={"s": b})] == [2]  # type: ignore[union-attr]
    assert len(graph.query(query)) == 2
