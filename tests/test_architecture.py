"""docs/architecture.md is true to the code: every file and module it names exists, every class or function it
names as ``module.Name`` or ``Class.method`` exists there, it stays short, and the README points at it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
TEXT = DOC.read_text(encoding="utf-8")
CODE = re.findall(r"`([^`\n]+)`", TEXT)
PATHS = sorted(
    {c for c in CODE if re.fullmatch(r"(graphapp|tests|docs|ontology|shapes|scripts|benchmarks)/[\w./-]+", c)}
)
FILE_KINDS = ("py", "html", "rq", "ttl", "lock", "json", "sqlite", "md", "csv", "toml")
# bare file names (``views_base.html``, ``write.lock``): a file of the project, or one the service writes
FILE_NAME = r"[\w-]+\.(" + "|".join(FILE_KINDS) + ")"
FILES = sorted({c for c in CODE if re.fullmatch(FILE_NAME, c)})
WRITTEN = {"write.lock", "history.sqlite", "sessions.sqlite", "sources.json", "staff.json"}
# ``Class.method`` or ``module.name`` references, resolved against the modules the document names
DOTTED = sorted({c for c in CODE if re.fullmatch(r"[A-Za-z_]\w*\.[A-Za-z_]\w*", c) and c not in FILES})


def test_it_is_at_most_400_lines_and_the_readme_links_it() -> None:
    assert len(TEXT.splitlines()) <= 400
    assert "docs/architecture.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_it_names_the_layers() -> None:
    for piece in ("graphapp/web/app.py", "graphapp/service.py", "graphapp/storage.py", "graphapp/worker.py"):
        assert piece in TEXT


@pytest.mark.parametrize("path", PATHS)
def test_every_path_it_names_exists(path: str) -> None:
    if "*" in path:  # a glob: at least one file matches
        assert list(ROOT.glob(path)), path
        return
    if "<" in path:  # a pattern for a new file, such as graphapp/queries/example-<tema>.rq: its folder exists
        assert (ROOT / path).parent.is_dir(), path
        return
    assert (ROOT / path).exists(), path


@pytest.mark.parametrize("name", FILES)
def test_every_file_name_it_gives_is_a_file_of_the_project_or_one_the_service_writes(name: str) -> None:
    if name in WRITTEN:
        assert name in " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "graphapp").rglob("*.py")), name
        return
    assert any(p for p in ROOT.rglob(name) if ".venv" not in p.parts), name


def _modules() -> list[object]:
    names = [p[: -len(".py")].replace("/", ".") for p in PATHS if p.startswith("graphapp/") and p.endswith(".py")]
    return [importlib.import_module(n) for n in names if "*" not in n]


@pytest.mark.parametrize("dotted", DOTTED)
def test_every_dotted_name_it_gives_is_found_in_a_module_it_names(dotted: str) -> None:
    """``Service.publish``, ``Writer.commit``, ``storage.iri``: found as an attribute of a class or module the
    document names (a module by its last name, a class by its name in one of those modules)."""
    head, tail = dotted.split(".")
    for module in _modules():
        owner = module if module.__name__.rsplit(".", 1)[-1] == head else getattr(module, head, None)
        if owner is not None and hasattr(owner, tail):
            return
    if head in {"ox", "typing"}:  # pyoxigraph's terms, the standard library
        assert hasattr(importlib.import_module("pyoxigraph" if head == "ox" else head), tail), dotted
        return
    raise AssertionError(f"{dotted} is named in docs/architecture.md but found in none of its modules")
