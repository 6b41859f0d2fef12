"""The store on a SPARQL 1.1 Protocol + Update server (``GRAPHAPP_STORE=sparql``): Oxigraph server, Virtuoso, or
any other that speaks the protocol.

:class:`SparqlGraphStore` implements :class:`graphapp.storage.Store` over HTTP: the pages'
named queries, the write path's checks and commits, the dumps and the sync of the source files all go through
the protocol, so the rest of the service does not know which backend it runs on. What differs:

- the dataset: the default graph is the union of the service's graphs (those under its ``…/graph/``) and a
  server's own graphs (Virtuoso's system graphs, anything written into the server by someone else) never show.
  Where the server can take its default graph as the union of its graphs per request (the Oxigraph server's
  ``union-default-graph`` parameter) and every graph on it is the service's (its own default graph empty), the
  request says just that: listing some thirty graphs as ``default-graph-uri``/``named-graph-uri`` made the Oxigraph
  server match every triple pattern graph by graph, 3 to 15 times slower on the example queries at 10^5 triples
  (docs/benchmarks-oxigraph-server.md). Otherwise (Virtuoso, or a server holding other graphs) the dataset is
  listed in the request, as it always was;
- a named query's bindings become an inline ``VALUES`` block at the head of its ``WHERE`` group;
- a commit is one update request (``DELETE DATA … ; INSERT DATA …``), which both servers apply as one
  transaction;
- the service's graphs are listed in a registry graph on the server (``…/graph/registro-de-grafos``), written in
  the same request as the data: listing them is one small query, where finding them by a scan of every quad took
  5.6 s on Virtuoso with the shipped data alone (its own system graphs included), and grows with the data. A server
  that takes the union per request keeps no registry (it would show in the union): there ``GRAPH ?g {}`` lists its
  graphs from the server's own list of graphs, and is asked again every few seconds
  (:data:`GRAPHS_RECHECK_SECONDS`), so that a graph written into the server by someone else turns the explicit
  dataset back on;
- users' queries are still scanned and parsed by the service (two layers, :mod:`graphapp.sparql_guard` and
  :mod:`graphapp.sparql_algebra`), then evaluated by the server: :func:`run_user_query`. A ``SELECT`` is sent
  with a ``LIMIT`` of one row past the service's row cap (:func:`with_row_cap`): the server neither writes nor
  sends the rows the service would drop, and an answer larger than the service reads whole is cut to the cap as on
  the embedded store, instead of refused.
"""

from __future__ import annotations

import asyncio
import io
import re
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Literal, overload

import httpx
import pyoxigraph as ox
import rdflib

from . import results
from .config import Settings
from .iris import CANONICAL_BASE, is_valid_iri
from .sources import SourceFile, parse_all
from .sparql_guard import tokenize
from .storage import (
    RawRow,
    RemoteStoreError,
    Row,
    Term,
    as_triples,
    data_update,
    export_graphs,
    export_quads,
    rebase_iri,
    rebase_quad,
    refuse_engine_sort,
    rows_of,
    run_named,
    to_rdflib,
    to_term,
)

JSON_RESULTS = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
N_TRIPLES = "application/n-triples"
CHUNK = 5_000  # quads per INSERT DATA request when loading files
REGISTRY = "graph/registro-de-grafos"  # under the base IRI: the graph that lists the service's graphs
NAMED_GRAPH = "http://www.w3.org/ns/sparql-service-description#NamedGraph"
#: the Oxigraph server's protocol parameter for a default graph that is the union of all its graphs
UNION = ("union-default-graph", "true")
#: how old the list of a union server's graphs may be before a query asks for it again (a write by the service
#: itself lists them again at once)
GRAPHS_RECHECK_SECONDS = 2.0


_COMMENT_LINE = re.compile(r"^\s*#.*$", re.MULTILINE)
_GROUP_START = re.compile(r"\b(?:WHERE|ASK)\s*\{", re.IGNORECASE)


def bind_values(text: str, bindings: Mapping[str, object] | None) -> str:
    """The query with ``bindings`` as an inline ``VALUES`` block at the head of its outer ``WHERE`` group (the
    protocol has no way to pass bindings). Only for the service's own named queries.

    >>> bind_values("SELECT ?iri ?l WHERE { ?iri <http://l> ?l }", {"iri": ox.NamedNode("http://e/a")})
    'SELECT ?iri ?l WHERE { VALUES (?iri) { (<http://e/a>) } ?iri <http://l> ?l }'
    """
    if not bindings:
        return text
    body = _COMMENT_LINE.sub("", text)
    match = _GROUP_START.search(body)
    if match is None:
        raise ValueError("cannot bind values: the query has no WHERE group")
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(str(to_term(v)) for v in bindings.values())
    return f"{body[: match.end()]} VALUES ({names}) {{ ({terms}) }}{body[match.end() :]}".strip()


class SparqlGraphStore:
    """See the module docstring."""

    def __init__(
        self,
        base_iri: str,
        query_url: str,
        update_url: str,
        *,
        user: str = "",
        password: str = "",
        timeout: float = 60.0,
    ) -> None:
        self.path: Path | None = None  # no folder of its own: the server keeps the data
        self.base_iri = base_iri
        self.files: list[SourceFile] = []
        self.query_url = query_url
        self.update_url = update_url or query_url
        auth = httpx.DigestAuth(user, password) if user else None
        self._http = httpx.Client(timeout=timeout, auth=auth)
        self._read_http = httpx.Client(timeout=timeout)
        self._graphs: list[str] | None = None
        self._union: bool | None = None  # the server takes union-default-graph (probed once)
        self._only_mine = False  # every graph on the server is the service's, and its own default graph is empty
        self._reads_stopped = threading.Event()
        self._listed_at = 0.0

    @classmethod
    def from_settings(cls, settings: Settings, *, include_restricted: bool = False) -> SparqlGraphStore:
        return cls(
            settings.base_iri,
            settings.sparql_query_url,
            settings.sparql_update_url,
            user=settings.sparql_user,
            password=settings.sparql_password,
            timeout=max(settings.update_timeout, settings.query_timeout) + 30,
        )

    # ------------------------------------------------------------ protocol

    def _post(self, client: httpx.Client, url: str, data: list[tuple[str, str]], accept: str | None) -> httpx.Response:
        headers = {"Content-Type": FORM, **({"Accept": accept} if accept else {})}
        try:
            r = client.post(url, content=_form(data), headers=headers)
        except httpx.HTTPError as exc:
            raise RemoteStoreError(f"the SPARQL server at {url} cannot be reached: {exc}") from None
        if r.status_code >= 300:
            raise RemoteStoreError(f"the SPARQL server answered {r.status_code}: {r.text[:300]}")
        return r

    def dataset_params(
        self, default: Iterable[str] | None = None, named: Iterable[str] | None = None
    ) -> list[tuple[str, str]]:
        """The dataset as ``default-graph-uri``/``named-graph-uri`` parameters: the service's graphs (or those
        given), an empty default graph when none is."""
        graphs = self.graphs()
        default = list(default) if default is not None else graphs
        named = list(named) if named is not None else graphs
        # an empty default graph: a graph that holds nothing
        return [("default-graph-uri", g) for g in default or [self.base_iri + "graph/none"]] + [
            ("named-graph-uri", g) for g in named or [self.base_iri + "graph/none"]
        ]

    def service_dataset(self) -> list[tuple[str, str]]:
        """The parameters of the service's dataset (the default graph the union of the service's graphs, the named
        graphs the service's): ``union-default-graph`` alone on a server that takes it and holds nothing but the
        service's graphs, else the graphs listed."""
        graphs = self.graphs()
        if self._only_mine:
            return [UNION]
        return self.dataset_params(graphs, graphs)

    def listing_due(self) -> bool:
        """The next :meth:`graphs` asks the server (a request, to be made off an event loop)."""
        return self._graphs is None or (
            bool(self._union) and time.monotonic() - self._listed_at > GRAPHS_RECHECK_SECONDS
        )

    def offers_union(self) -> bool:
        """The server takes ``union-default-graph=true`` per request: the Oxigraph server, told by its answers
        (it refuses the parameter beside a listed dataset, naming it, and answers it alone); Virtuoso ignores it."""
        if self._union is None:
            none = ("default-graph-uri", self.base_iri + "graph/none")
            headers = {"Content-Type": FORM, "Accept": JSON_RESULTS}
            try:
                both = self._read_http.post(
                    self.query_url, content=_form([("query", "ASK {}"), UNION, none]), headers=headers
                )
                union = both.status_code == 400 and UNION[0] in both.text
                if union:
                    alone = self._read_http.post(
                        self.query_url, content=_form([("query", "ASK {}"), UNION]), headers=headers
                    )
                    union = alone.status_code == 200 and _read_results(alone.content) is True
            except httpx.HTTPError as exc:
                raise RemoteStoreError(f"the SPARQL server at {self.query_url} cannot be reached: {exc}") from None
            self._union = union
        return self._union

    def _solutions(self, text: str, dataset: bool = True) -> tuple[list[str], list[ox.QuerySolution]] | bool:
        """The server's answer, read whole: the variables and solutions of a SELECT, or an ASK's boolean. An
        answer that cannot be read (the Oxigraph server cuts its streamed JSON at its time limit, status 200 already
        sent) is a :class:`RemoteStoreError`, as a refusal is."""
        params = [("query", text), *(self.service_dataset() if dataset else [])]
        r = self._post(self._read_http, self.query_url, params, JSON_RESULTS)
        answer = _read_results(r.content)
        if answer is None:
            raise RemoteStoreError("the SPARQL server's answer is cut or malformed (stopped at its time limit?)")
        return answer

    def _rows(self, text: str, dataset: bool = True) -> Iterator[list[Term]]:
        """The solutions of a SELECT whose variables are all bound, as lists of terms in the variables' order."""
        result = self._solutions(text, dataset)
        if isinstance(result, bool):
            raise RemoteStoreError("expected solutions, got a boolean")
        variables, solutions = result
        for sol in solutions:
            yield [sol[v] for v in variables]

    def _iris(self, text: str, dataset: bool = True) -> set[str]:
        """The IRIs in the first column of a SELECT's solutions."""
        return {row[0].value for row in self._rows(text, dataset) if isinstance(row[0], ox.NamedNode)}

    def _ask(self, text: str, dataset: bool = False) -> bool:
        """An ASK whose pattern names its graphs (or reads the union): no dataset is sent, since Virtuoso 7.2
        answers true to ``ASK { GRAPH <g> {…} }`` when ``<g>`` is not among the ``named-graph-uri``."""
        result = self._solutions(text, dataset)
        if not isinstance(result, bool):
            raise RemoteStoreError("expected a boolean, got solutions")
        return result

    def update(self, text: str) -> None:
        self._post(self._http, self.update_url, [("update", text)], None)
        self._graphs = None

    # ------------------------------------------------------------ the registry of the service's graphs

    @property
    def registry(self) -> str:
        return self.base_iri + REGISTRY

    def _registration(self, graphs: Iterable[str]) -> str:
        """An ``INSERT DATA`` that lists ``graphs`` in the registry ('' when there are none, or when the server
        lists its graphs itself: see the module docstring)."""
        if self.offers_union():
            return ""
        items = " ".join(f"<{g}> a <{NAMED_GRAPH}> ." for g in sorted(set(graphs) - {self.registry}))
        return f"INSERT DATA {{ GRAPH <{self.registry}> {{ {items} }} }}" if items else ""

    def _registered(self) -> set[str]:
        text = f"SELECT ?g WHERE {{ GRAPH <{self.registry}> {{ ?g a <{NAMED_GRAPH}> }} }}"
        return self._iris(text, dataset=False)

    # ------------------------------------------------------------ the store interface

    def _select(self, text: str, bindings: Mapping[str, object] | None, raw: bool) -> list[Row]:
        result = self._solutions(bind_values(text, bindings))
        if isinstance(result, bool):
            raise RemoteStoreError("expected solutions, got a boolean")
        variables, solutions = result
        del result
        try:
            return rows_of(variables, solutions, raw=raw, stop=self._reads_stopped)
        finally:
            del solutions  # the engine's parsed answer is freed on the thread that made it

    @overload
    def select(
        self,
        name: str,
        bindings: Mapping[str, object] | None = None,
        *,
        raw: Literal[False] = False,
        allow_sort: bool = False,
    ) -> list[Row]: ...
    @overload
    def select(
        self, name: str, bindings: Mapping[str, object] | None = None, *, raw: Literal[True], allow_sort: bool = False
    ) -> list[RawRow]: ...
    def select(
        self, name: str, bindings: Mapping[str, object] | None = None, *, raw: bool = False, allow_sort: bool = False
    ) -> list[Row] | list[RawRow]:
        return run_named(self._select, name, bindings, raw=raw, allow_sort=allow_sort)

    @overload
    def select_text(
        self,
        text: str,
        bindings: Mapping[str, object] | None = None,
        *,
        raw: Literal[False] = False,
        allow_sort: bool = False,
    ) -> list[Row]: ...
    @overload
    def select_text(
        self, text: str, bindings: Mapping[str, object] | None = None, *, raw: Literal[True], allow_sort: bool = False
    ) -> list[RawRow]: ...
    def select_text(
        self, text: str, bindings: Mapping[str, object] | None = None, *, raw: bool = False, allow_sort: bool = False
    ) -> list[Row] | list[RawRow]:
        refuse_engine_sort(text, "select_text", allow_sort)
        return self._select(text, bindings, raw)

    def triples(
        self, name: str, bindings: Mapping[str, object] | None = None, *, allow_sort: bool = False
    ) -> list[ox.Triple]:
        return as_triples(self.select(name, bindings, raw=True, allow_sort=allow_sort))

    def source_graphs(self) -> list[str]:
        return sorted({rebase_iri(f.graph, self.base_iri) for f in self.files})

    def load(self, files: Iterable[SourceFile]) -> None:
        files = list(files)
        self._insert(self._parsed(files))
        self.files.extend(files)

    def _parsed(self, files: list[SourceFile]) -> list[ox.Quad]:
        quads = parse_all(files)
        return [rebase_quad(q, self.base_iri) for q in quads] if self.base_iri != CANONICAL_BASE else quads

    def insert_quads(self, quads: list[ox.Quad]) -> None:
        """Add quads in batches (a restore, a load): not one transaction."""
        self._insert(quads)

    def _insert(self, quads: list[ox.Quad]) -> None:
        if registration := self._registration(_graph_names(quads)):
            self.update(registration)
        # a blank node is one node within one request only: the statements with blank nodes go in one request
        blank = [_lettered(q) for q in quads if _has_blank(q)]
        plain = [q for q in quads if not _has_blank(q)]
        by_graph: dict[str, list[ox.Quad]] = {}
        for q in blank:
            by_graph.setdefault(str(q.graph_name), []).append(q)
        for group in by_graph.values():
            # a template, not INSERT DATA (Virtuoso takes no blank node in a data block), one graph per request
            # (Virtuoso 7.2 fails on a template with blank nodes in several graphs)
            text = data_update([], group, blank_nodes=True)
            self.update("INSERT " + text[len("INSERT DATA ") :] + " WHERE {}")
        for i in range(0, len(plain), CHUNK):
            self._insert_chunk(plain[i : i + CHUNK])

    def _insert_chunk(self, quads: list[ox.Quad]) -> None:
        """One ``INSERT DATA``; a server whose parser cannot take so many (Virtuoso: "memory exhausted") gets
        halves."""
        try:
            self.update(data_update([], quads))
        except RemoteStoreError as exc:
            if len(quads) <= 50 or "memory exhausted" not in str(exc):
                raise
            half = len(quads) // 2
            self._insert_chunk(quads[:half])
            self._insert_chunk(quads[half:])

    def replace_graphs(self, graphs: Iterable[str], files: Iterable[SourceFile]) -> int:
        files = list(files)
        quads = self._parsed(files)  # parse first: a syntax error changes nothing
        drops = " ; ".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        if drops:
            self.update(drops)
        self._insert(quads)
        return len(quads)

    def snapshot(self, target: Path) -> Path:
        """An N-Quads dump of the service's graphs (what an update is evaluated on)."""
        path = target.with_suffix(".nq")
        self.dump_nquads(path)
        return path

    def reader_snapshot(self, target: Path) -> Path:
        """What the query workers open: nothing (they only parse; the server evaluates)."""
        path = target.with_suffix(".nq")
        path.write_bytes(b"")
        return path

    def apply(self, add: Iterable[ox.Quad], remove: Iterable[ox.Quad]) -> None:
        add = list(add)
        text = data_update(list(remove), add)
        if text:
            # the graphs' registration in the same request: one transaction
            registration = self._registration(_graph_names(add))
            self.update(f"{registration} ;\n{text}" if registration else text)

    def holds(self, quad: ox.Quad) -> bool:
        g = quad.graph_name
        pattern = f"{quad.subject} {quad.predicate} {quad.object}"
        if isinstance(g, ox.DefaultGraph):
            return self._ask(f"ASK {{ {pattern} }}", dataset=True)
        return self._ask(f"ASK {{ GRAPH {g} {{ {pattern} }} }}")

    def subjects_pointing_at(self, nodes: Iterable[str]) -> set[str]:
        values = " ".join(f"<{n}>" for n in nodes if is_valid_iri(n))
        if not values:
            return set()
        text = f"SELECT DISTINCT ?s WHERE {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} FILTER (isIRI(?s)) }}"
        return self._iris(text)

    def quads_about(self, subjects: Iterable[str]) -> list[ox.Quad]:
        values = " ".join(f"<{s}>" for s in subjects if is_valid_iri(s))
        if not values:
            return []
        text = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        return [_quad(*row) for row in self._rows(text)]

    def contains(self, iri: str) -> bool:
        if not is_valid_iri(iri):
            return False
        text = f"ASK {{ GRAPH ?g {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }} }}"
        return self._ask(text, dataset=True)

    def stop_reads(self) -> None:
        self._reads_stopped.set()

    def close(self) -> None:
        self._http.close()
        self._read_http.close()

    def __len__(self) -> int:
        rows = list(self._rows("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(rows[0][0].value) if rows else 0

    def graphs(self) -> list[str]:
        """The service's graphs on the server: those under ``…/graph/`` and the source files' graphs, as the
        registry lists them. A server whose data was written before the registry existed is scanned once, and
        what the scan finds is registered. On a server that takes the union per request, the server lists them
        (:meth:`_list_server_graphs`)."""
        if self.listing_due():
            if self.offers_union():
                self._list_server_graphs()
                return list(self._graphs or [])
            root = self.base_iri + "graph/"
            mine = {rebase_iri(f.graph, self.base_iri) for f in self.files}
            found = self._registered()
            if not found:
                text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
                found = self._iris(text, dataset=False)
                if registration := self._registration(g for g in found if g.startswith(root) or g in mine):
                    self.update(registration)
            self._graphs = sorted(g for g in found if (g.startswith(root) or g in mine) and g != self.registry)
            self._only_mine = False
        return list(self._graphs or [])

    def _list_server_graphs(self) -> None:
        """Every graph on a union server, from its own list of graphs (``GRAPH ?g {}``: no scan of the data), and
        whether its own default graph holds anything; a registry left by an earlier version is dropped (it would
        show in the union). Sets :attr:`_graphs` (the service's) and :attr:`_only_mine`."""
        text = (
            "SELECT ?g ?d WHERE { { SELECT DISTINCT ?g WHERE { GRAPH ?g { } } } "
            "UNION { SELECT (true AS ?d) WHERE { ?s ?p ?o } LIMIT 1 } }"
        )
        result = self._solutions(text, dataset=False)
        if isinstance(result, bool):
            raise RemoteStoreError("expected solutions, got a boolean")
        listed_at = time.monotonic()
        _variables, solutions = result
        found = {s["g"].value for s in solutions if isinstance(s["g"], ox.NamedNode)}
        default_empty = not any(s["d"] is not None for s in solutions)
        if self.registry in found:
            self._post(self._http, self.update_url, [("update", f"DROP SILENT GRAPH <{self.registry}>")], None)
            found.discard(self.registry)
        root = self.base_iri + "graph/"
        mine = {rebase_iri(f.graph, self.base_iri) for f in self.files}
        graphs = sorted(g for g in found if g.startswith(root) or g in mine)
        self._only_mine = default_empty and len(graphs) == len(found)
        self._graphs = graphs
        self._listed_at = listed_at

    def optimize(self) -> None:
        """Nothing to do: the server keeps its data its own way."""

    def forget_cached_graphs(self) -> None:
        self._graphs = None

    def quads(self) -> Iterator[ox.Quad]:
        graphs = self.graphs()
        if not graphs:
            return iter(())
        params = [("query", "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]
        if self._only_mine:
            params.append(UNION)
        else:
            params += [("named-graph-uri", g) for g in graphs] + [("default-graph-uri", self.base_iri + "graph/none")]
        r = self._post(self._read_http, self.query_url, params, JSON_RESULTS)
        result = ox.parse_query_results(_bnodes(r.content), format=ox.QueryResultsFormat.JSON)
        if not isinstance(result, ox.QuerySolutions):
            raise RemoteStoreError("expected solutions, got a boolean")
        return (ox.Quad(s["s"], s["p"], s["o"], s["g"]) for s in result)

    def dump_nquads(self, path: Path) -> None:
        with path.open("wb") as fh:
            ox.serialize(self.quads(), fh, ox.RdfFormat.N_QUADS)

    def export(self, fmt: str, output: IO[bytes]) -> None:
        export_quads(self.quads(), fmt, output, self.base_iri)

    def export_per_graph(self, folder: Path) -> list[Path]:
        return export_graphs(self.quads(), folder, self.base_iri)

    def to_rdflib(self) -> rdflib.Graph:
        return to_rdflib(self.quads())


def _quad(s: Term, p: Term, o: Term, g: Term) -> ox.Quad:
    """A quad from a row ``?s ?p ?o ?g`` of terms."""
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode) or isinstance(g, ox.Literal):
        raise RemoteStoreError(f"the SPARQL server answered a row that is not a statement: {s} {p} {o} {g}")
    return ox.Quad(s, p, o, g)


def _graph_names(quads: Iterable[ox.Quad]) -> set[str]:
    return {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}


def _form(params: list[tuple[str, str]]) -> bytes:
    """A form body (``application/x-www-form-urlencoded``) with repeated names.

    >>> _form([("query", "ASK {}"), ("default-graph-uri", "http://g/1"), ("default-graph-uri", "http://g/2")])
    b'query=ASK+%7B%7D&default-graph-uri=http%3A%2F%2Fg%2F1&default-graph-uri=http%3A%2F%2Fg%2F2'
    """
    return urllib.parse.urlencode(params).encode()


def _bnodes(data: bytes) -> bytes:
    """Virtuoso names blank nodes ``nodeID://b10001`` in its results, which no parser takes as a label.

    >>> _bnodes(b'{"type": "bnode", "value": "nodeID://b10001"}')
    b'{"type": "bnode", "value": "b10001"}'
    """
    return data.replace(b'"nodeID://', b'"')


def _lettered(q: ox.Quad) -> ox.Quad:
    """Blank node labels that start with a letter: Virtuoso 7.2 fails on a template label such as ``_:8e3f``."""

    subject = ox.BlankNode("b" + q.subject.value) if isinstance(q.subject, ox.BlankNode) else q.subject
    obj = ox.BlankNode("b" + q.object.value) if isinstance(q.object, ox.BlankNode) else q.object
    return ox.Quad(subject, q.predicate, obj, q.graph_name)


def _has_blank(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


# ---------------------------------------------------------------- users' queries


class RemoteQueryError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def run_user_query(
    store: SparqlGraphStore,
    client: httpx.AsyncClient,
    *,
    query: str,
    form: str,
    fmt: results.ResultFormat,
    default_graphs: tuple[str, ...],
    named_graphs: tuple[str, ...],
    limits: results.Limits,
    prefixes: dict[str, str],
    timeout: float,
    max_read_bytes: int,
    base_iri: str | None = None,
) -> results.Written:
    """Evaluate a user's query (already scanned and parsed by the service) on the server, and write its answer
    in ``fmt`` with the service's row and byte caps. The server's answer is read up to ``max_read_bytes``:
    beyond it the answer is refused (503), since a cut JSON document cannot be read.

    The dataset is the user's (``default_graphs``/``named_graphs``, the query's ``FROM`` copied there), or else
    the service's (:meth:`SparqlGraphStore.service_dataset`)."""
    if store.listing_due():  # a request to the server: not on the event loop
        await asyncio.to_thread(store.graphs)
    if default_graphs or named_graphs:
        default = list(default_graphs)  # named graphs alone: an empty default graph
        named = list(named_graphs) if named_graphs else store.graphs()
        dataset = store.dataset_params(default, named)
    else:
        dataset = store.service_dataset()
    if form == "SELECT" and limits.rows is not None:
        query = with_row_cap(query, limits.rows + 1)  # the row past the cap tells that the answer was cut
    if base_iri:
        query = f"BASE <{base_iri}>\n{query}"  # relative IRIs resolve against the endpoint's address, as in a worker
    params = [("query", query), *dataset]
    accept = N_TRIPLES if form in {"CONSTRUCT", "DESCRIBE"} else JSON_RESULTS
    body = io.BytesIO()
    try:
        async with client.stream(
            "POST",
            store.query_url,
            content=_form(params),
            headers={"Accept": accept, "Content-Type": FORM},
            timeout=timeout,
        ) as r:
            async for chunk in r.aiter_bytes():
                body.write(chunk)
                if body.tell() > max_read_bytes:
                    raise RemoteQueryError(
                        503, f"The answer is larger than the limit of {max_read_bytes} bytes. Add LIMIT or narrow it."
                    )
            status = r.status_code
            partial = r.headers.get("X-SQL-State")  # Virtuoso's "anytime" answer: cut at its own time limit
    except httpx.TimeoutException:
        raise RemoteQueryError(
            503, f"The query was stopped at the time limit of {timeout:g} s. Add LIMIT or narrow it."
        ) from None
    except httpx.HTTPError as exc:
        raise RemoteQueryError(503, f"The triple store cannot be reached: {exc}") from None
    data = body.getvalue()
    if partial and status < 300:
        raise RemoteQueryError(503, f"The query was stopped at the time limit of the triple store ({partial}).")
    if status >= 300:
        text = data.decode(errors="replace")
        if status in {400, 406} or "syntax" in text.lower() or "SP030" in text:
            raise RemoteQueryError(400, "The triple store refused the query: " + _short(text))
        if "timeout" in text.lower() or "SR171" in text or "estimated execution time" in text.lower():
            raise RemoteQueryError(
                503, f"The query was stopped at the time limit of {timeout:g} s. Add LIMIT or narrow it."
            )
        raise RemoteQueryError(502, "The triple store failed on the query: " + _short(text))
    try:
        return _write_answer(data, form, fmt, limits, prefixes)
    except SyntaxError:  # the Oxigraph server cuts its streamed answer at its time limit, after status 200
        raise RemoteQueryError(
            503, "The triple store's answer was cut off (at its time limit?). Add LIMIT or narrow the query."
        ) from None


_LIMIT_VALUE = re.compile(r"\s*([0-9]+)")


def with_row_cap(query: str, rows: int) -> str:
    """A ``SELECT``'s text asking for at most ``rows`` solutions: ``LIMIT rows`` added to the query's own solution
    modifiers (before a trailing ``VALUES`` clause), or its own ``LIMIT`` lowered to ``rows`` when higher. A
    subquery's ``LIMIT`` and ``VALUES`` (inside braces) are the subquery's and do not count.

    >>> with_row_cap("SELECT * WHERE { ?s ?p ?o } # no limit", 11)
    'SELECT * WHERE { ?s ?p ?o } # no limit\\nLIMIT 11'
    >>> with_row_cap("SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 99 } } ORDER BY ?s VALUES ?s { <a> }", 11)
    'SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 99 } } ORDER BY ?s LIMIT 11\\nVALUES ?s { <a> }'
    >>> with_row_cap("SELECT * { ?s ?p ?o } OFFSET 5 LIMIT 500", 11), with_row_cap("SELECT * {} LIMIT 3", 11)
    ('SELECT * { ?s ?p ?o } OFFSET 5 LIMIT 11', 'SELECT * {} LIMIT 3')
    """
    depth, values_at = 0, None
    for token in tokenize(query):
        if token.kind == "other":
            depth += 1 if token.text in ("{", "(") else -1 if token.text in ("}", ")") else 0
        elif token.kind == "word" and depth == 0:
            word = token.text.upper()
            if word == "LIMIT":
                value = _LIMIT_VALUE.match(query, token.end)
                if value is None or int(value[1]) <= rows:
                    return query
                return f"{query[: value.start(1)]}{rows}{query[value.end(1) :]}"
            if word == "VALUES" and values_at is None:
                values_at = token.start
    if values_at is not None:
        return f"{query[:values_at]}LIMIT {rows}\n{query[values_at:]}"
    return f"{query}\nLIMIT {rows}"  # on a line of its own: the query may end in a comment


def _read_results(data: bytes) -> tuple[list[str], list[ox.QuerySolution]] | bool | None:
    """A SPARQL JSON answer read whole: the variables and solutions of a SELECT, or an ASK's boolean; ``None``
    when it is cut or malformed (the Oxigraph server cuts its streamed answer at its time limit, after status 200).

    The engine's ``QuerySolutions`` may only be freed on the thread that made it (pyo3 refuses, and leaks it,
    otherwise): it is dropped here before returning, and no traceback that the garbage collector might free on
    another thread keeps it alive."""
    try:
        parsed = ox.parse_query_results(_bnodes(data), format=ox.QueryResultsFormat.JSON)
    except SyntaxError:
        return None
    try:
        if isinstance(parsed, ox.QueryBoolean):
            return bool(parsed)
        return [v.value for v in parsed.variables], list(parsed)
    except SyntaxError:
        return None
    finally:
        del parsed


def _write_answer(
    data: bytes, form: str, fmt: results.ResultFormat, limits: results.Limits, prefixes: dict[str, str]
) -> results.Written:
    """Raises ``SyntaxError`` for an answer that is cut or malformed."""
    if form in {"CONSTRUCT", "DESCRIBE"}:
        triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        return results.write_triples(triples, fmt, prefixes, limits)
    answer = _read_results(data)
    if answer is None:
        raise SyntaxError("the answer is cut or malformed")
    if isinstance(answer, bool):
        return results.Written(results.serialize_boolean(answer, fmt), None)
    variables, solutions = answer
    rows = ([solution[v] for v in variables] for solution in solutions)
    return results.write_solutions(variables, rows, fmt, limits)


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text[:400]


__all__ = ["RemoteQueryError", "RemoteStoreError", "SparqlGraphStore", "bind_values", "run_user_query", "with_row_cap"]
