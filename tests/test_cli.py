"""The `graphapp` command, run in-process (exit codes and output) and once as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
import rdflib.compare

from graphapp.cli import main
from graphapp.config import PROJECT_ROOT
from graphapp.iris import PREFIXES

from .conftest import PRIVATE_NAMES, make_app_client


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_passes_on_shipped_data(capsys) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert out.startswith("Conforme")


def test_validate_reports_by_entity_label_and_exits_1(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "practice.ttl"
    bad.write_text(
        "@prefix ga: <https://w3id.org/gakg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/gakg/id/practica/sin-fuente> a ga:BestPractice ; rdfs:label "Práctica sin fuente"@es .\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "validate", str(bad), "--lang", "en")
    assert code == 1
    assert "Práctica sin fuente  <https://w3id.org/gakg/id/practica/sin-fuente>" in out
    for shape in ("BestPractice-place", "BestPractice-problem", "BestPractice-status", "BestPractice-source"):
        assert shape in out
    assert "A best practice cites at least one source." in out


def test_validate_with_data_resolves_links_to_shipped_entities(capsys, tmp_path: Path) -> None:
    new = tmp_path / "nueva.ttl"
    new.write_text(
        """@prefix ga: <https://w3id.org/gakg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/gakg/id/> .
<https://w3id.org/gakg/id/practica/nueva> a ga:BestPractice ;
    rdfs:label "Nueva práctica"@es , "New practice"@en ;
    dcterms:spatial <https://w3id.org/gakg/id/entidad/jalisco> ;
    ga:addressesProblem <https://w3id.org/gakg/id/problema/desigualdad-laboral-y-salarial-entre-hombres-y-mujeres> ;
    ga:solution "Una solución."@es ;
    ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;
    dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> .
""",
        encoding="utf-8",
    )
    alone, out_alone, _ = run(capsys, "validate", str(new))
    assert alone == 1 and "BestPractice-place" in out_alone
    code, out, _ = run(capsys, "validate", str(new), "--with-data")
    assert code == 0, out


def test_validate_with_data_checks_the_files_entities_and_those_pointing_at_them(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate FILE --with-data` checks what the file would change, as the write path does: the file's entities
    and the entities that point at them, not a fault elsewhere in the data (that is `validate` alone)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    ga = "https://w3id.org/gakg/ontology#"
    (data / "ajena.ttl").write_text(f"<https://w3id.org/gakg/id/practica/ajena> a <{ga}BestPractice> .\n")
    monkeypatch.setenv("GRAPHAPP_DATA_DIR", str(data))
    new = tmp_path / "nueva.ttl"
    new.write_text(f"<https://w3id.org/gakg/id/practica/propia> a <{ga}BestPractice> .\n")
    code, out, _ = run(capsys, "validate", str(new), "--with-data")
    assert code == 1 and "practica/propia" in out and "practica/ajena" not in out
    code, out, _ = run(capsys, "validate", str(data / "ajena.ttl"))  # the fault is real
    assert code == 1 and "practica/ajena" in out


def test_turtle_syntax_error_names_file_and_line_exits_2(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "roto.ttl"
    bad.write_text('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "sin cerrar .\n', encoding="utf-8")
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 2
    assert f"{bad}:3:" in err
    assert "Traceback" not in err + out


def test_missing_path_exits_2(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.ttl"))
    assert code == 2 and "no such file" in err


def test_stats_text_and_json(capsys, public_store) -> None:
    code, out, _ = run(capsys, "stats")
    assert code == 0
    assert f"triples: {len(public_store)}" in out
    code, out, _ = run(capsys, "stats", "--json")
    data = json.loads(out)
    assert data["triples"] == len(public_store)
    per_class = {row["class"]: row["n"] for row in data["classes"]}
    assert per_class["https://w3id.org/gakg/ontology#BestPractice"] == 3
    assert sum(row["triples"] for row in data["graphs"]) == len(public_store)


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nq", "nquads"), ("jsonld", "json-ld")])
def test_export_round_trips_and_has_no_personal_data(capsys, tmp_path: Path, fmt: str, rdflib_format: str) -> None:
    out_file = tmp_path / f"dump.{fmt}"
    code, _, err = run(capsys, "export", "--format", fmt, "--out", str(out_file))
    assert code == 0 and "wrote" in err
    text = out_file.read_text(encoding="utf-8")
    for name in PRIVATE_NAMES:
        assert name not in text
    ds = rdflib.Dataset(default_union=True)
    ds.parse(data=text, format=rdflib_format)
    practice = rdflib.URIRef("https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango")
    assert (practice, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/gakg/ontology#BestPractice")) in ds
    if fmt == "nq":
        graphs = {str(g.identifier) for g in ds.graphs()}
        assert "https://w3id.org/gakg/graph/presentacion/buenas-practicas" in graphs
        assert not any("restricted" in g for g in graphs)


def test_export_is_the_same_with_or_without_the_restricted_folder(capsys, monkeypatch, tmp_path: Path) -> None:
    """The restricted folder is a setting (outside the repository); export never reads it, set or not."""
    outputs = []
    for value in ("", os.environ["GRAPHAPP_RESTRICTED_DIR"]):
        monkeypatch.setenv("GRAPHAPP_RESTRICTED_DIR", value)
        out_file = tmp_path / f"dump-{len(outputs)}.nq"
        code, _, _ = run(capsys, "export", "--format", "nq", "--out", str(out_file))
        assert code == 0
        outputs.append(out_file.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"/graph/restricted/" not in outputs[0]


def test_export_to_stdout_as_a_real_command(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "graphapp.cli", "export", "--format", "nq"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"<https://w3id.org/gakg/graph/presentacion/stl>" in proc.stdout
    for name in PRIVATE_NAMES:
        assert name.encode() not in proc.stdout


def test_base_iri_setting_rebases_every_entity(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRAPHAPP_BASE_IRI", "https://datos.example.org/kg/")
    out_file = tmp_path / "dump.nt"
    code, _, _ = run(capsys, "export", "--format", "nt", "--out", str(out_file))
    assert code == 0
    text = out_file.read_text(encoding="utf-8")
    assert "<https://datos.example.org/kg/id/practica/reubicacion-ladrilleras-durango>" in text
    assert "https://w3id.org/gakg/id/" not in text and "https://w3id.org/gakg/graph/" not in text
    assert "<https://w3id.org/gakg/ontology#BestPractice>" in text  # the vocabulary keeps its IRIs


def test_bad_setting_is_a_clear_error(capsys, monkeypatch) -> None:
    monkeypatch.setenv("GRAPHAPP_BASE_IRI", "https://no-trailing-slash.example")
    code, _, err = run(capsys, "stats")
    assert code == 2 and "GRAPHAPP_BASE_IRI" in err


def test_rebased_service_keeps_vocabulary_and_queries_working(tmp_path: Path) -> None:
    with make_app_client(base_iri="https://datos.example.org/kg/") as client:
        counts = client.get("/?format=json").json()["counts"]
        assert counts["practices"] == 3
        page = client.get("/id/practica/reubicacion-ladrilleras-durango", headers={"Accept": "text/html"})
        assert page.status_code == 200 and 'href="/ontology#BestPractice"' in page.text
        ttl = client.get("/id/practica/reubicacion-ladrilleras-durango.ttl").text
        assert "https://datos.example.org/kg/id/practica/reubicacion-ladrilleras-durango" in ttl


def test_jsonld_export_and_dump_are_compact_with_the_project_prefixes(capsys, tmp_path: Path, client) -> None:
    """Compacted with the project's prefixes as @context (not one line of full IRIs), and the same graph as the
    Turtle export."""
    code, _, _ = run(capsys, "export", "--format", "jsonld", "--out", str(tmp_path / "d.jsonld"))
    assert code == 0
    code, _, _ = run(capsys, "export", "--format", "ttl", "--out", str(tmp_path / "d.ttl"))
    assert code == 0
    text = (tmp_path / "d.jsonld").read_text(encoding="utf-8")
    dump = client.get("/dataset/dump.jsonld").text
    for body in (text, dump):
        doc = json.loads(body)
        assert doc["@context"]["ga"] == PREFIXES["ga"] and doc["@context"]["rdfs"] == PREFIXES["rdfs"]
        assert '"rdfs:label"' in body and "http://www.w3.org/2000/01/rdf-schema#label" not in body
        assert body.count("\n") > 1000  # one node per line, not one 3.5 MB line
    jsonld = rdflib.Graph().parse(data=text, format="json-ld")
    turtle = rdflib.Graph().parse(tmp_path / "d.ttl", format="turtle")
    assert len(jsonld) == len(turtle) and rdflib.compare.isomorphic(jsonld, turtle)


def test_serve_get_needs_no_test_dependency() -> None:
    """`graphapp serve --get` answers with the runtime dependencies only (no HTTP client library)."""
    code = (
        "import sys; sys.modules['httpx'] = None; sys.modules['httpx2'] = None\n"
        "from graphapp.cli import main\n"
        "sys.exit(main(['serve', '--get', '/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D']))\n"
    )
    env = {**os.environ, "GRAPHAPP_STORE_DIR": ":memory:", "GRAPHAPP_WORKERS": "1"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout) == {"head": {}, "boolean": True}


@pytest.mark.parametrize("command", [["serve", "--get", "/"], ["export", "--format", "nt"]])
@pytest.mark.parametrize(("variable", "name"), [("GRAPHAPP_DATA_DIR", "data"), ("GRAPHAPP_SHAPES_DIR", "shapes")])
def test_a_missing_or_empty_source_folder_refuses_to_start(
    capsys, monkeypatch, tmp_path: Path, command: list[str], variable: str, name: str
) -> None:
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", ":memory:")
    for folder, why in ((tmp_path / "nope", "does not exist"), (tmp_path, "holds no Turtle")):
        monkeypatch.setenv(variable, str(folder))
        code, out, err = run(capsys, *command)
        assert code == 2 and out == ""
        assert f"the {name} folder {folder} {why}" in err and variable in err and "Traceback" not in err


def test_an_install_without_the_checkout_says_so(capsys, monkeypatch, tmp_path: Path) -> None:
    """A non-editable `pip install .` has no data/, ontology/ or shapes/ beside the package: the message says the
    project's checkout is needed (a simulated site-packages: the package's parent holds no pyproject.toml)."""
    import graphapp.cli as cli
    from graphapp.config import Settings

    monkeypatch.setattr(cli, "PROJECT_ROOT", tmp_path)
    settings = Settings(data_dir=tmp_path / "data", ontology_dir=tmp_path / "ontology", shapes_dir=tmp_path / "shapes")
    with pytest.raises(cli.ConfigError, match="checkout of the project"):
        cli.require_sources(settings)


def test_load_reads_only_the_files_that_changed_and_shows_progress(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`graphapp load` builds the store with a progress bar; a second load with the same files parses none of them
    (the manifest keeps each file's digest); a changed file is the only one read again."""
    data = tmp_path / "data"
    import shutil

    shutil.copytree(PROJECT_ROOT / "data", data, ignore=shutil.ignore_patterns("restricted"))
    monkeypatch.setenv("GRAPHAPP_DATA_DIR", str(data))
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("GRAPHAPP_RESTRICTED_DIR", "")
    code, _, err = run(capsys, "load")
    assert code == 0 and "loading" in err and "file" in err  # tqdm's bar on standard error

    from graphapp import sources

    parsed: list[str] = []
    real_parse = sources.parse

    def counting(source: sources.SourceFile) -> object:
        parsed.append(source.path.name)
        return real_parse(source)

    monkeypatch.setattr(sources, "parse", counting)
    assert run(capsys, "load")[0] == 0
    assert parsed == []
    catalog = data / "catalog.ttl"
    catalog.write_text(catalog.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert run(capsys, "load")[0] == 0
    assert parsed == ["catalog.ttl"]


def test_export_per_graph_writes_sorted_turtle_that_round_trips(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`graphapp export --per-graph DIR`: one sorted Turtle file per named graph, the same bytes when written again
    (a change reads as a small diff under git), and together the whole public graph."""
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", ":memory:")
    first, second = tmp_path / "a", tmp_path / "b"
    assert run(capsys, "export", "--per-graph", str(first))[0] == 0
    assert run(capsys, "export", "--per-graph", str(second))[0] == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*.ttl"))
    assert len(files) > 10 and (first / "presentacion").is_dir()
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.ttl"))
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    merged = rdflib.Graph()
    for f in files:
        merged.parse(first / f, format="turtle")
    whole = tmp_path / "whole.nt"
    assert run(capsys, "export", "--format", "nt", "--out", str(whole))[0] == 0
    assert len(merged) == len(rdflib.Graph().parse(whole, format="nt"))


def test_import_offers_every_kind_the_write_path_declares() -> None:
    """``graphapp import --kind`` lists its kinds without importing the write path (a fast start); they must be
    the declared ones (a new kind, such as sources, must not be refused by the command line)."""
    from graphapp.cli import KIND_PLURALS
    from graphapp.writes.entities import KINDS_BY_PLURAL

    assert sorted(KIND_PLURALS) == sorted(KINDS_BY_PLURAL)
