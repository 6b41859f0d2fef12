"""Operations: liveness and readiness, request ids and structured log lines, Prometheus metrics that move when
queries are stopped or cut and writes are accepted or refused (docs/deploy.md)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from graphapp.storage import RemoteStoreError
from graphapp.web.app import create_app

from . import servers
from .conftest import make_app_client, make_settings

TOKEN = "ops-test-update-token"
METRICS_TOKEN = "ops-test-metrics-token"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MANY_ROWS = "SELECT ?s WHERE { ?s ?p ?o }"
PRACTICE = "https://w3id.org/gakg/id/practica/prueba-operaciones"
NEW_PRACTICE = f"""
PREFIX ga: <https://w3id.org/gakg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <https://w3id.org/gakg/graph/local/ops> {{
  <{PRACTICE}> a ga:BestPractice ;
    rdfs:label "Práctica de prueba de operaciones"@es , "Operations test practice"@en ;
    dcterms:spatial <https://w3id.org/gakg/id/entidad/jalisco> ;
    ga:addressesProblem <https://w3id.org/gakg/id/problema/desigualdad-laboral-y-salarial-entre-hombres-y-mujeres> ;
    ga:solution "Una solución de prueba."@es ;
    ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;
    dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> .
}} }}
"""
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_app_client(
        workers=2, query_timeout=1.0, max_rows=5, update_token=TOKEN, metrics_token=METRICS_TOKEN
    ) as c:
        yield c


def metric(client: TestClient, name: str, **labels: str) -> float:
    """The value of one sample of ``/metrics`` (0 when the series does not exist yet)."""
    r = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert r.status_code == 200, r.text
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


# ---------------------------------------------------------------- liveness and readiness


def test_health_answers_without_the_store(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["cache-control"] == "no-store"


def test_ready_asks_the_store(client: TestClient) -> None:
    r = client.get("/ready")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ready"
    assert isinstance(body["version"], int) and body["ms"] >= 0


def test_a_page_whose_store_query_fails_is_503_not_500() -> None:
    """A SPARQL server that times out on a page's own query (seen at 10^6 on /vistas/general) is not a fault of the
    page: 503 with a reason and Retry-After, logged as a warning."""
    with make_app_client() as c:
        store = c.app.state.service.store  # type: ignore[attr-defined]

        def timed_out(*args: object, **kwargs: object) -> object:
            raise RemoteStoreError("the SPARQL server answered 500: Virtuoso S1T00 Error SR171: Transaction timed out")

        store.select = timed_out
        r = c.get("/dataset", params={"lang": "en"}, headers={"Accept": "application/json"})
        assert r.status_code == 503
        assert r.headers["retry-after"] == "30"
        assert "triple store did not answer" in r.json()["message"]
        spanish = c.get("/dataset", params={"lang": "es"}, headers={"Accept": "application/json"}).json()
        assert "El almacén de tripletas no respondió" in spanish["message"]
        assert "Virtuoso" not in r.text  # the server's words go to the log, not to the reader
        del store.select
        assert c.get("/dataset", headers={"Accept": "application/json"}).status_code == 200


def test_ready_and_queries_are_503_with_a_reason_when_the_sparql_server_is_gone(tmp_path: Path) -> None:
    """A service on a real SPARQL server (Oxigraph's) whose server then stops: readiness says 503 and why, a query
    is 503 too, never a 500; liveness never asks the store."""
    running = servers.sparql_server("oxigraph", tmp_path / "oxigraph")
    try:
        with make_app_client({**running.env(), "GRAPHAPP_STORE_DIR": str(tmp_path / "state")}) as c:
            assert c.get("/ready").status_code == 200
            assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
            running.stop()
            r = c.get("/ready")
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "5"
            assert r.json()["status"] == "unavailable"
            assert "not reachable (RemoteStoreError)" in r.json()["message"]
            fresh = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"  # not the ASK above, whose answer may be kept
            r = c.get("/sparql", params={"query": fresh}, headers={"Accept": "application/json"})
            assert r.status_code == 503, r.text
            assert "triple store cannot be reached" in r.json()["message"]
            assert c.get("/health").status_code == 200
    finally:
        running.stop()


def test_ready_is_503_when_the_store_holds_nothing() -> None:
    with make_app_client() as c:
        store = c.app.state.service.store  # type: ignore[attr-defined]
        assert c.get("/ready").status_code == 200
        store.close()  # the engine is released: an empty store answers, with nothing
        r = c.get("/ready")
        assert r.status_code == 503
        assert "holds no statements" in r.json()["message"]
        assert c.get("/health").status_code == 200  # alive all along: liveness never asks the store


def test_ops_routes_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/health", "/ready", "/metrics"):
        assert paths[path]["get"]["tags"] == ["Operations"], path
    assert "503" in paths["/ready"]["get"]["responses"]
    assert "403" in paths["/metrics"]["get"]["responses"]


# ---------------------------------------------------------------- request ids and log lines


def _request_lines(err: str) -> list[dict]:
    lines = []
    for line in err.splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if data.get("logger") == "graphapp.requests":
            lines.append(data)
    return lines


def test_a_safe_request_id_is_kept_and_logged_as_json(client: TestClient, capsys: pytest.CaptureFixture) -> None:
    capsys.readouterr()
    r = client.get(
        "/id/practica/reubicacion-ladrilleras-durango?lang=en&token=s3cr3t-in-query",
        headers={"X-Request-ID": "proxy-42.a_b", "Authorization": "Bearer s3cr3t-in-header"},
    )
    assert r.status_code == 200
    assert r.headers["x-request-id"] == "proxy-42.a_b"
    err = capsys.readouterr().err
    [line] = [d for d in _request_lines(err) if d.get("request_id") == "proxy-42.a_b"]
    assert line["message"] == "request" and line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/id/practica/reubicacion-ladrilleras-durango"  # never the query string
    assert line["route"] == "/id/{path:path}"  # the template, not the raw path
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0
    assert line["time"].endswith("+0000")
    assert "s3cr3t" not in err


@pytest.mark.parametrize("incoming", ["bad id", "x" * 65, "a\u00e9b", ""])
def test_an_unsafe_request_id_is_replaced(client: TestClient, incoming: str) -> None:
    r = client.get("/health", headers={"X-Request-ID": incoming.encode("utf-8")})
    rid = r.headers["x-request-id"]
    assert rid != incoming and len(rid) == 32 and int(rid, 16) >= 0


def test_every_request_line_reaches_caplog_with_its_fields(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="graphapp.requests"):
        r = client.get("/no/such/page")
    assert r.status_code == 404
    rid = r.headers["x-request-id"]
    [record] = [rec for rec in caplog.records if getattr(rec, "request_id", None) == rid]
    assert (record.method, record.path, record.route, record.status) == ("GET", "/no/such/page", "unmatched", 404)  # type: ignore[attr-defined]


def test_probes_log_at_debug(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="graphapp.requests"):
        rid = client.get("/health").headers["x-request-id"]
    [record] = [rec for rec in caplog.records if getattr(rec, "request_id", None) == rid]
    assert record.levelno == logging.DEBUG


# ---------------------------------------------------------------- metrics


def test_metrics_are_for_operators_only() -> None:
    app = create_app(make_settings(metrics_token=METRICS_TOKEN))
    with TestClient(app) as remote, TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert remote.get("/metrics").status_code == 403
        assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        r = remote.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        assert "graphapp_http_request_duration_seconds_bucket" in r.text
        assert local.get("/metrics").status_code == 200  # the same machine, not through a proxy
        proxied = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403 and "GRAPHAPP_METRICS_TOKEN" in proxied.text


def test_latency_is_observed_by_route_template(client: TestClient) -> None:
    labels = {"route": "/sparql", "method": "GET", "status": "2xx"}
    before = metric(client, "graphapp_http_request_duration_seconds_count", **labels)
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
    assert metric(client, "graphapp_http_request_duration_seconds_count", **labels) == before + 1
    r = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert "reubicacion" not in r.text  # raw paths never become labels


def test_a_truncated_answer_is_counted(client: TestClient) -> None:
    before = metric(client, "graphapp_results_truncated_total", limit="rows")
    r = client.get("/sparql", params={"query": MANY_ROWS})
    assert r.status_code == 200 and "5 rows" in r.headers["x-result-truncated"]
    assert metric(client, "graphapp_results_truncated_total", limit="rows") == before + 1


def test_answer_cache_hits_and_misses_are_counted(client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c } # cache metric test"
    hits = metric(client, "graphapp_answer_cache_lookups_total", result="hit")
    misses = metric(client, "graphapp_answer_cache_lookups_total", result="miss")
    assert client.get("/sparql", params={"query": query}).status_code == 200
    assert client.get("/sparql", params={"query": query}).status_code == 200
    assert metric(client, "graphapp_answer_cache_lookups_total", result="miss") == misses + 1
    assert metric(client, "graphapp_answer_cache_lookups_total", result="hit") == hits + 1


def test_a_query_stopped_at_the_time_limit_is_counted(client: TestClient) -> None:
    stopped = metric(client, "graphapp_queries_stopped_total", pool="query", reason="time")
    restarts = metric(client, "graphapp_worker_restarts_total", pool="query")
    r = client.get("/sparql", params={"query": SLOW})
    assert r.status_code == 503 and "time limit" in r.text
    assert metric(client, "graphapp_queries_stopped_total", pool="query", reason="time") == stopped + 1
    assert metric(client, "graphapp_worker_restarts_total", pool="query") == restarts + 1


def test_accepted_and_rejected_writes_are_counted(client: TestClient) -> None:
    accepted = metric(client, "graphapp_writes_accepted_total", method="update")
    shapes = metric(client, "graphapp_writes_rejected_total", reason="shapes")
    refused = metric(client, "graphapp_writes_rejected_total", reason="refused")

    broken = NEW_PRACTICE.replace("ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;", "")
    assert client.post("/sparql/update", content=broken, headers=UPDATE).status_code == 400
    assert metric(client, "graphapp_writes_rejected_total", reason="shapes") == shapes + 1
    assert client.post("/sparql/update", content="LOAD <http://127.0.0.1:9/x.ttl>", headers=UPDATE).status_code == 400
    assert metric(client, "graphapp_writes_rejected_total", reason="refused") == refused + 1
    assert metric(client, "graphapp_writes_accepted_total", method="update") == accepted

    r = client.post("/sparql/update", content=NEW_PRACTICE, headers=UPDATE)
    assert r.status_code == 204, r.text
    assert metric(client, "graphapp_writes_accepted_total", method="update") == accepted + 1


def test_several_processes_are_summed_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two web processes count into PROMETHEUS_MULTIPROC_DIR; a third answers for both."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "import sys; from graphapp import metrics; [metrics.write_accepted('api') for _ in range(int(sys.argv[1]))]"
    for n in ("1", "2"):
        subprocess.run([sys.executable, "-c", count, n], env=env, check=True, timeout=60)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from graphapp import metrics; sys.stdout.write(metrics.exposition().decode())",
        ],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(out)
        for s in family.samples
    }
    assert samples[("graphapp_writes_accepted_total", (("method", "api"),))] == 3.0


def test_the_app_starts_without_importing_the_drawing_libraries() -> None:
    """pyvis (0.2 s, it imports IPython) and networkx (0.1 s) are imported by the first view that needs them, not
    by every start: the first answer after a start waits for the app's imports (docs/benchmarks.md)."""
    probe = (
        "import sys, graphapp.web.app; print(sorted(m for m in ('pyvis', 'networkx', 'IPython') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
