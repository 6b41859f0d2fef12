"""Network analytics through HTTP: central actors, shortest paths, components; measures cached per graph version,
the centrality rankings computed in the background for each version (a request never waits for them)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graphapp import analytics

from .conftest import json_twin, make_app_client

ID = "https://w3id.org/gakg/id/"
HTML = {"Accept": "text/html"}
TOKEN = "analytics-test-token"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
#: how long a test waits for the background rankings before it fails (they take seconds)
PATIENCE = 120.0


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
    # the Open Government Partnership first: Mexico's OGP commitments and local exercises (data/reference/ogp-*.ttl)
    # point at it; then the STL, with its 3 memberships (the Electoral Institute is only registered)
    assert [r["iri"] for r in result["by_degree"][:2]] == [
        ID + "organizacion/alianza-para-el-gobierno-abierto",
        ID + "stl/estado-de-mexico",
    ]
    assert result["by_degree"][1]["degree"] == 15
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


def test_requests_never_compute_the_rankings(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = analytics.compute_centrality
    monkeypatch.setattr(analytics, "compute_centrality", lambda *a: calls.append(1) or real(*a))
    for lang in ("es", "en"):
        for red in analytics.NETWORKS:
            assert _json(client, "/analitica/centralidad", lang=lang, red=red)["up_to_date"] is True
    assert calls == []  # served from what the background computed for this version


# ---------------------------------------------------------------- centrality in the background, per graph version


class Gate:
    """Holds the background computation of the rankings until a test opens it, and records each computation as
    (graph version when it started, network)."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.started: list[tuple[int, str]] = []
        self.finished: list[tuple[int, str]] = []

    def wrap(self, real: Callable[..., analytics.Centrality]) -> Callable[..., analytics.Centrality]:
        def gated(service: Any, network: str = analytics.NETWORKS[0]) -> analytics.Centrality:
            job = (service.version, network)
            self.started.append(job)
            assert self.open.wait(PATIENCE), "the test never opened the gate"
            result = real(service, network)
            self.finished.append(job)
            return result

        return gated


@pytest.fixture(scope="module")
def gated() -> Iterator[tuple[TestClient, Gate]]:
    """A service of its own that takes writes, whose rankings wait for the gate (closed at start)."""
    gate = Gate()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analytics, "network_centrality", gate.wrap(analytics.network_centrality))
        with make_app_client(update_token=TOKEN) as c:
            try:
                yield c, gate
            finally:
                gate.open.set()


def _centrality(client: TestClient, lang: str = "es", **params: object) -> Any:
    return client.get("/analitica/centralidad", params={"lang": lang, "format": "json", **params})


def _eventually(check: Callable[[], bool]) -> None:
    """Poll ``check`` until it holds, for at most :data:`PATIENCE` seconds."""
    deadline = time.monotonic() + PATIENCE
    while not check():
        assert time.monotonic() < deadline, "the background rankings never came"
        time.sleep(0.2)


def _current(client: TestClient, red: str = analytics.NETWORKS[0]) -> bool:
    r = _centrality(client, red=red)
    return r.status_code == 200 and r.json()["up_to_date"]


def _write(client: TestClient, n: int) -> int:
    """A committed write (a new graph version): its number."""
    update = (
        "INSERT DATA { GRAPH <https://w3id.org/gakg/graph/local/pruebas-analitica> { "
        f'<https://w3id.org/gakg/id/nota/prueba-analitica-{n}> <http://www.w3.org/2000/01/rdf-schema#label> "prueba {n}"@es'
        " } }"
    )
    r = client.post("/sparql/update", content=update, headers=UPDATE)
    assert r.status_code == 204, r.text
    return int(client.app.state.service.version)  # type: ignore[attr-defined]


def test_before_the_first_ranking_the_page_says_it_is_being_prepared(gated: tuple[TestClient, Gate]) -> None:
    client, gate = gated
    version = client.app.state.service.version  # type: ignore[attr-defined]
    page = client.get("/analitica/centralidad", params={"lang": "es"}, headers=HTML)
    assert page.status_code == 503 and page.headers["retry-after"] == str(analytics.RETRY_AFTER)
    assert "se están calculando para la versión" in page.text and 'id="centrality-version"' in page.text
    assert '<table class="ranking">' not in page.text
    english = client.get("/analitica/centralidad", params={"lang": "en"}, headers=HTML)
    assert english.status_code == 503 and "are being computed for version" in english.text
    twin = _centrality(client, red="todo")
    assert twin.status_code == 503 and twin.headers["retry-after"] == str(analytics.RETRY_AFTER)
    body = twin.json()
    assert body["error"] == 503 and "se están calculando" in body["message"]
    assert body["network"] == "todo" and body["graph_version"] is None
    assert body["current_graph_version"] == version and body["preparing"] is True and body["up_to_date"] is False
    gate.open.set()
    _eventually(lambda: _current(client) and _current(client, "todo"))
    body = _centrality(client).json()
    assert body["graph_version"] == body["current_graph_version"] == version and body["preparing"] is False
    assert body["by_degree"][1]["iri"] == ID + "stl/estado-de-mexico"
    assert all(r["class_label"] for r in body["by_degree"])
    html = client.get("/analitica/centralidad", params={"lang": "es"}, headers=HTML).text
    assert f"Calculado sobre la versión {version} del grafo, la actual." in html


def test_after_a_write_the_first_request_answers_from_the_previous_version(gated: tuple[TestClient, Gate]) -> None:
    client, gate = gated
    gate.open.set()
    _eventually(lambda: _current(client) and _current(client, "todo"))
    before = client.app.state.service.version  # type: ignore[attr-defined]
    gate.open.clear()
    after = _write(client, 1)
    assert after > before
    first = _centrality(client)
    assert first.status_code == 200
    body = first.json()
    assert body["graph_version"] == before and body["current_graph_version"] == after
    assert body["up_to_date"] is False and body["preparing"] is True
    assert body["by_degree"][1]["iri"] == ID + "stl/estado-de-mexico"  # the previous version's ranking
    page = client.get("/analitica/centralidad", params={"lang": "es"}, headers=HTML)
    assert page.status_code == 200 and '<table class="ranking">' in page.text
    assert (
        f"Calculado sobre la versión {before} del grafo, una anterior: la versión actual ({after}) se está" in page.text
    )
    english = client.get("/analitica/centralidad", params={"lang": "en"}, headers=HTML).text
    assert (
        f"Computed on version {before} of the graph, an earlier one: the current version ({after}) is being" in english
    )
    gate.open.set()
    _eventually(lambda: _current(client) and _current(client, "todo"))
    body = _centrality(client).json()
    assert body["graph_version"] == body["current_graph_version"] == after
    assert [network for version, network in gate.finished if version == after] == list(analytics.NETWORKS)


def test_a_newer_version_supersedes_the_one_being_computed(gated: tuple[TestClient, Gate]) -> None:
    client, gate = gated
    gate.open.set()
    _eventually(lambda: _current(client) and _current(client, "todo"))
    before = client.app.state.service.version  # type: ignore[attr-defined]
    gate.open.clear()
    older = _write(client, 2)
    _eventually(lambda: (older, analytics.NETWORKS[0]) in gate.started)  # its first network is under way
    newer = _write(client, 3)
    body = _centrality(client).json()
    assert body["graph_version"] == before and body["current_graph_version"] == newer and body["preparing"]
    gate.open.set()
    _eventually(lambda: _current(client) and _current(client, "todo"))
    assert _centrality(client).json()["graph_version"] == newer
    # the older version's first network finished; its other network was never started
    assert (older, analytics.NETWORKS[1]) not in gate.started
    assert [network for version, network in gate.finished if version == newer] == list(analytics.NETWORKS)


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
