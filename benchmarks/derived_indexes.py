"""The indexes derived from the whole graph, as the interpreter's cyclic collector sees them.

    python benchmarks/derived_indexes.py --triples 1000000
    python benchmarks/derived_indexes.py --store STORE_DIR/db      # an existing embedded store, opened read-only

The web process holds three indexes built from the whole graph: the label index (``graphapp.index``), the finder's
index (``graphapp.finder.index``) and the views' projection (``graphapp.graphviews.projection``). Every container
object they hold (a list, a set, a dict holding containers) is walked by each full collection of the interpreter's
cyclic collector, with the interpreter lock held: every request of the process waits meanwhile. This builds the
three (the same builders as the service) and measures, for each:

- the build, and the size of its saved copy (``graphapp.derived.save``);
- reading the saved copy back (``pickle.loads``, median of 3) with the collector running and paused
  (``graphapp.heap.collector_paused``, what ``graphapp.derived.saved`` does);
- the objects the collector still tracks once it has seen it (after two full collections), and the memory the
  read copy holds (growth of the resident set, the C heap trimmed before and after);

and, with all three held, one full collection (median of 3), and the two young collections that follow reading
them back, with what was read left young or moved to the oldest generation. The peer, measured in the same run,
is the same data in the layout the service used before 2026-12-07 (``legacy``): the finder's postings as
``[frequency, fields]`` lists, the projection's classes as sets and each edge's statements as a list.
"""

from __future__ import annotations

import gc
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.loaded_store import run_on_a_store  # noqa: E402


def legacy(name: str, value: Any) -> Any:
    """``value`` laid out as before: lists and sets where the service now keeps ints and tuples."""
    import copy

    from graphapp.finder.postings import unpack

    old = copy.copy(value)
    if name == "finder":
        old.langs = {}
        for lang, lx in value.langs.items():
            lx2 = copy.copy(lx)
            lx2.postings = {s: {d: list(unpack(p)) for d, p in docs.items()} for s, docs in lx.postings.items()}
            old.langs[lang] = lx2
    elif name == "projection":
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(value.graph)
        graph.add_edges_from((a, b, {"triples": list(d["triples"])}) for a, b, d in value.graph.edges(data=True))
        old.graph = graph
        old.classes = {n: set(cs) for n, cs in value.classes.items()}
    return old


def tracked() -> int:
    gc.collect()
    gc.collect()
    return len(gc.get_objects())


def resident() -> float:
    """The process's resident memory in MB, the C heap's free pages given back first."""
    from graphapp.heap import release_free_memory

    gc.collect()
    release_free_memory()
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def median_seconds(run: Callable[[], Any], times: int = 3) -> float:
    took = []
    for _ in range(times):
        t0 = time.perf_counter()
        run()
        took.append(time.perf_counter() - t0)
        gc.collect()
    return statistics.median(took)


def measure(store_path: Path) -> list[str]:
    from graphapp.finder.index import PracticeIndex
    from graphapp.graphviews.projection import build_entity_graph
    from graphapp.heap import collector_paused
    from graphapp.index import GraphIndex
    from graphapp.store import GraphStore

    store = GraphStore.read_only(store_path)
    builders: list[tuple[str, Callable[[Any], Any]]] = [
        ("labels", GraphIndex.build),
        ("finder", PracticeIndex.build),
        ("projection", build_entity_graph),
    ]
    rows = [
        "| index | layout | build | saved copy | read, collector on | read, paused | objects tracked | memory held |"
    ]
    rows.append("|---|---|---:|---:|---:|---:|---:|---:|")
    saved: dict[str, dict[str, bytes]] = {"legacy": {}, "now": {}}
    for name, build in builders:
        t0 = time.perf_counter()
        value = build(store)
        took = time.perf_counter() - t0
        layouts = {"now": value} if name == "labels" else {"now": value, "legacy": legacy(name, value)}
        del value
        for layout in list(layouts):
            data = saved[layout][name] = pickle.dumps(layouts.pop(layout), protocol=pickle.HIGHEST_PROTOCOL)
            on = median_seconds(lambda data=data: pickle.loads(data))  # noqa: S301 - our own bytes

            def paused(data: bytes = data) -> None:
                with collector_paused():
                    pickle.loads(data)  # noqa: S301 - our own bytes

            off = median_seconds(paused)
            before, rss = tracked(), resident()
            copy = pickle.loads(data)  # noqa: S301 - our own bytes
            count, grew = tracked() - before, resident() - rss
            del copy
            built = f"{took:.1f} s" if layout == "now" else "–"
            rows.append(
                f"| {name} | {layout} | {built} | {len(data) / 2**20:.0f} MB | {on:.2f} s | {off:.2f} s | {count:,} "
                f"| {grew:.0f} MB |"
            )
    rows.append("")
    rows.append("| all three held | objects tracked by the process | one full collection |")
    rows.append("|---|---:|---:|")
    for layout in ("legacy", "now"):
        with collector_paused():
            held = [pickle.loads(data) for data in saved[layout].values()]  # noqa: S301 - our own bytes
        rows.append(f"| {layout} | {tracked():,} | {median_seconds(gc.collect) * 1000:.0f} ms |")
        del held
    rows.append("")
    rows.append("| the three read back (now), then | first young collection | the next, one generation up |")
    rows.append("|---|---:|---:|")
    for how in ("left young (the collector only switched off)", "moved to the oldest generation (collector_paused)"):
        gc.collect()
        if how.startswith("left"):
            gc.disable()
            held = [pickle.loads(data) for data in saved["now"].values()]  # noqa: S301 - our own bytes
            gc.enable()
        else:
            with collector_paused():
                held = [pickle.loads(data) for data in saved["now"].values()]  # noqa: S301 - our own bytes
        young = []
        for generation in (0, 1):
            t0 = time.perf_counter()
            gc.collect(generation)
            young.append(time.perf_counter() - t0)
        rows.append(f"| {how} | {young[0] * 1000:.0f} ms | {young[1] * 1000:.0f} ms |")
        del held
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_on_a_store(argv, __doc__, "derived-indexes-", measure)


if __name__ == "__main__":
    sys.exit(main())
