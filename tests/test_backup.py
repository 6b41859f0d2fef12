"""``graphapp backup`` and ``graphapp restore``: a round trip through the CLI and a real server on a store on disk,
with a staff account and a write in the history; a backup taken while the service runs; a damaged backup, a
running store and a store that holds data are refused and change nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx2 as httpx
import pytest

from graphapp.cli import main

from . import servers

PRACTICE = "https://w3id.org/gakg/id/practica/prueba-respaldo"
NEW_PRACTICE = f"""
PREFIX ga: <https://w3id.org/gakg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <https://w3id.org/gakg/graph/contrib/staff> {{
  <{PRACTICE}> a ga:BestPractice ;
    rdfs:label "Práctica de prueba del respaldo"@es , "Backup test practice"@en ;
    dcterms:spatial <https://w3id.org/gakg/id/entidad/jalisco> ;
    ga:addressesProblem <https://w3id.org/gakg/id/problema/desigualdad-laboral-y-salarial-entre-hombres-y-mujeres> ;
    ga:solution "Una solución de prueba."@es ;
    ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;
    dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> .
}} }}
"""
SECOND = "https://w3id.org/gakg/id/x/despues-del-respaldo"


def _cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _ask(base: str, iri: str) -> bool:
    r = httpx.get(base + "/sparql", params={"query": f"ASK {{ <{iri}> ?p ?o }}"}, timeout=30)
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def _update(base: str, token: str, text: str) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"}
    return httpx.post(base + "/sparql/update", content=text, headers=headers, timeout=60)


def test_backup_and_restore_round_trip_with_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    store = tmp_path / "store"
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", str(store))
    code, token, _ = _cli(capsys, "staff", "add", "ana.lopez", "--role", "edit")
    assert code == 0
    token = token.strip()

    log = tmp_path / "server.log"
    proc, base = servers.start(log, GRAPHAPP_STORE_DIR=str(store))
    try:
        servers.wait(proc, base, log)
        r = _update(base, token, NEW_PRACTICE)
        assert r.status_code == 204, r.text
        assert _ask(base, PRACTICE)

        # taken while the service runs and holds the store
        code, out, err = _cli(capsys, "backup", str(tmp_path / "backup"))
        assert code == 0, err
        assert "1 changes" in out and "1 staff accounts" in out

        # written after the backup: gone after the restore
        later = f'INSERT DATA {{ GRAPH <https://w3id.org/gakg/graph/contrib/staff> {{ <{SECOND}> <http://www.w3.org/2000/01/rdf-schema#label> "x" }} }}'
        assert _update(base, token, later).status_code == 204

        code, _, err = _cli(capsys, "restore", str(tmp_path / "backup"), "--force")
        assert code == 2 and "in use by a running service" in err
    finally:
        servers.stop(proc)

    manifest = json.loads((tmp_path / "backup" / "backup.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "graphapp-backup" and manifest["store"]["backend"] == "embedded"
    assert manifest["history"] == {"changes": 1, "last_change": 1}
    assert manifest["staff"] == {"accounts": 1}
    assert set(manifest["files"]) == {"store.nq", "history.sqlite", "staff.json", "sources.json"}
    assert PRACTICE in (tmp_path / "backup" / "store.nq").read_text(encoding="utf-8")

    code, _, err = _cli(capsys, "restore", str(tmp_path / "backup"))
    assert code == 2 and "not empty" in err and "--force" in err

    shutil.rmtree(store)  # the machine is lost
    code, out, err = _cli(capsys, "restore", str(tmp_path / "backup"))
    assert code == 0, err
    assert f"{manifest['store']['quads']} quads, 1 changes, 1 staff accounts" in out

    proc, base = servers.start(log, GRAPHAPP_STORE_DIR=str(store))
    try:
        servers.wait(proc, base, log)
        assert _ask(base, PRACTICE)  # the data is back
        assert not _ask(base, SECOND)  # as of the backup
        r = httpx.get(base + "/api/history/practica/prueba-respaldo", timeout=30)
        assert r.status_code == 200, r.text
        [entry] = r.json()["changes"]
        assert entry["actor"] == "ana.lopez" and entry["method"] == "update"
        # the staff account is back: the same token writes again
        assert _update(base, token, later).status_code == 204
    finally:
        servers.stop(proc)


def test_a_damaged_backup_or_a_foreign_folder_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", str(tmp_path / "store"))
    assert _cli(capsys, "load")[0] == 0
    code, out, err = _cli(capsys, "backup", str(tmp_path / "backup"))
    assert code == 0, err
    assert "0 changes" in out and "no staff file" in out

    code, _, err = _cli(capsys, "backup", str(tmp_path / "backup"))
    assert code == 2 and "not an empty folder" in err

    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "backup", damaged)
    with (damaged / "store.nq").open("ab") as fh:
        fh.write(b'<http://e/s> <http://e/p> "added later" <http://e/g> .\n')
    target = tmp_path / "other-store"
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", str(target))
    code, _, err = _cli(capsys, "restore", str(damaged))
    assert code == 2 and "does not match the manifest" in err
    assert not (target / "db").exists()  # nothing was written

    code, _, err = _cli(capsys, "restore", str(tmp_path / "store"))
    assert code == 2 and "no backup.json" in err

    monkeypatch.setenv("GRAPHAPP_BASE_IRI", "https://example.org/kg/")
    code, _, err = _cli(capsys, "restore", str(tmp_path / "backup"))
    assert code == 2 and "GRAPHAPP_BASE_IRI" in err
    assert not (target / "db").exists()
