"""The OpenAPI page, served offline: Swagger UI 5 vendored from the npm registry into
``static/vendor/swagger-ui/`` (``scripts/vendor.py`` refreshes it), started by a static script (``docs.js``), so
the page carries the site's Content-Security-Policy like every other page.

The page has the site's header and language switch. Its JSON twin is the OpenAPI description in the reader's
language: ``/openapi.json`` itself in English, a copy with Spanish summaries and tags in Spanish
(:mod:`graphapp.web.openapi_es`), which the Spanish page shows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..deps import WebDep
from ..i18n import get_lang
from ..params import PageFormat
from ..render import render_page
from ..state import WebState
from ..urls import app_path, path_for

router = APIRouter(include_in_schema=False)


def _description(request: Request, web: WebState) -> dict[str, Any]:
    """The OpenAPI description in the reader's language (the Spanish copy made once)."""
    schema: dict[str, Any] = request.app.openapi()
    if get_lang(request) != "es":
        return schema
    return web.openapi_in_spanish(schema)


@router.get("/docs", name="docs")
def docs(request: Request, web: WebDep, format: PageFormat = None) -> Response:
    """The API page; its JSON twin is the OpenAPI description, in the reader's language."""
    # root-relative links: never an absolute URL built from the Host header
    openapi_url = str(app_path(request, str(request.app.openapi_url)))
    lang = get_lang(request)
    # what Swagger UI reads: the description itself in English, its Spanish copy (this page's twin) in Spanish
    spanish_url = path_for(request, "docs").include_query_params(format="json", lang=lang)
    shown_url = openapi_url if lang == "en" else str(spanish_url)
    context = {"openapi_url": openapi_url, "shown_url": shown_url}
    return render_page(request, "docs.html", context, lambda: _description(request, web), format=format)
