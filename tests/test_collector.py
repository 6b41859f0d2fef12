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
from collections.abc import Iterator
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, ModuleType
from typing import Any

from graphapp import derived
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
