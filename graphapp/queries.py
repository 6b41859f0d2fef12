"""Named SPARQL queries: every query the application runs is a ``queries/<name>.rq`` file.

A file starts with ``#+ key: value`` lines of metadata (YAML-like, so the file stays valid SPARQL):
``summary``, ``title_es``/``title_en``, ``description_es``/``description_en``, ``tags``, ``order_by``.

The engine never sorts in the web process (pyoxigraph 0.5.13 aborts the whole process on some mixes of
``xsd:dateTime`` values: docs/upstream/pyoxigraph-order-by-abort.md). A query the application runs has no
``ORDER BY``; it declares its rows' order in ``#+ order_by: DESC(?n) ?class`` and
:class:`graphapp.store.GraphStore` sorts them in Python (:mod:`graphapp.ordering`). Only the queries tagged
``example``, shown to researchers and run by the query workers, keep their ``ORDER BY``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

QUERY_DIR = Path(__file__).parent / "queries"

#: tags of the queries that only the query workers run (never the web process): they may sort in the engine
WORKER_ONLY_TAGS = frozenset({"example"})

_ORDER_TERM = re.compile(r"(?i)^(?:(ASC|DESC)\(\s*\?(\w+)\s*\)|\?(\w+))$")
#: what a SPARQL lexer skips before looking for keywords: IRIs, long and short strings, comments
_NOT_KEYWORDS = re.compile(
    "|".join(
        (
            r"<[^<>\"{}|^`\\\s]*>",  # an IRI (no spaces: in `?a < ?b` it is an operator)
            r"'''(?:[^'\\]|\\.|'(?!''))*'''",
            r'"""(?:[^"\\]|\\.|"(?!""))*"""',
            r"'(?:[^'\\\n]|\\.)*'",
            r'"(?:[^"\\\n]|\\.)*"',
            r"#[^\n]*",  # a comment
        )
    ),
    re.DOTALL,
)
_ORDER_BY = re.compile(r"(?i)\bORDER\s+BY\b")


class UnknownQuery(KeyError):
    """No ``.rq`` file of that name."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.meta.get("tags", "").split(",") if t.strip())

    @property
    def worker_only(self) -> bool:
        """Run only by the query workers (an example for researchers), never in the web process."""
        return bool(self.tags & WORKER_ONLY_TAGS)

    @property
    def sorts_in_engine(self) -> bool:
        return sorts_in_engine(self.text)

    @property
    def order_by(self) -> list[tuple[str, bool]]:
        """The order declared by ``#+ order_by:`` as ``(variable, descending)`` pairs, most significant first.

        >>> load("class-counts").order_by
        [('n', True), ('class', False)]
        """
        return parse_order(self.meta.get("order_by", ""), self.name)

    @property
    def body(self) -> str:
        """The query without its ``#+`` metadata lines (what a person edits on the query page)."""
        return "\n".join(line for line in self.text.splitlines() if not line.startswith("#+")).strip()


def sorts_in_engine(text: str) -> bool:
    """True if the query text has an ``ORDER BY`` (outside IRIs, strings and comments).

    >>> sorts_in_engine("SELECT * WHERE { ?s ?p ?o } order  by ?o")
    True
    >>> sorts_in_engine('SELECT * WHERE { ?s ?p "ORDER BY" } # ORDER BY ?o')
    False
    """
    return bool(_ORDER_BY.search(_NOT_KEYWORDS.sub(" ", text)))


def parse_order(spec: str, name: str = "") -> list[tuple[str, bool]]:
    """Parse an ``order_by`` line: ``?a DESC(?b) ASC(?c)``."""
    order = []
    for term in re.findall(r"(?:ASC|DESC)\(\s*\?\w+\s*\)|\S+", spec, flags=re.IGNORECASE):
        match = _ORDER_TERM.match(term)
        if not match:
            raise ValueError(f"{name}: bad order_by term {term!r} (use ?var, ASC(?var) or DESC(?var))")
        direction, inner, plain = match.groups()
        order.append((inner or plain, (direction or "").upper() == "DESC"))
    return order


def _parse_meta(text: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        key, sep, value = line[2:].partition(":")
        if not sep:
            raise ValueError(f"query metadata line without ':': {line!r}")
        meta[key.strip()] = value.strip()
    return meta


@cache
def load(name: str) -> NamedQuery:
    """Read ``queries/<name>.rq``.

    >>> load("class-counts").meta["summary"]
    'Number of entities per class'
    """
    path = QUERY_DIR / f"{name}.rq"
    if not path.is_file():
        raise UnknownQuery(name)
    text = path.read_text(encoding="utf-8")
    return NamedQuery(name, text, _parse_meta(text))


def names() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq"))
