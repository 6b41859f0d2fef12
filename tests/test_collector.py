"""The indexes the web process holds keep the interpreter's cyclic collector's work small, and reading a saved one
pauses the collector.

Every full collection walks each container the process tracks, with the interpreter lock held: every request
waits meanwhile (at 10^6 triples, 438 ms with the old layout, 123 ms with this one; ``benchmarks/derived_indexes.py``).
The finder's postings are ints, the projection's classes and statements tuples, which the collector stops tracking
once it has seen them."""

from __future__ import annotations

import gc
import pickle
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, ModuleType
from typing import Any

from graphapp import derived
from graphapp.background import REAPER, BuiltInBackground
from graphapp.finder import PracticeIndex
from graphapp.graphviews.projection import build_entity_graph
from graphapp.heap import collector_paused
from graphapp.store import GraphStore


def _reachable(root: object) -> Iterator[Any]:
    """Every object reachable from ``root`` through the collector's own view of references (each once), classes,
    modules and functions left out (the index's data only)."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type | ModuleType | FunctionType | BuiltinFunctionType):
            continue
        seen.add(id(obj))
        yield obj
        todo.extend(gc.get_referents(obj))


def _tracked_containers(root: object) -> int:
    gc.collect()
    gc.collect()
    return sum(1 for obj in _reachable(root) if gc.is_tracked(obj))


def test_the_finders_postings_are_not_containers_the_collector_walks(public_store: GraphStore) -> None:
    index = PracticeIndex.build(public_store)
    postings = sum(len(docs) for lx in index.langs.values() for docs in lx.postings.values())
    assert postings > 500  # the shipped practices and commitments
    # one tracked object per posting (a [frequency, fields] list) before, on top of the rest: now fewer in all
    # than the postings alone
    assert _tracked_containers(index) < postings
    # and it still finds: a practice's own words
    hits = index.search("reubicación de ladrilleras").hits
    assert hits and "ladrilleras" in hits[0].iri


def test_the_projection_keeps_tuples_the_collector_stops_walking(public_store: GraphStore) -> None:
    eg = build_entity_graph(public_store)
    edges = list(eg.graph.edges(data=True))
    assert len(edges) > 500
    gc.collect()
    gc.collect()
    # each edge's data (its statements) and each entity's classes: nothing left for the collector to walk
    assert not any(gc.is_tracked(data) for _, _, data in edges)
    assert not any(gc.is_tracked(cs) for cs in eg.classes.values())
    # the statements keep their order and direction: the first one decides the arrow
    a, b, data = next(e for e in edges if len(e[2]["triples"]) > 1)
    s, _, o = data["triples"][0]
    assert {s, o} == {a, b}
    assert all({t[0], t[2]} == {a, b} for t in data["triples"])


class _Recorder:
    """Records, as it is read back, whether the collector was running."""

    seen: list[bool] = []

    def __init__(self) -> None:
        self.state = "saved"

    def __setstate__(self, state: dict[str, Any]) -> None:
        _Recorder.seen.append(gc.isenabled())


def test_reading_a_saved_index_pauses_the_collector(tmp_path: Path) -> None:
    path = tmp_path / "index" / "thing.pickle"
    derived.save([_Recorder(), _Recorder()], path)
    _Recorder.seen.clear()
    assert gc.isenabled()
    value = derived.saved(path)
    assert value is not None and len(value) == 2
    assert _Recorder.seen == [False, False]
    assert gc.isenabled()


def test_a_damaged_file_resumes_the_collector(tmp_path: Path) -> None:
    path = tmp_path / "broken.pickle"
    path.write_bytes(pickle.dumps((derived.FORMAT, [1, 2, 3]))[:-5])
    assert derived.saved(path) is None
    assert gc.isenabled()


def test_overlapping_pauses_resume_the_collector_when_the_last_one_ends() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    states: dict[str, bool] = {}

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_in.wait(10)
        states["after the first"] = gc.isenabled()
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with collector_paused():
            second_in.set()
            first_out.wait(10)
            states["inside the second, the first ended"] = gc.isenabled()
        states["after both"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert states == {
        "after the first": False,
        "inside the second, the first ended": False,
        "after both": True,
    }


def test_a_collector_switched_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Value:
    """A built value that records being released."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.released_calls = 0

    def released(self) -> None:
        self.released_calls += 1


def test_a_replaced_value_is_released_and_freed_at_once() -> None:
    """The builder's thread keeps nothing of the value it replaced: without a collection of the interpreter's
    collector, the previous version's value is gone as soon as the newer one is served."""
    built: BuiltInBackground[_Value] = BuiltInBackground("values", lambda version, part: _Value(version))
    try:
        built.publish(1)
        built.request()
        assert built.wait(60)
        first = built.latest()
        assert first is not None
        gone = weakref.ref(first.value)
        kept = first.value
        del first
        with collector_paused():
            built.publish(2)
            assert built.wait(60)
            assert built.latest().version == 2  # type: ignore[union-attr]
            assert kept.released_calls == 1
            del kept
            assert gone() is None
    finally:
        built.close()


class _Large(_Value):
    """A built value that can be taken apart (as the views' projection can)."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.rows = dict.fromkeys(range(10_000))

    def dismantle(self) -> None:
        self.rows.clear()


def test_a_replaced_value_is_taken_apart_once_its_last_reader_lets_go() -> None:
    """A value that the builder replaced and that can be taken apart is emptied in the reaper's thread, a piece at a
    time, and only once nobody reads it: a request still reading the previous version's value reads it whole."""
    built: BuiltInBackground[_Large] = BuiltInBackground("large", lambda version, part: _Large(version))
    try:
        built.publish(1)
        built.request()
        assert built.wait(60)
        reading = built.get().value  # a request of version 1 under way
        built.publish(2)
        assert built.wait(60)
        assert built.latest().version == 2  # type: ignore[union-attr]
        assert not REAPER.settle(0.5)  # the request still reads version 1's value
        assert len(reading.rows) == 10_000 and reading.released_calls == 1
        rows = reading.rows
        del reading  # the request ends
        assert REAPER.settle(30)
        assert rows == {}
        assert len(built.get().value.rows) == 10_000  # the value served is whole
    finally:
        built.close()


def test_a_projection_taken_apart_is_empty_and_freed(public_store: GraphStore) -> None:
    eg = build_entity_graph(public_store)
    dict(eg.graph.degree())
    adjacency = eg.graph._adj
    assert adjacency
    gone = weakref.ref(eg.graph)
    with collector_paused():
        eg.dismantle()
        assert adjacency == {} and eg.classes == {} and eg.primary == {}
        del eg
        assert gone() is None


def test_a_released_projection_is_freed_without_a_collection(public_store: GraphStore) -> None:
    eg = build_entity_graph(public_store)
    dict(eg.graph.degree())  # what the overview asks: networkx keeps the view, which refers to the graph
    list(eg.graph.edges(data=True))
    gone = weakref.ref(eg.graph)
    with collector_paused():
        eg.released()
        del eg
        assert gone() is None


_BLOCK_PROBE = """
import sys
from graphapp.heap import large_blocks_returned
if sys.argv[1] == "set":
    assert large_blocks_returned()
big = b"x" * (16 << 20)  # a block glibc maps apart; freeing it raises its threshold unless it was set
del big
block = b"y" * (8 << 20)
where = id(block)
for line in open("/proc/self/maps"):
    span, *rest = line.split()
    low, high = (int(x, 16) for x in span.split("-"))
    if low <= where < high:
        print("heap" if line.rstrip().endswith("[heap]") else "apart", high - low)
"""


def test_large_blocks_get_a_mapping_of_their_own_once_set() -> None:
    """After a large block is freed glibc raises its threshold, and the next blocks land in the heap among small
    objects, whose pages it keeps; once the threshold is set, an 8 MB block still has a mapping of its own (freed,
    it goes back to the system)."""
    import subprocess
    import sys

    def where(mode: str) -> tuple[str, int]:
        out = subprocess.run(
            [sys.executable, "-c", _BLOCK_PROBE, mode], capture_output=True, text=True, check=True
        ).stdout.split()
        return out[0], int(out[1])

    kind, size = where("set")
    assert kind == "apart" and size < (8 << 20) + (1 << 16)
    assert where("default")[0] == "heap"  # what the service did before


def test_what_a_pause_made_is_in_the_oldest_generation() -> None:
    """The objects read with the collector paused are not left young: the next young collections would each walk
    them all."""
    with collector_paused():
        made = [[i] for i in range(1000)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(m) in oldest for m in made)
    young = {id(o) for o in gc.get_objects(generation=0)}
    assert not any(id(m) in young for m in made)
