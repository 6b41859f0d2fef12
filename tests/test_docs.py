"""The documentation keeps up with the code: every setting, CLI command and example query is described."""

from __future__ import annotations

from graphapp import queries
from graphapp.cli import _parser
from graphapp.config import PROJECT_ROOT, Settings

from .conftest import REQUIRE_BROWSER, REQUIRE_REFERENCE, REQUIRE_SERVERS

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    for name, _, help_text in Settings().help():
        assert f"`{name}`" in README, name
        assert help_text


def test_every_cli_command_is_in_the_readme() -> None:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for command in sub.choices:
        assert f"graphapp {command}" in README, command


def test_the_readme_test_command_is_the_ci_command() -> None:
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest -q" in ci
    assert ".venv/bin/python -m pytest -q" in README


def test_ci_requires_everything_the_suite_may_skip() -> None:
    """CI turns every skip for something missing into a failure (tests/conftest.py ``missing``), and the README
    names each variable."""
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for variable in (REQUIRE_SERVERS, REQUIRE_BROWSER, REQUIRE_REFERENCE):
        assert f"export {variable}=1" in ci, variable
        assert f"`{variable}=1`" in README, variable


def test_every_named_query_has_metadata() -> None:
    for name in queries.names():
        meta = queries.load(name).meta
        for key in ("summary", "title_es", "title_en", "description_es", "description_en"):
            assert meta.get(key), f"{name}.rq lacks #+ {key}:"
