"""The site's search reads labels folded once per index (``GraphIndex.folded``) and passes over an entity whose text
lacks the query's first word; it finds exactly what folding every label on every search found (the peer of
``benchmarks/site_search.py``), in every way an entity is found: a word of one label, words spread over its labels
and SDG codes, a word of its description only, and an SDG code with or without its space."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from benchmarks.site_search import folding_each_time
from graphapp.config import Settings
from graphapp.index import GraphIndex
from graphapp.store import GraphStore

QUERIES = [
    "agua",
    "ladrilleras",
    "NEZAHUALCÓYOTL",
    "brick kilns",
    "secretariado tecnico local",
    "gobierno abierto estado de mexico",
    "objetivo 16",
    "ods16",
    "meta 16.10",
    "16.10",
    "paz y justicia",
    "transparencia municipal",
    "contaminación ambiental",  # words of descriptions
    "zzzz nada",
]


@pytest.fixture(scope="module")
def index(public_store: GraphStore) -> GraphIndex:
    return GraphIndex.build(public_store)


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("limit", [1, 3, 20])
def test_the_search_finds_what_folding_every_label_each_time_found(
    index: GraphIndex, q: str, lang: str, limit: int
) -> None:
    """The search reads the labels of the best hits only (those scoring at least the ``limit``-th best score):
    ties at the limit are still ordered by label."""
    assert index.search(q, lang, limit) == folding_each_time(index, q, lang, limit)


def test_each_way_of_being_found_still_finds(index: GraphIndex) -> None:
    def iris(q: str) -> list[str]:
        return [h.iri for h in index.search(q, "es")]

    goal_16 = "http://metadata.un.org/sdg/16"
    assert iris("ods16")[:1] == iris("objetivo 16")[:1] == [goal_16]  # by code, with or without its space
    assert any(h.score == 0.2 for h in index.search("contaminación ambiental", "es"))  # by a description's words
    assert iris("zzzz nada") == []


def test_the_search_after_writes_finds_what_a_new_index_finds(settings: Settings) -> None:
    """After a write the index is refreshed, not built again: the written entities' texts are searched one by one
    beside the joined texts of the others (whose entries for those entities no longer count), and once many were
    written everything is joined again. Each way finds what an index built from the store as it now is finds."""
    store = GraphStore.from_settings(settings)
    before = GraphIndex.build(store)
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    renamed = sorted(before.labels)[:5]
    old = [q for q in store.quads_about(renamed) if q.predicate == label]
    new = [
        ox.Quad(ox.NamedNode(iri), label, ox.Literal(f"Zanahoria agua {n}", language="es"), old[0].graph_name)
        for n, iri in enumerate(renamed)
    ]
    store.apply(new, old)

    refreshed = before.refreshed(store, set(renamed))
    assert refreshed.stale == frozenset(renamed)  # a few written: searched one by one, not joined again
    everything = refreshed.refreshed(store, set(before.labels))  # more than a tenth: joined again
    assert everything.stale == frozenset() and everything.folded == {}
    built = GraphIndex.build(store)
    for q in ["zanahoria", "zanahoria agua", "agua", *[before.label(iri, "es") or "" for iri in renamed], *QUERIES]:
        for lang in ("es", "en"):
            expected = built.search(q, lang)
            assert refreshed.search(q, lang) == everything.search(q, lang) == expected, q
            assert expected == folding_each_time(built, q, lang), q
    assert {h.iri for h in refreshed.search("zanahoria", "es")} == set(renamed)


def test_a_scan_in_small_windows_finds_what_one_scan_finds(index: GraphIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site's search scans the joined texts a window at a time (``graphapp.index.SCAN_WINDOW``, so that no one
    ``bytes.find`` holds the interpreter's lock for long): a match across a window's edge is found, and once."""
    joined = index.joined
    assert joined is not None
    words = ["agua", "a", "ladrilleras", "nezahualcoyotl", "objetivo 16", "de la", "zzzz", "'"]
    texts = [joined.text(i) for i in range(len(joined))]
    descriptions = [
        joined.descriptions[joined.description_starts[i] : joined.description_starts[i + 1] - 1].decode()
        for i in range(len(joined))
    ]
    expected = {w: [i for i in range(len(joined)) if w in texts[i] or w in descriptions[i]] for w in words}
    assert all(expected[w] for w in ("agua", "a", "ladrilleras"))
    hits = {(q, lang): index.search(q, lang) for q in QUERIES for lang in ("es", "en")}
    for window in (3, 64, 4096):  # 3: shorter than most of the words, so that matches cross the edges
        monkeypatch.setattr("graphapp.index.SCAN_WINDOW", window)
        for w in words:
            assert joined.containing(w) == expected[w], (window, w)
        assert {(q, lang): index.search(q, lang) for q, lang in hits} == hits, window
