"""The site's search reads labels folded once per index (``GraphIndex.folded``) and passes over an entity whose text
lacks the query's first word; it finds exactly what folding every label on every search found (the peer of
``benchmarks/site_search.py``), in every way an entity is found: a word of one label, words spread over its labels
and SDG codes, a word of its description only, and an SDG code with or without its space."""

from __future__ import annotations

import pytest

from benchmarks.site_search import folding_each_time
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
def test_the_search_finds_what_folding_every_label_each_time_found(index: GraphIndex, q: str, lang: str) -> None:
    assert index.search(q, lang) == folding_each_time(index, q, lang)


def test_each_way_of_being_found_still_finds(index: GraphIndex) -> None:
    def iris(q: str) -> list[str]:
        return [h.iri for h in index.search(q, "es")]

    goal_16 = "http://metadata.un.org/sdg/16"
    assert iris("ods16")[:1] == iris("objetivo 16")[:1] == [goal_16]  # by code, with or without its space
    assert any(h.score == 0.2 for h in index.search("contaminación ambiental", "es"))  # by a description's words
    assert iris("zzzz nada") == []
