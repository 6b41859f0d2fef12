"""Checks a SPARQL request before any engine sees it: what form it is, and whether it could reach outside.

Both rdflib and pyoxigraph follow ``SERVICE`` to the network (FACTS.md), rdflib follows ``FROM`` and
``LOAD`` to URLs and files. The public endpoint refuses them here, with a clear message, by scanning the
query's tokens: comments, strings and IRIs are masked first, so ``"SERVICE"`` in a literal, ``?service`` or
``ex:load`` are not keywords.

>>> inspect_query("SELECT * WHERE { ?s ?p ?o }").form
'SELECT'
>>> inspect_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graphapp.sparql_guard.RefusedQuery: SERVICE is not allowed: this endpoint never queries other services.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


class RefusedQuery(ValueError):
    """The request is well formed enough to read but is not allowed here (HTTP 400)."""


@dataclass(frozen=True)
class Inspection:
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)


# One token at a time, in order of precedence. Strings and IRIs are kept whole so their content never
# looks like a keyword; comments are dropped.
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>
        '''(?:[^'\\]|\\.|'(?!''))*'''           # long single-quoted
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"     # long double-quoted
      | '(?:[^'\\\n]|\\.)*'                     # short single-quoted
      | "(?:[^"\\\n]|\\.)*"                     # short double-quoted
    )
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7-\uFFFF]*))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>\S)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append(_Tok(kind, m.group()))
    return out


def _prefixes(tokens: list[_Tok]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, tok in enumerate(tokens[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX":
            name, iri = tokens[i + 1], tokens[i + 2]
            if name.kind == "pname" and iri.kind == "iri":
                found[name.text.rstrip(":")] = iri.text[1:-1]
    return found


def _resolve(tok: _Tok, prefixes: dict[str, str]) -> str | None:
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def _form(tokens: Iterable[_Tok]) -> str | None:
    for tok in tokens:
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
    return None


def inspect_query(text: str, allowed_graphs: Iterable[str] = ()) -> Inspection:
    """Classify a query and refuse what would make the server open a URL or a file.

    ``allowed_graphs`` are the named graphs of the store: ``FROM``/``FROM NAMED`` may name those only.
    """
    tokens = _tokens(text)
    form = _form(tokens)
    if form is None:
        raise RefusedQuery("No query form found: expected SELECT, ASK, CONSTRUCT or DESCRIBE.")
    words = [t.text.upper() if t.kind == "word" else "" for t in tokens]
    if "SERVICE" in words:
        raise RefusedQuery("SERVICE is not allowed: this endpoint never queries other services.")
    if form == "UPDATE" or set(words) & {
        "INSERT",
        "DELETE",
        "LOAD",
        "CLEAR",
        "CREATE",
        "DROP",
        "COPY",
        "MOVE",
    }:
        raise RefusedQuery(
            "Updates are not allowed at this endpoint: it only reads. Use the authenticated update endpoint."
        )
    prefixes = _prefixes(tokens)
    allowed = set(allowed_graphs)
    from_graphs: list[str] = []
    from_named: list[str] = []
    for i, word in enumerate(words):
        if word != "FROM":
            continue
        named = i + 1 < len(words) and words[i + 1] == "NAMED"
        target = tokens[i + 2] if named else tokens[i + 1] if i + 1 < len(tokens) else None
        iri = _resolve(target, prefixes) if target is not None else None
        if iri is None:
            raise RefusedQuery("FROM must be followed by a graph IRI.")
        if iri not in allowed:
            raise RefusedQuery(
                f"FROM{' NAMED' if named else ''} <{iri}> is not a graph of this dataset; "
                "this endpoint never fetches graphs from URLs or files."
            )
        (from_named if named else from_graphs).append(iri)
    return Inspection(form, from_graphs, from_named)


def inspect_update(text: str) -> None:
    """Refuse updates that would fetch data (``LOAD``) or call other services (``SERVICE``)."""
    tokens = _tokens(text)
    words = {t.text.upper() for t in tokens if t.kind == "word"}
    if "LOAD" in words:
        raise RefusedQuery("LOAD is not allowed: this endpoint never fetches data from URLs or files.")
    if "SERVICE" in words:
        raise RefusedQuery("SERVICE is not allowed: this endpoint never queries other services.")
    if _form(tokens) in QUERY_FORMS and not (words & set(UPDATE_KEYWORDS)):
        raise RefusedQuery("This is a query, not an update: send it to the query endpoint.")
