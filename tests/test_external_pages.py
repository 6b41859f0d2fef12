"""Pages that stay on the site: SDG goals, targets and indicators, and other external resources the graph
describes, get local pages (their own IRI shown as identity, linked once); the site's links lead there; the entity
search finds SDGs by label and code and takes multi-word queries."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

HTML = {"Accept": "text/html"}
UN = "http://metadata.un.org/sdg/"
COMMITMENT = "/id/compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto"


def _un_links(text: str) -> list[str]:
    return re.findall(r'href="(http://metadata\.un\.org/[^"]*)"', text)


@pytest.mark.parametrize(
    ("path", "iri", "words"),
    [
        ("/ods/16", UN + "16", "Promover sociedades pacíficas"),
        ("/ods/16.10", UN + "16.10", "acceso público a la información"),
    ],
)
def test_sdg_pages_show_the_un_iri_once(client: TestClient, path: str, iri: str, words: str) -> None:
    r = client.get(path, params={"lang": "es"}, headers=HTML)
    assert r.status_code == 200 and words in r.text
    assert _un_links(r.text) == [iri]  # the identity, linked once; everything else stays on the site
    assert f'class="identity" href="{iri}"' in r.text
    ttl = client.get(path + ".ttl")
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    assert f"<{iri}>" in ttl.text or "sdg:" in ttl.text


def test_site_links_lead_to_the_local_sdg_pages(client: TestClient) -> None:
    for url in (COMMITMENT, "/vistas/ods", "/ods/16", "/practicas?q=humo+de+ladrilleras"):
        r = client.get(url, params={"lang": "es"}, headers=HTML)
        assert r.status_code == 200, url
        links = _un_links(r.text)
        assert len(links) <= 1, (url, links)  # at most the identity of the page itself
    page = client.get(COMMITMENT, headers=HTML).text
    assert 'href="/ods/11.b"' in page and 'href="/ods/16"' in page
    view = client.get("/vistas/ods", params={"format": "json"}).json()
    hrefs = {n["id"]: n["href"] for n in view["nodes"]}
    assert hrefs[UN + "16"] == "/ods/16"


def test_other_described_resources_get_a_local_page(client: TestClient) -> None:
    iri = "http://purl.org/dc/terms/subject"
    r = client.get("/recurso", params={"iri": iri, "lang": "en"}, headers=HTML)
    assert r.status_code == 200
    assert r.text.count(f'href="{iri}"') == 1
    practice = client.get("/id/practica/reubicacion-ladrilleras-durango", headers=HTML).text
    assert 'href="/recurso?iri=http%3A%2F%2Fpurl.org%2Fdc%2Fterms%2Fsubject"' in practice
    assert client.get("/recurso", params={"iri": "https://example.org/nothing"}, headers=HTML).status_code == 404
    assert client.get("/recurso", params={"iri": "javascript:alert(1)"}, headers=HTML).status_code == 400
    assert client.get("/ods/99", headers=HTML).status_code == 404


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("Objetivo 16", "/ods/16"),
        ("ODS 5", "/ods/5"),
        ("meta 16.10", "/ods/16.10"),
        ("16.10", "/ods/16.10"),
        ("Goal 11", "/ods/11"),
        ("peace justice", "/ods/16"),
    ],
)
def test_search_finds_sdgs_by_code_and_label(client: TestClient, q: str, first: str) -> None:
    results = client.get("/buscar", params={"q": q, "format": "json"}).json()["results"]
    assert results and results[0]["href"] == first, (q, results[:3])


def test_search_takes_multi_word_queries(client: TestClient) -> None:
    # the words need not be together in one label: «paz» and «justicia» are in the commitment's SDG rationale
    for q in ("paz justicia", "paz y justicia"):
        hrefs = [r["href"] for r in client.get("/buscar", params={"q": q, "format": "json"}).json()["results"]]
        assert COMMITMENT in hrefs, q
    hrefs = [
        r["href"]
        for r in client.get("/buscar", params={"q": "ladrilleras durango", "format": "json"}).json()["results"]
    ]
    assert hrefs[0] == "/id/practica/reubicacion-ladrilleras-durango"
