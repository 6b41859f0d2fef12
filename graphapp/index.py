"""An in-memory index of labels and types, rebuilt once per graph version.

Pages need the label of every IRI they show (in the reader's language) and the type of every entity; asking the
store for each one would cost a query per link. The index answers from dictionaries, and also serves the
accent- and case-insensitive entity search of the home page.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from .iris import is_valid_iri
from .store import GraphStore
from .store import iri as as_iri


def fold(text: str) -> str:
    """Lower-case, accents removed, spaces collapsed: the form searches compare.

    >>> fold("  Nezahualcóyotl  MÉXICO ")
    'nezahualcoyotl mexico'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


@dataclass
class SearchHit:
    iri: str
    label: str
    matched: str
    score: float


@dataclass
class GraphIndex:
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    alt_labels: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, store: GraphStore) -> GraphIndex:
        index = cls()
        index._add(store.select("all-labels", raw=True), store.select("all-types", raw=True))
        return index

    def refreshed(self, store: GraphStore, subjects: set[str]) -> GraphIndex:
        """A new index: this one with the labels and types of ``subjects`` read again (after a write that
        touched them). Readers of this index are not disturbed: the dictionaries are copied, not changed."""
        index = GraphIndex(
            labels={k: v for k, v in self.labels.items() if k not in subjects},
            alt_labels=defaultdict(list, {k: v for k, v in self.alt_labels.items() if k not in subjects}),
            types=defaultdict(set, {k: v for k, v in self.types.items() if k not in subjects}),
        )
        for subject in sorted(subjects):
            if is_valid_iri(subject):
                bound = {"s": as_iri(subject)}
                index._add(store.select("all-labels", bound, raw=True), store.select("all-types", bound, raw=True))
        return index

    def _add(self, label_rows: list[dict[str, object]], type_rows: list[dict[str, object]]) -> None:
        best_kind: dict[tuple[str, str], int] = {}
        # rows of the engine's terms (``raw=True``): their ``.value`` is all the index needs, and converting
        # every literal to a Python value would cost most of the build (seconds at 10^6 triples)
        for row in label_rows:
            iri_, label, kind = _value(row["s"]), _value(row["label"]), int(_value(row["kind"]))
            lang = _value(row["lang"]) if "lang" in row else ""
            if kind == 4:
                self.alt_labels[iri_].append(label)
                continue
            key = (iri_, lang)
            if key not in best_kind or kind < best_kind[key]:
                best_kind[key] = kind
                self.labels.setdefault(iri_, {})[lang] = label
        for row in type_rows:
            self.types[_value(row["s"])].add(_value(row["type"]))

    def label(self, iri: str, lang: str) -> str | None:
        """The label in ``lang``, else in the other language, else untagged; ``None`` if there is none."""
        found = self.labels.get(iri)
        if not found:
            return None
        other = "en" if lang == "es" else "es"
        return found.get(lang) or found.get(other) or found.get("") or next(iter(found.values()))

    def label_or_iri(self, iri: str, lang: str) -> str:
        return self.label(iri, lang) or _short(iri)

    def search(self, text: str, lang: str, limit: int = 20, within: set[str] | None = None) -> list[SearchHit]:
        """Entities whose labels (either language, alternative labels too) contain every word of ``text``."""
        words = fold(text).split()
        if not words:
            return []
        hits: dict[str, SearchHit] = {}
        for iri, labels in self.labels.items():
            if within is not None and iri not in within:
                continue
            for candidate in (*labels.values(), *self.alt_labels.get(iri, ())):
                folded = fold(candidate)
                if all(w in folded for w in words):
                    score = (2.0 if folded.startswith(words[0]) else 1.0) - len(folded) / 1000
                    if iri not in hits or score > hits[iri].score:
                        hits[iri] = SearchHit(iri, self.label_or_iri(iri, lang), candidate, score)
        return sorted(hits.values(), key=lambda h: (-h.score, h.label))[:limit]

    def close_matches(self, text: str, lang: str, limit: int = 5) -> list[tuple[str, str]]:
        """IRIs whose label or IRI slug looks like ``text`` (for a 404 page): (iri, label) pairs."""
        target = fold(text.replace("-", " ").replace("/", " "))
        by_key: dict[str, str] = {}
        for iri, labels in self.labels.items():
            by_key.setdefault(fold(_short(iri).replace("-", " ")), iri)
            for label in labels.values():
                by_key.setdefault(fold(label), iri)
        keys = difflib.get_close_matches(target, list(by_key), n=limit * 3, cutoff=0.5)
        seen: list[str] = []
        for key in keys:
            if by_key[key] not in seen:
                seen.append(by_key[key])
        return [(iri, self.label_or_iri(iri, lang)) for iri in seen[:limit]]


def _value(term: object) -> str:
    """The lexical value of an engine term (an IRI's string, a literal's text)."""
    return str(getattr(term, "value", term))


def _short(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip("/"):
            return iri.rstrip("/").rsplit(sep, 1)[1]
    return iri
