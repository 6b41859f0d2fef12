"""An embedded store of the shipped data (without the restricted folder) plus generated triples, for the
benchmarks that start the service on an already-loaded store (``first_page.py``, ``web_memory.py``)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def loaded_store(triples: int, prefix: str) -> Iterator[tuple[dict[str, str], float]]:
    """Yield the ``GRAPHAPP_*`` settings of a temporary data folder and store built by ``graphapp load``, and the
    seconds the load took; the folder is removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        data = tmp / "data"
        shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("restricted"))
        env = {"GRAPHAPP_DATA_DIR": str(data), "GRAPHAPP_STORE_DIR": str(tmp / "store"), "GRAPHAPP_RESTRICTED_DIR": ""}
        if triples:
            # with the project's own data folder in the environment: generate never writes into it
            subprocess.run(
                [sys.executable, "-m", "graphapp.cli", "generate", "--triples", str(triples)]
                + ["--out", str(data / "synthetic")],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        t0 = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "graphapp.cli", "load"],
            env={**os.environ, **env},
            check=True,
            stderr=subprocess.DEVNULL,
        )
        yield env, time.monotonic() - t0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
