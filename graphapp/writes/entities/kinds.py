"""The declarations: each kind of entity staff add and correct, and its fields.

Each :class:`Kind` (best practice, civil-society organisation, institution, commitment, key action, activity,
problem, local exercise, source document) names its class, the path segment of its IRIs
(``…/id/<segment>/<slug>``, as the data already uses them) and its :class:`Field` s: the JSON name (English
snake_case), the Spanish CSV header, the labels for forms, the predicate and the kind of value. What is required
follows the SHACL shapes (``shapes/core.ttl``);
the shapes stay the judge. The JSON API, the CSV import and the forms all read these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from ...iris import GA, SDG, WD

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
ga = str(GA)

RETIRED_ON = ga + "retiredOn"
RETIREMENT_NOTE = ga + "retirementNote"
LANGS = ("es", "en")

ValueKind = Literal["text", "string", "iri", "class", "link", "year", "date", "integer", "decimal", "boolean"]

PLACES = (ga + "Country", ga + "FederalEntity", ga + "Municipality")
PLACE_SEGMENTS = ("entidad", "municipio", "pais")


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
    datatype: str = ""  # kind "string": the literal's datatype (none: a plain string)
    or_year: bool = False  # kind "date": a four-digit year is taken too (xsd:gYear)

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
        if self.datatype:
            out["datatype"] = self.datatype
        if self.or_year:
            out["or_year"] = True
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
PLACE = _f("place", "lugar", "Lugar", "Place", DCTERMS + "spatial", "iri", range=PLACES, segments=PLACE_SEGMENTS)
PROGRAMME = _f(
    "programme", "programa", "Programa", "Programme", ga + "programme", "iri",
    range=(ga + "Programme",), segments=("programa",),
)  # fmt: skip
PLAN = _f(
    "plan", "plan de acción", "Plan de acción", "Action plan", ga + "plan", "iri",
    range=(ga + "ActionPlan",), segments=("plan",),
)  # fmt: skip
ORDINAL = _f("ordinal", "número", "Número de orden", "Ordinal", ga + "ordinal", "integer")
ORGANISATIONS = (ORG + "Organization",)
ORG_SEGMENTS = ("institucion", "organizacion")

PRACTICE = Kind(
    "practice", "practices", ga + "BestPractice", "practica", "Buena práctica", "Best practice",
    (
        LABEL,
        replace(PLACE, required=True),
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
        PROGRAMME,
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
        replace(PLAN, required=True),
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
        PLACE,
        THEMES,
        EDITORIAL_NOTE,
    ),
)  # fmt: skip

LOCAL_EXERCISE = Kind(
    "local-exercise", "local-exercises", ga + "LocalExercise", "ejercicio",
    "Ejercicio local de gobierno abierto", "Local open-government exercise",
    (
        LABEL,
        replace(PROGRAMME, required=True),
        _f("secretariat", "secretariado técnico local", "Secretariado Técnico Local (STL)",
           "Local Technical Secretariat (STL)", ga + "secretariat", "iri", required=True,
           range=(ga + "LocalTechnicalSecretariat",), segments=("stl",)),
        PLACE,
        PLAN,
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

#: who may write a source: an organisation (public or not) or a person
AGENTS = (ORG + "Organization", FOAF + "Person")
AGENT_SEGMENTS = ("institucion", "organizacion", "persona")
ANY_URI = XSD + "anyURI"

#: a source document, modelled as the presentation's own (data/presentacion/fuentes.ttl)
SOURCE = Kind(
    "source", "sources", DCTERMS + "BibliographicResource", "fuente", "Fuente documental", "Source document",
    (
        LABEL,
        _f("title", "título", "Título", "Title", DCTERMS + "title", "text"),
        _f("creators", "autoría", "Autoría", "Author(s)", DCTERMS + "creator", "iri", many=True, range=AGENTS,
           segments=AGENT_SEGMENTS),
        _f("publisher", "publica", "Quién lo publica", "Publisher", DCTERMS + "publisher", "iri",
           range=ORGANISATIONS, segments=ORG_SEGMENTS),
        _f("issued", "fecha", "Fecha de publicación", "Publication date", DCTERMS + "issued", "date", or_year=True),
        _f("url", "dirección", "Dirección (URL)", "Address (URL)", SCHEMA + "url", "string", datatype=ANY_URI),
        _f("accessed_on", "consultada el", "Consultada el", "Accessed on", ga + "accessedOn", "date"),
        _f("citation", "cita", "Cita bibliográfica", "Bibliographic citation", DCTERMS + "bibliographicCitation",
           "string"),
        DESCRIPTION,
        EDITORIAL_NOTE,
    ),
)  # fmt: skip

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (PRACTICE, ORGANISATION, INSTITUTION, COMMITMENT, KEY_ACTION, ACTIVITY, PROBLEM, LOCAL_EXERCISE, SOURCE)
}
KINDS_BY_PLURAL: dict[str, Kind] = {k.plural: k for k in KINDS.values()}
