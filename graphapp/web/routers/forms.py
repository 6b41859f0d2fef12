"""Web forms for staff, in Spanish and English: a new best practice (``/practicas/nueva``) and a new civil-society
organisation (``/organizaciones/nueva``).

The fields come from the declarations of :mod:`graphapp.writes.entities` (labels in the reader's language, what is
required, the kind of each value): a text has a Spanish and an English box; a reference to other entities is a
``<select>`` (or checkboxes, for several) of the existing entities of the right class, or a text box with a
``<datalist>`` of them when there are many (it takes an IRI, ``<tipo>/<slug>``, the slug or an entity's exact name).
An optional source IRI is recorded in the history with the change.

The pages need a signed-in editor (``Editor``: the session cookie of ``/acceso``; a browser without one is sent
there and back) and every POST carries the session's CSRF token. A valid form is written through the one write
path (method ``form``) and answers 303 to the new entity's page; a refused one answers the same form again (400,
or 409 for a name already taken), with what was typed and each problem next to its field, in the reader's
language, and a summary at the top that links to the fields. Nothing is written then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...service import Service
from ...writes.entities import (
    LANGS,
    ORGANISATION,
    PRACTICE,
    EntityError,
    Kind,
    Problem,
    create_model_for,
    invalid,
    slug_for,
    validate_body,
    values_of,
)
from ..auth import CSRF_FIELD, FORM, Editor, Principal, write_error_responses
from ..deps import ServiceDep, TemplatesDep
from ..errors import error_responses
from ..formfields import (
    by_exact_name,
    by_field,
    checked_source,
    controls,
    create,
    more_problems,
    read_form,
    read_values,
)
from ..i18n import get_lang
from ..links import local_href
from ..openapi import HTML
from ..params import page_language

router = APIRouter(tags=["Staff: forms"], dependencies=[Depends(page_language)])


@dataclass(frozen=True)
class FormPage:
    """One form: the kind it adds, its path and its words."""

    kind: Kind
    path: str
    name: str  # route names: <name>_form (GET), <name>_create (POST)
    title_es: str
    title_en: str
    intro_es: str
    intro_en: str


PRACTICE_FORM = FormPage(
    PRACTICE,
    "/practicas/nueva",
    "practice",
    "Nueva buena práctica",
    "New best practice",
    "Una práctica de gobierno abierto que otros pueden replicar: dónde, qué problema atendió, cómo lo resolvió, "
    "si sigue vigente y de qué fuentes se sabe. Al guardarla se ve al instante en su página, en /sparql y en el "
    "buscador de prácticas.",
    "An open-government practice others can replicate: where, which problem it addressed, how it solved it, "
    "whether it is still running and which sources tell of it. Once saved it shows at once on its page, in "
    "/sparql and in the practice finder.",
)
ORGANISATION_FORM = FormPage(
    ORGANISATION,
    "/organizaciones/nueva",
    "organisation",
    "Nueva organización de la sociedad civil",
    "New civil-society organisation",
    "Una organización de la sociedad civil (no una institución pública): su nombre, siglas, ámbito territorial y "
    "enlaces.",
    "A civil-society organisation (not a public institution): its name, acronym, jurisdiction and links.",
)
FORM_PAGES = (PRACTICE_FORM, ORGANISATION_FORM)


# ---------------------------------------------------------------- reading a form body


# ---------------------------------------------------------------- the pages


def _render(
    request: Request,
    templates: Any,
    service: Service,
    page: FormPage,
    principal: Principal,
    typed: Mapping[str, Any] | None = None,
    error: EntityError | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = get_lang(request)
    typed = typed or {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if error is not None:
        # a taken IRI: the field says what the answer says (which IRI, and what to do)
        problems = [Problem(p.field, error.messages, code=p.code) if p.code == "exists" else p for p in error.problems]
        errors, general = by_field(page.kind, problems, lang, bool(str(typed.get("slug", "")).strip()))
    items = controls(service, page.kind, typed, errors, lang)
    summary = [{"anchor": c["anchor"], "label": c["label"], "message": m} for c in items for m in c["errors"]]
    summary += [{"anchor": None, "label": None, "message": m} for m in general]
    context = {
        "page": page,
        "title": page.title_es if lang == "es" else page.title_en,
        "intro": page.intro_es if lang == "es" else page.intro_en,
        "principal": principal,
        "controls": items,
        "summary": summary,
        "message": error.message(lang) if error is not None else "",
        "action": request.app.url_path_for(f"{page.name}_create"),
    }
    return templates.TemplateResponse(
        request, "staff_form.html", context, status_code=status, headers={"Cache-Control": "no-store"}
    )


_LOCATION = {"Location": {"required": True, "schema": {"type": "string"}}}
_SIGN_IN = {
    303: {
        "description": "A browser without a session is sent to the sign-in page (`/acceso?next=…`).",
        "headers": _LOCATION,
    }
}
_E401 = "No credentials: sign in at /acceso (a browser asking for the page is sent there instead)."
_E403 = (
    "The session or token is not valid or lacks the role `edit`, or the form lacks the session's CSRF token "
    "(`csrf_token`)."
)


def _form_body(kind: Kind) -> dict[str, Any]:
    properties: dict[str, Any] = {CSRF_FIELD: {"type": "string", "description": "The session's CSRF token."}}
    for f in kind.fields:
        if f.kind == "text":
            for lang in LANGS:
                properties[f"{f.name}.{lang}"] = {"type": "string", "description": f"{f.label_en} ({lang})"}
        elif f.many and f.kind != "link":
            properties[f.name] = {"type": "array", "items": {"type": "string"}, "description": f.label_en}
        else:
            properties[f.name] = {"type": "string", "description": f.label_en}
    properties["slug"] = {"type": "string", "description": "The last part of the new IRI (optional)."}
    properties["source"] = {"type": "string", "description": "IRI of the document the data comes from (optional)."}
    return {
        "required": True,
        "content": {FORM: {"schema": {"type": "object", "properties": properties}}},
    }


def _register(page: FormPage) -> None:
    kind = page.kind

    @router.get(
        page.path,
        name=f"{page.name}_form",
        summary=f"Form: a new {kind.label_en.lower()} (staff)",
        description=f"The form that adds a {kind.label_en.lower()} ({kind.label_es.lower()}): its fields come "
        "from the declarations (`GET /api/entities`), in the reader's language. Staff only: sign in at `/acceso`.",
        response_class=HTMLResponse,
        responses={
            200: {"description": "The form, with the session's CSRF token.", "content": HTML},
            **_SIGN_IN,
            **error_responses(400, 401, 403, e401=_E401, e403=_E403),
        },
        openapi_extra={"security": [{"updateToken": []}]},
    )
    def form_page(request: Request, principal: Editor, service: ServiceDep, templates: TemplatesDep) -> Response:
        return _render(request, templates, service, page, principal)

    @router.post(
        page.path,
        name=f"{page.name}_create",
        status_code=303,
        summary=f"Add a {kind.label_en.lower()} from the form (staff)",
        description=f"Adds the {kind.label_en.lower()} the form describes through the one write path (method "
        "`form`, the session's staff member as actor, the optional `source` in the history). Nothing is saved when "
        "a value is not valid or the result breaks the SHACL shapes: the form comes back with each problem by its "
        "field.",
        response_class=HTMLResponse,
        responses={
            303: {"description": "Saved: the browser goes to the new entity's page.", "headers": _LOCATION},
            400: {
                "description": "Nothing was saved: the form again, with what was typed and each problem next to "
                "its field (or, for a body that is not a form, the error).",
                "content": {**HTML, **error_responses(400)[400]["content"]},
            },
            409: {
                "description": "Nothing was saved: the IRI made from the name (or the identifier given) is taken; "
                "the form again.",
                "content": HTML,
            },
            **write_error_responses(413, e401=_E401, e403=_E403),
        },
        openapi_extra={"requestBody": _form_body(kind), "security": [{"updateToken": []}]},
    )
    async def form_create(
        request: Request, principal: Editor, service: ServiceDep, templates: TemplatesDep
    ) -> Response:
        form = await read_form(request)
        typed, values = read_values(kind, form)
        source, source_problems = checked_source(typed["source"])

        def work() -> str:
            given = by_exact_name(service, kind, values)
            problems: list[Problem] = []
            body: dict[str, Any] | None = None
            try:
                body = values_of(validate_body(create_model_for(kind), given, kind))
            except EntityError as exc:
                problems += exc.problems
            checked = body if body is not None else given
            bad = {p.field for p in problems if p.field}
            if not bad & {"label", "slug"}:
                try:
                    slug_for(kind, checked, checked.get("slug"))  # the Spanish name makes the IRI
                except EntityError as exc:
                    problems += exc.problems
            problems += source_problems
            if problems or body is None:
                raise invalid(problems + more_problems(service, kind, checked, bad))
            return create(service, kind, body, principal.name, source)

        try:
            iri = await run_in_threadpool(work)
        except EntityError as exc:
            if exc.status not in {400, 409}:
                exc.problems.insert(0, Problem(None, exc.messages))
            status = exc.status if exc.status in {400, 409} else 400
            return _render(request, templates, service, page, principal, typed, exc, status)
        return RedirectResponse(local_href(iri, service.store.base_iri) or "/", status_code=303)

    @router.options(page.path, include_in_schema=False)
    def form_options() -> Response:
        """Both methods of the form's address (two routes: Starlette's own 405 would name only the first)."""
        return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


for _page in FORM_PAGES:
    _register(_page)
