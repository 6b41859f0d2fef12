"""The practice finder: which best practices dealt with a problem like the one described, and how close they are.

Staff describe a problem in their own words («una fábrica contamina el aire del barrio»), pick a theme of the
public-problem thesaurus (``data/tesauro/temas-problemas.ttl``) or name a problem already in the graph. The answer
is the practices judged relevant, best first, each with a score from 0 to 1 and the reasons it matched.

How a query is scored (docs/finder.md has the measurements behind each choice):

1. Text is folded (accents, case), split into words, stop words dropped, and each word stemmed with the Snowball
   stemmer of each language (``contaminación``, ``contaminantes`` → ``contamin``). Two stems of six letters or
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
   All the query words no practice uses weigh together at most as much as the rarest word
   (:data:`UNKNOWN_CAP`): a paragraph tells its story with many of them, and they must not dilute the match.
4. Practices under :data:`THRESHOLD` are not shown: a problem nobody in the graph addressed gets no answer. A
   result must share something specific: a theme named with a word of its own, or a distinctive word of its name
   or problem (two of its solution or benefits), never only words of the whole domain («gobierno», «municipal»,
   «información»: used by more than 1 % of the graph's entities); a problem of the graph must match in both
   languages.
5. Mexico's OGP commitments are searched too, scored against their own collection, and shown with the IRM's
   evidence that they worked (docs/finder.md).

The index is built from named queries (``queries/finder-*.rq``) and cached once per graph version by the web app.

The package, one module per concern: :mod:`~graphapp.finder.text` (folding, stemming, stop words, language),
:mod:`~graphapp.finder.postings` (per-language postings), :mod:`~graphapp.finder.thesaurus` (themes, their
hierarchy and SDGs, recognising them), :mod:`~graphapp.finder.scoring` (scores, threshold, explanations),
:mod:`~graphapp.finder.index` (building the index) and :mod:`~graphapp.finder.cards` (the practice card).
"""

from .cards import INACTIVE_STATUSES, commitment_card, practice_card
from .index import PracticeIndex
from .postings import CORE_FIELDS, PREFIX_STRENGTH
from .scoring import SDG_STRENGTH, THRESHOLD, UNKNOWN_CAP, UNKNOWN_WEIGHT, Hit, ProblemQuery, SearchResult
from .text import EN_STOPWORDS, ES_STOPWORDS, LANGS, PREFIX_MIN, STOPWORDS, analyse, related_stems, stem
from .thesaurus import PARTIAL, RELATION_STRENGTH, Theme, ThemeHit

__all__ = [
    "CORE_FIELDS",
    "EN_STOPWORDS",
    "ES_STOPWORDS",
    "INACTIVE_STATUSES",
    "LANGS",
    "PARTIAL",
    "PREFIX_MIN",
    "PREFIX_STRENGTH",
    "RELATION_STRENGTH",
    "SDG_STRENGTH",
    "STOPWORDS",
    "THRESHOLD",
    "UNKNOWN_CAP",
    "UNKNOWN_WEIGHT",
    "Hit",
    "PracticeIndex",
    "ProblemQuery",
    "SearchResult",
    "Theme",
    "ThemeHit",
    "analyse",
    "commitment_card",
    "practice_card",
    "related_stems",
    "stem",
]
