"""The SPARQL service as researchers meet it: a real uvicorn server, driven by SPARQLWrapper, rdflib's
SPARQLStore and plain HTTP; safety checked with a local listener; the time limit checked under load."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from . import servers
from .conftest import PRIVATE_NAMES, REQUIRE_BROWSER, missing

TOKEN = "token-for-the-server-test"
TIMEOUT = 3.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    proc, base = servers.start(
        log, GRAPHAPP_WORKERS="2", GRAPHAPP_QUERY_TIMEOUT=str(TIMEOUT), GRAPHAPP_UPDATE_TOKEN=TOKEN
    )
    try:
        servers.wait(proc, base, log)
        yield base + "/sparql"
    finally:
        servers.stop(proc)


def _get(url: str, timeout: float = 30) -> tuple[int, str, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read().decode(), time.monotonic() - started


def _query_url(endpoint: str, query: str, **params: str) -> str:
    return endpoint + "?" + urllib.parse.urlencode({"query": query, **params})


# ---------------------------------------------------------------- real clients


def test_sparqlwrapper_select_get_and_post(server: str) -> None:
    for method in (None, POST):
        sw = SPARQLWrapper(server)
        if method:
            sw.setMethod(method)
        sw.setQuery(
            "PREFIX ga: <https://w3id.org/gakg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            'SELECT ?l WHERE { ?p a ga:BestPractice ; rdfs:label ?l FILTER(LANG(?l)="es") } ORDER BY ?l'
        )
        sw.setReturnFormat(JSON)
        rows = sw.query().convert()["results"]["bindings"]
        assert [r["l"]["value"] for r in rows] == [
            "Información para elegir bachillerato en Veracruz",
            "Políticas para reducir la desigualdad laboral y salarial entre mujeres y hombres en Jalisco (REGINA)",
            "Reubicación de las ladrilleras de Durango",
        ]


def test_sparqlwrapper_ask_construct_and_bad_query(server: str) -> None:
    sw = SPARQLWrapper(server)
    sw.setQuery("ASK { ?s a <https://w3id.org/gakg/ontology#LocalTechnicalSecretariat> }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True
    sw = SPARQLWrapper(server)
    sw.setQuery("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t ; a <https://w3id.org/gakg/ontology#Commitment> }")
    sw.setReturnFormat(TURTLE)
    g = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert len(g) == 1
    sw = SPARQLWrapper(server)
    sw.setQuery("SELECT ?s WHERE { ?s }")
    with pytest.raises(QueryBadFormed):
        sw.query()


def test_rdflib_sparqlstore(server: str) -> None:
    g = rdflib.Graph(store=SPARQLStore(server, returnFormat="json"))
    rows = list(
        g.query(
            "SELECT ?code WHERE { <https://w3id.org/gakg/id/municipio/15106> "
            "<https://w3id.org/gakg/ontology#inegiCode> ?code }"
        )
    )
    assert [str(r[0]) for r in rows] == ["15106"]


def test_curl_style_csv_and_service_description(server: str) -> None:
    status, body, _ = _get(_query_url(server, "SELECT ?x WHERE { BIND(1 AS ?x) }", format="csv"))
    assert status == 200 and body.splitlines() == ["x", "1"]
    req = urllib.request.Request(server, headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(req, timeout=10) as r:
        g = rdflib.Graph().parse(data=r.read().decode(), format="turtle")
    assert (None, None, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#SPARQL11Query")) in g


# ---------------------------------------------------------------- nothing reaches outside


@pytest.fixture()
def listener() -> Iterator[tuple[int, list[str]]]:
    """A local TCP listener that records every connection it receives."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    seen: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            seen.append(f"{addr}")
            conn.close()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield sock.getsockname()[1], seen
    stop.set()
    t.join(timeout=2)
    sock.close()


def test_no_query_or_update_makes_the_server_connect_out(server: str, listener: tuple[int, list[str]]) -> None:
    port, seen = listener
    target = f"http://127.0.0.1:{port}/data.ttl"
    for query in (
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{target}>",
    ):
        status, body, _ = _get(_query_url(server, query))
        assert status == 400, (query, body)
    status, _, _ = _get(_query_url(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", **{"default-graph-uri": target}))
    assert status == 400
    for auth in (None, TOKEN):
        headers = {"Content-Type": "application/sparql-update"}
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        req = urllib.request.Request(server + "/update", data=f"LOAD <{target}>".encode(), headers=headers)
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        assert err.value.code in (400, 401)
        err.value.close()
    time.sleep(0.5)
    assert seen == []


def test_update_without_token_changes_nothing(server: str) -> None:
    insert = 'INSERT DATA { <https://w3id.org/gakg/id/x/y> <http://www.w3.org/2000/01/rdf-schema#label> "x" }'
    req = urllib.request.Request(
        server + "/update", data=insert.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 401
    err.value.close()
    status, body, _ = _get(_query_url(server, "ASK { <https://w3id.org/gakg/id/x/y> ?p ?o }"))
    assert status == 200 and '"boolean": false' in body


def test_personal_data_never_leaves_the_server(server: str) -> None:
    for query in (
        "SELECT ?o WHERE { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    ):
        status, body, _ = _get(_query_url(server, query, format="json" if "SELECT" in query else "nt"))
        assert status == 200
        for name in PRIVATE_NAMES:
            assert name not in body


# ---------------------------------------------------------------- time limit


def test_time_limit_stops_a_heavy_query_while_others_are_answered(server: str) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result: dict[str, object] = {}

    def run_heavy() -> None:
        result["heavy"] = _get(_query_url(server, heavy), timeout=60)

    t = threading.Thread(target=run_heavy)
    t.start()
    time.sleep(0.5)  # the heavy query is now running in one worker
    ask_times = []
    for _ in range(3):
        status, body, elapsed = _get(_query_url(server, "ASK { ?s ?p ?o }"))
        assert status == 200 and "true" in body
        ask_times.append(elapsed)
    t.join(timeout=60)
    status, body, elapsed = result["heavy"]  # type: ignore[misc]
    assert status == 503 and "time limit" in body
    assert elapsed < TIMEOUT + 1.5
    assert max(ask_times) < 1.0, ask_times
    # the killed worker is replaced: the service keeps answering afterwards
    time.sleep(1.0)
    for _ in range(4):
        status, _, elapsed = _get(_query_url(server, "ASK { ?s ?p ?o }"))
        assert status == 200 and elapsed < 1.0


# ---------------------------------------------------------------- the client matrix (README)

MATRIX_QUERIES = {
    "SELECT": "SELECT ?s WHERE { ?s a <https://w3id.org/gakg/ontology#BestPractice> }",
    "ASK": "ASK { ?s a <https://w3id.org/gakg/ontology#LocalTechnicalSecretariat> }",
    "CONSTRUCT": "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t ; a <https://w3id.org/gakg/ontology#Commitment> }",
    "DESCRIBE": "DESCRIBE <https://w3id.org/gakg/id/stl/estado-de-mexico>",
}
SW_FORMATS = {  # SPARQLWrapper's return formats for each query form (None: its default, XML)
    "SELECT": [None, "json", "xml", "csv", "tsv"],
    "ASK": [None, "json", "xml", "csv", "tsv"],
    "CONSTRUCT": [None, "xml", "turtle", "n3", "rdf+xml", "json-ld"],
    "DESCRIBE": [None, "xml", "turtle", "n3", "rdf+xml", "json-ld"],
}


@pytest.mark.parametrize("form", list(MATRIX_QUERIES))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_matrix(server: str, form: str, method: str) -> None:
    """SPARQLWrapper, GET and POST, every query form, every return format it offers (its default first)."""
    for fmt in SW_FORMATS[form]:
        sw = SPARQLWrapper(server)
        sw.setQuery(MATRIX_QUERIES[form])
        if method == "POST":
            sw.setMethod(POST)
        if fmt is not None:
            sw.setReturnFormat(fmt)
        result = sw.query()
        if form in ("CONSTRUCT", "DESCRIBE"):
            media = result.response.headers.get("content-type", "").split(";")[0]
            rdflib_format = {"text/turtle": "turtle", "application/ld+json": "json-ld"}.get(media, "xml")
            g = rdflib.Graph().parse(data=result.response.read().decode(), format=rdflib_format)
            assert len(g) > 0, (form, fmt)
        else:
            body = result.response.read().decode()
            expected = "true" if form == "ASK" else "reubicacion-ladrilleras-durango"
            assert expected in body, (form, fmt, body[:200])


def test_rdflib_sparqlstore_every_form(server: str) -> None:
    g = rdflib.Graph(store=SPARQLStore(server))  # its default return format (XML)
    assert len(list(g.query(MATRIX_QUERIES["SELECT"]))) == 3
    assert g.query(MATRIX_QUERIES["ASK"]).askAnswer is True
    assert len(g.query(MATRIX_QUERIES["CONSTRUCT"]).graph) > 0
    assert len(g.query(MATRIX_QUERIES["DESCRIBE"]).graph) > 0


CURL_ACCEPTS = {
    "SELECT": [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "*/*",
    ],
    "ASK": [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "*/*",
    ],
    "CONSTRUCT": ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json", "*/*"],
    "DESCRIBE": ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json", "*/*"],
}


@pytest.mark.parametrize("form", list(MATRIX_QUERIES))
def test_curl_with_each_accept(server: str, form: str) -> None:
    if shutil.which("curl") is None:
        missing("no curl on the PATH (apt-get install -y curl)", REQUIRE_BROWSER)
    for accept in CURL_ACCEPTS[form]:
        proc = subprocess.run(
            [
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{content_type}",
                "-H",
                f"Accept: {accept}",
                "--data-urlencode",
                f"query={MATRIX_QUERIES[form]}",
                server,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        status, _, content_type = proc.stdout.partition(" ")
        assert status == "200", (form, accept, proc.stdout, proc.stderr)
        expected = "application/sparql-results+json" if accept == "*/*" and form in ("SELECT", "ASK") else accept
        expected = "text/turtle" if accept == "*/*" and form in ("CONSTRUCT", "DESCRIBE") else expected
        assert content_type.startswith(expected), (form, accept, content_type)
        head = subprocess.run(
            ["curl", "-sS", "-I", "-o", "/dev/null", "-w", "%{http_code}", server.rsplit("/", 1)[0] + "/"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert head.stdout == "200"
