"""``ORDER BY`` that the engine can evaluate without aborting, in researchers' queries.

pyoxigraph 0.5.13 aborts the whole process when ``ORDER BY`` meets values its comparator cannot order
consistently: date-times with and without a time zone, and also an ordinary mix of numbers, strings, language
strings and other literals, as in ``SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o`` on the shipped data
(docs/upstream/pyoxigraph-order-by-abort.md). A query worker runs every user query through
:func:`rewrite_order_by` first: each sort condition ``c`` of every ``ORDER BY`` clause (of the query and of its
subqueries) becomes ``ASC(<urn:x-gakg:sort-key>(c))`` or ``DESC(…)``, and consecutive conditions of one direction
one call of the function with all of them (:func:`_runs`). The function (:func:`sort_key_term`, passed to the engine
as a custom function) maps values to a plain string whose code-point order is :func:`graphapp.ordering.sort_key`'s:
the SPARQL 1.1 order where SPARQL defines one (unbound, blank nodes, IRIs, then literals: numbers by value,
date-times on one time line…) and a fixed order elsewhere. The engine compares strings totally, so it still sorts,
limits and offsets in one pass, and the answer is in SPARQL order.

>>> print(rewrite_order_by("SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o) ?s LIMIT 3"))
SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(<urn:x-gakg:sort-key>((?o))) ASC(<urn:x-gakg:sort-key>(?s)) LIMIT 3
>>> print(rewrite_order_by("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?o"))  # doctest: +NORMALIZE_WHITESPACE
SELECT * WHERE { ?s ?p ?o } ORDER BY ASC(<urn:x-gakg:sort-key>(COALESCE(?s, <urn:x-gakg:sort-key:unbound>),
    COALESCE(?o, <urn:x-gakg:sort-key:unbound>)))
>>> rewrite_order_by("SELECT * WHERE { ?s ?p ?o }")
'SELECT * WHERE { ?s ?p ?o }'
"""

from __future__ import annotations

import functools

import pyoxigraph as ox

from .ordering import collation_string, term_collation_string
from .sparql_guard import Token, tokenize

SORT_KEY_FUNCTION = "urn:x-gakg:sort-key"
UNBOUND = "urn:x-gakg:sort-key:unbound"
"""What stands for an unbound value among several joined in one call (the engine does not call a function with an
unbound argument). The IRI itself, if it were data, would sort as unbound."""
_FUNCTION = f"<{SORT_KEY_FUNCTION}>"
_OPEN, _CLOSE = {"(": ")", "{": "}"}, {")", "}"}
_DIRECTIONS = {"ASC", "DESC"}
# words that end the conditions (a word starts a condition only as a call, followed by a bracket)
_NOT_CONDITIONS = {"LIMIT", "OFFSET", "VALUES", "GROUP", "HAVING", "ORDER"}


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@functools.lru_cache(maxsize=1 << 16)
def _key_string(term: Term) -> str:
    """A value's place in the SPARQL order as a string (remembered for the last 65,536 values: a sort over a join
    meets the same values many times); :data:`UNBOUND` stands for an unbound value."""
    return _UNBOUND_KEY if term == _UNBOUND_NODE else term_collation_string(term)


def sort_key_term(*terms: Term) -> ox.Literal:
    """The engine's custom function: the values' place in the SPARQL order, one after another, as a plain string.

    >>> a, b = sort_key_term(ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))), \\
    ...     sort_key_term(ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
    >>> a.value < b.value
    True
    """
    if len(terms) == 1:
        return ox.Literal(_key_string(terms[0]))
    return ox.Literal("".join(map(_key_string, terms)))


_UNBOUND_NODE = ox.NamedNode(UNBOUND)
_UNBOUND_KEY = collation_string(None)
CUSTOM_FUNCTIONS = {ox.NamedNode(SORT_KEY_FUNCTION): sort_key_term}


def _closing(tokens: list[Token], at: int) -> int | None:
    """The index of the bracket that closes ``tokens[at]`` (a ``(`` or ``{``), or None."""
    depth = 0
    for i in range(at, len(tokens)):
        tok = tokens[i]
        if tok.kind != "other":
            continue
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return None


def _is_open(tokens: list[Token], at: int, bracket: str = "(") -> bool:
    return at < len(tokens) and tokens[at].kind == "other" and tokens[at].text == bracket


def _conditions(tokens: list[Token], at: int) -> list[tuple[str, int, int, int]]:
    """The sort conditions that start at ``tokens[at]``: (direction, start, expression, end): the condition takes
    the text ``start:end``, and the expression it sorts by is ``expression:end``."""
    found: list[tuple[str, int, int, int]] = []
    i = at
    while i < len(tokens):
        tok = tokens[i]
        word = tok.text.upper() if tok.kind == "word" else ""
        if word in _DIRECTIONS and _is_open(tokens, i + 1):
            last = _closing(tokens, i + 1)
            if last is None:
                break
            found.append((word, tok.start, tokens[i + 1].start, tokens[last].end))
            i = last + 1
        elif tok.kind == "var":
            found.append(("ASC", tok.start, tok.start, tok.end))
            i += 1
        elif _is_open(tokens, i):
            last = _closing(tokens, i)
            if last is None:
                break
            found.append(("ASC", tok.start, tok.start, tokens[last].end))
            i = last + 1
        elif tok.kind in ("word", "pname", "iri") and word not in _NOT_CONDITIONS:
            # a built-in or a function call; EXISTS and NOT EXISTS take a group instead of arguments
            j = i + 1 if word != "NOT" else i + 2
            if word in ("EXISTS", "NOT") and _is_open(tokens, j, "{"):
                last = _closing(tokens, j)
            elif _is_open(tokens, i + 1):
                last = _closing(tokens, i + 1)
            else:
                break
            if last is None:
                break
            found.append(("ASC", tok.start, tok.start, tokens[last].end))
            i = last + 1
        else:
            break
    return found


def _runs(query: str, conditions: list[tuple[str, int, int, int]]) -> list[tuple[int, int, str]]:
    """Consecutive conditions of one direction as one call of the function, whose string is their keys' strings
    joined: each is prefix-free, so the joined strings sort as the conditions do one after another, and the engine
    calls the function once per row instead of once per condition (each call costs the engine more than the key).
    An unbound (or failing) value in a joined call stands as :data:`UNBOUND`, whose key sorts first as unbound does;
    a lone condition is passed as it is. Returns (start, end, replacement) spans of ``query``."""
    spans: list[tuple[int, int, str]] = []
    run: list[tuple[str, int, int, int]] = []
    for condition in [*conditions, ("", 0, 0, 0)]:
        if run and condition[0] != run[0][0]:
            expressions = [query[expression:end] for _, _, expression, end in run]
            if len(expressions) > 1:
                expressions = [f"COALESCE({e}, <{UNBOUND}>)" for e in expressions]
            spans.append((run[0][1], run[-1][3], f"{run[0][0]}({_FUNCTION}({', '.join(expressions)}))"))
            run = []
        run.append(condition)
    return spans


def rewrite_order_by(query: str) -> str:
    """The query with every sort condition wrapped in the sort-key function (see the module's docstring).
    A query without ``ORDER BY`` comes back unchanged."""
    tokens = tokenize(query)
    spans: list[tuple[int, int, str]] = []
    for i, tok in enumerate(tokens[:-1]):
        if tok.kind == "word" and tok.text.upper() == "ORDER":
            after = tokens[i + 1]
            if after.kind == "word" and after.text.upper() == "BY":
                spans += _runs(query, _conditions(tokens, i + 2))
    if not spans:
        return query
    out: list[str] = []
    last = 0
    for start, end, replacement in spans:
        out += [query[last:start], replacement]
        last = end
    out.append(query[last:])
    return "".join(out)
