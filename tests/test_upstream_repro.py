"""The upstream reproduction in docs/upstream/ still reproduces, and the doc shows the script that is run.

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

import pyoxigraph

from graphapp.config import PROJECT_ROOT

UPSTREAM = PROJECT_ROOT / "docs" / "upstream"
DOC = UPSTREAM / "pyoxigraph-order-by-abort.md"
SCRIPT = UPSTREAM / "pyoxigraph_order_by_abort.py"
PANIC = "does not correctly implement a total order"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_the_doc_shows_the_script_that_is_run() -> None:
    block = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert block, f"{DOC.name} has no python block"
    assert block.group(1).strip() in SCRIPT.read_text(encoding="utf-8"), f"{DOC.name} and {SCRIPT.name} differ"


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
