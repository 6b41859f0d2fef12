"""The staff JSON API for entities: the declared kinds, and add (JSON, Turtle or JSON-LD), read, correct and
retire an entity. Writes need a staff principal with the ``edit`` role; reads are public."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ....writes import Change
from ....writes.entities import (
    KINDS,
    RDF_MEDIA,
    Context,
    EntityError,
    RetireBody,
    build_create,
    build_retire,
    build_update,
    create_model_for,
    read_entity,
    update_model_for,
    validate_body,
    values_from_rdf,
    values_of,
)
from ...auth import Editor
from ...deps import ServiceDep
from ...errors import error_responses
from ...params import ApiLang
from .answers import E400, E403_WRITE, JSON, SECURITY, TAG, EntityOut, conflict, write_errors
from .bodies import create_body, retire_body, update_body
from .shared import (
    caller_lang,
    commit_entity,
    entity_iri,
    error_response,
    json_body,
    kind_named,
    parse_json,
    source_iri,
)

router = APIRouter(tags=[TAG])

KindName = Literal["practice", "organisation", "institution", "commitment", "key-action", "activity", "problem",
                   "local-exercise", "source"]  # fmt: skip
assert set(get_args(KindName)) == set(KINDS)  # noqa: S101 - declared once, in KINDS

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
        **write_errors(
            e400=E400 + " A Turtle or JSON-LD body with another subject, a subject outside `…/id/<segment>/`, "
            "blank nodes or a property no field has is a 400 too.",
            e403=E403_WRITE,
        ),
        **conflict("The IRI made from the Spanish label (or the `slug` given) is already taken."),
    },
    openapi_extra={"requestBody": create_body(), "security": SECURITY},
)
async def entity_create(
    request: Request,
    kind: KindParam,
    principal: Editor,
    service: ServiceDep,
    source: SourceParam = None,
    lang: ApiLang = None,
) -> Response:
    """Add a best practice, an organisation, an institution, a commitment, a key action, an activity, a problem,
    a local exercise or a source document. Its IRI is `…/id/<segment>/<slug>`, the slug made from the Spanish label
    unless `slug` is given. References to other entities are IRIs, `<segment>/<slug>` or bare slugs (`activa`,
    `durango`, `municipio/15106`), and must exist; where a source is expected (`sources`), a web address names the
    source with that `url`, or makes one in the same change. The statements go to the staff contributions graph;
    the change is recorded in the history with the actor and `source`. A refused write changes nothing."""
    language = caller_lang(request, lang)
    k = kind_named(kind)
    media = request.headers.get("content-type", JSON).split(";")[0].strip().lower() or JSON
    body = await request.body()

    def work() -> tuple[str, dict[str, Any]]:
        ctx = Context.of_service(service)
        if media in RDF_MEDIA:
            data = values_from_rdf(ctx, k, body, media)
        elif media == JSON:
            data = parse_json(body)
        else:
            raise EntityError(
                400,
                {
                    "es": f"Envíe {JSON}, text/turtle o application/ld+json, no {media}.",
                    "en": f"Send {JSON}, text/turtle or application/ld+json, not {media}.",
                },
            )
        values = values_of(validate_body(create_model_for(k), data, k))
        origin = source_iri(source)
        made: dict[str, str] = {}

        def build() -> Change:
            iri, change = build_create(ctx, k, values, actor=principal.name, source=origin)
            made["iri"] = iri
            return change

        build()  # refuse a taken IRI or a bad reference before anything else
        iri = made["iri"]
        return iri, commit_entity(service, k, iri, build, values, language)

    try:
        iri, entity = await run_in_threadpool(work)
    except EntityError as exc:
        return error_response(exc, language)
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
    k = kind_named(kind)
    try:
        ctx = Context.of_service(service)
        entity = read_entity(ctx, k, entity_iri(ctx, k, slug))
        if entity is None:
            raise EntityError(
                404,
                {
                    "es": f"No hay {k.label_es.lower()} «{slug}».",
                    "en": f"There is no {k.label_en.lower()} '{slug}'.",
                },
            )
    except EntityError as exc:
        return error_response(exc, language)
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
        **write_errors(404, e400=E400, e403=E403_WRITE, e404="No entity of this kind at this address."),
    },
    openapi_extra={"requestBody": update_body(), "security": SECURITY},
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
    k = kind_named(kind)
    try:
        data = await json_body(request)

        def work() -> dict[str, Any]:
            ctx = Context.of_service(service)
            iri = entity_iri(ctx, k, slug)
            values = values_of(validate_body(update_model_for(k), data, k), only_given=True)
            origin = source_iri(source)

            def build() -> Change:
                return build_update(ctx, k, iri, values, actor=principal.name, source=origin)

            build()
            return commit_entity(service, k, iri, build, values, language)

        return JSONResponse(await run_in_threadpool(work))
    except EntityError as exc:
        return error_response(exc, language)


@router.post(
    "/api/entities/{kind}/{slug}/retirar",
    name="entity_retire",
    summary="Retire an entity (it stays, with its history)",
    response_class=JSONResponse,
    responses={
        200: {"model": EntityOut, "description": "The entity, now with `retired`, and `change`."},
        **write_errors(404, e400=E400, e403=E403_WRITE, e404="No entity of this kind at this address."),
        **conflict("The entity is already retired."),
    },
    openapi_extra={"requestBody": retire_body(), "security": SECURITY},
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
    k = kind_named(kind)
    try:
        data = await json_body(request)

        def work() -> dict[str, Any]:
            ctx = Context.of_service(service)
            iri = entity_iri(ctx, k, slug)
            body = validate_body(RetireBody, data)
            assert isinstance(body, RetireBody)  # noqa: S101
            reason = body.reason.model_dump() if isinstance(body.reason, BaseModel) else body.reason
            origin = source_iri(source)

            def build() -> Change:
                return build_retire(ctx, k, iri, body.date or date.today(), reason, actor=principal.name, source=origin)

            build()
            return commit_entity(service, k, iri, build, {}, language)

        return JSONResponse(await run_in_threadpool(work))
    except EntityError as exc:
        return error_response(exc, language)
