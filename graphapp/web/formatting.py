"""How values look on a page: dates, years and figures formatted for the reader's language; IRIs as links.

>>> format_literal("2011-09-20", "http://www.w3.org/2001/XMLSchema#date", "es")
'20 de septiembre de 2011'
>>> format_literal("1437", "http://www.w3.org/2001/XMLSchema#integer", "en")
'1,437'
>>> format_literal("1437", "http://www.w3.org/2001/XMLSchema#integer", "es")
'1 437'
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"
MONTHS = {
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def _group(n: int, lang: str) -> str:
    text = f"{n:,}"
    return text.replace(",", "\u00a0" if lang == "es" else ",") if lang == "es" else text


def format_literal(value: str, datatype: str | None, lang: str) -> str:
    """A literal as a reader expects it; anything unusual is shown as written."""
    kind = (datatype or "").removeprefix(XSD)
    try:
        if kind == "date":
            d = dt.date.fromisoformat(value)
            month = MONTHS[lang][d.month - 1]
            return f"{d.day} de {month} de {d.year}" if lang == "es" else f"{d.day} {month} {d.year}"
        if kind in {"integer", "int", "long", "nonNegativeInteger", "positiveInteger"}:
            return _group(int(value), lang).replace("\u00a0", " ")
        if kind == "decimal":
            number = Decimal(value)
            text = f"{number:f}"
            return text.replace(".", ",") if lang == "es" else text
        if kind == "boolean":
            truth = value.strip().lower() in {"true", "1"}
            return ("sí" if truth else "no") if lang == "es" else ("yes" if truth else "no")
    except (ValueError, InvalidOperation):
        return value
    return value
