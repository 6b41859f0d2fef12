"""The OpenAPI description in Spanish, for the API page (``/docs``) a Spanish reader sees.

The description itself (``/openapi.json``) stays one document in English: it is a contract that programs read
and compare, and every route declares its summary in English next to its code. The API page reads a copy with
the operation summaries and the tag names in Spanish (``/docs?format=json&lang=es``, :func:`in_spanish`). The
Spanish words are kept here, keyed by the English summary: a summary changed or added without its Spanish fails
``tests/test_wording.py``.
"""

from __future__ import annotations

import copy
from typing import Any

#: the Spanish summary of each operation, by its English summary
SUMMARIES_ES: dict[str, str] = {
    # pages
    "Home page (HTML) / headline figures (JSON)": "Página de inicio (HTML) / cifras principales (JSON)",
    "Search entities by name (accent- and case-insensitive)": "Buscar entidades por nombre (sin distinguir acentos "
    "ni mayúsculas)",
    "Any entity: HTML page or its RDF description": "Cualquier entidad: su página HTML o su descripción RDF",
    "A named graph: its record (what it holds and its source), as a page, JSON or RDF": "Un grafo con nombre: su "
    "ficha (qué contiene y su fuente), como página, JSON o RDF",
    "The ontology: classes and properties with labels and definitions": "La ontología: clases y propiedades con "
    "etiquetas y definiciones",
    "The UN's 17 Sustainable Development Goals, each linked to its page": "Los 17 Objetivos de Desarrollo "
    "Sostenible de la ONU, cada uno enlazado a su página",
    "An SDG goal, target or indicator of the UN, as the graph describes it": "Un objetivo, meta o indicador de "
    "los ODS de la ONU, como lo describe el grafo",
    "Any other external resource the graph describes (e.g. a term of a reused vocabulary)": "Cualquier otro "
    "recurso externo que el grafo describe (p. ej. un término de un vocabulario reutilizado)",
    "The change history of an entity (HTML) or its JSON twin": "El historial de cambios de una entidad (HTML) o "
    "su gemelo JSON",
    "Undo a change of the entity (staff; from the history page)": "Deshacer un cambio de la entidad (personal; "
    "desde la página del historial)",
    # SPARQL
    "SPARQL query (GET) or query page / service description": "Consulta SPARQL (GET) o página de consulta / "
    "descripción del servicio",
    "SPARQL query (POST form or application/sparql-query)": "Consulta SPARQL (formulario POST o "
    "application/sparql-query)",
    "SPARQL update (bearer token)": "Actualización SPARQL (token de portador)",
    # dataset
    "VoID/DCAT description of the dataset": "Descripción VoID/DCAT del conjunto de datos",
    "Download the public graph": "Descargar el grafo público",
    "How to cite the dataset": "Cómo citar el conjunto de datos",
    "The releases of the graph": "Las publicaciones del grafo",
    "Freeze the current version as a release (staff with the role admin)": "Congelar la versión actual como "
    "publicación (personal con el rol admin)",
    "A release: its record, what changed since the one before, how to cite it": "Una publicación: su registro, qué "
    "cambió desde la anterior, cómo citarla",
    "Download a release": "Descargar una publicación",
    "How to cite a release": "Cómo citar una publicación",
    "What the query editor completes: the prefixes, classes and properties of the graph": "Lo que completa el "
    "editor de consultas: los prefijos, clases y propiedades del grafo",
    "How to cite a query: the query, the graph version and a link that re-runs it on that version": "Cómo citar "
    "una consulta: la consulta, la versión del grafo y un enlace que la vuelve a ejecutar sobre esa versión",
    # graph views
    "The graph views, with a sentence on each": "Las vistas del grafo, con una frase sobre cada una",
    "The whole graph, coloured by class (filterable)": "Todo el grafo, coloreado por clase (filtrable)",
    "What surrounds an entity, 1 to 3 links away": "Lo que rodea a una entidad, a uno, dos o tres enlaces",
    "A commitment's problem tree: effects, central problem, causes; key actions and activities": "El árbol de "
    "problemas de un compromiso: efectos, problema central, causas; acciones clave y actividades",
    "The Local Technical Secretariats: sectors, seats and members": "Los Secretariados Técnicos Locales: "
    "sectores, lugares e integrantes",
    "Milestones and national action plans on a timeline": "Hitos y planes de acción nacionales en una línea de tiempo",
    "SDG goals, targets and what contributes to them": "Objetivos y metas de los ODS y lo que contribuye a ellos",
    "The 2017 open-government index: the 32 states on a map, the State of Mexico municipalities ranked": "El "
    "índice de gobierno abierto 2017: los 32 estados en un mapa y los municipios del Estado de México en orden",
    # analytics
    "Network analytics: what each measure tells, with links to them": "Analítica de redes: qué dice cada medida, "
    "con enlaces a ellas",
    "The most central organisations and people, by degree and by betweenness": "Las organizaciones y personas "
    "más centrales, por grado y por intermediación",
    "How are two entities connected? Shortest paths between them": "¿Cómo se conectan dos entidades? Los caminos "
    "más cortos entre ellas",
    "Connected components of the graph": "Componentes conexos del grafo",
    # practice finder
    "Practice finder: search page (HTML) or its JSON twin": "Buscador de prácticas: página de búsqueda (HTML) o su "
    "gemelo JSON",
    "Compare two or three practices side by side (HTML) or as JSON": "Comparar dos o tres prácticas lado a lado "
    "(HTML) o en JSON",
    "Find practices by the problem they solved": "Buscar prácticas por el problema que resolvieron",
    "The thesaurus of public-problem themes, with synonyms and practice counts": "El tesauro de temas de "
    "problemas públicos, con sinónimos y número de prácticas",
    # staff: entities and history
    "The kinds of entity staff can add, and their fields": "Los tipos de entidad que el personal puede añadir, y "
    "sus campos",
    "Add an entity (JSON, Turtle or JSON-LD)": "Añadir una entidad (JSON, Turtle o JSON-LD)",
    "Read an entity as field values": "Leer una entidad como valores de campos",
    "Correct some fields of an entity": "Corregir algunos campos de una entidad",
    "Retire an entity (it stays, with its history)": "Retirar una entidad (se conserva, con su historial)",
    "The changes of an entity, newest first": "Los cambios de una entidad, el más reciente primero",
    "One change of the history": "Un cambio del historial",
    "Undo a change (as a new change)": "Deshacer un cambio (como un cambio nuevo)",
    # staff access
    "Sign-in page for staff (forms)": "Página de acceso del personal (formularios)",
    "Sign in with a staff token (sets the session cookie)": "Entrar con un token del personal (crea la cookie de "
    "sesión)",
    "Sign out (ends the session cookie)": "Salir (termina la cookie de sesión)",
    "Staff accounts (administrators only)": "Cuentas del personal (solo administradores)",
    # staff: forms
    "Form: a new best practice (staff)": "Formulario: una buena práctica nueva (personal)",
    "Add a best practice from the form (staff)": "Añadir una buena práctica desde el formulario (personal)",
    "Form: a new civil-society organisation (staff)": "Formulario: una organización de la sociedad civil nueva "
    "(personal)",
    "Add a civil-society organisation from the form (staff)": "Añadir una organización de la sociedad civil desde "
    "el formulario (personal)",
    "Form: a new source document (staff)": "Formulario: un documento fuente nuevo (personal)",
    "Add a source document from the form (staff)": "Añadir un documento fuente desde el formulario (personal)",
    "Form: correct an entity (staff)": "Formulario: corregir una entidad (personal)",
    "Correct an entity from the form (staff)": "Corregir una entidad desde el formulario (personal)",
    # staff: CSV import
    "Form: import a CSV file (staff)": "Formulario: importar un archivo CSV (personal)",
    "Upload a CSV file and preview its import (staff)": "Subir un archivo CSV y ver su importación antes de "
    "hacerla (personal)",
    "The preview of a CSV import (HTML) or its JSON twin (staff)": "La vista previa de una importación CSV (HTML) "
    "o su gemelo JSON (personal)",
    "Import the previewed CSV file, all or nothing (staff)": "Importar el archivo CSV revisado, todo o nada (personal)",
    "Import a CSV file (staff; all or nothing, or a dry run)": "Importar un archivo CSV (personal; todo o nada, o "
    "un ensayo)",
    # operations
    "Liveness: the process answers (no store access)": "Vida: el proceso responde (sin consultar el almacén)",
    "Readiness: the store answers a real query": "Disponibilidad: el almacén responde una consulta real",
    "Prometheus metrics (this machine, or with the metrics token)": "Métricas de Prometheus (desde esta máquina, "
    "o con el token de métricas)",
}

#: the Spanish name of each tag (the sections of the API page)
TAGS_ES: dict[str, str] = {
    "Pages": "Páginas",
    "SPARQL": "SPARQL",
    "Dataset": "Conjunto de datos",
    "Graph views": "Vistas del grafo",
    "Analytics": "Analítica",
    "Practice finder": "Buscador de prácticas",
    "Staff: entities and history": "Personal: entidades e historial",
    "Staff access": "Acceso del personal",
    "Staff: forms": "Personal: formularios",
    "Staff: CSV import": "Personal: importación CSV",
    "Operations": "Operación",
}


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation object of an OpenAPI document."""
    return [op for item in schema.get("paths", {}).values() for op in item.values() if isinstance(op, dict)]


def untranslated(schema: dict[str, Any]) -> list[str]:
    """The summaries and tags of ``schema`` that have no Spanish here (for the test that keeps them complete)."""
    missing = []
    for op in operations(schema):
        if op.get("summary") and op["summary"] not in SUMMARIES_ES:
            missing.append(op["summary"])
        missing += [tag for tag in op.get("tags", []) if tag not in TAGS_ES]
    return sorted(set(missing))


def in_spanish(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of the OpenAPI document with its operation summaries and tags in Spanish (an English one without
    its Spanish stays as it is)."""
    spanish = copy.deepcopy(schema)
    for op in operations(spanish):
        if op.get("summary"):
            op["summary"] = SUMMARIES_ES.get(op["summary"], op["summary"])
        if op.get("tags"):
            op["tags"] = [TAGS_ES.get(tag, tag) for tag in op["tags"]]
    info = spanish.get("info", {})
    if " / " in str(info.get("summary", "")):
        info["summary"] = str(info["summary"]).split(" / ")[0]  # the bilingual summary: its Spanish half
    return spanish
