"""Example queries through a running service, each repeated: the steady state of one client, to see what a query
costs beyond the engine (compare ``benchmarks/answer_writing.py``, the engine alone) and beside the bare app.

    python benchmarks/heavy_queries.py DATA_DIR STORE_DIR [--repeat 5] [--queries a,b] [--in-turn] [--peer]
        [--setting GRAPHAPP_NAME=VALUE ...]

Starts ``graphapp serve`` on an already-loaded store (``graphapp load`` of ``DATA_DIR`` into ``STORE_DIR``; e.g. the
store of ``benchmarks/stop_time.py``'s docstring), answer cache off, waits until ``/ready`` says users' queries read
the in-memory copy and nothing is being built, then sends each query of ``--queries`` ``--repeat`` times through
``GET /sparql`` (JSON results; N-Triples for a CONSTRUCT) and prints each time and the median. Run it once with the
default settings and once with ``--setting GRAPHAPP_WORKER_DIRTY_MB=4096`` (workers never replaced) to see what a
fresh fork costs.

- ``--in-turn``: the queries one after another, ``--repeat`` rounds, as the example mix of ``benchmarks/scale.py``
  sends them (a heavy query's worker may be replaced before the next query); ``--queries mix`` names that mix at
  10^6 triples (the example queries the bare app answers within 2 s).
- ``--peer``: the bare app (``benchmarks/bare_app.py``) on the same files (``DATA_DIR`` and ``ontology/``), measured
  the same way right after, and each query's ratio (bare app's median / graphapp's: > 1 means graphapp is faster).
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
#: the example mix of benchmarks/scale.py at 10^6 triples: the examples the bare app answers within 2 s there
MIX = (
    "ask-stl-sectors-complete", "ceased-organisations", "construct-commitment", "facts-by-graph", "history-timeline",
    "inactive-practices", "key-actions", "legal-framework", "local-exercise-counts", "local-exercise-participants",
    "metrica-edomex-municipalities", "metrica-states-ranking", "national-action-plans", "practice-benefits",
    "practice-sources", "problem-tree", "stl-members",
)  # fmt: skip


def _wait_until_answering(url: str, params: dict[str, str] | None = None, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params=params, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:g} s")


def measure(base: str, names: list[str], repeat: int, in_turn: bool) -> dict[str, list[float]]:
    """Each query's times in seconds, through ``GET base/sparql``."""
    texts = {n: (ROOT / "graphapp" / "queries" / f"example-{n}.rq").read_text(encoding="utf-8") for n in names}
    times: dict[str, list[float]] = {n: [] for n in names}
    order = [n for _ in range(repeat) for n in names] if in_turn else [n for n in names for _ in range(repeat)]
    with httpx.Client(timeout=120) as client:
        for name in order:
            accept = "application/n-triples" if "CONSTRUCT" in texts[name] else "application/sparql-results+json"
            t = time.perf_counter()
            r = client.get(base + "/sparql", params={"query": texts[name]}, headers={"Accept": accept})
            times[name].append(time.perf_counter() - t)
            r.raise_for_status()
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument("store", type=Path)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--queries", default=",".join(QUERIES), help="example queries (names without example-), or mix")
    p.add_argument("--in-turn", action="store_true", help="the queries one after another, --repeat rounds")
    p.add_argument("--peer", action="store_true", help="measure the bare app too, and the ratios")
    p.add_argument("--setting", action="append", default=[], metavar="GRAPHAPP_NAME=VALUE")
    args = p.parse_args(argv)
    names = list(MIX) if args.queries == "mix" else [n.strip() for n in args.queries.split(",")]
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
        _wait_until_answering(base + "/health", seconds=300)
        settled = copy_loaded(base)
        print(f"settings: {' '.join(args.setting) or 'defaults'}; settled {settled:.1f} s after answering", flush=True)
        ours = measure(base, names, args.repeat, args.in_turn)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    peer: dict[str, list[float]] = {}
    if args.peer:
        bare = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "bare_app.py"), "--port", str(port), str(args.data)]
            + [str(ROOT / "ontology")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_answering(base + "/sparql", {"query": "ASK {}"})
            peer = measure(base, names, args.repeat, args.in_turn)
        finally:
            bare.terminate()
            bare.wait(timeout=60)
    print(f"\n{'in turn' if args.in_turn else 'each repeated'}, {args.repeat} times; ms\n")
    print("| query | each run | median |" + (" bare app, median | ratio |" if peer else ""))
    print("|---|---|---:|" + ("---:|---:|" if peer else ""))
    for name in names:
        runs = ", ".join(f"{t * 1000:.0f}" for t in ours[name])
        line = f"| `{name}` | {runs} | {statistics.median(ours[name]) * 1000:.1f} |"
        if peer:
            mine, theirs = statistics.median(ours[name]), statistics.median(peer[name])
            line += f" {theirs * 1000:.1f} | {theirs / mine:.2f} |"
        print(line)
    if peer:
        total, total_peer = (sum(statistics.median(t[n]) for n in names) for t in (ours, peer))
        print(
            f"\nsum of medians: graphapp {total * 1000:.0f} ms, bare app {total_peer * 1000:.0f} ms, "
            f"ratio {total_peer / total:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
