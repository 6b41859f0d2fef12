"""The staff JSON API for the history: the changes of an entity, one change, and revert (public reads; a revert
needs a staff principal with the ``edit`` role)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ....iris import is_valid_iri
from ....writes import WriteRejected
from ....writes.entities import KINDS, Context, EntityError, kind_of_iri, rejection
from ...auth import Editor
from ...deps import ServiceDep
from ...errors import error_responses
from ...params import ApiLang
from .answers import JSON, SECURITY, TAG, HistoryEntry, HistoryOut, RevertOut, conflict, write_errors
from .shared import caller_lang, error_response, history_entry

router = APIRouter(tags=[TAG])

MAX_HISTORY = 1000
ChangeId = Annotated[int, PathParam(ge=1, le=2**62, description="The number of a change in the history.")]


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
        **conflict("A bare slug that names entities of several kinds: use `<segment>/<slug>` or the full IRI."),
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
        return error_response(exc, language)
    base = service.base_iri
    changes = [history_entry(service, e) for e in service.history.of(iri, limit=limit)]
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
        return error_response(
            EntityError(404, {"es": f"No hay cambio {change_id}.", "en": f"No change {change_id}."}), language
        )
    return JSONResponse(history_entry(service, entry))


@router.post(
    "/api/changes/{change_id}/revert",
    name="change_revert",
    summary="Undo a change (as a new change)",
    response_class=JSONResponse,
    responses={
        200: {"model": RevertOut, "description": "The new change that undid it (`null` when nothing was left to "
              "undo)."},
        **write_errors(
            404,
            e400="Undoing it would break the SHACL shapes (e.g. another entity now points at what it added): "
            "nothing was changed.",
            e403="The token is not valid or lacks the role `edit`, or the change touched a graph that is read-only.",
            e404="No change with this number.",
        ),
        **conflict("The change has already been reverted."),
    },
    openapi_extra={"security": SECURITY},
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
            raise rejection(exc, kinds, {}) from None
        entry = service.history.entry(commit.change_id) if commit.change_id else None
        return {"reverted": change_id, "change": history_entry(service, entry) if entry else None}

    try:
        return JSONResponse(await run_in_threadpool(work))
    except EntityError as exc:
        return error_response(exc, language)
