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

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...index import fold
from ...iris import is_valid_iri
from ...service import Service
from ...writes import Change
from ...writes.entities import (
    LANGS,
    ORGANISATION,
    PRACTICE,
    Context,
    EntityError,
    Field,
    Kind,
    Problem,
    build_create,
    commit_built,
    create_model_for,
    field_objects,
    invalid,
    slug_for,
    validate_body,
    values_of,
)
from ..auth import CSRF_FIELD, FORM, Editor, Principal, write_error_responses
from ..deps import ServiceDep, TemplatesDep
from ..errors import AppError, error_responses
from ..i18n import get_lang
from ..links import local_href
from ..openapi import HTML
from ..params import page_language

router = APIRouter(tags=["Staff: forms"], dependencies=[Depends(page_language)])

#: a reference to one entity is a <select> up to this many candidates, else a text box with a <datalist>
SELECT_MAX = 100
#: a reference to several entities is a set of checkboxes up to this many candidates, else text boxes
CHECKBOX_MAX = 60
#: text boxes offered for a reference to several entities among many candidates (one more than typed)
MANY_BOXES = 3
MAX_FIELDS = 2000
LANGUAGE_NAMES = {"es": ("Español", "Spanish"), "en": ("Inglés", "English")}
RECORD_FIELDS = ("slug", "source")


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


async def read_form(request: Request) -> dict[str, list[str]]:
    """The fields of an ``application/x-www-form-urlencoded`` body (an empty body is an empty form); 400 for
    another media type or a body that is not UTF-8."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media != FORM:
        if not body:
            return {}
        raise AppError(400, f"Send the form as {FORM}.")
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise AppError(400, "The form body is not valid UTF-8.") from None
    except ValueError:
        raise AppError(400, f"The form has more than {MAX_FIELDS} fields.") from None


def _first(form: Mapping[str, list[str]], key: str) -> str:
    values = form.get(key, [])
    return values[0] if values else ""


def _lines(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


# ---------------------------------------------------------------- the controls of a kind's fields


def widget(f: Field, options: int) -> str:
    """How a field is asked for, given how many existing entities it may refer to.

    >>> widget(PRACTICE.field("solution"), 0), widget(PRACTICE.field("status"), 5)
    ('text', 'select')
    >>> widget(PRACTICE.field("place"), 315), widget(PRACTICE.field("contributes_to"), 186)
    ('datalist', 'datalist-many')
    """
    if f.kind == "text":
        return "text-lines" if f.many else "text"
    if f.kind in {"iri", "class"}:
        if f.many:
            return "checkboxes" if 0 < options <= CHECKBOX_MAX else "datalist-many"
        return "select" if 0 < options <= SELECT_MAX else "datalist"
    if f.kind == "boolean":
        return "select"
    return "lines" if f.many else "input"


def _natural(code: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def _candidates(service: Service, f: Field) -> list[str]:
    """The IRIs of the entities a reference field may name: under one of its segments (or its namespace) and,
    when it names classes, of one of them (or a subclass)."""
    ctx = Context.of_service(service)
    prefixes = tuple(f"{ctx.id_base}{s}/" for s in f.segments) + ((f.namespace,) if f.namespace else ())
    if not prefixes:
        return []
    out = []
    for iri, types in list(service.index.types.items()):
        if iri.startswith(prefixes) and (not f.range or any(ctx.is_a(types, c) for c in f.range)):
            out.append(iri)
    return sorted(out)


def ref_value(service: Service, f: Field, iri: str) -> str:
    """What a form sends for an entity: ``<segment>/<slug>`` for the graph's own, the code in a namespace
    (``4.1`` for an SDG target), else the IRI."""
    id_base = service.store.base_iri + "id/"
    if iri.startswith(id_base):
        return iri[len(id_base) :]
    if f.namespace and iri.startswith(f.namespace):
        return iri[len(f.namespace) :]
    return iri


def options(service: Service, f: Field, lang: str) -> list[dict[str, str]]:
    """The choices of a reference field, by label (by code in a namespace)."""
    index = service.index
    if f.kind == "class":
        return [{"value": c.rsplit("#", 1)[-1], "label": index.label_or_iri(c, lang)} for c in f.choices]
    if f.kind == "boolean":
        return [{"value": "true", "label": "sí" if lang == "es" else "yes"}, {"value": "false", "label": "no"}]
    if f.kind != "iri":
        return []
    key = f"form-options\x00{f.predicate}\x00{'|'.join(f.range)}\x00{'|'.join(f.segments)}\x00{f.namespace}"
    iris: list[str] = service.cached(key, lambda: _candidates(service, f))
    out = []
    for iri in iris:
        value = ref_value(service, f, iri)
        label = index.label_or_iri(iri, lang)
        coded = bool(f.namespace and iri.startswith(f.namespace))
        if coded and label != value:
            label = f"{value} · {label}"
        if len(label) > 140:
            label = label[:139].rstrip() + "…"
        out.append({"value": value, "label": label, "sort": value if coded else fold(label)})
    out.sort(key=lambda o: _natural(o["sort"]) if f.namespace else [o["sort"]])
    return [{"value": o["value"], "label": o["label"]} for o in out]


def _hint(f: Field, kind_of_widget: str, lang: str) -> str:
    def t(es: str, en: str) -> str:
        return es if lang == "es" else en

    if f.name == "label":
        return t(
            "El IRI de la entidad nueva se forma con el nombre en español.",
            "The new entity's IRI is made from the Spanish name.",
        )
    if kind_of_widget in {"datalist", "datalist-many"}:
        return t(
            "Escriba para ver sugerencias; acepta un IRI, <tipo>/<slug>, el slug o el nombre exacto.",
            "Type to see suggestions; it takes an IRI, <type>/<slug>, the slug or the exact name.",
        )
    if kind_of_widget in {"lines", "text-lines"}:
        return t("Uno por línea.", "One per line.")
    if f.kind == "year":
        return t("Cuatro cifras, p. ej. 2024.", "Four digits, e.g. 2024.")
    if f.kind == "date":
        return t("AAAA-MM-DD", "YYYY-MM-DD")
    if f.kind == "link" and f.namespace:
        return t("Dirección http(s), o solo el identificador (Q…).", "An http(s) address, or just the id (Q…).")
    return ""


def _input_attrs(f: Field) -> dict[str, str]:
    if f.kind == "date":
        return {"type": "date"}
    if f.kind in {"year", "integer"}:
        return {"type": "text", "inputmode": "numeric"}
    if f.kind == "decimal":
        return {"type": "text", "inputmode": "decimal"}
    if f.kind == "link":
        return {"type": "text", "inputmode": "url", "spellcheck": "false"}
    return {"type": "text"}


def controls(
    service: Service,
    kind: Kind,
    typed: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    lang: str,
) -> list[dict[str, Any]]:
    """What the template draws for each field of ``kind`` and the two fields of the change record (slug, source):
    its widget, labels, hint, choices, the values typed and the messages of its problems."""
    out = []
    for f in kind.fields:
        choices = options(service, f, lang)
        w = widget(f, len(choices))
        value: Any = typed.get(f.name)
        if w in {"text", "text-lines"}:
            value = {lang_: (value or {}).get(lang_, "") for lang_ in LANGS}
        elif w in {"checkboxes", "datalist-many"}:
            value = list(value or [])
        else:
            value = value or ""
        boxes = max(MANY_BOXES, len(value) + 1) if w == "datalist-many" else 0
        out.append(
            _control(f.name, f.label_es if lang == "es" else f.label_en, w, value, errors, lang)
            | {
                "required": f.required,
                "long": f.name != "label",
                "options": choices,
                "known": {o["value"] for o in choices},
                "boxes": boxes,
                "hint": _hint(f, w, lang),
                "attrs": _input_attrs(f),
                "group": "entity",
            }
        )
        if w == "checkboxes":
            out[-1]["anchor"] = f"f-{f.name}-1" if choices else out[-1]["anchor"]
    record = [
        (
            "slug",
            ("Identificador (opcional)", "Identifier (optional)"),
            (
                "La última parte del IRI: minúsculas sin acentos, cifras y guiones. Si no, se forma con el nombre.",
                "The last part of the IRI: lower-case letters, digits and hyphens. Otherwise made from the name.",
            ),
        ),
        (
            "source",
            ("Fuente de estos datos (IRI, opcional)", "Source of this data (IRI, optional)"),
            (
                "La dirección del documento de donde vienen los datos (un oficio, una página); queda en el "
                "historial del cambio.",
                "The address of the document the data comes from (a letter, a web page); it is kept in the "
                "change's history.",
            ),
        ),
    ]
    for name, (es, en), (hint_es, hint_en) in record:
        out.append(
            _control(name, es if lang == "es" else en, "input", typed.get(name) or "", errors, lang)
            | {
                "required": False,
                "options": [],
                "known": set(),
                "boxes": 0,
                "hint": hint_es if lang == "es" else hint_en,
                "attrs": {"type": "text", "spellcheck": "false"} | ({"inputmode": "url"} if name == "source" else {}),
                "group": "record",
            }
        )
    return out


def _control(name: str, label: str, w: str, value: Any, errors: Mapping[str, list[str]], lang: str) -> dict[str, Any]:
    first = f"f-{name}-es" if w in {"text", "text-lines"} else f"f-{name}"
    return {
        "name": name,
        "label": label,
        "widget": w,
        "value": value,
        "id": f"f-{name}",
        "anchor": first,
        "errors": list(errors.get(name, [])),
        "error_id": f"err-{name}",
        "hint_id": f"hint-{name}",
        "languages": [(lang_, LANGUAGE_NAMES[lang_][0 if lang == "es" else 1]) for lang_ in LANGS],
    }


# ---------------------------------------------------------------- form → field values


def read_values(kind: Kind, form: Mapping[str, list[str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What was typed (to show it again) and the field values it amounts to (as the JSON API takes them)."""
    typed: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for f in kind.fields:
        if f.kind == "text":
            raw = {lang: _first(form, f"{f.name}.{lang}") for lang in LANGS}
            typed[f.name] = raw
            if f.many:
                texts = {lang: _lines(raw[lang]) for lang in LANGS}
                if any(texts.values()):
                    values[f.name] = texts
            else:
                text = {lang: raw[lang].strip() for lang in LANGS if raw[lang].strip()}
                if text:
                    values[f.name] = text
        elif f.many and f.kind == "link":
            typed[f.name] = _first(form, f.name)
            if items := _lines(typed[f.name]):
                values[f.name] = items
        elif f.many:
            typed[f.name] = [v for v in form.get(f.name, []) if v.strip()]
            if items := list(dict.fromkeys(v.strip() for v in typed[f.name])):
                values[f.name] = items
        else:
            typed[f.name] = _first(form, f.name)
            if typed[f.name].strip():
                values[f.name] = typed[f.name].strip()
    for name in RECORD_FIELDS:
        typed[name] = _first(form, name)
    if typed["slug"].strip():
        values["slug"] = typed["slug"].strip()
    return typed, values


def by_exact_name(service: Service, kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """References typed as an entity's exact name (accents and case aside) become that entity, when one
    candidate alone has it."""
    out = dict(values)
    for f in kind.fields:
        if f.kind != "iri" or f.name not in values:
            continue
        given = values[f.name]
        choices: dict[str, list[str]] = {}
        for lang in LANGS:
            for o in options(service, f, lang):
                choices.setdefault(fold(o["label"]), []).append(o["value"])
        known = {v for vs in choices.values() for v in vs}

        def named(item: str, choices: dict[str, list[str]] = choices, known: set[str] = known) -> str:
            hits = set(choices.get(fold(item), []))
            return hits.pop() if item not in known and len(hits) == 1 else item

        out[f.name] = [named(v) for v in given] if isinstance(given, list) else named(given)
    return out


# ---------------------------------------------------------------- problems → fields, in the reader's language


def _words(kind: Kind, lang: str) -> dict[str, str]:
    names = {f.name: f.label_es if lang == "es" else f.label_en for f in kind.fields}
    names["slug"] = "Identificador" if lang == "es" else "Identifier"
    names["source"] = "Fuente" if lang == "es" else "Source"
    return names


def friendly(kind: Kind, problem: Problem, lang: str) -> str:
    """A problem's message for a form: a missing field says so, and a field named by its JSON name is named by
    its label.

    >>> friendly(PRACTICE, Problem("solution", {"es": "x", "en": "x"}, code="missing"), "es")
    'Este campo es obligatorio.'
    >>> p = Problem("inactive_since", {"es": "Valor no válido para «inactive_since»: se espera un año.",
    ...                                "en": "Invalid value for 'inactive_since': expected a year."})
    >>> friendly(PRACTICE, p, "es"), friendly(PRACTICE, p, "en")
    ('Valor no válido para «Inactiva desde (año)»: se espera un año.', "Invalid value for 'Inactive since (year)': expected a year.")
    """  # noqa: E501
    if problem.code == "missing":
        return "Este campo es obligatorio." if lang == "es" else "This field is required."
    message = problem.message(lang)
    for name, label in _words(kind, lang).items():
        if lang == "es":
            message = re.sub(rf"«{re.escape(name)}(\.[a-z0-9]+)?»", f"«{label}»", message)
        else:
            message = re.sub(rf"'{re.escape(name)}(\.[a-z0-9]+)?'", f"'{label}'", message)
    return message


def by_field(
    kind: Kind, problems: list[Problem], lang: str, slug_given: bool
) -> tuple[dict[str, list[str]], list[str]]:
    """The messages of each field of the form, and those that belong to none."""
    fields = {f.name for f in kind.fields} | set(RECORD_FIELDS)
    out: dict[str, list[str]] = {}
    general: list[str] = []
    for p in problems:
        name = p.field
        if p.code == "exists" and not slug_given:
            name = "label"  # the name made the IRI that is taken
        message = friendly(kind, p, lang)
        if name in fields:
            if message not in out.setdefault(name, []):
                out[name].append(message)
        elif message not in general:
            general.append(message)
    return out, general


def _more_problems(service: Service, kind: Kind, values: Mapping[str, Any], bad: set[str]) -> list[Problem]:
    """The references that name nothing, among the fields the body check let through: all problems at once."""
    ctx = Context.of_service(service)
    out: list[Problem] = []
    for f in kind.fields:
        if f.kind in {"iri", "class", "link"} and f.name in values and f.name not in bad:
            try:
                field_objects(ctx, f, values[f.name])
            except EntityError as exc:
                out.extend(exc.problems)
    return out


def _source(value: str) -> tuple[str | None, list[Problem]]:
    value = value.strip()
    if not value:
        return None, []
    if value.startswith(("http://", "https://")) and is_valid_iri(value):
        return value, []
    return None, [
        Problem(
            "source",
            {
                "es": f"No es una dirección http(s) válida: «{value}».",
                "en": f"Not a valid http(s) address: '{value}'.",
            },
            code="iri",
        )
    ]


def create(service: Service, kind: Kind, body: dict[str, Any], actor: str, source: str | None) -> str:
    """Write a new entity of ``kind`` from checked field values (method ``form``) through the step the JSON API
    uses; its IRI, or :class:`EntityError` naming the fields, nothing written."""
    ctx = Context.of_service(service)
    iri, first = build_create(ctx, kind, body, actor=actor, method="form", source=source)
    pending = [first]

    def build() -> Change:  # built again only if another write landed meanwhile
        return pending.pop() if pending else build_create(ctx, kind, body, actor=actor, method="form", source=source)[1]

    commit_built(service.writer, build, {iri: kind}, {iri: body})
    return iri


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
        source, source_problems = _source(typed["source"])

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
                raise invalid(problems + _more_problems(service, kind, checked, bad))
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
