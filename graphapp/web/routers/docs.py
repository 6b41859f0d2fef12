"""The OpenAPI page, served offline: Swagger UI 5 vendored from the npm registry into
``static/vendor/swagger-ui/`` (``scripts/vendor.py`` refreshes it), started by a static script (``docs.js``), so
the page carries the site's Content-Security-Policy like every other page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..deps import TemplatesDep
from ..urls import app_path

router = APIRouter(include_in_schema=False)


@router.get("/docs", name="docs")
def docs(request: Request, templates: TemplatesDep) -> Response:
    # root-relative links: never an absolute URL built from the Host header
    openapi_url = str(app_path(request, str(request.app.openapi_url)))
    return templates.TemplateResponse(request, "docs.html", {"openapi_url": openapi_url})
