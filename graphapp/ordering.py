"""Sorting query results in Python, with a key that is a total order for any mix of values.

The web process never lets the engine sort (pyoxigraph 0.5.13 aborts the whole process when ``ORDER BY`` meets
some mixes of ``xsd:dateTime`` values with and without a timezone: docs/upstream/pyoxigraph-order-by-abort.md).
Named queries declare their order in a ``#+ order_by:`` line instead (see :mod:`graphapp.queries`) and
:class:`graphapp.store.GraphStore` sorts the rows with :func:`sort_rows`.

:func:`sort_key` maps any value to a tuple ``(rank, ...)`` whose items, rank by rank, always have the same types,
so two keys always compare and the comparison is transitive: Python's sort can never fail nor see an inconsistent
order. Within a rank the order follows SPARQL's where it has one (unbound first, then blank nodes, IRIs, numbers
by value, dates and times on one time line, strings by code point).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
import rdflib

RANK_UNBOUND = 0
RANK_BLANK = 1
RANK_IRI = 2
RANK_BOOLEAN = 3
RANK_NUMBER = 4
RANK_TEMPORAL = 5
RANK_TIME = 6
RANK_DURATION = 7
RANK_STRING = 8
RANK_BYTES = 9
RANK_OTHER = 10

SortKey = tuple[Any, ...]
#: one sort criterion: (variable, descending)
Criterion = tuple[str, bool]


def sort_key(value: object) -> SortKey:
    """A key for ``sorted`` that orders any mix of values without ever raising.

    >>> values = [None, "b", 2, Decimal("1.5"), float("nan"), True, date(2020, 1, 2),
    ...           datetime(2020, 1, 1, 23), datetime(2020, 1, 1, 12, tzinfo=UTC), "a"]
    >>> sorted(values, key=sort_key)[:5]
    [None, True, Decimal('1.5'), 2, nan]
    >>> [str(v) for v in sorted(values, key=sort_key)[5:]]
    ['2020-01-01 12:00:00+00:00', '2020-01-01 23:00:00', '2020-01-02', 'a', 'b']
    """
    try:
        return _key(value)
    except Exception:
        return (RANK_OTHER, type(value).__qualname__, repr(value))


def _key(value: object) -> SortKey:
    if value is None:
        return (RANK_UNBOUND,)
    # engine terms (rows read with raw=True)
    if isinstance(value, ox.NamedNode):
        return (RANK_IRI, value.value)
    if isinstance(value, ox.BlankNode):
        return (RANK_BLANK, value.value)
    if isinstance(value, ox.Literal):
        return _literal_key(value.value, value.language, value.datatype.value)
    # rdflib terms (subclasses of str: test them before str)
    if isinstance(value, rdflib.URIRef):
        return (RANK_IRI, str(value))
    if isinstance(value, rdflib.BNode):
        return (RANK_BLANK, str(value))
    if isinstance(value, rdflib.Literal):
        datatype = str(value.datatype) if value.datatype else ""
        return _literal_key(str(value), value.language, datatype)
    return _python_key(value) or (RANK_OTHER, type(value).__qualname__, str(value))


def _literal_key(lexical: str, language: str | None, datatype: str) -> SortKey:
    if not language and datatype and datatype != XSD_STRING:
        converted = rdflib.Literal(lexical, datatype=datatype).toPython()
        # a well-typed value of a type we know; otherwise (ill-typed, gYear, duration…) its lexical form
        key = None if isinstance(converted, rdflib.Literal) else _python_key(converted)
        if key is not None:
            return key
    # a plain string and a language string read alike from either library (rdflib gives them no datatype)
    return (RANK_STRING, lexical, language or "", "" if language or datatype == XSD_STRING else datatype)


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _python_key(value: object) -> SortKey | None:
    """The key of a plain Python value, or None for a type without a natural order here."""
    if isinstance(value, bool):
        return (RANK_BOOLEAN, int(value))
    if isinstance(value, int | float | Decimal):
        if _is_nan(value):
            return (RANK_NUMBER, 1, 0)  # NaN compares with nothing: after every number
        return (RANK_NUMBER, 0, value)  # int, float and Decimal compare exactly with each other
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is None:  # no timezone: read as UTC, and placed before an aware value of the same instant
            return (RANK_TEMPORAL, value, 1, 0, 0)
        return (RANK_TEMPORAL, _as_naive_utc(value), 1, 1, offset.total_seconds())
    if isinstance(value, date):
        return (RANK_TEMPORAL, datetime(value.year, value.month, value.day), 0, 0, 0)
    if isinstance(value, time):
        offset = value.utcoffset() or timedelta(0)
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return (RANK_TIME, seconds - offset.total_seconds(), value.utcoffset() is not None, offset.total_seconds())
    if isinstance(value, timedelta):
        return (RANK_DURATION, value.total_seconds())
    if isinstance(value, str):
        return (RANK_STRING, value, "", "")
    if isinstance(value, bytes | bytearray):
        return (RANK_BYTES, bytes(value))
    return None


def _is_nan(value: int | float | Decimal) -> bool:
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, float) and math.isnan(value)


def _as_naive_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # at the ends of the calendar: keep the wall time
        return value.replace(tzinfo=None)


def sort_rows(rows: Iterable[Mapping[str, object]], order: Sequence[Criterion]) -> list[Any]:
    """Sort result rows like ``ORDER BY``: ``order`` lists ``(variable, descending)`` pairs, most significant
    first; a missing variable is unbound (first ascending, last descending). The sort is stable.

    >>> rows = [{"n": 1, "c": "b"}, {"n": 2, "c": "a"}, {"c": "z"}, {"n": 1, "c": "a"}]
    >>> sort_rows(rows, [("n", True), ("c", False)])
    [{'n': 2, 'c': 'a'}, {'n': 1, 'c': 'a'}, {'n': 1, 'c': 'b'}, {'c': 'z'}]
    """
    out = list(rows)
    for variable, descending in reversed(order):
        out.sort(key=_by(variable), reverse=descending)
    return out


def _by(variable: str) -> Callable[[Mapping[str, object]], SortKey]:
    """The sort key of rows by one variable."""
    return lambda row: sort_key(row.get(variable))


def collation_string(value: object) -> str:
    """A string whose code-point order is the order of :func:`sort_key`: the engine, which compares strings
    totally and consistently, sorts these where it cannot sort the values themselves
    (:mod:`graphapp.engine_order`).

    Each item of the key is written so that no item's writing is a prefix of another's of the same kind:
    numbers by sign, exponent and digits (exactly, whatever their Python type), date-times at a fixed width,
    strings with a terminator below every character.

    >>> values = [None, "b", "a", "ab", 2, Decimal("1.5"), -3, -0.25, float("inf"), float("nan"), True,
    ...           date(2020, 1, 2), datetime(2020, 1, 1, 23), "a" + chr(0), "a" + chr(1) + "b"]
    >>> sorted(values, key=collation_string) == sorted(values, key=sort_key)
    True
    """
    return "".join(_collation_item(item) for item in sort_key(value))


def term_collation_string(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """:func:`collation_string` of an engine term, written directly for the terms a sort meets most (IRIs, strings,
    language strings and ``xsd:integer`` in ASCII digits) instead of through :func:`sort_key`'s tuple: the same
    string, about a tenth of the time at 10^6 triples (docs/benchmarks.md, «The sort keys of the ``ORDER BY`` rewrite»;
    ``python benchmarks/answer_writing.py`` times the rewrite).

    >>> term = ox.Literal("Agua", language="es")
    >>> term_collation_string(term) == collation_string(term)
    True
    """
    if isinstance(term, ox.Literal):
        language = term.language
        if language:
            return _STRING_PREFIX + _escaped(term.value) + _TERMINATOR + _escaped(language) + _TWO_ENDS
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return _STRING_PREFIX + _escaped(term.value) + _THREE_ENDS
        if datatype == _XSD_INTEGER and _ASCII_INTEGER.fullmatch(term.value) and len(term.value) < _LONGEST_INTEGER:
            return _INTEGER_PREFIX + _collation_integer(int(term.value))
    elif isinstance(term, ox.NamedNode):
        return _IRI_PREFIX + _escaped(term.value) + _TERMINATOR
    return collation_string(term)


def _escaped(text: str) -> str:
    """``text.translate(_ESCAPES)``, which reads a string character by character: most strings need no escape."""
    return text.translate(_ESCAPES) if "\x00" in text or "\x01" in text else text


_TERMINATOR = "\x01\x01"  # below every character's writing, and no character is written with it as a prefix
_ESCAPES = str.maketrans({"\x00": "\x01\x02", "\x01": "\x01\x03"})
_INVERTED = str.maketrans("0123456789!", "9876543210~")
_EXPONENT_OFFSET = 10**18


def _collation_item(item: object) -> str:
    if isinstance(item, bool):
        item = int(item)
    if isinstance(item, int | float | Decimal):
        return _collation_number(item)
    if isinstance(item, datetime):
        return (
            f"{item.year:04d}-{item.month:02d}-{item.day:02d}T{item.hour:02d}:{item.minute:02d}:{item.second:02d}"
            f".{item.microsecond:06d}"
        )
    if isinstance(item, bytes | bytearray):
        item = bytes(item).decode("latin-1")
    return str(item).translate(_ESCAPES) + _TERMINATOR


def _collation_number(number: int | float | Decimal) -> str:
    """Order-preserving and prefix-free: "0" -inf < "1…" negatives < "2" zero < "3…" positives < "4" +inf."""
    value = Decimal(number)  # exact for int and float
    if value.is_nan():
        return "5"
    if value.is_infinite():
        return "0" if value < 0 else "4"
    if value == 0:
        return "2"
    digits = "".join(map(str, value.as_tuple().digits)).rstrip("0")
    body = f"{value.adjusted() + _EXPONENT_OFFSET:019d}{digits}!"  # "!" sorts below every digit
    return "3" + body if value > 0 else "1" + body.translate(_INVERTED)


def _collation_integer(number: int) -> str:
    """:func:`_collation_number` of an int, without going through ``Decimal``."""
    if number == 0:
        return "2"
    written = str(abs(number))
    body = f"{len(written) - 1 + _EXPONENT_OFFSET:019d}{written.rstrip('0')}!"
    return "3" + body if number > 0 else "1" + body.translate(_INVERTED)


# the ends of a string item and of the empty items after it (no language, no datatype)
_TWO_ENDS, _THREE_ENDS = _TERMINATOR * 2, _TERMINATOR * 3
_STRING_PREFIX = _collation_number(RANK_STRING)
_IRI_PREFIX = _collation_number(RANK_IRI)
_INTEGER_PREFIX = _collation_number(RANK_NUMBER) + _collation_number(0)
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
_LONGEST_INTEGER = 4000  # digits: Python reads no longer int from a string by default (sys.get_int_max_str_digits)


__all__ = ["collation_string", "sort_key", "sort_rows", "term_collation_string", "Criterion"]
