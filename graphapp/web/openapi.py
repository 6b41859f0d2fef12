"""The OpenAPI description says what each route really answers: its media types and its errors.

The routers declare their responses with the tables here and in :mod:`graphapp.web.errors`; :func:`install` then
tidies what FastAPI generates:

- request validation errors are answered with 400 (``errors.validation_error_handler``), never 422: FastAPI's
  automatic 422 entries are removed (every route that validates its parameters declares its 400);
- an optional query or path parameter is "absent", never ``null``: ``anyOf [X, null]`` becomes ``X``;
- the error body schema and the update endpoint's bearer scheme are registered as components.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from ..citation import FORMATS as CITATION_FORMATS
from ..results import FORMAT_ALIASES, GRAPH_FORMATS, SOLUTION_FORMATS
from .errors import ERROR_SCHEMA, ERROR_SCHEMA_NAME, error_responses


def body(media_type: str) -> dict[str, Any]:
    """A response body of ``media_type``: any JSON document for a JSON type (``+json``), else text."""
    json = media_type == "application/json" or media_type.endswith("+json")
    return {"schema": {} if json else {"type": "string"}}


HTML = {"text/html": body("text/html")}
#: a citation: plain text, BibTeX or CSL-JSON (graphapp.citation.FORMATS, without their charset)
CITATION = {media.split(";")[0]: body(media.split(";")[0]) for media in CITATION_FORMATS.values()}
#: the body of an RDF description, in every serialization the service writes
RDF = {f.media_type: body(f.media_type) for f in GRAPH_FORMATS}
SPARQL_RESULTS = {**{f.media_type: body(f.media_type) for f in SOLUTION_FORMATS}, **RDF}


def page_or_json(
    description: str = "The page (`text/html`) or its JSON twin (`application/json`).",
) -> dict[int | str, dict[str, Any]]:
    """The 200 of a page with a JSON twin (the JSON media type is the route's default response class)."""
    return {200: {"description": description, "content": HTML}}


# ---------------------------------------------------------------- the SPARQL protocol routes

_GRAPH_LIST = {"type": "array", "items": {"type": "string", "description": "The IRI of a graph of this dataset."}}
_RESULT_FORMAT = {"type": "string", "enum": [*FORMAT_ALIASES, ""]}
_QUERY_PARAMS: list[dict[str, Any]] = [
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "description": "A graph of this dataset that makes up the default graph (replaces the query's FROM). "
        "Any other IRI is a 400: this endpoint never fetches graphs.",
        "schema": _GRAPH_LIST,
        "style": "form",
        "explode": True,
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "description": "A graph of this dataset to query as a named graph (replaces the query's FROM NAMED).",
        "schema": _GRAPH_LIST,
        "style": "form",
        "explode": True,
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Result format, instead of `Accept`: `json`, `xml`, `csv`, `tsv` (SELECT, ASK); `ttl`, `nt`, "
        "`rdfxml`, `jsonld` (CONSTRUCT, DESCRIBE), or a media type; absent or empty: by `Accept`. A format the "
        "query form does not have is a 406.",
        "schema": _RESULT_FORMAT,
    },
    {
        "name": "version",
        "in": "query",
        "required": False,
        "description": "A graph version (every answer names its own in `X-Graph-Version`): the query is evaluated on "
        "the graph exactly as it was at that version, with the same guard, limits and formats (docs/versions.md). "
        "A version that never existed is a 404; one no longer kept a 410 naming the nearest kept release.",
        "schema": {"type": "string", "pattern": "^[0-9]{0,18}$"},
    },
]
_QUERY_ERRORS = error_responses(
    400,
    404,
    406,
    410,
    413,
    429,
    503,
    e400="Not a query this endpoint runs: a syntax error, an update, SERVICE, LOAD, a graph not in this dataset, "
    "a malformed request.",
    e404="There is no such graph version (`version=`).",
    e503="All query workers are busy, or the query was stopped at its time or memory limit.",
)
_RESULTS_200 = {
    "description": "The results: SELECT and ASK in SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle, "
    "N-Triples, RDF/XML or JSON-LD; by `Accept` (q-values honoured) or `format=`.",
    "content": SPARQL_RESULTS,
    "headers": {
        "X-Result-Truncated": {
            "description": "Present when the results were cut at the row or byte limit.",
            "schema": {"type": "string"},
        },
        "X-Graph-Version": {
            "description": "The graph version the answer was made from (docs/versions.md).",
            "schema": {"type": "string"},
        },
    },
}

#: ``GET /sparql``: keyword arguments of the route decorator
SPARQL_GET: dict[str, Any] = {
    "response_class": HTMLResponse,  # the query page; the other media types are listed below
    "responses": {
        200: {
            **_RESULTS_200,
            "description": str(_RESULTS_200["description"]) + " Without `query`: the query page for a browser "
            "(`text/html`), the Service Description (RDF) for any other client.",
            "content": {**HTML, **SPARQL_RESULTS},
        },
        **_QUERY_ERRORS,
    },
    "openapi_extra": {
        "parameters": [
            {
                "name": "query",
                "in": "query",
                "required": False,
                "description": "A SPARQL 1.1 query (read only).",
                "schema": {"type": "string"},
                "example": "SELECT ?practice WHERE { ?practice a <https://w3id.org/gakg/ontology#BestPractice> }",
            },
            *_QUERY_PARAMS,
            {
                "name": "lang",
                "in": "query",
                "required": False,
                "description": "Language of the query page: `es` (default) or `en`.",
                "schema": {"type": "string"},
            },
        ]
    },
}

#: ``POST /sparql``
SPARQL_POST: dict[str, Any] = {
    "response_class": Response,
    "responses": {200: _RESULTS_200, **_QUERY_ERRORS},
    "openapi_extra": {
        "parameters": _QUERY_PARAMS,
        "requestBody": {
            "required": True,
            "description": "The query, form-encoded (`query=`, with optional `default-graph-uri` and "
            "`named-graph-uri`) or as the whole body (`application/sparql-query`).",
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": _GRAPH_LIST,
                            "named-graph-uri": _GRAPH_LIST,
                            "version": {"type": "string", "pattern": "^[0-9]{0,18}$"},
                        },
                    }
                },
                "application/sparql-query": {"schema": {"type": "string"}},
            },
        },
    },
}

#: ``POST /sparql/update``
SPARQL_UPDATE: dict[str, Any] = {
    "response_class": Response,
    "status_code": 204,
    "responses": {
        204: {"description": "The update was applied (and the graph still conforms to the shapes)."},
        **error_responses(
            400,
            401,
            403,
            413,
            429,
            503,
            e429="This staff member made more writes than GRAPHAPP_WRITE_RATE allows; try again after Retry-After.",
            e400="Not an update this endpoint applies (syntax, LOAD, SERVICE, a source or restricted graph, "
            "DROP ALL...), or the result would break the shapes: nothing was changed.",
            e403="Updates are disabled on this server, the bearer token is not valid, or the update writes to a "
            "graph that is read-only here (the project's source data, the restricted graph).",
            e503="The update worker is busy, or the update was stopped at its time or memory limit.",
        ),
    },
    "openapi_extra": {
        "security": [{"updateToken": []}],
        "requestBody": {
            "required": True,
            "description": "The update, as the whole body (`application/sparql-update`) or form-encoded (`update=`).",
            "content": {
                "application/sparql-update": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "required": ["update"], "properties": {"update": {"type": "string"}}}
                },
            },
        },
    },
}


# ---------------------------------------------------------------- tidying the generated description


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``{"anyOf": [X, {"type": "null"}], ...}`` → ``{**X, ...}``: a parameter is absent, never null."""
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    kept = [o for o in options if o != {"type": "null"}]
    if len(kept) != 1 or len(kept) == len(options):
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**kept[0], **rest}


def tidy(schema: dict[str, Any]) -> dict[str, Any]:
    """Tidy a generated OpenAPI document in place (see the module's docstring) and return it."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            operation.get("responses", {}).pop("422", None)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in {"query", "path", "header", "cookie"} and "schema" in parameter:
                    parameter["schema"] = _without_null(parameter["schema"])
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    text = str(schema["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{unused}'" not in text:
            schemas.pop(unused, None)
    schemas[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    components.setdefault("securitySchemes", {})["updateToken"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A staff member's token (`graphapp staff add NAME --role edit`), or the operator's "
        "GRAPHAPP_UPDATE_TOKEN. Forms use a session cookie (sign in at /acceso) and a CSRF token instead.",
    }
    return schema


def install(app: FastAPI) -> None:
    """Serve the tidied description at ``app.openapi_url`` (generated once, on first use)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = tidy(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
