"""The finder's search index, read once from the store through the named queries ``queries/finder-*.rq``.

The web app caches one index per graph version (a new version gets a new index, so the index never changes once
built). Searching it is :mod:`graphapp.finder.scoring`; its thesaurus side is :mod:`graphapp.finder.thesaurus`.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ..storage import Store, Term
from ..storage import iri as as_iri
from .postings import CORE_FIELDS, LangIndex, posting
from .scoring import COMMON_MIN_ENTITIES, COMMON_SHARE, ProblemQuery, Scorer
from .text import LANGS, analyse
from .thesaurus import Theme

OGP_COMMITMENT = "https://w3id.org/gakg/ontology#OGPCommitment"


class PracticeIndex(Scorer):
    """Everything the finder needs, read once from the store through the ``finder-*`` named queries."""

    def __init__(self) -> None:
        self.practices = []
        self.doc_of = {}
        self.problem_of = []
        self.themes_of = []
        self.themes = {}
        self.theme_docs = defaultdict(set)
        self.filed = set()
        self.sdg_codes = {}
        self.sdg_text = defaultdict(dict)
        self.langs = {lang: LangIndex() for lang in LANGS}
        self._related = {}
        self.common = {lang: frozenset() for lang in LANGS}

    # ------------------------------------------------------------ building

    @classmethod
    def build(cls, store: Store) -> PracticeIndex:
        index = cls()
        index._read_themes(store)
        for row in store.select("finder-practice-texts", raw=True):
            lang = _lang(row["text"])
            doc = index._doc(row["practice"].value)
            if row["kind"].value == OGP_COMMITMENT:
                index.filed.add(doc)
            for one in (lang,) if lang in LANGS else () if lang else LANGS:  # untagged text: both languages
                index._add_text(one, doc, row["field"].value, row["text"].value)
        for row in store.select("finder-practice-edges"):
            linked = index.doc_of.get(str(row["practice"]))
            if linked is None:
                continue
            target = str(row["target"])
            if str(row["kind"]) == OGP_COMMITMENT:
                index.filed.add(linked)
            if row["link"] == "theme" and target in index.themes:
                index.themes_of[linked].add(target)
                index.theme_docs[target].add(linked)
            elif row["link"] == "problem":
                index.problem_of[linked].add(target)
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
        index._read_background(store)
        return index

    def _read_background(self, store: Store) -> None:
        """The stems used by more than :data:`COMMON_SHARE` of the graph's entities (their names, descriptions and
        definitions): words of the whole domain («gobierno», «municipal», «información», «públicas»), which never
        make a match distinctive on their own."""
        users: dict[str, dict[str, set[str]]] = {lang: defaultdict(set) for lang in LANGS}
        entities: dict[str, set[str]] = {lang: set() for lang in LANGS}
        for row in store.select("finder-background", raw=True):
            lang, entity = _lang(row["text"]), row["entity"].value
            entities[lang].add(entity)
            for s, _ in analyse(row["text"].value, lang):
                users[lang][s].add(entity)
        for lang in LANGS:
            least = max(COMMON_MIN_ENTITIES, COMMON_SHARE * len(entities[lang]))
            self.common[lang] = frozenset(s for s, who in users[lang].items() if len(who) > least)

    def _read_themes(self, store: Store) -> None:
        for row in store.select("finder-themes", raw=True):
            theme = self.themes.setdefault(row["theme"].value, Theme(row["theme"].value))
            text, lang, kind = row["text"].value, _lang(row["text"]), row["kind"].value
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
                    self.sdg_text[target][_lang(row["text"])] = row["text"].value
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
            docs = lx.postings[s]
            docs[doc] = posting(docs.get(doc, 0), bit)
            lx.doc_len[doc] += 1
            lx.surface.setdefault(s, word)

    # ------------------------------------------------------------ problems of the graph

    def problem_query(self, store: Store, problem: str) -> ProblemQuery | None:
        """What the finder searches for a problem of the graph; ``None`` if ``problem`` is not a ga:Problem."""
        rows = store.select("finder-problem", {"problem": as_iri(problem)}, raw=True)
        if not rows:
            return None
        pq = ProblemQuery(problem)
        for row in rows:
            kind, value = row["kind"].value, row["value"]
            if kind == "label" and _lang(value) in LANGS:
                pq.labels.setdefault(_lang(value), value.value)
            elif kind == "theme":
                pq.themes.append(value.value)
            elif kind == "practice":
                pq.practices.append(value.value)
        return pq


def _lang(text: Term) -> str:
    """The language tag of a text the finder reads (``""`` when it has none)."""
    return (text.language or "") if isinstance(text, ox.Literal) else ""
