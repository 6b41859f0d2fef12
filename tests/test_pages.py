"""Pages for people, through TestClient: home, search, entity pages and their RDF twins, 404s, language,
security headers and escaping."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from graphapp.config import PROJECT_ROOT

from .conftest import make_app_client

DURANGO = "/id/practica/reubicacion-ladrilleras-durango"
HTML = {"Accept": "text/html"}


def test_home_has_numbers_search_and_entry_points(client: TestClient) -> None:
    r = client.get("/", headers=HTML)
    assert r.status_code == 200
    assert '<strong id="n-practices">3</strong>' in r.text
    assert '<strong id="n-organisations">14</strong>' in r.text
    assert 'action="/buscar"' in r.text
    for link in ("/sparql", "/dataset"):
        assert link in r.text
    twin = client.get("/?format=json").json()
    assert twin["counts"]["practices"] == 3 and twin["counts"]["commitments"] == 1


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("nezahualcoyotl", "/id/institucion/ayuntamiento-de-nezahualcoyotl"),
        ("NEZAHUALCÓYOTL", "/id/municipio/15058"),
        ("ladrilleras", DURANGO),
        ("brick kilns", DURANGO),
        ("secretariado tecnico local", "/id/stl/estado-de-mexico"),
    ],
)
def test_search_is_accent_and_case_insensitive_in_both_languages(client: TestClient, q: str, expected: str) -> None:
    data = client.get("/buscar", params={"q": q, "format": "json"}).json()
    assert expected in [r["href"] for r in data["results"]]
    page = client.get("/buscar", params={"q": q}, headers=HTML)
    assert f'href="{expected}"' in page.text


def test_entity_page_shows_labels_formatted_values_links_and_sources(client: TestClient) -> None:
    r = client.get(DURANGO, headers=HTML)
    assert r.status_code == 200
    assert '<h1 id="entity-label">Reubicación de las ladrilleras de Durango</h1>' in r.text
    assert ">Buena práctica</a>" in r.text  # its type, in Spanish
    assert ">problema que atiende</a>" in r.text  # property labels, never raw IRIs where a label exists
    assert 'href="/id/entidad/durango"' in r.text and ">Durango</a>" in r.text
    assert "Co Creación desde lo local (INAI, 2020)" in r.text  # sources
    assert "Gobierno Abierto (presentación del INFOEM, 2020)" in r.text  # the graph's source
    assert "https://w3id.org/gakg/ontology#addressesProblem</a>" not in r.text


def test_dates_and_figures_are_formatted_for_the_reader(client: TestClient) -> None:
    es = client.get("/id/hito/lanzamiento-alianza-para-el-gobierno-abierto", headers=HTML).text
    assert "20 de septiembre de 2011" in es
    en = client.get("/id/hito/lanzamiento-alianza-para-el-gobierno-abierto?lang=en", headers=HTML).text
    assert "20 September 2011" in en
    assert "1,437" in client.get("/id/beneficio/veracruz-1437-personas?lang=en", headers=HTML).text


def test_referenced_by_and_same_as(client: TestClient) -> None:
    r = client.get("/id/entidad/durango", headers=HTML)
    assert "Referenciado por" in r.text and f'href="{DURANGO}"' in r.text
    assert 'href="http://www.wikidata.org/entity/Q79918"' in r.text


@pytest.mark.parametrize(
    ("how", "media", "fmt"),
    [
        ({"headers": {"Accept": "text/turtle"}}, "text/turtle", "turtle"),
        ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json", "json-ld"),
        ({"headers": {"Accept": "application/n-triples"}}, "application/n-triples", "nt"),
        ({"suffix": ".ttl"}, "text/turtle", "turtle"),
        ({"suffix": ".jsonld"}, "application/ld+json", "json-ld"),
        ({"params": {"format": "nt"}}, "application/n-triples", "nt"),
    ],
)
def test_entity_rdf_twins(client: TestClient, how: dict, media: str, fmt: str) -> None:
    url = DURANGO + how.get("suffix", "")
    r = client.get(url, headers=how.get("headers", {}), params=how.get("params"))
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    g = rdflib.Graph().parse(data=r.text, format=fmt)
    subject = rdflib.URIRef("https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango")
    assert (subject, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/gakg/ontology#BestPractice")) in g


def test_every_entity_iri_resolves(client: TestClient) -> None:
    app_store = client.app.state.service.store  # type: ignore[attr-defined]
    subjects = {
        q.subject.value
        for q in app_store.quads()
        if hasattr(q.subject, "value") and str(q.subject.value).startswith("https://w3id.org/gakg/id/")
    }
    assert len(subjects) > 2000
    failures = []
    for iri in sorted(subjects):
        path = iri.removeprefix("https://w3id.org/gakg")
        r = client.get(path, headers={"Accept": "application/n-triples"})
        if r.status_code != 200 or f"<{iri}>" not in r.text:
            failures.append((path, r.status_code))
    assert failures == []


def test_graph_and_ontology_iris_resolve(client: TestClient) -> None:
    r = client.get("/graph/presentacion/stl", headers=HTML)
    assert r.status_code == 200 and "Secretariado Técnico Local" in r.text
    r = client.get("/ontology", headers=HTML)
    assert 'id="BestPractice"' in r.text and "Buena práctica" in r.text
    assert client.get("/ontology?format=json").json()["terms"]


def test_unknown_entity_is_404_with_close_matches(client: TestClient) -> None:
    r = client.get("/id/practica/reubicacion-ladrillera", headers=HTML)
    assert r.status_code == 404
    assert f'href="{DURANGO}"' in r.text
    j = client.get("/id/practica/reubicacion-ladrillera", headers={"Accept": "application/json"})
    assert j.status_code == 404 and j.json()["suggestions"]


def test_language_switch_sticks_with_a_cookie(client: TestClient) -> None:
    r = client.get("/?lang=en", headers=HTML)
    assert "best practices" in r.text and 'lang="en"' in r.text
    assert client.cookies.get("lang") == "en"
    again = client.get(DURANGO, headers=HTML)
    assert "Relocation of the brick kilns in Durango" in again.text
    assert client.get("/?lang=es", headers=HTML).status_code == 200
    assert "buenas prácticas" in client.get("/", headers=HTML).text


def test_labels_fall_back_to_the_other_language(client: TestClient) -> None:
    # SDG goals carry English short names only as altLabels, but their prefLabels exist in both; persons have
    # untagged names: a page in either language still names them.
    r = client.get("/id/persona/adriana-yadira-cardenas-tagle?lang=en", headers=HTML)
    assert "Adriana Yadira Cárdenas Tagle" in r.text
    assert "adriana.cardenas@infoem.org.mx" in r.text  # a public servant's work e-mail is public information


def test_security_headers_on_every_page(client: TestClient) -> None:
    for url in ("/", DURANGO, "/buscar?q=x", "/sparql", "/dataset", "/ontology", "/id/nada"):
        r = client.get(url, headers=HTML)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
        assert r.headers["x-content-type-options"] == "nosniff"


def test_no_page_loads_anything_from_another_host(client: TestClient) -> None:
    for url in ("/", DURANGO, "/sparql", "/dataset", "/docs"):
        text = client.get(url, headers=HTML).text
        for attr in re.findall(r'(?:src|href)="(https?://[^"]+)"', text):
            if attr.startswith("http://testserver/"):
                continue
            # links to sources and Wikidata are fine; scripts, styles and images never come from elsewhere
            assert not re.search(rf'<(?:script|link|img)[^>]+(?:src|href)="{re.escape(attr)}"', text), (url, attr)


def test_openapi_page_is_offline(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "swagger-ui-bundle.js" in r.text and "cdn" not in r.text
    assert "<script>" not in r.text  # no inline script: the page keeps the site's CSP
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
        assert client.get(src).status_code == 200, src


# ---------------------------------------------------------------- data never injects HTML


EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def evil_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(PROJECT_ROOT / "data", data, dirs_exist_ok=True)
    (data / "editorial" / "malicioso.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix ga: <https://w3id.org/gakg/ontology#> .\n"
        f"<https://w3id.org/gakg/id/organizacion/malicia> a ga:CivilSocietyOrganization ; rdfs:label {json.dumps(EVIL)}@es , "
        '"</script><script>alert(2)</script>"@en ;\n'
        "    ga:jurisdiction <https://w3id.org/gakg/id/entidad/durango> .\n",
        encoding="utf-8",
    )
    with make_app_client(data_dir=Path(data)) as c:
        yield c


def test_malicious_labels_are_escaped_everywhere(evil_client: TestClient) -> None:
    for url in ("/id/organizacion/malicia", "/id/entidad/durango", "/buscar?q=img", "/id/organizacion/malicia?lang=en"):
        text = evil_client.get(url, headers=HTML).text
        assert EVIL not in text, url
        assert "<script>alert(2)</script>" not in text, url
    assert (
        "&lt;img src=x onerror=alert(1)&gt;" in evil_client.get("/id/organizacion/malicia?lang=es", headers=HTML).text
    )
