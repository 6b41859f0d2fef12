"""The label index (and the finder's index and the views' projection) are saved in the store folder and read at the
next start with the same graph, instead of being built again (seconds at 10^6 triples); a graph that changed
meanwhile gets new ones."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphapp import derived
from graphapp.index import GraphIndex

from .conftest import make_app_client

TOKEN = "saved-index-token"
PRACTICE = "/id/practica/reubicacion-ladrilleras-durango"


def _app(store: Path) -> contextlib.AbstractContextManager[TestClient]:
    return make_app_client({"GRAPHAPP_STORE_DIR": str(store)}, update_token=TOKEN)


def _title(c: TestClient) -> str:
    r = c.get(PRACTICE, headers={"Accept": "text/html"})
    assert r.status_code == 200
    return r.text.split("<title>", 1)[1].split("</title>", 1)[0]


def test_a_restart_with_the_same_graph_reads_the_saved_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    with _app(store) as c:
        title = _title(c)
    assert "Reubicación de las ladrilleras" in title
    saved = list((store / "index").glob("labels-*.pickle"))
    assert len(saved) == 1

    builds: list[int] = []
    real_build = GraphIndex.build.__func__  # type: ignore[attr-defined]

    def counting_build(cls: type[GraphIndex], store_: object) -> GraphIndex:
        builds.append(1)
        return real_build(cls, store_)

    monkeypatch.setattr(GraphIndex, "build", classmethod(counting_build))
    with _app(store) as c:
        assert _title(c) == title  # labels as before, from the saved index
    assert builds == []

    # a write: the next start has another graph, so it builds (and saves) a new index, and drops the old one
    with _app(store) as c:
        update = 'INSERT DATA { <https://w3id.org/gakg/id/nota/indice> <http://www.w3.org/2000/01/rdf-schema#label> "Nota del índice"@es }'
        r = c.post(
            "/sparql/update",
            content=update,
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code == 204, r.text
    builds.clear()
    with _app(store) as c:
        assert "Nota del índice" in c.get("/id/nota/indice", headers={"Accept": "text/html"}).text
    assert builds == [1]
    assert [p.name for p in (store / "index").glob("labels-*.pickle")] != [p.name for p in saved]


def test_a_damaged_saved_index_is_built_again(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with _app(store) as c:
        _title(c)  # the page waits for the index, which is saved before it is used
    (saved,) = (store / "index").glob("labels-*.pickle")
    saved.write_bytes(b"not an index")
    with _app(store) as c:
        assert "Reubicación de las ladrilleras" in _title(c)
    assert isinstance(derived.saved(saved), GraphIndex)  # saved again, whole


def test_a_restore_drops_what_was_derived_from_the_replaced_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `graphapp restore` the saved index and the answer cache are gone: the restored graph may reach the
    same version number as the replaced one, and must not be shown through the other's index or answers."""
    from graphapp import cli

    store = tmp_path / "store"
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", str(store))
    with _app(store) as c:
        _title(c)
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert any((store / "index").iterdir()) and (store / "answers").is_dir()
    assert cli.main(["backup", str(tmp_path / "respaldo")]) == 0
    assert cli.main(["restore", "--force", str(tmp_path / "respaldo")]) == 0
    assert not (store / "index").exists() and not (store / "answers").exists()


def test_on_a_large_store_the_indexes_are_built_apart_and_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From ``derived.APART_FROM_BYTES`` of source files (lowered here to the shipped data) the label index, the
    finder's index and the views' projection are built by a process of its own and read back from the store
    folder: the web process does not keep the fragments of the rows they were built from, nor hold the interpreter
    lock while it builds them. The next start with the same graph reads all three; after a write the finder's index
    and the projection of the new version are built apart too, and read what was written."""
    built: dict[str, bool] = {}
    real = derived.build_apart

    def recording(
        builder: derived.Builder, store_path: Path, base_iri: str, path: Path, stop: threading.Event | None = None
    ) -> object:
        value = real(builder, store_path, base_iri, path, stop)
        built[path.name.rsplit("-", 1)[0]] = value is not None
        return value

    monkeypatch.setattr(derived, "APART_FROM_BYTES", 0)
    monkeypatch.setattr(derived, "build_apart", recording)
    store = tmp_path / "store"
    with _app(store) as c:
        assert "Reubicación de las ladrilleras" in _title(c)
        found = c.get("/api/practices/search", params={"q": "ladrilleras contaminan el aire"}).json()
        assert found["results"][0]["iri"].endswith("/practica/reubicacion-ladrilleras-durango")
        overview = c.get("/vistas/general", params={"format": "json"}).json()
        assert overview["total"] > 100
        assert built == {"labels": True, "finder": True, "entity-graph": True}
    assert {p.name.rsplit("-", 1)[0] for p in (store / "index").glob("*.pickle")} == {
        "labels",
        "finder",
        "entity-graph",
    }

    built.clear()  # the next start with the same graph reads all three
    with _app(store) as c:
        assert "Reubicación de las ladrilleras" in _title(c)
        assert c.get("/api/practices/search", params={"q": "ladrilleras"}).status_code == 200
        assert c.get("/vistas/general", params={"format": "json"}).status_code == 200
        assert built == {}
        # a write: the finder's index and the projection of the new version are built apart too, and see it
        built.clear()
        update = (
            "INSERT DATA { GRAPH <https://w3id.org/gakg/graph/local/pruebas-indices> { "
            "<https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango> "
            '<https://w3id.org/gakg/ontology#beneficiaries> "alfareras zafirinas de Lerdo"@es } }'
        )
        r = c.post(
            "/sparql/update",
            content=update,
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code == 204, r.text
        service = c.app.state.service
        assert service.wait_for_builds(60)
        found = c.get("/api/practices/search", params={"q": "ladrilleras alfareras zafirinas"}).json()
        assert found["graph_version"] == service.version
        first = found["results"][0]
        assert first["iri"].endswith("/practica/reubicacion-ladrilleras-durango")
        terms = {t["term"]: t["fields"] for why in first["why"] if why["kind"] == "terms" for t in why["terms"]}
        assert terms["zafirinas"] == ["beneficiaries"]  # the written text, read by the builder process
        assert c.get("/vistas/general", params={"format": "json"}).json()["graph_version"] == service.version
    # after the write, the finder's index and the projection of the new version were built apart as well
    assert built == {"finder": True, "entity-graph": True}


def test_an_index_saved_by_other_code_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an upgrade the saved indexes are built again: their objects may be of classes that have changed."""
    store = tmp_path / "store"
    with _app(store) as c:
        _title(c)
    (saved,) = (store / "index").glob("labels-*.pickle")
    monkeypatch.setattr(derived, "code_digest", lambda: "other code")
    with _app(store) as c:
        assert "Reubicación de las ladrilleras" in _title(c)
    assert [p.name for p in (store / "index").glob("labels-*.pickle")] != [saved.name]


def test_a_write_refreshes_the_labels_it_touched_and_keeps_the_others(tmp_path: Path) -> None:
    """After each write the index holds the touched entity's current label (page title, the site's search), not its
    old one, and every other entity keeps its labels."""
    note = "https://w3id.org/gakg/id/nota/zafiro"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"

    def write(c: TestClient, update: str) -> None:
        r = c.post(
            "/sparql/update",
            content=update,
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code == 204, r.text

    def found(c: TestClient, words: str) -> bool:
        r = c.get("/buscar", params={"q": words, "format": "json"})
        assert r.status_code == 200
        return note in r.text

    with _app(tmp_path / "store") as c:
        practice = _title(c)
        write(c, f'INSERT DATA {{ <{note}> {label} "Nota zafiro"@es }}')
        assert "Nota zafiro" in c.get("/id/nota/zafiro", headers={"Accept": "text/html"}).text
        assert found(c, "zafiro")
        write(
            c, f'DELETE DATA {{ <{note}> {label} "Nota zafiro"@es }}; INSERT DATA {{ <{note}> {label} "Nota rubí"@es }}'
        )
        page = c.get("/id/nota/zafiro", headers={"Accept": "text/html"}).text
        assert "Nota rubí" in page and "Nota zafiro" not in page
        assert found(c, "rubi") and not found(c, "zafiro")
        write(c, f'DELETE DATA {{ <{note}> {label} "Nota rubí"@es }}')  # no label left
        assert not found(c, "rubi") and not found(c, "zafiro")
        assert _title(c) == practice
