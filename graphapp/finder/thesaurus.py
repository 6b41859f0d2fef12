"""The public-problem thesaurus (``data/tesauro/temas-problemas.ttl``) as the finder uses it.

Themes whose label or synonym (all its words) occurs in a query are recognised («brecha salarial», «preparatoria»,
«humo»). A practice about such a theme, or a narrower or broader one, explains the query words the theme covers even
if its own text says it differently (:data:`RELATION_STRENGTH`). Themes also carry the SDGs a practice shares.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .postings import LangIndex
from .text import LANGS, analyse, reading_languages, related_stems

PARTIAL = 0.8  # a theme named by two words of its labels rather than by a whole label
RELATION_STRENGTH = {"same": 1.0, "narrower": 0.8, "broader": 0.6}
FILED_STRENGTH = 0.5
"""How much a theme of an OGP commitment counts, relative to a practice's: the commitment's themes are filed from
the policy areas its page prints (docs/finder.md), not read from its problem."""


@dataclass
class Theme:
    iri: str
    pref: dict[str, str] = field(default_factory=dict)
    alt: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    definition: dict[str, str] = field(default_factory=dict)
    broader: set[str] = field(default_factory=set)
    narrower: set[str] = field(default_factory=set)
    sdgs: set[str] = field(default_factory=set)

    def label(self, lang: str) -> str:
        return self.pref.get(lang) or next(iter(self.pref.values()), self.iri)


@dataclass
class ThemeHit:
    """A thesaurus theme recognised in the query text: the label matched, how surely, and the query words it covers."""

    theme: str
    label: str
    lang: str
    strength: float
    words: tuple[str, ...]


def sdg_order(iri: str) -> tuple[int, str]:
    """Sort key for SDG goals and targets by their UN code: ``.../8.5`` before ``.../8.10`` before ``.../10.2``."""
    code = iri.rsplit("/", 1)[-1]
    head, _, rest = code.partition(".")
    return (int(head) if head.isdigit() else 99, rest.zfill(3))


class Thesaurus:
    """The thesaurus side of :class:`~graphapp.finder.index.PracticeIndex`: the hierarchy of themes, the practices
    about each, their SDGs, and recognising themes in text. The index fills these attributes when it is built."""

    themes_of: list[set[str]]
    themes: dict[str, Theme]
    theme_docs: dict[str, set[int]]
    filed: set[int]  # docs whose themes are filed from OGP policy areas (the OGP commitments)
    sdg_codes: dict[str, str]
    sdg_text: dict[str, dict[str, str]]
    langs: dict[str, LangIndex]
    _related: dict[str, dict[int, tuple[float, str, str, tuple[str, ...]]]]

    def ancestors(self, theme: str) -> dict[str, list[str]]:
        """Broader themes, each with the path from ``theme`` to it (both ends included)."""
        return self._walk(theme, "broader")

    def descendants(self, theme: str) -> dict[str, list[str]]:
        return self._walk(theme, "narrower")

    def _walk(self, theme: str, direction: str) -> dict[str, list[str]]:
        paths = {theme: [theme]}
        todo = [theme]
        while todo:
            current = todo.pop(0)
            for nxt in sorted(getattr(self.themes[current], direction)):
                if nxt not in paths:
                    paths[nxt] = [*paths[current], nxt]
                    todo.append(nxt)
        del paths[theme]
        return paths

    def related_docs(self, theme: str) -> dict[int, tuple[float, str, str, tuple[str, ...]]]:
        """Practices about ``theme``, a narrower or a broader theme: doc -> (strength, relation, its theme, path)."""
        cached = self._related.get(theme)
        if cached is not None:
            return cached
        out: dict[int, tuple[float, str, str, tuple[str, ...]]] = {}
        candidates = [(theme, "same", [theme])]
        candidates += [(t, "narrower", p) for t, p in self.descendants(theme).items()]
        candidates += [(t, "broader", p) for t, p in self.ancestors(theme).items()]
        for their, relation, path in candidates:
            for doc in self.theme_docs.get(their, ()):
                # an OGP commitment's themes are filed from every policy area its page prints, cross-cutting
                # lenses included («Gender» on a forestry commitment): they count less than a practice's subject
                strength = RELATION_STRENGTH[relation] * (FILED_STRENGTH if doc in self.filed else 1.0)
                if doc not in out or out[doc][0] < strength:
                    out[doc] = (strength, relation, their, tuple(path))
        self._related[theme] = out  # the index never changes: a new graph version gets a new index
        return out

    def practice_count(self, theme: str) -> int:
        """How many practices (not OGP commitments) are about ``theme`` or a narrower theme."""
        return sum(
            1
            for doc, (_, relation, _, _) in self.related_docs(theme).items()
            if relation != "broader" and doc not in self.filed
        )

    def sdg(self, sdg: str, lang: str) -> dict[str, str]:
        """An SDG goal or target as shown: its IRI, UN code and statement."""
        texts = self.sdg_text.get(sdg, {})
        return {"iri": sdg, "code": self.sdg_codes.get(sdg, sdg.rsplit("/", 1)[-1]), "label": texts.get(lang, "")}

    def practice_sdgs(self, doc: int) -> set[str]:
        """A practice shares the SDGs of the themes it is about."""
        return {sdg for t in self.themes_of[doc] for sdg in self.themes[t].sdgs}

    def recognise(self, text: str) -> list[ThemeHit]:
        """Themes named in ``text`` (stems, either language): a label or synonym with all its words in the text
        (strength 1), or else at least two different words of the theme's labels (strength :data:`PARTIAL`)."""
        hits: dict[str, ThemeHit] = {}
        for lang in LANGS:
            query = analyse(text, lang)
            if not query:
                continue
            vocab: dict[str, set[str]] = defaultdict(set)
            for theme, label, stems in self.langs[lang].labels:
                vocab[theme].update(stems)
                covered = [(q, w) for q, w in query if any(related_stems(q, s) for s in stems)]
                if covered and all(any(related_stems(q, s) for q, _ in query) for s in stems):
                    self._keep(hits, ThemeHit(theme, label, lang, 1.0, tuple(dict.fromkeys(w for _, w in covered))))
            for theme, theme_stems in vocab.items():
                used = {s for s in theme_stems if any(related_stems(q, s) for q, _ in query)}
                if len(used) >= 2 and theme not in hits:
                    words = tuple(dict.fromkeys(w for q, w in query if any(related_stems(q, s) for s in used)))
                    self._keep(hits, ThemeHit(theme, self.themes[theme].label(lang), lang, PARTIAL, words))
        return sorted(hits.values(), key=lambda h: (-h.strength, -len(h.words), h.label))

    @staticmethod
    def _keep(hits: dict[str, ThemeHit], hit: ThemeHit) -> None:
        best = hits.get(hit.theme)
        if best is None or (hit.strength, len(hit.words)) > (best.strength, len(best.words)):
            hits[hit.theme] = hit

    def readings(self, text: str, recognised: list[ThemeHit]) -> tuple[str, ...]:
        """The languages to read ``text`` in: the one whose function words (then theme labels) it uses more,
        or both (see :func:`~graphapp.finder.text.reading_languages`). Reading English as Spanish finds false
        friends («permit» in «permitieron»)."""
        return reading_languages(text, [hit.lang for hit in recognised])
