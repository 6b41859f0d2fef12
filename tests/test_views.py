"""The graph views through HTTP: each view's JSON structure and HTML page, caps and "showing N of M", errors,
and that labels staff can edit never inject HTML or script (an app built on a copy of the data with
malicious labels)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graphapp import graphviews
from graphapp.config import PROJECT_ROOT
from graphapp.graphviews import OTHER_COLOUR, PALETTE, SCORE_BINS, UNMEASURED_COLOUR, score_colour

from .conftest import json_twin, make_app_client

VERACRUZ = "https://w3id.org/gakg/id/practica/informacion-eleccion-bachillerato-veracruz"
COMMITMENT = "compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto"
STL = "stl/estado-de-mexico"
ID = "https://w3id.org/gakg/id/"
VIEWS_CSS = PROJECT_ROOT / "graphapp" / "web" / "static" / "views.css"

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
#: one entity of each kind the views draw, every one labelled with markup (Spanish: an <img>, English: a </script>)
MALICIOUS_TTL = f"""
@prefix ga: <https://w3id.org/gakg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <{ID}> .

id:organizacion\\/xss-prueba a ga:CivilSocietyOrganization ;
    rdfs:label "{IMG}"@es , "{SCRIPT}"@en ;
    ga:jurisdiction id:entidad\\/estado-de-mexico ;
    ga:partnership <javascript:alert(1)> ;
    ga:contributesTo <http://metadata.un.org/sdg/16> .

id:membresia\\/xss-prueba a org:Membership ;
    rdfs:label "{IMG}"@es , "{SCRIPT}"@en ;
    org:organization id:stl\\/estado-de-mexico ;
    org:member id:organizacion\\/xss-prueba ;
    org:role id:rol\\/representante ;
    ga:sector id:sector\\/sociedad-civil .

id:arbol\\/estrategia-fortalecimiento-cultura-gobierno-abierto ga:cause id:problema\\/xss-prueba .
id:problema\\/xss-prueba a ga:Problem ; rdfs:label "{IMG}"@es , "{SCRIPT}"@en .

id:hito\\/xss-prueba a ga:HistoricalMilestone ;
    rdfs:label "{IMG}"@es , "{SCRIPT}"@en ;
    ga:notBefore "1990"^^xsd:gYear ; ga:notAfter "1999"^^xsd:gYear ;
    ga:dateText "{IMG}"@es , "{SCRIPT}"@en .

id:municipio\\/xss-prueba a ga:Municipality ;
    rdfs:label "{IMG}"@es , "{SCRIPT}"@en ;
    schema:containedInPlace id:entidad\\/estado-de-mexico ;
    ga:inegiCode "{SCRIPT}" .
"""


_json = json_twin


def _html(client: TestClient, url: str, **params: object) -> str:
    r = client.get(url, params={"lang": "es", **params}, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def _embedded(html: str) -> dict:
    """The graph data a page embeds for graph.js."""
    match = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert match, "no embedded graph data"
    return json.loads(match.group(1))


def _by_kind(view: dict, kind: str) -> list[dict]:
    return [n for n in view["nodes"] if n.get("kind") == kind]


def _entities(view: dict) -> list[dict]:
    """The entity nodes of a view: those drawn one by one and the members of its groups (shown on a click)."""
    out = []
    for n in view["nodes"]:
        out += n["members"] if n.get("kind") == "group" else [n]
    return out


def _check_graph(view: dict) -> None:
    """Every view: ids unique, edges between drawn nodes, tooltips plain text: label and class, or one sentence."""
    ids = [n["id"] for n in view["nodes"]]
    assert len(ids) == len(set(ids))
    for e in view["edges"]:
        assert e["from"] in ids and e["to"] in ids
    for n in view["nodes"]:
        lines = n["title"].split("\n")
        assert isinstance(n["title"], str)
        assert (len(lines) > 1 and lines[1] == n["class_label"]) or (
            len(lines) == 1 and n["title"].endswith((".", ")"))
        )
        assert n["href"] is None or n["href"].startswith(("/", "http://", "https://"))


# ---------------------------------------------------------------- index and routes


def test_index_lists_every_view_with_a_sentence(client: TestClient) -> None:
    html = _html(client, "/vistas")
    for path in ("/vistas/general", "/vistas/historia", "/vistas/stl", "/vistas/ods", "/vistas/municipios"):
        assert f'href="{path}"' in html
    assert f"/vistas/arbol-de-problemas/{COMMITMENT}" in html
    assert f"/vistas/vecindario/{STL}" in html
    assert 'data-graph-url="/vistas/vecindario/stl/estado-de-mexico?format=json&amp;depth=1"' in html
    assert html.count('class="preview"') == 1  # the glimpse is drawn once, in the page body
    title = html[html.index("<title>") + 7 : html.index("</title>")]
    assert title == "Explorar el grafo · Gobierno Abierto KG"
    views = _json(client, "/vistas")["views"]
    assert len(views) == 7
    assert all(v["title"] and v["text"] for v in views)
    english = client.get("/vistas", params={"lang": "en", "format": "json"}).json()["views"]
    assert english[0]["title"] == "Overview"


def test_json_twin_by_accept_header(client: TestClient) -> None:
    r = client.get("/vistas/stl", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json()["view"] == "stl"
    assert client.get("/vistas/stl", params={"format": "xml"}).status_code == 400


def test_view_pages_load_vis_network_from_the_site(client: TestClient) -> None:
    html = _html(client, "/vistas/stl")
    assert 'src="/static/vendor/vis/vis-network.min.js"' in html
    assert 'src="/static/graph.js"' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert "cdn" not in html.lower()
    assert client.get("/static/vendor/vis/vis-network.min.js").status_code == 200
    assert client.get("/static/graph.js").status_code == 200


# ---------------------------------------------------------------- overview


def test_overview_is_capped_and_says_so(client: TestClient) -> None:
    view = _json(client, "/vistas/general")
    _check_graph(view)
    assert view["total"] > 2000
    entities = _entities(view)
    assert view["shown"] == len(entities) == 400
    assert view["rest"]["total"] == view["total"] - 400
    assert len(view["rest"]["rows"]) == 100
    degrees = sorted((n["degree"] for n in entities), reverse=True)
    assert min(degrees) >= max(r["degree"] for r in view["rest"]["rows"])
    assert ID + "entidad/estado-de-mexico" in {n["id"] for n in entities}
    assert sum(item["count"] for item in view["legend"]) == 400
    # 400 entities are too many to read at once: the overview opens with one node per class, each with its members
    groups = _by_kind(view, "group")
    assert groups == view["nodes"] and view["groups"] == len(groups) < 45
    by_class = {g["group_class"]: g for g in groups}
    states = by_class["https://w3id.org/gakg/ontology#FederalEntity"]
    assert states["label"].endswith(f"({len(states['members'])})")
    assert (
        states["title"]
        == f"{len(states['members'])} entidades de la clase «Entidad federativa»: haga clic para mostrarlas."
    )
    assert all(m["class_iri"].endswith("#FederalEntity") for m in states["members"])
    ends = {e["from"] for e in view["hidden_edges"]} | {e["to"] for e in view["hidden_edges"]}
    assert ends <= {n["id"] for n in entities} and len(view["hidden_edges"]) > 100
    assert all(re.fullmatch(r"\d+ enlaces entre «.+» y «.+»\.", e["title"]) for e in view["edges"])
    html = _html(client, "/vistas/general", lang="en")
    assert f"Showing <strong>400</strong> of <strong>{view['total']}</strong>" in html
    assert 'id="rest"' in html and "Page 1 of" in html
    assert len(_embedded(html)["nodes"]) == len(groups)


def test_overview_class_filter(client: TestClient) -> None:
    view = _json(client, "/vistas/general", **{"class": "ga:Municipality", "limit": 50})
    assert view["selected"] == ["ga:Municipality"]
    assert view["shown"] == 50 and view["total"] > 50
    assert all(n["class_iri"].endswith("#Municipality") for n in _entities(view))
    # one class: the best-connected 20 one by one, the other 30 in a group that opens on a click
    single = [n for n in view["nodes"] if n.get("kind") != "group"]
    assert len(single) == 20 and [len(g["members"]) for g in _by_kind(view, "group")] == [30]
    small = _json(client, "/vistas/general", **{"class": "ga:Municipality", "limit": 30})
    assert not _by_kind(small, "group") and len(small["nodes"]) == 30  # few enough to draw one by one
    both = client.get(
        "/vistas/general", params=[("class", "ga:Municipality"), ("class", "ga:FederalEntity"), ("format", "json")]
    ).json()
    assert both["total"] == view["total"] + 32
    html = _html(client, "/vistas/general", **{"class": "ga:Municipality", "limit": 50})
    assert f"Mostrando <strong>50</strong> de <strong>{view['total']}</strong>" in html
    assert 'value="ga:Municipality" checked' in html
    page2 = _json(client, "/vistas/general", **{"class": "ga:Municipality", "limit": 50, "page": 2})
    assert page2["rest"]["page"] == 2 and page2["rest"]["rows"] != view["rest"]["rows"]


def test_overview_rejects_unknown_classes(client: TestClient) -> None:
    r = client.get("/vistas/general", params={"class": "ga:NoSuchClass"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert "ga:NoSuchClass" in r.json()["message"]
    assert client.get("/vistas/general", params={"limit": 0}).status_code == 400


# ---------------------------------------------------------------- neighbourhood


def test_neighbourhood_of_an_entity(client: TestClient) -> None:
    one = _json(client, f"/vistas/vecindario/{STL}")
    _check_graph(one)
    assert one["entity"]["iri"] == ID + STL
    assert one["nodes"][0]["id"] == ID + STL and one["nodes"][0]["distance"] == 0
    assert {n["distance"] for n in one["nodes"]} == {0, 1}
    assert one["shown"] == one["total"] == len(one["nodes"]) == 1 + one["nodes"][0]["degree"]
    two = _json(client, f"/vistas/vecindario/{STL}", depth=2)
    assert two["total"] > one["total"]
    assert {n["distance"] for n in _entities(two)} == {0, 1, 2}
    capped = _json(client, f"/vistas/vecindario/{STL}", depth=2, limit=10)
    assert capped["shown"] == 10 and capped["total"] == two["total"]
    assert capped["rest"]["total"] == two["total"] - 10
    html = _html(client, f"/vistas/vecindario/{STL}", depth=2, limit=10, lang="en")
    assert f"Showing <strong>10</strong> of <strong>{two['total']}</strong>" in html
    # depth 3 is hundreds of entities: the nearest are drawn one by one, the others one node per class
    three = _json(client, f"/vistas/vecindario/{STL}", depth=3)
    assert three["shown"] > 200
    single = [n for n in three["nodes"] if n.get("kind") != "group"]
    groups = _by_kind(three, "group")
    assert len(single) == 20 and 0 < len(groups) < 40
    assert len(_entities(three)) == three["shown"]
    assert max(n["distance"] for n in single) <= min(m["distance"] for g in groups for m in g["members"])


def test_neighbourhood_errors(client: TestClient) -> None:
    r = client.get("/vistas/vecindario/organizacion/no-existe", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert "organizacion/no-existe" in r.json()["message"]
    assert client.get("/vistas/vecindario/organizacion/no-existe", headers={"Accept": "text/html"}).status_code == 404
    assert client.get(f"/vistas/vecindario/{STL}", params={"depth": 4}).status_code == 400
    assert client.get(f"/vistas/vecindario/{STL}", params={"depth": 0}).status_code == 400


# ---------------------------------------------------------------- problem tree


def test_problem_tree_levels(client: TestClient) -> None:
    view = _json(client, f"/vistas/arbol-de-problemas/{COMMITMENT}")
    _check_graph(view)
    effects, central, causes = (_by_kind(view, k) for k in ("effect", "central_problem", "cause"))
    assert (len(effects), len(central), len(causes)) == (2, 1, 4)
    assert max(n["level"] for n in effects) < central[0]["level"] < min(n["level"] for n in causes)
    assert len(_by_kind(view, "key_action")) == 3 and len(_by_kind(view, "activity")) == 7
    assert _by_kind(view, "commitment")[0]["id"] == ID + COMMITMENT
    assert view["options"]["layout"]["hierarchical"]["enabled"] is True
    assert view["options"]["layout"]["hierarchical"]["direction"] == "UD"
    assert [len(a["activities"]) for a in view["key_actions"]] == [3, 2, 2]
    html = _html(client, f"/vistas/arbol-de-problemas/{COMMITMENT}", lang="en")
    assert "Disjointed government-openness efforts" in html
    assert html.index("<h2>Effects</h2>") < html.index("<h2>Central problem</h2>") < html.index("<h2>Causes</h2>")


def test_problem_tree_only_for_commitments(client: TestClient) -> None:
    assert client.get(f"/vistas/arbol-de-problemas/{STL}").status_code == 404
    assert client.get("/vistas/arbol-de-problemas/compromiso/no-existe").status_code == 404


# ---------------------------------------------------------------- STL, timeline, SDGs, municipalities


def test_stl_sectors_and_seats(client: TestClient) -> None:
    view = _json(client, "/vistas/stl")
    _check_graph(view)
    (stl,) = view["stls"]
    assert stl["iri"] == ID + STL
    assert len(stl["sectors"]) == 3 == len(_by_kind(view, "sector"))
    seats = {s["iri"].rsplit("/", 1)[1]: s for sector in stl["sectors"] for s in sector["seats"]}
    # the source's STL composition: civil society (unnamed), INFOEM, SECOGEM (the Electoral Institute only registered)
    assert len(seats) == 3 == len(_by_kind(view, "seat"))
    assert seats["stl-estado-de-mexico-sociedad-civil"]["member"] is None
    assert seats["stl-estado-de-mexico-infoem"]["member"]["iri"] == ID + "institucion/infoem"
    assert len(_by_kind(view, "member")) == 2
    levels = {n["kind"]: n["level"] for n in view["nodes"]}
    assert levels == {"stl": 0, "sector": 1, "seat": 2, "member": 3}
    english = _json(client, "/vistas/stl", lang="en")
    assert sorted(s["label"] for s in english["stls"][0]["sectors"]) == [
        "Civil society",
        "Guarantor body",
        "Public bodies",
    ]
    html = _html(client, "/vistas/stl")
    assert "sin integrante nombrado en la fuente" in html


def test_timeline_by_year(client: TestClient) -> None:
    view = _json(client, "/vistas/historia")
    _check_graph(view)
    items = view["items"]
    assert items[0]["year"] == 1766 and view["first_year"] == 1766
    assert items[0]["label"].startswith("Suecia")
    years = [i["year"] for i in items if not i["undated"]]
    assert years == sorted(years)
    xs = [i["x"] for i in items]
    assert xs == sorted(xs)  # left to right by year, undated last
    assert items[-1]["undated"] and items[-1]["when"] == "sin fecha en la fuente"
    plans = [i for i in items if i["kind"].endswith("#NationalActionPlan")]
    assert [p["year"] for p in plans] == [2011, 2013, 2016, 2019]
    assert plans[0]["when"] == "2011–2013"
    uk = next(i for i in items if "reino-unido" in i["iri"])
    assert uk["when"] == "a fines de los años 70 del siglo pasado (1970–1979)"
    node = next(n for n in view["nodes"] if n["id"] == items[-1]["iri"])
    assert node["label"].startswith("sin fecha")
    assert _json(client, "/vistas/historia", lang="en")["items"][-1]["when"] == "undated in the source"


def test_sdg_goals_targets_and_contributions(client: TestClient) -> None:
    view = _json(client, "/vistas/ods")
    _check_graph(view)
    goals = _by_kind(view, "goal")
    assert len(goals) == 17 == len(view["goals"])
    assert [g["code"] for g in view["goals"]][:3] == ["1", "2", "3"]
    by_code = {g["code"]: g for g in view["goals"]}
    assert by_code["11"]["contributed"] == ["11", "11.3", "11.6", "11.b"]
    assert by_code["17"]["targets"] == 19
    # the commitment contributes directly; the practices through the SDGs of their themes
    assert [c["iri"] for c in by_code["16"]["contributors"]] == [ID + COMMITMENT, VERACRUZ]
    assert ID + "practica/igualdad-laboral-salarial-jalisco" in [c["iri"] for c in by_code["8"]["contributors"]]
    targets = {n["id"] for n in _by_kind(view, "target")}
    assert "http://metadata.un.org/sdg/11.b" in targets
    assert not any(t.startswith("http://metadata.un.org/sdg/1.") for t in targets)  # goal 1: nobody contributes
    edges = {(e["from"], e["to"]): e["title"] for e in view["edges"]}
    assert edges[("http://metadata.un.org/sdg/11", "http://metadata.un.org/sdg/11.b")] == (
        "La meta 11.b es parte del objetivo 11."
    )
    assert edges[(ID + COMMITMENT, "http://metadata.un.org/sdg/11.b")].endswith("contribuye a ODS 11.b.")
    assert edges[(VERACRUZ, "http://metadata.un.org/sdg/16.10")] == (
        "«Información para elegir bachillerato en Veracruz» contribuye a ODS 16.10 por su tema «Transparencia proactiva»."
    )
    # one sentence per edge, and the legend counts what is drawn
    assert all(t.count(".") >= 1 and "·" not in t and "\n" not in t for t in edges.values())
    grey = [n for n in goals if n["color"] == OTHER_COLOUR]
    legend = {item["key"]: item["count"] for item in view["legend"]}
    assert legend["other"] == len(grey) == 8
    assert legend["contributor"] == 4 and all(count > 0 for count in legend.values())
    drawn = sum(1 for n in view["nodes"] if n["color"] != OTHER_COLOUR)
    assert sum(c for k, c in legend.items() if k != "other") == drawn


def test_municipalities_coloured_by_the_metric(client: TestClient) -> None:
    view = _json(client, "/vistas/municipios")
    assert "nodes" not in view  # a ranked bar chart, not a grid of dots
    assert len(view["municipalities"]) == 125 == view["total"]
    toluca = next(m for m in view["municipalities"] if m["code"] == "15106")
    assert toluca["score"] == 0.5201
    assert toluca["colour"] == score_colour(0.5201) == SCORE_BINS[3][1]
    assert toluca["body"]["iri"] == ID + "institucion/ayuntamiento-de-toluca"
    assert view["measured"] == 5 == len(view["bars"])
    assert len(view["unmeasured"]) == 120
    scores = [m["score"] for m in view["bars"]]
    assert scores == sorted(scores, reverse=True)
    assert sum(item["count"] for item in view["legend"]) == 125
    html = _html(client, "/vistas/municipios")
    assert "0.5201" in html and "Toluca" in html
    assert html.count("<meter ") == 5 and 'value="0.5201"' in html


def test_states_map_with_the_2017_averages(client: TestClient) -> None:
    view = _json(client, "/vistas/municipios")["map"]
    states = view["states"]
    assert len(states) == 32 and all(s["iri"] and s["href"].startswith("/id/entidad/") for s in states)
    assert len({s["iri"] for s in states}) == 32  # every path matched to a different state of the graph
    edomex = next(s for s in states if s["svg_id"] == "mex")
    assert edomex["href"] == "/id/entidad/estado-de-mexico"
    assert edomex["colour"] == score_colour(edomex["score"])
    assert re.fullmatch(r"Estado de México: promedio 0\.\d{4} en la Métrica 2017, lugar \d+ de 32\.", edomex["title"])
    assert [s["rank"] for s in view["ranked"]] == list(range(1, 33))
    assert view["attribution"] == "@svg-maps/mexico 2.0.0, CC-BY-4.0, Victor Cazanave"
    html = _html(client, "/vistas/municipios", lang="en")
    assert html.count('<path class="state"') == 64  # the Métrica map and the local exercises' layer
    assert 'href="/id/entidad/jalisco"' in html and "CC BY 4.0" in html
    assert "cdn" not in html.lower()
    vendored = PROJECT_ROOT / "graphapp" / "web" / "static" / "vendor" / "svg-maps-mexico"
    assert (vendored / "LICENSE.md").exists() and "CC-BY-4.0" in (vendored / "VERSION").read_text(encoding="utf-8")


def test_labels_follow_the_language(client: TestClient) -> None:
    es = _json(client, f"/vistas/arbol-de-problemas/{COMMITMENT}")
    en = _json(client, f"/vistas/arbol-de-problemas/{COMMITMENT}", lang="en")
    assert es["commitment"]["label"].startswith("Estrategia")
    assert en["commitment"]["label"].startswith("Strategy")
    assert _by_kind(en, "commitment")[0]["title"].startswith("Strategy")


def test_swatches_match_the_palette() -> None:
    css = VIEWS_CSS.read_text(encoding="utf-8")
    for i, colour in enumerate(PALETTE):
        assert f".swatch-{i} {{ background: {colour}; }}" in css
    assert f".swatch-other {{ background: {OTHER_COLOUR}; }}" in css
    assert f".unmeasured {{ background: {UNMEASURED_COLOUR}; }}" in css
    for _, colour, swatch in SCORE_BINS:
        assert f".{swatch} {{ background: {colour}; }}" in css


def test_compact_and_expand() -> None:
    assert graphviews.compact("http://metadata.un.org/sdg/ontology#Goal") == "sdgo:Goal"
    assert graphviews.expand("ga:Municipality") == "https://w3id.org/gakg/ontology#Municipality"
    assert graphviews.expand("nada") is None


# ---------------------------------------------------------------- labels cannot inject markup


@pytest.fixture(scope="module")
def malicious_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("xss") / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    (data / "editorial" / "xss-prueba.ttl").write_text(MALICIOUS_TTL, encoding="utf-8")
    with make_app_client(data_dir=data) as c:
        # the projection, the finder's index and the rankings are built in the background: read the steady state
        assert c.app.state.service.wait_for_builds(120)  # type: ignore[attr-defined]
        yield c


MALICIOUS_PAGES = [
    "/id/organizacion/xss-prueba",
    "/id/problema/xss-prueba",
    "/vistas",
    "/vistas/general?class=ga:CivilSocietyOrganization",
    "/vistas/general?class=ga:Problem&class=ga:HistoricalMilestone",
    "/vistas/vecindario/organizacion/xss-prueba?depth=2",
    f"/vistas/arbol-de-problemas/{COMMITMENT}",
    "/vistas/stl",
    "/vistas/historia",
    "/vistas/ods",
    "/vistas/municipios",
    "/analitica/centralidad",
    "/analitica/componentes",
    "/analitica/camino?desde=/id/organizacion/xss-prueba&hasta=/id/institucion/infoem",
]


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("url", MALICIOUS_PAGES)
def test_labels_are_never_markup(malicious_client: TestClient, url: str, lang: str) -> None:
    r = malicious_client.get(url, params={"lang": lang}, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text[:300]
    html = r.text
    assert IMG not in html
    assert SCRIPT not in html
    assert "<script>" not in html
    assert 'href="javascript:' not in html
    if "/vistas/" in url and "vistas?" not in url and "municipios" not in url:
        data = _embedded(html)
        assert all(n["href"] is None or not n["href"].startswith("javascript") for n in data["nodes"])


def test_malicious_labels_reach_the_views_as_text(malicious_client: TestClient) -> None:
    """The entity is there, escaped: as text in tables, as \\u003c… inside the JSON block."""
    stl = malicious_client.get("/vistas/stl", params={"lang": "es"}, headers={"Accept": "text/html"}).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in stl
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in stl
    stl_en = malicious_client.get("/vistas/stl", params={"lang": "en"}, headers={"Accept": "text/html"}).text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in stl_en
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in stl_en
    view = malicious_client.get("/vistas/stl", params={"format": "json", "lang": "en"}).json()
    members = [n for n in view["nodes"] if n["kind"] == "member"]
    assert any(n["label"] == SCRIPT for n in members)
    neighbourhood = malicious_client.get(
        "/vistas/vecindario/organizacion/xss-prueba", params={"format": "json", "lang": "es"}
    ).json()
    assert neighbourhood["entity"]["label"] == IMG
    assert all("javascript" not in (n["href"] or "") for n in neighbourhood["nodes"])
    tree = malicious_client.get(
        f"/vistas/arbol-de-problemas/{COMMITMENT}", params={"format": "json", "lang": "es"}
    ).json()
    assert len(tree["causes"]) == 5
    municipalities = malicious_client.get("/vistas/municipios", params={"format": "json"}).json()
    assert municipalities["total"] == 126


@pytest.mark.parametrize(
    "url",
    [
        f"/analitica/camino?desde={IMG}zzz&hasta=INFOEM",
        f"/vistas/general?class={IMG}",
        f"/vistas/vecindario/{IMG}",
        f"/vistas/arbol-de-problemas/{SCRIPT}",
    ],
)
def test_input_echoed_in_errors_is_escaped(malicious_client: TestClient, url: str) -> None:
    r = malicious_client.get(url, headers={"Accept": "text/html"})
    assert r.status_code in (400, 404)
    assert IMG not in r.text and SCRIPT not in r.text


def test_entity_page_embed_uses_the_neighbourhood_view(client: TestClient) -> None:
    """entity.html embeds the neighbourhood when the route exists; fetched by graph.js from the JSON twin."""
    html = _html(client, f"/id/{STL}")
    assert "graph-embed" in html
    assert f"/vistas/vecindario/{STL}?format=json&amp;depth=1" in html


def test_views_reuse_the_projection(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _json(client, "/vistas/stl")
    calls = []
    real = graphviews.projection.build_entity_graph
    monkeypatch.setattr(graphviews.projection, "build_entity_graph", lambda store: calls.append(1) or real(store))
    _json(client, "/vistas/general")
    _json(client, f"/vistas/vecindario/{STL}")
    assert calls == []  # built once for this graph version, never per request


def test_the_edges_among_drawn_entities_are_networkx_s_each_once() -> None:
    """``edges_among`` (what the overview and the neighbourhood draw between the entities they show) asks a hub
    about each drawn entity instead of walking its neighbours: the edges must be those of networkx's subgraph,
    each once with its data, self-loops included, whichever side is larger."""
    import random

    import networkx as nx

    from graphapp.graphviews.projection import edges_among

    rng = random.Random(7)  # noqa: S311 - a fixed sample of test nodes, not a secret
    graph = nx.Graph()
    names = [f"n{i}" for i in range(300)]
    for hub in names[:5]:  # hubs: more neighbours than the nodes asked about
        graph.add_edges_from((hub, other, {"triples": ((hub, "p", other),)}) for other in names[5:])
    for _ in range(600):
        a, b = rng.sample(names, 2)
        graph.add_edge(a, b, triples=((a, "q", b),))
    graph.add_edge("n3", "n3", triples=(("n3", "r", "n3"),))
    for size in (2, 10, 40, 400):
        nodes = rng.sample(names, min(size, len(names))) + ["not-in-the-graph"]
        found = edges_among(graph, nodes)
        expected = graph.subgraph(nodes).edges(data=True)
        assert len(found) == len(expected)
        assert {frozenset((a, b)) for a, b, _ in found} == {frozenset((a, b)) for a, b, _ in expected}
        assert all(data is graph.edges[a, b] for a, b, data in found)
    assert ("n3", "n3", graph.edges["n3", "n3"]) in edges_among(graph, ["n3", "n4"])
