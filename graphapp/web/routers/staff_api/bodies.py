"""The request bodies of the staff JSON API, documented: the schema of each kind (generated from the
declarations, :mod:`graphapp.writes.entities`) and examples in JSON, Turtle and JSON-LD."""

from __future__ import annotations

from typing import Any

from ....writes.entities import KINDS, RetireBody, create_model_for, update_model_for
from .answers import JSON

_TURTLE_EXAMPLE = """@prefix ga: <https://w3id.org/gakg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/gakg/id/> .

<https://w3id.org/gakg/id/practica/mapa-abierto-de-bachilleratos-de-toluca> a ga:BestPractice ;
    rdfs:label "Mapa abierto de bachilleratos de Toluca"@es , "Open map of Toluca upper-secondary schools"@en ;
    dcterms:spatial <https://w3id.org/gakg/id/municipio/15106> ;
    ga:addressesProblem <https://w3id.org/gakg/id/problema/desinformacion-para-elegir-bachillerato> ;
    ga:solution "Un mapa abierto con la oferta y los resultados de cada bachillerato."@es ;
    ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;
    dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> .
"""
_JSONLD_EXAMPLE = {
    "@context": {
        "ga": "https://w3id.org/gakg/ontology#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "dcterms": "http://purl.org/dc/terms/",
    },
    "@id": "https://w3id.org/gakg/id/problema/baches-en-calles-de-metepec",
    "@type": "ga:Problem",
    "rdfs:label": {"@value": "Baches en las calles de Metepec", "@language": "es"},
    "dcterms:spatial": {"@id": "https://w3id.org/gakg/id/municipio/15054"},
}
_CREATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "practice": {
        "summary": "A best practice (POST /api/entities/practice)",
        "value": {
            "label": {
                "es": "Mapa abierto de bachilleratos de Toluca",
                "en": "Open map of Toluca upper-secondary schools",
            },
            "place": "municipio/15106",
            "addresses_problem": "desinformacion-para-elegir-bachillerato",
            "solution": {"es": "Un mapa abierto con la oferta y los resultados de cada bachillerato."},
            "status": "activa",
            "sources": ["cocreacion-desde-lo-local-inai-2020"],
            "themes": ["eleccion-escolar"],
            "contributes_to": ["4"],
        },
    },
    "problem": {
        "summary": "A public problem (POST /api/entities/problem)",
        "value": {"label": "Baches en las calles de Metepec", "place": "municipio/15054"},
    },
    "organisation": {
        "summary": "A civil-society organisation (POST /api/entities/organisation)",
        "value": {"label": "Colectivo Ciudad Abierta A.C.", "jurisdiction": "estado-de-mexico"},
    },
    "source": {
        "summary": "A source document (POST /api/entities/source)",
        "value": {
            "label": {"es": "Informe anual del INFOEM (2023)", "en": "INFOEM annual report (2023)"},
            "title": "Informe anual de actividades 2023",
            "publisher": "institucion/infoem",
            "issued": "2024-03-15",
            "url": "https://www.infoem.org.mx/informe-2023.pdf",
        },
    },
}


def create_body() -> dict[str, Any]:
    schemas = [_inline(create_model_for(k).model_json_schema()) for k in KINDS.values()]
    return {
        "required": True,
        "description": "The new entity: JSON with the fields of its kind (see `GET /api/entities`; the schema of "
        "each kind is one of those below, titled `<Kind>Create`), or one entity in Turtle or JSON-LD, its IRI under "
        "`…/id/<segment>/` and its type the kind's class.",
        "content": {
            JSON: {"schema": {"anyOf": schemas}, "examples": _CREATE_EXAMPLES},
            "text/turtle": {
                "schema": {"type": "string"},
                "examples": {"practice": {"summary": "A best practice, in Turtle", "value": _TURTLE_EXAMPLE}},
            },
            "application/ld+json": {
                "schema": {"type": "object"},
                "examples": {"problem": {"summary": "A problem, in JSON-LD", "value": _JSONLD_EXAMPLE}},
            },
        },
    }


def update_body() -> dict[str, Any]:
    schemas = [_inline(update_model_for(k).model_json_schema()) for k in KINDS.values()]
    return {
        "required": True,
        "description": "The fields to replace (the others stay); `null` or `[]` removes a field's values.",
        "content": {
            JSON: {
                "schema": {"anyOf": schemas},
                "examples": {
                    "solution": {
                        "summary": "Correct a practice's solution and add its English text",
                        "value": {"solution": {"es": "Un mapa abierto y actualizado.", "en": "An open, updated map."}},
                    },
                    "inactive": {
                        "summary": "A practice stopped running in 2024",
                        "value": {"status": "inactiva", "inactive_since": 2024},
                    },
                },
            }
        },
    }


def retire_body() -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            JSON: {
                "schema": _inline(RetireBody.model_json_schema()),
                "examples": {
                    "duplicate": {
                        "summary": "A duplicate",
                        "value": {"date": "2025-03-01", "reason": "Duplicada de otra práctica."},
                    },
                    "bilingual": {
                        "summary": "Reason in both languages, today",
                        "value": {"reason": {"es": "Ya no existe.", "en": "It no longer exists."}},
                    },
                },
            }
        },
    }


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON Schema with its ``$defs`` written in place (OpenAPI has no ``$defs`` inside operations)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    inlined: dict[str, Any] = walk(schema)
    return inlined
