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


@dataclass
class LangIndex:
    """Postings of one language: stem -> {doc: [term frequency, bit mask of fields]}."""

    postings: dict[str, dict[int, list[int]]] = field(default_factory=lambda: defaultdict(dict))
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
