"""Entity kinds, declared once: what staff add and correct through the JSON API, the CSV import and the forms.

Each :class:`Kind` (best practice, civil-society organisation, institution, commitment, key action, activity,
problem, local exercise) names its class, the path segment of its IRIs (``…/id/<segment>/<slug>``, as the data
already uses them) and its :class:`Field` s: the JSON name (English snake_case), the Spanish CSV header, the labels
for forms, the predicate and the kind of value. What is required follows the SHACL shapes (``shapes/core.ttl``);
the shapes stay the judge: every change built here goes through :class:`graphapp.writes.Writer`, which validates
it and refuses it (nothing changed) when it breaks them.

The functions build the :class:`~graphapp.writes.Change` that creates an entity (a new IRI from the slug of its
Spanish label; an IRI already taken is a 409), that replaces the values of some of its fields, and that retires it
(``ga:retiredOn`` and ``ga:retirementNote``: the entity stays, with its history); :func:`read_entity` reads one back
as field values. New statements go to the staff contributions graph. Entities with statements in the project's
source graphs (read-only for the service) are not updated or retired here: 403, corrections to them go to the
source files.

Values, as the JSON API takes them (the CSV import produces the same):

- ``text``: a string (Spanish) or ``{"es": "…", "en": "…"}``; many: a list of strings or ``{"es": […], "en": […]}``;
- ``string``: a plain string (no language, e.g. an acronym);
- ``iri``: a reference to an entity of the graph: full IRI, ``<segment>/<slug>`` or just the slug (looked up under
  the field's segments); it must exist (a 400 otherwise);
- ``class``: one of the field's classes, by IRI, ``ga:Name``, ``Name`` or its label;
- ``link``: an http(s) address outside the graph (``rdfs:seeAlso``, Wikidata ``Q…`` for ``owl:sameAs``);
- ``year`` (``xsd:gYear``), ``date`` (``xsd:date``), ``integer``, ``decimal``, ``boolean``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import pyoxigraph as ox
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError, create_model
from pydantic import Field as PydanticField

from ..iris import GA, SDG, WD, is_valid_iri, slugify
from ..store import GraphStore
from .changes import Change

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
ga = str(GA)

RETIRED_ON = ga + "retiredOn"
RETIREMENT_NOTE = ga + "retirementNote"
LANGS = ("es", "en")
MAX_TEXT = 20_000
MAX_VALUES = 500
MAX_SLUG = 80
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

ValueKind = Literal["text", "string", "iri", "class", "link", "year", "date", "integer", "decimal", "boolean"]

Day = date  # the type, where a field is called ``date``

PLACES = (ga + "Country", ga + "FederalEntity", ga + "Municipality")
PLACE_SEGMENTS = ("entidad", "municipio", "pais")


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Field:
    """One field of a kind. ``range`` names the classes a referenced entity should have (the shapes check it where
    they say so; forms offer entities of these classes), ``segments`` where a bare slug is looked for, ``namespace``
    where else (UN SDG codes, Wikidata ids)."""

    name: str
    header: str
    label_es: str
    label_en: str
    predicate: str
    kind: ValueKind
    many: bool = False
    required: bool = False
    range: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    namespace: str = ""
    choices: tuple[str, ...] = ()  # kind "class": the classes one may pick

    @property
    def label(self) -> dict[str, str]:
        return {"es": self.label_es, "en": self.label_en}

    def columns(self) -> list[tuple[str, str | None]]:
        """CSV columns of the field: ``(header, language)``; a text field has a second column for English."""
        if self.kind == "text":
            return [(self.header, "es"), (f"{self.header} (en)", "en")]
        return [(self.header, None)]

    def describe(self) -> dict[str, Any]:
        """The declaration as JSON (for forms and the API description)."""
        out: dict[str, Any] = {
            "name": self.name,
            "header": self.header,
            "label": self.label,
            "predicate": self.predicate,
            "kind": self.kind,
            "many": self.many,
            "required": self.required,
        }
        if self.range:
            out["range"] = list(self.range)
        if self.segments:
            out["segments"] = list(self.segments)
        if self.namespace:
            out["namespace"] = self.namespace
        if self.choices:
            out["choices"] = list(self.choices)
        return out


@dataclass(frozen=True)
class Kind:
    name: str  # in URLs: /api/entities/<name>
    plural: str  # in the CSV import: --kind <plural>
    cls: str
    segment: str
    label_es: str
    label_en: str
    fields: tuple[Field, ...]

    @property
    def label(self) -> dict[str, str]:
        return {"es": self.label_es, "en": self.label_en}

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def by_predicate(self, predicate: str) -> Field | None:
        return next((f for f in self.fields if f.predicate == predicate), None)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.name,
            "plural": self.plural,
            "class": self.cls,
            "segment": self.segment,
            "label": self.label,
            "fields": [f.describe() for f in self.fields],
        }


def _f(name: str, header: str, es: str, en: str, predicate: str, kind: ValueKind, **more: Any) -> Field:
    return Field(name, header, es, en, predicate, kind, **more)


LABEL = _f("label", "nombre", "Nombre", "Name", RDFS + "label", "text", required=True)
DESCRIPTION = _f("description", "descripción", "Descripción", "Description", DCTERMS + "description", "text")
EDITORIAL_NOTE = _f(
    "editorial_note", "nota editorial", "Nota editorial", "Editorial note", SKOS + "editorialNote", "text", many=True
)
SEE_ALSO = _f(
    "see_also", "ver también", "Ver también (enlaces)", "See also (links)", RDFS + "seeAlso", "link", many=True
)
ALT_LABELS = _f("alt_labels", "otros nombres", "Otros nombres", "Other names", SKOS + "altLabel", "text", many=True)
ACRONYM = _f("acronym", "siglas", "Siglas", "Acronym", ga + "acronym", "string")
SAME_AS = _f("same_as", "wikidata", "Wikidata", "Wikidata", OWL + "sameAs", "link", many=True, namespace=str(WD))
JURISDICTION = _f(
    "jurisdiction", "ámbito territorial", "Ámbito territorial", "Jurisdiction", ga + "jurisdiction", "iri",
    range=PLACES, segments=PLACE_SEGMENTS,
)  # fmt: skip
STATUS = _f(
    "status", "estado de vigencia", "Estado de vigencia", "Status", ga + "status", "iri",
    range=(ga + "Status",), segments=("estado-vigencia",),
)  # fmt: skip
THEMES = _f(
    "themes", "temas", "Temas", "Themes", DCTERMS + "subject", "iri", many=True,
    range=(ga + "ProblemTheme",), segments=("tema",),
)  # fmt: skip
SDGS = _f(
    "contributes_to", "ODS", "Contribuye a (ODS)", "Contributes to (SDGs)", ga + "contributesTo", "iri", many=True,
    range=("http://metadata.un.org/sdg/ontology#Goal", "http://metadata.un.org/sdg/ontology#Target"),
    namespace=str(SDG),
)  # fmt: skip
ORDINAL = _f("ordinal", "número", "Número de orden", "Ordinal", ga + "ordinal", "integer")
ORGANISATIONS = (ORG + "Organization",)
ORG_SEGMENTS = ("institucion", "organizacion")

PRACTICE = Kind(
    "practice", "practices", ga + "BestPractice", "practica", "Buena práctica", "Best practice",
    (
        LABEL,
        _f("place", "lugar", "Lugar", "Place", DCTERMS + "spatial", "iri", required=True,
           range=PLACES, segments=PLACE_SEGMENTS),
        _f("addresses_problem", "problema", "Problema que atendió", "Problem addressed", ga + "addressesProblem",
           "iri", required=True, range=(ga + "Problem",), segments=("problema",)),
        _f("solution", "solución", "Solución", "Solution", ga + "solution", "text", required=True),
        replace(STATUS, required=True),
        _f("inactive_since", "inactiva desde", "Inactiva desde (año)", "Inactive since (year)",
           ga + "inactiveSince", "year"),
        _f("status_note", "nota sobre la vigencia", "Nota sobre la vigencia", "Status note", ga + "statusNote", "text"),
        _f("sources", "fuentes", "Fuentes", "Sources", DCTERMS + "source", "iri", many=True, required=True,
           range=(DCTERMS + "BibliographicResource",), segments=("fuente",)),
        DESCRIPTION,
        _f("mechanism", "mecanismo", "Mecanismo de cocreación", "Co-creation mechanism", ga + "mechanism", "iri",
           range=(ga + "Mechanism",), segments=("mecanismo",)),
        _f("programme", "programa", "Programa", "Programme", ga + "programme", "iri",
           range=(ga + "Programme",), segments=("programa",)),
        _f("benefits", "beneficios", "Beneficios", "Benefits", ga + "benefit", "iri", many=True,
           range=(ga + "Benefit",), segments=("beneficio",)),
        _f("beneficiaries", "personas beneficiadas", "Personas beneficiadas", "Beneficiaries", ga + "beneficiaries",
           "text"),
        _f("outputs", "productos", "Productos (iniciativas)", "Outputs (initiatives)", ga + "output", "iri",
           many=True, range=(ga + "Initiative",), segments=("iniciativa",)),
        _f("registered_in", "inscrita en", "Inscrita en", "Registered in", ga + "registeredIn", "iri", many=True,
           segments=("programa",)),
        THEMES,
        SDGS,
        SEE_ALSO,
        EDITORIAL_NOTE,
    ),
)  # fmt: skip

ORGANISATION = Kind(
    "organisation", "organisations", ga + "CivilSocietyOrganization", "organizacion",
    "Organización de la sociedad civil", "Civil-society organisation",
    (LABEL, ALT_LABELS, ACRONYM, JURISDICTION, STATUS, DESCRIPTION, SAME_AS, SEE_ALSO, EDITORIAL_NOTE),
)  # fmt: skip

PUBLIC_BODY_TYPES = tuple(
    ga + name
    for name in (
        "ObligatedSubject", "GuarantorBody", "Ayuntamiento", "ElectoralInstitute", "GovernmentSecretariat",
        "ExecutivePower",
    )
)  # fmt: skip

INSTITUTION = Kind(
    "institution", "institutions", ga + "PublicBody", "institucion", "Institución pública", "Public institution",
    (
        LABEL,
        ALT_LABELS,
        ACRONYM,
        _f("types", "tipo", "Tipo de institución", "Type of institution", RDF_TYPE, "class", many=True,
           choices=PUBLIC_BODY_TYPES),
        JURISDICTION,
        _f("governs", "gobierna", "Municipio que gobierna", "Municipality it governs", ga + "governs", "iri",
           range=(ga + "Municipality",), segments=("municipio",)),
        _f("represents", "representa a", "Representa a", "Represents", ga + "represents", "iri",
           range=ORGANISATIONS, segments=ORG_SEGMENTS),
        DESCRIPTION,
        SAME_AS,
        SEE_ALSO,
        EDITORIAL_NOTE,
    ),
)  # fmt: skip

COMMITMENT = Kind(
    "commitment", "commitments", ga + "Commitment", "compromiso", "Compromiso", "Commitment",
    (
        LABEL,
        _f("plan", "plan de acción", "Plan de acción", "Action plan", ga + "plan", "iri", required=True,
           range=(ga + "ActionPlan",), segments=("plan",)),
        _f("objective", "objetivo", "Objetivo", "Objective", ga + "objective", "text", required=True),
        _f("central_problem", "problema central", "Problema central", "Central problem", ga + "centralProblem",
           "iri", required=True, range=(ga + "Problem",), segments=("problema",)),
        _f("key_actions", "acciones clave", "Acciones clave", "Key actions", ga + "keyAction", "iri", many=True,
           required=True, range=(ga + "KeyAction",), segments=("accion-clave",)),
        _f("problem_tree", "árbol de problemas", "Árbol de problemas", "Problem tree", ga + "problemTree", "iri",
           range=(ga + "ProblemTree",), segments=("arbol",)),
        DESCRIPTION,
        _f("approach", "cómo ayuda a resolverlo", "Cómo ayuda a resolverlo", "How it helps solve it",
           ga + "approach", "text"),
        _f("aim", "propósito", "Propósito", "Aim", ga + "aim", "text"),
        _f("expected_outcomes", "resultados esperados", "Resultados esperados", "Expected outcomes",
           ga + "expectedOutcome", "iri", many=True, range=(ga + "ExpectedOutcome",), segments=("resultado",)),
        SDGS,
        _f("sdg_rationale", "cómo contribuye a la agenda 2030", "Cómo contribuye a la Agenda 2030",
           "How it contributes to the 2030 Agenda", ga + "sdgRationale", "text", many=True),
        EDITORIAL_NOTE,
    ),
)  # fmt: skip

KEY_ACTION = Kind(
    "key-action", "key-actions", ga + "KeyAction", "accion-clave", "Acción clave", "Key action",
    (
        LABEL,
        ORDINAL,
        DESCRIPTION,
        _f("activities", "actividades", "Actividades", "Activities", ga + "activity", "iri", many=True,
           required=True, range=(ga + "PlannedActivity",), segments=("actividad",)),
        _f("responsible", "responsable", "Persona responsable", "Responsible person", ga + "responsible", "iri",
           required=True, range=(FOAF + "Person",), segments=("persona",)),
        _f("responsible_post", "cargo responsable", "Cargo responsable", "Responsible post",
           ga + "responsiblePost", "iri", range=(ORG + "Post",), segments=("cargo",)),
        _f("participants", "intervienen", "Organizaciones que intervienen", "Organisations taking part",
           ga + "participant", "iri", many=True, range=ORGANISATIONS, segments=ORG_SEGMENTS),
    ),
)  # fmt: skip

ACTIVITY = Kind(
    "activity", "activities", ga + "PlannedActivity", "actividad", "Actividad", "Activity",
    (LABEL, ORDINAL, DESCRIPTION),
)  # fmt: skip

PROBLEM = Kind(
    "problem", "problems", ga + "Problem", "problema", "Problema público", "Public problem",
    (
        LABEL,
        DESCRIPTION,
        _f("place", "lugar", "Lugar", "Place", DCTERMS + "spatial", "iri", range=PLACES, segments=PLACE_SEGMENTS),
        THEMES,
        EDITORIAL_NOTE,
    ),
)  # fmt: skip

LOCAL_EXERCISE = Kind(
    "local-exercise", "local-exercises", ga + "LocalExercise", "ejercicio",
    "Ejercicio local de gobierno abierto", "Local open-government exercise",
    (
        LABEL,
        _f("programme", "programa", "Programa", "Programme", ga + "programme", "iri", required=True,
           range=(ga + "Programme",), segments=("programa",)),
        _f("secretariat", "secretariado técnico local", "Secretariado Técnico Local (STL)",
           "Local Technical Secretariat (STL)", ga + "secretariat", "iri", required=True,
           range=(ga + "LocalTechnicalSecretariat",), segments=("stl",)),
        _f("place", "lugar", "Lugar", "Place", DCTERMS + "spatial", "iri", range=PLACES, segments=PLACE_SEGMENTS),
        _f("plan", "plan de acción", "Plan de acción", "Action plan", ga + "plan", "iri",
           range=(ga + "ActionPlan",), segments=("plan",)),
        _f("registered_participants", "participantes inscritos", "Participantes inscritos",
           "Registered participants", ga + "registeredParticipant", "iri", many=True, range=ORGANISATIONS,
           segments=ORG_SEGMENTS),
        _f("registered_obligated_subject_count", "sujetos obligados inscritos", "Sujetos obligados inscritos",
           "Registered obligated subjects", ga + "registeredObligatedSubjectCount", "integer"),
        _f("registered_organization_count", "organizaciones inscritas", "Organizaciones inscritas",
           "Registered organisations", ga + "registeredOrganizationCount", "integer"),
        _f("registered_citizen_count", "ciudadanos inscritos", "Ciudadanos inscritos (cuántos)",
           "Registered citizens (how many)", ga + "registeredCitizenCount", "integer"),
        DESCRIPTION,
        EDITORIAL_NOTE,
    ),
)  # fmt: skip

KINDS: dict[str, Kind] = {
    k.name: k for k in (PRACTICE, ORGANISATION, INSTITUTION, COMMITMENT, KEY_ACTION, ACTIVITY, PROBLEM, LOCAL_EXERCISE)
}
KINDS_BY_PLURAL: dict[str, Kind] = {k.plural: k for k in KINDS.values()}


# ---------------------------------------------------------------- problems


def _msg(es: str, en: str) -> dict[str, str]:
    return {"es": es, "en": en}


@dataclass(frozen=True)
class Problem:
    """Why a value or an entity is refused: the field (JSON name) when known, the SHACL shape (stable ID) when the
    shapes said so, and the message in Spanish and English."""

    field: str | None
    messages: dict[str, str]
    shape: str | None = None
    focus: str | None = None
    code: str = "invalid"
    lang: str | None = None  # the language of the text at fault, when it is one (``label.en``)

    def message(self, lang: str = "es") -> str:
        return self.messages.get(lang) or self.messages.get("es") or self.messages.get("") or ""

    def as_json(self, lang: str = "es") -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "shape": self.shape, "message": self.message(lang)}
        out["code"] = self.code
        if self.focus:
            out["focus"] = self.focus
        return out


class EntityError(Exception):
    """The request cannot be made as asked; nothing was changed. ``status`` is the HTTP status (400 bad values or a
    shapes violation, 403 source data, 404 unknown entity, 409 IRI taken or already retired)."""

    def __init__(self, status: int, messages: dict[str, str], problems: Iterable[Problem] = ()) -> None:
        super().__init__(messages.get("en", ""))
        self.status = status
        self.messages = messages
        self.problems = list(problems)

    def message(self, lang: str = "es") -> str:
        return self.messages.get(lang) or self.messages.get("es", "")


def invalid(problems: list[Problem]) -> EntityError:
    return EntityError(
        400,
        _msg(
            "Los datos no son válidos; no se cambió nada.",
            "The data is not valid; nothing was changed.",
        ),
        problems,
    )


# ---------------------------------------------------------------- the place where entities live


@dataclass
class Context:
    """The store to read, where new statements go (``contributions``) and which graphs are read-only (the
    project's source files)."""

    store: GraphStore
    contributions: str
    read_only: frozenset[str] = frozenset()
    _subclasses: dict[str, set[str]] | None = field(default=None, repr=False)

    @classmethod
    def of_service(cls, service: Any) -> Context:
        return cls(service.store, service.contributions, frozenset(service.writer.read_only))

    @classmethod
    def of_writer(cls, writer: Any, contributions: str) -> Context:
        return cls(writer.store, contributions, frozenset(writer.read_only))

    @property
    def base(self) -> str:
        return self.store.base_iri

    @property
    def id_base(self) -> str:
        return self.store.base_iri + "id/"

    def iri(self, kind: Kind, slug: str) -> str:
        return f"{self.id_base}{kind.segment}/{slug}"

    def quads(self, iri: str) -> list[ox.Quad]:
        return self.store.quads_about([iri]) if is_valid_iri(iri) else []

    def exists(self, iri: str) -> bool:
        """Whether the graph describes ``iri`` (it is the subject of some statement)."""
        return bool(self.quads(iri))

    def superclasses(self, cls: str) -> set[str]:
        """``cls`` and every class above it (``rdfs:subClassOf*``), from the ontology in the store."""
        if self._subclasses is None:
            up: dict[str, set[str]] = {}
            for row in self.store.select_text(f"SELECT ?c ?s WHERE {{ ?c <{RDFS}subClassOf> ?s }}"):
                up.setdefault(str(row["c"]), set()).add(str(row["s"]))
            self._subclasses = up
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self._subclasses.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def is_a(self, types: Iterable[str], cls: str) -> bool:
        return any(cls in self.superclasses(t) for t in types)


def _types(quads: Iterable[ox.Quad]) -> set[str]:
    return {q.object.value for q in quads if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode)}


def kind_of_iri(ctx: Context, iri: str) -> Kind | None:
    """The declared kind of an entity of the graph, from its IRI's segment and its type."""
    if not iri.startswith(ctx.id_base):
        return None
    segment = iri[len(ctx.id_base) :].split("/", 1)[0]
    types = _types(ctx.quads(iri))
    for kind in KINDS.values():
        if kind.segment == segment and ctx.is_a(types, kind.cls):
            return kind
    return None


# ---------------------------------------------------------------- JSON models, generated from the declarations

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
    "text": _msg('un texto, o {"es": "…", "en": "…"}', 'a text, or {"es": "…", "en": "…"}'),
    "string": _msg("un texto", "a text"),
    "iri": _msg("un IRI, una ruta <tipo>/<slug> o un slug", "an IRI, a <type>/<slug> path or a slug"),
    "class": _msg("un tipo de la lista", "a type from the list"),
    "link": _msg("una dirección http(s)", "an http(s) address"),
    "year": _msg("un año de cuatro cifras", "a four-digit year"),
    "date": _msg("una fecha AAAA-MM-DD", "a date YYYY-MM-DD"),
    "integer": _msg("un número entero", "a whole number"),
    "decimal": _msg("un número", "a number"),
    "boolean": _msg("true o false", "true or false"),
}


def _annotation(f: Field) -> Any:
    if f.kind == "text":
        return (Annotated[list[Text], Many] | LangTexts) if f.many else (Text | LangText)
    scalar = _SCALARS[f.kind]
    return Annotated[list[scalar], Many] if f.many else scalar  # type: ignore[valid-type]


def _model_field(f: Field, required: bool) -> tuple[Any, Any]:
    description = f"{f.label_es} / {f.label_en} (`{f.predicate}`; {EXPECTED[f.kind]['en']}{', many' if f.many else ''})"
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
        _MODELS[key] = create_model(  # type: ignore[call-overload]
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
        fields = {f.name: _model_field(f, False) for f in kind.fields}
        _MODELS[key] = create_model(  # type: ignore[call-overload]
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
    problems = []
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
            msg = _msg(f"Campo desconocido para {kind_es}: «{where}».", f"Unknown field for {kind_en}: '{where}'.")
        elif typ == "missing":
            msg = _msg(f"Falta el campo obligatorio «{where}».", f"The required field '{where}' is missing.")
        elif f is not None and (typ.endswith(("_type", "_parsing")) or typ in {"model_attributes_type", "union_tag"}):
            exp = EXPECTED[f.kind]
            many_es, many_en = (" (una lista)", " (a list)") if f.many and f.kind != "text" else ("", "")
            msg = _msg(
                f"Valor no válido para «{where}»: se espera {exp['es']}{many_es}.",
                f"Invalid value for '{where}': expected {exp['en']}{many_en}.",
            )
        else:
            detail = str(error.get("msg", "invalid"))
            msg = _msg(f"Valor no válido para «{where}»: {detail}.", f"Invalid value for '{where}': {detail}.")
        problem = Problem(name, msg, code=typ or "invalid", lang=text_lang)
        if not any((p.field, p.messages) == (name, msg) for p in problems):  # a union: one error per member
            problems.append(problem)
    return problems


def validate_body(model: type[BaseModel], data: Any, kind: Kind | None = None) -> BaseModel:
    """``data`` (parsed JSON) as ``model``, or a 400 naming each field that is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(_pydantic_problems(kind, exc)) from None


def values_of(instance: BaseModel, only_given: bool = False) -> dict[str, Any]:
    """The field values of a validated body, texts as ``{"es": …, "en": …}`` (see :func:`_texts`)."""
    names = instance.model_fields_set if only_given else set(type(instance).model_fields)
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(instance, name)
        if isinstance(value, BaseModel):
            value = value.model_dump()
        out[name] = value
    return out


# ---------------------------------------------------------------- values → RDF terms


def _texts(value: Any, many: bool) -> dict[str, list[str]]:
    """A text value in any accepted form, as ``{lang: [texts]}``."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"es": [value]}
    if isinstance(value, list):
        return {"es": [v for v in value if v]}
    if isinstance(value, Mapping):
        out: dict[str, list[str]] = {}
        for lang in LANGS:
            v = value.get(lang)
            items = v if isinstance(v, list) else [v] if v else []
            if items:
                out[lang] = list(items)
        return out
    raise TypeError(value)


def _literal(f: Field, value: Any) -> ox.Literal:
    if f.kind == "string":
        return ox.Literal(str(value))
    if f.kind == "year":
        return ox.Literal(f"{int(value):04d}", datatype=ox.NamedNode(XSD + "gYear"))
    if f.kind == "date":
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if f.kind == "integer":
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if f.kind == "decimal":
        text = format(Decimal(value).normalize(), "f")
        return ox.Literal(text if "." in text else text + ".0", datatype=ox.NamedNode(XSD + "decimal"))
    if f.kind == "boolean":
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    raise ValueError(f.kind)


def _problem(f: Field, es: str, en: str, code: str) -> Problem:
    return Problem(f.name, _msg(es, en), code=code)


def resolve(ctx: Context, f: Field, value: str, pending: Mapping[str, Kind] | None = None) -> str:
    """The IRI a reference names: a full IRI, ``<segment>/<slug>`` or a bare slug (looked up under the field's
    segments and namespace). Raises :class:`EntityError` (400) naming the field when it names nothing known."""
    pending = pending or {}
    v = value.strip()
    if f.kind == "class":
        return _resolve_class(ctx, f, v)

    def known(iri: str) -> bool:
        return iri in pending or ctx.exists(iri)

    if f.kind == "link":
        if not v.startswith(("http://", "https://")) and f.namespace:
            v = f.namespace + v
        if not v.startswith(("http://", "https://")) or not is_valid_iri(v):
            raise invalid(
                [_problem(f, f"No es una dirección http(s): «{value}».", f"Not an http(s) address: '{value}'.", "link")]
            )
        return v
    if v.startswith(("http://", "https://")):
        if not is_valid_iri(v):
            raise invalid([_problem(f, f"No es un IRI válido: «{value}».", f"Not a valid IRI: '{value}'.", "iri")])
        if v.startswith(ctx.id_base):
            segment = v[len(ctx.id_base) :].split("/", 1)[0]
            if f.segments and segment not in f.segments:
                raise invalid([_wrong_segment(f, value)])
        elif not (f.namespace and v.startswith(f.namespace)):
            raise invalid(
                [
                    _problem(
                        f,
                        f"«{value}» está fuera del grafo: se espera una entidad bajo {ctx.id_base}.",
                        f"'{value}' is outside the graph: expected an entity under {ctx.id_base}.",
                        "outside-namespace",
                    )
                ]
            )
        if not known(v):
            raise invalid([_unknown(f, value)])
        return v
    if "/" in v:
        segment = v.split("/", 1)[0]
        if segment not in f.segments:
            raise invalid([_wrong_segment(f, value)])
        candidates = [ctx.id_base + v]
    else:
        candidates = [f"{ctx.id_base}{s}/{v}" for s in f.segments] + ([f.namespace + v] if f.namespace else [])
    found = [c for c in candidates if is_valid_iri(c) and known(c)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise invalid([_unknown(f, value)])
    shown = ", ".join(found)
    raise invalid(
        [
            _problem(
                f,
                f"«{value}» es ambiguo ({shown}); use <tipo>/<slug> o el IRI completo.",
                f"'{value}' is ambiguous ({shown}); use <type>/<slug> or the full IRI.",
                "ambiguous-reference",
            )
        ]
    )


def _wrong_segment(f: Field, value: str) -> Problem:
    where = ", ".join(f"{s}/" for s in f.segments) or "—"
    return _problem(
        f,
        f"«{value}» no es del tipo que espera «{f.name}» ({where}).",
        f"'{value}' is not of the type '{f.name}' expects ({where}).",
        "wrong-kind",
    )


def _unknown(f: Field, value: str) -> Problem:
    where = ", ".join([*(f"…/id/{s}/" for s in f.segments), *([f.namespace] if f.namespace else [])])
    return _problem(
        f,
        f"No hay ninguna entidad «{value}» en el grafo (se buscó en {where}).",
        f"There is no entity '{value}' in the graph (looked in {where}).",
        "unknown-reference",
    )


def _resolve_class(ctx: Context, f: Field, value: str) -> str:
    wanted = slugify(value.removeprefix("ga:"))
    for cls in f.choices:
        local = cls.rsplit("#", 1)[-1]
        names = {slugify(cls), slugify(local)}
        for q in ctx.quads(cls):
            if q.predicate.value == RDFS + "label" and isinstance(q.object, ox.Literal):
                names.add(slugify(q.object.value))
        if value == cls or wanted in names:
            return cls
    options = ", ".join(c.rsplit("#", 1)[-1] for c in f.choices)
    raise invalid(
        [
            _problem(
                f,
                f"Tipo desconocido «{value}»; elija entre: {options}.",
                f"Unknown type '{value}'; choose from: {options}.",
                "unknown-type",
            )
        ]
    )


def field_objects(
    ctx: Context, f: Field, value: Any, pending: Mapping[str, Kind] | None = None
) -> list[ox.NamedNode | ox.Literal]:
    """The objects of the statements a field value makes (empty for ``None`` or ``[]``)."""
    if value is None:
        return []
    if f.kind == "text":
        texts = _texts(value, f.many)
        return [ox.Literal(t, language=lang) for lang, items in texts.items() for t in dict.fromkeys(items)]
    items = value if isinstance(value, list) else [value]
    out: list[ox.NamedNode | ox.Literal] = []
    problems: list[Problem] = []
    for item in items:
        if f.kind in {"iri", "class", "link"}:
            try:
                out.append(ox.NamedNode(resolve(ctx, f, str(item), pending)))
            except EntityError as exc:
                problems.extend(exc.problems)
        else:
            out.append(_literal(f, item))
    if problems:
        raise invalid(problems)
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- building changes


def slug_for(kind: Kind, values: Mapping[str, Any], slug: str | None = None) -> str:
    """The slug of a new entity: the one given, else made from its Spanish label (cut at a word, at most
    :data:`MAX_SLUG` characters)."""
    if slug:
        if not SLUG.match(slug) or len(slug) > MAX_SLUG:
            raise invalid(
                [
                    Problem(
                        "slug",
                        _msg(
                            "El identificador solo lleva minúsculas sin acentos, cifras y guiones.",
                            "The slug has only lower-case ASCII letters, digits and hyphens.",
                        ),
                        code="slug",
                    )
                ]
            )
        return slug
    label = _texts(values.get("label"), False).get("es", [])
    made = slugify(label[0]) if label else ""
    if len(made) > MAX_SLUG:
        made = made[:MAX_SLUG].rsplit("-", 1)[0]
    if not made:
        raise invalid(
            [
                Problem(
                    "label",
                    _msg(
                        "Falta el nombre en español (con letras o cifras): el IRI nuevo se forma con él.",
                        "The Spanish name (with letters or digits) is missing: the new IRI is made from it.",
                    ),
                    shape="SpanishLabel-label",
                    code="missing-label",
                )
            ]
        )
    return made


#: what ``gs:SpanishLabel-label`` says; checked here too, before the write, so that the answer names the field
#: at once (the writer's validation checks the shape as well)
SPANISH_LABEL = _msg(
    "Falta la etiqueta en español (rdfs:label con @es).", "Missing Spanish label (rdfs:label with @es)."
)


def _spanish_label(values: Mapping[str, Any], iri: str) -> None:
    if "label" in values and not _texts(values.get("label"), False).get("es"):
        raise invalid([Problem("label", SPANISH_LABEL, shape="SpanishLabel-label", focus=iri, code="shape")])


def create_quads(
    ctx: Context,
    kind: Kind,
    values: Mapping[str, Any],
    slug: str | None = None,
    pending: Mapping[str, Kind] | None = None,
) -> tuple[str, list[ox.Quad]]:
    """The IRI and the statements of a new entity of ``kind`` with ``values`` (already validated by
    :func:`create_model_for`). 409 when the IRI is taken; 400 naming the fields whose references do not resolve."""
    slug = slug_for(kind, values, slug or values.get("slug"))
    iri = ctx.iri(kind, slug)
    _spanish_label({"label": values.get("label")}, iri)
    if ctx.store.contains(iri) or iri in (pending or {}):
        raise EntityError(
            409,
            _msg(
                f"Ya existe <{iri}>: elija otro nombre o dé un «slug» propio.",
                f"<{iri}> already exists: choose another name or give a 'slug' of your own.",
            ),
            [Problem("slug", _msg("Identificador ya usado.", "Slug already taken."), focus=iri, code="exists")],
        )
    graph = ox.NamedNode(ctx.contributions)
    subject = ox.NamedNode(iri)
    quads = [ox.Quad(subject, ox.NamedNode(RDF_TYPE), ox.NamedNode(kind.cls), graph)]
    problems: list[Problem] = []
    for f in kind.fields:
        try:
            objects = field_objects(ctx, f, values.get(f.name), {**(pending or {}), iri: kind})
        except EntityError as exc:
            problems.extend(exc.problems)
            continue
        quads.extend(ox.Quad(subject, ox.NamedNode(f.predicate), o, graph) for o in objects)
    if problems:
        raise invalid(problems)
    return iri, list(dict.fromkeys(quads))


def change(
    add: Iterable[ox.Quad] = (),
    remove: Iterable[ox.Quad] = (),
    *,
    actor: str,
    method: str = "api",
    source: str | None = None,
    note: str = "",
    subjects: Iterable[str] = (),
) -> Change:
    return Change(
        add=tuple(add),
        remove=tuple(remove),
        actor=actor,
        method=method,
        source=source,
        note=note,
        subjects=frozenset(subjects),
    )


def build_create(
    ctx: Context,
    kind: Kind,
    values: Mapping[str, Any],
    *,
    actor: str,
    method: str = "api",
    source: str | None = None,
    slug: str | None = None,
) -> tuple[str, Change]:
    """The :class:`Change` that creates an entity (see :func:`create_quads`)."""
    iri, quads = create_quads(ctx, kind, values, slug)
    return iri, change(quads, actor=actor, method=method, source=source, note=f"create {kind.name}", subjects={iri})


def existing(ctx: Context, kind: Kind, iri: str) -> list[ox.Quad]:
    """The statements about an entity of ``kind``; 404 when there is none of that kind at ``iri``."""
    quads = ctx.quads(iri)
    if not quads or not ctx.is_a(_types(quads), kind.cls):
        raise EntityError(
            404,
            _msg(
                f"No hay {kind.label_es.lower()} <{iri}>.",
                f"There is no {kind.label_en.lower()} <{iri}>.",
            ),
        )
    return quads


def _writable(ctx: Context, kind: Kind, iri: str, quads: list[ox.Quad]) -> None:
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} & ctx.read_only)
    if graphs:
        raise EntityError(
            403,
            _msg(
                f"<{iri}> viene de los datos fuente del proyecto ({', '.join(f'<{g}>' for g in graphs)}), de solo "
                "lectura para el servicio: corríjalo en su archivo de data/ o pida el cambio a quien mantiene los "
                "datos.",
                f"<{iri}> comes from the project's source data ({', '.join(f'<{g}>' for g in graphs)}), read-only "
                "for the service: correct it in its file under data/ or ask the data maintainers.",
            ),
        )


def build_update(
    ctx: Context,
    kind: Kind,
    iri: str,
    values: Mapping[str, Any],
    *,
    actor: str,
    method: str = "api",
    source: str | None = None,
) -> Change:
    """The :class:`Change` that replaces the values of the fields in ``values`` (only those): the entity's
    statements with those predicates go, the new values come into the contributions graph. 404 unknown entity,
    403 source data, 400 bad references."""
    quads = existing(ctx, kind, iri)
    _writable(ctx, kind, iri, quads)
    _spanish_label(values, iri)
    graph = ox.NamedNode(ctx.contributions)
    subject = ox.NamedNode(iri)
    add: list[ox.Quad] = []
    remove: list[ox.Quad] = []
    problems: list[Problem] = []
    for name, value in values.items():
        f = kind.field(name)
        if f is None:
            continue
        remove += [
            q
            for q in quads
            if q.predicate.value == f.predicate and not (f.predicate == RDF_TYPE and q.object.value == kind.cls)
        ]
        try:
            add += [ox.Quad(subject, ox.NamedNode(f.predicate), o, graph) for o in field_objects(ctx, f, value)]
        except EntityError as exc:
            problems.extend(exc.problems)
    if problems:
        raise invalid(problems)
    fields = ", ".join(sorted(values))
    return change(add, remove, actor=actor, method=method, source=source, note=f"update {fields}", subjects={iri})


def build_retire(
    ctx: Context,
    kind: Kind,
    iri: str,
    on: date,
    reason: Any,
    *,
    actor: str,
    source: str | None = None,
) -> Change:
    """The :class:`Change` (method ``retire``) that marks an entity retired on ``on`` with a short ``reason``; the
    entity and its history stay. 404 unknown, 403 source data, 409 already retired."""
    quads = existing(ctx, kind, iri)
    _writable(ctx, kind, iri, quads)
    if any(q.predicate.value == RETIRED_ON for q in quads):
        raise EntityError(409, _msg(f"<{iri}> ya está retirada.", f"<{iri}> is already retired."))
    texts = _texts(reason, False)
    if not texts:
        raise invalid([Problem("reason", _msg("Falta el motivo.", "The reason is missing."), code="missing")])
    graph = ox.NamedNode(ctx.contributions)
    subject = ox.NamedNode(iri)
    add = [
        ox.Quad(
            subject, ox.NamedNode(RETIRED_ON), ox.Literal(on.isoformat(), datatype=ox.NamedNode(XSD + "date")), graph
        )
    ]
    add += [
        ox.Quad(subject, ox.NamedNode(RETIREMENT_NOTE), ox.Literal(t, language=lang), graph)
        for lang, items in texts.items()
        for t in items
    ]
    return change(add, actor=actor, method="retire", source=source, note=f"retire {kind.name}", subjects={iri})


# ---------------------------------------------------------------- reading back


def _python(f: Field, term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Any:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    value = term.value
    try:
        if f.kind in {"year", "integer"}:
            return int(value[:4] if f.kind == "year" and len(value) > 4 and value[4] == "-" else value)
        if f.kind == "decimal":
            return float(value)
        if f.kind == "boolean":
            return value in {"true", "1"}
    except ValueError:
        return value
    return value


def field_value(f: Field, objects: list[ox.NamedNode | ox.Literal | ox.BlankNode], base_class: str = "") -> Any:
    """The JSON value of a field from the objects of its statements."""
    if f.kind == "text":
        by_lang: dict[str, list[str]] = {}
        for o in objects:
            if isinstance(o, ox.Literal) and o.language in LANGS:
                by_lang.setdefault(o.language, []).append(o.value)
        if f.many:
            return {lang: sorted(by_lang.get(lang, [])) for lang in LANGS}
        return {lang: sorted(by_lang[lang])[0] if lang in by_lang else None for lang in LANGS}
    values = [_python(f, o) for o in objects if not (f.kind == "class" and getattr(o, "value", None) == base_class)]
    if f.many:
        return sorted(values, key=str)
    return sorted(values, key=str)[0] if values else None


def read_entity(ctx: Context, kind: Kind, iri: str) -> dict[str, Any] | None:
    """An entity of ``kind`` as field values (``None`` if there is none at ``iri``): ``iri``, ``kind``, ``slug``,
    ``href``, every field, ``retired`` (``{"on", "note"}`` or ``null``) and ``source_data`` (true when some of its
    statements are the project's source data, which the service does not change)."""
    quads = ctx.quads(iri)
    if not quads or not ctx.is_a(_types(quads), kind.cls):
        return None
    by_predicate: dict[str, list[Any]] = {}
    for q in quads:
        by_predicate.setdefault(q.predicate.value, []).append(q.object)
    prefix = f"{ctx.id_base}{kind.segment}/"
    out: dict[str, Any] = {
        "iri": iri,
        "kind": kind.name,
        "slug": iri[len(prefix) :] if iri.startswith(prefix) else None,
        "href": "/" + iri[len(ctx.base) :] if iri.startswith(ctx.base) else None,
    }
    for f in kind.fields:
        out[f.name] = field_value(f, list(dict.fromkeys(by_predicate.get(f.predicate, []))), kind.cls)
    retired_on = [o.value for o in by_predicate.get(RETIRED_ON, [])]
    notes = field_value(LABEL, by_predicate.get(RETIREMENT_NOTE, []))
    out["retired"] = {"on": min(retired_on), "note": notes} if retired_on else None
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    out["source_data"] = bool(graphs & ctx.read_only)
    return out


# ---------------------------------------------------------------- shapes findings → fields


def problems_from_findings(
    findings: Iterable[Any], kinds: Mapping[str, Kind], values: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Problem]:
    """Findings of a validation report (:class:`graphapp.validation.Finding`) as :class:`Problem` s: the field is
    the one whose predicate is the result's path, else (SPARQL constraints, which name no path) the one holding the
    offending value. ``kinds`` maps the IRIs of the entities written to their kind, ``values`` to the values
    given."""
    problems = []
    for finding in findings:
        kind = kinds.get(finding.focus)
        name = None
        if kind is not None:
            f = kind.by_predicate(finding.path) if finding.path else None
            if f is None and finding.value is not None:
                f = _holding(kind, (values or {}).get(finding.focus, {}), finding.value)
            name = f.name if f else None
        messages = {lang: finding.message(lang) for lang in LANGS}
        shape = finding.shape.rsplit("#", 1)[-1] if finding.shape else None
        code = "shape" if finding.severity == "Violation" else "warning"
        problems.append(Problem(name, messages, shape=shape, focus=finding.focus, code=code))
    return problems


def _holding(kind: Kind, values: Mapping[str, Any], value: str) -> Field | None:
    for f in kind.fields:
        given = values.get(f.name)
        items = given if isinstance(given, list) else [given]
        if any(str(v) == value or str(v).rsplit("/", 1)[-1] == value.rsplit("/", 1)[-1] for v in items if v):
            return f
    return None


# ---------------------------------------------------------------- RDF bodies (Turtle, JSON-LD)

RDF_MEDIA = {"text/turtle": ox.RdfFormat.TURTLE, "application/ld+json": ox.RdfFormat.JSON_LD}


def values_from_rdf(ctx: Context, kind: Kind, body: bytes, media: str) -> dict[str, Any]:
    """The JSON body (field values and ``slug``) that a Turtle or JSON-LD description of one new entity of ``kind``
    amounts to, to be validated as JSON bodies are. 400 for a syntax error, blank nodes, named graphs, more than one
    subject, a subject outside ``…/id/<segment>/``, a type other than the kind's, or a predicate no field has."""
    try:
        quads = list(ox.parse(body, format=RDF_MEDIA[media]))
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        raise invalid(
            [Problem(None, _msg(f"Error de sintaxis: {exc}", f"Syntax error: {exc}"), code="syntax")]
        ) from None

    def bad(es: str, en: str, code: str) -> EntityError:
        return invalid([Problem(None, _msg(es, en), code=code)])

    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise bad("No se aceptan grafos con nombre.", "Named graphs are not accepted.", "named-graph")
    if any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
        raise bad(
            "No se aceptan nodos en blanco: dé un IRI a cada entidad.",
            "Blank nodes are not accepted: give every entity an IRI.",
            "blank-node",
        )
    subjects = sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)})
    outside = [s for s in subjects if not s.startswith(ctx.id_base)]
    if outside:
        raise bad(
            f"Sujetos fuera del espacio de nombres {ctx.id_base}: {', '.join(outside)}.",
            f"Subjects outside the namespace {ctx.id_base}: {', '.join(outside)}.",
            "outside-namespace",
        )
    if len(subjects) != 1:
        raise bad(
            f"Se espera la descripción de una sola entidad; hay {len(subjects)}. Para muchas, use la importación CSV.",
            f"Expected the description of one entity; there are {len(subjects)}. For many, use the CSV import.",
            "one-entity",
        )
    subject = subjects[0]
    prefix = f"{ctx.id_base}{kind.segment}/"
    slug = subject[len(prefix) :] if subject.startswith(prefix) else ""
    if not SLUG.match(slug):
        raise bad(
            f"<{subject}> no es un IRI de {kind.label_es.lower()} ({prefix}<slug>).",
            f"<{subject}> is not an IRI of a {kind.label_en.lower()} ({prefix}<slug>).",
            "wrong-kind",
        )
    types = [q.object.value for q in quads if q.predicate.value == RDF_TYPE]
    if not ctx.is_a(types, kind.cls):
        raise bad(
            f"<{subject}> no tiene el tipo <{kind.cls}>.", f"<{subject}> does not have the type <{kind.cls}>.", "type"
        )
    data: dict[str, Any] = {"slug": slug}
    problems: list[Problem] = []
    by_field: dict[str, list[ox.NamedNode | ox.Literal]] = {}
    for q in quads:
        p = q.predicate.value
        f = kind.by_predicate(p)
        if p == RDF_TYPE and q.object.value == kind.cls:
            continue
        if f is None and p == RDF_TYPE:
            problems.append(
                Problem(
                    None,
                    _msg(
                        f"Tipo <{q.object.value}> no admitido para {kind.label_es.lower()}.",
                        f"Type <{q.object.value}> is not accepted for a {kind.label_en.lower()}.",
                    ),
                    code="type",
                )
            )
            continue
        if f is None:
            problems.append(
                Problem(
                    None, _msg(f"Propiedad desconocida <{p}>.", f"Unknown property <{p}>."), code="unknown-property"
                )
            )
            continue
        by_field.setdefault(f.name, []).append(q.object)  # type: ignore[arg-type]
    for name, objects in by_field.items():
        f = kind.field(name)
        assert f is not None  # noqa: S101 - from by_predicate
        try:
            data[name] = _json_value(f, objects)
        except EntityError as exc:
            problems.extend(exc.problems)
    if problems:
        raise invalid(problems)
    return data


def _json_value(f: Field, objects: list[ox.NamedNode | ox.Literal]) -> Any:
    if f.kind == "text":
        texts: dict[str, list[str]] = {}
        for o in objects:
            if not isinstance(o, ox.Literal) or o.language not in LANGS:
                raise invalid(
                    [
                        _problem(
                            f,
                            "Un texto lleva su idioma: @es o @en.",
                            "A text carries its language: @es or @en.",
                            "language",
                        )
                    ]
                )
            texts.setdefault(o.language, []).append(o.value)
        if not f.many and any(len(v) > 1 for v in texts.values()):
            raise invalid([_problem(f, "Un solo texto por idioma.", "One text per language.", "max-count")])
        return texts if f.many else {lang: v[0] for lang, v in texts.items()}
    items: list[Any] = []
    for o in objects:
        is_iri = isinstance(o, ox.NamedNode)
        if (f.kind in {"iri", "class", "link"}) != is_iri:
            want = _msg("un IRI", "an IRI") if not is_iri else _msg("un literal", "a literal")
            raise invalid([_problem(f, f"Se espera {want['es']}.", f"Expected {want['en']}.", "node-kind")])
        items.append(o.value)
    if not f.many and len(items) > 1:
        raise invalid([_problem(f, "Se espera un solo valor.", "Expected a single value.", "max-count")])
    return items if f.many else items[0]
