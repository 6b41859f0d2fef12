"""The service on every backend: the embedded store, the Oxigraph server and Virtuoso (GRAPHAPP_STORE=sparql).

Each server is started by a fixture on loopback with a data folder of its own (graphapp.triplestores). The same
HTTP requests go to a service on each backend and must get the same answers and the same guarantees: pages, the
SPARQL endpoint in every form, the guard, the row and time limits, the restricted graph, validated and durable
writes with their history, and several web processes sharing one store.

`.ci/run` installs Virtuoso and sets GRAPHAPP_REQUIRE_SERVERS=1, so that a missing server fails there; on a
machine without one, its tests are skipped (tests/servers.py ``sparql_server``).
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graphapp.triplestores import RunningServer

from . import servers
from .conftest import make_app_client, make_settings

TOKEN = "backend-test-token"
ID = "https://w3id.org/gakg/id/"
GRAPHS = "https://w3id.org/gakg/graph/"
JSON = {"Accept": "application/sparql-results+json"}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SERVER_TIMEOUT = 30  # the servers' own time limit (s); the service's (2 s) stops its requests first


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = servers.sparql_server(request.param, tmp_path_factory.mktemp(request.param), SERVER_TIMEOUT)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def store_dir(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp(f"state-{server.kind}")


@pytest.fixture(scope="module")
def remote(server: RunningServer, store_dir: Path) -> Iterator[TestClient]:
    env = {**server.env(), "GRAPHAPP_STORE_DIR": str(store_dir)}
    with make_app_client(env, update_token=TOKEN, query_timeout=2.0) as c:
        yield c


@pytest.fixture(scope="module")
def embedded() -> Iterator[TestClient]:
    with make_app_client(update_token=TOKEN) as c:
        yield c


PAGES = [
    "/",
    "/id/practica/reubicacion-ladrilleras-durango",
    "/id/stl/estado-de-mexico",
    "/dataset",
    "/ontology",
    "/buscar?q=ladrilleras",
    "/practicas?q=ladrilleras",
    "/vistas",
]
JSON_TWINS = [
    "/vistas/general?format=json",
    "/vistas/stl?format=json",
    "/vistas/ods?format=json",
    "/vistas/historia?format=json",
    "/vistas/arbol-de-problemas/compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto?format=json",
    "/practicas?q=ladrilleras&format=json",
    "/api/practices/search?q=registro%20de%20empresas",
    "/analitica/componentes?format=json",
]


def test_pages_answer_on_the_server(remote: TestClient) -> None:
    for path in PAGES:
        r = remote.get(path)
        assert r.status_code == 200, (path, r.text[:300])


def test_json_twins_agree_with_the_embedded_store(remote: TestClient, embedded: TestClient) -> None:
    for path in JSON_TWINS:
        mine, theirs = remote.get(path), embedded.get(path)
        assert mine.status_code == theirs.status_code == 200, (path, mine.text[:300])
        if path == "/vistas/general?format=json":
            # the overview draws 400 of its nodes: which ones, among equally ranked, is not part of the answer
            assert _summary(mine.json()) == _summary(theirs.json())
        elif path.startswith("/analitica/"):
            sizes = sorted(c["size"] for c in mine.json()["components"])
            assert sizes == sorted(c["size"] for c in theirs.json()["components"]), path
        elif path.startswith("/vistas/"):
            # a view's nodes and edges (the wording of a node with several labels may differ)
            assert _graph(mine.json()) == _graph(theirs.json()), path
        else:
            assert _normal(mine.json()) == _normal(theirs.json()), path


def _summary(view: dict) -> tuple[int, int, object]:
    return len(view["nodes"]), len(view["edges"]), view["rest"]["total"]


def _graph(view: dict) -> tuple[set[object], set[tuple[object, object]]]:
    return {n["id"] for n in view["nodes"]}, {(e["from"], e["to"]) for e in view["edges"]}


def _normal(value: object) -> object:
    """JSON with its lists sorted: the order of equal-ranked rows is not part of the answer."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_normal(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def test_entity_description_agrees(remote: TestClient, embedded: TestClient) -> None:
    path = "/id/practica/reubicacion-ladrilleras-durango"
    accept = {"Accept": "application/n-triples"}
    mine = set(remote.get(path, headers=accept).text.splitlines())
    theirs = set(embedded.get(path, headers=accept).text.splitlines())
    assert mine == theirs and len(mine) > 10


QUERIES = {
    "SELECT": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "ASK": f"ASK {{ <{ID}practica/reubicacion-ladrilleras-durango> ?p ?o }}",
    "CONSTRUCT": f"CONSTRUCT {{ <{ID}stl/estado-de-mexico> ?p ?o }} WHERE {{ <{ID}stl/estado-de-mexico> ?p ?o }}",
}


@pytest.mark.parametrize("form", sorted(QUERIES))
def test_user_queries_agree(remote: TestClient, embedded: TestClient, form: str) -> None:
    accept = {"Accept": "application/n-triples" if form == "CONSTRUCT" else "text/csv"}
    for method in ("get", "post"):
        if method == "get":
            mine = remote.get("/sparql", params={"query": QUERIES[form]}, headers=accept)
        else:
            mine = remote.post("/sparql", data={"query": QUERIES[form]}, headers=accept)
        theirs = embedded.get("/sparql", params={"query": QUERIES[form]}, headers=accept)
        assert mine.status_code == theirs.status_code == 200, mine.text[:300]
        assert set(mine.text.splitlines()) == set(theirs.text.splitlines()), form


def test_an_ask_that_is_false_is_false(remote: TestClient) -> None:
    r = remote.get("/sparql", params={"query": f"ASK {{ <{ID}nada> ?p ?o }}"}, headers=JSON)
    assert r.status_code == 200 and r.json()["boolean"] is False


def test_the_servers_own_graphs_do_not_show(remote: TestClient) -> None:
    r = remote.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}, headers=JSON)
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert graphs and all(g.startswith("https://w3id.org/gakg/graph/") for g in graphs), graphs
    assert not any("/restricted" in g for g in graphs)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * WHERE { #x\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }",
    ],
)
def test_the_guard_holds(remote: TestClient, query: str) -> None:
    r = remote.get("/sparql", params={"query": query})
    assert r.status_code == 400, r.text


def test_updates_are_refused_on_the_query_endpoint_and_load_is_refused(remote: TestClient) -> None:
    r = remote.post("/sparql", data={"update": "INSERT DATA { <http://e/s> <http://e/p> 1 }"})
    assert r.status_code >= 400
    r = _update(remote, "LOAD <http://127.0.0.1:9/x.ttl>")
    assert r.status_code == 400, r.text


def test_row_limit(server: RunningServer, store_dir: Path) -> None:
    env = {**server.env(), "GRAPHAPP_STORE_DIR": str(store_dir)}
    with make_app_client(env, update_token=TOKEN, max_rows=5, cache_mb=0) as c:
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON)
        assert r.status_code == 200
        assert len(r.json()["results"]["bindings"]) == 5
        assert r.headers["X-Result-Truncated"] == "results cut at 5 rows"


def test_an_answer_larger_than_the_service_reads_is_cut_at_the_row_cap(server: RunningServer, store_dir: Path) -> None:
    """A SELECT goes to the server with a LIMIT one row past the row cap (``remote_store.with_row_cap``): an answer
    far larger than the service reads whole (four times its byte cap: some 35,000 rows here, 80 kB read at most) is
    cut at the cap in the query's order, as on the embedded store, not refused; the query's own LIMIT, higher or
    lower, and a trailing VALUES clause still hold."""
    env = {**server.env(), "GRAPHAPP_STORE_DIR": str(store_dir)}
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && !isBlank(?o)) } ORDER BY ?s ?p ?o"

    def rows(c: TestClient, text: str) -> tuple[list[dict[str, Any]], str | None]:
        r = c.get("/sparql", params={"query": text}, headers=JSON)
        assert r.status_code == 200, r.text
        return r.json()["results"]["bindings"], r.headers.get("X-Result-Truncated")

    with make_app_client(env, update_token=TOKEN, max_rows=5, max_response_bytes=20_000, cache_mb=0) as c:
        cut, truncated = rows(c, query)
        assert truncated == "results cut at 5 rows"
        assert cut == rows(c, query + " LIMIT 5")[0] == rows(c, query + " LIMIT 100000")[0]
        assert len(cut) == 5 and rows(c, query + " LIMIT 100000")[1] == truncated
        assert rows(c, query + " LIMIT 3") == (cut[:3], None)
        first = cut[0]["s"]["value"]
        assert rows(c, query + f" VALUES ?s {{ <{first}> }}")[0] == [b for b in cut if b["s"]["value"] == first]


def _label_of(c: TestClient, iri: str) -> list[str]:
    q = f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    r = c.get("/sparql", params={"query": q}, headers=JSON)
    return [b["l"]["value"] for b in r.json()["results"]["bindings"]]


def _insert_label(c: TestClient, iri: str, label: str) -> int:
    return _update(
        c, f'INSERT DATA {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@es }}'
    ).status_code


def _update(c: TestClient, update: str) -> Any:
    return c.post(
        "/sparql/update",
        content=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )


def test_a_write_lands_is_validated_and_recorded(remote: TestClient) -> None:
    iri = ID + "nota/prueba-servidor"
    assert _insert_label(remote, iri, "Nota en el servidor") == 204
    assert _label_of(remote, iri) == ["Nota en el servidor"]
    history = remote.get("/historial/nota/prueba-servidor", params={"format": "json"})
    assert history.status_code == 200 and "Nota en el servidor" in history.text
    # a practice without its required fields breaks the shapes: nothing changes
    bad = f"INSERT DATA {{ <{ID}practica/sin-nada> a <https://w3id.org/gakg/ontology#BestPractice> }}"
    r = _update(remote, bad)
    assert r.status_code == 400, r.text
    assert remote.get("/id/practica/sin-nada").status_code == 404


def test_a_query_on_an_earlier_version_answers_as_it_did_then(remote: TestClient) -> None:
    """version=N on a SPARQL server: the version is built in the service from a dump of the server and the history,
    and evaluated by the service's own workers (docs/versions.md)."""
    iri = ID + "nota/versionada"
    seen: dict[int, list[str]] = {}
    for label in ("primera", "segunda"):
        assert _insert_label(remote, iri, label) == 204
        r = remote.get("/sparql", params={"query": f"SELECT ?l WHERE {{ <{iri}> <{LABEL}> ?l }}"}, headers=JSON)
        seen[int(r.headers["X-Graph-Version"])] = sorted(b["l"]["value"] for b in r.json()["results"]["bindings"])
    assert list(seen.values()) == [["primera"], ["primera", "segunda"]]
    for version, then in seen.items():
        q = f"SELECT ?l WHERE {{ <{iri}> <{LABEL}> ?l }}"
        r = remote.get("/sparql", params={"query": q, "version": version}, headers=JSON)
        assert r.status_code == 200, r.text
        assert r.headers["X-Graph-Version"] == str(version)
        assert sorted(b["l"]["value"] for b in r.json()["results"]["bindings"]) == then
    # the release of a version on the server keeps its quads like the embedded store's
    r = remote.post("/releases", data={"name": "srv.1"}, headers={"Authorization": f"Bearer {TOKEN}", **JSON})
    assert r.status_code == 201, r.text
    dump = remote.get("/releases/srv.1/dump.nq")
    assert f'<{iri}> <{LABEL}> "primera"@es' in dump.text


def test_writes_outlive_the_service(server: RunningServer, store_dir: Path, remote: TestClient) -> None:
    iri = ID + "nota/duradera"
    assert _insert_label(remote, iri, "Sigue aquí") == 204
    env = {**server.env(), "GRAPHAPP_STORE_DIR": str(store_dir)}
    with make_app_client(env, update_token=TOKEN) as again:
        assert _label_of(again, iri) == ["Sigue aquí"]


def test_the_graphs_are_listed_by_the_registry_on_the_server(server: RunningServer, remote: TestClient) -> None:
    """The service finds its graphs in the registry graph (one small query), which every write keeps up to date;
    a server written before the registry existed is scanned once and registered. The registry itself is never
    part of the dataset. The Oxigraph server lists its graphs itself, and keeps no registry (it would show in the
    union default graph the service asks it for: tests/test_remote_dataset.py)."""
    from graphapp.remote_store import SparqlGraphStore

    settings = make_settings(server.env(), update_token=TOKEN)
    assert _insert_graph(remote, GRAPHS + "contribuciones/registrada") == 204
    store, again = SparqlGraphStore.from_settings(settings), SparqlGraphStore.from_settings(settings)
    try:
        listed = store.graphs()
        assert GRAPHS + "contribuciones/registrada" in listed
        assert store.registry not in listed
        if store.offers_union():
            assert store._registered() == set() and again.graphs() == listed
        else:
            assert store._registered() >= set(listed)
            store.update(f"DROP SILENT GRAPH <{store.registry}>")  # as on a server filled by an older version
            assert again.graphs() == listed
            assert again._registered() >= set(listed)  # registered by that scan
    finally:
        store.close()
        again.close()
    r = remote.get(
        "/sparql", params={"query": f"SELECT * WHERE {{ GRAPH <{store.registry}> {{ ?s ?p ?o }} }}"}, headers=JSON
    )
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []


def _insert_graph(c: TestClient, graph: str) -> int:
    label = '<http://www.w3.org/2000/01/rdf-schema#label> "En su grafo"@es'
    r = _update(c, f"INSERT DATA {{ GRAPH <{graph}> {{ <{ID}nota/en-grafo> {label} }} }}")
    assert r.status_code == 204, r.text
    return r.status_code


def test_backup_and_restore_round_trip_on_the_server(
    server: RunningServer, store_dir: Path, remote: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`graphapp backup` and `graphapp restore` through the protocol: the graphs and the history come back."""
    from graphapp import cli

    iri = ID + "nota/respaldada"
    assert _insert_label(remote, iri, "En el respaldo") == 204
    for name, value in {**server.env(), "GRAPHAPP_STORE_DIR": str(store_dir)}.items():
        monkeypatch.setenv(name, value)
    backup = tmp_path / "respaldo"
    assert cli.main(["backup", str(backup)]) == 0
    assert _insert_label(remote, ID + "nota/posterior", "Después del respaldo") == 204
    assert cli.main(["restore", "--force", str(backup)]) == 0
    env = {**server.env(), "GRAPHAPP_STORE_DIR": str(store_dir)}
    with make_app_client(env, update_token=TOKEN) as again:
        assert _label_of(again, iri) == ["En el respaldo"]
        assert _label_of(again, ID + "nota/posterior") == []
        assert "En el respaldo" in again.get("/historial/nota/respaldada", params={"format": "json"}).text


@pytest.mark.parametrize("server", ["oxigraph"], indirect=True)
def test_several_web_processes_share_the_store(server: RunningServer, store_dir: Path, tmp_path: Path) -> None:
    """`graphapp serve --web-workers 2`: writes through either process all land, and every process sees a new
    version within a second. (On the Oxigraph server only: what is tested is the service's sharing, the same on
    every server, and each run costs a minute on Virtuoso.)"""
    assert server.kind == "oxigraph"
    log = tmp_path / "serve.log"
    env = {
        **server.env(),
        "GRAPHAPP_WEB_WORKERS": "2",
        "GRAPHAPP_UPDATE_TOKEN": TOKEN,
        "GRAPHAPP_STORE_DIR": str(store_dir),  # already in sync with the server: no reload at start
    }
    proc, base = servers.start(log, **env)
    try:
        servers.wait(proc, base, log, timeout=120)
        written = []
        for i in range(12):  # new connections: uvicorn's workers share the socket, so both take requests
            iri = f"{ID}nota/proceso-{i}"
            req = _update_request(
                base, f'INSERT DATA {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> "n{i}" }}'
            )
            with servers.urlopen(req) as r:
                assert r.status == 204
            written.append(iri)
        time.sleep(1.0)
        values = " ".join(f"<{i}>" for i in written)
        q = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
        for _ in range(6):  # several answers, from both processes
            url = base + "/sparql?" + urllib.parse.urlencode({"query": q})
            with servers.urlopen(url, headers={"Accept": "application/sparql-results+json"}) as r:
                assert json.loads(r.read())["results"]["bindings"][0]["n"]["value"] == "12"
        for i in range(12):
            with servers.urlopen(f"{base}/historial/nota/proceso-{i}?format=json") as r:
                assert f'"n{i}"' in r.read().decode()
    finally:
        servers.stop(proc)


def _update_request(base: str, update: str) -> object:
    import urllib.request

    return urllib.request.Request(
        base + "/sparql/update",
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )


# last in the module: the server may go on evaluating the stopped query until its own time limit
def test_time_limit(remote: TestClient) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER (?c != ?i) }"
    started = time.monotonic()
    r = remote.get("/sparql", params={"query": heavy}, headers=JSON)
    assert r.status_code == 503, r.text[:300]
    assert "time limit" in r.text
    assert time.monotonic() - started < 15
    assert remote.get("/sparql", params={"query": "ASK {}"}, headers=JSON).status_code == 200
