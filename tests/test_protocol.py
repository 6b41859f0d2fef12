"""SPARQL 1.1 Protocol details that researchers' tools depend on, through the HTTP interface: ``format=`` as
tools send it (in the URL or the POST body), ``HEAD`` on every GET route, the protocol's dataset taking
precedence over ``FROM``, the endpoint's base IRI for relative IRIs, and syntax errors as 400s."""

from __future__ import annotations

import re

import pytest
import rdflib
from fastapi.testclient import TestClient

from .routes import get_routes

GA = "https://w3id.org/gakg/"
STL_GRAPH = GA + "graph/presentacion/stl"
CATALOG = GA + "graph/catalog"
CONSTRUCT = f"CONSTRUCT {{ ?s a ?t }} WHERE {{ ?s a ?t ; a <{GA}ontology#Commitment> }}"
DESCRIBE = f"DESCRIBE <{GA}id/stl/estado-de-mexico>"
SELECT = "SELECT ?x WHERE { BIND(1 AS ?x) }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(r) -> int:
    assert r.status_code == 200, r.text
    return int(r.text.splitlines()[1])


# ---------------------------------------------------------------- format= as tools send it


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_default_request_for_graph_forms(client: TestClient, query: str, method: str) -> None:
    """SPARQLWrapper's defaults: return format XML, so ``format=xml&output=xml&results=xml`` with
    ``Accept: application/rdf+xml`` (GET in the URL, POST in the form body). It was a 406."""
    params = {"query": query, "format": "xml", "output": "xml", "results": "xml"}
    headers = {"Accept": "application/rdf+xml"}
    if method == "GET":
        r = client.get("/sparql", params=params, headers=headers)
    else:
        r = client.post("/sparql", data=params, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/rdf+xml")
    assert len(rdflib.Graph().parse(data=r.text, format="xml")) > 0


def test_format_in_the_post_body_counts(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": SELECT, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines() == ["x", "1"]


@pytest.mark.parametrize(
    ("query", "fmt", "accept", "expected"),
    [
        (CONSTRUCT, "csv", "text/turtle", "text/turtle"),  # a format that does not apply to the form
        (SELECT, "application/vnd.ms-excel", "text/csv", "text/csv"),  # one we do not produce (Virtuoso's)
        (CONSTRUCT, "json-ld", "application/ld+json", "application/ld+json"),
        (CONSTRUCT, "n3", "text/rdf+n3", "text/turtle"),
        (SELECT, "application/sparql-results+json", "", "application/sparql-results+json"),  # Virtuoso-style
    ],
)
def test_format_values_of_common_clients(client: TestClient, query: str, fmt: str, accept: str, expected: str) -> None:
    r = client.get("/sparql", params={"query": query, "format": fmt}, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected


def test_unknown_format_without_a_usable_accept_is_406_naming_it(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT, "format": "cvs"}, headers={"Accept": "*/*"})
    assert r.status_code == 406 and "cvs" in r.text


# ---------------------------------------------------------------- HEAD


def _get_paths(client: TestClient) -> list[str]:
    paths = [r.path for r in get_routes(client.app) if "{" not in r.path]
    return paths + [
        "/id/stl/estado-de-mexico",
        "/id/stl/estado-de-mexico.ttl",
        "/graph/presentacion/stl",
        "/dataset/dump.ttl",
        "/static/style.css",
    ]


def test_every_get_route_answers_head(client: TestClient) -> None:
    paths = _get_paths(client)
    assert {"/", "/sparql", "/dataset", "/docs"} <= set(paths)
    for path in paths:
        get = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
        head = client.head(path, headers={"Accept": "text/html"}, follow_redirects=False)
        assert head.status_code == get.status_code != 405, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path


# ---------------------------------------------------------------- the dataset: protocol over FROM


def test_protocol_dataset_takes_precedence_over_from(client: TestClient) -> None:
    stl = _count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": STL_GRAPH, "format": "csv"}))
    catalog = _count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": CATALOG, "format": "csv"}))
    assert stl != catalog
    # a FROM naming a graph that is not ours is never read when the protocol gives the dataset: not refused
    q = "SELECT (COUNT(*) AS ?n) FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }"
    assert _count(client.get("/sparql", params={"query": q, "default-graph-uri": STL_GRAPH, "format": "csv"})) == stl
    # and the graphs used are the protocol's, not the query's
    q = f"SELECT (COUNT(*) AS ?n) FROM <{CATALOG}> WHERE {{ ?s ?p ?o }}"
    assert _count(client.get("/sparql", params={"query": q, "default-graph-uri": STL_GRAPH, "format": "csv"})) == stl
    q = f"SELECT (COUNT(*) AS ?n) FROM <{CATALOG}> WHERE {{ ?s ?p ?o }}"
    assert _count(client.get("/sparql", params={"query": q, "format": "csv"})) == catalog
    q = "SELECT ?g (COUNT(*) AS ?n) FROM NAMED <http://example.org/x> WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    r = client.get("/sparql", params={"query": q, "named-graph-uri": STL_GRAPH, "format": "csv"})
    assert r.status_code == 200 and r.text.splitlines()[1:] == [f"{STL_GRAPH},{stl}"]
    # without protocol parameters a foreign FROM is still refused
    q = "SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 400 and "not a graph of this dataset" in r.text


# ---------------------------------------------------------------- base IRI and syntax errors


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { <a><b><c> }"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    r = client.get("/sparql", params={"query": "SELECT (<a> AS ?x) WHERE {}", "format": "csv"})
    assert r.status_code == 200
    site = client.app.state.settings.site_url  # type: ignore[attr-defined]
    assert r.text.splitlines()[1] == site + "a"


@pytest.mark.parametrize("query", ["SELECT * FROM NAMED", "SELECT * FROM NAMED WHERE { ?s ?p ?o }"])
def test_from_named_without_iri_is_a_400_naming_the_syntax_error(client: TestClient, query: str) -> None:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert re.search(r"[Ss]yntax error.*FROM NAMED", r.json()["message"])
