"""The JSON bodies, generated from the declarations: one pydantic model per kind to create and one to correct
an entity, the body that retires one, and their errors as :class:`~.problems.Problem` s naming the fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainValidator,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    create_model,
)
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError

from .kinds import LANGS, Field, Kind
from .problems import Problem, invalid, msg
from .values import MAX_SLUG, SLUG

Day = date  # the type, where a field is called ``date``
MAX_TEXT = 20_000
MAX_VALUES = 500
MAX_REF = 2000


def _at_most(limit: int, what: str) -> Any:
    """A check of a length that stays out of the JSON Schema: the API description promises no bound a client
    could exceed only by sending a body over the service's size cap (which is a 413 before anything is read)."""

    def check(value: Any) -> Any:
        if len(value) > limit:
            raise ValueError(f"at most {limit} {what}")
        return value

    return AfterValidator(check)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), _at_most(MAX_TEXT, "characters")]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), _at_most(MAX_REF, "characters")]
Slug = Annotated[str, StringConstraints(pattern=SLUG.pattern), _at_most(MAX_SLUG, "characters")]
Many = _at_most(MAX_VALUES, "values")


class LangText(BaseModel):
    """A text in Spanish and English: ``{"es": "…", "en": "…"}``."""

    model_config = ConfigDict(extra="forbid")
    es: Text | None = None
    en: Text | None = None


class LangTexts(BaseModel):
    """Several texts in Spanish and English: ``{"es": ["…"], "en": ["…"]}``."""

    model_config = ConfigDict(extra="forbid")
    es: Annotated[list[Text], Many] = PydanticField(default_factory=list)
    en: Annotated[list[Text], Many] = PydanticField(default_factory=list)


def _day_or_year(value: Any) -> int | date:
    """A date (``2024-05-31``) or a bare four-digit year (``2024``, an int or a string)."""
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 4 and text.isdigit() and text[0] != "0":
            return int(text)
        if len(text) == 10:
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
    raise PydanticCustomError("date_or_year_parsing", "expected a date YYYY-MM-DD or a year YYYY")


#: a date or a bare year (``Field.or_year``): ``xsd:date`` or ``xsd:gYear``
DayOrYear = Annotated[
    int | date,
    PlainValidator(_day_or_year),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
                {"type": "string", "pattern": "^[1-9][0-9]{3}$"},
            ]
        }
    ),
]

_SCALARS: dict[str, Any] = {
    "string": Text,
    "iri": Ref,
    "class": Ref,
    "link": Ref,
    "year": Annotated[int, PydanticField(ge=1000, le=9999)],
    "date": date,
    "integer": Annotated[int, PydanticField(ge=-(10**15), le=10**15)],
    "decimal": Annotated[Decimal, PydanticField(allow_inf_nan=False, max_digits=30, decimal_places=15)],
    "boolean": bool,
}

#: what each kind of value looks like, for messages
EXPECTED: dict[str, dict[str, str]] = {
    "text": msg('un texto, o {"es": "…", "en": "…"}', 'a text, or {"es": "…", "en": "…"}'),
    "string": msg("un texto", "a text"),
    "iri": msg("un IRI, una ruta <tipo>/<slug> o un slug", "an IRI, a <type>/<slug> path or a slug"),
    "class": msg("un tipo de la lista", "a type from the list"),
    "link": msg("una dirección http(s)", "an http(s) address"),
    "year": msg("un año de cuatro cifras", "a four-digit year"),
    "date": msg("una fecha AAAA-MM-DD", "a date YYYY-MM-DD"),
    "date-or-year": msg("una fecha AAAA-MM-DD o un año AAAA", "a date YYYY-MM-DD or a year YYYY"),
    "integer": msg("un número entero", "a whole number"),
    "decimal": msg("un número", "a number"),
    "boolean": msg("true o false", "true or false"),
}


def _annotation(f: Field) -> Any:
    if f.kind == "text":
        return (Annotated[list[Text], Many] | LangTexts) if f.many else (Text | LangText)
    scalar = DayOrYear if f.kind == "date" and f.or_year else _SCALARS[f.kind]
    return Annotated[list[scalar], Many] if f.many else scalar  # type: ignore[valid-type]


def _expected_key(f: Field) -> str:
    return "date-or-year" if f.kind == "date" and f.or_year else f.kind


def _model_field(f: Field, required: bool) -> tuple[Any, Any]:
    expected = EXPECTED[_expected_key(f)]["en"]
    description = f"{f.label_es} / {f.label_en} (`{f.predicate}`; {expected}{', many' if f.many else ''})"
    annotation = _annotation(f)
    extra: dict[str, Any] = {"description": description}
    if required:
        return annotation, PydanticField(..., **extra)
    return annotation | None, PydanticField(None, **extra)


def _title(kind: Kind) -> str:
    return "".join(part.capitalize() for part in kind.name.split("-"))


_MODELS: dict[tuple[str, str], type[BaseModel]] = {}


def create_model_for(kind: Kind) -> type[BaseModel]:
    """The JSON body that creates an entity of ``kind``: required fields as the shapes require them, unknown fields
    refused, and an optional ``slug`` (else made from the Spanish label)."""
    key = (kind.name, "create")
    if key not in _MODELS:
        fields: dict[str, Any] = {f.name: _model_field(f, f.required) for f in kind.fields}
        fields["slug"] = (
            Slug | None,
            PydanticField(None, description="The last part of the new IRI; default: made from the Spanish label."),
        )
        _MODELS[key] = create_model(
            f"{_title(kind)}Create",
            __config__=ConfigDict(extra="forbid", title=f"{_title(kind)}Create"),
            __doc__=f"A new {kind.label_en.lower()} ({kind.label_es}).",
            **fields,
        )
    return _MODELS[key]


def update_model_for(kind: Kind) -> type[BaseModel]:
    """The JSON body that corrects an entity of ``kind``: only the fields given change; ``null`` or ``[]`` removes
    a field's values."""
    key = (kind.name, "update")
    if key not in _MODELS:
        fields: dict[str, Any] = {f.name: _model_field(f, False) for f in kind.fields}
        _MODELS[key] = create_model(
            f"{_title(kind)}Update",
            __config__=ConfigDict(extra="forbid", title=f"{_title(kind)}Update"),
            __doc__=f"Fields of a {kind.label_en.lower()} to replace; the others stay as they are.",
            **fields,
        )
    return _MODELS[key]


class RetireBody(BaseModel):
    """Retire an entity: it stays in the graph, with its history, marked ``ga:retiredOn`` with a reason."""

    model_config = ConfigDict(extra="forbid")
    date: Day | None = PydanticField(None, description="The day of the retirement (default: today).")
    reason: Text | LangText = PydanticField(description='Why, in a few words: a text (Spanish) or {"es", "en"}.')


def _pydantic_problems(kind: Kind | None, exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        loc = error.get("loc", ())
        name = str(loc[0]) if loc else None
        f = kind.field(name) if kind and name else None
        kind_en = kind.label_en.lower() if kind else "this request"
        kind_es = kind.label_es.lower() if kind else "esta petición"
        typ = error.get("type", "")
        # the parts of the location a reader knows: the field, a language, an index (not pydantic's union tags)
        parts = [str(p) for i, p in enumerate(loc) if i == 0 or isinstance(p, int) or p in LANGS]
        where = ".".join(parts)
        text_lang = next((p for p in parts[1:] if p in LANGS), None)
        if typ == "extra_forbidden":
            messages = msg(f"Campo desconocido para {kind_es}: «{where}».", f"Unknown field for {kind_en}: '{where}'.")
        elif typ == "missing":
            messages = msg(f"Falta el campo obligatorio «{where}».", f"The required field '{where}' is missing.")
        elif f is not None and (typ.endswith(("_type", "_parsing")) or typ in {"model_attributes_type", "union_tag"}):
            exp = EXPECTED[_expected_key(f)]
            many_es, many_en = (" (una lista)", " (a list)") if f.many and f.kind != "text" else ("", "")
            messages = msg(
                f"Valor no válido para «{where}»: se espera {exp['es']}{many_es}.",
                f"Invalid value for '{where}': expected {exp['en']}{many_en}.",
            )
        else:
            detail = str(error.get("msg", "invalid"))
            messages = msg(f"Valor no válido para «{where}»: {detail}.", f"Invalid value for '{where}': {detail}.")
        problem = Problem(name, messages, code=typ or "invalid", lang=text_lang)
        if not any((p.field, p.messages) == (name, messages) for p in problems):  # a union: one error per member
            problems.append(problem)
    return problems


def validate_body(model: type[BaseModel], data: Any, kind: Kind | None = None) -> BaseModel:
    """``data`` (parsed JSON) as ``model``, or a 400 naming each field that is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(_pydantic_problems(kind, exc)) from None


def values_of(instance: BaseModel, only_given: bool = False) -> dict[str, Any]:
    """The field values of a validated body, texts as ``{"es": …, "en": …}`` (see :func:`.values.texts_of`)."""
    names = instance.model_fields_set if only_given else set(type(instance).model_fields)
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(instance, name)
        if isinstance(value, BaseModel):
            value = value.model_dump()
        out[name] = value
    return out
