"""The upstream reproductions in docs/upstream/ still reproduce, and the doc shows the scripts that are run.

Why this test passes while pyoxigraph still aborts, and fails once it no longer does: the report is a living
document. While the abort reproduces, a pass confirms that our workaround (no engine sort in the web process:
``#+ order_by:`` and :mod:`graphapp.ordering`) is still needed. The day a pyoxigraph upgrade fixes the bug, the
failure says so on the upgrade that fixed it, which is exactly when someone is looking: record the fixed version
in the doc, and decide whether to keep the guard (it costs little and protects against a regression). A test
that merely skipped would let the doc go stale silently; one that asserted nothing would not tell us either.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph

from graphapp.config import PROJECT_ROOT

UPSTREAM = PROJECT_ROOT / "docs" / "upstream"
DOC = UPSTREAM / "pyoxigraph-order-by-abort.md"
SCRIPT = UPSTREAM / "pyoxigraph_order_by_abort.py"
MIXED_SCRIPT = UPSTREAM / "pyoxigraph_order_by_mixed_abort.py"
PANIC = "does not correctly implement a total order"


def _run(*args: str, script: Path = SCRIPT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_doc_shows_the_script_that_is_run() -> None:
    blocks = _python_blocks()
    assert len(blocks) == 2, f"{DOC.name} should have two python blocks: case 1, then case 2"
    assert blocks[1].strip() in SCRIPT.read_text(encoding="utf-8"), f"{DOC.name} and {SCRIPT.name} differ"


def test_the_doc_shows_the_mixed_script_that_is_run() -> None:
    """Case 1, the main reproduction: the first python block of the doc."""
    blocks = _python_blocks()
    assert blocks, f"{DOC.name} has no python block"
    assert blocks[0].strip() in MIXED_SCRIPT.read_text(encoding="utf-8"), f"{DOC.name} and {MIXED_SCRIPT.name} differ"


def test_the_abort_still_reproduces() -> None:
    result = _run()
    if result.returncode == 0:
        raise AssertionError(
            f"pyoxigraph {pyoxigraph.__version__} no longer aborts on {SCRIPT.name} (it printed "
            f"{result.stdout.strip()!r}). Update {DOC.relative_to(PROJECT_ROOT)}: record the version that fixed "
            "it, and decide whether GraphStore still needs to refuse ORDER BY in the web process."
        )
    assert result.returncode in (-6, 134), (result.returncode, result.stderr[-1000:])
    assert PANIC in result.stderr, result.stderr[-1000:]


def test_twenty_values_do_not_trigger_it() -> None:
    """What the doc says does not trigger the abort."""
    result = _run("20")
    assert result.returncode == 0, result.stderr[-1000:]
    assert "sorted 20 rows" in result.stdout


def test_the_mixed_abort_still_reproduces() -> None:
    """Case 1: numbers mixed with strings, no dateTime (24 values by default)."""
    result = _run(script=MIXED_SCRIPT)
    if result.returncode == 0:
        raise AssertionError(
            f"pyoxigraph {pyoxigraph.__version__} no longer aborts on {MIXED_SCRIPT.name} (it printed "
            f"{result.stdout.strip()!r}). Update {DOC.relative_to(PROJECT_ROOT)}: record the version that fixed "
            "case 1, and decide whether the ORDER BY workarounds are still needed."
        )
    assert result.returncode in (-6, 134), (result.returncode, result.stderr[-1000:])
    assert PANIC in result.stderr, result.stderr[-1000:]


def test_twenty_mixed_values_do_not_trigger_it() -> None:
    """What the doc says does not trigger case 1: 20 values or fewer are insertion-sorted, unchecked."""
    result = _run("20", script=MIXED_SCRIPT)
    assert result.returncode == 0, result.stderr[-1000:]
    assert "sorted 20 rows" in result.stdout
