"""Web forms for staff, in Spanish and English: a new best practice (``/practicas/nueva``), a new civil-society
organisation (``/organizaciones/nueva``), a new source document (``/fuentes/nueva``), and the correction of one of
these (``/editar/<tipo>/<slug>``, the «Editar» button of its page).

The fields come from the declarations of :mod:`graphapp.writes.entities` (labels in the reader's language, what is
required, the kind of each value): a text has a Spanish and an English box; a reference to other entities is a
``<select>`` (or checkboxes, for several) of the existing entities of the right class, or a text box with a
``<datalist>`` of them when there are many (it takes an IRI, ``<tipo>/<slug>``, the slug or an entity's exact name).
An optional source IRI is recorded in the history with the change. The practice form also takes a new source
(title, publisher, date, address) and a new problem (name, description), written with the practice in one change.

The pages need a signed-in editor (``Editor``: the session cookie of ``/acceso``; a browser without one is sent
there and back) and every POST carries the session's CSRF token. A valid form is written through the one write
path (method ``form``) and answers 303 to the entity's page; a refused one answers the same form again (400, or
409 for a name already taken), with what was typed and each problem next to its field, in the reader's language,
and a summary at the top that links to the fields. Nothing is written then. A correction is the change a JSON
``PATCH`` makes (only the fields that change; an emptied field loses its values). The entities of the project's
source files are read-only: their pages have no «Editar» button, and their edit address answers 403 with a page
that says so and where to correct them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...iris import is_valid_iri
from ...service import Service
from ...writes.entities import (
    LANGS,
    ORGANISATION,
    PRACTICE,
    PROBLEM,
    SOURCE,
    Context,
    EntityError,
    Kind,
    Problem,
    create_model_for,
    invalid,
    kind_of_iri,
    read_entity,
    slug_for,
    update_model_for,
    validate_body,
    values_of,
)
from ..auth import CSRF_FIELD, FORM, Editor, Principal, session_editor, write_error_responses
from ..deps import ServiceDep
from ..errors import AppError, error_responses
from ..formfields import (
    by_exact_name,
    by_field,
    checked_source,
    controls,
    more_problems,
    read_form,
    read_values,
    typed_from_entity,
    write,
)
from ..i18n import get_lang
from ..licences import graph_licences
from ..links import local_href
from ..openapi import HTML
from ..params import page_language
from ..render import template_response
from ..urls import path_for

router = APIRouter(tags=["Staff: forms"], dependencies=[Depends(page_language)])


@dataclass(frozen=True)
class Inline:
    """An entity a form may make along with its own (all in one change): the fields it asks for, under
    ``<prefix>.<field>``, and the field of the form's entity that then names it."""

    prefix: str
    kind: Kind
    link: str
    fields: tuple[str, ...]
    legend_es: str
    legend_en: str
    hint_es: str
    hint_en: str
    #: the field whose text is also the new entity's name (``rdfs:label``); else it asks for ``label`` itself
    label_from: str = ""
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: a field that, given alone, is the reference itself (a web address names a source: the one with that
    #: address, or one made for it)
    by_address: str = ""

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON body (as the API takes it) of the entity the inline fields describe."""
        body = dict(values)
        if self.label_from and self.label_from in body:
            body["label"] = body[self.label_from]
        return body

    def shown(self, name: str) -> str | None:
        """The inline field a problem of the new entity's field ``name`` belongs by (``None``: none of them)."""
        if name in {"label", "slug"} and self.label_from:
            return self.label_from
        if name == "slug":
            return "label"
        return name if name in self.fields else None


NEW_SOURCE = Inline(
    "new_source",
    SOURCE,
    "sources",
    ("title", "publisher", "issued", "url"),
    "O una fuente nueva",
    "Or a new source",
    "Si la fuente no está en la lista, escriba su título (y, si los sabe, quién la publica, su fecha y su "
    "dirección): se agrega al grafo y a las fuentes de la práctica, en el mismo cambio. Para citar una página web "
    "basta su dirección: se usa la fuente que ya tiene esa dirección, o se agrega una.",
    "If the source is not in the list, give its title (and, if you know them, its publisher, date and address): "
    "it is added to the graph and to the practice's sources, in the same change. To cite a web page its address "
    "is enough: the source that has that address is used, or one is added.",
    label_from="title",
    by_address="url",
)
NEW_PROBLEM = Inline(
    "new_problem",
    PROBLEM,
    "addresses_problem",
    ("label", "description"),
    "O un problema nuevo",
    "Or a new problem",
    "Si el problema no está en la lista, deje la lista sin elegir y escriba su nombre: se agrega al grafo como el "
    "problema de la práctica, en el mismo cambio.",
    "If the problem is not in the list, leave the list unchosen and give its name: it is added to the graph as the "
    "practice's problem, in the same change.",
    labels={"label": ("Nombre del problema", "Name of the problem")},
)


@dataclass(frozen=True)
class FormPage:
    """One form: the kind it adds and corrects, its path and its words, and the entities it may add with it."""

    kind: Kind
    path: str
    name: str  # route names: <name>_form (GET), <name>_create (POST)
    title_es: str
    title_en: str
    intro_es: str
    intro_en: str
    inline: tuple[Inline, ...] = ()


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
    (NEW_PROBLEM, NEW_SOURCE),
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
SOURCE_FORM = FormPage(
    SOURCE,
    "/fuentes/nueva",
    "source",
    "Nueva fuente documental",
    "New source document",
    "Un documento del que vienen los datos (un informe, un oficio, una página, una ley publicada): su nombre, "
    "título, quién lo escribió o publicó, su fecha y su dirección. Las prácticas lo citan como fuente.",
    "A document the data comes from (a report, an official letter, a web page, a published law): its name, title, "
    "who wrote or published it, its date and its address. Practices cite it as a source.",
)
FORM_PAGES = (PRACTICE_FORM, ORGANISATION_FORM, SOURCE_FORM)
FORMS_BY_KIND = {p.kind.name: p for p in FORM_PAGES}
EDIT_INTRO = (
    "Corrija lo que haga falta y guarde: se escribe solo lo que cambió, como corrección a su nombre en el historial. "
    "Un campo vacío pierde su valor.",
    "Correct what needs correcting and save: only what changed is written, as a correction in your name in the "
    "history. An emptied field loses its value.",
)


# ---------------------------------------------------------------- which entities have a form that corrects them


@dataclass(frozen=True)
class Target:
    """An entity a form corrects: its form, IRI, path under ``/id/`` and values."""

    page: FormPage
    iri: str
    path: str
    entity: dict[str, Any]

    @property
    def source_data(self) -> bool:
        return bool(self.entity.get("source_data"))


def _target(service: Service, path: str) -> Target | None:
    """The entity at ``/id/<path>`` if a form corrects its kind (``None`` otherwise)."""
    base = service.base_iri
    iri = base + "id/" + path
    segment = path.split("/", 1)[0]
    if not is_valid_iri(iri) or segment not in {p.kind.segment for p in FORM_PAGES}:
        return None
    ctx = Context.of_service(service)
    kind = kind_of_iri(ctx, iri)
    page = FORMS_BY_KIND.get(kind.name) if kind is not None else None
    entity = read_entity(ctx, page.kind, iri) if page is not None else None
    if page is None or entity is None:
        return None
    return Target(page, iri, path, entity)


def edit_href(request: Request, service: Service, iri: str) -> str | None:
    """The address of the form that corrects the entity ``iri``, for its page: only for a signed-in editor, an
    entity of a kind the forms correct and not from the project's source files (``None`` otherwise)."""
    id_base = service.base_iri + "id/"
    if not iri.startswith(id_base) or session_editor(request) is None:
        return None
    target = _target(service, iri[len(id_base) :])
    if target is None or target.source_data:
        return None
    return _edit_address(request, target.path)


def _edit_address(request: Request, path: str) -> str:
    return str(path_for(request, "entity_edit_form", path=quote(path, safe="/-_.~")))


# ---------------------------------------------------------------- the pages


def _field_errors(
    page: FormPage, problems: list[Problem], lang: str, slug_given: bool
) -> tuple[dict[str, list[str]], list[str]]:
    """The messages of each field of the form (those of an inline entity under ``<prefix>.<field>``), and those
    that belong to none."""
    parts = {part.prefix: part for part in page.inline}

    def scope(p: Problem) -> str:
        head = (p.field or "").split(".", 1)[0]
        return head if head in parts and "." in (p.field or "") else ""

    errors, general = by_field(page.kind, [p for p in problems if not scope(p)], lang, slug_given)
    for prefix, part in parts.items():
        mine = [replace(p, field=(p.field or "").split(".", 1)[1]) for p in problems if scope(p) == prefix]
        found, other = by_field(part.kind, mine, lang, False)
        general += [m for m in other if m not in general]
        for name, messages in found.items():
            shown = part.shown(name)
            if shown is None:
                general += [m for m in messages if m not in general]
                continue
            box = errors.setdefault(f"{prefix}.{shown}", [])
            box += [m for m in messages if m not in box]
    return errors, general


def _render(
    request: Request,
    service: Service,
    page: FormPage,
    principal: Principal,
    typed: Mapping[str, Any] | None = None,
    error: EntityError | None = None,
    status: int = 200,
    target: Target | None = None,
) -> HTMLResponse:
    lang = get_lang(request)
    typed = typed or {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if error is not None:
        errors, general = _field_errors(page, error.problems, lang, bool(str(typed.get("slug", "")).strip()))
    creating = target is None
    items = controls(service, page.kind, typed, errors, lang, creating=creating)
    inline = {}
    for part in page.inline:
        part_items = controls(
            service, part.kind, typed, errors, lang, prefix=part.prefix, only=part.fields, labels=part.labels
        )
        items += part_items
        inline[part.link] = {
            "key": part.prefix.replace("_", "-"),
            "legend": part.legend_es if lang == "es" else part.legend_en,
            "hint": part.hint_es if lang == "es" else part.hint_en,
            "controls": part_items,
        }
    summary = [{"anchor": c["anchor"], "label": c["label"], "message": m} for c in items for m in c["errors"]]
    summary += [{"anchor": None, "label": None, "message": m} for m in general]
    if target is None:
        title = page.title_es if lang == "es" else page.title_en
        intro = page.intro_es if lang == "es" else page.intro_en
        action = request.app.url_path_for(f"{page.name}_create")
    else:
        label = target.entity["label"].get(lang) or target.entity["label"].get("es") or target.iri
        title = f"{'Corregir' if lang == 'es' else 'Correct'}: {label}"
        intro = EDIT_INTRO[0 if lang == "es" else 1]
        action = _edit_address(request, target.path)
    context = {
        "page": page,
        "title": title,
        "intro": intro,
        "principal": principal,
        "controls": items,
        "inline": inline,
        "summary": summary,
        "message": error.message(lang) if error is not None else "",
        "action": action,
        "editing": target is not None,
        "entity_href": local_href(target.iri, service.base_iri) if target is not None else None,
        "licence": contributions_licence(service, lang),
    }
    return template_response(
        request, "staff_form.html", context, status_code=status, headers={"Cache-Control": "no-store"}
    )


def contributions_licence(service: Service, lang: str) -> dict[str, Any] | None:
    """The staff contributions graph's catalogue entry (label, licence), from data/catalog.ttl: shown on the forms
    so that staff know under which licence what they save is published."""
    for row in graph_licences(service, service.index, lang):
        if row["graph"] == service.contributions:
            return row
    return None


def _render_read_only(
    request: Request, service: Service, principal: Principal, target: Target, message: str = ""
) -> HTMLResponse:
    """The answer to the edit address of an entity of the project's source files: 403, a page that says why and
    where to correct it, and no form."""
    lang = get_lang(request)
    graphs = sorted(
        {
            q.graph_name.value
            for q in Context.of_service(service).quads(target.iri)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in service.writer.read_only
        }
    )
    base = service.base_iri
    label = target.entity["label"].get(lang) or target.entity["label"].get("es") or target.iri
    context = {
        "page": target.page,
        "title": f"{'Corregir' if lang == 'es' else 'Correct'}: {label}",
        "intro": "",
        "principal": principal,
        "controls": [],
        "inline": {},
        "summary": [],
        "message": "",
        "action": "",
        "editing": True,
        "entity_href": local_href(target.iri, base),
        "read_only": {
            "message": message,
            "files": [{"href": local_href(g, base), "text": service.index.label_or_iri(g, lang)} for g in graphs],
            "history": str(path_for(request, "history_page", path=quote(target.path, safe="/-_.~"))),
        },
    }
    return template_response(
        request, "staff_form.html", context, status_code=403, headers={"Cache-Control": "no-store"}
    )


_LOCATION = {"Location": {"required": True, "schema": {"type": "string"}}}
_SIGN_IN: dict[int | str, dict[str, Any]] = {
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


def _form_body(page: FormPage, creating: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {CSRF_FIELD: {"type": "string", "description": "The session's CSRF token."}}
    for part in ((page.kind, "", None), *((p.kind, p.prefix, p.fields) for p in page.inline)):
        kind, prefix, only = part
        for f in kind.fields:
            if only is not None and f.name not in only:
                continue
            name = f"{prefix}.{f.name}" if prefix else f.name
            what = f"{f.label_en}" + (f" (of the new {kind.label_en.lower()})" if prefix else "")
            if f.kind == "text":
                for lang in LANGS:
                    properties[f"{name}.{lang}"] = {"type": "string", "description": f"{what} ({lang})"}
            elif f.many and f.kind != "link":
                properties[name] = {"type": "array", "items": {"type": "string"}, "description": what}
            else:
                properties[name] = {"type": "string", "description": what}
    if creating:
        properties["slug"] = {"type": "string", "description": "The last part of the new IRI (optional)."}
    properties["source"] = {"type": "string", "description": "IRI of the document the data comes from (optional)."}
    return {
        "required": True,
        "content": {FORM: {"schema": {"type": "object", "properties": properties}}},
    }


# ---------------------------------------------------------------- a form's body → one change


def _linked(page: FormPage, given: dict[str, Any], part: Inline, iri: str) -> list[Problem]:
    """Make the form's entity name the new entity ``iri`` (the field ``part.link``); a problem when that field,
    which takes one entity only, already names another."""
    link = page.kind.field(part.link)
    if link is not None and link.many:
        given[part.link] = [*given.get(part.link, []), iri]
        return []
    if part.link in given:
        return [
            Problem(
                part.link,
                {
                    "es": "Elija uno de la lista o escriba uno nuevo abajo, no los dos.",
                    "en": "Pick one from the list or write a new one below, not both.",
                },
                code="both",
            )
        ]
    given[part.link] = iri
    return []


def _submit(
    service: Service,
    page: FormPage,
    form: Mapping[str, list[str]],
    principal: Principal,
    target: Target | None,
) -> tuple[dict[str, Any], Any]:
    """What was typed, and a function that checks it all and writes it as one change (its entity's IRI), or
    raises :class:`EntityError` with every problem (those of an inline entity under ``<prefix>.<field>``)."""
    kind = page.kind
    typed, values = read_values(kind, form)
    if target is not None:
        values.pop("slug", None)
    source, source_problems = checked_source(typed["source"])
    parts: list[tuple[Inline, dict[str, Any]]] = []
    for part in page.inline:
        part_typed, part_values = read_values(part.kind, form, part.prefix, part.fields)
        typed.update(part_typed)
        if part_values:
            parts.append((part, part_values))

    def work() -> str:
        ctx = Context.of_service(service)
        problems: list[Problem] = []
        creates: list[tuple[Kind, dict[str, Any]]] = []
        prefixes: dict[str, str] = {}  # IRI of an inline entity → its prefix
        pending: dict[str, Kind] = {}
        given = by_exact_name(service, kind, values)
        excused: set[str] = set()  # fields an inline entity would fill, were it valid
        for part, part_values in parts:
            own: list[Problem] = []
            address = part_values.get(part.by_address) if part.by_address else None
            if isinstance(address, str) and set(part_values) == {part.by_address}:
                # a web address alone: the source that has it, or one made for it (see values.source_for_url)
                if address.startswith(("http://", "https://")) and is_valid_iri(address):
                    problems += _linked(page, given, part, address)
                else:
                    problems.append(
                        Problem(
                            f"{part.prefix}.{part.by_address}",
                            {
                                "es": f"No es una dirección http(s): «{address}».",
                                "en": f"Not an http(s) address: '{address}'.",
                            },
                            code="link",
                        )
                    )
                    excused.add(part.link)
                continue
            raw = by_exact_name(service, part.kind, part.body(part_values))
            body: dict[str, Any] | None = None
            try:
                body = values_of(validate_body(create_model_for(part.kind), raw, part.kind))
            except EntityError as exc:
                own += exc.problems
            checked = body if body is not None else raw
            bad = {p.field for p in own if p.field}
            iri = None
            if not bad & {"label", "slug"}:
                try:
                    iri = ctx.iri(part.kind, slug_for(part.kind, checked))
                except EntityError as exc:
                    own += exc.problems
            own += more_problems(service, part.kind, checked, bad, pending)
            problems += [replace(p, field=f"{part.prefix}.{p.field or 'label'}") for p in own]
            if iri is None:
                excused.add(part.link)
                continue
            problems += _linked(page, given, part, iri)
            pending[iri] = part.kind
            prefixes[iri] = part.prefix
            if body is not None:
                creates.append((part.kind, body))
        body = None
        own = []
        if target is None:
            try:
                body = values_of(validate_body(create_model_for(kind), given, kind))
            except EntityError as exc:
                own += exc.problems
        else:
            full = {f.name: given.get(f.name) for f in kind.fields}
            try:
                body = values_of(validate_body(update_model_for(kind), full, kind))
            except EntityError as exc:
                own += exc.problems
            own += [
                Problem(f.name, {"es": "", "en": ""}, code="missing")
                for f in kind.fields
                if f.required and f.name not in given
            ]
        own = [p for p in own if not (p.code == "missing" and p.field in excused)]
        checked = body if body is not None else given
        bad = {p.field for p in own if p.field}
        if target is None and not bad & {"label", "slug"}:
            try:
                slug_for(kind, checked, checked.get("slug"))  # the Spanish name makes the IRI
            except EntityError as exc:
                own += exc.problems
        problems += own + source_problems
        if problems or body is None:
            raise invalid(problems + more_problems(service, kind, checked, bad, pending))
        try:
            if target is None:
                iris = write(service, [*creates, (kind, body)], principal.name, source)
            else:
                iris = write(service, creates, principal.name, source, update=(kind, target.iri, body))
        except EntityError as exc:
            exc.problems = [
                replace(p, field=f"{prefixes[p.focus]}.{p.field or 'label'}") if p.focus in prefixes else p
                for p in exc.problems
            ]
            raise
        return iris[-1]

    return typed, work


async def _answer(
    request: Request,
    principal: Principal,
    service: Service,
    page: FormPage,
    target: Target | None = None,
) -> Response:
    form = await read_form(request)
    typed, work = _submit(service, page, form, principal, target)
    try:
        iri = await run_in_threadpool(work)
    except EntityError as exc:
        if target is not None and exc.status == 403:
            return _render_read_only(request, service, principal, target, exc.message(get_lang(request)))
        if exc.status == 404:
            raise AppError(404, exc.message("en")) from None
        if exc.status not in {400, 409}:
            exc.problems.insert(0, Problem(None, exc.messages))
        status = exc.status if exc.status in {400, 409} else 400
        return _render(request, service, page, principal, typed, exc, status, target)
    return RedirectResponse(local_href(iri, service.base_iri) or "/", status_code=303)


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
    def form_page(request: Request, principal: Editor, service: ServiceDep) -> Response:
        return _render(request, service, page, principal)

    @router.post(
        page.path,
        name=f"{page.name}_create",
        status_code=303,
        summary=f"Add a {kind.label_en.lower()} from the form (staff)",
        description=f"Adds the {kind.label_en.lower()} the form describes through the one write path (method "
        "`form`, the session's staff member as actor, the optional `source` in the history). Nothing is saved when "
        "a value is not valid or the result breaks the SHACL shapes: the form comes back with each problem by its "
        "field."
        + (
            " A new problem (`new_problem.*`) or a new source (`new_source.*`) given in the form is added with the "
            "practice, in the same change."
            if page.inline
            else ""
        ),
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
        openapi_extra={"requestBody": _form_body(page), "security": [{"updateToken": []}]},
    )
    async def form_create(request: Request, principal: Editor, service: ServiceDep) -> Response:
        return await _answer(request, principal, service, page)

    @router.options(page.path, include_in_schema=False)
    def form_options() -> Response:
        """Both methods of the form's address (two routes: Starlette's own 405 would name only the first)."""
        return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


for _page in FORM_PAGES:
    _register(_page)


# ---------------------------------------------------------------- correcting an entity

EntityPath = Annotated[
    str,
    PathParam(
        description="The entity's path under `/id/` (`<segment>/<slug>`): a best practice, a civil-society "
        "organisation or a source document.",
        examples=["practica/mapa-abierto-de-bachilleratos-de-toluca"],
    ),
]
_E404_EDIT = "No entity at this address, or none of a kind the forms correct (practice, organisation, source)."
_E403_EDIT = (
    _E403 + " Or the entity comes from the project's source files, which the service does not change: a page that "
    "says so (where to correct it), and no form."
)


def _edit_body() -> dict[str, Any]:
    """The body of a correction: the fields of the entity's form (one schema per form), without ``slug``."""
    schemas = [_form_body(p, creating=False)["content"][FORM]["schema"] for p in FORM_PAGES]
    return {"required": True, "content": {FORM: {"schema": {"anyOf": schemas}}}}


def _edit_target(service: Service, path: str) -> Target:
    target = _target(service, path)
    if target is None:
        raise AppError(404, f"No entity at /id/{path} that a form corrects (practice, organisation, source).")
    return target


@router.get(
    "/editar/{path:path}",
    name="entity_edit_form",
    summary="Form: correct an entity (staff)",
    description="The form of the entity's kind, filled in with its current values (both languages, references "
    "selected). Staff only: sign in at `/acceso`. The project's source data cannot be corrected here: 403, with a "
    "page that says where to correct it.",
    response_class=HTMLResponse,
    responses={
        200: {"description": "The form, filled in, with the session's CSRF token.", "content": HTML},
        **_SIGN_IN,
        **error_responses(400, 401, 403, 404, e401=_E401, e403=_E403_EDIT, e404=_E404_EDIT),
    },
    openapi_extra={"security": [{"updateToken": []}]},
)
def edit_form(request: Request, principal: Editor, service: ServiceDep, path: EntityPath) -> Response:
    target = _edit_target(service, path)
    if target.source_data:
        return _render_read_only(request, service, principal, target)
    typed = typed_from_entity(service, target.page.kind, target.entity)
    return _render(request, service, target.page, principal, typed, target=target)


@router.post(
    "/editar/{path:path}",
    name="entity_edit",
    status_code=303,
    summary="Correct an entity from the form (staff)",
    description="Writes the correction the form describes through the one write path: the change a JSON `PATCH` "
    "makes (only the fields whose values change; an emptied field loses its values), method `form`, the session's "
    "staff member as actor, the optional `source` in the history. On the practice form a new problem or source is "
    "added with the correction, in the same change. Nothing is saved when a value is not valid or the result "
    "breaks the SHACL shapes: the form comes back with each problem by its field.",
    response_class=HTMLResponse,
    responses={
        303: {"description": "Saved: the browser goes to the entity's page.", "headers": _LOCATION},
        400: {
            "description": "Nothing was saved: the form again, with what was typed and each problem next to its "
            "field (or, for a body that is not a form, the error).",
            "content": {**HTML, **error_responses(400)[400]["content"]},
        },
        409: {"description": "Nothing was saved: a new entity's IRI is taken; the form again.", "content": HTML},
        **write_error_responses(404, 413, e401=_E401, e403=_E403_EDIT, e404=_E404_EDIT),
    },
    openapi_extra={"requestBody": _edit_body(), "security": [{"updateToken": []}]},
)
async def edit_save(request: Request, principal: Editor, service: ServiceDep, path: EntityPath) -> Response:
    target = await run_in_threadpool(_edit_target, service, path)
    if target.source_data:
        return _render_read_only(request, service, principal, target)
    return await _answer(request, principal, service, target.page, target)


@router.options("/editar/{path:path}", include_in_schema=False)
def edit_options() -> Response:
    """Both methods of the edit address (two routes: Starlette's own 405 would name only the first)."""
    return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})
