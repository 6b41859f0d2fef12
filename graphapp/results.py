"""Result formats of the SPARQL protocol: the media-type tables, content negotiation, and serializers.

All mapping tables live here (as in rdflib-endpoint's ``utils.py``), so the router only asks
"which format for this Accept header and this query form?".

>>> negotiate("SELECT", "text/csv;q=0.5, application/sparql-results+json").media_type
'application/sparql-results+json'
>>> negotiate("CONSTRUCT", "*/*").media_type
'text/turtle'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox


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
    ResultFormat("json", "application/sparql-results+json", ("application/json",)),
    ResultFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    ResultFormat("csv", "text/csv"),
    ResultFormat("tsv", "text/tab-separated-values"),
)
GRAPH_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("ttl", "text/turtle", ("application/x-turtle",)),
    ResultFormat("nt", "application/n-triples", ("text/plain",)),
    ResultFormat("rdfxml", "application/rdf+xml", ("application/xml", "text/xml")),
    ResultFormat("jsonld", "application/ld+json", ("application/json",)),
)
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
FORMAT_ALIASES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "ttl",
    "ttl": "ttl",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
}


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


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first; a missing header means ``*/*``.

    >>> parse_accept("text/html, application/json;q=0.9, */*;q=0.1")
    [('text/html', 1.0), ('application/json', 0.9), ('*/*', 0.1)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, index))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def _matches(media_range: str, fmt: ResultFormat) -> int:
    """Specificity of the match (3 exact, 2 alias, 1 type/*, 0 */*), or -1 for none."""
    if media_range == fmt.media_type:
        return 3
    if media_range in fmt.aliases:
        return 2
    if media_range.endswith("/*") and fmt.media_type.startswith(media_range[:-1]):
        return 1
    if media_range == "*/*":
        return 0
    return -1


def negotiate(form: str, accept: str | None, format_param: str | None = None) -> ResultFormat:
    """Pick the result format: ``format=`` wins, then the Accept header by q-value and specificity."""
    candidates = formats_for(form)
    if format_param:
        key = FORMAT_ALIASES.get(format_param.lower())
        for fmt in candidates:
            if key == fmt.key or format_param.lower() in (fmt.media_type, *fmt.aliases):
                return fmt
        raise NotAcceptable(
            f"format={format_param!r} is not available for {form}; use one of " + ", ".join(f.key for f in candidates)
        )
    best: tuple[float, int, int] | None = None
    chosen: ResultFormat | None = None
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        for order, fmt in enumerate(candidates):
            spec = _matches(media, fmt)
            if spec < 0:
                continue
            # an explicit q=0 for this exact type excludes it even when a wildcard matched
            if any(q0 == 0 and _matches(m0, fmt) >= 2 for m0, q0 in parse_accept(accept)):
                continue
            score = (q, spec, -order)
            if best is None or score > best:
                best, chosen = score, fmt
    if chosen is None:
        raise NotAcceptable(
            "None of the requested media types can be produced for "
            f"{form}; available: " + ", ".join(f.media_type for f in candidates)
        )
    return chosen


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

        def row_json(row: Row) -> str:
            binding = {v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None}
            return json.dumps(binding, ensure_ascii=False)

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

        def row_xml(row: Row) -> str:
            bindings = "".join(
                f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
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


def serialize_triples(triples: Iterable[ox.Triple], fmt: ResultFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """Write CONSTRUCT/DESCRIBE results in an RDF format."""
    use_prefixes = prefixes if fmt.key in {"ttl", "rdfxml"} else None
    out = ox.serialize(list(triples), format=RDF_FORMATS[fmt.key], prefixes=use_prefixes)
    return out if isinstance(out, bytes) else b""


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
