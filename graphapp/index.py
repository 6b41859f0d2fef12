"""An in-memory index of labels and types, rebuilt once per graph version.

Pages need the label of every IRI they show (in the reader's language) and the type of every entity; asking the
store for each one would cost a query per link. The index answers from dictionaries, and also serves the
accent- and case-insensitive entity search of the home page.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import itertools
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from sys import intern
from typing import TypeVar

from .iris import is_valid_iri
from .storage import Store
from .storage import iri as as_iri

V = TypeVar("V")


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
    types: dict[str, frozenset[str]] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # "objetivo 16", "meta 16.10"
    texts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # folded descriptions
    #: property → its inverse (owl:inverseOf, either way): "referenced by" names the relation from the page
    inverses: dict[str, str] = field(default_factory=dict)
    #: each labelled entity's labels, then its alternative labels, then its SDG codes, folded (:func:`fold`) once
    #: and joined by newlines (a folded text has none): what the site's search compares. Here only the entities
    #: written since :attr:`joined` was made; the others are in it. Folding them on every search took 1.4 s of each
    #: search at 10^6 triples.
    folded: dict[str, str] = field(default_factory=dict)
    #: the folded texts and descriptions of every labelled entity when the index was built (or last joined), in two
    #: strings searched at C speed: a search at 10^7 triples no longer tests 1.4 million texts one by one
    joined: Joined | None = None
    #: the entities whose entry in :attr:`joined` a later write replaced or removed (their text is in :attr:`folded`
    #: if they still have one)
    stale: frozenset[str] = frozenset()

    @classmethod
    def build(cls, store: Store) -> GraphIndex:
        index = cls()
        index._add(
            store.select("all-labels", raw=True), store.select("all-types", raw=True), store.select("search-extra")
        )
        index.inverses = _inverses(store)
        index._join()
        return index

    def refreshed(self, store: Store, subjects: set[str]) -> GraphIndex:
        """A new index: this one with the labels and types of ``subjects`` read again (after a write that
        touched them). Readers of this index are not disturbed: the dictionaries are copied, not changed."""
        index = GraphIndex(
            labels=_without(self.labels, subjects),
            alt_labels=_without(self.alt_labels, subjects),
            types=_without(self.types, subjects),
            codes=_without(self.codes, subjects),
            texts=_without(self.texts, subjects),
            inverses=_inverses(store),
            folded=_without(self.folded, subjects),
            joined=self.joined,
            stale=self.stale | subjects if self.joined is not None else frozenset(),
        )
        for subject in sorted(subjects):
            if is_valid_iri(subject):
                bound = {"s": as_iri(subject)}
                index._add(
                    store.select("all-labels", bound, raw=True),
                    store.select("all-types", bound, raw=True),
                    store.select("search-extra", bound),
                )
        if len(index.stale) > max(REJOIN_AFTER, len(index.joined or ()) // 10):
            index._join()
        return index

    def _join(self) -> None:
        """Move every entity's folded text into one :class:`Joined` (after a build, or once many were written)."""
        entries = list(self.searchable())
        self.joined = Joined.of(
            [iri for iri, _ in entries],
            [text for _, text in entries],
            ["\n".join(self.texts.get(iri, ())) for iri, _ in entries],
        )
        self.folded = {}
        self.stale = frozenset()

    def searchable(self) -> Iterator[tuple[str, str]]:
        """Each labelled entity and its folded text, in the order of the index: those joined, then those written
        since."""
        joined, stale = self.joined, self.stale
        if joined is not None:
            for i, iri in enumerate(joined.keys):
                if iri not in stale:
                    yield iri, joined.text(i)
        yield from self.folded.items()

    def _with_word(self, word: str) -> Iterator[tuple[str, str]]:
        """The labelled entities (with their folded text, in the order of :meth:`searchable`) whose folded text or
        a description contains ``word``."""
        joined, stale = self.joined, self.stale
        if joined is not None:
            for i in joined.containing(word):
                iri = joined.keys[i]
                if iri not in stale:
                    yield iri, joined.text(i)
        texts = self.texts
        for iri, folded in self.folded.items():
            if word in folded or (iri in texts and any(word in t for t in texts[iri])):
                yield iri, folded

    def _add(
        self,
        label_rows: Sequence[Mapping[str, object]],
        type_rows: Sequence[Mapping[str, object]],
        extra_rows: Sequence[Mapping[str, object]] = (),
    ) -> None:
        best_kind: dict[tuple[str, str], int] = {}
        labelled: dict[str, None] = {}
        # rows of the engine's terms (``raw=True``): their ``.value`` is all the index needs, and converting
        # every literal to a Python value would cost most of the build (seconds at 10^6 triples)
        # IRIs, types and language tags are interned: one string per IRI however many dictionaries and rows
        # name it (at 10^6 triples the copies were a large part of the index's memory)
        for row in label_rows:
            iri_, label, kind = intern(_value(row["s"])), _value(row["label"]), int(_value(row["kind"]))
            lang = intern(_value(row["lang"])) if "lang" in row else ""
            labelled[iri_] = None
            if kind == 4:
                self.alt_labels[iri_].append(label)
                continue
            key = (iri_, lang)
            if key not in best_kind or kind < best_kind[key]:
                best_kind[key] = kind
                self.labels.setdefault(iri_, {})[lang] = label
        added: dict[str, set[str]] = defaultdict(set)
        for row in type_rows:
            added[intern(_value(row["s"]))].add(intern(_value(row["type"])))
        # most entities share their set of classes with thousands of others: one frozenset for each distinct set
        shared: dict[frozenset[str], frozenset[str]] = {}
        for iri_, found in added.items():
            classes = self.types.get(iri_, frozenset()) | found
            self.types[iri_] = shared.setdefault(classes, classes)
        for row in extra_rows:
            iri_, text, extra = intern(str(row["s"])), str(row["text"]), str(row["kind"])
            if iri_.startswith("_:"):
                continue  # a blank node has no page to find
            if extra == "description":
                self.texts[iri_].append(fold(text))
            else:
                self.codes[iri_].extend(f"{word} {text}" for word in CODE_WORDS[extra])
                labelled[iri_] = None
        for iri_ in labelled:
            if iri_ in self.labels:
                self.folded[iri_] = "\n".join(fold(c) for c in (*self._candidates(iri_), *self.codes.get(iri_, ())))

    def _candidates(self, iri: str) -> tuple[str, ...]:
        """An entity's labels, then its alternative labels: the first lines of :attr:`folded`, folded."""
        return (*self.labels.get(iri, {}).values(), *self.alt_labels.get(iri, ()))

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
        """Entities whose labels (either language, alternative labels and SDG codes too) contain every word of
        ``text``: first those with every word in one label, then in all their labels together, then in their
        description. «Objetivo 16», «ODS 16» or «meta 16.10» find the SDG goal or target by its code.
        Function words of a multi-word query («paz y justicia») are not required."""
        words = fold(text).split()
        if len(words) > 1:
            words = [w for w in words if w not in _SEARCH_STOPWORDS] or words
        if not words:
            return []
        code = _CODE.fullmatch(fold(text))
        hits: dict[str, tuple[float, str]] = {}  # the best (score, what matched) of each entity found

        def keep(iri: str, matched: str, score: float) -> None:
            found = hits.get(iri)
            if found is None or score > found[0]:
                hits[iri] = (score, matched)

        by_code: set[str] = set()  # found by an SDG code: nothing else is asked of them
        if code:
            for iri, codes in self.codes.items():
                if (
                    iri in self.labels  # the entities with a folded text (:meth:`searchable`)
                    and (within is None or iri in within)
                    and any(c.endswith(" " + code["code"]) and c.startswith(code["word"] or "") for c in codes)
                ):
                    keep(iri, fold(text), 3.0)
                    by_code.add(iri)
        first, rest, texts = words[0], words[1:], self.texts
        labels, alt_labels = self.labels, self.alt_labels
        # every other way an entity is found needs the first word in its labels, codes or descriptions
        for iri, folded in self._with_word(first):
            if iri in by_code or (within is not None and iri not in within):
                continue
            lines = folded.split("\n")
            # the lines of its labels and alternative labels (its codes' lines left out) with every word
            named = len(labels.get(iri, ())) + len(alt_labels.get(iri, ()))
            matching = [k for k, one in enumerate(lines[:named]) if first in one and all(w in one for w in rest)]
            if matching:
                candidates = self._candidates(iri)
                for k in matching:
                    one = lines[k]
                    keep(iri, candidates[k], (2.0 if one.startswith(first) else 1.0) - len(one) / 1000)
                continue
            if iri in hits or len(words) == 1:
                continue
            together = " ".join(lines)
            if all(w in together for w in words):
                keep(iri, self.label_or_iri(iri, lang), 0.5 - len(together) / 100_000)
            elif all(w in together or any(w in t for t in texts.get(iri, ())) for w in words):
                keep(iri, self.label_or_iri(iri, lang), 0.2)
        return self._best(hits, lang, limit)

    def _best(self, hits: dict[str, tuple[float, str]], lang: str, limit: int) -> list[SearchHit]:
        """The ``limit`` best ``hits``, by score then label. Only the hits scoring at least the ``limit``-th best
        score can be among them: only their labels are read (at 10^7 triples «agua» finds 53,866 entities)."""
        if len(hits) > limit > 0:
            least = heapq.nlargest(limit, (score for score, _ in hits.values()))[-1]
            hits = {iri: hit for iri, hit in hits.items() if hit[0] >= least}
        found = [SearchHit(iri, self.label_or_iri(iri, lang), matched, score) for iri, (score, matched) in hits.items()]
        return sorted(found, key=lambda h: (-h.score, h.label))[:limit]

    def by_code(self, kind: str, code: str) -> str | None:
        """The SDG goal, target or indicator (``kind``: a key of :data:`CODE_WORDS`) whose UN code is ``code``
        (``indicator``, ``16.10.1`` → the IRI ending in ``C161001``), or ``None``."""
        wanted = f"{CODE_WORDS[kind][0]} {code}"
        return next((iri for iri, codes in self.codes.items() if wanted in codes), None)

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


REJOIN_AFTER = 1000
"""Entities written since the index's texts were joined (:class:`Joined`) beyond which they are joined again (or
beyond a tenth of those joined, whichever is more): each search tests the written ones one by one."""
SCAN_WINDOW = 1 << 22
"""Bytes one ``bytes.find`` of the site's search scans at most (4 MiB): a call holds the interpreter's lock for its
whole scan, and the labels joined are 170 MB at 10^7 triples (docs/benchmarks.md)."""


@dataclass(frozen=True)
class Joined:
    """Texts of many entities in one string, so that finding those that contain a word is a few ``bytes.find`` at C
    speed rather than a substring test per entity in Python: at 10^7 triples the site's search tested 1.4 million
    folded texts for every query. Two texts per entity (its folded labels, and its folded descriptions joined by
    newlines), each joined in UTF-8 with the offsets at which each entity's text starts. UTF-8 rather than a
    ``str``: a few characters that folding keeps (’ « —) make a ``str`` of two bytes per character, twice the
    memory and slower to search; a word found in UTF-8 always starts at a character.

    >>> joined = Joined.of(["a", "b", "c"], ["agua potable", "ladrilleras", "aguacate"], ["", "agua", ""])
    >>> list(joined.containing("agua")), joined.text(2), len(joined)
    ([0, 1, 2], 'aguacate', 3)
    """

    keys: list[str]
    labels: bytes
    label_starts: array[int]
    descriptions: bytes
    description_starts: array[int]

    @classmethod
    def of(cls, keys: list[str], labels: list[str], descriptions: list[str]) -> Joined:
        return cls(keys, *_joined(labels), *_joined(descriptions))

    def __len__(self) -> int:
        return len(self.keys)

    def text(self, i: int) -> str:
        """The folded text of the ``i``-th entity."""
        return self.labels[self.label_starts[i] : self.label_starts[i + 1] - 1].decode()

    def containing(self, word: str) -> list[int]:
        """The entities (ascending) whose folded text or descriptions contain ``word``."""
        encoded = word.encode()
        found = set(_containing(self.labels, self.label_starts, encoded))
        found.update(_containing(self.descriptions, self.description_starts, encoded))
        return sorted(found)


def _joined(texts: list[str]) -> tuple[bytes, array[int]]:
    """``texts`` in UTF-8 joined by NUL, and the offset of each one's start (one more: the end of the last, plus
    one)."""
    encoded = [t.encode() for t in texts]
    return b"\0".join(encoded), array("q", itertools.accumulate((len(t) + 1 for t in encoded), initial=0))


def _containing(joined: bytes, starts: array[int], word: bytes) -> Iterator[int]:
    """The positions of the texts joined in ``joined`` that contain ``word``, ascending."""
    if not word:
        yield from range(len(starts) - 1)
        return
    if b"\0" in word:  # it could match across two texts: test each alone
        for i in range(len(starts) - 1):
            if word in joined[starts[i] : starts[i + 1] - 1]:
                yield i
        return
    find, end, size = joined.find, len(joined), len(word)
    at = 0  # where the search goes on
    while at < end:
        # a match starting before ``stop`` ends before ``stop + size - 1``; one starting later, in the next window
        stop = min(at + SCAN_WINDOW, end)
        found = find(word, at, stop + size - 1)
        if found < 0:
            at = stop
            continue
        i = bisect.bisect_right(starts, found) - 1
        yield i
        at = starts[i + 1]


def _without(entries: dict[str, V], subjects: set[str]) -> dict[str, V]:
    """A shallow copy of ``entries`` (a ``defaultdict`` stays one) without ``subjects``' entries. ``dict.copy``
    runs at C speed: at 10^6 triples a comprehension over the index's dictionaries took about 100 ms of every
    write. The values are shared with this index, which is why ``_add`` replaces a subject's values rather than
    changing them, and only for subjects removed here."""
    copied = entries.copy()
    for subject in subjects:
        copied.pop(subject, None)
    return copied


def _inverses(store: Store) -> dict[str, str]:
    """Each property declared inverse of another (``owl:inverseOf``, read both ways), with that other."""
    return {str(row["p"]): str(row["inverse"]) for row in store.select("property-inverses")}


def _value(term: object) -> str:
    """The lexical value of an engine term (an IRI's string, a literal's text)."""
    return str(getattr(term, "value", term))


# How a reader names an SDG goal, target or indicator by its code («Objetivo 16», «ODS 16», «meta 16.10»).
CODE_WORDS = {
    "goal": ("objetivo", "ods", "sdg", "goal"),
    "target": ("meta", "target", "ods", "sdg"),
    "indicator": ("indicador", "indicator"),
}
_CODE = re.compile(
    r"(?P<word>objetivo|ods|sdg|goal|meta|target|indicador|indicator)?\s*(?P<code>\d{1,2}(\.[0-9a-z]+){0,2})"
)
_SEARCH_STOPWORDS = frozenset(
    ["a", "al", "and", "de", "del", "e", "el", "en", "la", "las", "los", "o", "of", "or", "para", "por", "the", "y"]
)


def _short(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip("/"):
            return iri.rstrip("/").rsplit(sep, 1)[1]
    return iri
