"""`graphapp validate` never prints the personal data of data/restricted/ unless asked with --show-restricted.

The private names are read from data/restricted/ at run time: they are never written in a test file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import FOAF, RDFS

from graphapp.cli import main
from graphapp.config import Settings
from graphapp.sources import RESTRICTED_DIR
from graphapp.validation import Finding, Report

RESTRICTED = Settings().data_dir / RESTRICTED_DIR
GA = "https://w3id.org/gakg/ontology#"


def _restricted_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted(RESTRICTED.rglob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def people() -> list[tuple[str, str]]:
    """(IRI, name) of every person in the restricted data."""
    g = _restricted_graph()
    found = sorted({(str(s), str(o)) for s, o in g.subject_objects(RDFS.label)})
    assert len(found) >= 2
    return found


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture()
def breaking_file(tmp_path: Path, people: list[tuple[str, str]]) -> Path:
    """Every restricted person made to break shapes: each claims to be a best practice (with no place, source…)."""
    bad = tmp_path / "rompe.ttl"
    bad.write_text("".join(f"<{iri}> a <{GA}BestPractice> .\n" for iri, _ in people), encoding="utf-8")
    return bad


def test_validate_with_data_hides_restricted_names(capsys, breaking_file: Path, people) -> None:
    code, output = run(capsys, "validate", str(breaking_file), "--with-data")
    assert code == 1
    assert "BestPractice-source" in output  # the finding itself is reported
    assert people[0][0] in output  # under the entity's IRI
    assert "[dato restringido]" in output
    for _, name in people:
        assert name not in output
    _, english = run(capsys, "validate", str(breaking_file), "--with-data", "--lang", "en")
    assert "[restricted data]" in english
    for _, name in people:
        assert name not in english


def test_validate_shows_restricted_names_when_asked(capsys, breaking_file: Path, people) -> None:
    code, output = run(capsys, "validate", str(breaking_file), "--with-data", "--show-restricted")
    assert code == 1
    assert f"{people[0][1]}  <{people[0][0]}>" in output
    assert "[dato restringido]" not in output


def test_validate_a_restricted_folder_given_as_path_hides_its_names(capsys, breaking_file: Path, people) -> None:
    # data/restricted/ named on the command line (not through --with-data) is restricted data too
    code, output = run(capsys, "validate", str(RESTRICTED), str(breaking_file))
    assert code == 1
    assert "[dato restringido]" in output
    for _, name in people:
        assert name not in output


def test_report_never_prints_restricted_literal_values(people) -> None:
    iri, name = people[0]
    g = _restricted_graph()
    assert (rdflib.URIRef(iri), FOAF.name, rdflib.Literal(name)) in g
    finding = Finding(
        focus="https://w3id.org/gakg/id/practica/x",
        shape="https://w3id.org/gakg/shapes#Some-shape",
        severity="Violation",
        messages={"": f'Value "{name}" is not allowed'},
        value=name,
    )
    report = Report(False, [finding], {"https://w3id.org/gakg/id/practica/x": "Una práctica"}).restrict(g)
    assert name not in report.format("es") and "[dato restringido]" in report.format("es")
    assert name in report.format("es", show_restricted=True)
