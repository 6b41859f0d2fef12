"""One way for a page to answer: :func:`preferred` negotiates (with :func:`graphapp.negotiation.choose`, the
same function the SPARQL results use) and :func:`render_page` answers an HTML page or its JSON twin, chosen by
``format=`` or ``Accept``, with ``Vary: Accept`` and a ``Link: <...>; rel="alternate"`` header naming the other
representation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ..negotiation import choose
from .urls import current_url

HTML = "text/html"
JSON = "application/json"


def preferred(request: Request, *media_types: str) -> str | None:
    """The one of ``media_types`` the request's Accept header prefers (the first for ``*/*`` or no header),
    or ``None`` when it accepts none of them."""
    return choose(request.headers.get("accept"), media_types)


def json_wanted(request: Request, format: str | None) -> bool:
    """Whether a page answers with its JSON twin: ``format=json``, or no ``format`` and an Accept header that
    prefers JSON to HTML. One decision for every page; any other ``format`` is a 400."""
    from .errors import AppError

    if format:
        if format not in ("json", "html"):
            raise AppError(400, f"Unknown format {format!r}: use format=json or format=html.")
        return format == "json"
    return preferred(request, HTML, JSON) == JSON


def alternate_headers(request: Request, media_type: str, other: str, other_format: str) -> dict[str, str]:
    """``Vary: Accept`` and the ``Link`` to the other representation of this page (a root-relative URL: never
    one built from the Host header)."""
    url = current_url(request, format=other_format)
    return {"Vary": "Accept", "Link": f'<{url}>; rel="alternate"; type="{other}"'}


def json_page(
    request: Request, data: object, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A page's JSON twin, with ``Vary: Accept`` and the ``Link`` to its HTML."""
    all_headers = {**alternate_headers(request, JSON, HTML, "html"), **(headers or {})}
    return JSONResponse(data, status_code=status_code, headers=all_headers)


def html_page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A page, with ``Vary: Accept`` and the ``Link`` to its JSON twin."""
    all_headers = {**alternate_headers(request, HTML, JSON, "json"), **(headers or {})}
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, dict(context), status_code=status_code, headers=all_headers)


def render_page(
    request: Request,
    template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    data: object | Callable[[], object],
    *,
    format: str | None = None,
    status_code: int = 200,
) -> Response:
    """The page (``template`` with ``context``) or its JSON twin (``data``), as the request asks. ``context``
    and ``data`` may be callables, so only the representation sent is built."""
    if json_wanted(request, format):
        return json_page(request, data() if callable(data) else data, status_code=status_code)
    return html_page(request, template, context() if callable(context) else context, status_code=status_code)
