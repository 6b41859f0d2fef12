"""The staff JSON API: add, read, correct and retire entities, and their history (who, when, how, from which
source, what was added and removed), with revert.

Every write goes through the one write path (:class:`graphapp.writes.Writer`): checked against the declarations of
:mod:`graphapp.writes.entities`, validated against the SHACL shapes, committed atomically, recorded in the history
and published to readers (``/sparql``, the entity pages and the practice finder see it at once). Writes need a
staff principal with the ``edit`` role (``Authorization: Bearer <token>``); reads and the history are public.

Errors are JSON, in the caller's language (``lang=``, else the language cookie, else ``Accept-Language``, else
Spanish). A refused write changes nothing: 400 for values that are not valid or break a shape, each problem as
``{"field": <JSON field>, "shape": <shape ID or null>, "message": …, "code": …}``; 403 for the project's source
data, which the service does not change (correct it in its file under ``data/``); 409 for an IRI already taken, an
entity already retired or a change already reverted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from ...iris import checked_iri, is_valid_iri
from ...writes import Change, Commit, WriteRejected
from ...writes.changes import StaleWrite
from ...writes.entities import (
    KINDS,
    LANGS,
    RDF_MEDIA,
    Context,
    EntityError,
    Kind,
    Problem,
    RetireBody,
    build_create,
    build_retire,
    build_update,
    create_model_for,
    kind_of_iri,
    problems_from_findings,
    read_entity,
    update_model_for,
    validate_body,
    values_from_rdf,
    values_of,
)
from ..auth import Editor
from ..deps import ServiceDep
from ..errors import ERROR_SCHEMA_NAME, error_responses
from ..params import ApiLang

router = APIRouter(tags=["Staff: entities and history"])

JSON = "application/json"
MAX_HISTORY = 1000
KindName = Literal["practice", "organisation", "institution", "commitment", "key-action", "activity", "problem",
                   "local-exercise"]  # fmt: skip
assert set(KindName.__args__) == set(KINDS)  # type: ignore[attr-defined]  # noqa: S101 - declared once, in KINDS

KindParam = Annotated[
    KindName,
    PathParam(description="The kind of entity: " + ", ".join(f"`{k}` ({v.label_en})" for k, v in KINDS.items())),
]
SlugParam = Annotated[
    str,
    PathParam(
        max_length=200,
        description="The last part of the entity's IRI (`…/id/<segment>/<slug>`).",
        examples=["reubicacion-ladrilleras-durango"],
    ),
]
SourceParam = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="IRI of the document the data comes from (an official letter, a web page, a report); recorded "
        "in the history with the change. Not the entity's own `sources`, which are statements of the graph.",
    ),
]
ChangeId = Annotated[int, PathParam(ge=1, le=2**62, description="The number of a change in the history.")]


# ---------------------------------------------------------------- answers, documented


class Violation(BaseModel):
    field: str | None = None
    shape: str | None = None
    message: str
    code: str
    focus: str | None = None


class WriteError(BaseModel):
    """A refused write: nothing was changed."""

    error: int
    message: str
    violations: list[Violation] = []


class EntityOut(BaseModel):
    """An entity as field values (the fields of its kind, see `GET /api/entities`), with ``retired`` and
    ``source_data`` (true: the project's source data, which this API does not change). Write answers add
    ``change`` (the number of the change in the history, what it added and removed, and the shapes' warnings)."""

    model_config = ConfigDict(extra="allow")
    iri: str
    kind: str
    slug: str | None
    href: str | None
    label: dict[str, str | None]
    retired: dict[str, Any] | None
    source_data: bool


class HistoryEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    at: str
    actor: str
    method: str
    source: str | None
    note: str
    reverts: int | None
    reverted_by: int | None
    entities: list[str]
    added: list[str]
    removed: list[str]


class HistoryOut(BaseModel):
    entity: str
    href: str | None
    changes: list[HistoryEntry]


class RevertOut(BaseModel):
    reverted: int
    change: HistoryEntry | None


def _conflict(description: str) -> dict[int | str, dict[str, Any]]:
    """A 409 entry, in the form of :func:`error_responses` (409 is this API's own)."""
    return {
        409: {
            "description": description,
            "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}},
        }
    }


def _write_errors(*statuses: int, e400: str, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    out = error_responses(
        *sorted({400, 401, 403, 413, 429, *statuses}),
        media=(JSON,),
        e400=e400,
        e401="No credentials: this needs `Authorization: Bearer <token>` (a staff token with the role `edit`).",
        e429="This staff member made more writes than the server allows; try again after Retry-After.",
        **descriptions,
    )
    out[400] = {**out[400], "model": WriteError}
    # a body over the cap is refused before any route runs, in plain text when its Content-Length says so
    out[413] = error_responses(413)[413]
    return out


_E400 = (
    "Nothing was changed: a body that is not valid JSON (or Turtle/JSON-LD), an unknown field, a value of the wrong "
    "type, a reference to no entity of the graph, or a change that breaks the SHACL shapes. `violations` names each "
    "field, the shape (stable ID) and the reason, in the caller's language."
)
_E403_WRITE = (
    "The token is not valid or lacks the role `edit`, writes are disabled, or the entity is the project's source "
    "data (read-only here: correct it in its file under data/)."
)

_TURTLE_EXAMPLE = """@prefix ga: <https://w3id.org/gakg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/gakg/id/> .

<https://w3id.org/gakg/id/practica/mapa-abierto-de-bachilleratos-de-toluca> a ga:BestPractice ;
    rdfs:label "Mapa abierto de bachilleratos de Toluca"@es , "Open map of Toluca upper-secondary schools"@en ;
    dcterms:spatial <https://w3id.org/gakg/id/municipio/15106> ;
    ga:addressesProblem <https://w3id.org/gakg/id/problema/desinformacion-para-elegir-bachillerato> ;
    ga:solution "Un mapa abierto con la oferta y los resultados de cada bachillerato."@es ;
    ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;
    dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> .
"""
_JSONLD_EXAMPLE = {
    "@context": {
        "ga": "https://w3id.org/gakg/ontology#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "dcterms": "http://purl.org/dc/terms/",
    },
    "@id": "https://w3id.org/gakg/id/problema/baches-en-calles-de-metepec",
    "@type": "ga:Problem",
    "rdfs:label": {"@value": "Baches en las calles de Metepec", "@language": "es"},
    "dcterms:spatial": {"@id": "https://w3id.org/gakg/id/municipio/15054"},
}
_CREATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "practice": {
        "summary": "A best practice (POST /api/entities/practice)",
        "value": {
            "label": {
                "es": "Mapa abierto de bachilleratos de Toluca",
                "en": "Open map of Toluca upper-secondary schools",
            },
            "place": "municipio/15106",
            "addresses_problem": "desinformacion-para-elegir-bachillerato",
            "solution": {"es": "Un mapa abierto con la oferta y los resultados de cada bachillerato."},
            "status": "activa",
            "sources": ["cocreacion-desde-lo-local-inai-2020"],
            "themes": ["eleccion-escolar"],
            "contributes_to": ["4"],
        },
    },
    "problem": {
        "summary": "A public problem (POST /api/entities/problem)",
        "value": {"label": "Baches en las calles de Metepec", "place": "municipio/15054"},
    },
    "organisation": {
        "summary": "A civil-society organisation (POST /api/entities/organisation)",
        "value": {"label": "Colectivo Ciudad Abierta A.C.", "jurisdiction": "estado-de-mexico"},
    },
}


def _create_body() -> dict[str, Any]:
    schemas = [_inline(create_model_for(k).model_json_schema()) for k in KINDS.values()]
    return {
        "required": True,
        "description": "The new entity: JSON with the fields of its kind (see `GET /api/entities`; the schema of "
        "each kind is one of those below, titled `<Kind>Create`), or one entity in Turtle or JSON-LD, its IRI under "
        "`…/id/<segment>/` and its type the kind's class.",
        "content": {
            JSON: {"schema": {"anyOf": schemas}, "examples": _CREATE_EXAMPLES},
            "text/turtle": {
                "schema": {"type": "string"},
                "examples": {"practice": {"summary": "A best practice, in Turtle", "value": _TURTLE_EXAMPLE}},
            },
            "application/ld+json": {
                "schema": {"type": "object"},
                "examples": {"problem": {"summary": "A problem, in JSON-LD", "value": _JSONLD_EXAMPLE}},
            },
        },
    }


def _update_body() -> dict[str, Any]:
    schemas = [_inline(update_model_for(k).model_json_schema()) for k in KINDS.values()]
    return {
        "required": True,
        "description": "The fields to replace (the others stay); `null` or `[]` removes a field's values.",
        "content": {
            JSON: {
                "schema": {"anyOf": schemas},
                "examples": {
                    "solution": {
                        "summary": "Correct a practice's solution and add its English text",
                        "value": {"solution": {"es": "Un mapa abierto y actualizado.", "en": "An open, updated map."}},
                    },
                    "inactive": {
                        "summary": "A practice stopped running in 2024",
                        "value": {"status": "inactiva", "inactive_since": 2024},
                    },
                },
            }
        },
    }


def _retire_body() -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            JSON: {
                "schema": _inline(RetireBody.model_json_schema()),
                "examples": {
                    "duplicate": {
                        "summary": "A duplicate",
                        "value": {"date": "2025-03-01", "reason": "Duplicada de otra práctica."},
                    },
                    "bilingual": {
                        "summary": "Reason in both languages, today",
                        "value": {"reason": {"es": "Ya no existe.", "en": "It no longer exists."}},
                    },
                },
            }
        },
    }


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON Schema with its ``$defs`` written in place (OpenAPI has no ``$defs`` inside operations)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


_SECURITY = [{"updateToken": []}]


# ---------------------------------------------------------------- shared pieces


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
        return lang  # type: ignore[return-value]
    kept = request.cookies.get("lang")
    if kept in LANGS:
        return kept
    return _accept_language(request.headers.get("accept-language")) or "es"


def _error(exc: EntityError, lang: str) -> JSONResponse:
    body: dict[str, Any] = {"error": exc.status, "message": exc.message(lang)}
    if exc.problems:
        body["violations"] = [p.as_json(lang) for p in exc.problems]
    return JSONResponse(body, status_code=exc.status)


def _kind(name: str) -> Kind:
    return KINDS[name]


def _source(source: str | None) -> str | None:
    if source is None or not source.strip():
        return None
    if not is_valid_iri(source.strip()):
        raise EntityError(
            400,
            {"es": f"«source» no es un IRI válido: {source!r}.", "en": f"'source' is not a valid IRI: {source!r}."},
        )
    return checked_iri(source.strip())


async def _json_body(request: Request) -> Any:
    media = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    body = await request.body()
    if media != JSON:
        raise EntityError(400, {"es": f"Envíe {JSON}, no {media}.", "en": f"Send {JSON}, not {media}."})
    return _parse_json(body)


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise EntityError(
            400,
            {"es": f"El cuerpo no es JSON válido: {exc}.", "en": f"The body is not valid JSON: {exc}."},
            [Problem(None, {"es": "JSON no válido.", "en": "Not valid JSON."}, code="json")],
        ) from None


def _commit(service: Any, build: Callable[[], Change], kinds: dict[str, Kind], values: dict[str, Any]) -> Commit:
    """Commit what ``build`` makes, on the version it was made on (made again if another write landed meanwhile);
    a refusal of the writer becomes an :class:`EntityError` naming the fields."""
    for attempt in range(3):
        version = service.writer.version
        change = build()
        try:
            return service.writer.commit(change, None if attempt == 2 else version)
        except StaleWrite:
            continue
        except WriteRejected as exc:
            raise _rejected(exc, kinds, values) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _rejected(exc: WriteRejected, kinds: dict[str, Kind], values: dict[str, Any]) -> EntityError:
    report = exc.report
    if report is not None:
        problems = problems_from_findings(getattr(report, "violations", []), kinds, values)
        return EntityError(
            400,
            {
                "es": "El cambio no cumple las formas SHACL; no se cambió nada.",
                "en": "The change breaks the SHACL shapes; nothing was changed.",
            },
            problems,
        )
    return EntityError(exc.status, {"es": exc.message, "en": exc.message})


def _summary(commit: Commit, kinds: dict[str, Kind], values: dict[str, Any], lang: str) -> dict[str, Any]:
    warnings: Iterable[Any] = commit.report.findings if commit.report is not None else []
    return {
        "id": commit.change_id,
        "added": commit.added,
        "removed": commit.removed,
        "warnings": [p.as_json(lang) for p in problems_from_findings(list(warnings), kinds, values)],
    }


def _entity_iri(ctx: Context, kind: Kind, slug: str) -> str:
    iri = ctx.iri(kind, slug)
    if "/" in slug or not is_valid_iri(iri):
        raise EntityError(
            404, {"es": f"No hay {kind.label_es.lower()} «{slug}».", "en": f"No {kind.label_en.lower()} '{slug}'."}
        )
    return iri


def _entry(service: Any, entry: Any) -> dict[str, Any]:
    return {**entry.as_json(), "reverted_by": service.history.reverted(entry.id)}


# ---------------------------------------------------------------- the declarations


@router.get(
    "/api/entities",
    name="entity_kinds",
    summary="The kinds of entity staff can add, and their fields",
    responses={200: {"description": "Every kind: its class, IRI segment and fields (JSON name, CSV header, "
                     "labels, predicate, kind of value, many, required)."}},
)  # fmt: skip
def entity_kinds() -> JSONResponse:
    """The declarations behind the API, the CSV import (`graphapp import --kind <plural>`) and the forms: for each
    kind, its class, the segment of its IRIs and its fields."""
    return JSONResponse({"kinds": [k.describe() for k in KINDS.values()]})


# ---------------------------------------------------------------- create, read, update, retire


@router.post(
    "/api/entities/{kind}",
    name="entity_create",
    status_code=201,
    summary="Add an entity (JSON, Turtle or JSON-LD)",
    response_class=JSONResponse,
    responses={
        201: {
            "model": EntityOut,
            "description": "Created: the entity as JSON, with `change` (its number in the history and the shapes' "
            "warnings, such as a missing English label).",
            "headers": {"Location": {"description": "Where to read it.", "schema": {"type": "string"}}},
        },
        **_write_errors(
            e400=_E400 + " A Turtle or JSON-LD body with another subject, a subject outside `…/id/<segment>/`, "
            "blank nodes or a property no field has is a 400 too.",
            e403=_E403_WRITE,
        ),
        **_conflict("The IRI made from the Spanish label (or the `slug` given) is already taken."),
    },
    openapi_extra={"requestBody": _create_body(), "security": _SECURITY},
)
async def entity_create(
    request: Request,
    kind: KindParam,
    principal: Editor,
    service: ServiceDep,
    source: SourceParam = None,
    lang: ApiLang = None,
) -> Response:
    """Add a best practice, an organisation, an institution, a commitment, a key action, an activity, a problem or
    a local exercise. Its IRI is `…/id/<segment>/<slug>`, the slug made from the Spanish label unless `slug` is
    given. References to other entities are IRIs, `<segment>/<slug>` or bare slugs (`activa`, `durango`,
    `municipio/15106`), and must exist. The statements go to the staff contributions graph; the change is recorded
    in the history with the actor and `source`. A refused write changes nothing."""
    language = caller_lang(request, lang)
    k = _kind(kind)
    media = request.headers.get("content-type", JSON).split(";")[0].strip().lower() or JSON
    body = await request.body()

    def work() -> tuple[str, dict[str, Any]]:
        ctx = Context.of_service(service)
        if media in RDF_MEDIA:
            data = values_from_rdf(ctx, k, body, media)
        elif media == JSON:
            data = _parse_json(body)
        else:
            raise EntityError(
                400,
                {
                    "es": f"Envíe {JSON}, text/turtle o application/ld+json, no {media}.",
                    "en": f"Send {JSON}, text/turtle or application/ld+json, not {media}.",
                },
            )
        values = values_of(validate_body(create_model_for(k), data, k))
        origin = _source(source)
        made: dict[str, str] = {}

        def build() -> Change:
            iri, change = build_create(ctx, k, values, actor=principal.name, source=origin)
            made["iri"] = iri
            return change

        build()  # refuse a taken IRI or a bad reference before anything else
        iri = made["iri"]
        commit = _commit(service, build, {iri: k}, {iri: values})
        entity = read_entity(Context.of_service(service), k, made["iri"]) or {"iri": made["iri"]}
        entity["change"] = _summary(commit, {iri: k}, {iri: values}, language)
        return made["iri"], entity

    try:
        iri, entity = await run_in_threadpool(work)
    except EntityError as exc:
        return _error(exc, language)
    return JSONResponse(entity, status_code=201, headers={"Location": f"/api/entities/{k.name}/{entity['slug']}"})


@router.get(
    "/api/entities/{kind}/{slug}",
    name="entity_read",
    summary="Read an entity as field values",
    response_class=JSONResponse,
    responses={
        200: {"model": EntityOut, "description": "The entity, its fields as the create and update bodies have them."},
        **error_responses(400, 404, media=(JSON,), e404="No entity of this kind at this address."),
    },
)
def entity_read(request: Request, kind: KindParam, slug: SlugParam, service: ServiceDep) -> Response:
    """The values of every field of the kind, `retired` (when and why, or `null`) and `source_data` (true for the
    project's source data, which this API reads but does not change). Public."""
    language = caller_lang(request)
    k = _kind(kind)
    try:
        ctx = Context.of_service(service)
        entity = read_entity(ctx, k, _entity_iri(ctx, k, slug))
        if entity is None:
            raise EntityError(
                404,
                {
                    "es": f"No hay {k.label_es.lower()} «{slug}».",
                    "en": f"There is no {k.label_en.lower()} '{slug}'.",
                },
            )
    except EntityError as exc:
        return _error(exc, language)
    return JSONResponse(entity)


@router.options("/api/entities/{kind}/{slug}", include_in_schema=False)
def entity_options() -> Response:
    """Both methods of an entity's address (two routes: Starlette's own 405 would name only the first)."""
    return Response(status_code=204, headers={"Allow": "GET, PATCH, OPTIONS"})


@router.patch(
    "/api/entities/{kind}/{slug}",
    name="entity_update",
    summary="Correct some fields of an entity",
    response_class=JSONResponse,
    responses={
        200: {"model": EntityOut, "description": "The entity as it is now, with `change` (`id` null: nothing "
              "changed)."},
        **_write_errors(404, e400=_E400, e403=_E403_WRITE, e404="No entity of this kind at this address."),
    },
    openapi_extra={"requestBody": _update_body(), "security": _SECURITY},
)  # fmt: skip
async def entity_update(
    request: Request,
    kind: KindParam,
    slug: SlugParam,
    principal: Editor,
    service: ServiceDep,
    source: SourceParam = None,
    lang: ApiLang = None,
) -> Response:
    """Replace the values of the fields given (only those; the others stay). Only entities whose statements are
    all in writable graphs (added by staff) can be corrected: the project's source data answers 403 (correct it in
    its file under `data/`)."""
    language = caller_lang(request, lang)
    k = _kind(kind)
    try:
        data = await _json_body(request)

        def work() -> dict[str, Any]:
            ctx = Context.of_service(service)
            iri = _entity_iri(ctx, k, slug)
            values = values_of(validate_body(update_model_for(k), data, k), only_given=True)
            origin = _source(source)

            def build() -> Change:
                return build_update(ctx, k, iri, values, actor=principal.name, source=origin)

            build()
            commit = _commit(service, build, {iri: k}, {iri: values})
            entity = read_entity(Context.of_service(service), k, iri) or {"iri": iri}
            entity["change"] = _summary(commit, {iri: k}, {iri: values}, language)
            return entity

        return JSONResponse(await run_in_threadpool(work))
    except EntityError as exc:
        return _error(exc, language)


@router.post(
    "/api/entities/{kind}/{slug}/retirar",
    name="entity_retire",
    summary="Retire an entity (it stays, with its history)",
    response_class=JSONResponse,
    responses={
        200: {"model": EntityOut, "description": "The entity, now with `retired`, and `change`."},
        **_write_errors(404, e400=_E400, e403=_E403_WRITE, e404="No entity of this kind at this address."),
        **_conflict("The entity is already retired."),
    },
    openapi_extra={"requestBody": _retire_body(), "security": _SECURITY},
)
async def entity_retire(
    request: Request,
    kind: KindParam,
    slug: SlugParam,
    principal: Editor,
    service: ServiceDep,
    source: SourceParam = None,
    lang: ApiLang = None,
) -> Response:
    """Nothing is deleted: the entity gets `ga:retiredOn` (the date, today by default) and `ga:retirementNote` (the
    reason), the practice finder stops offering a retired practice, and the history keeps every change. Reverting
    the retirement (`POST /api/changes/{id}/revert`) brings it back."""
    language = caller_lang(request, lang)
    k = _kind(kind)
    try:
        data = await _json_body(request)

        def work() -> dict[str, Any]:
            ctx = Context.of_service(service)
            iri = _entity_iri(ctx, k, slug)
            body = validate_body(RetireBody, data)
            assert isinstance(body, RetireBody)  # noqa: S101
            reason = body.reason.model_dump() if isinstance(body.reason, BaseModel) else body.reason
            origin = _source(source)

            def build() -> Change:
                return build_retire(ctx, k, iri, body.date or date.today(), reason, actor=principal.name, source=origin)

            build()
            commit = _commit(service, build, {iri: k}, {})
            entity = read_entity(Context.of_service(service), k, iri) or {"iri": iri}
            entity["change"] = _summary(commit, {iri: k}, {}, language)
            return entity

        return JSONResponse(await run_in_threadpool(work))
    except EntityError as exc:
        return _error(exc, language)


# ---------------------------------------------------------------- history


def _history_target(service: Any, ref: str) -> str:
    """The IRI a history reference names: a full IRI, ``<segment>/<slug>`` or a slug of a declared kind."""
    ctx = Context.of_service(service)
    ref = ref.strip()
    if ref.startswith(("http://", "https://")):
        candidates = [ref]
    elif "/" in ref:
        candidates = [ctx.id_base + ref]
    else:
        candidates = list(dict.fromkeys(ctx.id_base + f"{k.segment}/{ref}" for k in KINDS.values()))
    candidates = [c for c in candidates if is_valid_iri(c)]
    known = [c for c in candidates if ctx.exists(c) or service.history.of(c, limit=1)]
    if len(known) == 1:
        return known[0]
    if not known:
        raise EntityError(
            404,
            {
                "es": f"No hay ninguna entidad «{ref}» ni cambios de ella.",
                "en": f"No entity '{ref}' and no changes to it.",
            },
        )
    shown = ", ".join(known)
    raise EntityError(
        409,
        {
            "es": f"«{ref}» nombra varias entidades ({shown}); use <tipo>/<slug> o el IRI completo.",
            "en": f"'{ref}' names several entities ({shown}); use <segment>/<slug> or the full IRI.",
        },
    )


@router.get(
    "/api/history/{ref:path}",
    name="entity_history",
    summary="The changes of an entity, newest first",
    response_class=JSONResponse,
    responses={
        200: {"model": HistoryOut, "description": "Who, when, how (`api`, `form`, `import`, `update`, `revert`, "
              "`retire`), from which source, and exactly which statements each change added and removed (N-Quads)."},
        **error_responses(400, 404, media=(JSON,), e404="No entity at this reference, and no change to it."),
        **_conflict("A bare slug that names entities of several kinds: use `<segment>/<slug>` or the full IRI."),
    },
)  # fmt: skip
def entity_history(
    request: Request,
    ref: Annotated[
        str,
        PathParam(
            description="The entity: its full IRI, `<segment>/<slug>` (`practica/reubicacion-ladrilleras-durango`) "
            "or its slug.",
            examples=["practica/reubicacion-ladrilleras-durango"],
        ),
    ],
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY, description="Most changes to list.")] = 100,
) -> Response:
    """Every change that touched the entity (public): an entity of the source files that nobody changed has an
    empty list."""
    language = caller_lang(request)
    try:
        iri = _history_target(service, ref)
    except EntityError as exc:
        return _error(exc, language)
    base = service.store.base_iri
    changes = [_entry(service, e) for e in service.history.of(iri, limit=limit)]
    href = "/" + iri[len(base) :] if iri.startswith(base) else None
    return JSONResponse({"entity": iri, "href": href, "changes": changes})


@router.get(
    "/api/changes/{change_id}",
    name="change_read",
    summary="One change of the history",
    response_class=JSONResponse,
    responses={
        200: {"model": HistoryEntry, "description": "The change: who, when, how, source, what it added and removed, "
              "the change it reverts and the change that reverted it."},
        **error_responses(400, 404, media=(JSON,), e404="No change with this number."),
    },
)  # fmt: skip
def change_read(request: Request, change_id: ChangeId, service: ServiceDep) -> Response:
    """A change of the history, public."""
    entry = service.history.entry(change_id)
    if entry is None:
        language = caller_lang(request)
        return _error(
            EntityError(404, {"es": f"No hay cambio {change_id}.", "en": f"No change {change_id}."}), language
        )
    return JSONResponse(_entry(service, entry))


@router.post(
    "/api/changes/{change_id}/revert",
    name="change_revert",
    summary="Undo a change (as a new change)",
    response_class=JSONResponse,
    responses={
        200: {"model": RevertOut, "description": "The new change that undid it (`null` when nothing was left to "
              "undo)."},
        **_write_errors(
            404,
            e400="Undoing it would break the SHACL shapes (e.g. another entity now points at what it added): "
            "nothing was changed.",
            e403="The token is not valid or lacks the role `edit`, or the change touched a graph that is read-only.",
            e404="No change with this number.",
        ),
        **_conflict("The change has already been reverted."),
    },
    openapi_extra={"security": _SECURITY},
)  # fmt: skip
async def change_revert(
    request: Request, change_id: ChangeId, principal: Editor, service: ServiceDep, lang: ApiLang = None
) -> Response:
    """Remove what the change added and add back what it removed, as a new change (method `revert`) by the
    caller. Reverting a retirement brings the entity back; reverting a creation removes the entity."""
    language = caller_lang(request, lang)

    def work() -> dict[str, Any]:
        try:
            commit = service.writer.revert(change_id, principal.name)
        except WriteRejected as exc:
            if exc.status == 404:
                raise EntityError(404, {"es": f"No hay cambio {change_id}.", "en": f"No change {change_id}."}) from None
            if exc.status == 409:
                raise EntityError(
                    409,
                    {"es": f"El cambio {change_id} ya se deshizo.", "en": f"Change {change_id} was already reverted."},
                ) from None
            ctx = Context.of_service(service)
            focus = [f.focus for f in getattr(exc.report, "violations", [])]
            kinds = {iri: k for iri in focus if (k := kind_of_iri(ctx, iri)) is not None}
            raise _rejected(exc, kinds, {}) from None
        entry = service.history.entry(commit.change_id) if commit.change_id else None
        return {"reverted": change_id, "change": _entry(service, entry) if entry else None}

    try:
        return JSONResponse(await run_in_threadpool(work))
    except EntityError as exc:
        return _error(exc, language)
