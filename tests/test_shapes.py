"""Every SHACL shape bites: a minimal valid example per node shape, a minimal broken example per shape.

The fixtures live in ``tests/fixtures/shapes/``: ``<ID>-valid.ttl`` conforms, ``<ID>-invalid-NN.ttl`` breaks
exactly the shape ``gs:<ID>`` (for a node shape: one of its own constraints). ``<ID>`` is the local name of the
shape's IRI in ``shapes/*.ttl``. The first line of each fixture says why it passes or fails.

Each fixture is validated on its own (with the ontology mixed in, as ``graphapp validate FILE`` does), so a
fixture declares everything its links point at: sectors, statuses, SDG goals... and the facilitator role, which
``gs:Facilitator`` targets by IRI in every file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from graphapp.cli import main
from graphapp.sources import local_file
from graphapp.store import rdflib_graph
from graphapp.validation import Finding, Report, validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
SHAPE_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
GS = "https://w3id.org/gakg/shapes#"
FIXTURE_NAME = re.compile(r"(?P<id>.+)-(?P<kind>valid|invalid-\d{2})")

VALID = sorted(FIXTURES.glob("*-valid.ttl"))
INVALID = sorted(FIXTURES.glob("*-invalid-[0-9][0-9].ttl"))

# The few fixtures also run through the command line (the rest use the Python API, which is much faster).
CLI_SAMPLE = [
    "BestPractice-status-invalid-01",  # property shape
    "STL-civilSociety-invalid-01",  # qualified value shape on an inverse path
    "HistoricalMilestone-invalid-01",  # node-level sh:or, reported under the node shape itself
    "Facilitator-invalid-01",  # sh:targetNode: the node is not even in the file
    "Commitment-treeAgrees-invalid-01",  # SPARQL constraint
    "PracticeDetail-benefit-invalid-01",  # sh:Warning: reported, exit 0
    "EnglishLabel-label-invalid-01",  # sh:Warning
    "BestPractice-valid",
]


@dataclass(frozen=True)
class Shape:
    """A shape of ``shapes/*.ttl`` with a stable ID (``gs:<ID>``)."""

    id: str
    kind: str  # "node", "property" or "sparql"
    severity: str  # "Violation", "Warning" or "Info"
    members: frozenset[str]  # IDs of a node shape's own property shapes and SPARQL constraints

    @property
    def family(self) -> frozenset[str]:
        """The shape IDs a finding about this shape may carry."""
        return self.members | {self.id}


def _id(node: rdflib.term.Node) -> str | None:
    return str(node)[len(GS) :] if isinstance(node, rdflib.URIRef) and str(node).startswith(GS) else None


def _local(iri: str) -> str:
    return iri[len(GS) :] if iri.startswith(GS) else iri


def _fixture_id(path: Path) -> str:
    m = FIXTURE_NAME.fullmatch(path.stem)
    assert m, f"{path.name}: fixture names are <ID>-valid.ttl or <ID>-invalid-NN.ttl"
    return m["id"]


def _params(paths: list[Path]) -> list:
    return [pytest.param(p, id=p.stem) for p in paths]


def _describe(report: Report) -> str:
    return report.format("en")


# ------------------------------------------------------------------ module fixtures (parsed once)


@pytest.fixture(scope="module")
def shapes_graph() -> rdflib.Graph:
    return rdflib_graph(local_file(p) for p in SHAPE_FILES)


@pytest.fixture(scope="module")
def ontology_graph() -> rdflib.Graph:
    return rdflib_graph(local_file(p) for p in ONTOLOGY_FILES)


@pytest.fixture(scope="module")
def catalogue(shapes_graph: rdflib.Graph) -> dict[str, Shape]:
    """Every shape with a gs: IRI: node shapes, property shapes and SPARQL constraints."""
    g = shapes_graph
    parent_severity: dict[str, str] = {}
    for node in g.subjects(RDF.type, SH.NodeShape):
        for c in g.objects(node, SH.sparql):
            if (cid := _id(c)) and (sev := g.value(node, SH.severity)) is not None:
                parent_severity[cid] = str(sev).rsplit("#", 1)[-1]
    shapes: dict[str, Shape] = {}
    for rdf_type, kind in (
        (SH.NodeShape, "node"),
        (SH.PropertyShape, "property"),
        (SH.SPARQLConstraint, "sparql"),
    ):
        for node in g.subjects(RDF.type, rdf_type):
            sid = _id(node)
            if sid is None:
                continue
            sev = g.value(node, SH.severity)
            severity = str(sev).rsplit("#", 1)[-1] if sev is not None else parent_severity.get(sid, "Violation")
            members = frozenset(
                m for p in (SH.property, SH.sparql) for o in g.objects(node, p) if (m := _id(o)) is not None
            )
            shapes[sid] = Shape(sid, kind, severity, members)
    assert shapes, "no shapes with a gs: IRI found"
    return shapes


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads GRAPHAPP_* settings; run it against this checkout's shapes and ontology."""
    for name in list(os.environ):
        if name.startswith("GRAPHAPP_"):
            monkeypatch.delenv(name)


def _validate(path: Path, shapes_graph: rdflib.Graph, ontology_graph: rdflib.Graph) -> Report:
    return validate(rdflib_graph([local_file(path)]), shapes_graph, ontology_graph)


def _names(findings: list[Finding]) -> set[str]:
    return {_local(f.shape) for f in findings}


# ------------------------------------------------------------------ the fixture folder itself


def test_fixture_folder_is_consistent(catalogue: dict[str, Shape]) -> None:
    """Every file is named after a real shape and starts with a comment saying why it passes or fails."""
    problems = []
    for path in sorted(FIXTURES.iterdir()):
        m = FIXTURE_NAME.fullmatch(path.stem)
        if path.suffix != ".ttl" or m is None:
            problems.append(f"{path.name}: not <ID>-valid.ttl or <ID>-invalid-NN.ttl")
            continue
        if m["id"] not in catalogue:
            problems.append(f"{path.name}: no shape gs:{m['id']} in shapes/*.ttl")
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        expected = "# valid:" if m["kind"] == "valid" else "# invalid"
        if not first.startswith(expected):
            problems.append(f"{path.name}: first line should start with {expected!r}, not {first!r}")
    assert not problems, "\n".join(problems)


def test_every_shape_has_a_broken_example(catalogue: dict[str, Shape]) -> None:
    """A new shape (sh:Violation, or sh:Warning) without an <ID>-invalid-NN.ttl fixture fails here."""
    assert any(s.severity == "Violation" for s in catalogue.values()), "no sh:Violation shapes found"
    covered = {_fixture_id(p) for p in INVALID}
    missing = sorted(set(catalogue) - covered)
    assert not missing, f"shapes without a broken example in {FIXTURES}: {', '.join(missing)}"


def test_every_node_shape_has_a_valid_example(catalogue: dict[str, Shape]) -> None:
    covered = {_fixture_id(p) for p in VALID}
    missing = sorted(s.id for s in catalogue.values() if s.kind == "node" and s.id not in covered)
    assert not missing, f"node shapes without a valid example in {FIXTURES}: {', '.join(missing)}"


# ------------------------------------------------------------------ each fixture


@pytest.mark.parametrize("path", _params(VALID))
def test_valid_fixture_conforms(
    path: Path, shapes_graph: rdflib.Graph, ontology_graph: rdflib.Graph, catalogue: dict[str, Shape]
) -> None:
    shape = catalogue[_fixture_id(path)]
    report = _validate(path, shapes_graph, ontology_graph)
    assert not report.violations, _describe(report)
    # a valid example of a warning shape raises no warning from that shape either
    assert not _names(report.findings) & shape.family, _describe(report)


@pytest.mark.parametrize("path", _params(INVALID))
def test_invalid_fixture_bites(
    path: Path, shapes_graph: rdflib.Graph, ontology_graph: rdflib.Graph, catalogue: dict[str, Shape]
) -> None:
    shape = catalogue[_fixture_id(path)]
    report = _validate(path, shapes_graph, ontology_graph)
    same_severity = [f for f in report.findings if f.severity == shape.severity]
    # a node shape is named by its own constraints (property shapes, SPARQL constraints) or by itself;
    # a property shape or SPARQL constraint must be named exactly
    expected = shape.family if shape.kind == "node" else {shape.id}
    assert _names(same_severity) & expected, (
        f"expected a {shape.severity} from gs:{shape.id}, got {sorted(_names(report.findings))}\n" + _describe(report)
    )
    if shape.severity == "Violation":
        stray = _names(report.violations) - shape.family
        assert not stray, f"the example should break only gs:{shape.id}, also broke {sorted(stray)}"
    else:
        assert not report.violations, _describe(report)


@pytest.mark.parametrize("path", _params([FIXTURES / f"{stem}.ttl" for stem in CLI_SAMPLE]))
@pytest.mark.usefixtures("clean_env")
def test_cli_validate_fixture(path: Path, catalogue: dict[str, Shape], capsys: pytest.CaptureFixture[str]) -> None:
    shape = catalogue[_fixture_id(path)]
    code = main(["validate", str(path), "--lang", "en"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if path.stem.endswith("-valid"):
        assert code == 0, out
        assert "Conforms" in out
        return
    expected = shape.family if shape.kind == "node" else {shape.id}
    printed = set(re.findall(rf"^  {shape.severity} (\S+?)(?: \[[^\]]*\])?:", out, re.MULTILINE))
    assert printed & expected, f"expected `{shape.severity} {shape.id}` in the report:\n{out}"
    assert code == (1 if shape.severity == "Violation" else 0), out


@pytest.mark.usefixtures("clean_env")
def test_cli_syntax_error_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "Broken-invalid-01.ttl"
    broken.write_text(
        "# invalid: a Turtle syntax error on line 4\n"
        "@prefix t: <https://w3id.org/gakg/id/test/> .\n"
        "\n"
        "t:a t:b t:c t:d .\n",
        encoding="utf-8",
    )
    code = main(["validate", str(broken)])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"{broken}:4" in err
    assert "Traceback" not in err
    assert not out
