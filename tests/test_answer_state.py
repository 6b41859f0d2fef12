"""Answers and saved indexes are keyed by the graph's whole state (issue 19, item 6): a source file corrected while
the service was stopped is loaded at the next start without a new version in the history, and the answer cache,
which lives in the store folder and survives restarts, must not answer from the file as it was. Before, a COUNT
still answered the old number after every restart."""

from __future__ import annotations

import shutil
from pathlib import Path

from graphapp.config import PROJECT_ROOT

from .conftest import make_app_client

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
LABEL = "SELECT ?l WHERE { <https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango> <https://w3id.org/gakg/ontology#corrected> ?l }"


def _ask(data: Path, store: Path, query: str) -> str:
    with make_app_client({"GRAPHAPP_STORE_DIR": str(store)}, data_dir=data, cache_mb=16) as client:
        r = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert r.status_code == 200, r.text
        return r.text.splitlines()[1] if len(r.text.splitlines()) > 1 else ""


def test_a_corrected_source_file_is_answered_after_a_restart(tmp_path: Path) -> None:
    data, store = tmp_path / "data", tmp_path / "store"
    shutil.copytree(PROJECT_ROOT / "data", data)
    before = int(_ask(data, store, COUNT))
    assert int(_ask(data, store, COUNT)) == before  # the same state: answered again (from the cache)
    practices = data / "presentacion" / "buenas-practicas.ttl"
    practices.write_text(
        practices.read_text(encoding="utf-8") + "\n<https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango> "
        '<https://w3id.org/gakg/ontology#corrected> "sí" .\n',
        encoding="utf-8",
    )
    for _ in range(3):  # the review saw a stale answer after 3 of 3 restarts
        assert int(_ask(data, store, COUNT)) == before + 1
        assert _ask(data, store, LABEL) == "sí"
