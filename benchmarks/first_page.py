"""The first page after a start, with the label index built or read from the store folder.

``graphapp serve`` answers SPARQL as soon as one query worker is ready, but a page needs the label index. The
first start on a store builds it (in the background) and saves it in the store folder; a later start with the same
graph reads it. This script measures both on generated data, next to the first SPARQL answer:

    python benchmarks/first_page.py --triples 1000000

It generates the data (``graphapp generate``) beside a copy of ``data/`` without the restricted folder, builds the
store (``graphapp load``), then starts ``graphapp serve`` three times: the first builds the index, the second and
third read it. Each start is timed to its first ``ASK {}`` answer and to its first entity page (``/id/…`` of a
shipped practice, as HTML). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.loaded_store import loaded_store  # noqa: E402

PAGE = "/id/practica/reubicacion-ladrilleras-durango"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(url: str, deadline: float, accept: str) -> float | None:
    request = urllib.request.Request(url, headers={"Accept": accept})
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=120) as r:
                r.read()
                return time.monotonic()
        except OSError:
            time.sleep(0.05)
    return None


def _start(env: dict[str, str], log: Path) -> tuple[float | None, float | None, Path]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphapp.cli", "serve"],
            env={**env, "GRAPHAPP_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = t0 + 600
            answered = _until(base + "/sparql?query=ASK%7B%7D", deadline, "application/sparql-results+json")
            page = _until(base + PAGE, deadline, "text/html")
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    return (answered - t0 if answered else None), (page - t0 if page else None), log


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--triples", type=int, default=1_000_000)
    p.add_argument("--starts", type=int, default=3)
    args = p.parse_args(argv)
    with loaded_store(args.triples, "first-page-") as (settings, load):
        env = {**os.environ, **settings}
        store = Path(settings["GRAPHAPP_STORE_DIR"])
        print(f"`graphapp load` of {args.triples:,} generated triples and the shipped data: {load:.1f} s\n")
        print("| start | label index | first SPARQL answer | first entity page |")
        print("|---|---|---:|---:|")
        for n in range(args.starts):
            saved = any((store / "index").glob("labels-*.pickle"))
            answer, page, _ = _start(env, store.parent / f"serve-{n}.log")
            how = "read from the store folder" if saved else "built (and saved)"
            print(f"| {n + 1} | {how} | {_secs(answer)} | {_secs(page)} |")
    return 0


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


if __name__ == "__main__":
    sys.exit(main())
