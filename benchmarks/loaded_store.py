"""An embedded store of the shipped data (without the restricted folder) plus generated triples, for the
benchmarks that start the service on an already-loaded store (``first_page.py``, ``web_memory.py``), and the
timing the benchmarks that compare two ways of one answer share (:func:`median_run`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def median_run(run: Callable[[], T], times: int) -> tuple[float, T]:
    """``run`` called ``times`` times: the median of its times in seconds, and what its last call returned (the
    benchmarks that compare two ways of one answer compare these)."""
    seconds = []
    for _ in range(times):
        t0 = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds), result


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


def run_on_a_store(
    argv: list[str] | None,
    doc: str,
    prefix: str,
    measure: Callable[[Path], list[str]],
    options: Sequence[argparse.ArgumentParser] = (),
) -> int:
    """The command line of a benchmark that measures one embedded store: ``--store DIR`` (an existing store,
    opened read-only) or ``--triples N`` (the shipped data plus N generated triples, loaded for the run); prints
    the Markdown lines ``measure`` returns. ``options``: parsers (``add_help=False``) of the benchmark's own
    options, which it reads itself, shown in ``--help``."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0], parents=list(options))
    p.add_argument("--triples", type=int, default=1_000_000)
    p.add_argument("--store", type=Path, help="an existing embedded store folder (GRAPHAPP_STORE_DIR/db)")
    args = p.parse_args(argv)
    if args.store:
        print(f"store {args.store}\n")
        print("\n".join(measure(args.store)))
        return 0
    with loaded_store(args.triples, prefix) as (env, _):
        print(f"{args.triples:,} generated triples and the shipped data\n")
        print("\n".join(measure(Path(env["GRAPHAPP_STORE_DIR"]) / "db")))
    return 0
