"""One way out for every answer that depends on ``Accept``: pages, their JSON twins, RDF descriptions and errors.

:func:`representation` is the one decision (``format=`` first, else :func:`graphapp.negotiation.choose` on the
``Accept`` header, the function the SPARQL results use too); :func:`html_page`, :func:`json_page` and
:func:`rdf_page` send what it chose, each with ``Vary: Accept`` and a ``Link: <...>; rel="alternate"`` header
naming the page's other representation. :func:`render_page` does both for the common page with a JSON twin, as
Datasette's ``BaseView.render`` does for its views. Templates are rendered by :func:`template_response` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..negotiation import choose
from ..results import GRAPH_FORMATS, NotAcceptable, ResultFormat, negotiate, serialize_triples
from .deps import web_state
from .exceptions import AppError
from .urls import current_url

HTML = "text/html"
JSON = "application/json"
#: the header every answer that depends on ``Accept`` carries, so that caches keep one copy per representation
VARY = {"Vary": "Accept"}
RDF_MEDIA = tuple(f.media_type for f in GRAPH_FORMATS)


@dataclass(frozen=True)
class Representation:
    """What :func:`representation` chose: the page, its JSON twin, or an RDF description in ``rdf``."""

    kind: Literal["html", "json", "rdf"]
    rdf: ResultFormat | None = None


PAGE = Representation("html")
TWIN = Representation("json")


def preferred(request: Request, *media_types: str) -> str | None:
    """The one of ``media_types`` the request's Accept header prefers (the first for ``*/*`` or no header),
    or ``None`` when it accepts none of them."""
    return choose(request.headers.get("accept"), media_types)


def representation(request: Request, format: str | None, *, json: bool = True, rdf: bool = False) -> Representation:
    """Which representation of a resource to send: the one ``format=`` names, else the one ``Accept`` prefers.

    A page with a JSON twin (``json``) prefers HTML for ``*/*``, a missing header or a header that names neither;
    a resource with an RDF description (``rdf``) and no JSON twin prefers RDF (what a linked-data client gets by
    default) and answers 406 to a header that names none of its formats. ``format=json`` of a resource without a
    JSON twin is its JSON-LD. An unknown ``format`` is a 400 (a page) or, for an RDF resource, a 406 unless the
    ``Accept`` header names an RDF format.

    >>> from starlette.requests import Request as R
    >>> representation(R({"type": "http", "headers": [(b"accept", b"text/turtle")]}), None, rdf=True).rdf.key
    'ttl'
    """
    if format:
        if format == "html":
            return PAGE
        if format == "json" and json:
            return TWIN
        if not rdf:
            raise AppError(400, f"Unknown format {format!r}: use format=json or format=html.")
    accept = request.headers.get("accept")
    if format:  # negotiate() falls back on an Accept header that names an RDF format, as for a query's results
        return Representation("rdf", _rdf_format(accept, format))
    pages = (HTML, JSON) if json else (HTML,)
    offers = (*pages, *RDF_MEDIA) if json else (*RDF_MEDIA, HTML) if rdf else pages
    chosen = choose(accept, offers)
    if chosen == JSON:
        return TWIN
    if chosen == HTML or (chosen is None and json) or not rdf:
        return PAGE
    return Representation("rdf", _rdf_format(accept, None))


def _rdf_format(accept: str | None, format: str | None) -> ResultFormat:
    try:
        return negotiate("DESCRIBE", accept, format)
    except NotAcceptable as exc:
        raise AppError(406, str(exc)) from None


def check_rdf_format(format: str | None) -> None:
    """A 406 when ``format=`` names no RDF format, whatever ``Accept`` says (a route whose path suffix chose the
    format already)."""
    if format is not None:
        _rdf_format(None, format)


def alternate_headers(request: Request, other: str, other_format: str) -> dict[str, str]:
    """``Vary: Accept`` and the ``Link`` to the other representation of this page (a root-relative URL: never
    one built from the Host header)."""
    url = current_url(request, format=other_format)
    return {**VARY, "Link": f'<{url}>; rel="alternate"; type="{other}"'}


def template_response(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """``template`` rendered with ``context``: the one place the application's templates render a page."""
    templates = web_state(request).templates
    response = templates.TemplateResponse(
        request, template, dict(context), status_code=status_code, headers=dict(headers or {})
    )
    if not isinstance(response, HTMLResponse):  # pragma: no cover - Starlette's _TemplateResponse is one
        raise TypeError(f"not an HTML response: {type(response).__name__}")
    return response


def json_page(
    request: Request, data: object, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A page's JSON twin, with ``Vary: Accept`` and the ``Link`` to its HTML."""
    all_headers = {**alternate_headers(request, HTML, "html"), **(headers or {})}
    return JSONResponse(data, status_code=status_code, headers=all_headers)


def html_page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page, with ``Vary: Accept`` and the ``Link`` to its JSON twin (or, for a resource described in RDF, its
    JSON-LD: ``format=json``)."""
    all_headers = {**alternate_headers(request, JSON, "json"), **(headers or {})}
    return template_response(request, template, context, status_code=status_code, headers=all_headers)


def rdf_page(
    request: Request,
    fmt: ResultFormat,
    triples: Iterable[ox.Triple],
    prefixes: Mapping[str, str],
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An RDF description in ``fmt``, with ``Vary: Accept`` and the ``Link`` to its page."""
    all_headers = {**alternate_headers(request, HTML, "html"), **(headers or {})}
    body = serialize_triples(list(triples), fmt, dict(prefixes))
    return Response(body, media_type=fmt.content_type, headers=all_headers)


def render_page(
    request: Request,
    template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    data: object | Callable[[], object],
    *,
    format: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The page (``template`` with ``context``) or its JSON twin (``data``), as the request asks. ``context``
    and ``data`` may be callables, so only the representation sent is built."""
    if representation(request, format).kind == "json":
        return json_page(request, data() if callable(data) else data, status_code=status_code, headers=headers)
    page_context = context() if callable(context) else context
    return html_page(request, template, page_context, status_code=status_code, headers=headers)


def json_wanted(request: Request, format: str | None) -> bool:
    """Whether a page answers with its JSON twin (see :func:`representation`), for a route that builds its twin
    differently from its page."""
    return representation(request, format).kind == "json"
