"""Query parameters shared by many routes, declared once so that they are documented and read the same way.

An empty ``format=`` or ``lang=`` (what a form sends when nothing is chosen) means the parameter is absent: the
answer is negotiated from ``Accept``, the language from the cookie.

>>> empty_is_none(""), empty_is_none("json"), empty_is_none(" ")
(None, 'json', ' ')
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import BeforeValidator

from ..citation import FORMATS as CITATION_FORMATS
from ..results import GRAPH_ALIASES, GRAPH_FORMATS
from .errors import AppError

#: the longest text the name search (``/buscar``) and the practice finder read: a description, not a document
MAX_SEARCH_TEXT = 300


def check_search_text(q: str) -> str:
    """``q`` stripped, or a 400 when it is longer than :data:`MAX_SEARCH_TEXT` (every word costs a pass over
    the index: an unbounded text was an unbounded cost).

    >>> check_search_text("  paz justicia ")
    'paz justicia'
    """
    q = q.strip()
    if len(q) > MAX_SEARCH_TEXT:
        raise AppError(400, f"q is too long ({len(q)} characters; at most {MAX_SEARCH_TEXT}).")
    return q


def empty_is_none(value: object) -> object:
    """An empty value is an absent one (only the empty string: any other value is checked as given)."""
    return None if value == "" else value


#: the page or its JSON twin ("" is listed because it is accepted: it reaches the handler as None)
PageFormat = Annotated[
    Literal["json", "html", ""] | None,
    BeforeValidator(empty_is_none),
    Query(description="`json` for the machine-readable twin, `html` for the page; absent or empty: by `Accept`."),
]

#: names ``format=`` accepts for an RDF description (case-insensitive; media types are accepted too)
RDF_FORMAT_NAMES = [*GRAPH_ALIASES, *(f.media_type for f in GRAPH_FORMATS), "html", ""]
RdfFormat = Annotated[
    str | None,
    BeforeValidator(empty_is_none),
    Query(
        description="RDF serialization: `ttl` (Turtle), `nt` (N-Triples), `rdfxml` (RDF/XML) or `jsonld` "
        "(JSON-LD; also `json`), or their media type; `html` for the page; absent or empty: by `Accept`. "
        "Another value is a 406.",
        json_schema_extra={"enum": RDF_FORMAT_NAMES},
    ),
]

#: the format of a citation (``…/cita.{fmt}``); another value is a 404
CitationFormat = Annotated[
    str,
    Path(
        description="`txt` (plain text), `bib` (BibTeX) or `json` (CSL-JSON).",
        json_schema_extra={"enum": list(CITATION_FORMATS)},
    ),
]

#: a graph version (docs/versions.md): the resource as it was then
VersionParam = Annotated[
    str | None,
    BeforeValidator(empty_is_none),
    Query(
        description="A graph version (every answer names its own in `X-Graph-Version`): the resource as it was at "
        "that version (a whole number; another value is a 400). One that never existed is a 404; one no longer "
        "kept a 410 naming the nearest kept release.",
        # in the description only: requested_version() reads the value (an empty one is none)
        json_schema_extra={"pattern": "^[0-9]{0,18}$"},
    ),
]

#: a graph's record: the page, its JSON twin or its RDF description
GraphPageFormat = Annotated[
    str | None,
    BeforeValidator(empty_is_none),
    Query(
        description="`html` for the page, `json` for its JSON twin, or an RDF serialization: `ttl` (Turtle), `nt` "
        "(N-Triples), `rdfxml` (RDF/XML) or `jsonld` (JSON-LD), or its media type; absent or empty: by `Accept`. "
        "Another value is a 406.",
        json_schema_extra={"enum": RDF_FORMAT_NAMES},
    ),
]

#: the language of an API answer
ApiLang = Annotated[
    Literal["es", "en", ""] | None,
    BeforeValidator(empty_is_none),
    Query(description="Language of labels and texts: `es` or `en`; absent or empty: the cookie's, else `es`."),
]


async def page_language(  # async: FastAPI would run a plain function in its thread pool
    lang: Annotated[
        str | None,
        Query(
            description="Language of the page: `es` (default) or `en`; the choice is kept in a cookie. "
            "Absent, empty or another value: the cookie's, else `es`."
        ),
    ] = None,
) -> None:
    """Documents ``lang=`` on the pages; :func:`graphapp.web.i18n.get_lang` reads it (and ignores other values)."""
