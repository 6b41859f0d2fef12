"""``ORDER BY`` in researchers' queries answers, in SPARQL order, where the engine's own sort aborted the worker
(issue 19, item 3): on the shipped data, which has no ``xsd:dateTime``, an ordinary mix of numbers, strings and
language strings was enough. The engine now sorts by string keys that :mod:`graphapp.engine_order` computes
(:func:`graphapp.ordering.collation_string`), whose order is :func:`graphapp.ordering.sort_key`'s."""

from __future__ import annotations

from datetime import UTC, date, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from graphapp.engine_order import CUSTOM_FUNCTIONS, rewrite_order_by
from graphapp.ordering import collation_string, sort_key, sort_rows, term_collation_string

SUITES = Path(__file__).parent / "data" / "w3c-sparql-syntax"
XSD = "http://www.w3.org/2001/XMLSchema#"
LITERALS = "SELECT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }"


def _term(binding: dict[str, str] | None) -> object:
    """A SPARQL JSON binding as an rdflib term (what sort_key reads)."""
    if binding is None:
        return None
    if binding["type"] == "uri":
        return rdflib.URIRef(binding["value"])
    if binding["type"] == "bnode":
        return rdflib.BNode(binding["value"])
    return rdflib.Literal(binding["value"], lang=binding.get("xml:lang"), datatype=binding.get("datatype"))


def _column(client: TestClient, query: str, var: str = "o") -> list[object]:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [_term(row.get(var)) for row in r.json()["results"]["bindings"]]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_order_by_over_the_graphs_own_literals_answers_in_sparql_order(client: TestClient, direction: str) -> None:
    every = _column(client, f"{LITERALS} ORDER BY {direction}(?o)")
    assert len(every) >= 10_000  # the row cap: the first 10,000 of the sorted whole
    expected = sorted(every, key=sort_key, reverse=direction == "DESC")
    assert [sort_key(v) for v in every] == [sort_key(v) for v in expected]
    # LIMIT and OFFSET apply after the sort, as the query asks
    assert _column(client, f"{LITERALS} ORDER BY {direction}(?o) LIMIT 3") == every[:3]
    assert _column(client, f"{LITERALS} ORDER BY {direction}(?o) LIMIT 5 OFFSET 7") == every[7:12]
    # the service is still whole: the worker did not die
    assert _column(client, "SELECT (COUNT(*) AS ?o) WHERE { ?s ?p ?o }")[0]


def test_the_w3c_syntax_order_queries_answer(client: TestClient) -> None:
    """``syntax-order-04`` (``ORDER BY DESC(?o)`` over everything) and a sort over several keys of every kind."""
    r = client.get(
        "/sparql", params={"query": "SELECT * { ?s ?p ?o } ORDER BY DESC(?o)"}, headers={"Accept": "text/csv"}
    )
    assert r.status_code == 200, r.text[:300]
    rows = client.get(
        "/sparql",
        params={"query": "SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?p DESC(?o) ?s LIMIT 2000"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    keys = [(sort_key(_term(r["p"])), sort_key(_term(r["o"]))) for r in rows]
    assert all(a[0] < b[0] or (a[0] == b[0] and a[1] >= b[1]) for a, b in zip(keys, keys[1:], strict=False))


def _mixed_datetimes(n: int) -> str:
    zones = ["", "Z", "+05:00"]
    return " ".join(
        f'"2020-01-01T{i * 7 // 60 % 24:02d}:{i * 7 % 60:02d}:00{zones[i % 3]}"^^<{XSD}dateTime>' for i in range(n)
    )


def test_date_times_with_and_without_a_time_zone_sort_on_one_time_line(client: TestClient) -> None:
    """The case of docs/upstream/pyoxigraph-order-by-abort.md, which used to cost a worker and a 500."""
    values = _column(client, f"SELECT ?o WHERE {{ VALUES ?o {{ {_mixed_datetimes(300)} }} }} ORDER BY ?o")
    assert len(values) == 300
    instants = [v.toPython() for v in values]  # type: ignore[attr-defined]
    utc = [(d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(UTC) for d in instants]
    assert utc == sorted(utc)


def test_order_by_inside_a_subquery_and_in_construct(client: TestClient) -> None:
    inner = f"SELECT ?o WHERE {{ {{ {LITERALS} ORDER BY DESC(?o) LIMIT 4 }} }}"
    assert sorted(_column(client, inner), key=sort_key) == sorted(
        _column(client, f"{LITERALS} ORDER BY DESC(?o) LIMIT 4"), key=sort_key
    )
    r = client.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 10"},
        headers={"Accept": "application/n-triples"},
    )
    assert r.status_code == 200 and len(r.text.strip().splitlines()) == 10, r.text[:300]


# ---------------------------------------------------------------- the rewrite and the key, without the service


def _order_queries() -> list[Path]:
    return sorted(p for p in SUITES.rglob("*.rq") if "ORDER" in p.read_text(encoding="utf-8").upper())


@pytest.mark.parametrize("path", _order_queries(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_rewrite_keeps_every_w3c_order_query_valid(path: Path) -> None:
    """A query the engine parses still parses once its sort conditions are wrapped; one it refuses is still
    refused (the rewrite never turns a syntax error into a query)."""
    query = path.read_text(encoding="utf-8")
    store = ox.Store()

    def parses(text: str) -> bool:
        try:
            list(store.query(text, custom_functions=CUSTOM_FUNCTIONS) or [])  # type: ignore[arg-type]
        except SyntaxError:
            return False
        except Exception:  # an evaluation error (SERVICE…) is not a syntax error
            return True
        return True

    assert parses(rewrite_order_by(query)) == parses(query), rewrite_order_by(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * { } ORDER BY ?a", "ORDER BY ASC(<urn:x-gakg:sort-key>(?a))"),
        ("SELECT * { } order by asc (?a + 1)", "order by ASC(<urn:x-gakg:sort-key>((?a + 1)))"),
        (
            "SELECT * { } ORDER BY STR(?a) (?b) LIMIT 1",
            "ASC(<urn:x-gakg:sort-key>(COALESCE(STR(?a), <urn:x-gakg:sort-key:unbound>), "
            "COALESCE((?b), <urn:x-gakg:sort-key:unbound>))) LIMIT 1",
        ),
        (
            "SELECT * { } ORDER BY <http://f>(?a, ')') ?b",
            "ASC(<urn:x-gakg:sort-key>(COALESCE(<http://f>(?a, ')'), <urn:x-gakg:sort-key:unbound>), "
            "COALESCE(?b, <urn:x-gakg:sort-key:unbound>)))",
        ),
        ("SELECT * { } ORDER BY NOT EXISTS { ?a ?b ?c }", "ASC(<urn:x-gakg:sort-key>(NOT EXISTS { ?a ?b ?c }))"),
        ('SELECT * { ?s ?p "ORDER BY ?x" } # ORDER BY ?y', 'SELECT * { ?s ?p "ORDER BY ?x" } # ORDER BY ?y'),
    ],
)
def test_the_rewrite_wraps_each_condition_and_nothing_else(query: str, expected: str) -> None:
    assert expected in rewrite_order_by(query)


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.floats(),
    st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), st.just(UTC), st.just(timezone(timedelta(hours=5))))),
    st.text(max_size=6),
    st.binary(max_size=4),
    st.sampled_from([Decimal("1E+30"), Decimal("-1E-30"), float("-inf"), 0.0, -0.0, date(1, 1, 1)]),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_values, min_size=2, max_size=8))
def test_the_collation_string_orders_as_the_sort_key(values: list[object]) -> None:
    by_key = [sort_key(v) for v in sorted(values, key=sort_key)]
    by_string = [sort_key(v) for v in sorted(values, key=collation_string)]
    assert by_string == by_key


def test_the_sort_key_function_orders_engine_terms_as_sparql() -> None:
    """Unbound, blank nodes, IRIs, then literals: booleans, numbers by value, strings by code point."""
    query = 'SELECT ?o WHERE { VALUES ?o { 10 2.5 "b" "a"@es <http://x/> false UNDEF } } ORDER BY ?o'
    rows = ox.Store().query(rewrite_order_by(query), custom_functions=CUSTOM_FUNCTIONS)  # type: ignore[arg-type]
    assert [r["o"].value if r["o"] is not None else None for r in rows] == [  # type: ignore[union-attr,index]
        None,
        "http://x/",
        "false",
        "2.5",
        "10",
        "a",
        "b",
    ]


_XSD_TYPES = ["integer", "string", "decimal", "int", "boolean", "dateTime", "gYear"]
_texts = st.one_of(
    st.text(max_size=6),
    st.text(alphabet="\x00\x01\x02a", max_size=4),
    st.from_regex(r"[+-]?[0-9]{1,25}", fullmatch=True),
    st.sampled_from(["007", "+5", "-0", " 5", "5 ", "١٢", "1e3"]),
    st.integers(min_value=4290, max_value=4310).map(lambda digits: "9" * digits),  # beyond what int() reads
)
_terms = st.one_of(
    st.builds(lambda v, lang: ox.Literal(v, language=lang), _texts, st.sampled_from(["es", "en", "es-mx"])),
    st.builds(lambda v, t: ox.Literal(v, datatype=ox.NamedNode(XSD + t)), _texts, st.sampled_from(_XSD_TYPES)),
    st.builds(ox.Literal, _texts),
    st.builds(ox.NamedNode, st.sampled_from(["http://x/", "http://x/é", "urn:a", "https://w3id.org/gakg/id/a"])),
    st.builds(ox.BlankNode, st.sampled_from(["b0", "b1"])),
)


@settings(max_examples=1500, deadline=None)
@given(_terms)
def test_the_sort_key_function_writes_each_term_as_the_collation_string(term: ox.Literal) -> None:
    """The function the engine calls writes the common terms directly; the string is the one :func:`collation_string`
    writes through :func:`sort_key`, whatever the term."""
    assert term_collation_string(term) == collation_string(term)


_cells = st.one_of(
    st.just("UNDEF"),
    st.integers(-30, 30).map(str),
    st.sampled_from(["1.5", "-0.25", "2.0e1"]),
    st.sampled_from(["a", "b", "ab", "10", "2", ""]).map(lambda t: f'"{t}"'),
    st.sampled_from(["a", "b", "10"]).map(lambda t: f'"{t}"@es'),
    st.sampled_from(["http://x/a", "http://x/b", "urn:x-gakg:sort-key:other"]).map(lambda t: f"<{t}>"),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_cells, _cells, _cells), min_size=2, max_size=30),
    st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_conditions_of_one_direction_sort_as_one_after_another(
    rows: list[tuple[str, str, str]], desc: list[bool]
) -> None:
    """Consecutive conditions of one direction are one call of the function, with an unbound value standing as
    one: the engine's order is still ``sort_key``'s, condition after condition (ties in any order)."""
    values = " ".join(f"({a} {b} {c})" for a, b, c in rows)
    conditions = " ".join(f"{'DESC' if d else 'ASC'}(?{v})" for v, d in zip("abc", desc, strict=True))
    query = f"SELECT ?a ?b ?c WHERE {{ VALUES (?a ?b ?c) {{ {values} }} }} ORDER BY {conditions}"
    solutions = ox.Store().query(rewrite_order_by(query), custom_functions=CUSTOM_FUNCTIONS)  # type: ignore[arg-type]
    got = [{v: s[v] for v in "abc" if s[v] is not None} for s in solutions]  # type: ignore[union-attr,index]
    order = list(zip("abc", desc, strict=True))
    keys = [[sort_key(row.get(v)) for v in "abc"] for row in got]
    assert keys == [[sort_key(row.get(v)) for v in "abc"] for row in sort_rows(got, order)]
