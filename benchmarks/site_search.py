"""The site's search (``/buscar``, ``graphapp.index.GraphIndex.search``) over the label index of a large graph: the
labels folded once when the index is built and joined into one string searched at C speed, against two peers in
the same run: folding them on every search (as the service did before 2026-12-07), and testing each entity's folded
text in turn (as it did until the texts were joined).

    python benchmarks/site_search.py --triples 1000000
    python benchmarks/site_search.py --store STORE_DIR/db      # an existing embedded store, opened read-only

Builds the label index with the service's builder, then runs each search 3 times each way (median) and checks
that all give the same hits; prints the memory the folded labels take each way.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.loaded_store import median_run, run_on_a_store  # noqa: E402

if TYPE_CHECKING:
    from graphapp.index import GraphIndex

SEARCHES = ["agua", "ladrilleras", "gobierno abierto", "objetivo 16", "transparencia municipal", "nezahualcoyotl"]


def folding_each_time(index: object, text: str, lang: str, limit: int = 20) -> list[object]:
    """The search as it was: every label folded again on every search."""
    from graphapp.index import _CODE, _SEARCH_STOPWORDS, SearchHit, fold

    words = fold(text).split()
    if len(words) > 1:
        words = [w for w in words if w not in _SEARCH_STOPWORDS] or words
    code = _CODE.fullmatch(fold(text))
    hits: dict[str, SearchHit] = {}

    def keep(iri: str, matched: str, score: float) -> None:
        if iri not in hits or score > hits[iri].score:
            hits[iri] = SearchHit(iri, index.label_or_iri(iri, lang), matched, score)  # type: ignore[attr-defined]

    for iri, labels in index.labels.items():  # type: ignore[attr-defined]
        codes = index.codes.get(iri, ())  # type: ignore[attr-defined]
        if code and any(c.endswith(" " + code["code"]) and c.startswith(code["word"] or "") for c in codes):
            keep(iri, fold(text), 3.0)
            continue
        candidates = (*labels.values(), *index.alt_labels.get(iri, ()))  # type: ignore[attr-defined]
        for candidate in candidates:
            folded = fold(candidate)
            if all(w in folded for w in words):
                keep(iri, candidate, (2.0 if folded.startswith(words[0]) else 1.0) - len(folded) / 1000)
        if iri in hits or len(words) == 1:
            continue
        together = " ".join(fold(c) for c in (*candidates, *codes))
        if all(w in together for w in words):
            keep(iri, index.label_or_iri(iri, lang), 0.5 - len(together) / 100_000)  # type: ignore[attr-defined]
        elif all(w in together or any(w in t for t in index.texts.get(iri, ())) for w in words):  # type: ignore[attr-defined]
            keep(iri, index.label_or_iri(iri, lang), 0.2)  # type: ignore[attr-defined]
    return sorted(hits.values(), key=lambda h: (-h.score, h.label))[:limit]


def testing_each_text(index: GraphIndex) -> GraphIndex:
    """The index as it was from 2026-12-07 until the texts were joined: every entity's folded text in the
    dictionary that the search tests one by one (``GraphIndex.folded``, with nothing joined)."""
    return dataclasses.replace(index, folded=dict(index.searchable()), joined=None, stale=frozenset())


def measure(store_path: Path) -> list[str]:
    from graphapp.index import GraphIndex
    from graphapp.store import GraphStore

    index = GraphIndex.build(GraphStore.read_only(store_path))
    one_by_one = testing_each_text(index)
    folded = one_by_one.folded
    held = (sys.getsizeof(folded) + sum(sys.getsizeof(v) for v in folded.values())) / 2**20
    joined = index.joined
    assert joined is not None
    joined_mb = sum(sys.getsizeof(x) for x in (joined.labels, joined.label_starts, joined.keys)) / 2**20
    joined_mb += sum(sys.getsizeof(x) for x in (joined.descriptions, joined.description_starts)) / 2**20
    rows = [
        f"{len(index.labels):,} labelled entities; their folded texts held {held:.0f} MB as one string each in a "
        f"dictionary, {joined_mb:.0f} MB joined (with the descriptions again), `sys.getsizeof`",
        "",
        "| search | hits | folding every label each time | testing each folded text | joined | ratio to each text |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for text in SEARCHES:
        took = {}
        hits = {}
        for way, run in (
            ("each", lambda text=text: folding_each_time(index, text, "es")),
            ("texts", lambda text=text: one_by_one.search(text, "es")),
            ("joined", lambda text=text: index.search(text, "es")),
        ):
            took[way], hits[way] = median_run(run, 3)
        same = "" if hits["each"] == hits["texts"] == hits["joined"] else " (hits differ!)"
        rows.append(
            f"| «{text}» | {len(hits['joined'])}{same} | {took['each'] * 1000:.0f} ms | {took['texts'] * 1000:.0f} ms "
            f"| {took['joined'] * 1000:.0f} ms | {took['texts'] / took['joined']:.1f}x |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_on_a_store(argv, __doc__, "site-search-", measure)


if __name__ == "__main__":
    sys.exit(main())
