"""Versioned answers: ``X-Graph-Version`` and ETags on every answer, ``version=N`` on /sparql (GET and POST) answered
from the graph exactly as it was at N, 404 for a version that never was, 410 for one no longer kept."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from .conftest import make_app_client

TOKEN = "versions-token"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/gakg/graph/contrib/staff"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NOTE = "https://w3id.org/gakg/id/prueba/version-nota"
JSON = {"Accept": "application/sparql-results+json"}
QUERY = f"SELECT ?l WHERE {{ <{NOTE}> <{LABEL}> ?l }} ORDER BY ?l"


def update(client: TestClient, text: str) -> int:
    """Apply an update; the version it made."""
    r = client.post("/sparql/update", content=text, headers=UPDATE)
    assert r.status_code == 204, r.text
    return int(client.get("/health").headers["X-Graph-Version"])


def labels(client: TestClient, **params: object) -> tuple[list[str], str]:
    r = client.get("/sparql", params={"query": QUERY, **params}, headers=JSON)
    assert r.status_code == 200, r.text
    return [b["l"]["value"] for b in r.json()["results"]["bindings"]], r.headers["X-Graph-Version"]


def insert(label: str) -> str:
    return f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{NOTE}> <{LABEL}> "{label}"@es }} }}'


def delete(label: str) -> str:
    return f'DELETE DATA {{ GRAPH <{GRAPH}> {{ <{NOTE}> <{LABEL}> "{label}"@es }} }}'


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("versions-store")
    with make_app_client({"GRAPHAPP_STORE_DIR": str(store)}, update_token=TOKEN) as client:
        yield client


@pytest.fixture(scope="module")
def in_memory() -> Iterator[TestClient]:
    with make_app_client(update_token=TOKEN) as client:
        yield client


@pytest.mark.parametrize("which", ["on_disk", "in_memory"])
def test_a_query_on_an_earlier_version_answers_as_it_did_then(which: str, request: pytest.FixtureRequest) -> None:
    client: TestClient = request.getfixturevalue(which)
    seen: dict[int, list[str]] = {}
    for text in (insert("uno"), insert("dos"), delete("uno"), insert("tres"), delete("dos")):
        version = update(client, text)
        seen[version], named = labels(client)
        assert named == str(version)
    for version, then in seen.items():
        got, named = labels(client, version=version)
        assert (got, named) == (then, str(version))
        # POST, form-encoded and as a direct body, say the same
        r = client.post("/sparql", data={"query": QUERY, "version": str(version)}, headers=JSON)
        assert [b["l"]["value"] for b in r.json()["results"]["bindings"]] == then
        r = client.post(
            "/sparql",
            params={"version": version},
            content=QUERY,
            headers={**JSON, "Content-Type": "application/sparql-query"},
        )
        assert [b["l"]["value"] for b in r.json()["results"]["bindings"]] == then
    first = min(seen) - 1
    assert labels(client, version=first)[0] == []  # before the first insert: no label


def test_bad_and_unknown_versions(in_memory: TestClient) -> None:
    current = int(in_memory.get("/health").headers["X-Graph-Version"])
    r = in_memory.get("/sparql", params={"query": QUERY, "version": "v1"}, headers=JSON)
    assert r.status_code == 400 and "whole number" in r.text
    r = in_memory.get("/sparql", params={"query": QUERY, "version": current + 5}, headers=JSON)
    assert r.status_code == 404 and f"current version is {current}" in r.text
    r = in_memory.get("/sparql", params=[("query", QUERY), ("version", "1"), ("version", "2")], headers=JSON)
    assert r.status_code == 400 and "not several" in r.text
    r = in_memory.get("/sparql", params=[("query", QUERY), ("version", "0"), ("version", "0")], headers=JSON)
    assert r.status_code == 200 and r.headers["X-Graph-Version"] == "0"


def test_a_version_past_its_retention_is_gone_and_names_the_nearest_release(tmp_path: Path) -> None:
    env = {"GRAPHAPP_STORE_DIR": str(tmp_path / "store"), "GRAPHAPP_VERSION_RETENTION_DAYS": "30"}
    with make_app_client(env, update_token=TOKEN) as client:
        first = update(client, insert("antigua"))
        update(client, insert("nueva"))
        release = client.app.state.service.versions.make_release("2026.1", actor="test")  # type: ignore[attr-defined]
        assert labels(client, version=first)[0] == ["antigua"]
        # the change that replaced version `first` is dated 40 days ago: past the retention
        old = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds")
        with sqlite3.connect(tmp_path / "store" / "history.sqlite") as db:
            db.execute("UPDATE change SET at = ? WHERE id = ?", (old, first + 1))
        r = client.get("/sparql", params={"query": QUERY, "version": first}, headers=JSON)
        assert r.status_code == 410, r.text
        assert "2026.1" in r.text and "30 days" in r.text
        assert r.headers["Link"] == '</releases/2026.1>; rel="latest-version"'
        # the release itself is kept forever
        got, named = labels(client, version=release.version)
        assert (sorted(got), named) == (["antigua", "nueva"], str(release.version))


def test_every_answer_names_its_version_and_an_etag_that_revalidates(in_memory: TestClient) -> None:
    r = in_memory.get("/sparql", params={"query": QUERY}, headers=JSON)
    version, etag = r.headers["X-Graph-Version"], r.headers["ETag"]
    assert etag.startswith(f'W/"{version}-')
    again = in_memory.get("/sparql", params={"query": QUERY}, headers={**JSON, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    for page in ("/", "/dataset", "/ods", "/health"):
        r = in_memory.get(page)
        assert r.headers["X-Graph-Version"] == version, page
    page = in_memory.get("/dataset")
    assert in_memory.get("/dataset", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    head = in_memory.head("/dataset")
    assert head.headers["ETag"] == page.headers["ETag"]
    # a write makes a new version: the old ETag no longer matches, the new answer names the new version
    newer = update(in_memory, insert(f"etag-{version}"))
    r = in_memory.get("/sparql", params={"query": QUERY}, headers={**JSON, "If-None-Match": etag})
    assert r.status_code == 200 and r.headers["X-Graph-Version"] == str(newer)
    # an answer of an earlier version keeps its version's ETag
    old = in_memory.get("/sparql", params={"query": QUERY, "version": version}, headers={**JSON, "If-None-Match": etag})
    assert old.status_code == 304


def test_errors_name_the_version_but_carry_no_etag(in_memory: TestClient) -> None:
    r = in_memory.get("/sparql", params={"query": "SELECT"}, headers=JSON)
    assert r.status_code == 400 and "X-Graph-Version" in r.headers and "ETag" not in r.headers


def test_an_entity_page_and_its_description_at_an_earlier_version(on_disk: TestClient) -> None:
    label = "https://w3id.org/gakg/id/prueba/pagina-versionada"
    before = update(on_disk, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{label}> <{LABEL}> "Página de antes"@es }} }}')
    update(on_disk, f'DELETE DATA {{ GRAPH <{GRAPH}> {{ <{label}> <{LABEL}> "Página de antes"@es }} }}')
    update(on_disk, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{label}> <{LABEL}> "Página de ahora"@es }} }}')
    html = {"Accept": "text/html"}
    now = on_disk.get("/id/prueba/pagina-versionada", headers=html)
    assert "Página de ahora" in now.text and "Página de antes" not in now.text
    then = on_disk.get("/id/prueba/pagina-versionada", params={"version": before, "lang": "es"}, headers=html)
    assert then.status_code == 200 and then.headers["X-Graph-Version"] == str(before)
    assert "Página de antes" in then.text and "Página de ahora" not in then.text
    assert "Así era esta página en la versión" in then.text
    ttl = on_disk.get("/id/prueba/pagina-versionada.ttl", params={"version": before})
    assert ttl.status_code == 200 and "Página de antes" in ttl.text and "Página de ahora" not in ttl.text
    # its history links each change to the entity as it stood at that version
    history = on_disk.get("/historial/prueba/pagina-versionada", params={"lang": "es"}, headers=html)
    link = f'href="/id/prueba/pagina-versionada?version={before}"'
    assert link in history.text and "así quedó la entidad en la versión" in history.text
    # before it existed, the entity was not there
    assert on_disk.get("/id/prueba/pagina-versionada", params={"version": before - 1}, headers=html).status_code == 404
    assert on_disk.get("/id/prueba/pagina-versionada", params={"version": "x"}, headers=html).status_code == 400


def test_a_dump_of_an_earlier_version(on_disk: TestClient) -> None:
    version = update(on_disk, insert("en el volcado"))
    update(on_disk, delete("en el volcado"))
    then = on_disk.get("/dataset/dump.nq", params={"version": version})
    assert then.status_code == 200 and then.headers["X-Graph-Version"] == str(version)
    assert '"en el volcado"@es' in then.text
    # written for that request and deleted once sent: no copy of the graph per version piles up
    workdir = on_disk.app.state.service.workdir  # type: ignore[attr-defined]
    assert list(workdir.glob("version-dump-*")) == []
    now = on_disk.get("/dataset/dump.nq")
    assert '"en el volcado"@es' not in now.text
    citation = on_disk.get("/dataset/cita.txt", params={"lang": "es"}).text
    assert f"dataset/dump.nq?version={int(now.headers['X-Graph-Version'])}" in citation


def test_dumps_carry_an_etag_of_their_version(in_memory: TestClient) -> None:
    r = in_memory.get("/dataset/dump.nq")
    version, etag = r.headers["X-Graph-Version"], r.headers["ETag"]
    assert etag.startswith(f'W/"{version}-') and etag.endswith('-nq"')
    assert in_memory.get("/dataset/dump.nq", headers={"If-None-Match": etag}).status_code == 304
    update(in_memory, insert(f"volcado-{version}"))
    assert in_memory.get("/dataset/dump.nq", headers={"If-None-Match": etag}).status_code == 200


def test_the_service_description_and_the_dataset_record_state_the_version(in_memory: TestClient) -> None:
    version = in_memory.get("/health").headers["X-Graph-Version"]
    for url in ("/sparql", "/dataset"):
        r = in_memory.get(url, headers={"Accept": "text/turtle"})
        assert r.status_code == 200 and r.headers["X-Graph-Version"] == version
        store = ox.Store()
        store.load(r.content, format=ox.RdfFormat.TURTLE)
        found = store.query("SELECT ?v WHERE { ?d <http://www.w3.org/2002/07/owl#versionInfo> ?v }")
        assert [row["v"].value for row in found] == [version], url


def test_a_release_is_built_from_its_own_quads_once_the_source_files_changed(tmp_path: Path) -> None:
    """Going back from the current version gives a release's graph only while the source files are those it was
    made from; after a corrected file was loaded, the release is loaded from the quads it keeps."""
    from graphapp.config import Settings
    from graphapp.store import GraphStore
    from graphapp.versions import Versions
    from graphapp.writes.history import History

    store = GraphStore.from_settings(Settings.from_env({"GRAPHAPP_STORE_DIR": ":memory:"}))
    history = History(None)
    sources = ["files-as-released"]
    versions = Versions(
        store,
        history,
        locked=threading.Lock,
        current=history.last_id,
        folder=tmp_path,
        retention_days=365,
        sources=lambda: sources[0],
    )
    release = versions.make_release("r1", actor="test")
    frozen = set(ox.parse(path=str(versions.release_file("r1")), format=ox.RdfFormat.N_QUADS))
    # the source files change (a corrected file loaded at a start): the store now differs from the release
    note = ox.Quad(ox.NamedNode(NOTE), ox.NamedNode(LABEL), ox.Literal("corregido", language="es"), ox.NamedNode(GRAPH))
    store.apply([note], [])
    for state, expected in (("files-as-released", frozen | {note}), ("files-corrected", frozen)):
        sources[0] = state
        versions.close()  # forget the versions made so far
        with versions.reading(release.version) as folder:
            built = set(ox.Store.read_only(str(folder)).quads_for_pattern(None, None, None, None))
        # blank nodes get new labels when quads are loaded again: the same graph, compared without their labels
        assert len(built) == len(expected) and named(built) == named(expected), state
    history.close()


def named(quads: set[ox.Quad]) -> set[ox.Quad]:
    return {q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}


def test_the_editor_terms_follow_the_graph(in_memory: TestClient) -> None:
    """GET /sparql/terms: the project's prefixes and the graph's own classes and properties, built off the request's
    path for each version (a scan of the whole graph), a write's new property included."""
    terms = in_memory.get("/sparql/terms").json()
    assert terms["prefixes"]["practica"] == "https://w3id.org/gakg/id/practica/" and "sh" not in terms["prefixes"]
    assert "https://w3id.org/gakg/ontology#BestPractice" in terms["classes"]
    assert "https://w3id.org/gakg/ontology#addressesProblem" in terms["properties"]
    new = "https://w3id.org/gakg/id/prueba/propiedad-nueva"
    assert new not in terms["properties"]
    update(in_memory, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{NOTE}> <{new}> "x" }} }}')
    assert new in in_memory.get("/sparql/terms").json()["properties"]
