"""The practice finder: which best practices dealt with a problem like the one described, and how close they are.

Staff describe a problem in their own words («una fábrica contamina el aire del barrio»), pick a theme of the
public-problem thesaurus (``data/tesauro/temas-problemas.ttl``) or name a problem already in the graph. The answer
is the practices judged relevant, best first, each with a score from 0 to 1 and the reasons it matched.

How a query is scored (docs/finder.md has the measurements behind each choice):

1. Text is folded (accents, case), split into words, stop words dropped, and each word stemmed with the Snowball
   stemmer of each language (``contaminación``, ``contaminantes`` → ``contamin``). Two stems of five letters or
   more also match when one starts with the other (``ladrill``/``ladriller``, ``salari``/``salarial``).
2. Themes of the thesaurus whose label or synonym (all its words) occurs in the query are recognised («brecha
   salarial», «preparatoria», «humo»). A practice about such a theme, or a narrower or broader one, explains the
   query words the theme covers even if its own text says it differently.
3. The score is the share of the query that a practice explains. Each query word weighs as much as it is specific
   in the collection (inverse document frequency, never less than half the weight of the rarest word), so that
   explaining «ladrilleras» counts and explaining «público» hardly does. A word found in the practice's name,
   problem, solution, benefits or outputs counts fully (0.9 through a shared prefix), a word found only in the
   statement of one of its SDGs counts half, a word covered by a theme counts 1, 0.8 or 0.6 (same, narrower or
   broader theme). The better of the Spanish and English readings is kept.
4. Practices under :data:`THRESHOLD` are not shown: a problem nobody in the graph addressed gets no answer.

The index is built from named queries (``queries/finder-*.rq``) and cached once per graph version by the web app.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from .index import GraphIndex, fold
from .store import GraphStore
from .store import iri as as_iri

LANGS = ("es", "en")
THRESHOLD = 0.5
"""Least score a practice needs to be shown (calibrated on tests/finder_eval.json; see docs/finder.md)."""

PREFIX_MIN = 5  # two stems this long or longer match when one starts with the other
PREFIX_STRENGTH = 0.9
SDG_STRENGTH = 0.5
PARTIAL = 0.8  # a theme named by two words of its labels rather than by a whole label
UNKNOWN_WEIGHT = 0.5  # weight of a query word no practice uses, relative to the rarest word
RELATION_STRENGTH = {"same": 1.0, "narrower": 0.8, "broader": 0.6}
CORE_FIELDS = ("label", "problem", "solution", "benefit", "beneficiaries", "description", "output")
K1, B = 1.2, 0.75  # BM25

# Function words of each language, and the words every problem description carries ("problem", "municipality",
# "how to solve"): they say nothing about which problem it is. They also tell which language a query is in.
ES_STOPWORDS = frozenset(
    " ".join(
        [
            "a al algo algun alguna algunos ante antes asi aun cada casi como con contra cual cuales cuando cuanto de",
            "del desde donde dos durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estan",
            "estas este esto estos fue fueron ha han hace hacen hacer hasta hay la las le les lo los mas me mi mis",
            "mucho muchos muy nada ni no nos nuestra nuestras nuestro nuestros o otra otras otro otros para pero poco",
            "por porque pues que quien se sea ser si sin sobre son su sus tambien tan tanto te tiene tienen todo",
            "todos tu tus un una unas uno unos y ya yo",
            "problema problemas resolver solucionar atender municipio municipios ciudad necesitamos queremos tenemos",
            "existe",
        ]
    ).split()
)
EN_STOPWORDS = frozenset(
    " ".join(
        [
            "a about after all also an and any are as at be been before but by can could did do does doesn don each",
            "for from had has have how in into is it its more most my no not of on or our over so some such than that",
            "the their them then there these they this those to too under very was we were what when where which while",
            "who why will with without would you your problem problems issue issues solve fix address municipality",
            "city town need needs want",
        ]
    ).split()
)
STOPWORDS = ES_STOPWORDS | EN_STOPWORDS
_STOP_PAIRS = (("es", ES_STOPWORDS, EN_STOPWORDS), ("en", EN_STOPWORDS, ES_STOPWORDS))
_WORD = re.compile(r"\w+")
_STEMMERS = {"es": snowballstemmer.stemmer("spanish"), "en": snowballstemmer.stemmer("english")}
_STEM_LOCKS = {lang: threading.Lock() for lang in LANGS}  # Snowball stemmers keep state while they work


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """The Snowball stem of a folded word.

    >>> stem("contaminacion", "es"), stem("contaminantes", "es"), stem("polluting", "en")
    ('contamin', 'contamin', 'pollut')
    """
    with _STEM_LOCKS[lang]:
        return _STEMMERS[lang].stemWord(word)


def analyse(text: str, lang: str) -> list[tuple[str, str]]:
    """(stem, word as written) for each content word of ``text``, in order.

    >>> analyse("Las ladrilleras contaminan el aire", "es")
    [('ladriller', 'ladrilleras'), ('contamin', 'contaminan'), ('air', 'aire')]
    """
    out = []
    for word in _WORD.findall(text.lower()):
        folded = fold(word)
        if len(folded) < 2 or folded in STOPWORDS:
            continue
        out.append((stem(folded, lang), word))
    return out


def related_stems(a: str, b: str) -> bool:
    """Same stem, or one starts with the other and both have at least :data:`PREFIX_MIN` letters."""
    if a == b:
        return True
    return min(len(a), len(b)) >= PREFIX_MIN and (a.startswith(b) or b.startswith(a))


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


# ---------------------------------------------------------------- the index


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
class _LangIndex:
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


@dataclass
class ThemeHit:
    """A thesaurus theme recognised in the query text: the label matched, how surely, and the query words it covers."""

    theme: str
    label: str
    lang: str
    strength: float
    words: tuple[str, ...]


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


class PracticeIndex:
    """Everything the finder needs, read once from the store through the ``finder-*`` named queries."""

    def __init__(self) -> None:
        self.practices: list[str] = []
        self.doc_of: dict[str, int] = {}
        self.problem_of: list[set[str]] = []
        self.themes_of: list[set[str]] = []
        self.themes: dict[str, Theme] = {}
        self.theme_docs: dict[str, set[int]] = defaultdict(set)
        self.sdg_codes: dict[str, str] = {}
        self.sdg_text: dict[str, dict[str, str]] = defaultdict(dict)
        self.langs = {lang: _LangIndex() for lang in LANGS}
        self._related: dict[str, dict[int, tuple[float, str, str, tuple[str, ...]]]] = {}

    # ------------------------------------------------------------ building

    @classmethod
    def build(cls, store: GraphStore) -> PracticeIndex:
        index = cls()
        index._read_themes(store)
        for row in store.select("finder-practice-texts", raw=True):
            lang = row["text"].language
            doc = index._doc(row["practice"].value)
            for one in (lang,) if lang in LANGS else () if lang else LANGS:  # untagged text: both languages
                index._add_text(one, doc, row["field"].value, row["text"].value)
        for row in store.select("finder-practice-edges"):
            doc = index.doc_of.get(str(row["practice"]))
            if doc is None:
                continue
            target = str(row["target"])
            if row["link"] == "theme" and target in index.themes:
                index.themes_of[doc].add(target)
                index.theme_docs[target].add(doc)
            elif row["link"] == "problem":
                index.problem_of[doc].add(target)
        sdg_words = {
            (sdg, lang): analyse(text, lang) for sdg, texts in index.sdg_text.items() for lang, text in texts.items()
        }
        for doc in range(len(index.practices)):
            for sdg in index.practice_sdgs(doc):
                for lang in LANGS:
                    for s, word in sdg_words.get((sdg, lang), ()):
                        index.langs[lang].sdg_postings[s].add(doc)
                        index.langs[lang].surface.setdefault(s, word)
        for lx in index.langs.values():
            lx.vocab = sorted(set(lx.postings) | set(lx.sdg_postings))
        return index

    def _read_themes(self, store: GraphStore) -> None:
        for row in store.select("finder-themes", raw=True):
            theme = self.themes.setdefault(row["theme"].value, Theme(row["theme"].value))
            text, lang, kind = row["text"].value, row["text"].language, row["kind"].value
            if kind == "pref":
                theme.pref[lang] = text
            elif kind == "alt":
                theme.alt[lang].append(text)
            else:
                theme.definition[lang] = text
        for row in store.select("finder-theme-links", raw=True):
            theme = self.themes[row["theme"].value]
            target = row["target"].value
            if row["link"].value == "broader" and target in self.themes:
                theme.broader.add(target)
                self.themes[target].narrower.add(theme.iri)
            elif row["link"].value == "sdg":
                theme.sdgs.add(target)
                if "code" in row:
                    self.sdg_codes[target] = row["code"].value
                if "text" in row:
                    self.sdg_text[target][row["text"].language] = row["text"].value
        for theme in self.themes.values():
            for lang in LANGS:
                for label in (theme.pref.get(lang, ""), *theme.alt.get(lang, ())):
                    stems = tuple(dict.fromkeys(s for s, _ in analyse(label, lang)))
                    if stems:
                        self.langs[lang].labels.append((theme.iri, label, stems))

    def _doc(self, iri: str) -> int:
        doc = self.doc_of.get(iri)
        if doc is None:
            doc = self.doc_of[iri] = len(self.practices)
            self.practices.append(iri)
            self.problem_of.append(set())
            self.themes_of.append(set())
        return doc

    def _add_text(self, lang: str, doc: int, field_name: str, text: str) -> None:
        lx = self.langs[lang]
        bit = 1 << CORE_FIELDS.index(field_name)
        for s, word in analyse(text, lang):
            entry = lx.postings[s].setdefault(doc, [0, 0])
            entry[0] += 1
            entry[1] |= bit
            lx.doc_len[doc] += 1
            lx.surface.setdefault(s, word)

    # ------------------------------------------------------------ the thesaurus

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
            strength = RELATION_STRENGTH[relation]
            for doc in self.theme_docs.get(their, ()):
                if doc not in out or out[doc][0] < strength:
                    out[doc] = (strength, relation, their, tuple(path))
        self._related[theme] = out  # the index never changes: a new graph version gets a new index
        return out

    def practice_count(self, theme: str) -> int:
        """How many practices are about ``theme`` or a narrower theme."""
        return sum(1 for _, relation, _, _ in self.related_docs(theme).values() if relation != "broader")

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
            for theme, stems in vocab.items():
                used = {s for s in stems if any(related_stems(q, s) for q, _ in query)}
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
        or both. Reading English as Spanish finds false friends («permit» in «permitieron»).

        >>> PracticeIndex().readings("la basura no se recoge", [])
        ('es',)
        """
        words = [fold(w) for w in _WORD.findall(text.lower())]
        votes = {lang: sum(w in stop and w not in other for w in words) for lang, stop, other in _STOP_PAIRS}
        if votes["es"] == votes["en"]:
            for hit in recognised:
                votes[hit.lang] += 1
        if votes["es"] == votes["en"]:
            return LANGS
        return ("es",) if votes["es"] > votes["en"] else ("en",)

    # ------------------------------------------------------------ searching

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
    ) -> SearchResult:
        """Practices relevant to a problem described in ``text``, to picked ``themes`` and/or to a problem of the
        graph (``problem_query``: its labels and themes, see :meth:`problem_query`), best first, at most ``limit``.

        ``expand=False`` leaves the thesaurus and the SDGs out, and ``scoring="bm25"`` scores by normalised BM25:
        the baselines docs/finder.md compares with."""
        recognised = self.recognise(text) if expand and text else []
        picked = list(dict.fromkeys(themes))
        parts = []
        if text.strip() or picked:
            parts.append(self._score_text(text, picked, recognised, expand, scoring))
        if problem_query is not None:
            parts.append(self._score_problem(problem_query, expand))
        combined = parts[0] if parts else {}
        if len(parts) == 2:  # a text and a problem: a practice must answer both
            first, second = parts
            combined = {
                d: (min(first[d][0], second[d][0]), first[d][1], first[d][2] + second[d][2], first[d][3] + second[d][3])
                for d in first.keys() & second.keys()
            }
        ranked = sorted(
            (d for d, entry in combined.items() if entry[0] >= threshold),
            key=lambda d: (-round(combined[d][0], 6), -combined[d][2], self.practices[d]),
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

    def _score_text(
        self, text: str, picked: list[str], recognised: list[ThemeHit], expand: bool, scoring: str
    ) -> dict[int, tuple[float, str, float, list]]:
        """Per practice: (score, language of the better reading, BM25, raw reasons)."""
        best: dict[int, tuple[float, str, float, list]] = {}
        n = max(len(self.practices), 1)
        top_idf = _idf(1, n)
        theme_words = {w for h in recognised for w in h.words}
        for lang in self.readings(text, recognised):
            lx = self.langs[lang]
            tokens = list({s: (s, w) for s, w in reversed(analyse(text, lang))}.values())[::-1]
            total = 0.0
            gained: dict[int, float] = defaultdict(float)
            bm: dict[int, float] = defaultdict(float)
            why: dict[int, list] = defaultdict(list)
            avgdl = (sum(lx.doc_len.values()) / len(lx.doc_len)) if lx.doc_len else 1.0
            bm_max = 0.0
            for s, word in tokens:
                variants = lx.variants(s)
                docs = {d for v, _ in variants for d in lx.postings.get(v, ())}
                idf = _idf(max(len(docs), 1), n)
                themed = word in theme_words
                # a word that names a theme is the heart of the problem; a word no practice uses may be filler
                weight = top_idf if themed else max(idf, top_idf / 2) if docs else UNKNOWN_WEIGHT * top_idf
                total += weight
                bm_max += idf * (K1 + 1)
                # per practice: the best contribution of this word, and every reason (text, SDG, themes) for it
                contrib: dict[int, float] = defaultdict(float)
                reasons: dict[int, dict[tuple, tuple]] = defaultdict(dict)
                for v, strength in variants:
                    for d, (tf, mask) in lx.postings.get(v, {}).items():
                        norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * lx.doc_len[d] / avgdl))
                        bm[d] += idf * norm * strength
                        if strength * idf > contrib[d] or "text" not in reasons[d]:
                            reasons[d]["text"] = ("text", word, v, lang, mask)
                        contrib[d] = max(contrib[d], strength * idf)
                    for d in lx.sdg_postings.get(v, ()) if expand else ():
                        contrib[d] = max(contrib[d], SDG_STRENGTH * strength * min(idf, weight))
                        reasons[d].setdefault("sdg", ("sdg", word, v, lang, 0))
                for hit in recognised if expand else ():
                    if word not in hit.words:
                        continue
                    for d, (strength, relation, their, path) in self.related_docs(hit.theme).items():
                        contrib[d] = max(contrib[d], hit.strength * strength * weight)
                        reasons[d][hit.theme] = ("theme", word, hit.theme, relation, their, path)
                for d, c in contrib.items():
                    gained[d] += c
                    found = reasons[d]
                    why[d].extend(r for k, r in found.items() if k != "sdg" or "text" not in found)
            for theme in picked:  # a picked theme is one more part of the query, as heavy as the rarest word
                total += top_idf
                for d, (strength, relation, their, path) in self.related_docs(theme).items():
                    gained[d] += strength * top_idf
                    why[d].append(("picked", theme, relation, their, path))
            if total == 0:
                continue
            for d in set(gained) | set(bm):
                score = bm[d] / bm_max if scoring == "bm25" and bm_max else gained[d] / total
                if d not in best or score > best[d][0]:
                    best[d] = (score, lang, bm[d], why[d])
        return best

    def _score_problem(self, pq: ProblemQuery, expand: bool) -> dict[int, tuple[float, str, float, list]]:
        """A problem of the graph: practices that address it score 1; others score the better of sharing one of
        its themes and matching its label."""
        out: dict[int, tuple[float, str, float, list]] = {}
        for label in pq.labels.values():
            recognised = self.recognise(label) if expand else []
            for d, entry in self._score_text(label, [], recognised, expand, "coverage").items():
                if d not in out or entry[0] > out[d][0]:
                    out[d] = entry
        for theme in pq.themes if expand else ():
            for d, (strength, relation, their, path) in self.related_docs(theme).items():
                score, lang, bm, why = out.get(d, (0.0, "es", 0.0, []))
                out[d] = (max(score, strength), lang, bm, [*why, ("picked", theme, relation, their, path)])
        for iri in pq.practices:
            d = self.doc_of.get(iri)
            if d is not None:
                _, lang, bm, why = out.get(d, (0.0, "es", 0.0, []))
                out[d] = (1.0, lang, bm + 1.0, [("addresses", pq.iri), *why])
        return out

    # ------------------------------------------------------------ explanations

    def _explain(self, doc: int, reasons: list[tuple]) -> list[dict[str, object]]:
        """Group raw reasons into what the page shows: themes with their graph path, shared words, the problem."""
        why: list[dict[str, object]] = []
        themes: dict[tuple[str, str, str], dict[str, object]] = {}
        terms: dict[str, dict[str, object]] = {}
        for reason in reasons:
            kind = reason[0]
            if kind == "addresses":
                why.insert(0, {"kind": "problem", "problem": reason[1], "relation": "addresses"})
            elif kind in ("theme", "picked"):
                word, theme, relation, their, path = reason[1:] if kind == "theme" else (None, *reason[1:])
                item = themes.setdefault(
                    (theme, their, relation),
                    {
                        "kind": "theme",
                        "query_theme": theme,
                        "practice_theme": their,
                        "relation": relation,
                        "picked": kind == "picked",
                        "terms": [],
                        "path": self._path(path, doc),
                    },
                )
                if word and word not in item["terms"]:
                    item["terms"].append(word)  # type: ignore[attr-defined]
            else:
                word, matched, lang, mask = reason[1:]
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
        return sorted(wanted & self.practice_sdgs(doc), key=_sdg_order)

    # ------------------------------------------------------------ problems of the graph

    def problem_query(self, store: GraphStore, problem: str) -> ProblemQuery | None:
        """What the finder searches for a problem of the graph; ``None`` if ``problem`` is not a ga:Problem."""
        rows = store.select("finder-problem", {"problem": as_iri(problem)}, raw=True)
        if not rows:
            return None
        pq = ProblemQuery(problem)
        for row in rows:
            kind, value = row["kind"].value, row["value"]
            if kind == "label" and value.language in LANGS:
                pq.labels.setdefault(value.language, value.value)
            elif kind == "theme":
                pq.themes.append(value.value)
            elif kind == "practice":
                pq.practices.append(value.value)
        return pq


@dataclass
class ProblemQuery:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    practices: list[str] = field(default_factory=list)


def _sdg_order(iri: str) -> tuple[int, str]:
    code = iri.rsplit("/", 1)[-1]
    head, _, rest = code.partition(".")
    return (int(head) if head.isdigit() else 99, rest.zfill(3))


# ---------------------------------------------------------------- what a result shows: the practice card


def practice_card(store: GraphStore, labels: GraphIndex, index: PracticeIndex, iri: str, lang: str) -> dict | None:
    """Everything a person replicating a practice needs, in ``lang``: place, problem, solution, benefits with their
    figures, actors, mechanism, status (with its warning and lesson), sources and what replicating it takes.
    ``None`` if ``iri`` is not a best practice."""
    rows = store.select("finder-practice-card", {"practice": as_iri(iri)}, raw=True)
    if not rows:
        return None
    values: dict[str, list] = defaultdict(list)
    for row in rows:
        if row["value"] not in values[row["field"].value]:
            values[row["field"].value].append(row["value"])

    def text(name: str) -> str | None:
        return _pick([v for v in values[name] if hasattr(v, "language")], lang)

    def ref(term: object) -> dict[str, str]:
        return {"iri": term.value, "label": labels.label_or_iri(term.value, lang)}  # type: ignore[attr-defined]

    def refs(name: str) -> list[dict[str, str]]:
        return [ref(v) for v in values[name] if not hasattr(v, "language") and hasattr(v, "value")]

    status = (refs("status") or [None])[0]
    since = values["inactiveSince"][0].value if values["inactiveSince"] else None
    inactive = since is not None or (status is not None and status["iri"].rsplit("/", 1)[-1] in INACTIVE_STATUSES)
    problem = (refs("problem") or [None])[0]
    if problem is not None:
        problem["description"] = text("problemDescription")
    mechanism = (refs("mechanism") or [None])[0]
    if mechanism is not None:
        mechanism["definition"] = text("mechanismDefinition")
    doc = index.doc_of.get(iri)
    benefits = _benefits(store, iri, lang)
    card = {
        "iri": iri,
        "label": text("label") or labels.label_or_iri(iri, lang),
        "place": (refs("place") or [None])[0],
        "problem": problem,
        "solution": text("solution"),
        "beneficiaries": text("beneficiaries"),
        "benefits": benefits,
        "mechanism": mechanism,
        "programmes": refs("programme"),
        "status": {
            **(status or {"iri": "", "label": ""}),
            "inactive": inactive,
            "since": since,
            "note": text("statusNote"),
        },
        "themes": [
            {"iri": t, "label": index.themes[t].label(lang)}
            for t in sorted(index.themes_of[doc] if doc is not None else ())
        ],
        "sdgs": [index.sdg(s, lang) for s in sorted(index.practice_sdgs(doc), key=_sdg_order)]
        if doc is not None
        else [],
        "links": [v.value for v in values["seeAlso"] if hasattr(v, "value") and not hasattr(v, "language")],
        "editorial_note": text("editorialNote"),
        **_sources(store, labels, iri, lang),
    }
    card["replicability"] = _replicability(store, labels, iri, lang, card)
    card["actors"] = _actors(card)
    return card


INACTIVE_STATUSES = {"inactiva", "extinta"}


def _pick(literals: list, lang: str) -> str | None:
    """The literal in ``lang``, else in the other language, else an untagged one."""
    for want in (lang, *(other for other in LANGS if other != lang), ""):
        for lit in literals:
            if (lit.language or "") == want:
                return lit.value
    return literals[0].value if literals else None


def _benefits(store: GraphStore, iri: str, lang: str) -> list[dict[str, object]]:
    by_benefit: dict[str, dict[str, list]] = {}
    for row in store.select("finder-practice-benefits", {"practice": as_iri(iri)}, raw=True):
        entry = by_benefit.setdefault(row["benefit"].value, defaultdict(list))
        entry[row["field"].value].append(row["value"])
    out = []
    for benefit, fields in by_benefit.items():
        quantity = fields["quantity"][0].value if fields["quantity"] else None
        out.append(
            {
                "iri": benefit,
                "label": _pick(fields["label"], lang),
                "quantity": int(quantity) if quantity is not None else None,
                "qualifier": _pick(fields["qualifier"], lang),
                "unit": _pick(fields["unit"], lang),
            }
        )
    return out


def _sources(store: GraphStore, labels: GraphIndex, iri: str, lang: str) -> dict[str, list[dict[str, object]]]:
    found: dict[str, dict[str, dict[str, object]]] = {"sources": {}, "outputs": {}}
    for row in store.select("finder-practice-sources", {"practice": as_iri(iri)}, raw=True):
        item = row["item"].value
        entry = found[row["kind"].value + "s"].setdefault(
            item, {"iri": item, "label": labels.label_or_iri(item, lang), "url": None, "status": None, "since": None}
        )
        if "url" in row:
            entry["url"] = row["url"].value
        if "status" in row:
            entry["status"] = labels.label_or_iri(row["status"].value, lang)
        if "since" in row:
            entry["since"] = row["since"].value
    return {kind: list(items.values()) for kind, items in found.items()}


def _replicability(store: GraphStore, labels: GraphIndex, iri: str, lang: str, card: dict) -> dict[str, object]:
    """Who must sit at the table (the mechanism's required sectors and rules), what the mechanism does, who ran the
    programme (and whether it still exists), what the practice required, achieved and what went wrong."""
    sectors: dict[str, dict[str, str]] = {}
    rules: dict[str, dict[str, object]] = {}
    functions: list[tuple[int, dict[str, str]]] = []
    organisers: dict[str, dict[str, object]] = {}
    successors: list[dict[str, str]] = []
    for row in store.select("finder-practice-replicability", {"practice": as_iri(iri)}, raw=True):
        kind, item = row["kind"].value, row["item"].value
        ref = {"iri": item, "label": labels.label_or_iri(item, lang)}
        if kind == "sector":
            sectors[item] = ref
        elif kind == "rule":
            rules[item] = {**ref, "minimum": int(row["number"].value) if "number" in row else None}
        elif kind == "function" and ref not in [f for _, f in functions]:
            functions.append((int(row["number"].value) if "number" in row else 99, ref))
        elif kind == "organiser":
            organisers[item] = {**ref, "dissolved": row["date"].value if "date" in row else None}
        elif kind == "successor" and ref not in successors:
            successors.append(ref)
    minimum = max((r["minimum"] for r in rules.values() if r["minimum"]), default=None)
    return {
        "mechanism_known": card["mechanism"] is not None,
        "at_the_table": sorted(sectors.values(), key=lambda s: s["label"]),
        "minimum_representatives": minimum,
        "rules": sorted(rules.values(), key=lambda r: str(r["label"])),
        "functions": [f for _, f in sorted(functions, key=lambda x: x[0])],
        "organisers": list(organisers.values()),
        "successors": successors,
        "required": {"solution": card["solution"], "programmes": card["programmes"], "outputs": card["outputs"]},
        "achieved": card["benefits"],
        "went_wrong": card["status"]["note"] if card["status"]["inactive"] else None,
    }


def _actors(card: dict) -> list[dict[str, str]]:
    """Who was involved, as far as the graph says: the programme's organisers and the sectors of the mechanism."""
    actors = [{**o, "role": "organiser"} for o in card["replicability"]["organisers"]]
    actors += [{**s, "role": "sector"} for s in card["replicability"]["at_the_table"]]
    return [{"iri": a["iri"], "label": a["label"], "role": a["role"]} for a in actors]
