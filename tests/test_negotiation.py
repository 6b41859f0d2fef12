"""Direct unit tests of the pieces the HTTP tests exercise from outside: the one negotiation function, the
SPARQL result formats chosen from ``format=``/``Accept`` as researchers' tools send them, the result
serialisers and the keyword guard."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib

from graphapp import results
from graphapp.negotiation import choose, parse_accept
from graphapp.results import NotAcceptable, negotiate
from graphapp.sparql_guard import RefusedQuery, inspect_query

# ---------------------------------------------------------------- choose


def test_highest_q_then_specificity_then_order() -> None:
    assert choose("application/json;q=0.5, text/html", ["application/json", "text/html"]) == "text/html"
    # equal q: the exact type beats a wildcard, whatever the order of offers
    assert choose("text/*, text/html", ["text/plain", "text/html"]) == "text/html"
    # */* (or nothing) gets the first offer
    assert choose("*/*", ["text/plain", "text/html"]) == "text/plain"
    assert choose("", ["application/json", "text/html"]) == "application/json"
    # q=0 excludes a type even when a wildcard matches it
    assert choose("*/*, text/plain;q=0", ["text/plain", "text/html"]) == "text/html"
    assert choose("image/png", ["text/html"]) is None
    assert choose("*/*", ["text/html"], min_specificity=1) is None


def test_parse_accept_orders_by_q_and_keeps_ties_in_order() -> None:
    assert parse_accept("a/b;q=0.2, c/d, e/f;q=0.2") == [("c/d", 1.0), ("a/b", 0.2), ("e/f", 0.2)]


# ---------------------------------------------------------------- result formats: format= and Accept

SW_ACCEPT = {  # what SPARQLWrapper 2 sends as Accept for each return format
    ("SELECT", "xml"): "application/sparql-results+xml",
    ("SELECT", "json"): "application/sparql-results+json,application/json,text/javascript,application/javascript",
    ("CONSTRUCT", "xml"): "application/rdf+xml",
    ("CONSTRUCT", "turtle"): "application/turtle,text/turtle",
    ("CONSTRUCT", "n3"): "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3",
    ("CONSTRUCT", "json-ld"): "application/ld+json,application/x-json+ld",
    ("CONSTRUCT", "rdf+xml"): "application/rdf+xml",
}


@pytest.mark.parametrize(
    ("form", "sw_format", "extra", "expected"),
    [
        ("SELECT", "xml", [], "xml"),
        ("SELECT", "json", [], "json"),
        ("CONSTRUCT", "xml", [], "rdfxml"),  # SPARQLWrapper's default return format, for every query form
        ("DESCRIBE", "xml", [], "rdfxml"),
        ("CONSTRUCT", "turtle", [], "ttl"),
        ("CONSTRUCT", "n3", [], "ttl"),
        ("CONSTRUCT", "json-ld", ["application/ld+json,application/x-json+ld"], "jsonld"),
        ("CONSTRUCT", "rdf+xml", ["application/rdf+xml"], "rdfxml"),
    ],
)
def test_sparqlwrapper_format_values(form: str, sw_format: str, extra: list[str], expected: str) -> None:
    accept = SW_ACCEPT[(form if form != "DESCRIBE" else "CONSTRUCT", sw_format)]
    assert negotiate(form, accept, [sw_format, *extra]).key == expected


def test_inapplicable_or_unknown_format_leaves_a_satisfiable_accept_to_decide() -> None:
    assert negotiate("CONSTRUCT", "text/turtle", "csv").key == "ttl"  # csv does not apply to CONSTRUCT
    assert negotiate("SELECT", "text/csv", "html").key == "csv"  # html: Virtuoso's, not ours
    assert negotiate("SELECT", "application/sparql-results+json", "nonsense").key == "json"
    # but a format we cannot honour is not silently replaced by a wildcard's default
    with pytest.raises(NotAcceptable, match="format='cvs'"):
        negotiate("SELECT", "*/*", "cvs")
    with pytest.raises(NotAcceptable):
        negotiate("CONSTRUCT", None, "tsv")


def test_format_wins_over_accept_when_it_applies() -> None:
    assert negotiate("SELECT", "application/sparql-results+xml", "csv").key == "csv"
    assert negotiate("SELECT", None, "text/tab-separated-values").key == "tsv"  # Virtuoso-style media types
    assert negotiate("CONSTRUCT", None, "application/n-triples").key == "nt"


@pytest.mark.parametrize("form", ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"])
def test_every_format_of_a_form_is_reachable_by_key_and_media_type(form: str) -> None:
    for fmt in results.formats_for(form):
        assert negotiate(form, None, fmt.key) == fmt
        assert negotiate(form, fmt.media_type) == fmt


# ---------------------------------------------------------------- serialisers

ROWS = [
    [ox.NamedNode("https://e/a"), ox.Literal('uno, "dos"', language="es"), None],
    [ox.BlankNode("b1"), ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), None],
]
VARS = ["s", "label", "unbound"]


def _fmt(key: str) -> results.ResultFormat:
    return next(f for f in (*results.SOLUTION_FORMATS, *results.GRAPH_FORMATS) if f.key == key)


def test_json_results_follow_the_w3c_format() -> None:
    data = json.loads(results.serialize_solutions(VARS, ROWS, _fmt("json")))
    assert data["head"]["vars"] == VARS
    first, second = data["results"]["bindings"]
    assert first["s"] == {"type": "uri", "value": "https://e/a"}
    assert first["label"] == {"type": "literal", "value": 'uno, "dos"', "xml:lang": "es"}
    assert "unbound" not in first
    assert second["s"]["type"] == "bnode"
    assert second["label"]["datatype"].endswith("#integer")


def test_xml_results_parse_and_keep_language_and_datatype() -> None:
    root = ET.fromstring(results.serialize_solutions(VARS, ROWS, _fmt("xml")))  # noqa: S314 - our own output
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == VARS
    literal = root.find("r:results/r:result/r:binding[@name='label']/r:literal", ns)
    assert literal is not None and literal.text == 'uno, "dos"'
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"


def test_csv_and_tsv_results() -> None:
    rows = list(csv.reader(io.StringIO(results.serialize_solutions(VARS, ROWS, _fmt("csv")).decode())))
    assert rows == [VARS, ["https://e/a", 'uno, "dos"', ""], ["_:b1", "3", ""]]
    tsv = results.serialize_solutions(VARS, ROWS, _fmt("tsv")).decode().splitlines()
    assert tsv[0] == "?s\t?label\t?unbound"
    assert tsv[1].split("\t")[:2] == ["<https://e/a>", '"uno, \\"dos\\""@es']


@pytest.mark.parametrize("key", ["json", "xml", "csv", "tsv"])
def test_boolean_results(key: str) -> None:
    body = results.serialize_boolean(True, _fmt(key)).decode()
    assert "true" in body and "false" not in body


@pytest.mark.parametrize(
    ("key", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt"), ("rdfxml", "xml"), ("jsonld", "json-ld")]
)
def test_triples_round_trip_through_rdflib(key: str, rdflib_format: str) -> None:
    triples = [ox.Triple(ox.NamedNode("https://e/a"), ox.NamedNode("https://e/p"), ox.Literal("á", language="es"))]
    body = results.serialize_triples(triples, _fmt(key), {"e": "https://e/"})
    g = rdflib.Graph().parse(data=body, format=rdflib_format)
    assert (rdflib.URIRef("https://e/a"), rdflib.URIRef("https://e/p"), rdflib.Literal("á", lang="es")) in g


def test_write_solutions_stops_at_the_row_cap_and_stays_well_formed() -> None:
    out = results.write_solutions(
        ["x"], [[ox.Literal(str(i))] for i in range(10)], _fmt("json"), results.Limits(rows=3)
    )
    assert out.truncated == "rows"
    assert len(json.loads(out.body)["results"]["bindings"]) == 3


# ---------------------------------------------------------------- the keyword guard


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("SELECT * FROM NAMED", "Syntax error: FROM NAMED must be followed by a graph IRI"),
        ("SELECT * FROM", "Syntax error: FROM must be followed by a graph IRI"),
        ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ("SELECT * FROM <http://x/> WHERE { ?s ?p ?o }", "is not a graph of this dataset"),
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "Updates are not allowed"),
        ("# nothing", "No query form found"),
    ],
)
def test_guard_refuses_with_a_message_that_names_the_problem(query: str, needle: str) -> None:
    with pytest.raises(RefusedQuery, match=needle):
        inspect_query(query, ["https://g/known"])


def test_guard_reads_forms_and_the_dataset() -> None:
    i = inspect_query(
        "PREFIX g: <https://g/> SELECT * FROM g:known FROM NAMED <https://g/known> { ?s ?p ?o }", ["https://g/known"]
    )
    assert (i.form, i.from_graphs, i.from_named_graphs) == ("SELECT", ["https://g/known"], ["https://g/known"])
    assert inspect_query('ASK { ?s ?p "SERVICE" }').form == "ASK"
    # the protocol's dataset replaces FROM: a foreign FROM is then not refused (it is never read)
    assert (
        inspect_query("SELECT * FROM <http://x/> { ?s ?p ?o }", ["https://g/known"], dataset_given=True).form
        == "SELECT"
    )


@pytest.mark.parametrize("key", ["json", "xml"])
def test_a_large_answer_reads_as_the_engines_own_serialisation(key: str) -> None:
    """The writers remember each term's written form within an answer: repeated IRIs, labels and numbers, and
    look-alike terms that are not equal («1», "1", "1"@es, <1>…), read back exactly as pyoxigraph's own
    serialisation of the same solutions."""
    store = ox.Store()
    one = [
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("1"),
        ox.Literal("1", language="es"),
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ox.NamedNode("https://e/1"),
        ox.BlankNode("b1"),
    ]
    for i in range(300):
        store.add(ox.Quad(ox.NamedNode(f"https://e/s{i % 7}"), ox.NamedNode("https://e/p"), one[i % len(one)]))
        if i % 3:
            store.add(ox.Quad(ox.NamedNode(f"https://e/s{i % 7}"), ox.NamedNode("https://e/q"), ox.Literal(f"t{i}")))
    query = "SELECT ?s ?o ?t WHERE { ?s <https://e/p> ?o OPTIONAL { ?s <https://e/q> ?t } }"
    native = io.BytesIO()
    store.query(query).serialize(native, getattr(ox.QueryResultsFormat, key.upper()))
    solutions = store.query(query)
    variables = [v.value for v in solutions.variables]
    ours = results.serialize_solutions(variables, [tuple(s) for s in solutions], _fmt(key))

    def parsed(body: bytes) -> list[dict[str, object]]:
        read = ox.parse_query_results(body, getattr(ox.QueryResultsFormat, key.upper()))
        return sorted(({v.value: s[v] for v in read.variables if s[v] is not None} for s in read), key=repr)

    assert len(parsed(ours)) > 300 and parsed(ours) == parsed(native.getvalue())
