"""The postings of the search index, one set per language: which practice uses which stem, in which fields.

Postings come from a practice's own text (the fields of :data:`CORE_FIELDS`) and, apart, from the statements of its
SDGs. A stem also reaches its prefix relatives (:data:`PREFIX_STRENGTH`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from .text import PREFIX_MIN

PREFIX_STRENGTH = 0.9
CORE_FIELDS = ("label", "problem", "solution", "benefit", "beneficiaries", "description", "output")
FIELD_BITS = len(CORE_FIELDS)
FIELD_MASK = (1 << FIELD_BITS) - 1  # the low bits of a posting: its fields


def posting(previous: int, field_bit: int) -> int:
    """A posting counted once more, in the field of ``field_bit``: ``previous`` is 0 for a new one.

    >>> unpack(posting(posting(0, 0b10), 0b1))
    (2, 3)
    """
    return ((previous >> FIELD_BITS) + 1) << FIELD_BITS | (previous & FIELD_MASK) | field_bit


def unpack(packed: int) -> tuple[int, int]:
    """A posting's term frequency and its bit mask of fields."""
    return packed >> FIELD_BITS, packed & FIELD_MASK


@dataclass
class LangIndex:
    """Postings of one language: stem -> {doc: one int, the term frequency and the bit mask of the fields it is
    in} (:func:`posting`, :func:`unpack`). An int rather than a pair: a pair per posting was 725,000 objects for the
    interpreter's collector to walk at 10^6 triples, most of the finder's index (see ``docs/benchmarks.md``)."""

    postings: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    sdg_postings: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    doc_len: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    surface: dict[str, str] = field(default_factory=dict)
    vocab: list[str] = field(default_factory=list)
    labels: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # theme, label, its stems

    def variants(self, s: str) -> list[tuple[str, float]]:
        """Indexed stems that match ``s``: itself (1.0) and prefix relatives (:data:`PREFIX_STRENGTH`)."""
        found = [(s, 1.0)] if s in self.postings or s in self.sdg_postings else []
        if len(s) >= PREFIX_MIN:
            for k in range(PREFIX_MIN, len(s)):
                if s[:k] in self.postings or s[:k] in self.sdg_postings:
                    found.append((s[:k], PREFIX_STRENGTH))
            i = bisect_left(self.vocab, s)
            while i < len(self.vocab) and self.vocab[i].startswith(s):
                if self.vocab[i] != s:
                    found.append((self.vocab[i], PREFIX_STRENGTH))
                i += 1
        return found
