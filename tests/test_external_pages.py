"""Pages that stay on the site: SDG goals, targets and indicators, and other external resources the graph
describes, get local pages (their own IRI shown as identity, linked once); the site's links lead there; the entity
search finds SDGs by label and code and takes multi-word queries."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from .conftest import json_twin

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


# ---------------------------------------------------------------- issue 19, item 5: no dead ends among the SDGs


def test_the_sdg_index_lists_the_17_goals(client: TestClient) -> None:
    r = client.get("/ods", params={"lang": "es"}, headers=HTML)
    assert r.status_code == 200
    hrefs = re.findall(r'<li value="\d+"><a href="(/ods/\d+)">', r.text)
    assert hrefs == [f"/ods/{n}" for n in range(1, 18)]
    assert "Objetivo 16: Paz, justicia e instituciones sólidas" in r.text
    assert _un_links(r.text) == []  # every goal leads to its local page
    assert all(client.get(href, headers=HTML).status_code == 200 for href in hrefs[:3])
    twin = json_twin(client, "/ods")
    assert [g["href"] for g in twin["goals"]] == hrefs
    goal = twin["goals"][15]
    assert goal["iri"] == UN + "16" and goal["name"] == "Paz, justicia e instituciones sólidas"
    assert goal["label"].startswith("Promover sociedades pacíficas")
    english = json_twin(client, "/ods", lang="en")["goals"][15]
    assert english["name"] == "Peace, justice and strong institutions"
    # the home page and every SDG page lead to it
    assert 'href="/ods"' in client.get("/", headers=HTML).text
    assert 'href="/ods"' in client.get("/ods/16.10", headers=HTML).text


def test_an_indicator_is_found_by_its_dotted_code(client: TestClient) -> None:
    cases = {
        "16.10.1": "/ods/C161001",
        "1.a.1": "/ods/C010a01",
        "8.4.1": "/ods/C200202",  # one indicator under two targets: one page
        "12.2.1": "/ods/C200202",
    }
    for dotted, page in cases.items():
        r = client.get(f"/ods/{dotted}", headers=HTML, follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == page, dotted
        followed = client.get(f"/ods/{dotted}", params={"lang": "es"}, headers=HTML)
        assert followed.status_code == 200 and f'class="identity" href="{UN}{page[5:]}"' in followed.text
        ttl = client.get(f"/ods/{dotted}.ttl", follow_redirects=False)
        assert ttl.status_code == 301 and ttl.headers["location"] == page + ".ttl", dotted
        assert client.get(f"/ods/{dotted}.ttl").headers["content-type"].startswith("text/turtle")
    # a code the UN does not have is still a 404
    assert client.get("/ods/16.10.9", headers=HTML).status_code == 404
    assert client.get("/ods/99.1.1", headers=HTML).status_code == 404


def _referenced_by(html: str) -> dict[str, list[str]]:
    """The «Referenciado por» table of an entity page: row heading → the links in the row."""
    section = html.split('<section class="referenced-by">', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>', section, re.S)
    return {re.sub(r"<[^>]+>", "", head).strip(): re.findall(r'href="([^"]+)"', cells) for head, cells in rows}


def test_referenced_by_names_the_relation_from_the_page(client: TestClient) -> None:
    # 16.10 skos:broader 16 and 16.10 sdgo:isTargetOf 16: on goal 16's page, 16.10 is narrower, a target of it
    goal = _referenced_by(client.get("/ods/16", params={"lang": "es"}, headers=HTML).text)
    rows_with_target = {head for head, hrefs in goal.items() if "/ods/16.10" in hrefs}
    assert rows_with_target == {"más específico", "tiene meta"}, goal.keys()
    # without a declared inverse, the row says which way the link goes
    assert COMMITMENT in goal["es «contribuye a» de"]
    target = _referenced_by(client.get("/ods/16.10", params={"lang": "es"}, headers=HTML).text)
    assert {head for head, hrefs in target.items() if "/ods/16" in hrefs} == {"más general", "es meta de"}
    english = _referenced_by(client.get("/ods/16", params={"lang": "en"}, headers=HTML).text)
    assert "/ods/16.10" in english["narrower"] and COMMITMENT in english["is “contributes to” of"]


def test_an_sdg_code_is_shown_once(client: TestClient) -> None:
    # the UN gives each code as SDGCode and SDGCodeCompact: a goal's and a target's are the same text
    pages = {"/ods/16": ["16"], "/ods/16.10": ["16.10"], "/ods/C161001": ["16.10.01", "16.10.1", "C161001"]}
    for path, codes in pages.items():
        html = client.get(path, params={"lang": "es"}, headers=HTML).text
        row = re.search(r">código</a></th>\s*<td>(.*?)</td>", html, re.S)
        assert row is not None, path
        assert sorted(re.findall(r'<div class="value">([^<]*)</div>', row.group(1))) == sorted(codes), path


@pytest.mark.parametrize("q", ["paz justicia", "paz y justicia", "Paz, justicia e instituciones sólidas"])
def test_search_finds_a_goal_by_its_short_spanish_name(client: TestClient, q: str) -> None:
    # the README's own example: the UN file names goal 16 briefly in English only
    results = client.get("/buscar", params={"q": q, "lang": "es", "format": "json"}).json()["results"]
    assert results and results[0]["href"] == "/ods/16", (q, results[:3])
    assert COMMITMENT in [r["href"] for r in results]  # the commitment that contributes to it is still found
