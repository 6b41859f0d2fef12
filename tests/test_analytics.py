"""Network analytics through HTTP: central actors, shortest paths, components; measures cached per graph version."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from graphapp import analytics

from .conftest import json_twin

ID = "https://w3id.org/gakg/id/"


_json = json_twin


def _error(client: TestClient, url: str, **params: object) -> tuple[int, str]:
    r = client.get(url, params={"lang": "es", **params}, headers={"Accept": "application/json"})
    return r.status_code, r.json()["message"]


def _actors(client: TestClient) -> set[str]:
    return {str(r["actor"]) for r in client.app.state.service.store.select("analytics-actors")}


# ---------------------------------------------------------------- centrality


def test_centrality_ranks_actors_only(client: TestClient) -> None:
    result = _json(client, "/analitica/centralidad")
    actors = _actors(client)
    for key, measure in (("by_degree", "degree"), ("by_betweenness", "betweenness")):
        rows = result[key]
        assert len(rows) == 20
        assert all(r["iri"] in actors for r in rows)
        values = [r[measure] for r in rows]
        assert values == sorted(values, reverse=True)
    assert result["network"] == "gobierno-abierto"
    assert result["by_degree"][0]["iri"] == ID + "stl/estado-de-mexico"
    assert result["by_degree"][0]["degree"] == 15  # 3 memberships (the Electoral Institute is only registered)
    top = [r["iri"] for r in result["by_betweenness"]]
    assert ID + "organizacion/alianza-para-el-gobierno-abierto" in top[:3]
    # the open-government network: INFOEM ranks among the first, no body measured only by the Métrica
    assert ID + "institucion/infoem" in top[:5]
    assert not any("/sujeto-obligado/" in iri for iri in top)


def test_centrality_with_the_measured_bodies(client: TestClient) -> None:
    result = _json(client, "/analitica/centralidad", red="todo")
    assert result["network"] == "todo"
    assert result["nodes"] > 2000 and result["actors"] > 900
    assert result["betweenness_sample"] == analytics.BETWEENNESS_SAMPLE  # the graph is large enough to sample
    assert any("/sujeto-obligado/" in r["iri"] for r in result["by_betweenness"])
    assert _error(client, "/analitica/centralidad", red="nada")[0] == 400


def test_centrality_page(client: TestClient) -> None:
    r = client.get("/analitica/centralidad", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "<h2>By degree</h2>" in r.text and "<h2>By betweenness</h2>" in r.text
    assert r.text.count('<td class="num">20</td>') == 2
    assert "Local Technical Secretariat for Open Government of the State of Mexico" in r.text
    # each measure explained in a sentence, and the switch to the measured bodies
    assert "How many direct links an actor has" in r.text
    assert "What share of the shortest paths between two other entities goes through the actor" in r.text
    assert 'href="/analitica/centralidad?red=todo"' in r.text


def test_analytics_index(client: TestClient) -> None:
    r = client.get("/analitica", params={"lang": "es"}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    for href in ("/analitica/centralidad", "/analitica/camino", "/analitica/componentes"):
        assert f'href="{href}"' in r.text
    assert "Qué organizaciones y personas tienen más enlaces" in r.text
    body = _json(client, "/analitica", lang="en")
    assert [p["name"] for p in body["pages"]] == ["analytics_centrality", "analytics_path", "analytics_components"]


def test_centrality_is_cached_per_graph_version(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _json(client, "/analitica/centralidad")
    calls = []
    real = analytics.compute_centrality
    monkeypatch.setattr(analytics, "compute_centrality", lambda *a: calls.append(1) or real(*a))
    _json(client, "/analitica/centralidad")
    _json(client, "/analitica/centralidad", lang="en")
    assert calls == []  # served from the cache
    service = client.app.state.service
    service.publish(service.version + 1)  # a new graph version
    first = _json(client, "/analitica/centralidad")
    _json(client, "/analitica/centralidad")
    assert calls == [1]  # computed once for the new version, then reused
    assert first["by_degree"][0]["iri"] == ID + "stl/estado-de-mexico"


def test_components_are_cached_too(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _json(client, "/analitica/componentes")
    calls = []
    real = analytics.compute_components
    monkeypatch.setattr(analytics, "compute_components", lambda *a: calls.append(1) or real(*a))
    _json(client, "/analitica/componentes")
    assert calls == []


# ---------------------------------------------------------------- paths


def test_path_between_two_entities(client: TestClient) -> None:
    result = _json(client, "/analitica/camino", desde="/id/institucion/infoem", hasta="/id/municipio/15106")
    assert result["connected"] and result["length"] == 2
    first = result["paths"][0]
    assert [n["iri"] for n in first["nodes"]] == [
        ID + "institucion/infoem",
        ID + "entidad/estado-de-mexico",
        ID + "municipio/15106",
    ]
    predicates = [[link["predicate"]["iri"] for link in step["links"]] for step in first["steps"]]
    assert predicates == [["https://w3id.org/gakg/ontology#jurisdiction"], ["https://schema.org/containedInPlace"]]
    ids = {n["id"] for n in result["nodes"]}
    assert ID + "entidad/estado-de-mexico" in ids
    assert all(e["from"] in ids and e["to"] in ids for e in result["edges"])
    levels = {n["id"]: n["level"] for n in result["nodes"]}
    assert levels[ID + "institucion/infoem"] == 0 and levels[ID + "municipio/15106"] == 2
    by_iri = _json(client, "/analitica/camino", desde=ID + "institucion/infoem", hasta=ID + "municipio/15106")
    assert by_iri["paths"] == result["paths"]


def test_path_by_name_and_html(client: TestClient) -> None:
    result = _json(client, "/analitica/camino", desde="INFOEM", hasta="Toluca")
    assert result["from"]["iri"] == ID + "institucion/infoem"
    assert result["connected"]
    r = client.get(
        "/analitica/camino",
        params={"desde": "INFOEM", "hasta": "Toluca", "lang": "en"},
        headers={"Accept": "text/html"},
    )
    assert r.status_code == 200
    assert 'id="path-summary"' in r.text and "shortest path(s) of" in r.text
    assert 'data-graph-source="graph-data"' in r.text
    assert 'value="INFOEM"' in r.text


def test_path_to_itself_and_without_a_path(client: TestClient) -> None:
    same = _json(client, "/analitica/camino", desde="/id/institucion/infoem", hasta="/id/institucion/infoem")
    assert same["connected"] and same["length"] == 0
    parts = analytics.components(client.app.state.service)  # two entities in different components
    a, b = parts.listed[0]["top"][0], parts.listed[1]["top"][0]
    apart = _json(client, "/analitica/camino", desde=a, hasta=b)
    assert apart["connected"] is False and apart["length"] is None and apart["paths"] == []
    r = client.get("/analitica/camino", params={"desde": a, "hasta": b, "lang": "es"}, headers={"Accept": "text/html"})
    assert "no hay ningún camino" in r.text


def test_path_errors(client: TestClient) -> None:
    assert _error(client, "/analitica/camino", desde="INFOEM") == (400, "Falta el parámetro «hasta».")
    assert _error(client, "/analitica/camino")[0] == 400
    status, message = _error(client, "/analitica/camino", desde="/id/organizacion/no-existe", hasta="INFOEM")
    assert status == 404 and "organizacion/no-existe" in message
    status, message = _error(client, "/analitica/camino", desde="INFOEM", hasta="qqqzzz")
    assert status == 404 and "qqqzzz" in message
    r = client.get("/analitica/camino", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and '<form class="path-form"' in r.text  # no entities yet: the form
    r = client.get("/analitica/camino", params={"desde": "INFOEM", "lang": "en"}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and "The parameter &#39;hasta&#39; is missing." in r.text


# ---------------------------------------------------------------- components


def test_components(client: TestClient) -> None:
    result = _json(client, "/analitica/componentes")
    sizes = result["sizes"]
    assert result["count"] == len(sizes) > 1
    assert sizes == sorted(sizes, reverse=True)
    assert sum(sizes) == result["nodes"]
    assert result["largest_share"] > 0.9
    assert result["isolated"] == sizes.count(1)
    largest = result["components"][0]
    assert largest["size"] == sizes[0]
    assert largest["top"][0]["iri"] == ID + "entidad/estado-de-mexico"
    r = client.get("/analitica/componentes", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and f"{result['count']} components among {result['nodes']} entities" in r.text
