"""What a cheap query pays beyond the engine, at any size: no walk of the worker's pages to learn what it wrote to
itself, no trim of its whole heap, no listing of the store's graphs when nothing changed.

At 10^6 triples these three cost a cheap query about 10 ms together, several times the engine's own time
(docs/benchmarks.md, «What a cheap query paid at 10^6»)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphapp.config import ConfigError, Settings
from graphapp.heap import HeapWatch, own_resident
from graphapp.store import GraphStore
from graphapp.zygote import ForkedProcess

from .conftest import make_app_client

SCAN = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 5"
ASK = "PREFIX ga: <https://w3id.org/gakg/ontology#> ASK {{ ?p a ga:BestPractice }} # {n}"


def _settled(service: object, workers: int) -> None:
    pool = service.pool  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (pool.on_copy and len(pool._all) == workers):
        time.sleep(0.05)
    assert pool.on_copy and len(pool._all) == workers


def test_cheap_queries_do_not_walk_the_workers_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """After each query the pool checks what its worker made its own of the copy (the pool's budget): from
    counters the kernel keeps for the worker, and from its pages (``smaps_rollup``) only past the budget."""
    reads: list[int] = []
    walk = ForkedProcess.private_dirty_mb

    def counted(process: ForkedProcess) -> float:
        reads.append(process.pid)
        return walk(process)

    monkeypatch.setattr(ForkedProcess, "private_dirty_mb", counted)
    with make_app_client({"GRAPHAPP_CACHE_MB": "0"}, workers=2) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200
        _settled(service, 2)
        reads.clear()
        for n in range(24):
            r = client.post("/sparql", data={"query": ASK.format(n=n)}, headers={"Accept": "text/csv"})
            assert r.status_code == 200, r.text
        assert reads == []


@pytest.mark.parametrize("query", [SCAN, ASK.format(n=0)])
def test_a_workers_bound_is_at_least_what_it_made_its_own(query: str) -> None:
    """The bound the pool reads instead of the worker's pages is never below what the pages say."""
    with make_app_client({"GRAPHAPP_CACHE_MB": "0", "GRAPHAPP_WORKER_DIRTY_MB": "4096"}, workers=1) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200
        _settled(service, 1)
        for n in range(3):
            r = client.post("/sparql", data={"query": f"{query} # {n}"}, headers={"Accept": "text/csv"})
            assert r.status_code == 200, r.text
        (worker,) = service.pool._all
        assert isinstance(worker.process, ForkedProcess)
        bound = worker.dirty_bound_mb()
        assert bound is not None and bound > 0
        assert bound >= worker.process.private_dirty_mb()


def test_the_heap_is_trimmed_once_it_grew() -> None:
    """Blocks of a kilobyte come from the C heap; with the last one kept, their pages stay resident once freed,
    until the heap is trimmed."""
    watch = HeapWatch(threshold=16 * 2**20)
    assert not watch.release_if_grown()
    before = own_resident()
    blocks = [bytes(1024) + str(n).encode() for n in range(40_000)]
    last = blocks.pop()
    del blocks
    assert own_resident() - before >= 16 * 2**20
    assert watch.release_if_grown()
    assert own_resident() - before < 16 * 2**20
    assert not watch.release_if_grown()  # nothing grew since
    assert last


def test_the_store_lists_its_graphs_again_after_a_change(tmp_path: Path) -> None:
    """The list is remembered between changes, and read again after each: a graph a write adds is listed at once,
    and graphs emptied by a reload are gone."""
    store = GraphStore(path=tmp_path / "db")
    assert store.graphs() == []
    one = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.NamedNode("urn:g:one"))
    two = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.NamedNode("urn:g:two"))
    store.apply([one], [])
    assert store.graphs() == ["urn:g:one"]
    mine = store.graphs()
    mine.append("urn:g:not-there")  # a caller's copy
    assert store.graphs() == ["urn:g:one"]
    store.apply([two], [one])
    assert "urn:g:two" in store.graphs()
    store.replace_graphs(["urn:g:one", "urn:g:two"], [])
    assert store.graphs() == []
    store.close()


def test_the_web_process_switches_threads_as_often_as_set() -> None:
    """A page that asks the store gives the interpreter's lock up at each step and waits for it again: the web
    process hands it over every GRAPHAPP_SWITCH_INTERVAL_MS (1 ms unless set), not every 5 ms (docs/benchmarks.md,
    «The switch interval of the web process»)."""
    previous = sys.getswitchinterval()
    try:
        with make_app_client({"GRAPHAPP_SWITCH_INTERVAL_MS": "2"}) as client:
            assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
            assert sys.getswitchinterval() == pytest.approx(0.002)
        with make_app_client() as client:
            assert sys.getswitchinterval() == pytest.approx(0.001)
        with pytest.raises(ConfigError, match="GRAPHAPP_SWITCH_INTERVAL_MS"):
            Settings.from_env({"GRAPHAPP_SWITCH_INTERVAL_MS": "0"})
    finally:
        sys.setswitchinterval(previous)
