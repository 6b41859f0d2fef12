"""The dataset of the service on a SPARQL server (``GRAPHAPP_STORE=sparql``): the default graph is the union of the
service's graphs, and nothing else on the server shows, on the Oxigraph server and on Virtuoso.

On the Oxigraph server the service asks for the union per request (``union-default-graph``) instead of listing its
graphs, which made the example queries 3 to 15 times slower (docs/benchmarks-oxigraph-server.md); it does so only
while every graph on the server is the service's. A graph written straight into the server by someone else, or a
statement in the server's own default graph, must turn the listed dataset back on: it never shows in ``/sparql``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from graphapp import remote_store
from graphapp.remote_store import UNION, SparqlGraphStore
from graphapp.triplestores import RunningServer

from . import servers
from .conftest import make_app_client, make_settings

TOKEN = "remote-dataset-token"
GRAPHS = "https://w3id.org/gakg/graph/"
ID = "https://w3id.org/gakg/id/"
FOREIGN = "http://example.org/not-the-service/graph"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = servers.sparql_server(request.param, tmp_path_factory.mktemp(request.param), 30)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def remote(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    env = {**server.env(), "GRAPHAPP_STORE_DIR": str(tmp_path_factory.mktemp(f"state-{server.kind}"))}
    with make_app_client(env, update_token=TOKEN, cache_mb=0) as c:
        yield c


def _store(server: RunningServer) -> SparqlGraphStore:
    return SparqlGraphStore.from_settings(make_settings(server.env()))


def _behind_the_service(server: RunningServer, update: str) -> None:
    """An update sent straight to the server, as someone else with access to it would."""
    auth = httpx.DigestAuth(server.user, server.password) if server.user else None
    r = httpx.post(server.update_url, data={"update": update}, auth=auth, timeout=60)
    assert r.status_code < 300, r.text


def _select(c: TestClient, query: str, **params: str) -> list[dict[str, Any]]:
    r = c.get("/sparql", params={"query": query, **params}, headers=JSON)
    assert r.status_code == 200, r.text
    bindings: list[dict[str, Any]] = r.json()["results"]["bindings"]
    return bindings


def _ask(c: TestClient, query: str) -> bool:
    r = c.get("/sparql", params={"query": query}, headers=JSON)
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def _count(c: TestClient, pattern: str, **params: str) -> int:
    return int(_select(c, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", **params)[0]["n"]["value"])


def _graphs_seen(c: TestClient) -> set[str]:
    return {b["g"]["value"] for b in _select(c, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}


def test_the_default_graph_is_the_union_of_the_services_graphs(server: RunningServer, remote: TestClient) -> None:
    graph, iri = GRAPHS + "contribuciones/union", ID + "nota/en-la-union"
    r = remote.post(
        "/sparql/update",
        content=f'INSERT DATA {{ GRAPH <{graph}> {{ <{iri}> <{LABEL}> "En la unión"@es }} }}',
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204, r.text
    assert _ask(remote, f'ASK {{ <{iri}> <{LABEL}> "En la unión"@es }}')  # a graph written now, in the default
    graphs = _graphs_seen(remote)
    assert graph in graphs and len(graphs) > 5
    # every statement of every graph is in the default graph, and nothing else is
    everything = _count(remote, "GRAPH ?g { ?s ?p ?o }")
    assert _count(remote, "?s ?p ?o") == everything > 1000
    # the user's own dataset still wins: the protocol's parameters, and FROM
    one = sorted(graphs)[0]
    alone = _count(remote, f"GRAPH <{one}> {{ ?s ?p ?o }}")
    assert 0 < alone < everything
    assert _count(remote, "?s ?p ?o", **{"default-graph-uri": one}) == alone
    assert int(_select(remote, f"SELECT (COUNT(*) AS ?n) FROM <{one}> WHERE {{ ?s ?p ?o }}")[0]["n"]["value"]) == alone
    assert _count(remote, "GRAPH ?g { ?s ?p ?o }", **{"named-graph-uri": one}) == alone
    assert _count(remote, "?s ?p ?o", **{"named-graph-uri": one}) == 0  # named graphs alone: an empty default
    if server.kind == "oxigraph":
        store = _store(server)
        try:
            assert store.service_dataset() == [UNION]  # the fast way: the union, not some thirty graphs listed
            assert store.registry not in _graphs_seen(remote)
        finally:
            store.close()


def test_a_graph_written_behind_the_services_back_never_shows(server: RunningServer, remote: TestClient) -> None:
    before = _graphs_seen(remote)
    everything = _count(remote, "?s ?p ?o")
    # each written, checked and taken away in turn: a foreign graph, then a statement in the server's default graph
    writes = [
        (
            f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <{FOREIGN}#s> <{LABEL}> "ajeno" }} }}',
            f"DROP SILENT GRAPH <{FOREIGN}>",
        )
    ]
    if server.kind == "oxigraph":  # Virtuoso has no default graph of its own to write into
        statement = f'<{FOREIGN}#d> <{LABEL}> "ajeno"'
        writes.append((f"INSERT DATA {{ {statement} }}", f"DELETE DATA {{ {statement} }}"))
    for write, undo in writes:
        _behind_the_service(server, write)
        try:
            time.sleep(remote_store.GRAPHS_RECHECK_SECONDS + 0.5)  # the running service lists the graphs again
            assert not _ask(remote, 'ASK { ?s ?p "ajeno" }'), write
            assert not _ask(remote, 'ASK { GRAPH ?g { ?s ?p "ajeno" } }'), write
            assert _graphs_seen(remote) == before
            assert _count(remote, "?s ?p ?o") == everything  # still the union of the service's graphs
            store = _store(server)  # as a service started now sees the server
            try:
                assert UNION not in store.service_dataset()
                assert FOREIGN not in store.graphs()
            finally:
                store.close()
        finally:
            _behind_the_service(server, undo)
    if server.kind == "oxigraph":
        store = _store(server)
        try:
            assert store.service_dataset() == [UNION]  # the server holds the service's graphs alone again
        finally:
            store.close()
