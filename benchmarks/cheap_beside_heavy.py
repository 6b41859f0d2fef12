"""A cheap page beside requests that compute in Python, in one web process: what the interpreter's switch interval
(``GRAPHAPP_SWITCH_INTERVAL_MS``) costs a visitor.

    python benchmarks/cheap_beside_heavy.py --triples 1000000 [--intervals 5,1] [--rounds 60]
    python benchmarks/cheap_beside_heavy.py --data DATA_DIR --store STORE_DIR   # a store already loaded

Starts ``graphapp serve`` once per interval on the same store (5 ms, the interpreter's default, is the peer) and
waits for the finder's index. Then asks an entity page as Turtle (``PAGE``) ``--rounds`` times alone, and again
while two other clients ask, without pause, the finder and the site's search (which compute in Python in the web
process, holding the interpreter's lock). Prints the page's p50, p90 and longest wait each way, and how many finder
answers a second the other client got meanwhile, as a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.first_page import PAGE, _until, served  # noqa: E402
from benchmarks.loaded_store import loaded_store  # noqa: E402

FINDER = ("/api/practices/search", {"q": "participación ciudadana en el presupuesto"})
SITE_SEARCH = ("/buscar", {"q": "agua", "format": "json"})


def _page_waits(base: str, rounds: int) -> list[float]:
    waits = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(rounds):
            t = time.perf_counter()
            client.get(PAGE, headers={"Accept": "text/turtle"}).raise_for_status()
            waits.append(time.perf_counter() - t)
            time.sleep(0.02)
    return sorted(waits)


def _ms(waits: list[float], share: float) -> str:
    return f"{waits[min(len(waits) - 1, int(len(waits) * share))] * 1000:.0f}"


def measure(base: str, rounds: int) -> tuple[list[float], list[float], float]:
    """The page's waits alone, then beside the finder and the site's search; the finder's answers a second."""
    alone = _page_waits(base, rounds)
    stop = threading.Event()
    answered = [0]

    def ask(path: str, params: dict[str, str], count: bool) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while not stop.is_set():
                client.get(path, params=params).raise_for_status()
                if count:
                    answered[0] += 1

    threads = [
        threading.Thread(target=ask, args=(*FINDER, True)),
        threading.Thread(target=ask, args=(*SITE_SEARCH, False)),
    ]
    for t in threads:
        t.start()
    time.sleep(1.0)
    t0, before = time.perf_counter(), answered[0]
    beside = _page_waits(base, rounds)
    rate = (answered[0] - before) / (time.perf_counter() - t0)
    stop.set()
    for t in threads:
        t.join()
    return alone, beside, rate


@contextlib.contextmanager
def serving(env: dict[str, str], interval: str, log: Path) -> Iterator[str]:
    """The service with this switch interval, once the finder answers: its base URL."""
    with served({**env, "GRAPHAPP_SWITCH_INTERVAL_MS": interval}, log) as (base, _), httpx.Client() as client:
        path, params = FINDER
        if _until(client, f"{base}{path}?q={params['q']}", time.monotonic() + 1800, "application/json") is None:
            raise SystemExit(f"the service did not answer the finder; see {log}")
        yield base


def run(env: dict[str, str], intervals: list[str], rounds: int, logs: Path) -> list[str]:
    rows = [
        "| switch interval | page alone: p50 / p90 / longest (ms) | beside the finder and the site's search | "
        "finder answers/s meanwhile |",
        "|---|---:|---:|---:|",
    ]
    for interval in intervals:
        with serving(env, interval, logs / f"serve-{interval}.log") as base:
            alone, beside, rate = measure(base, rounds)
        rows.append(
            f"| {interval} ms | {_ms(alone, 0.5)} / {_ms(alone, 0.9)} / {alone[-1] * 1000:.0f} "
            f"| {_ms(beside, 0.5)} / {_ms(beside, 0.9)} / {beside[-1] * 1000:.0f} | {rate:.1f} |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--triples", type=int, default=1_000_000)
    p.add_argument("--data", type=Path, help="a data folder already loaded into --store")
    p.add_argument("--store", type=Path, help="the GRAPHAPP_STORE_DIR of --data")
    p.add_argument("--intervals", default="5,1", help="switch intervals in ms, comma-separated; 5 is the default")
    p.add_argument("--rounds", type=int, default=60)
    args = p.parse_args(argv)
    intervals = [i.strip() for i in args.intervals.split(",") if i.strip()]
    logs = Path(tempfile.gettempdir())
    if args.data and args.store:
        settings = {"GRAPHAPP_DATA_DIR": str(args.data), "GRAPHAPP_STORE_DIR": str(args.store)}
        print("\n".join(run({**os.environ, **settings, "GRAPHAPP_RESTRICTED_DIR": ""}, intervals, args.rounds, logs)))
        return 0
    with loaded_store(args.triples, "cheap-beside-") as (settings, _):
        print(f"{args.triples:,} generated triples and the shipped data\n")
        print("\n".join(run({**os.environ, **settings}, intervals, args.rounds, logs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
