"""`graphapp validate` never prints the personal data of the restricted folder unless asked with --show-restricted.

The private names are read from the restricted folder (GRAPHAPP_RESTRICTED_DIR, or the synthetic example) at run
time: they are never written in a test file. The folder may sit outside the repository or under data/restricted/:
validate behaves the same either way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import FOAF, RDFS

from graphapp.cli import main
from graphapp.validation import Finding, Report

from .conftest import RESTRICTED_DIR as RESTRICTED

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
    # the restricted folder named on the command line (not through --with-data) is restricted data too
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


def test_validate_reads_the_restricted_folder_from_its_setting(capsys, monkeypatch, people) -> None:
    """Without the setting the restricted entities are unknown; with it, they are found (and still hidden)."""
    bad = [f"<{iri}> a <{GA}BestPractice> ." for iri, _ in people]
    monkeypatch.setenv("GRAPHAPP_RESTRICTED_DIR", "")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        breaking = Path(tmp) / "rompe.ttl"
        breaking.write_text("\n".join(bad), encoding="utf-8")
        code, without = run(capsys, "validate", str(breaking), "--with-data")
        assert code == 1 and "[dato restringido]" not in without
        monkeypatch.setenv("GRAPHAPP_RESTRICTED_DIR", str(RESTRICTED))
        code, with_it = run(capsys, "validate", str(breaking), "--with-data")
        assert code == 1 and "[dato restringido]" in with_it
        for _, name in people:
            assert name not in with_it


def test_validate_conforms_with_and_without_the_restricted_folder(capsys, monkeypatch) -> None:
    for value in ("", str(RESTRICTED)):
        monkeypatch.setenv("GRAPHAPP_RESTRICTED_DIR", value)
        code, output = run(capsys, "validate")
        assert code == 0, output
