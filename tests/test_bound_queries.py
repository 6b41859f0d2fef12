"""A named query's bindings are written into it as constants on the embedded store, so that the engine's planner
knows them (pyoxigraph plans before it applies ``substitutions``: an entity's RDF description scanned every label
of the graph, 1.5 s at 10^6 triples). The answers are the same as the engine's own binding gives."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from benchmarks.bound_queries import BOUND
from graphapp import store as store_module
from graphapp.store import GraphStore

ID = "https://w3id.org/gakg/id/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _rows(store: GraphStore, name: str, bindings: dict[str, object]) -> list[str]:
    return sorted(
        repr(sorted(row.items())) for row in store.select(name, {k: ox.NamedNode(v) for k, v in bindings.items()})
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "bindings"), BOUND, ids=[name for name, _ in BOUND])
def test_a_bound_named_query_answers_as_the_engines_own_binding(
    public_store: GraphStore, monkeypatch: pytest.MonkeyPatch, name: str, bindings: dict[str, object]
) -> None:
    written_in = _rows(public_store, name, bindings)
    assert written_in, f"{name}: no answer for {bindings} in the shipped data"
    monkeypatch.setattr(store_module, "with_constants", lambda text, terms: None)  # the engine binds them
    assert _rows(public_store, name, bindings) == written_in


def test_a_literal_is_written_in_with_its_quotes_and_escapes(public_store: GraphStore) -> None:
    query = f"SELECT ?s WHERE {{ ?s <{LABEL}> ?l }}"
    found = public_store.select_text(query, {"l": ox.Literal("Durango", language="es")})
    assert ID + "entidad/durango" in {row["s"] for row in found}
    tricky = 'un "título" con \\ barra,\nsalto y ?l'
    assert public_store.select_text(query, {"l": tricky}) == []
    assert public_store.select_text("SELECT ?l WHERE { FILTER (?l = ?l) }", {"l": tricky}) == [{"l": tricky}]


def test_a_variable_that_only_looks_alike_is_left_alone(public_store: GraphStore) -> None:
    rows = public_store.select_text(
        f"SELECT ?s ?sl WHERE {{ ?s <{LABEL}> ?sl }}", {"s": ox.NamedNode(ID + "entidad/durango")}
    )
    assert rows and all(row["s"] == ID + "entidad/durango" and row["sl"] for row in rows)


def test_a_query_that_cannot_take_a_constant_is_bound_by_the_engine(public_store: GraphStore) -> None:
    # a subquery, and a variable a BIND assigns: both are left to the engine's binding, and still answer
    assert public_store.select_text("SELECT ?x WHERE { { SELECT ?x WHERE { BIND (1 AS ?x) } } }", {"x": 1}) == [
        {"x": 1}
    ]
    assert public_store.select_text("SELECT ?x ?y WHERE { BIND (1 AS ?y) BIND (?y AS ?x) }", {"x": 1}) == [
        {"x": 1, "y": 1}
    ]
