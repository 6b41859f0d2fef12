"""The same engine on its two storages: each example query on pyoxigraph's in-memory store and on its on-disk store.

    python benchmarks/engine_storage.py --triples 1000000

graphapp's query workers read the on-disk store that ``graphapp load`` builds (RocksDB, opened read-only): the
data is not copied into each worker, and a start does not parse the files again. The bare app of
``benchmarks/scale.py`` bulk-loads the same files into an in-memory store at every start. This script separates
what that choice costs from what graphapp's guard, workers and limits cost: no graphapp code runs a query here,
only pyoxigraph, on the same files (the shipped data without ``data/restricted/``, plus that many generated
triples), with the default graph the union of all graphs as on both servers.

Each example query (``graphapp/queries/example-*.rq``) runs ``--repeat`` times on each store, alternating; the
median is reported, with the ratio on-disk / in-memory. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bare_app import load, turtle_files  # noqa: E402
from benchmarks.loaded_store import loaded_store  # noqa: E402

EXAMPLES = sorted((ROOT / "graphapp" / "queries").glob("example-*.rq"))


def _time(store: ox.Store, text: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    answer = store.query(text, use_default_graph_as_union=True)
    n = 1 if isinstance(answer, ox.QueryBoolean) else sum(1 for _ in answer)
    return time.perf_counter() - t0, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="generated triples beside the shipped data")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--skip-over", type=float, default=20.0, help="a query slower than this (s) runs once; in memory, not on disk"
    )
    args = parser.parse_args(argv)
    with loaded_store(args.triples, "gakg-engine-storage-") as (env, load_seconds):
        files = turtle_files([ROOT / "ontology", Path(env["GRAPHAPP_DATA_DIR"])])
        t0 = time.monotonic()
        memory = load(files)
        memory_load = time.monotonic() - t0
        disk = ox.Store.read_only(str(Path(env["GRAPHAPP_STORE_DIR"]) / "db"))
        print(f"{args.triples:,} generated triples and the shipped data: {len(memory):,} quads in memory, ", end="")
        print(f"{len(disk):,} on disk")
        print(f"in-memory bulk load {memory_load:.1f} s; `graphapp load` (on disk) {load_seconds:.1f} s\n")
        print("| query | rows | in memory (median) | on disk (median) | on disk / in memory |")
        print("|---|---:|---:|---:|---:|")
        ratios = []
        for path in EXAMPLES:
            text = path.read_text(encoding="utf-8")
            times: dict[str, list[float]] = {"memory": [], "disk": []}
            rows = 0
            name = path.stem.removeprefix("example-")
            for _ in range(args.repeat):
                for label, store in (("memory", memory), ("disk", disk)):
                    seconds, rows = _time(store, text)
                    times[label].append(seconds)
                    if seconds > args.skip_over:
                        break
                if max(times["memory"] + times["disk"]) > args.skip_over:
                    break
            mem = statistics.median(times["memory"])
            if not times["disk"]:  # too slow in memory already to be worth minutes on disk
                print(f"| `{name}` | {rows:,} | {mem * 1000:,.1f} ms | not run (over {args.skip_over:g} s) | – |")
                continue
            dsk = statistics.median(times["disk"])
            ratio = dsk / mem if mem > 0 else float("nan")
            if mem >= 0.01:  # a ratio of two microsecond timings says nothing
                ratios.append(ratio)
            print(f"| `{name}` | {rows:,} | {mem * 1000:,.1f} ms | {dsk * 1000:,.1f} ms | {ratio:.1f}× |", flush=True)
        if ratios:
            print(
                f"\nQueries over 10 ms in memory: {len(ratios)}; on disk / in memory, median "
                f"{statistics.median(ratios):.1f}×, from {min(ratios):.1f}× to {max(ratios):.1f}×."
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
