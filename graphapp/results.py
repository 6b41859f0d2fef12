"""Result formats of the SPARQL protocol: the media-type tables, content negotiation, and serializers.

All mapping tables live here (as in rdflib-endpoint's ``utils.py``), so the router only asks
"which format for this Accept header and this query form?".

>>> negotiate("CONSTRUCT", "*/*").media_type
'text/turtle'
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as _sax_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from .negotiation import choose


class NotAcceptable(ValueError):
    """No format we produce matches the Accept header or the ``format`` parameter (HTTP 406)."""


@dataclass(frozen=True)
class ResultFormat:
    key: str  # short name, for ?format= and file suffixes
    media_type: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return self.media_type + "; charset=utf-8"


SOLUTION_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", ("application/json", "text/javascript")),
    ResultFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    ResultFormat("csv", "text/csv"),
    ResultFormat("tsv", "text/tab-separated-values"),
)
GRAPH_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "ttl", "text/turtle", ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3")
    ),
    ResultFormat("nt", "application/n-triples", ("text/plain",)),
    ResultFormat("rdfxml", "application/rdf+xml", ("application/xml", "text/xml")),
    ResultFormat("jsonld", "application/ld+json", ("application/json", "application/x-json+ld")),
)
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
#: short ``format=`` values, as researchers' tools send them (SPARQLWrapper: ``xml``, ``json``, ``n3``,
#: ``turtle``, ``json-ld``, ``rdf+xml``; Virtuoso and Fuseki: ``csv``, ``tsv``, ``rdf``, ``ttl``...). The same word
#: names a results format for SELECT/ASK and an RDF format for CONSTRUCT/DESCRIBE (``xml``: SPARQL XML results or
#: RDF/XML). Full media types are understood too (:func:`format_from_param`).
SOLUTION_ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}
GRAPH_ALIASES = {
    "turtle": "ttl",
    "ttl": "ttl",
    "n3": "ttl",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf": "rdfxml",
    "xml": "rdfxml",
    "owl": "rdfxml",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "json": "jsonld",
}
#: every short name understood for any query form (for messages)
FORMAT_ALIASES = {**GRAPH_ALIASES, **SOLUTION_ALIASES}


def format_by_key(key: str) -> ResultFormat:
    """The format named ``key`` (``json``, ``ttl``…).

    >>> format_by_key("csv").media_type
    'text/csv'
    """
    for fmt in (*SOLUTION_FORMATS, *GRAPH_FORMATS):
        if fmt.key == key:
            return fmt
    raise ValueError(key)


def formats_for(form: str) -> tuple[ResultFormat, ...]:
    return GRAPH_FORMATS if form in {"CONSTRUCT", "DESCRIBE"} else SOLUTION_FORMATS


def format_from_param(form: str, values: str | Sequence[str] | None) -> ResultFormat | None:
    """The format named by ``format=`` (or ``output=``) values for this query form, or ``None`` when no value
    names one that applies. Each value may be a short name, a media type or a comma-separated list of media
    types (SPARQLWrapper sends ``format=xml&format=application/rdf+xml``).

    >>> format_from_param("CONSTRUCT", ["xml", "application/rdf+xml"]).key
    'rdfxml'
    >>> format_from_param("SELECT", "xml").key, format_from_param("SELECT", "text/csv").key
    ('xml', 'csv')
    >>> format_from_param("CONSTRUCT", "csv") is None, format_from_param("SELECT", "html") is None
    (True, True)
    """
    if values is None:
        return None
    candidates = formats_for(form)
    names = GRAPH_ALIASES if candidates is GRAPH_FORMATS else SOLUTION_ALIASES
    for value in [values] if isinstance(values, str) else values:
        for item in value.split(","):
            word = item.split(";")[0].strip().lower()
            if not word:
                continue
            key = names.get(word)
            for fmt in candidates:
                if key == fmt.key or word in (fmt.media_type, *fmt.aliases):
                    return fmt
    return None


def negotiate(form: str, accept: str | None, format_param: str | Sequence[str] | None = None) -> ResultFormat:
    """Pick the result format of a query form.

    ``format=`` (or ``output=``) wins when it names a format this query form has; a value it does not
    recognise, or one that does not apply to the form (``csv`` for a CONSTRUCT), leaves the choice to an Accept
    header that names a format we produce (tools send both, and only the header is standard); otherwise the
    request is refused with the formats available. Then the Accept header decides by q-value, specificity and
    our order (see :mod:`graphapp.negotiation`).

    >>> negotiate("SELECT", "text/csv;q=0.5, application/sparql-results+json").media_type
    'application/sparql-results+json'
    >>> negotiate("CONSTRUCT", "*/*").media_type
    'text/turtle'
    >>> negotiate("CONSTRUCT", "application/rdf+xml", "srx").key
    'rdfxml'
    >>> negotiate("CONSTRUCT", "*/*", "csv")
    Traceback (most recent call last):
    ...
    graphapp.results.NotAcceptable: format='csv' is not available for CONSTRUCT; use one of ttl, nt, rdfxml, jsonld
    """
    candidates = formats_for(form)
    by_media = {f.media_type: f for f in candidates}
    aliases = {f.media_type: f.aliases for f in candidates}
    offers = [f.media_type for f in candidates]
    values = [format_param] if isinstance(format_param, str) else list(format_param or [])
    values = [v for v in values if v.strip()]
    if values:
        named = format_from_param(form, values)
        if named is not None:
            return named
        chosen = choose(accept, offers, aliases, min_specificity=1)
        if chosen is not None:
            return by_media[chosen]
        shown = values[0] if len(values) == 1 else values
        raise NotAcceptable(
            f"format={shown!r} is not available for {form}; use one of " + ", ".join(f.key for f in candidates)
        )
    chosen = choose(accept, offers, aliases)
    if chosen is None:
        raise NotAcceptable(
            "None of the requested media types can be produced for "
            f"{form}; available: " + ", ".join(f.media_type for f in candidates)
        )
    return by_media[chosen]


# ---------------------------------------------------------------- serializers


def _term_json(term: object) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


#: characters XML 1.0 cannot carry, even escaped: a query can make them («"\\u0001"»), and one of them made the
#: whole SPARQL XML answer unreadable to SPARQLWrapper and rdflib (issue 19, item 10)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """XML text: ``&``, ``<``, ``>`` escaped, and characters XML 1.0 cannot hold replaced by U+FFFD.

    >>> escape("a < b" + chr(1))
    'a &lt; b\ufffd'
    """
    return _sax_escape(_NOT_XML.sub("\ufffd", text))


def _term_xml(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _term_csv(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return "" if term is None else str(term)


def _term_tsv(term: object) -> str:
    if term is None:
        return ""
    return str(term)  # pyoxigraph's str() is the N-Triples/Turtle form the TSV format asks for


Row = Sequence[object | None]
MEMO_TERMS = 1 << 17
"""Terms whose written form an answer remembers (:func:`_memo`): a large answer names the same IRIs, labels and
datatypes in row after row; writing each term once took the JSON of 31,875 rows at 10^6 triples from about 0.6 s to
0.36 s (docs/benchmarks.md, «Cold queries, 2026-12-07»; ``python benchmarks/answer_writing.py --max-rows 100000``)."""


def _memo(write: Callable[[Any], str]) -> Callable[[Any], str]:
    """``write`` of a term, each distinct term written once (the engine's terms are hashable); at most
    :data:`MEMO_TERMS` remembered, then forgotten all at once."""
    seen: dict[object, str] = {}

    def written(term: object) -> str:
        text = seen.get(term)
        if text is None:
            if len(seen) >= MEMO_TERMS:
                seen.clear()
            text = seen[term] = write(term)
        return text

    return written


@dataclass(frozen=True)
class Limits:
    """The caps of one answer: rows (or triples) and bytes. ``None`` means no cap."""

    rows: int | None = None
    bytes: int | None = None


@dataclass(frozen=True)
class Written:
    body: bytes
    truncated: str | None = None  # "rows" or "bytes": which cap cut the answer


def _solution_pieces(variables: list[str], fmt: ResultFormat) -> tuple[str, Callable[[Row], str], str, str]:
    """(head, one row, separator between rows, tail) of a SELECT result in ``fmt``."""
    if fmt.key == "json":
        head = '{"head": {"vars": ' + json.dumps(variables, ensure_ascii=False) + '}, "results": {"bindings": ['
        names = [json.dumps(v, ensure_ascii=False) + ": " for v in variables]
        term_json = _memo(lambda t: json.dumps(_term_json(t), ensure_ascii=False))

        def row_json(row: Row) -> str:
            # what json.dumps of the row's bindings writes, from each term's text written once per answer
            return "{" + ", ".join(n + term_json(t) for n, t in zip(names, row, strict=True) if t is not None) + "}"

        return head, row_json, ", ", "]}}"
    if fmt.key == "xml":
        head = "\n".join(
            [
                '<?xml version="1.0"?>',
                '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
                "<head>",
                *(f"<variable name={quoteattr(v)}/>" for v in variables),
                "</head>",
                "<results>",
                "",
            ]
        )

        opens = [f"<binding name={quoteattr(v)}>" for v in variables]
        term_xml = _memo(_term_xml)

        def row_xml(row: Row) -> str:
            bindings = "".join(o + term_xml(t) + "</binding>" for o, t in zip(opens, row, strict=True) if t is not None)
            return f"<result>{bindings}</result>\n"

        return head, row_xml, "", "</results>\n</sparql>\n"
    if fmt.key == "csv":

        def row_csv(row: Row) -> str:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\r\n").writerow([_term_csv(t) for t in row])
            return buf.getvalue()

        return row_csv(variables), row_csv, "", ""
    if fmt.key == "tsv":
        return (
            "\t".join("?" + v for v in variables) + "\n",
            lambda row: "\t".join(_term_tsv(t) for t in row) + "\n",
            "",
            "",
        )
    raise NotAcceptable(fmt.media_type)


def write_solutions(variables: list[str], rows: Iterable[Row], fmt: ResultFormat, limits: Limits = Limits()) -> Written:
    """Write SELECT results in the SPARQL 1.1 JSON, XML, CSV or TSV results format, row by row, stopping at
    the row cap or before the row that would pass the byte cap (the answer stays well formed).

    >>> out = write_solutions(["x"], [[ox.Literal("a" * 10)]] * 5, SOLUTION_FORMATS[2], Limits(bytes=40))
    >>> out.body.decode().split(), out.truncated
    (['x', 'aaaaaaaaaa', 'aaaaaaaaaa', 'aaaaaaaaaa'], 'bytes')
    """
    head, one, separator, tail = _solution_pieces(variables, fmt)
    parts = [head.encode()]
    size = len(parts[0]) + len(tail)
    truncated = None
    for row in rows:
        count = len(parts) - 1  # rows written so far
        if limits.rows is not None and count >= limits.rows:
            truncated = "rows"
            break
        piece = ((separator if count else "") + one(row)).encode()
        if limits.bytes is not None and size + len(piece) > limits.bytes:
            truncated = "bytes"
            break
        parts.append(piece)
        size += len(piece)
    parts.append(tail.encode())
    return Written(b"".join(parts), truncated)


def serialize_solutions(variables: list[str], rows: Iterable[Row], fmt: ResultFormat) -> bytes:
    """Write SELECT results in the SPARQL 1.1 JSON, XML, CSV or TSV results format (no caps)."""
    return write_solutions(variables, rows, fmt).body


def serialize_boolean(value: bool, fmt: ResultFormat) -> bytes:
    """Write an ASK result."""
    if fmt.key == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt.key == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
        ).encode()
    if fmt.key == "csv":
        return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()
    if fmt.key == "tsv":
        return f"?_askResult\n{'true' if value else 'false'}\n".encode()
    raise NotAcceptable(fmt.media_type)


def _compact_iri(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for name, namespace in prefixes:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local and not local.startswith("//"):
                return f"{name}:{local}"
    return iri


def _compact_node(node: object, prefixes: list[tuple[str, str]]) -> object:
    if isinstance(node, list):
        return [_compact_node(n, prefixes) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, object] = {}
    for key, value in node.items():
        name = key if key.startswith("@") else _compact_iri(key, prefixes)
        if key in ("@id", "@type") and isinstance(value, str) and not value.startswith("_:"):
            out[name] = _compact_iri(value, prefixes)
        elif key == "@value":
            out[name] = value
        else:
            out[name] = _compact_node(value, prefixes)
    return out


def compact_jsonld(expanded: bytes, prefixes: dict[str, str]) -> bytes:
    """Compact expanded JSON-LD with ``prefixes`` as its ``@context``: property names, ``@id`` and ``@type``
    values become compact IRIs (``ga:BestPractice``); values stay as they are. One node object per line.

    >>> body = b'[{"@id": "https://e/a", "https://e/p": [{"@id": "https://e/b"}]}]'
    >>> print(compact_jsonld(body, {"e": "https://e/"}).decode(), end="")
    {"@context": {"e": "https://e/"}, "@graph": [
    {"@id": "e:a", "e:p": [{"@id": "e:b"}]}
    ]}
    """
    nodes = json.loads(expanded) if expanded.strip() else []
    # the longest namespace first, so that the most specific prefix names an IRI
    ordered = sorted(prefixes.items(), key=lambda p: -len(p[1]))
    head = json.dumps({"@context": prefixes}, ensure_ascii=False)[:-1] + ', "@graph": [\n'
    lines = ",\n".join(json.dumps(_compact_node(n, ordered), ensure_ascii=False) for n in nodes)
    return (head + lines + "\n]}\n").encode()


def serialize_triples(triples: Iterable[ox.Triple], fmt: ResultFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """Write CONSTRUCT/DESCRIBE results in an RDF format (JSON-LD compacted with ``prefixes`` as its context)."""
    use_prefixes = prefixes if fmt.key in {"ttl", "rdfxml"} else None
    out = ox.serialize(list(triples), format=RDF_FORMATS[fmt.key], prefixes=use_prefixes)
    body = out if isinstance(out, bytes) else b""
    if fmt.key == "jsonld" and prefixes:
        return compact_jsonld(body, prefixes)
    return body


def write_triples(
    triples: Iterable[ox.Triple], fmt: ResultFormat, prefixes: dict[str, str] | None = None, limits: Limits = Limits()
) -> Written:
    """Write CONSTRUCT/DESCRIBE results, cut at the triple cap and below the byte cap.

    Triples are taken while their N-Triples size fits the byte cap (so the worker never holds much more than
    the cap); if the serialised answer still passes it (RDF/XML, JSON-LD are wordier), fewer triples are
    written until it fits.
    """
    taken: list[ox.Triple] = []
    size = 0
    truncated = None
    for triple in triples:
        if limits.rows is not None and len(taken) >= limits.rows:
            truncated = "rows"
            break
        size += len(str(triple)) + 3
        if limits.bytes is not None and size > limits.bytes:
            truncated = "bytes"
            break
        taken.append(triple)
    body = serialize_triples(taken, fmt, prefixes)
    while limits.bytes is not None and len(body) > limits.bytes and taken:
        keep = max(0, min(len(taken) - 1, int(len(taken) * limits.bytes / len(body) * 0.95)))
        taken = taken[:keep]
        truncated = "bytes"
        body = serialize_triples(taken, fmt, prefixes)
    return Written(body, truncated)
