"""Holes found by a security review of the web service: security headers on 500 pages, concurrent first dump
requests, the Host header never reflected into links or descriptions, and stale temporary folders."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graphapp.config import Settings
from graphapp.web.app import create_app

from .conftest import make_app_client

EVIL = "evil.example"
HTML = {"Accept": "text/html"}
TOKEN = "token-for-security-tests"
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_app_client(update_token=TOKEN, public_url="https://kg.example.org/base") as c:
        yield c


def _no_evil(r) -> None:
    assert EVIL not in r.text, (r.request.url, r.text[:2000])
    for name, value in r.headers.items():
        assert EVIL not in value, (r.request.url, name, value)


# ---------------------------------------------------------------- 1. security headers on 500 pages


@pytest.fixture(scope="module")
def broken_app() -> FastAPI:
    app = create_app(Settings.from_env({"GRAPHAPP_STORE_DIR": ":memory:"}, workers=1))

    def boom() -> None:
        raise RuntimeError("a bug in a handler")

    app.add_api_route("/boom-for-tests", boom)
    return app


@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/plain", "*/*"])
def test_500_responses_carry_the_security_headers(broken_app: FastAPI, accept: str) -> None:
    client = TestClient(broken_app, raise_server_exceptions=False)
    r = client.get("/boom-for-tests", headers={"Accept": accept})
    assert r.status_code == 500
    assert "a bug in a handler" not in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def test_security_headers_and_language_cookie_on_ordinary_responses(broken_app: FastAPI) -> None:
    client = TestClient(broken_app)
    r = client.get("/static/style.css?lang=en")
    for name in SECURITY_HEADERS:
        assert name in r.headers
    assert r.headers["set-cookie"].startswith("lang=en;")
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=lax" in r.headers["set-cookie"].lower()
    assert "set-cookie" not in client.get("/static/style.css?lang=en").headers  # the cookie is already there
    assert "set-cookie" not in TestClient(broken_app).get("/static/style.css?lang=fr").headers
    docs = client.get("/docs")
    assert "'unsafe-inline'" not in docs.headers["content-security-policy"]  # the site's policy, as everywhere
    assert docs.headers["x-content-type-options"] == "nosniff"


# ---------------------------------------------------------------- 2. concurrent first requests for a dump


def _dump_files(client: TestClient) -> list[str]:
    return sorted(p.name for p in client.app.state.service.workdir.iterdir() if p.name.startswith("dump-"))  # type: ignore[attr-defined]


def test_concurrent_first_dump_requests_all_succeed(client: TestClient) -> None:
    version = client.app.state.service.version  # type: ignore[attr-defined]
    assert f"dump-{version}.ttl" not in _dump_files(client)  # a first request, really
    barrier = threading.Barrier(8)
    answers: list[tuple[int, bytes]] = []

    def fetch() -> None:
        barrier.wait()
        try:
            r = client.get("/dataset/dump.ttl")
        except Exception as exc:  # the client re-raises server errors: count them as 500s
            answers.append((500, repr(exc).encode()))
        else:
            answers.append((r.status_code, r.content))

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in answers] == [200] * 8
    assert len({body for _, body in answers}) == 1
    assert len(answers[0][1]) > 1_000_000
    assert not [name for name in _dump_files(client) if not re.fullmatch(r"dump-\d+\.(ttl|nq|jsonld)", name)]


def test_dumps_of_older_graph_versions_are_deleted(client: TestClient) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]
    for fmt in ("ttl", "nq"):
        assert client.get(f"/dataset/dump.{fmt}").status_code == 200
    old = service.version
    assert f"dump-{old}.nq" in _dump_files(client)
    r = client.post(
        "/sparql/update",
        content="INSERT DATA { GRAPH <https://w3id.org/gakg/graph/editorial/prueba> { "
        "<https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> "
        '<http://www.w3.org/2004/02/skos/core#editorialNote> "nota de prueba"@es } }',
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204, r.text
    assert service.version > old
    dump = client.get("/dataset/dump.nq")
    assert dump.status_code == 200 and "nota de prueba" in dump.text
    assert _dump_files(client) == [f"dump-{service.version}.nq"]


# ---------------------------------------------------------------- 3. the Host header is never reflected


def test_service_description_ignores_the_host_header(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle", "Host": EVIL})
    assert r.status_code == 200
    _no_evil(r)
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (rdflib.URIRef("https://kg.example.org/base/sparql"), sd.endpoint, None) in g


def test_dataset_description_ignores_the_host_header(client: TestClient) -> None:
    r = client.get("/dataset", headers={"Accept": "text/turtle", "Host": EVIL})
    assert r.status_code == 200
    _no_evil(r)
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = rdflib.URIRef("https://kg.example.org/base/dataset")
    assert (ds, void.sparqlEndpoint, rdflib.URIRef("https://kg.example.org/base/sparql")) in g
    assert (ds, void.dataDump, rdflib.URIRef("https://kg.example.org/base/dataset/dump.ttl")) in g


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?lang=en",
        "/buscar?q=durango",
        "/id/practica/reubicacion-ladrilleras-durango",
        "/id/nada/que-ver",
        "/sparql",
        "/dataset",
        "/ontology",
        "/docs",
        "/practicas?q=ladrilleras",
        "/practicas/comparar?p=reubicacion-ladrilleras-durango&p=informacion-eleccion-bachillerato-veracruz",
        "/vistas/stl",
        "/vistas/general",
        "/vistas/vecindario/stl/estado-de-mexico",
        "/analitica/camino",
    ],
)
def test_html_pages_link_with_paths_not_the_host_header(client: TestClient, url: str) -> None:
    r = client.get(url, headers={**HTML, "Host": EVIL})
    assert r.status_code == (404 if url.startswith("/id/nada/") else 200), (url, r.status_code)
    _no_evil(r)
    for link in re.findall(r'(?:src|href|action|data-graph-url)="([^"]*)"', r.text):
        assert not link.startswith(("http://testserver", "//")), (url, link)


def test_query_page_names_the_public_endpoint(client: TestClient) -> None:
    page = client.get("/sparql", headers={**HTML, "Host": EVIL}).text
    assert '<code id="endpoint-url">https://kg.example.org/base/sparql</code>' in page
    assert 'action="/sparql"' in page


def test_views_index_links_with_paths_not_the_host_header(client: TestClient) -> None:
    r = client.get("/vistas", headers={**HTML, "Host": EVIL})
    _no_evil(r)
    _no_evil(client.get("/vistas?format=json", headers={"Host": EVIL}))


def test_assets_and_links_respect_the_root_path() -> None:
    with make_app_client(root_path="/kg") as c:
        page = c.get("/kg/", headers=HTML).text
        assert 'href="/kg/static/style.css"' in page and 'href="/kg/sparql"' in page
        assert 'href="/kg/?lang=en"' in page
        assert c.get("/kg/static/style.css").status_code == 200
        assert 'src="/kg/static/vendor/vis/vis-network.min.js"' in c.get("/kg/vistas/stl", headers=HTML).text
        assert "/kg/static/vendor/swagger-ui/swagger-ui-bundle.js" in c.get("/kg/docs").text
        r = c.get("/kg/dataset/", follow_redirects=False)
        assert r.status_code in (307, 308) and r.headers["location"] == "/kg/dataset"


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/sparql/", "/sparql"),
        ("/buscar/?q=ladrilleras%20durango&format=json", "/buscar?q=ladrilleras%20durango&format=json"),
        ("/dataset/?format=ttl", "/dataset?format=ttl"),
        ("/dataset/", "/dataset"),
        ("/vistas/stl//", "/vistas/stl"),
    ],
)
def test_trailing_slash_redirect_is_relative(client: TestClient, url: str, location: str) -> None:
    r = client.get(url, headers={"Host": EVIL}, follow_redirects=False)
    assert r.status_code in (307, 308), r.text
    assert r.headers["location"] == location
    _no_evil(r)
    for name in SECURITY_HEADERS:
        assert name in r.headers
    assert client.get(url, follow_redirects=True).status_code == 200


@pytest.mark.parametrize("url", ["/no-such-page/", "//evil.example/", "/static/", "/id/"])
def test_no_redirect_without_a_route_to_land_on(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Host": EVIL}, follow_redirects=False)
    assert r.status_code not in (301, 302, 307, 308), (url, r.headers.get("location"))
    _no_evil(r)


# ---------------------------------------------------------------- 5. stale temporary folders


def test_service_removes_temporary_folders_of_dead_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen(["true"])  # a process that is gone once waited for
    dead.wait()
    stale = tmp_path / f"graphapp-{dead.pid}-abcd1234"
    (stale / "sub").mkdir(parents=True)
    (stale / "sub" / "public-0.nq").write_text("x", encoding="utf-8")
    live = tmp_path / f"graphapp-{os.getpid()}-efgh5678"
    live.mkdir()
    unrelated = [tmp_path / f"graphapp-{dead.pid}", tmp_path / "graphapp-x1y2z3", tmp_path / f"other-{dead.pid}-abcd"]
    for folder in unrelated:
        folder.mkdir()
    with make_app_client() as c:
        workdir = c.app.state.service.workdir  # type: ignore[attr-defined]
        assert workdir.parent == tmp_path
        assert workdir.name.startswith(f"graphapp-{os.getpid()}-")
        assert not stale.exists()
        assert live.is_dir()
        assert all(folder.is_dir() for folder in unrelated)
    assert not workdir.exists()


@pytest.mark.parametrize("path", ["/buscar", "/practicas", "/api/practices/search"])
def test_search_texts_are_bounded(client: TestClient, path: str) -> None:
    """Issue 19, item 2: a 6,000-word ``q`` cost seconds of the web process's CPU at /buscar; every text search
    now reads at most 300 characters and says so (400), as a page and as JSON."""
    long_q = " ".join(["transparencia"] * 4000)  # (the test client refuses a longer URL)
    for fmt in ("html", "json"):
        r = client.get(path, params={"q": long_q, "format": fmt})
        assert r.status_code == 400, r.text[:300]
        assert "at most 300" in r.text and "Traceback" not in r.text
    assert client.get(path, params={"q": "paz " * 75}).status_code == 200  # 300 characters, stripped: fine


@pytest.mark.parametrize("depth", [33, 5000])
def test_a_json_body_nested_too_deep_is_a_400(client: TestClient, depth: int) -> None:
    """Issue 19, item 11: a body nested 5,000 deep overflowed the parser's recursion (500). Both the parser's
    limit and the project's (32 levels) are a 400 that says so, and nothing is written."""
    body = '{"label_es": ' + "[" * depth + "]" * depth + "}"
    r = client.post(
        "/api/entities/practice",
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        params={"lang": "en"},
    )
    assert r.status_code == 400, r.text
    assert "nested more than 32 levels" in r.json()["message"]


@pytest.mark.parametrize("char", ["\u0000", "\u0001", "\u001b"])
def test_control_characters_are_refused_on_the_way_in(client: TestClient, char: str) -> None:
    """Issue 19, item 10: control characters were accepted in labels through the API and CSV, and then RDF/XML
    pages and SPARQL XML results were not well-formed XML. The write path refuses them, naming the character."""
    body = {
        "label": {"es": f"Práctica{char}con control", "en": "Practice with a control character"},
        "place": "municipio/15106",
        "addresses_problem": "desinformacion-para-elegir-bachillerato",
        "solution": {"es": "Un tablero público con la información de cada escuela."},
        "status": "activa",
        "sources": ["cocreacion-desde-lo-local-inai-2020"],
    }
    r = client.post(
        "/api/entities/practice", json=body, headers={"Authorization": f"Bearer {TOKEN}"}, params={"lang": "en"}
    )
    assert r.status_code == 400, r.text
    assert f"U+{ord(char):04X}" in r.text
    ask = 'ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), "con control")) }'
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is False


def test_sparql_xml_results_are_always_well_formed(client: TestClient) -> None:
    """A query can make a control character itself; the XML answer replaces it (U+FFFD) instead of breaking."""
    import xml.etree.ElementTree as ET

    r = client.get(
        "/sparql",
        params={"query": 'SELECT ?x WHERE { BIND ("a\\u0001b" AS ?x) }'},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)  # noqa: S314 - our own answer; raises on a document that is not well formed
    literal = root.find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal is not None and literal.text == "a\ufffdb"


@pytest.mark.parametrize("label", ['=HYPERLINK("https://evil.example/x","clic")', "+cmd|' /C calc'!A0", "@SUM(1+1)"])
def test_spreadsheet_formulas_are_refused_on_the_way_in(client: TestClient, label: str) -> None:
    """Issue 19, item 12: formulas stored as labels came back verbatim in CSV downloads. The write path refuses a
    text that starts like one (docs/security.md says why refusing, not rewriting CSV answers)."""
    body = {
        "label": {"es": label, "en": "A formula"},
        "place": "municipio/15106",
        "addresses_problem": "desinformacion-para-elegir-bachillerato",
        "solution": {"es": "Un tablero público con la información de cada escuela."},
        "status": "activa",
        "sources": ["cocreacion-desde-lo-local-inai-2020"],
    }
    r = client.post("/api/entities/practice", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400 and "spreadsheet formula" in r.text, r.text
    body["label"] = {"es": f"+ de 1437 personas informadas ({len(label)})", "en": "Over 1,437 people informed"}
    r = client.post("/api/entities/practice", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
