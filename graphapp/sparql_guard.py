"""Checks a SPARQL request before any engine sees it: what form it is, and whether it could reach outside.

Both rdflib and pyoxigraph follow ``SERVICE`` to the network, rdflib follows ``FROM`` and ``LOAD`` to URLs and
files (docs/security.md). The public endpoint refuses them in two independent layers, so that one mistake is
not enough:

1. this module's **keyword scan**, fast enough to run in the web process on every request: comments, strings
   and IRIs are masked first, so ``"SERVICE"`` in a literal, ``?service`` or ``ex:load`` are not keywords.
   Its tokens follow the SPARQL grammar where attacks were found: a comment ends at a carriage return as at a
   line feed, and a prefixed name may hold escapes such as ``\\#`` (which do not start a comment);
2. a **real parse** (:mod:`graphapp.sparql_algebra`, rdflib's SPARQL parser and algebra), run inside the
   query worker, under its time and memory limits, which must agree with the scan (:func:`confirm_query`).

Behind both, the worker processes cannot open network sockets at all (:mod:`graphapp.sandbox`).

>>> inspect_query("SELECT * WHERE { ?s ?p ?o }").form
'SELECT'
>>> inspect_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graphapp.sparql_guard.RefusedQuery: SERVICE is not allowed: this endpoint never queries other services.
>>> inspect_query("SELECT * WHERE { #x\\rSERVICE <http://x/> { ?s ?p ?o } }").form
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
WRITE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE"}

SERVICE_REFUSED = "SERVICE is not allowed: this endpoint never queries other services."
LOAD_REFUSED = "LOAD is not allowed: this endpoint never fetches data from URLs or files."


class RefusedQuery(ValueError):
    """The request is well formed enough to read but is not allowed here (HTTP 400)."""


@dataclass(frozen=True)
class Inspection:
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)


# One token at a time, in order of precedence. Strings and IRIs are kept whole so their content never
# looks like a keyword; comments are dropped. Pieces follow the SPARQL 1.1 grammar's terminals.
_ECHAR = r"\\."
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PN_LOCAL_ESC = r"""\\[_~.\-!$&'()*+,;=/?\#@%]"""  # escaped characters allowed inside a local name
_PERCENT = r"%[0-9A-Fa-f]{2}"
_TOKEN = re.compile(
    rf"""
    (?P<comment>\#[^\r\n]*)                     # a comment ends at CR or LF (grammar: 0x0D or 0x0A)
  | (?P<string>
        '''(?:[^'\\]|{_ECHAR}|'(?!''))*'''      # long single-quoted
      | \"\"\"(?:[^"\\]|{_ECHAR}|"(?!""))*\"\"\"  # long double-quoted
      | '(?:[^'\\\n\r]|{_ECHAR})*'              # short single-quoted: no raw line break
      | "(?:[^"\\\n\r]|{_ECHAR})*"              # short double-quoted
    )
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>
        (?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:      # prefix
        (?:[\w\-.:\u00B7-\uFFFF]|{_PERCENT}|{_PN_LOCAL_ESC})*  # local name, escapes included
    )
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>\S)
    """,
    re.VERBOSE,
)
_UCHAR_RE = re.compile(_UCHAR)
_LOCAL_ESC_RE = re.compile(_PN_LOCAL_ESC)


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


def unescape_iri(text: str) -> str:
    r"""Decode ``\uXXXX`` escapes in an IRI reference and ``\#``-style escapes of a local name, as the
    engine does.

    >>> unescape_iri(r"https://e/\u0072estricted/a\/b")
    'https://e/restricted/a/b'
    """
    text = _UCHAR_RE.sub(lambda m: chr(int(m.group()[2:], 16)), text)
    return _LOCAL_ESC_RE.sub(lambda m: m.group()[1], text)


def _prefixes(tokens: list[_Tok]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, tok in enumerate(tokens[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX":
            name, iri = tokens[i + 1], tokens[i + 2]
            if name.kind == "pname" and iri.kind == "iri":
                found[name.text.rstrip(":")] = unescape_iri(iri.text[1:-1])
    return found


def _resolve(tok: _Tok, prefixes: dict[str, str]) -> str | None:
    if tok.kind == "iri":
        return unescape_iri(tok.text[1:-1])
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + unescape_iri(local)
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


def inspect_query(text: str, allowed_graphs: Iterable[str] = (), *, dataset_given: bool = False) -> Inspection:
    """Classify a query and refuse what would make the server open a URL or a file.

    ``allowed_graphs`` are the named graphs of the store: ``FROM``/``FROM NAMED`` may name those only, unless
    the protocol's ``default-graph-uri``/``named-graph-uri`` give the dataset (``dataset_given``): they take
    precedence (SPARQL 1.1 Protocol, 2.1.4), the query's ``FROM`` graphs are never read, and only the
    protocol's graphs are checked (by the caller).

    >>> inspect_query("SELECT * FROM NAMED")
    Traceback (most recent call last):
    ...
    graphapp.sparql_guard.RefusedQuery: Syntax error: FROM NAMED must be followed by a graph IRI.
    >>> inspect_query("SELECT * FROM <http://x/> { ?s ?p ?o }", dataset_given=True).from_graphs
    ['http://x/']
    """
    tokens = _tokens(text)
    form = _form(tokens)
    if form is None:
        raise RefusedQuery("No query form found: expected SELECT, ASK, CONSTRUCT or DESCRIBE.")
    words = [t.text.upper() if t.kind == "word" else "" for t in tokens]
    if "SERVICE" in words:
        raise RefusedQuery(SERVICE_REFUSED)
    if form == "UPDATE" or set(words) & WRITE_KEYWORDS:
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
        at = i + 2 if named else i + 1
        target = tokens[at] if at < len(tokens) else None
        iri = _resolve(target, prefixes) if target is not None else None
        if iri is None:
            raise RefusedQuery(f"Syntax error: FROM{' NAMED' if named else ''} must be followed by a graph IRI.")
        if iri not in allowed and not dataset_given:
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
        raise RefusedQuery(LOAD_REFUSED)
    if "SERVICE" in words:
        raise RefusedQuery(SERVICE_REFUSED)
    if _form(tokens) in QUERY_FORMS and not (words & set(UPDATE_KEYWORDS)):
        raise RefusedQuery("This is a query, not an update: send it to the query endpoint.")


_NOT_DATA = {"WHERE", "WITH", "USING", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "SERVICE"}


def is_data_update(text: str) -> bool:
    """True if the update only inserts or deletes given data (``INSERT DATA``/``DELETE DATA``): its changes are
    known from its text, with no pattern to evaluate against the store.

    >>> is_data_update('INSERT DATA { <a:s> <a:p> "x" } ; DELETE DATA { <a:s> <a:p> "y" }')
    True
    >>> is_data_update("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    False
    """
    words = [t.text.upper() for t in _tokens(text) if t.kind == "word"]
    if not words or set(words) & _NOT_DATA:
        return False
    edits = [i for i, w in enumerate(words) if w in {"INSERT", "DELETE"}]
    return bool(edits) and all(i + 1 < len(words) and words[i + 1] == "DATA" for i in edits)
