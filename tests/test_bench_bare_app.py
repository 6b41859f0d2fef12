"""The benchmarks' peer (benchmarks/bare_app.py) answers like a SPARQL endpoint, so its ratios compare like with
like; and the scale benchmark refuses options it does not know. Cheap: a few triples, no server."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from benchmarks import bare_app, scale

TTL = """@prefix ex: <http://example.org/> .
ex:a ex:p "uno" .
ex:b ex:p "dos" .
"""


def test_bare_app_answers_select_ask_and_construct_over_the_union_of_its_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.ttl").write_text(TTL, encoding="utf-8")
    files = bare_app.turtle_files([tmp_path])
    assert files == [tmp_path / "sub" / "one.ttl"]
    client = TestClient(bare_app.create_app(bare_app.load(files)))
    r = client.get("/sparql", params={"query": "SELECT ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    assert [b["o"]["value"] for b in r.json()["results"]["bindings"]] == ["dos", "uno"]
    assert client.get("/sparql", params={"query": "ASK { ?s ?p 'tres' }"}).json()["boolean"] is False
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.headers["content-type"].startswith("application/n-triples") and r.text.count("\n") == 2


def test_scale_benchmark_refuses_an_unknown_backend() -> None:
    assert scale.parse_args(["--sizes", "1e6", "--backends", "oxigraph"]).backends == ["oxigraph"]
    with pytest.raises(SystemExit):
        scale.parse_args(["--backends", "blazegraph"])
