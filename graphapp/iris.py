"""IRI conventions: one canonical base, readable slugs, and the namespaces used everywhere.

The data files are written against the canonical base ``https://w3id.org/gakg/``. A deployment may
serve them under another base (setting ``GRAPHAPP_BASE_IRI``); the store rewrites IRIs at load time,
so the files never change.
"""

from __future__ import annotations

import re
import unicodedata

import pyoxigraph as ox
from rdflib import Namespace

CANONICAL_BASE = "https://w3id.org/gakg/"

GA = Namespace(CANONICAL_BASE + "ontology#")
ID = Namespace(CANONICAL_BASE + "id/")
GRAPH = Namespace(CANONICAL_BASE + "graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
QB = Namespace("http://purl.org/linked-data/cube#")
SDG = Namespace("http://metadata.un.org/sdg/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")

#: the graph holding personal data; the public service never loads it
RESTRICTED_GRAPH = GRAPH["restricted/ciudadanos-inscritos"]

PREFIXES: dict[str, str] = {
    "ga": str(GA),
    "id": str(ID),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": str(ORG),
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": str(SCHEMA),
    "qb": str(QB),
    "sdg": str(SDG),
    "sdgo": str(SDGO),
    "wd": str(WD),
    "sh": "http://www.w3.org/ns/shacl#",
}

#: the entity types (``…/id/<tipo>/``) of the data, each published as a prefix of its own (``practica:``) in the
#: dumps, the Turtle of entity pages and the query page, so that no prefixed name needs an escaped slash
ENTITY_TYPES = (
    "accion-clave",
    "actividad",
    "actividad-editorial",
    "arbol",
    "area-aga",
    "articulo",
    "beneficio",
    "cargo",
    "cita",
    "compromiso",
    "compromiso-aga",
    "concepto",
    "contribucion",
    "dataset",
    "distintivo",
    "documento",
    "ejercicio",
    "elemento",
    "entidad",
    "esquema",
    "estado-vigencia",
    "evaluacion-irm",
    "evento",
    "fuente",
    "funcion",
    "grupo",
    "hecho",
    "hito",
    "iniciativa",
    "institucion",
    "ley",
    "mecanismo",
    "membresia",
    "metrica-2017",
    "municipio",
    "organizacion",
    "pais",
    "persona",
    "plan",
    "practica",
    "principio",
    "problema",
    "proceso",
    "programa",
    "regla",
    "resultado",
    "rol",
    "sector",
    "stl",
    "sujeto-obligado",
    "tema",
    "unidad",
)
TYPE_PREFIXES: dict[str, str] = {t: f"{ID}{t}/" for t in ENTITY_TYPES}

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ASCII slug with accents folded and words joined by hyphens.

    >>> slugify("Ayuntamiento de Nezahualcóyotl")
    'ayuntamiento-de-nezahualcoyotl'
    >>> slugify("  Métrica, Periodismo y Transparencia A.C. ")
    'metrica-periodismo-y-transparencia-a-c'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", folded.lower()).strip("-")


class InvalidIri(ValueError):
    """A string that cannot be an IRI (a space, ``<``, ``{``, a control character…): no entity can have it.

    ``parameter`` names where it came from (``problem``, ``p``, ``desde``…) when it came from a request."""

    def __init__(self, value: str, parameter: str | None = None, lang: str = "es") -> None:
        self.value = value
        self.parameter = parameter
        super().__init__(self.message(lang))

    def message(self, lang: str = "es") -> str:
        """One sentence for a reader, in ``lang`` (``es`` or ``en``), with the value shown escaped."""
        shown = repr(self.value if len(self.value) <= 200 else self.value[:200] + "…")
        if lang == "en":
            what = f"The parameter '{self.parameter}'" if self.parameter else "The value"
            return f"{what} is not a valid IRI: {shown}."
        what = f"El parámetro «{self.parameter}»" if self.parameter else "El valor"
        return f"{what} no es un IRI válido: {shown}."


def checked_iri(value: str, parameter: str | None = None) -> str:
    """The one gate from user input to an IRI: ``value`` if the engine accepts it as an IRI, else
    :class:`InvalidIri` (a ``ValueError``) naming ``parameter``.

    >>> checked_iri("https://w3id.org/gakg/id/practica/x")
    'https://w3id.org/gakg/id/practica/x'
    >>> checked_iri("https://w3id.org/gakg/id/a b", "problem")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    graphapp.iris.InvalidIri: El parámetro «problem» no es un IRI válido: 'https://w3id.org/gakg/id/a b'.
    """
    try:
        ox.NamedNode(value)
    except (ValueError, TypeError):
        raise InvalidIri(value, parameter) from None
    return value


def is_valid_iri(value: str) -> bool:
    """True if ``value`` can be an IRI (see :func:`checked_iri`)."""
    try:
        checked_iri(value)
    except InvalidIri:
        return False
    return True
