"""The map view's layer for local open-government exercises (issue 17): which states took part in INAI's
«Cocreación desde lo local», installed a technical secretariat or published a local plan, and OGP Local members,
each from the sourced facts of data/reference/ogp-local.ttl."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import json_twin

ID = "https://w3id.org/gakg/id/"
SPARQL_STAGE = """
PREFIX ga: <https://w3id.org/gakg/ontology#>
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ga:FederalEntity ; ga:%s true }
"""


def _count(client: TestClient, prop: str) -> int:
    r = client.get("/sparql", params={"query": SPARQL_STAGE % prop}, headers={"Accept": "text/csv"})
    return int(r.text.splitlines()[1])


def test_the_layer_counts_what_the_sourced_facts_say(client: TestClient) -> None:
    local = json_twin(client, "/vistas/municipios")["local"]
    counts = {item["key"]: item["count"] for item in local["legend"]}
    plan = _count(client, "publishedLocalPlan")
    secretariat = _count(client, "hadTechnicalSecretariat")
    assert counts["plan"] == plan > 0
    # a state with a plan is drawn as a plan; the others with a secretariat as a secretariat
    assert counts["plan"] + counts["secretariat"] == secretariat
    assert sum(counts.values()) == 32  # every state of the map, grey where no source names it
    by_iri = {s["iri"]: s for s in local["states"]}
    assert by_iri[ID + "entidad/campeche"]["stage"] == "plan"
    assert by_iri[ID + "entidad/aguascalientes"]["stage"] == "unknown"
    members = {s["iri"]: s["member"] for s in local["members"]}
    assert members[ID + "entidad/jalisco"] == "2016"


def test_the_layer_is_drawn_with_titles_and_a_legend(client: TestClient) -> None:
    r = client.get("/vistas/municipios", params={"lang": "es"})
    assert r.status_code == 200
    assert 'id="ejercicios-locales"' in r.text
    assert "Campeche: publicó un plan de acción local." in r.text
    assert "Aguascalientes: ninguna fuente del grafo lo nombra." in r.text
    assert "Miembros de OGP Local" in r.text
    en = client.get("/vistas/municipios", params={"lang": "en"})
    assert "OGP Local member since 2016" in en.text
