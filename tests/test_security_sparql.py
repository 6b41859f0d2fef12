"""The attacks of the security review, replayed: SSRF past the guard, one query's memory and bytes, an engine
abort, starving the service, 500s on updates, and writes where none belong. See docs/security.md.

Each test here failed on the service as it was before the fix it guards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from graphapp import sparql_algebra, sparql_guard
from graphapp.executor import Job, QueryError, WorkerPool
from graphapp.store import GraphStore

from . import servers
from .conftest import make_app_client

TOKEN = "token-for-the-security-tests"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/gakg/graph/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# ---------------------------------------------------------------- a local listener


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback HTTP listener that records every connection (and answers an empty SPARQL result)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.1)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    seen.append(b"(connected)")
                body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"LEAK"}}]}}'
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/x", seen
    stop.set()
    t.join(timeout=2)
    sock.close()


def attacks(target: str) -> list[str]:
    """Every way past the old guard that the review found, plus the plain forms."""
    return [
        f"SELECT * WHERE {{ #x\rSERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"ASK {{ #x\rSERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o #x\rSERVICE <{target}> {{ ?a ?b ?c }}\n}}",
        f"PREFIX e: <http://e/> SELECT * WHERE {{ {{ ?s ?p e:a\\#b }} UNION {{ SERVICE <{target}> {{ ?x ?y ?z }} }} }}",
        f"PREFIX e: <http://e/> SELECT * WHERE {{ {{ ?s ?p e:a\\'b }} UNION {{ SERVICE <{target}> {{ ?x ?y ?z }} }} }}",
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
        f"BASE <{target}> SELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }}",
    ]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_app_client(
        workers=2,
        query_timeout=20.0,  # the memory limit must stop MEMORY_BOMB first, with room on a busy machine
        update_token=TOKEN,
        update_timeout=3.0,
        worker_memory_mb=400,
    ) as c:
        yield c


def _count(client: TestClient) -> int:
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# ---------------------------------------------------------------- 1. SSRF


def test_no_way_in_reaches_a_listener(client: TestClient, listener: tuple[str, list[bytes]]) -> None:
    target, seen = listener
    for query in attacks(target):
        for request in (
            lambda q: client.get("/sparql", params={"query": q}),
            lambda q: client.post("/sparql", data={"query": q}),
            lambda q: client.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"}),
        ):
            r = request(query)
            assert r.status_code == 400, (query, r.status_code, r.text)
            assert "LEAK" not in r.text and "Connection refused" not in r.text
    for update in (
        f"#x\rLOAD <{target}>",
        f"LOAD <{target}>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ #\rSERVICE <{target}> {{ ?s ?p ?o }} }}",
    ):
        r = client.post("/sparql/update", content=update.encode(), headers=UPDATE)
        assert r.status_code == 400, (update, r.text)
    time.sleep(0.3)
    assert seen == []


def test_keyword_scan_reads_comments_and_escapes_as_the_grammar_does() -> None:
    target = "http://127.0.0.1:9/x"
    for query in attacks(target):
        with pytest.raises(sparql_guard.RefusedQuery, match="SERVICE"):
            sparql_guard.inspect_query(query)
    with pytest.raises(sparql_guard.RefusedQuery, match="LOAD"):
        sparql_guard.inspect_update(f"#x\rLOAD <{target}>")
    # what is not an attack stays allowed
    ok = sparql_guard.inspect_query('PREFIX e: <http://e/> SELECT * WHERE { ?s e:a\\#b "SERVICE" } # SERVICE\n')
    assert ok.form == "SELECT"


def test_the_parse_layer_finds_service_by_itself_and_refuses_disagreement() -> None:
    # a comment ended by CR: the parse sees SERVICE even where a naive tokenizer would not
    parsed = sparql_algebra.parse_query("SELECT * WHERE { ?s ?p ?o #x\rSERVICE <http://x/> { ?a ?b ?c }\n}")
    assert parsed.service
    # the scan and the parse must agree on what the query is
    scan = sparql_guard.Inspection("SELECT", ["https://w3id.org/gakg/graph/a"])
    with pytest.raises(sparql_guard.RefusedQuery, match="unambiguously"):
        sparql_algebra.confirm_query("SELECT * WHERE { ?s ?p ?o }", scan)
    with pytest.raises(sparql_guard.RefusedQuery, match="SERVICE"):
        sparql_algebra.confirm_query(
            "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", sparql_guard.Inspection("SELECT")
        )
    with pytest.raises(SyntaxError):
        sparql_algebra.parse_query("SELECT * WHERE { ?s ?p }")


def test_workers_cannot_open_a_network_connection(tmp_path: Path, listener: tuple[str, list[bytes]]) -> None:
    """The last layer: even a SERVICE that no guard saw (sent straight to a worker) reaches nothing."""
    target, seen = listener
    dump = tmp_path / "empty.nq"
    dump.write_text("<http://e/s> <http://e/p> <http://e/o> .\n")
    pool = WorkerPool(dump, 1, 10.0, workdir=tmp_path)
    try:
        job = Job(f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}", "SELECT", "json")  # no scan: unguarded
        with pytest.raises(QueryError) as err:
            asyncio.run(pool.run(job))
        assert err.value.status == 400 and "ermission denied" in err.value.message, err.value.message
        answer = asyncio.run(pool.run(Job("ASK { ?s ?p ?o }", "ASK", "json")))
        assert b"true" in answer.body  # the worker itself works
    finally:
        pool.close()
    time.sleep(0.3)
    assert seen == []


# ---------------------------------------------------------------- 2. memory and bytes


# the review's second case: ORDER BY over a cartesian product (strings, so the sort itself is sound)
MEMORY_BOMB = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY STR(?a) STR(?d) LIMIT 1"


def test_a_query_past_the_memory_limit_is_stopped_and_says_so(client: TestClient) -> None:
    """docs/security.md: stopped at the cap, before the 20 s time limit (the query grows for 3 to 8 s first, on a
    busy 2-core machine), and the next query is answered within a second (the worker is replaced)."""
    started = time.monotonic()
    r = client.get("/sparql", params={"query": MEMORY_BOMB})
    assert r.status_code == 503, r.text
    assert "memory limit of 400 MB" in r.text
    assert time.monotonic() - started < 20  # the fixture's time limit: the memory limit stopped it first
    started = time.monotonic()
    assert _count(client) > 1000  # the service goes on
    assert time.monotonic() - started < 1


def test_answers_stop_at_the_byte_cap_and_say_which_limit(tmp_path: Path) -> None:
    with make_app_client(max_response_bytes=20_000, max_rows=1_000_000) as c:
        for query, accept in (
            ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),
            ("SELECT * WHERE { ?s ?p ?o }", "text/csv"),
            ("CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle"),
            ("CONSTRUCT WHERE { ?s ?p ?o }", "application/ld+json"),
        ):
            r = c.get("/sparql", params={"query": query}, headers={"Accept": accept})
            assert r.status_code == 200, r.text
            assert r.headers["x-result-truncated"] == "results cut at 20000 bytes"
            assert 1000 < len(r.content) <= 20_000
        rows = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}).json()["results"]["bindings"]
        assert len(rows) > 10  # well-formed JSON, cut between rows


# ---------------------------------------------------------------- 3. engine aborts


def test_an_engine_abort_costs_one_request() -> None:
    """A worker whose engine aborts mid-query (SIGABRT, as a Rust panic does) costs that request a 500 that says
    so, and nothing else: the pool starts another worker and the next query answers."""
    with make_app_client() as c:
        pool = c.app.state.service.pool  # type: ignore[attr-defined]
        answers: list[int] = []
        running = threading.Thread(target=lambda: answers.append(c.get("/sparql", params={"query": SLOW}).status_code))
        running.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (pool._idle or len(pool._all) != 1):
            time.sleep(0.02)
        (worker,) = pool._all  # the one worker, running the query
        time.sleep(0.3)
        os.kill(worker.process.pid, signal.SIGABRT)
        running.join(timeout=30)
        assert answers == [500]
        assert _count(c) > 1000


# ---------------------------------------------------------------- 4. availability


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One query worker, a long time limit, a short queue: what the starvation attacks aimed at."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    proc, base = servers.start(
        log,
        GRAPHAPP_WORKERS="1",
        GRAPHAPP_QUERY_TIMEOUT="30",
        GRAPHAPP_MAX_QUEUED_QUERIES="3",
        GRAPHAPP_MAX_QUERIES_PER_CLIENT="0",
    )
    try:
        servers.wait(proc, base, log)
        yield base
    finally:
        servers.stop(proc)


def _raw_get(base: str, path: str) -> socket.socket:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode())
    return sock


def test_queries_shaped_against_the_keyword_scan_do_not_freeze_the_service(small_server: str) -> None:
    """Before: one 100 kB ``a-a-a…`` query held the web process for 36.6 s, /health included, and three at once
    left a page waiting 72.6 s. Now each is read in a fraction of a second (linear scan) and refused, and the
    pages answer meanwhile (the 10 s allowed here is a hang detector, not a speed goal: benchmarks/guard_scan.py)."""
    shapes = ["SELECT * WHERE { ?s ?p ?o } " + "a-" * 49_000, 'SELECT * WHERE { ?s ?p "' + '\\"' * 49_000]
    answers: list[int] = []

    def post(query: str) -> None:
        r = httpx.post(
            f"{small_server}/sparql", content=query, headers={"Content-Type": "application/sparql-query"}, timeout=300
        )
        answers.append(r.status_code)

    senders = [threading.Thread(target=post, args=(q,)) for q in [*shapes, shapes[0]]]
    for sender in senders:
        sender.start()
    health = httpx.get(f"{small_server}/health", timeout=10)
    page = httpx.get(f"{small_server}/id/practica/reubicacion-ladrilleras-durango", timeout=10)
    for sender in senders:
        sender.join(timeout=300)
    assert health.status_code == 200 and page.status_code == 200
    assert answers == [400, 400, 400]


def test_a_query_whose_client_left_is_stopped(small_server: str) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": SLOW})
    for _ in range(3):  # three slow queries whose clients hang up after 0.5 s
        sock = _raw_get(small_server, path)
        time.sleep(0.5)
        sock.close()
    started = time.monotonic()
    r = httpx.get(small_server + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 200, r.text
    # docs/security.md: stopped, its one worker free again, within two seconds of the hang-up (measured 0.03 to
    # 0.5 s on a busy 2-core machine); not the 30 s the abandoned queries would have taken
    assert time.monotonic() - started < 2


def test_a_flood_of_slow_queries_is_bounded_and_pages_keep_answering(small_server: str) -> None:
    async def flood() -> tuple[list[httpx.Response], list[float]]:
        async with httpx.AsyncClient(base_url=small_server, timeout=60) as ac:
            # fifty different queries (identical ones would share one evaluation: tests/test_single_flight.py)
            slow = [asyncio.create_task(ac.get("/sparql", params={"query": f"{SLOW} # {i}"})) for i in range(50)]
            await asyncio.sleep(1.5)
            page_times = []
            for _ in range(5):
                t = time.monotonic()
                page = await ac.get("/", headers={"Accept": "text/html"})
                assert page.status_code == 200
                page_times.append(time.monotonic() - t)
            finished = [task.result() for task in slow if task.done() and not task.exception()]
            for task in slow:  # the clients hang up: their queries are stopped
                task.cancel()
            await asyncio.gather(*slow, return_exceptions=True)
            return finished, page_times

    finished, page_times = asyncio.run(flood())
    # one query runs and three wait; the other 46 are refused at once, with a time to come back
    refused = [r for r in finished if r.status_code == 503]
    assert len(refused) >= 46, [r.status_code for r in finished]
    assert all(r.headers.get("retry-after") for r in refused)
    assert max(page_times) < 3, page_times
    # the abandoned queries are stopped: the worker is free again within seconds, not after 30 s
    started = time.monotonic()
    while (
        r := httpx.get(small_server + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    ).status_code != 200:
        assert time.monotonic() - started < 10, r.text
        time.sleep(0.5)


def test_per_client_limit(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    proc, base = servers.start(
        log, GRAPHAPP_WORKERS="2", GRAPHAPP_QUERY_TIMEOUT="3", GRAPHAPP_MAX_QUERIES_PER_CLIENT="2"
    )
    try:
        servers.wait(proc, base, log)

        async def three() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=base, timeout=30) as ac:
                return list(await asyncio.gather(*(ac.get("/sparql", params={"query": SLOW}) for _ in range(3))))

        statuses = sorted(r.status_code for r in asyncio.run(three()))
        assert statuses == [429, 503, 503], statuses
    finally:
        servers.stop(proc)


def test_a_huge_body_is_refused_before_it_is_parsed(client: TestClient) -> None:
    body = b"x=1&" * 25_000_000  # 100 MB of form fields
    started = time.monotonic()
    r = client.post("/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert time.monotonic() - started < 3

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(200):
            yield b"x=1&" * 5_000

    r = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "limit" in r.text


# ---------------------------------------------------------------- 5. and 6. updates


@pytest.mark.parametrize(
    "update",
    [
        f"DROP GRAPH <{GRAPH}local/absent>",
        f"CREATE GRAPH <{GRAPH}local/twice> ; CREATE GRAPH <{GRAPH}local/twice>",
        f"MOVE <{GRAPH}local/absent> TO <{GRAPH}local/other>",
        f"CLEAR GRAPH <{GRAPH}local/absent>",
    ],
)
def test_engine_errors_in_updates_are_400_and_change_nothing(client: TestClient, update: str) -> None:
    before = _count(client)
    r = client.post("/sparql/update", content=update.encode(), headers=UPDATE)
    assert r.status_code == 400, r.text
    assert _count(client) == before


@pytest.mark.parametrize(
    "update",
    [
        'PREFIX g: <https://w3id.org/gakg/graph/> INSERT DATA { GRAPH g:restricted\\/ciudadanos-inscritos { <https://w3id.org/gakg/id/x/a> <http://www.w3.org/2000/01/rdf-schema#label> "x" } }',
        'BASE <https://w3id.org/gakg/graph/restricted/> INSERT DATA { GRAPH <ciudadanos-inscritos> { <https://w3id.org/gakg/id/x/a> <http://www.w3.org/2000/01/rdf-schema#label> "x" } }',
        'INSERT DATA { GRAPH <https://w3id.org/gakg/graph/\\u0072estricted/ciudadanos-inscritos> { <https://w3id.org/gakg/id/x/a> <http://www.w3.org/2000/01/rdf-schema#label> "x" } }',
        'INSERT { GRAPH ?g { <https://w3id.org/gakg/id/x/a> <http://www.w3.org/2000/01/rdf-schema#label> "x" } } WHERE { BIND(IRI("https://w3id.org/gakg/graph/restricted/x") AS ?g) }',
    ],
)
def test_the_restricted_graph_cannot_be_written(client: TestClient, update: str) -> None:
    r = client.post("/sparql/update", content=update.encode(), headers=UPDATE)
    assert r.status_code == 400, r.text
    assert client.get("/graph/restricted/ciudadanos-inscritos").status_code == 404
    r = client.get("/sparql", params={"query": "ASK { <https://w3id.org/gakg/id/x/a> ?p ?o }"})
    assert r.json()["boolean"] is False


@pytest.mark.parametrize(
    "update",
    [
        "DROP ALL",
        "CLEAR ALL",
        "DROP NAMED",
        f"CLEAR GRAPH <{GRAPH}presentacion/stl>",
        f"DROP GRAPH <{GRAPH}presentacion/buenas-practicas>",
        f"DELETE WHERE {{ GRAPH <{GRAPH}presentacion/stl> {{ ?s ?p ?o }} }}",
        f"MOVE <{GRAPH}presentacion/stl> TO <{GRAPH}local/copia>",
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
        "INSERT DATA { GRAPH <http://elsewhere.example/g> { <http://e/a> <http://e/b> <http://e/c> } }",
    ],
)
def test_source_graphs_are_read_only_and_the_dataset_never_empties(client: TestClient, update: str) -> None:
    before = _count(client)
    r = client.post("/sparql/update", content=update.encode(), headers=UPDATE)
    assert r.status_code == 400, r.text
    assert _count(client) == before


def test_updates_have_a_time_limit(client: TestClient) -> None:
    before = _count(client)
    heavy = (
        f"INSERT {{ GRAPH <{GRAPH}local/x> {{ <https://w3id.org/gakg/id/x/n> <http://e/b> ?n }} }} "
        'WHERE { GRAPH ?g { ?a ?b ?n } GRAPH ?h { ?d ?e ?f } FILTER(CONCAT(STR(?a), STR(?d)) = "never") }'
    )
    started = time.monotonic()
    r = client.post("/sparql/update", content=heavy.encode(), headers=UPDATE)
    assert r.status_code == 503 and "time limit of 3 s" in r.text, r.text
    assert time.monotonic() - started < 8
    assert _count(client) == before
    # and the update worker came back
    ok = f'INSERT DATA {{ GRAPH <{GRAPH}local/pruebas> {{ <https://w3id.org/gakg/id/x/ok> <http://www.w3.org/2000/01/rdf-schema#label> "ok" }} }}'
    for _ in range(20):
        r = client.post("/sparql/update", content=ok.encode(), headers=UPDATE)
        if r.status_code != 503:
            break
        time.sleep(0.5)
    assert r.status_code == 204, r.text


def test_one_update_changes_at_most_a_bounded_number_of_statements(client: TestClient) -> None:
    """Issue 19, item 9: an update copying the whole graph (~30,000 statements here; 130,000 took the web process
    to 1.6 GB) is refused with a 413 that says why, before the web process reads its change; nothing changes."""
    before = _count(client)
    copy_all = f"INSERT {{ GRAPH <{GRAPH}local/copia> {{ ?s <http://example.org/copy> ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    r = client.post("/sparql/update", content=copy_all.encode(), headers=UPDATE)
    assert r.status_code == 413, r.text
    assert "more than 10000 statements" in r.text
    assert _count(client) == before


def test_the_statement_cap_is_a_setting_and_counts_data_updates_too() -> None:
    def data(n: int) -> bytes:
        label = "http://www.w3.org/2000/01/rdf-schema#label"
        return (
            "INSERT DATA { " + " ".join(f'<https://w3id.org/gakg/id/x/{i}> <{label}> "{i}" .' for i in range(n)) + " }"
        ).encode()

    with make_app_client(update_token=TOKEN, max_update_statements=3) as c:
        before = _count(c)
        r = c.post("/sparql/update", content=data(4), headers=UPDATE)
        assert r.status_code == 413 and "more than 3 statements" in r.text, r.text
        assert _count(c) == before
        assert c.post("/sparql/update", content=data(3), headers=UPDATE).status_code == 204


def test_old_snapshots_are_removed_after_updates(client: TestClient) -> None:
    service = client.app.state.service
    for i in range(3):
        ok = f'INSERT DATA {{ GRAPH <{GRAPH}local/snap> {{ <https://w3id.org/gakg/id/x/s{i}> <http://www.w3.org/2000/01/rdf-schema#label> "s" }} }}'
        assert client.post("/sparql/update", content=ok.encode(), headers=UPDATE).status_code == 204
    assert len(list(service.workdir.glob("public-*.nq"))) <= 2


def test_snapshots_hold_the_same_data(public_store: GraphStore, tmp_path: Path) -> None:
    import pyoxigraph as ox

    path = public_store.snapshot(tmp_path / "snap")
    copy = ox.Store()
    copy.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    assert len(copy) == len(public_store)


def test_a_write_that_drops_a_spanish_label_is_refused(client: TestClient) -> None:
    """The focused validation checks qualified-value shapes too (pyshacl's focus mode skips them)."""
    practice = "https://w3id.org/gakg/id/practica/sin-etiqueta-es"
    update = (
        "PREFIX ga: <https://w3id.org/gakg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX dcterms: <http://purl.org/dc/terms/> "
        f"INSERT DATA {{ GRAPH <{GRAPH}local/nuevas> {{ <{practice}> a ga:BestPractice ; "
        'rdfs:label "Only English"@en ; dcterms:spatial <https://w3id.org/gakg/id/entidad/jalisco> ; '
        "ga:addressesProblem <https://w3id.org/gakg/id/problema/desigualdad-laboral-y-salarial-entre-hombres-y-mujeres> ; "
        'ga:solution "Una solución."@es ; ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ; '
        "dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> . } }"
    )
    r = client.post("/sparql/update", content=update.encode(), headers=UPDATE)
    assert r.status_code == 400 and "SpanishLabel-label" in r.text, r.text


def test_a_participants_name_is_published_only_with_a_recorded_consent(client: TestClient) -> None:
    person = "https://w3id.org/gakg/id/ciudadano/participante-prueba"
    prefixes = (
        "PREFIX ga: <https://w3id.org/gakg/ontology#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
        "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
    )
    named = (
        f'<{person}> a foaf:Person ; foaf:name "Persona Ficticia" ; '
        "ga:registeredIn <https://w3id.org/gakg/id/ejercicio/estado-de-mexico> ."
    )
    r = client.post(
        "/sparql/update",
        content=(prefixes + f"INSERT DATA {{ GRAPH <{GRAPH}local/personas> {{ {named} }} }}").encode(),
        headers=UPDATE,
    )
    assert r.status_code == 400 and "Participant-consent" in r.text, r.text
    # what identifies a person, whatever its class (issue 19, item 7): untyped, or schema:Person
    for typed in ("", "a <https://schema.org/Person> ; "):
        other = f"{person}-{len(typed)}"
        unnamed_class = (
            f'<{other}> {typed}foaf:name "Persona Ficticia" ; '
            "ga:registeredIn <https://w3id.org/gakg/id/ejercicio/estado-de-mexico> ."
        )
        r = client.post(
            "/sparql/update",
            content=(prefixes + f"INSERT DATA {{ GRAPH <{GRAPH}local/personas> {{ {unnamed_class} }} }}").encode(),
            headers=UPDATE,
        )
        assert r.status_code == 400 and "Participant-consent" in r.text, (typed, r.text)
    consent = (
        f"<{person}> ga:publicationConsent <{person}/consentimiento> . "
        f'<{person}/consentimiento> a ga:PublicationConsent ; dcterms:date "2026-11-30"^^xsd:date ; '
        "dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> ."
    )
    r = client.post(
        "/sparql/update",
        content=(prefixes + f"INSERT DATA {{ GRAPH <{GRAPH}local/personas> {{ {named} {consent} }} }}").encode(),
        headers=UPDATE,
    )
    assert r.status_code == 204, r.text
