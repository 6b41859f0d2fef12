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
_PREFIX_START = "A-Za-z\u00c0-\uffff"
# Each kind of token has its own pattern, chosen by the token's first character. A string or a prefixed name
# is read in two steps: its longest possible body, then its closing quotes or colon. When that close is
# missing, every opener of the same kind up to the end of that body would fail the same way (the body's
# characters pair up identically from the next one on), so the scanner remembers where the failure ends
# instead of reading the same characters again: one pass, linear in the query's length, whatever its shape
# (``a-a-a-…``, ``"\"\"\"…``), where one regular expression with alternatives took quadratic time.
_COMMENT = re.compile(r"\#[^\r\n]*")  # a comment ends at CR or LF (grammar: 0x0D or 0x0A)
_STRING_BODY = {
    "'''": re.compile(rf"'''(?:[^'\\]|{_ECHAR}|'(?!''))*"),  # long single-quoted
    '"""': re.compile(rf'"""(?:[^"\\]|{_ECHAR}|"(?!""))*'),  # long double-quoted
    "'": re.compile(rf"'(?:[^'\\\n\r]|{_ECHAR})*"),  # short single-quoted: no raw line break
    '"': re.compile(rf'"(?:[^"\\\n\r]|{_ECHAR})*'),  # short double-quoted
}
_IRI = re.compile(rf"""<(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>""")
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00B7-\uFFFF]+")
_PREFIX = re.compile(rf"[{_PREFIX_START}][\w\-.\u00B7-\uFFFF]*")
_LOCAL = re.compile(rf"(?:[\w\-.:\u00B7-\uFFFF]|{_PERCENT}|{_PN_LOCAL_ESC})*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"\s+")
_UCHAR_RE = re.compile(_UCHAR)
_LOCAL_ESC_RE = re.compile(_PN_LOCAL_ESC)


@dataclass(frozen=True)
class Token:
    """One token of a query: its kind (``word``, ``var``, ``pname``, ``iri``, ``string`` or ``other``), its text,
    and where it starts in the query."""

    kind: str
    text: str
    start: int = 0

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def tokenize(text: str) -> list[Token]:
    """The query's tokens, comments left out, in one linear pass.

    >>> [(t.kind, t.text) for t in tokenize('SELECT ?x { a:b "s" } # c')]
    [('word', 'SELECT'), ('var', '?x'), ('other', '{'), ('pname', 'a:b'), ('string', '"s"'), ('other', '}')]
    >>> [t.text for t in tokenize('a-b "\\\\"x')]
    ['a', '-', 'b', '"', '\\\\', '"', 'x']
    """
    out: list[Token] = []
    # per kind of opener, the end of a known failure: an opener before it cannot close
    failed_until: dict[str, int] = {}
    pos, n = 0, len(text)
    while pos < n:
        space = _SPACE.match(text, pos)
        if space:
            pos = space.end()
            continue
        char = text[pos]
        kind, end = "other", pos + 1
        if char == "#":
            pos = _end(_COMMENT, text, pos)
            continue
        if char in "'\"":
            for opener in (char * 3, char):
                if not text.startswith(opener, pos) or pos < failed_until.get(opener, 0):
                    continue
                body = _end(_STRING_BODY[opener], text, pos)
                if text.startswith(char * len(opener), body):
                    kind, end = "string", body + len(opener)
                    break
                failed_until[opener] = body
        elif char == "<":
            iri = _IRI.match(text, pos)
            if iri:
                kind, end = "iri", iri.end()
        elif char in "?$":
            var = _VAR.match(text, pos)
            if var:
                kind, end = "var", var.end()
        else:
            colon = -1
            if char == ":":
                colon = pos
            elif pos >= failed_until.get(":", 0) and (prefix := _PREFIX.match(text, pos)):
                run = prefix.end()
                if text.startswith(":", run):
                    colon = run
                else:
                    failed_until[":"] = run
            if colon >= 0:
                kind, end = "pname", _end(_LOCAL, text, colon + 1)
            else:
                word = _WORD.match(text, pos)
                if word:
                    kind, end = "word", word.end()
        out.append(Token(kind, text[pos:end], pos))
        pos = end
    return out


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a token read by ``pattern`` from ``pos`` ends, for the patterns that always match there: a comment at
    ``#``, a string's body after its opener, a local name (which may be empty)."""
    found = pattern.match(text, pos)
    if found is None:
        raise RuntimeError(f"the tokenizer's pattern {pattern.pattern!r} does not match at {pos}")
    return found.end()


def unescape_iri(text: str) -> str:
    r"""Decode ``\uXXXX`` escapes in an IRI reference and ``\#``-style escapes of a local name, as the
    engine does.

    >>> unescape_iri(r"https://e/\u0072estricted/a\/b")
    'https://e/restricted/a/b'
    """
    text = _UCHAR_RE.sub(lambda m: chr(int(m.group()[2:], 16)), text)
    return _LOCAL_ESC_RE.sub(lambda m: m.group()[1], text)


def _prefixes(tokens: list[Token]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, tok in enumerate(tokens[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX":
            name, iri = tokens[i + 1], tokens[i + 2]
            if name.kind == "pname" and iri.kind == "iri":
                found[name.text.rstrip(":")] = unescape_iri(iri.text[1:-1])
    return found


def _resolve(tok: Token, prefixes: dict[str, str]) -> str | None:
    if tok.kind == "iri":
        return unescape_iri(tok.text[1:-1])
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + unescape_iri(local)
    return None


def _form(tokens: Iterable[Token]) -> str | None:
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
    tokens = tokenize(text)
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
    tokens = tokenize(text)
    words = {t.text.upper() for t in tokens if t.kind == "word"}
    if "LOAD" in words:
        raise RefusedQuery(LOAD_REFUSED)
    if "SERVICE" in words:
        raise RefusedQuery(SERVICE_REFUSED)
    if _form(tokens) in QUERY_FORMS and not (words & set(UPDATE_KEYWORDS)):
        raise RefusedQuery("This is a query, not an update: send it to the query endpoint.")


#: graph management operations, which remove or replace whole graphs (``CLEAR DEFAULT`` removed every staff
#: contribution at once): only an administrator may send them (docs/security.md, «Who may write»)
BULK_KEYWORDS = {"CLEAR", "DROP", "MOVE", "COPY"}


def bulk_operations(text: str) -> list[str]:
    """The graph management operations of an update that remove or replace whole graphs, in order.

    >>> bulk_operations("CLEAR DEFAULT ; INSERT DATA { <a:s> <a:p> 'clear' }")
    ['CLEAR']
    >>> bulk_operations("DELETE WHERE { ?s ?p ?o }")
    []
    """
    return [t.text.upper() for t in tokenize(text) if t.kind == "word" and t.text.upper() in BULK_KEYWORDS]


_NOT_DATA = {"WHERE", "WITH", "USING", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "SERVICE"}


def is_data_update(text: str) -> bool:
    """True if the update only inserts or deletes given data (``INSERT DATA``/``DELETE DATA``): its changes are
    known from its text, with no pattern to evaluate against the store.

    >>> is_data_update('INSERT DATA { <a:s> <a:p> "x" } ; DELETE DATA { <a:s> <a:p> "y" }')
    True
    >>> is_data_update("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    False
    """
    words = [t.text.upper() for t in tokenize(text) if t.kind == "word"]
    if not words or set(words) & _NOT_DATA:
        return False
    edits = [i for i, w in enumerate(words) if w in {"INSERT", "DELETE"}]
    return bool(edits) and all(i + 1 < len(words) and words[i + 1] == "DATA" for i in edits)
