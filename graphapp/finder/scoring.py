"""Scoring a query against the index, the :data:`THRESHOLD` a practice must reach, and the reasons it matched.

The score is the share of the query that a practice explains. Each query word weighs as much as it is specific in
the collection (inverse document frequency, never less than half the weight of the rarest word), so that explaining
«ladrilleras» counts and explaining «público» hardly does. A word found in the practice's name, problem, solution,
benefits or outputs counts fully (0.9 through a shared prefix), a word found only in the statement of one of its
SDGs counts half, a word covered by a theme counts 1, 0.8 or 0.6 (same, narrower or broader theme). The words no
practice uses weigh together at most :data:`UNKNOWN_CAP` rarest words, so that the story a paragraph tells does not
dilute its match. The better of the Spanish and English readings is kept. Practices under :data:`THRESHOLD` are not
shown: a problem nobody in the graph addressed gets no answer; and every result must share something specific with
the query, never only words of the whole domain (:meth:`Scorer._specific`). Practices and OGP commitments are scored
each against their own collection (:meth:`Scorer._score_text`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from itertools import repeat
from operator import add, truediv
from typing import Literal

from ..index import fold
from .postings import CORE_FIELDS, FIELD_BITS, FIELD_MASK, LangIndex
from .text import LIGHT_VERBS, analyse, stem
from .thesaurus import ThemeHit, Thesaurus, sdg_order

THRESHOLD = 0.3
"""Least score a practice needs to be shown: chosen on the held-out part of tests/finder_eval.json, never used to
tune the method (docs/finder.md)."""

SDG_STRENGTH = 0.5
UNKNOWN_WEIGHT = 0.5  # weight of a query word no practice uses, relative to the rarest word
NEAR = 0.3  # a problem of the graph scoring under THRESHOLD + NEAR must match specifically in each language
UNKNOWN_CAP = 1.0  # all the words no practice uses weigh together at most this many rarest words
MAIN_FIELDS = sum(1 << CORE_FIELDS.index(f) for f in ("label", "problem", "solution", "benefit", "output"))
CORE_PROBLEM = sum(1 << CORE_FIELDS.index(f) for f in ("label", "problem"))
K1, B = 1.2, 0.75  # BM25
COMMON_SHARE = 0.01
"""A stem used by more than this share of the graph's entities (names, descriptions, definitions) is a word of the
whole domain, never distinctive on its own (:meth:`Scorer._specific`)."""
COMMON_MIN_ENTITIES = 20  # …and by more than this many, so that a small graph has no common words by accident


# Why a practice matched, as the scoring finds it (:meth:`Scorer._explain` groups them for the page):
#: a query word found in the practice's text: the word, the stem it matched, the language, the fields (bit mask)
TextReason = tuple[Literal["text"], str, str, str, int]
#: a query word found only in the statement of one of the practice's SDGs (word, stem, language, 0)
SdgReason = tuple[Literal["sdg"], str, str, str, int]
#: a query word naming a theme the practice is on: the word, the query's theme, the relation ("same", "narrower",
#: "broader"), the practice's theme and the path between the two
ThemeReason = tuple[Literal["theme"], str, str, str, str, tuple[str, ...]]
#: a theme the reader picked (or the problem's): the theme, the relation, the practice's theme and the path
PickedReason = tuple[Literal["picked"], str, str, str, tuple[str, ...]]
#: the practice addresses the problem of the graph asked about
AddressesReason = tuple[Literal["addresses"], str]
Reason = TextReason | SdgReason | ThemeReason | PickedReason | AddressesReason
#: per practice: (score, language of the better reading, BM25, reasons)
Scored = tuple[float, str, float, list[Reason]]


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


@dataclass
class Hit:
    iri: str
    score: float
    bm25: float
    lang: str
    why: list[dict[str, object]]


@dataclass
class SearchResult:
    hits: list[Hit]
    themes: list[ThemeHit]  # recognised in the text
    query_themes: list[str]  # every theme the query is about (recognised, picked or the problem's)
    problem: str | None = None


@dataclass
class _Word:
    """A word of the query as one reading scores it: its indexed variants, its specificity and weight, and the
    recognised themes it names."""

    word: str
    variants: list[tuple[str, float]]
    idf: float
    weight: float
    hits: list[ThemeHit]


@dataclass
class _Reading:
    """The query read in one language, what :meth:`Scorer._details` needs to explain a practice's score."""

    lang: str
    words: list[_Word]
    avgdl: float
    picked: list[str]
    expand: bool


@dataclass
class ProblemQuery:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    practices: list[str] = field(default_factory=list)


class Scorer(Thesaurus):
    """The searching side of :class:`~graphapp.finder.index.PracticeIndex`: scores, threshold and explanations."""

    practices: list[str]
    doc_of: dict[str, int]
    problem_of: list[set[str]]
    common: dict[str, frozenset[str]]
    _collections_cache: list[frozenset[int]] | None = None
    _main_df_cache: dict[tuple[str, str, frozenset[int]], int] | None = None
    _lengths_cache: dict[tuple[str, frozenset[int]], tuple[int, int]] | None = None
    _strengths_cache: dict[str, dict[float, frozenset[int]]] | None = None

    def search(
        self,
        text: str = "",
        themes: Iterable[str] = (),
        problem_query: ProblemQuery | None = None,
        *,
        expand: bool = True,
        scoring: str = "coverage",
        threshold: float = THRESHOLD,
        limit: int = 10,
        lang: str | None = None,
        unknown_cap: float = UNKNOWN_CAP,
    ) -> SearchResult:
        """Practices relevant to a problem described in ``text``, to picked ``themes`` and/or to a problem of the
        graph (``problem_query``: its labels and themes, see :meth:`problem_query`), best first, at most ``limit``.

        ``expand=False`` leaves the thesaurus and the SDGs out, and ``scoring="bm25"`` scores by normalised BM25:
        the baselines docs/finder.md compares with (``unknown_cap=math.inf``: the earlier method, where every word no
        practice uses weighs). ``lang`` is the reader's language: a problem of the graph is
        explained with the words of its label in that language."""
        recognised = self.recognise(text) if expand and text else []
        picked = list(dict.fromkeys(themes))
        parts = []
        if text.strip() or picked:
            parts.append(
                self._score_text(text, picked, recognised, expand, scoring, unknown_cap=unknown_cap, floor=threshold)
            )
        if problem_query is not None:
            parts.append(self._score_problem(problem_query, expand, lang, threshold))
        combined = parts[0] if parts else {}
        if len(parts) == 2:  # a text and a problem: a practice must answer both
            first, second = parts
            combined = {
                d: (min(first[d][0], second[d][0]), first[d][1], first[d][2] + second[d][2], first[d][3] + second[d][3])
                for d in first.keys() & second.keys()
            }
        # the query's themes, by the words that name them: a practice on none of them must speak of one
        about = {w for h in recognised for w in h.words} if recognised or picked else None
        ranked = sorted(
            (d for d, entry in combined.items() if entry[0] >= threshold and self._specific(d, entry[3], about=about)),
            # at the same score a practice, which can be replicated, comes before an OGP commitment
            key=lambda d: (-round(combined[d][0], 6), d in self.filed, -combined[d][2], self.practices[d]),
        )[:limit]
        query_themes = list(dict.fromkeys([h.theme for h in recognised] + picked))
        if problem_query is not None:
            query_themes += [t for t in problem_query.themes if t not in query_themes]
        hits = [
            Hit(
                self.practices[d],
                round(min(combined[d][0], 1.0), 3),
                combined[d][2],
                combined[d][1],
                self._explain(d, combined[d][3]),
            )
            for d in ranked
        ]
        for h in hits:
            shared = self._shared_sdgs(self.doc_of[h.iri], query_themes)
            if shared:
                h.why.append({"kind": "sdg", "sdgs": shared})
        return SearchResult(hits, recognised, query_themes, problem_query.iri if problem_query else None)

    def _specific(self, doc: int, reasons: list[Reason], need: int = 1, about: set[str] | None = None) -> bool:
        """Whether a practice shares something specific with the query: a theme, the problem asked about, or
        ``need`` distinctive words of its name, problem, solution, benefits or outputs: the same stem (not a shared
        prefix, not only in its SDGs), used there by few practices (one in ten, or this one only), not a light verb
        («generan», «toman») and not a word of the whole domain («gobierno», «municipal», «información»: see
        :data:`COMMON_SHARE`). Words alone are not enough when the query is ``about`` themes the practice does not
        share (``about``: the words that name the query's themes), unless its own text uses one of those words
        (with distinctive words besides): «falta de participación de jóvenes» is about participation, not about a
        practice for young people.
        A practice that shares only generic words is never shown, however many of them it shares."""
        members = self._collection_of(doc)
        specific: dict[str, int] = {}
        words: set[str] = set()
        on_topic = about is None
        for reason in reasons:
            if reason[0] in ("picked", "addresses"):
                return True
            if reason[0] == "theme":
                if doc in self.filed and reason[3] == "broader":
                    # a commitment filed under a broader theme than the query's («brecha salarial» → gender, from
                    # OGP's «Gender» lens): near the topic, but its own words must show it is about it
                    on_topic = True
                    continue
                if not self._common_word(reason[1], members):
                    return True  # a theme the query names with a word of its own, not a word of the whole domain
                on_topic = True  # on the query's theme, named with a common word: distinctive words must say more
            if reason[0] == "text":
                _, word, matched, lang, mask = reason
                if mask & MAIN_FIELDS and matched == stem(fold(word), lang) and matched not in self.common[lang]:
                    words.add(word)  # it speaks of this word in its own text (the query's theme, maybe)
                if (
                    mask & MAIN_FIELDS
                    and matched == stem(fold(word), lang)
                    and matched not in LIGHT_VERBS[lang]
                    and matched not in self.common.get(lang, ())
                    and self._main_df(lang, matched, members) <= max(1, len(members) // 10)
                ):
                    # a word of its name or of the problem it addressed says what it is about: it counts twice
                    specific[matched] = max(specific.get(matched, 0), 2 if mask & CORE_PROBLEM else 1)
        return sum(specific.values()) >= 2 * need and (on_topic or (about is not None and bool(words & about)))

    def _common_word(self, word: str, members: frozenset[int]) -> bool:
        """Whether a query word is common in either language: a word of the whole domain («información»,
        «pública»: :data:`COMMON_SHARE`), or one that many of the practices (or of the OGP commitments, for a
        commitment) use in their name, problem, solution, benefits or outputs (more than one in ten:
        «transparencia» among OGP commitments)."""
        folded = fold(word)
        for lang in self.common:
            s = stem(folded, lang)
            if s in self.common[lang] or self._main_df(lang, s, members) > max(1, len(members) // 10):
                return True
        return False

    def _main_df(self, lang: str, matched: str, members: frozenset[int]) -> int:
        """How many of ``members`` use a stem in their name, problem, solution, benefits or outputs; counted once per
        index (the index never changes): every candidate of a search asks it of each of its words, and counting the
        postings of a common stem each time took most of a search at 10^7 triples."""
        cache = self._main_df_cache
        if cache is None:
            cache = self._main_df_cache = {}
        key = (lang, matched, members)  # members: one of the index's own collections, hashed once
        found = cache.get(key)
        if found is None:
            found = cache[key] = sum(
                1
                for d, packed in self.langs[lang].postings.get(matched, {}).items()
                if packed & MAIN_FIELDS and d in members  # the fields are a posting's low bits
            )
        return found

    def _score_text(
        self,
        text: str,
        picked: list[str],
        recognised: list[ThemeHit],
        expand: bool,
        scoring: str,
        langs: tuple[str, ...] | None = None,
        unknown_cap: float = UNKNOWN_CAP,
        floor: float = THRESHOLD,
        keep: frozenset[int] = frozenset(),
    ) -> dict[int, Scored]:
        """Per practice scoring at least ``floor``, or in ``keep``: (score, language of the better reading, BM25, raw
        reasons). ``langs`` forces the readings (a label of the graph is read in its own language).

        Practices and OGP commitments are scored each against their own collection (:meth:`_collections`): a
        word only commitments use is a word no practice uses when a practice is scored, so that adding
        commitments to the graph leaves the practices' scores as they were."""
        best: dict[int, Scored] = {}
        for members in self._collections():
            scored = self._score_collection(
                text, picked, recognised, expand, scoring, langs, unknown_cap, members, floor, keep
            )
            best.update(scored)
        return best

    def _collections(self) -> list[frozenset[int]]:
        """The docs scored together: the practices, and the OGP commitments."""
        cached = self._collections_cache
        if cached is None:
            commitments = frozenset(self.filed)
            practices = frozenset(range(len(self.practices))) - commitments
            cached = [c for c in (practices, commitments) if c]
            self._collections_cache = cached
        return cached

    def _collection_of(self, doc: int) -> frozenset[int]:
        return next(c for c in self._collections() if doc in c)

    def _score_collection(
        self,
        text: str,
        picked: list[str],
        recognised: list[ThemeHit],
        expand: bool,
        scoring: str,
        langs: tuple[str, ...] | None,
        unknown_cap: float,
        members: frozenset[int],
        floor: float,
        keep: frozenset[int],
    ) -> dict[int, Scored]:
        """Scores every practice of ``members`` by whole sets of postings (:meth:`_contributions`), then reads the
        BM25 and the reasons (:meth:`_details`) of those scoring at least ``floor`` or in ``keep`` only: a search at
        10^7 triples scores a hundred thousand practices and shows ten (docs/benchmarks.md)."""
        n = max(len(members), 1)
        top_idf = _idf(1, n)
        theme_words = {w for h in recognised for w in h.words}
        best: dict[int, tuple[float, _Reading]] = {}
        for lang in langs or self.readings(text, recognised):
            lx = self.langs[lang]
            tokens = list({s: (s, w) for s, w in reversed(analyse(text, lang))}.values())[::-1]
            total = 0.0
            unknown = 0.0
            bm_max = 0.0
            gained: dict[int, float] = {}
            words: list[_Word] = []
            for s, word in tokens:
                variants = lx.variants(s)
                # the practices of ``members`` whose text uses each variant: its document frequency, and its share
                in_text = [(strength, lx.postings[v].keys() & members) for v, strength in variants if v in lx.postings]
                df = len(set().union(*(docs for _, docs in in_text)))
                idf = _idf(max(df, 1), n)
                themed = word in theme_words
                # a word that names a theme is the heart of the problem; a word no practice uses may be filler
                weight = top_idf if themed else max(idf, top_idf / 2) if df else UNKNOWN_WEIGHT * top_idf
                if df or themed:
                    total += weight
                else:
                    unknown += weight
                bm_max += idf * (K1 + 1)
                hits = [h for h in recognised if word in h.words] if expand else []
                words.append(_Word(word, variants, idf, weight, hits))
                contrib = self._contributions(lx, words[-1], in_text, expand, members)
                # gained[d] += contrib[d] for each practice, at C speed (a word of 10^5 practices at 10^7 triples)
                gained.update(
                    zip(contrib, map(add, map(gained.get, contrib, repeat(0.0)), contrib.values()), strict=True)
                )
            for theme in picked:  # a picked theme is one more part of the query, as heavy as the rarest word
                total += top_idf
                for d, (strength, *_) in self.related_docs(theme).items():
                    if d in members:
                        gained[d] = gained.get(d, 0.0) + strength * top_idf
            total += min(unknown, unknown_cap * top_idf)  # filler of a long description
            if total == 0:
                continue
            lengths = self._doc_lengths(lang, members)
            reading = _Reading(lang, words, lengths[0] / lengths[1] if lengths[1] else 1.0, picked, expand)
            scores: Iterable[tuple[int, float]]
            if scoring == "bm25" and bm_max:  # the baseline docs/finder.md compares with: every practice's BM25
                scores = ((d, self._details(d, reading)[0] / bm_max) for d in gained)
            else:
                scores = zip(gained, map(truediv, gained.values(), repeat(total)), strict=True)
            for d, score in scores:
                if (score >= floor or d in keep) and (d not in best or score > best[d][0]):
                    best[d] = (score, reading)
        return {d: (score, reading.lang, *self._details(d, reading)) for d, (score, reading) in best.items()}

    def _contributions(
        self,
        lx: LangIndex,
        w: _Word,
        in_text: Sequence[tuple[float, Set[int]]],
        expand: bool,
        members: frozenset[int],
    ) -> dict[int, float]:
        """What one query word gives each practice of ``members``: the best of its text (1, or 0.9 through a shared
        prefix; ``in_text``: each variant's strength and the practices whose text uses it), the statements of its
        SDGs (half) and its themes, as a share of the word's weight."""
        layers = [(strength * w.idf, docs) for strength, docs in in_text]
        for v, strength in w.variants if expand else ():
            sdg = lx.sdg_postings.get(v)
            if sdg:
                layers.append((SDG_STRENGTH * strength * min(w.idf, w.weight), sdg & members))
        for hit in w.hits:
            for strength, docs in self._related_by_strength(hit.theme).items():
                layers.append((hit.strength * strength * w.weight, docs & members))
        contrib: dict[int, float] = {}
        for value, layer in sorted(layers, key=lambda layer: layer[0]):  # the larger value written last wins
            contrib.update(dict.fromkeys(layer, value))
        return contrib

    def _related_by_strength(self, theme: str) -> dict[float, frozenset[int]]:
        """The practices of :meth:`related_docs` grouped by strength; grouped once per index."""
        cache = self._strengths_cache
        if cache is None:
            cache = self._strengths_cache = {}
        found = cache.get(theme)
        if found is None:
            groups: dict[float, set[int]] = {}
            for d, (strength, *_) in self.related_docs(theme).items():
                groups.setdefault(strength, set()).add(d)
            found = cache[theme] = {strength: frozenset(docs) for strength, docs in groups.items()}
        return found

    def _details(self, d: int, reading: _Reading) -> tuple[float, list[Reason]]:
        """One practice's BM25 in a reading, and its reasons: per query word, the first of its variants found in the
        practice's text, else in its SDGs, and the themes; then the picked themes."""
        lx = self.langs[reading.lang]
        bm = 0.0
        why: list[Reason] = []
        for w in reading.words:
            found: dict[str, Reason] = {}  # by "text", "sdg" or the theme
            for v, strength in w.variants:
                packed = lx.postings.get(v, {}).get(d)
                if packed is not None:
                    tf, mask = packed >> FIELD_BITS, packed & FIELD_MASK
                    norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * lx.doc_len[d] / reading.avgdl))
                    bm += w.idf * norm * strength
                    found.setdefault("text", ("text", w.word, v, reading.lang, mask))
                if reading.expand and d in lx.sdg_postings.get(v, ()):
                    found.setdefault("sdg", ("sdg", w.word, v, reading.lang, 0))
            for hit in w.hits:
                related = self.related_docs(hit.theme).get(d)
                if related is not None:
                    _, relation, their, path = related
                    found[hit.theme] = ("theme", w.word, hit.theme, relation, their, path)
            if "sdg" in found and "text" in found:  # its SDG only where its text does not say it
                why.extend(r for k, r in found.items() if k != "sdg")
            else:
                why.extend(found.values())
        for theme in reading.picked:
            related = self.related_docs(theme).get(d)
            if related is not None:
                _, relation, their, path = related
                why.append(("picked", theme, relation, their, path))
        return bm, why

    def _doc_lengths(self, lang: str, members: frozenset[int]) -> tuple[int, int]:
        """The summed length of ``members``' texts in ``lang`` and how many have one; counted once per index."""
        cache = self._lengths_cache
        if cache is None:
            cache = self._lengths_cache = {}
        key = (lang, members)
        found = cache.get(key)
        if found is None:
            doc_len = self.langs[lang].doc_len
            lengths = [doc_len[d] for d in members if d in doc_len]
            found = cache[key] = (sum(lengths), len(lengths))
        return found

    def _score_problem(
        self, pq: ProblemQuery, expand: bool, reader: str | None = None, floor: float = THRESHOLD
    ) -> dict[int, Scored]:
        """A problem of the graph: practices that address it score 1; others score the better of sharing one of
        its themes and matching its label. Each label is read in its own language and a practice must match the
        labels of every language (the lower score counts): a match in one language only is a coincidence of
        words («lack» ≈ «lack»). The reasons are those of the reader's language. A practice whose label score is
        under ``floor`` in a language is left out unless a theme or the problem itself may lift it."""
        keep = {d for theme in pq.themes if expand for d in self.related_docs(theme)}
        keep.update(self.doc_of[iri] for iri in pq.practices if iri in self.doc_of)
        per_lang: dict[str, dict[int, Scored]] = {}
        for label_lang, label in pq.labels.items():
            recognised = self.recognise(label) if expand else []
            per_lang[label_lang] = self._score_text(
                label, [], recognised, expand, "coverage", (label_lang,), floor=floor, keep=frozenset(keep)
            )
        out: dict[int, Scored] = {}
        if per_lang:
            first = reader if reader in per_lang else next(iter(per_lang))
            for d, entry in per_lang[first].items():
                score = min(scores[d][0] if d in scores else 0.0 for scores in per_lang.values())
                if score < THRESHOLD + NEAR and not all(
                    d in scores and self._specific(d, scores[d][3], need=2) for scores in per_lang.values()
                ):
                    score = 0.0  # weak, and generic in one of the languages
                out[d] = (score, *entry[1:])
        for theme in pq.themes if expand else ():
            for d, (strength, relation, their, path) in self.related_docs(theme).items():
                score, lang, bm, why = out.get(d, (0.0, "es", 0.0, []))
                out[d] = (max(score, strength), lang, bm, [*why, ("picked", theme, relation, their, path)])
        for iri in pq.practices:
            addressing = self.doc_of.get(iri)
            if addressing is not None:
                _, lang, bm, why = out.get(addressing, (0.0, "es", 0.0, []))
                out[addressing] = (1.0, lang, bm + 1.0, [("addresses", pq.iri), *why])
        return out

    # ------------------------------------------------------------ explanations

    def _explain(self, doc: int, reasons: list[Reason]) -> list[dict[str, object]]:
        """Group raw reasons into what the page shows: themes with their graph path, shared words, the problem."""
        why: list[dict[str, object]] = []
        themes: dict[tuple[str, str, str], dict[str, object]] = {}
        theme_terms: dict[tuple[str, str, str], list[str]] = {}  # each theme item's "terms"
        terms: dict[str, dict[str, object]] = {}
        for reason in reasons:
            if reason[0] == "addresses":
                why.insert(0, {"kind": "problem", "problem": reason[1], "relation": "addresses"})
            elif reason[0] == "theme" or reason[0] == "picked":
                word: str | None
                if reason[0] == "theme":
                    _, word, theme, relation, their, path = reason
                else:
                    word = None
                    _, theme, relation, their, path = reason
                key = (theme, their, relation)
                if key not in themes:
                    theme_terms[key] = []
                    themes[key] = {
                        "kind": "theme",
                        "query_theme": theme,
                        "practice_theme": their,
                        "relation": relation,
                        "picked": reason[0] == "picked",
                        "terms": theme_terms[key],
                        "path": self._path(path, doc),
                    }
                if word and word not in theme_terms[key]:
                    theme_terms[key].append(word)
            else:
                _, word, matched, lang, mask = reason
                fields = [f for i, f in enumerate(CORE_FIELDS) if mask & (1 << i)]
                shown = self.langs[lang].surface.get(matched, matched)
                terms.setdefault(word, {"term": word, "matched": shown, "fields": fields or ["sdg"]})
        why.extend(themes.values())
        if terms:
            why.append({"kind": "terms", "terms": list(terms.values())})
        return why

    def _path(self, path: tuple[str, ...], doc: int) -> list[dict[str, str]]:
        """Query theme → (narrower/broader themes) → the practice → the problem it addressed."""
        steps = [{"iri": path[0], "via": ""}]
        for prev, nxt in zip(path, path[1:], strict=False):
            steps.append({"iri": nxt, "via": "skos:narrower" if nxt in self.themes[prev].narrower else "skos:broader"})
        steps.append({"iri": self.practices[doc], "via": "^dcterms:subject"})
        steps += [{"iri": p, "via": "ga:addressesProblem"} for p in sorted(self.problem_of[doc])]
        return steps

    def _shared_sdgs(self, doc: int, query_themes: list[str]) -> list[str]:
        wanted = {sdg for t in query_themes if t in self.themes for sdg in self.themes[t].sdgs}
        return sorted(wanted & self.practice_sdgs(doc), key=sdg_order)
