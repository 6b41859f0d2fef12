"""`graphapp generate`: clearly synthetic data of a requested size, deterministic, never written into data/."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDFS

from graphapp.cli import main
from graphapp.config import PROJECT_ROOT, Settings
from graphapp.generate import SDG_BASE, SYNTHETIC_BASE
from graphapp.sources import local_file
from graphapp.store import GraphStore

TARGET = 5000


def _generate(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["generate", "--triples", str(TARGET), "--out", str(out), *extra])
    stdout, stderr = capsys.readouterr()
    return code, stdout, stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    assert main(["generate", "--triples", str(TARGET), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def graph(generated: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted(generated.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def test_cli_reports_the_files_it_wrote(capsys, tmp_path: Path) -> None:
    code, out, _ = _generate(capsys, tmp_path / "out")
    assert code == 0
    files = sorted((tmp_path / "out").glob("*.ttl"))
    assert files
    for f in files:
        assert str(f) in out


def test_files_parse_and_size_is_within_5_percent(graph: rdflib.Graph) -> None:
    assert abs(len(graph) - TARGET) <= 0.05 * TARGET


def test_subjects_are_synthetic_except_the_minimal_sdg_declarations(graph: rdflib.Graph) -> None:
    subjects = {str(s) for s in graph.subjects(unique=True)}
    assert all(s.startswith((SYNTHETIC_BASE, SDG_BASE)) for s in subjects)
    sdg_subjects = {s for s in subjects if s.startswith(SDG_BASE)}
    assert len(sdg_subjects) <= 17 + 10  # the goals and a few targets, nothing else
    assert f"{SDG_BASE}16" in sdg_subjects


def test_every_label_says_it_is_synthetic(graph: rdflib.Graph) -> None:
    labels = list(graph.objects(None, RDFS.label))
    assert len(labels) > 100
    for label in labels:
        assert isinstance(label, rdflib.Literal)
        marker = "(sintético)" if label.language == "es" else "(synthetic)"
        assert marker in str(label), label


def test_shaped_like_the_real_model_so_the_example_queries_work(generated: Path) -> None:
    store = GraphStore()
    store.load(local_file(p) for p in sorted(generated.glob("*.ttl")))
    practices = store.select("example-best-practices")
    assert practices and all("problema" in r and "vigencia" in r for r in practices)
    assert any("ods" in r for r in practices)
    assert store.select("example-sdg-contributions")
    assert store.select("example-practice-benefits")
    classes = {r["class"] for r in store.select("class-counts")}
    ga = "https://w3id.org/gakg/ontology#"
    for name in (
        "BestPractice",
        "Problem",
        "Benefit",
        "Commitment",
        "KeyAction",
        "PlannedActivity",
        "MetricaObservation",
        "Ayuntamiento",
        "PublicBody",
        "CivilSocietyOrganization",
    ):
        assert ga + name in classes, name
    scores = store.select_text("SELECT ?v WHERE { ?o <https://w3id.org/gakg/ontology#openGovernmentIndex> ?v } LIMIT 5")
    assert scores and all(0 <= float(r["v"]) <= 1 for r in scores)


def test_same_seed_gives_identical_files_other_seed_differs(capsys, tmp_path: Path) -> None:
    runs = {}
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        assert _generate(capsys, tmp_path / name, "--seed", seed)[0] == 0
        runs[name] = {p.name: p.read_bytes() for p in sorted((tmp_path / name).glob("*.ttl"))}
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_rerun_replaces_its_own_files(capsys, tmp_path: Path) -> None:
    assert main(["generate", "--triples", "450000", "--out", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.ttl"))) == 3  # at most ~200k triples per file
    assert _generate(capsys, tmp_path)[0] == 0
    assert len(list(tmp_path.glob("*.ttl"))) == 1


@pytest.mark.parametrize("relative", ["data", "data/sintetico", "data/presentacion/x"])
def test_refuses_to_write_into_data(capsys, monkeypatch: pytest.MonkeyPatch, relative: str) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    monkeypatch.delenv("GRAPHAPP_DATA_DIR", raising=False)
    before = sorted(p.relative_to(PROJECT_ROOT) for p in Settings().data_dir.rglob("*"))
    code, out, err = _generate(capsys, Path(relative))
    assert code == 2
    assert "data/" in err and out == ""
    assert sorted(p.relative_to(PROJECT_ROOT) for p in Settings().data_dir.rglob("*")) == before
