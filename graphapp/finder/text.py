"""Text as the finder reads it: folded, split into words, stop words dropped, each word stemmed per language.

Also which language a query is in, from the function words it uses. Two stems of :data:`PREFIX_MIN` letters or
more also match when one starts with the other (``ladrill``/``ladriller``, ``salari``/``salarial``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

from ..index import fold

LANGS = ("es", "en")
PREFIX_MIN = 6  # two stems this long or longer match when one starts with the other


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
# Stems of verbs that carry no topic («generan», «realizar», «toman», «take», «made»): they still count in the
# score, but are not the specific evidence a weak match needs (see graphapp.finder.scoring).
_LIGHT_ES = "gener realiz tom llev logr permit pued pod deb quier busc necesit dar dej pon hab exist impid"
_LIGHT_EN = "generat carri take took make made get want tri help prevent allow let need"
LIGHT_VERBS = {"es": frozenset(_LIGHT_ES.split()), "en": frozenset(_LIGHT_EN.split())}
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
        stemmed: str = _STEMMERS[lang].stemWord(word)  # snowballstemmer has no type information
    return stemmed


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


def reading_languages(text: str, theme_langs: Iterable[str] = ()) -> tuple[str, ...]:
    """The languages to read ``text`` in: the one whose function words it uses more, or both. A tie is broken by
    the languages of the theme labels recognised in it (``theme_langs``, one entry per theme).

    >>> reading_languages("la basura no se recoge")
    ('es',)
    """
    words = [fold(w) for w in _WORD.findall(text.lower())]
    votes = {lang: sum(w in stop and w not in other for w in words) for lang, stop, other in _STOP_PAIRS}
    if votes["es"] == votes["en"]:
        for lang in theme_langs:
            votes[lang] += 1
    if votes["es"] == votes["en"]:
        return LANGS
    return ("es",) if votes["es"] > votes["en"] else ("en",)
