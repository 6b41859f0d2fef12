"""The OpenAPI page, served offline: Swagger UI 5 vendored from the npm registry into
``static/vendor/swagger-ui/`` (``scripts/vendor.py`` refreshes it), started by a static script (``docs.js``), so
the page carries the site's Content-Security-Policy like every other page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..params import PageFormat
from ..render import render_page
from ..urls import app_path

router = APIRouter(include_in_schema=False)


@router.get("/docs", name="docs")
def docs(request: Request, format: PageFormat = None) -> Response:
    """The API page; its JSON twin is the OpenAPI description itself."""
    # root-relative links: never an absolute URL built from the Host header
    openapi_url = str(app_path(request, str(request.app.openapi_url)))
    return render_page(request, "docs.html", {"openapi_url": openapi_url}, request.app.openapi, format=format)
