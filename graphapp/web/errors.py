"""One domain exception and one handler that answers in HTML, JSON or plain text to suit the request, and the
table of those error responses for the OpenAPI description (:func:`error_responses`).

The generic errors (no such page, a request that does not validate, the store not answering, an internal error)
speak the reader's language (``?lang=``, else the cookie, else Spanish), in every representation."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .exceptions import AppError
from .i18n import get_lang
from .render import VARY, json_wanted, preferred, template_response
from .security import security_headers

log = logging.getLogger(__name__)


def wants(request: Request, *media_types: str) -> str | None:
    """The one of ``media_types`` the Accept header prefers (ties: the order given; the first for ``*/*``).
    The service's one negotiation (:func:`graphapp.negotiation.choose`), kept under this name for callers."""
    return preferred(request, *media_types)


#: paths whose errors are always JSON, whatever the Accept header says: the API for programs
JSON_ONLY_PATHS = ("/api/",)


__all__ = ["AppError", "json_wanted", "render_error", "wants"]


def render_error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error page, JSON or text the request prefers (always JSON under ``/api/``), with ``Vary: Accept`` where
    the choice depends on it. It carries the security headers itself: the 500 handler runs in Starlette's
    ServerErrorMiddleware, outside the middleware that adds them to other responses."""
    headers = {**security_headers(request.scope), **(headers or {})}
    if request.scope.get("graphapp.request_id"):  # the 500 page is sent outside the request-id middleware
        headers["X-Request-ID"] = request.scope["graphapp.request_id"]
    if request.url.path.startswith(JSON_ONLY_PATHS):
        kind: str | None = "application/json"
    else:
        # plain text for */* or no Accept (curl), HTML or JSON for those who name them
        kind = wants(request, "text/plain", "text/html", "application/json")
        headers = {**VARY, **headers}
    if kind == "text/html":
        return template_response(
            request, "error.html", {"status": status, "message": message}, status_code=status, headers=headers
        )
    if kind == "application/json":
        return JSONResponse({"error": status, "message": message}, status_code=status, headers=headers)
    return PlainTextResponse(f"Error {status}: {message}\n", status_code=status, headers=headers)


async def app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)  # noqa: S101 - registered for AppError only
    return render_error(request, exc.status, exc.message, exc.headers)


def _t(request: Request, es: str, en: str) -> str:
    return es if get_lang(request) == "es" else en


#: Starlette's own details for statuses no route raises itself, in Spanish
_STARLETTE_ES = {
    "Method Not Allowed": "Este método HTTP no se admite en esta dirección.",
    "Not Acceptable": "Ninguna representación coincide con la cabecera Accept.",
    "Unsupported Media Type": "El tipo del cuerpo de la petición no se admite.",
    "Request Entity Too Large": "El cuerpo de la petición es demasiado grande.",
}


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    message = exc.detail if isinstance(exc.detail, str) else "Error"
    if exc.status_code == 404 and message == "Not Found":
        message = _t(request, f"No hay ninguna página en {request.url.path}.", f"No page at {request.url.path}.")
    elif message in _STARLETTE_ES:
        message = _t(request, _STARLETTE_ES[message], message)
    return render_error(request, exc.status_code, message, getattr(exc, "headers", None))


#: where a parameter is, in Spanish
_WHERE_ES = {
    "query": "el parámetro",
    "path": "la parte de la ruta",
    "body": "el campo del cuerpo",
    "header": "la cabecera",
    "cookie": "la cookie",
}
#: what is wrong with it, in Spanish, by pydantic's error type (its context fills the braces)
_PROBLEM_ES = {
    "missing": "es obligatorio y falta",
    "literal_error": "debe ser {expected}",
    "enum": "debe ser {expected}",
    "int_parsing": "debe ser un número entero",
    "int_type": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "float_parsing": "debe ser un número",
    "float_type": "debe ser un número",
    "bool_parsing": "debe ser true o false",
    "bool_type": "debe ser true o false",
    "string_type": "debe ser un texto",
    "list_type": "debe ser una lista",
    "dict_type": "debe ser un objeto JSON",
    "model_type": "debe ser un objeto JSON",
    "model_attributes_type": "debe ser un objeto JSON",
    "json_invalid": "no es JSON válido",
    "greater_than": "debe ser mayor que {gt}",
    "greater_than_equal": "debe ser mayor o igual que {ge}",
    "less_than": "debe ser menor que {lt}",
    "less_than_equal": "debe ser menor o igual que {le}",
    "string_too_short": "debe tener al menos {min_length} caracteres",
    "string_too_long": "debe tener como mucho {max_length} caracteres",
    "too_short": "debe tener al menos {min_length} elementos",
    "too_long": "debe tener como mucho {max_length} elementos",
    "string_pattern_mismatch": "no tiene la forma esperada ({pattern})",
    "extra_forbidden": "no se admite",
}


def _problem_es(error: dict[str, Any]) -> str:
    """One validation error in Spanish: «el parámetro «iri» es obligatorio y falta». An error type without a
    Spanish wording keeps pydantic's words (a route's own check, e.g. a ``ValueError`` of a validator)."""
    loc = [str(p) for p in error.get("loc", ())]
    where = _WHERE_ES.get(loc[0]) if loc else None
    name = ".".join(loc[1:] if where else loc)
    subject = f"{where} «{name}»" if where and name else (where or f"«{name}»")
    template = _PROBLEM_ES.get(str(error.get("type")))
    if template is None:
        return f"{subject}: {error.get('msg', '')}"
    context = {k: str(v).replace("' or '", "' o '") for k, v in (error.get("ctx") or {}).items()}
    try:
        problem = template.format(**context)
    except (KeyError, IndexError):
        problem = str(error.get("msg", ""))
    return f"{subject} {problem}"


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    if get_lang(request) == "es":
        problems = "; ".join(_problem_es(e) for e in exc.errors())
        return render_error(request, 400, f"Solicitud no válida: {problems}.")
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return render_error(request, 400, f"Invalid request: {problems}")


async def store_unavailable_handler(request: Request, exc: Exception) -> Response:
    """The SPARQL server behind the service (GRAPHAPP_STORE=sparql) refused or did not answer one of the pages'
    own queries: not the reader's mistake and not a fault of the page, so 503 with the reason, not 500."""
    log.warning("the triple store failed on %s %s: %s", request.method, request.url.path, exc)
    return render_error(
        request,
        503,
        _t(
            request,
            "El almacén de tripletas no respondió a tiempo a la consulta de esta página (o la rechazó); inténtelo "
            "más tarde.",
            "The triple store did not answer this page's query in time (or refused it); try again later.",
        ),
        {"Retry-After": "30"},
    )


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    log.exception(
        "unhandled error on %s %s",
        request.method,
        request.url.path,
        extra={"request_id": request.scope.get("graphapp.request_id")},
    )
    message = _t(request, "Error interno. Quedó registrado.", "Internal error. It has been logged.")
    return render_error(request, 500, message)


# ---------------------------------------------------------------- the error responses, for the OpenAPI description

#: what :func:`render_error` answers: an HTML page, ``{"error": status, "message": ...}`` or ``Error N: ...`` text
ERROR_MEDIA = ("text/html", "application/json", "text/plain")
ERROR_SCHEMA_NAME = "Error"
#: the JSON error body, registered as ``#/components/schemas/Error`` (see :mod:`graphapp.web.openapi`)
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "integer", "description": "The HTTP status."},
        "message": {"type": "string", "description": "What went wrong, and what to do about it."},
        "suggestions": {
            "type": "array",
            "description": "Unknown entity: entities with a similar address.",
            "items": {"type": "object", "properties": {"href": {"type": "string"}, "label": {"type": "string"}}},
        },
    },
}
_RETRY_AFTER = {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
ERRORS: dict[int, dict[str, Any]] = {
    400: {"description": "Bad request: a parameter or body the route cannot use; the message names it."},
    401: {
        "description": "No bearer token.",
        "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
    },
    403: {"description": "Updates are disabled on this server, or the bearer token is not valid."},
    404: {"description": "Nothing at this address; the message names what is missing."},
    406: {"description": "No representation matches the Accept header or `format=`."},
    409: {"description": "Conflict: the request clashes with what exists (the message says what)."},
    410: {
        "description": "Gone: that graph version is no longer kept; the message and the Link header name the nearest "
        "kept release (docs/versions.md).",
        "headers": {"Link": {"schema": {"type": "string"}}},
    },
    413: {"description": "The request body or the query is over the size limit."},
    429: {
        "description": "This client already has as many queries running or waiting as it may.",
        "headers": {"Retry-After": {**_RETRY_AFTER, "required": True}},
    },
    503: {
        "description": "The service is busy, the request was stopped at its time or memory limit, or the service "
        "is shutting down; try again later.",
        "headers": {"Retry-After": _RETRY_AFTER},
    },
}


def error_responses(
    *statuses: int, media: tuple[str, ...] = ERROR_MEDIA, **descriptions: str
) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries of a route for the errors it can give, from one table (:data:`ERRORS`).

    ``media`` narrows the media types (e.g. the API answers JSON only); ``descriptions`` replaces a status's
    description with the route's own words, keyed ``e404="..."``.

    >>> sorted(error_responses(400, 404, media=("application/json",))[404]["content"])
    ['application/json']
    """
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry = {**ERRORS[status]}
        entry["description"] = descriptions.get(f"e{status}", entry["description"])
        entry["content"] = {
            mt: {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}
            if mt == "application/json"
            else {"schema": {"type": "string"}}
            for mt in media
        }
        out[status] = entry
    return out
