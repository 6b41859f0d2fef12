"""The OpenAPI page, served offline: Swagger UI's files come from the swagger-ui-bundle package."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from ..urls import app_path, path_for

router = APIRouter(include_in_schema=False)

# Swagger UI starts from a small inline script; this page (our own OpenAPI document only, no data) allows it.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
)


@router.get("/docs", name="docs")
def docs(request: Request) -> HTMLResponse:
    # root-relative links: never an absolute URL built from the Host header
    page = get_swagger_ui_html(
        openapi_url=str(app_path(request, str(request.app.openapi_url))),
        title="Gobierno Abierto KG · API",
        swagger_js_url=str(path_for(request, "swagger", path="swagger-ui-bundle.js")),
        swagger_css_url=str(path_for(request, "swagger", path="swagger-ui.css")),
        swagger_favicon_url=str(path_for(request, "static", path="favicon.svg")),
    )
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page
