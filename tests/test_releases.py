"""Releases: `graphapp release` and the admin's form freeze a version; its page says what changed since the release
before; its dumps, DCAT record and citations (parsed by bibtexparser and citeproc-py) hold; releases survive a
restart and a backup/restore, and `version=N` of a release answers as it was."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pyoxigraph as ox
import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from fastapi.testclient import TestClient

from graphapp import staff

from .conftest import make_app_client
from .test_entities_api import practice

TOKEN = "releases-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/json"}
ID = "https://w3id.org/gakg/id/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def cli(store: Path, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real command on ``store``, with ``token`` as GRAPHAPP_TOKEN (none by default)."""
    env = {**os.environ, "GRAPHAPP_STORE_DIR": str(store)}
    env.pop("GRAPHAPP_TOKEN", None)
    if token is not None:
        env["GRAPHAPP_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "graphapp.cli", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def count(client: TestClient, **params: object) -> int:
    r = client.get("/sparql", params={"query": COUNT, **params}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return int(r.text.splitlines()[1])


@pytest.fixture(scope="module")
def staff_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    path = tmp_path_factory.mktemp("staff") / "staff.json"
    _, admin = staff.add(path, "rosa.admin", ["edit", "admin"], display_name="Rosa")
    _, editor = staff.add(path, "eva.editora", ["edit"], display_name="Eva")
    return path, admin, editor


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("releases") / "store"


@pytest.fixture(scope="module")
def service(store: Path, staff_file: tuple[Path, str, str]) -> Iterator[TestClient]:
    env = {
        "GRAPHAPP_STORE_DIR": str(store),
        "GRAPHAPP_STAFF_FILE": str(staff_file[0]),
        "GRAPHAPP_WRITE_RATE": "1000/minute",
    }
    with make_app_client(env, update_token=TOKEN) as client:
        yield client


def test_the_command_makes_a_release_of_a_free_store(store: Path) -> None:
    done = cli(store, "release", "--name", "2026.0", "--note", "primera")
    assert done.returncode == 0, done.stderr
    assert "release 2026.0: graph version 0" in done.stdout
    again = cli(store, "release", "--name", "2026.0")
    assert again.returncode == 1 and "already a release" in again.stderr
    bad = cli(store, "release", "--name", "../x")
    assert bad.returncode == 1 and "release name" in bad.stderr


def test_releases_through_the_service_and_what_changed(service: TestClient, staff_file: tuple[Path, str, str]) -> None:
    _, admin, editor = staff_file
    first = service.get("/releases/2026.0", params={"format": "json"}).json()
    assert first["version"] == 0 and first["previous"] is None and first["note"] == "primera"
    assert first["triples"] == count(service)

    # two practices added for 2026.1; for 2026.2 one of them corrected, the other retired
    body = practice("Tablero de versiones de Toluca", description="Un tablero para probar las publicaciones.")
    r = service.post("/api/entities/practice", json=body, headers=AUTH)
    assert r.status_code == 201, r.text
    added = r.json()["iri"]
    r = service.post("/api/entities/practice", json=practice("Tablero de corrección de Metepec"), headers=AUTH)
    assert r.status_code == 201, r.text
    corrected = r.json()["iri"]

    # the legacy update token and an admin's token may release; an editor may not; nobody anonymously
    assert service.post("/releases", data={"name": "x1"}).status_code == 401
    refused = service.post("/releases", data={"name": "x1"}, headers={"Authorization": f"Bearer {editor}", **JSON})
    assert refused.status_code == 403
    r = service.post("/releases", data={"name": "2026.1"}, headers={"Authorization": f"Bearer {admin}", **JSON})
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/releases/2026.1"
    made = r.json()
    assert made["previous"] == "2026.0" and made["version"] == int(service.get("/health").headers["X-Graph-Version"])
    assert service.post("/releases", data={"name": "2026.1"}, headers={**AUTH, **JSON}).status_code == 409
    assert service.post("/releases", data={"name": "a b"}, headers={**AUTH, **JSON}).status_code == 400

    slug = corrected.rsplit("/", 1)[1]
    r = service.patch(f"/api/entities/practice/{slug}", json={"solution": {"es": "Otra solución."}}, headers=AUTH)
    assert r.status_code == 200, r.text
    r = service.post(
        f"/api/entities/practice/{added.rsplit('/', 1)[1]}/retirar", json={"reason": "prueba"}, headers=AUTH
    )
    assert r.status_code == 200, r.text
    r = service.post("/releases", data={"name": "2026.2"}, headers={**AUTH, **JSON})
    assert r.status_code == 201, r.text

    one = service.get("/releases/2026.1", params={"format": "json"}).json()
    assert one["changes"] == {"added": sorted([added, corrected]), "corrected": [], "retired": [], "removed": []}
    two = service.get("/releases/2026.2", params={"format": "json"}).json()["changes"]
    assert two == {"added": [], "corrected": [corrected], "retired": [added], "removed": []}

    page = service.get("/releases/2026.1", params={"lang": "es"})
    assert page.status_code == 200 and page.headers["X-Graph-Version"] == str(one["version"])
    assert "Tablero de versiones de Toluca" in page.text and "Añadidas (2)" in page.text
    assert "Retiradas (1)" in service.get("/releases/2026.2", params={"lang": "es"}).text
    listing = service.get("/releases", params={"format": "json"}).json()
    assert [r["name"] for r in listing["releases"]] == ["2026.2", "2026.1", "2026.0"]


def test_dumps_and_dcat_record_of_a_release(service: TestClient) -> None:
    one = service.get("/releases/2026.1", params={"format": "json"}).json()
    nq = service.get("/releases/2026.1/dump.nq")
    assert nq.status_code == 200 and nq.headers["content-type"].startswith("application/n-quads")
    quads = list(ox.parse(nq.content, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == one["triples"] == sum(one["counts"].values())
    ttl = service.get("/releases/2026.1/dump.ttl")
    triples = {q.triple for q in quads}
    assert {q.triple for q in ox.parse(ttl.content, format=ox.RdfFormat.TURTLE)} == triples
    # exactly the graph of that version, whatever was written since
    assert one["triples"] == count(service, version=one["version"])

    record = service.get("/releases/2026.1", headers={"Accept": "text/turtle"})
    assert record.status_code == 200 and record.headers["content-type"].startswith("text/turtle")
    store = ox.Store()
    store.load(record.content, format=ox.RdfFormat.TURTLE)
    site = service.app.state.service.settings.site_url  # type: ignore[attr-defined]
    ask = f"""PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/>
      PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX void: <http://rdfs.org/ns/void#>
      ASK {{ <{site}dataset> dcat:hasVersion <{site}releases/2026.1> .
            <{site}releases/2026.1> a dcat:Dataset ; dcat:version "2026.1" ; dcterms:issued ?d ;
              prov:wasDerivedFrom <{site}releases/2026.0> ; void:triples {one["triples"]} ;
              void:subset [ void:triples ?n ; dcterms:source ?g ] ;
              dcat:distribution [ dcat:downloadURL <{site}releases/2026.1/dump.nq> ] }}"""
    assert store.query(ask)
    dataset = ox.Store()
    dataset.load(service.get("/dataset", headers={"Accept": "text/turtle"}).content, format=ox.RdfFormat.TURTLE)
    assert dataset.query(f"ASK {{ <{site}dataset> <http://www.w3.org/ns/dcat#hasVersion> <{site}releases/2026.2> }}")


def test_citations_parse(service: TestClient) -> None:
    site = service.app.state.service.settings.site_url  # type: ignore[attr-defined]
    bib = service.get("/releases/2026.1/cita.bib")
    assert bib.headers["content-type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(bib.text)
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.entry_type == "misc"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["version"] == "2026.1" and fields["url"] == f"{site}releases/2026.1"
    assert fields["title"].startswith("Gobierno Abierto KG")

    csl = service.get("/releases/2026.1/cita.json")
    assert csl.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    items = csl.json()
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    rendered = str(bibliography.bibliography()[0])
    assert "Gobierno Abierto KG" in rendered and items[0]["version"] == "2026.1"

    text = service.get("/releases/2026.1/cita.txt", params={"lang": "es"}).text
    assert "(versión 2026.1) [conjunto de datos]" in text and f"{site}releases/2026.1" in text
    # the dataset's citation is its latest release's
    latest = service.get("/dataset/cita.bib").text
    assert "2026.2" in latest
    page = service.get("/dataset", params={"lang": "es"}, headers={"Accept": "text/html"})
    assert "Cómo citar" in page.text and "2026.2" in page.text


def test_releases_survive_a_restart_and_a_backup(
    service: TestClient, store: Path, staff_file: tuple[Path, str, str], tmp_path: Path
) -> None:
    one = service.get("/releases/2026.1", params={"format": "json"}).json()
    before = service.get("/releases/2026.1/dump.nq").content
    service.__exit__(None, None, None)  # stop the module's service: the store is free for the commands
    try:
        backup = cli(store, "backup", str(tmp_path / "backup"))
        assert backup.returncode == 0, backup.stderr
        restored = tmp_path / "restored"
        done = cli(restored, "restore", str(tmp_path / "backup"))
        assert done.returncode == 0, done.stderr
        for folder in (store, restored):
            with make_app_client({"GRAPHAPP_STORE_DIR": str(folder)}) as again:
                assert again.get("/releases/2026.1/dump.nq").content == before
                assert count(again, version=one["version"]) == one["triples"]
                assert [r["name"] for r in again.get("/releases", params={"format": "json"}).json()["releases"]] == [
                    "2026.2",
                    "2026.1",
                    "2026.0",
                ]
    finally:
        service.__enter__()


def test_a_release_stored_is_gzipped_nquads(store: Path, service: TestClient) -> None:
    history = service.app.state.service.history  # type: ignore[attr-defined]
    data = history.release_data("2026.0")
    assert data is not None
    assert (
        len(list(ox.parse(gzip.decompress(data), format=ox.RdfFormat.N_QUADS)))
        == json.loads(json.dumps(service.get("/releases/2026.0", params={"format": "json"}).json()))["triples"]
    )


def test_an_admin_releases_from_the_browser_form(tmp_path: Path, staff_file: tuple[Path, str, str]) -> None:
    path, admin, editor = staff_file
    env = {"GRAPHAPP_STORE_DIR": str(tmp_path / "store"), "GRAPHAPP_STAFF_FILE": str(path)}
    html = {"Accept": "text/html"}
    with make_app_client(env) as client:
        # an editor sees no form; an admin does, with the session's CSRF token
        assert client.post("/acceso", data={"token": editor}, follow_redirects=False).status_code == 303
        assert 'name="name"' not in client.get("/releases", headers=html).text
        client.cookies.clear()
        assert client.post("/acceso", data={"token": admin}, follow_redirects=False).status_code == 303
        page = client.get("/releases", headers=html)
        assert page.headers["Cache-Control"] == "private, no-store"
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, page.text[:500]
        # without the token: refused; with it: made, and the browser goes to the release's page
        assert client.post("/releases", data={"name": "web.1"}, headers=html).status_code == 403
        r = client.post(
            "/releases",
            data={"name": "web.1", "note": "desde el navegador", "csrf_token": found[1]},
            headers=html,
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["Location"] == "/releases/web.1"
        assert "desde el navegador" in client.get("/releases/web.1", headers=html).text
        # a taken name: the list again, saying why, with nothing changed
        again = client.post("/releases", data={"name": "web.1", "csrf_token": found[1]}, headers=html)
        assert again.status_code == 409 and "already a release" in again.text
        assert len(client.get("/releases", params={"format": "json"}).json()["releases"]) == 1


def test_the_command_releases_through_a_running_service(tmp_path_factory: pytest.TempPathFactory) -> None:
    """While `graphapp serve` holds the store, `graphapp release` asks it (POST /releases) with an admin token; without
    a token it says what to do and changes nothing."""
    from . import servers

    log = tmp_path_factory.mktemp("release-cli") / "server.log"
    proc, base = servers.start(log, GRAPHAPP_UPDATE_TOKEN=TOKEN)
    store = log.parent / f"store-{base.rsplit(':', 1)[1]}"
    try:
        servers.wait(proc, base, log)
        busy = cli(store, "release", "--name", "en.marcha")
        assert busy.returncode == 2 and "role admin" in busy.stderr, busy.stderr
        done = cli(store, "release", "--name", "en.marcha", "--url", base, token=TOKEN)
        assert done.returncode == 0, done.stderr
        assert "release en.marcha: graph version 0" in done.stdout and "through the service" in done.stderr
        again = cli(store, "release", "--name", "en.marcha", "--url", base, token=TOKEN)
        assert again.returncode == 1 and "already a release" in again.stderr
        with urllib.request.urlopen(base + "/releases?format=json", timeout=60) as r:
            assert [x["name"] for x in json.loads(r.read())["releases"]] == ["en.marcha"]
    finally:
        servers.stop(proc)


def test_a_query_is_cited_with_its_version_and_a_link_that_runs_it_again(service: TestClient) -> None:
    query = "SELECT ?p WHERE { ?p a <https://w3id.org/gakg/ontology#BestPractice> } # 50% & {llaves}"
    version = service.get("/releases/2026.1", params={"format": "json"}).json()["version"]
    bib = service.get("/sparql/cita.bib", params={"query": query, "version": version})
    assert bib.status_code == 200 and bib.headers["X-Graph-Version"] == str(version)
    library = bibtexparser.parse_string(bib.text)
    assert not library.failed_blocks and len(library.entries) == 1
    fields = {f.key: f.value for f in library.entries[0].fields}
    assert fields["version"] == "2026.1"  # that version is a release: cited as the release
    assert "BestPractice" in fields["note"] and r"50\% \& \{llaves\}" in fields["note"]
    items = service.get("/sparql/cita.json", params={"query": query, "version": version, "lang": "es"}).json()
    link = items[0]["URL"]
    assert f"version={version}" in link and items[0]["note"].endswith(query)
    # the link runs the query again on that version
    site = service.app.state.service.settings.site_url  # type: ignore[attr-defined]
    again = service.get("/" + link.removeprefix(site), headers={"Accept": "application/sparql-results+json"})
    assert again.status_code == 200 and again.headers["X-Graph-Version"] == str(version)
    bad = service.get("/sparql/cita.txt", params={"query": query, "version": 10**9})
    assert bad.status_code == 404
