"""Heavy example queries one after another through a running service, each repeated: the steady state of one
client, to see what a query costs beyond the engine (compare ``benchmarks/answer_writing.py``, the engine alone).

    python benchmarks/heavy_queries.py DATA_DIR STORE_DIR [--repeat 5] [--setting GRAPHAPP_NAME=VALUE ...]

Starts ``graphapp serve`` on an already-loaded store (``graphapp load`` of ``DATA_DIR`` into ``STORE_DIR``; e.g. the
store of ``benchmarks/stop_time.py``'s docstring), answer cache off, waits until ``/ready`` says users' queries read
the in-memory copy and nothing is being built, then sends each query of ``--queries`` ``--repeat`` times through
``GET /sparql`` (JSON results) and prints each time and the median. Run it once with the default settings and once
with ``--setting GRAPHAPP_WORKER_DIRTY_MB=4096`` (workers never replaced) to see what a fresh fork costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.write_bench import _free_port, copy_loaded  # noqa: E402

QUERIES = ("practice-benefits", "practice-sources", "key-actions")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument("store", type=Path)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--queries", default=",".join(QUERIES), help="example queries (names without example-)")
    p.add_argument("--setting", action="append", default=[], metavar="GRAPHAPP_NAME=VALUE")
    args = p.parse_args(argv)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "GRAPHAPP_DATA_DIR": str(args.data),
        "GRAPHAPP_STORE_DIR": str(args.store),
        "GRAPHAPP_RESTRICTED_DIR": "",
        "GRAPHAPP_CACHE_MB": "0",
        "GRAPHAPP_PORT": str(port),
        **dict(s.split("=", 1) for s in args.setting),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphapp.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        settled = copy_loaded(base)
        print(f"settings: {' '.join(args.setting) or 'defaults'}; settled {settled:.1f} s after answering\n")
        print("| query | each run, ms | median |")
        print("|---|---|---:|")
        with httpx.Client(timeout=120) as client:
            for name in args.queries.split(","):
                text = (ROOT / "graphapp" / "queries" / f"example-{name.strip()}.rq").read_text(encoding="utf-8")
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    r = client.get(
                        base + "/sparql", params={"query": text}, headers={"Accept": "application/sparql-results+json"}
                    )
                    times.append(time.perf_counter() - t)
                    r.raise_for_status()
                runs = ", ".join(f"{s * 1000:.0f}" for s in times)
                print(f"| `{name}` | {runs} | {statistics.median(times) * 1000:.0f} |")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
