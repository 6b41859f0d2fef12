"""The second layer of the SPARQL guard: a real parse of the request with rdflib's SPARQL parser and algebra.

The keyword scan of :mod:`graphapp.sparql_guard` decides quickly in the web process; this module parses the
same text with a grammar (rdflib's, which accepts every positive W3C syntax test once its negative-decimal slip
is mended below, and is stricter than the engine's on the rest) and reads from the algebra what the scan
guessed: the query form, ``SERVICE``, ``LOAD``, the ``FROM`` graphs and, for updates, every graph written.
When the two layers disagree the request is refused. Parsing runs inside a query worker
(:mod:`graphapp.worker`): pyparsing can be slow or recurse deeply on large queries, and there the time and
memory limits apply.

>>> parse_query("SELECT * FROM <https://g/a> WHERE { ?s ?p ?o }").from_graphs
('https://g/a',)
>>> parse_query("SELECT * WHERE { ?s ?p ?o #x\\rSERVICE <http://x/> { ?a ?b ?c }\\n}").service
True
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql import parser as _sparql_parser
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Update
from rdflib.term import BNode, Literal, URIRef, Variable

from .sparql_guard import LOAD_REFUSED, SERVICE_REFUSED, Inspection, RefusedQuery, unescape_iri


def _negative_decimal(tokens: ParseResults) -> Literal:
    literal = tokens[0]
    return Literal("-" + str(literal), datatype=literal.datatype)


# rdflib negates a negative decimal literal (``-1.0``) with ``-literal``, which its Literal does not support for
# xsd:decimal ("Not a number": the one positive W3C syntax test its grammar refused); the same token, negated
# in its lexical form.
_sparql_parser.DECIMAL_NEGATIVE.set_parse_action(_negative_decimal)

# rdflib's grammar recurses once per triple pattern: raise the limit (the worker runs this in a thread with a
# large stack, see worker.WORKER_STACK_BYTES) so that queries of a few hundred patterns parse.
RECURSION_LIMIT = 20_000
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
_LONE_CR = re.compile(r"\r(?!\n)")
DEFAULT = "DEFAULT"  # the default graph as a write target


@dataclass(frozen=True)
class ParsedQuery:
    form: str
    service: bool
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedUpdate:
    operations: tuple[str, ...]  # Modify, InsertData, Drop, ...
    service: bool
    load: bool
    writes: frozenset[str] = field(default_factory=frozenset)  # graph IRIs written, or DEFAULT
    drops_all: bool = False  # DROP/CLEAR ALL or NAMED
    variable_graph: bool = False  # GRAPH ?g in a template: the graph is not known before evaluation


def _grammar_text(text: str) -> str:
    # The SPARQL grammar ends a comment at CR as at LF; rdflib's tokenizer only at LF. A lone CR is
    # whitespace everywhere else (and stays content inside long strings), so making it LF changes nothing
    # but that.
    return _LONE_CR.sub("\n", text)


def _nodes(node: object) -> Iterator[CompValue]:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            yield n
            stack.extend(n.values())
        elif isinstance(n, list | tuple | set | frozenset):
            stack.extend(n)
        elif isinstance(n, dict):
            stack.extend(n.keys())
            stack.extend(n.values())


def _field(node: CompValue, name: str) -> Any:
    # CompValue.get answers the key itself for a missing key: ask the dict underneath
    return dict.get(node, name)


def _iri(term: object) -> str:
    return unescape_iri(str(term))


_Parsed = TypeVar("_Parsed")
_Algebra = TypeVar("_Algebra")


def _parse(parse: Callable[[str], _Parsed], translate: Callable[[_Parsed], _Algebra], text: str) -> _Algebra:
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        return translate(parse(_grammar_text(text)))
    except ParseException as exc:
        raise SyntaxError(f"error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
    except RecursionError:
        raise RefusedQuery("The request is nested too deeply to be checked; split it into smaller ones.") from None
    except Exception as exc:
        raise SyntaxError(str(exc) or exc.__class__.__name__) from None


@functools.lru_cache(maxsize=256)  # public endpoints see the same queries again and again
def parse_query(text: str) -> ParsedQuery:
    """What the grammar says a query is. Raises ``SyntaxError`` if it does not parse."""
    query = _parse(parseQuery, translateQuery, text)
    algebra = query.algebra
    form = _FORMS.get(algebra.name, algebra.name)
    service = any(n.name == "ServiceGraphPattern" for n in _nodes(algebra))
    default: list[str] = []
    named: list[str] = []
    for clause in _field(algebra, "datasetClause") or []:
        if _field(clause, "default") is not None:
            default.append(_iri(clause["default"]))
        if _field(clause, "named") is not None:
            named.append(_iri(clause["named"]))
    return ParsedQuery(form, service, tuple(default), tuple(named))


def confirm_query(text: str, scanned: Inspection) -> None:
    """Refuse the query unless the parse agrees with the keyword scan (form and dataset) and has no SERVICE."""
    parsed = parse_query(text)
    if parsed.service:
        raise RefusedQuery(SERVICE_REFUSED)
    if (
        parsed.form != scanned.form
        or sorted(parsed.from_graphs) != sorted(scanned.from_graphs)
        or sorted(parsed.from_named_graphs) != sorted(scanned.from_named_graphs)
    ):
        raise RefusedQuery(
            "The query could not be read unambiguously (the guard's two readings of it differ); "
            "write it without unusual escapes or line breaks inside comments."
        )


def _graph_keys(quads: object) -> Iterator[object]:
    if isinstance(quads, dict):
        yield from quads.keys()


def _update_algebra(text: str) -> list[CompValue]:
    """The operations of an update, in order. An update with none (empty, or only comments and prefixes) is valid
    SPARQL 1.1 and changes nothing; rdflib translates it to a bare list instead of an ``Update``."""
    update: Update | list[CompValue] = _parse(parseUpdate, translateUpdate, text)  # not the Update rdflib declares
    return list(update) if isinstance(update, list) else list(update.algebra)


def _check_blank_node_scopes(algebra: list[CompValue]) -> None:
    """SPARQL 1.1 Update (19.6): a blank node label of ``INSERT DATA`` is scoped to its operation, and may not
    be used again by another operation of the same request; rdflib's grammar lets that through."""
    seen: set[BNode] = set()
    for op in algebra:
        if op.name != "InsertData":
            continue
        triples = list(_field(op, "triples") or [])
        for quads in (_field(op, "quads") or {}).values():
            triples.extend(quads)
        labels = {t for triple in triples for t in triple if isinstance(t, BNode)}
        reused = labels & seen
        if reused:
            raise SyntaxError(f"blank node label _:{sorted(reused)[0]} is used by two INSERT DATA operations")
        seen |= labels


def parse_update(text: str) -> ParsedUpdate:
    """Every graph an update writes, read from its algebra. Raises ``SyntaxError`` if it does not parse."""
    algebra = _update_algebra(text)
    _check_blank_node_scopes(algebra)
    operations: list[str] = []
    writes: set[str] = set()
    drops_all = variable = False
    for op in algebra:
        operations.append(op.name)
        if op.name in {"InsertData", "DeleteData", "DeleteWhere"}:
            for g in _graph_keys(_field(op, "quads")):
                variable |= isinstance(g, Variable)
                writes.add(_iri(g)) if isinstance(g, URIRef) else None
            if _field(op, "triples"):
                writes.add(DEFAULT)
        elif op.name == "Modify":
            target = _field(op, "withClause")
            for clause in (_field(op, "delete"), _field(op, "insert")):
                if clause is None:
                    continue
                for g in _graph_keys(_field(clause, "quads")):
                    variable |= isinstance(g, Variable)
                    writes.add(_iri(g)) if isinstance(g, URIRef) else None
                if _field(clause, "triples"):
                    writes.add(_iri(target) if target is not None else DEFAULT)
        elif op.name in {"Clear", "Drop", "Create", "Load"}:
            g = _field(op, "graphiri")
            if g in {"ALL", "NAMED"}:
                drops_all = True
            elif g == "DEFAULT" or (g is None and op.name == "Load"):
                writes.add(DEFAULT)
            elif g is not None:
                writes.add(_iri(g))
        elif op.name in {"Add", "Move", "Copy"}:
            source, target = op["graph"]
            writes.add(DEFAULT if target == "DEFAULT" else _iri(target))
            if op.name == "Move":  # MOVE empties its source
                writes.add(DEFAULT if source == "DEFAULT" else _iri(source))
    nodes = [n.name for n in _nodes(algebra)]
    return ParsedUpdate(
        tuple(operations),
        service="ServiceGraphPattern" in nodes,
        load="Load" in operations,
        writes=frozenset(writes),
        drops_all=drops_all,
        variable_graph=variable,
    )


@dataclass(frozen=True)
class WritePolicy:
    """Which graphs an update may write: the default graph and named graphs under ``writable_prefix`` that are
    neither source graphs (loaded from the project's files) nor under ``restricted_prefix``."""

    writable_prefix: str
    restricted_prefix: str
    source_graphs: frozenset[str]

    def check(self, parsed: ParsedUpdate) -> None:
        if parsed.load:
            raise RefusedQuery(LOAD_REFUSED)
        if parsed.service:
            raise RefusedQuery(SERVICE_REFUSED)
        if parsed.drops_all:
            raise RefusedQuery(
                "DROP/CLEAR ALL or NAMED would empty the source graphs, which are read-only here; name the graph."
            )
        if parsed.variable_graph:
            raise RefusedQuery("Name the graph an update writes (GRAPH <iri>), not a variable (GRAPH ?g).")
        for graph in sorted(parsed.writes - {DEFAULT}):
            if graph.startswith(self.restricted_prefix):
                raise RefusedQuery("The restricted graph is not writable through the public service.")
            if graph in self.source_graphs:
                raise RefusedQuery(
                    f"<{graph}> holds the project's source data and is read-only here; "
                    f"write to a graph under <{self.writable_prefix}> instead."
                )
            if not graph.startswith(self.writable_prefix):
                raise RefusedQuery(
                    f"<{graph}> is outside this service's graphs; use a graph under <{self.writable_prefix}>."
                )


def data_quads(text: str) -> list[tuple[str, tuple[object, object, object], object]]:
    """The statements of a data-only update, in order: ("add" | "remove", (s, p, o), graph), with rdflib terms and
    the graph IRI as a string or :data:`DEFAULT`. Raises :class:`RefusedQuery` for any other operation."""
    out: list[tuple[str, tuple[object, object, object], object]] = []
    for op in _update_algebra(text):
        if op.name not in {"InsertData", "DeleteData"}:
            raise RefusedQuery("The update could not be read unambiguously (the guard's two readings of it differ).")
        action = "add" if op.name == "InsertData" else "remove"
        for triple in _field(op, "triples") or []:
            out.append((action, tuple(triple), DEFAULT))
        quads = _field(op, "quads") or {}
        for graph, triples in quads.items():
            for triple in triples:
                out.append((action, tuple(triple), _iri(graph)))
    return out
