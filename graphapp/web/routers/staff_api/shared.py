"""The steps every staff API call shares: the caller's language, errors as JSON, the body and the source
checked, and a change committed through :func:`graphapp.writes.entities.commit_built`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from ....iris import checked_iri, is_valid_iri
from ....writes import Change, Commit
from ....writes.entities import (
    KINDS,
    LANGS,
    Context,
    EntityError,
    Kind,
    Problem,
    commit_built,
    problems_from_findings,
    read_entity,
)
from .answers import JSON


def _accept_language(header: str | None) -> str | None:
    """The first of Spanish or English in an ``Accept-Language`` header, by q-value then order.

    >>> _accept_language("en-GB,en;q=0.9,es;q=0.8"), _accept_language("fr"), _accept_language(None)
    ('en', None, None)
    """
    best: tuple[float, int, str] | None = None
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if lang in LANGS and q > 0 and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, lang)
    return best[2] if best else None


def caller_lang(request: Request, lang: str | None = None) -> str:
    """``lang=``, else the language cookie, else ``Accept-Language``, else Spanish."""
    if lang in LANGS:
        return lang
    kept = request.cookies.get("lang")
    if kept in LANGS:
        return kept
    return _accept_language(request.headers.get("accept-language")) or "es"


def error_response(exc: EntityError, lang: str) -> JSONResponse:
    body: dict[str, Any] = {"error": exc.status, "message": exc.message(lang)}
    if exc.problems:
        body["violations"] = [p.as_json(lang) for p in exc.problems]
    return JSONResponse(body, status_code=exc.status)


def kind_named(name: str) -> Kind:
    return KINDS[name]


def source_iri(source: str | None) -> str | None:
    if source is None or not source.strip():
        return None
    if not is_valid_iri(source.strip()):
        raise EntityError(
            400,
            {"es": f"«source» no es un IRI válido: {source!r}.", "en": f"'source' is not a valid IRI: {source!r}."},
        )
    return checked_iri(source.strip())


async def json_body(request: Request) -> Any:
    media = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    body = await request.body()
    if media != JSON:
        raise EntityError(400, {"es": f"Envíe {JSON}, no {media}.", "en": f"Send {JSON}, not {media}."})
    return parse_json(body)


#: deepest nesting of arrays and objects a JSON body may have (an entity is two or three levels deep)
MAX_JSON_DEPTH = 32


def parse_json(body: bytes) -> Any:
    """The body as JSON, or a 400 that says why: not JSON, or nested deeper than :data:`MAX_JSON_DEPTH` (a body
    nested 5,000 deep overflowed the parser's recursion and was a 500)."""
    try:
        data = json.loads(body)
    except RecursionError:
        data = None
        too_deep = True
    except (ValueError, UnicodeDecodeError) as exc:
        raise EntityError(
            400,
            {"es": f"El cuerpo no es JSON válido: {exc}.", "en": f"The body is not valid JSON: {exc}."},
            [Problem(None, {"es": "JSON no válido.", "en": "Not valid JSON."}, code="json")],
        ) from None
    else:
        too_deep = _depth(data) > MAX_JSON_DEPTH
    if too_deep:
        raise EntityError(
            400,
            {
                "es": f"El JSON está anidado a más de {MAX_JSON_DEPTH} niveles.",
                "en": f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.",
            },
            [Problem(None, {"es": "JSON demasiado anidado.", "en": "JSON nested too deeply."}, code="json")],
        )
    return data


def _depth(value: Any) -> int:
    """How deep arrays and objects nest in ``value``, without recursion.

    >>> _depth({"a": [1, {"b": []}]}), _depth(3)
    (4, 0)
    """
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level <= MAX_JSON_DEPTH:
            stack.extend((child, level + 1) for child in children)
    return deepest


def commit_entity(
    service: Any, kind: Kind, iri: str, build: Callable[[], Change], values: dict[str, Any], lang: str
) -> dict[str, Any]:
    """Commit what ``build`` makes to the entity at ``iri`` (see :func:`commit_built`) and answer the entity as it
    is now, with ``change``: its number in the history, what it added and removed, and the shapes' warnings."""
    commit = commit_built(service.writer, build, {iri: kind}, {iri: values})
    entity = read_entity(Context.of_service(service), kind, iri) or {"iri": iri}
    entity["change"] = change_summary(commit, {iri: kind}, {iri: values}, lang)
    return entity


def change_summary(commit: Commit, kinds: dict[str, Kind], values: dict[str, Any], lang: str) -> dict[str, Any]:
    warnings: Iterable[Any] = commit.report.findings if commit.report is not None else []
    return {
        "id": commit.change_id,
        "added": commit.added,
        "removed": commit.removed,
        "warnings": [p.as_json(lang) for p in problems_from_findings(list(warnings), kinds, values)],
    }


def entity_iri(ctx: Context, kind: Kind, slug: str) -> str:
    iri = ctx.iri(kind, slug)
    if "/" in slug or not is_valid_iri(iri):
        raise EntityError(
            404, {"es": f"No hay {kind.label_es.lower()} «{slug}».", "en": f"No {kind.label_en.lower()} '{slug}'."}
        )
    return iri


def history_entry(service: Any, entry: Any) -> dict[str, Any]:
    return {**entry.as_json(), "reverted_by": service.history.reverted(entry.id)}
