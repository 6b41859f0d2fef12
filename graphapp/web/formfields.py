"""The fields of a staff form: built from the entity declarations (widgets, choices, hints), filled in from an
entity (to correct it), read back from a url-encoded body, checked, and committed through the write path; each
problem in the reader's language next to its field. A form may also hold the fields of entities made with it (a
new source or problem on the practice form): their names carry a prefix (``new_source.title.es``). The pages and
routes are :mod:`graphapp.web.routers.forms`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request

from ..index import fold
from ..iris import is_valid_iri
from ..service import Service
from ..writes import Change
from ..writes.entities import (
    LANGS,
    Context,
    EntityError,
    Field,
    Kind,
    Problem,
    build_together,
    commit_built,
    field_objects,
)
from .auth import FORM
from .errors import AppError
from .params import page_language

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

    >>> from graphapp.writes.entities.kinds import PRACTICE
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
    accepts = _accepts(service, f)
    if accepts is None:
        return []
    return sorted(iri for iri, types in list(service.index.types.items()) if accepts(iri, types))


def _accepts(service: Service, f: Field) -> Callable[[str, Iterable[str]], bool] | None:
    """Whether an entity (its IRI and types) is one a reference field may name (see :func:`_candidates`); ``None``
    for a field with neither segments nor a namespace, which names none."""
    ctx = Context.of_service(service)
    prefixes = tuple(f"{ctx.id_base}{s}/" for s in f.segments) + ((f.namespace,) if f.namespace else ())
    if not prefixes:
        return None

    def accepts(iri: str, types: Iterable[str]) -> bool:
        return iri.startswith(prefixes) and (not f.range or any(ctx.is_a(types, c) for c in f.range))

    return accepts


def _names_a_candidate(service: Service, f: Field, item: object) -> bool:
    """Whether ``item`` is already what the form sends for one of the field's candidates (:func:`ref_value`):
    looked up in the label index, without listing the candidates."""
    if not isinstance(item, str):
        return False
    accepts = _accepts(service, f)
    if accepts is None:
        return False
    types = service.index.types
    iris = {service.base_iri + "id/" + item, item} | ({f.namespace + item} if f.namespace else set())
    return any(iri in types and ref_value(service, f, iri) == item and accepts(iri, types[iri]) for iri in iris)


def ref_value(service: Service, f: Field, iri: str) -> str:
    """What a form sends for an entity: ``<segment>/<slug>`` for the graph's own, the code in a namespace
    (``4.1`` for an SDG target), else the IRI."""
    id_base = service.base_iri + "id/"
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


def _hint(f: Field, kind_of_widget: str, lang: str, creating: bool = True) -> str:
    def t(es: str, en: str) -> str:
        return es if lang == "es" else en

    if f.name == "label":
        if not creating:
            return t("Corregir el nombre no cambia el IRI.", "Correcting the name does not change the IRI.")
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
    if f.kind == "date" and f.or_year:
        return t("AAAA-MM-DD, o solo el año (AAAA).", "YYYY-MM-DD, or just the year (YYYY).")
    if f.kind == "date":
        return t("AAAA-MM-DD", "YYYY-MM-DD")
    if f.datatype.endswith("#anyURI"):
        return t("Una dirección http(s).", "An http(s) address.")
    if f.kind == "link" and f.namespace:
        return t("Dirección http(s), o solo el identificador (Q…).", "An http(s) address, or just the id (Q…).")
    return ""


def _input_attrs(f: Field) -> dict[str, str]:
    if f.kind == "date" and f.or_year:
        return {"type": "text", "spellcheck": "false"}
    if f.kind == "date":
        return {"type": "date"}
    if f.datatype.endswith("#anyURI"):
        return {"type": "text", "inputmode": "url", "spellcheck": "false"}
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
    *,
    creating: bool = True,
    prefix: str = "",
    only: Sequence[str] | None = None,
    labels: Mapping[str, tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """What the template draws for each field of ``kind`` and the fields of the change record (the slug of a new
    entity, the source): its widget, labels, hint, choices, the values typed and the messages of its problems.
    With ``prefix``, the fields ``only`` of an entity made with the form (group ``prefix``, names
    ``<prefix>.<field>``, ``labels`` renaming some), nothing required and no change record."""
    out = []
    for f in _fields(kind, only):
        name = f"{prefix}.{f.name}" if prefix else f.name
        choices = options(service, f, lang)
        w = widget(f, len(choices))
        value: Any = typed.get(name)
        if w in {"text", "text-lines"}:
            value = {lang_: (value or {}).get(lang_, "") for lang_ in LANGS}
        elif w in {"checkboxes", "datalist-many"}:
            value = list(value or [])
        else:
            value = value or ""
        boxes = max(MANY_BOXES, len(value) + 1) if w == "datalist-many" else 0
        es, en = (labels or {}).get(f.name, (f.label_es, f.label_en))
        out.append(
            _control(name, es if lang == "es" else en, w, value, errors, lang)
            | {
                "required": f.required and not prefix,
                "long": f.name not in {"label", "title"},
                "options": choices,
                "known": {o["value"] for o in choices},
                "boxes": boxes,
                "hint": "" if prefix and f.name in {"label", "title"} else _hint(f, w, lang, creating),
                "attrs": _input_attrs(f),
                "group": prefix or "entity",
            }
        )
        if w == "checkboxes":
            out[-1]["anchor"] = f"{out[-1]['id']}-1" if choices else out[-1]["anchor"]
    if prefix:
        return out
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
        if name == "slug" and not creating:
            continue  # a correction keeps the IRI
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


def _fields(kind: Kind, only: Sequence[str] | None) -> list[Field]:
    if only is None:
        return list(kind.fields)
    return [f for name in only if (f := kind.field(name)) is not None]


def _control(name: str, label: str, w: str, value: Any, errors: Mapping[str, list[str]], lang: str) -> dict[str, Any]:
    key = name.replace(".", "-")  # ids without dots: CSS selectors and fragment links stay plain
    first = f"f-{key}-es" if w in {"text", "text-lines"} else f"f-{key}"
    return {
        "name": name,
        "key": key,
        "label": label,
        "widget": w,
        "value": value,
        "id": f"f-{key}",
        "anchor": first,
        "errors": list(errors.get(name, [])),
        "error_id": f"err-{key}",
        "hint_id": f"hint-{key}",
        "languages": [(lang_, LANGUAGE_NAMES[lang_][0 if lang == "es" else 1]) for lang_ in LANGS],
    }


# ---------------------------------------------------------------- form → field values


def read_values(
    kind: Kind, form: Mapping[str, list[str]], prefix: str = "", only: Sequence[str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What was typed (to show it again) and the field values it amounts to (as the JSON API takes them). With
    ``prefix``, the fields ``only`` of an entity made with the form: typed under ``<prefix>.<field>``, values by
    field name, and no change record."""
    typed: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for f in _fields(kind, only):
        key = f"{prefix}.{f.name}" if prefix else f.name
        if f.kind == "text":
            raw = {lang: _first(form, f"{key}.{lang}") for lang in LANGS}
            typed[key] = raw
            if f.many:
                texts = {lang: _lines(raw[lang]) for lang in LANGS}
                if any(texts.values()):
                    values[f.name] = texts
            else:
                text = {lang: raw[lang].strip() for lang in LANGS if raw[lang].strip()}
                if text:
                    values[f.name] = text
        elif f.many and f.kind == "link":
            typed[key] = _first(form, key)
            if items := _lines(typed[key]):
                values[f.name] = items
        elif f.many:
            typed[key] = [v for v in form.get(key, []) if v.strip()]
            if items := list(dict.fromkeys(v.strip() for v in typed[key])):
                values[f.name] = items
        else:
            typed[key] = _first(form, key)
            if typed[key].strip():
                values[f.name] = typed[key].strip()
    if prefix:
        return typed, values
    for name in RECORD_FIELDS:
        typed[name] = _first(form, name)
    if typed["slug"].strip():
        values["slug"] = typed["slug"].strip()
    return typed, values


def typed_from_entity(service: Service, kind: Kind, entity: Mapping[str, Any]) -> dict[str, Any]:
    """An entity's values (:func:`graphapp.writes.entities.read_entity`) as the form shows them: what one would
    type to give it those values (references as ``<segment>/<slug>``)."""
    typed: dict[str, Any] = {}
    for f in kind.fields:
        value = entity.get(f.name)
        if f.kind == "text":
            texts = value or {}
            if f.many:
                typed[f.name] = {lang: "\n".join(texts.get(lang) or []) for lang in LANGS}
            else:
                typed[f.name] = {lang: texts.get(lang) or "" for lang in LANGS}
        elif f.many and f.kind == "link":
            typed[f.name] = "\n".join(str(v) for v in value or [])
        elif f.many:
            typed[f.name] = [ref_value(service, f, str(v)) if f.kind == "iri" else str(v) for v in value or []]
        elif value is None:
            typed[f.name] = ""
        elif f.kind == "iri":
            typed[f.name] = ref_value(service, f, str(value))
        elif f.kind == "boolean":
            typed[f.name] = "true" if value else "false"
        else:
            typed[f.name] = str(value)
    for name in RECORD_FIELDS:
        typed[name] = ""
    return typed


def by_exact_name(service: Service, kind: Kind, values: Mapping[str, Any]) -> dict[str, Any]:
    """References typed as an entity's exact name (accents and case aside) become that entity, when one
    candidate alone has it."""
    out = dict(values)
    for f in kind.fields:
        if f.kind != "iri" or f.name not in values:
            continue
        given = values[f.name]
        if all(_names_a_candidate(service, f, v) for v in (given if isinstance(given, list) else [given])):
            continue  # every reference is an entity's value already: no name to look up among all candidates
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

    >>> from graphapp.writes.entities.kinds import PRACTICE
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


def more_problems(
    service: Service,
    kind: Kind,
    values: Mapping[str, Any],
    bad: set[str],
    pending: Mapping[str, Kind] | None = None,
) -> list[Problem]:
    """The references that name nothing (``pending``: entities made with the form), and the addresses that are
    not http(s), among the fields the body check let through: all problems at once."""
    ctx = Context.of_service(service)
    out: list[Problem] = []
    for f in kind.fields:
        checked = f.kind in {"iri", "class", "link"} or bool(f.datatype)
        if checked and f.name in values and f.name not in bad:
            try:
                field_objects(ctx, f, values[f.name], pending)
            except EntityError as exc:
                out.extend(exc.problems)
    return out


def checked_source(value: str) -> tuple[str | None, list[Problem]]:
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


def write(
    service: Service,
    creates: Iterable[tuple[Kind, dict[str, Any]]],
    actor: str,
    source: str | None,
    update: tuple[Kind, str, dict[str, Any]] | None = None,
) -> list[str]:
    """Write, as one change (method ``form``), the entities a form creates (checked field values; each may name
    those before it) and, with ``update``, the correction of an entity (the change a JSON ``PATCH`` makes), through
    the step the JSON API uses. Their IRIs, or :class:`EntityError` naming the fields (each problem's ``focus`` is
    its entity), nothing written."""
    ctx = Context.of_service(service)
    creates = list(creates)

    def make() -> tuple[list[str], Change]:
        return build_together(ctx, creates, update=update, actor=actor, method="form", source=source)

    iris, first = make()
    ready = [first]

    def build() -> Change:  # built again only if another write landed meanwhile
        return ready.pop() if ready else make()[1]

    kinds = {iri: kind for iri, (kind, _) in zip(iris, creates, strict=False)}
    values = {iri: body for iri, (_, body) in zip(iris, creates, strict=False)}
    if update is not None:
        kinds[update[1]] = update[0]
        values[update[1]] = update[2]
    commit_built(service.writer, build, kinds, values)
    return iris
