"""Entity pages say which statements are the team's editorial readings; every RDF output uses a prefix per entity
type (``practica:``), never a slash escaped in a prefixed name."""

from __future__ import annotations

import re

import rdflib
from fastapi.testclient import TestClient

from graphapp.iris import TYPE_PREFIXES

ID = "https://w3id.org/gakg/id/"


def _page(client: TestClient, path: str, lang: str = "es") -> str:
    r = client.get(path, params={"lang": lang}, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    return r.text


def _row(html: str, label: str) -> str:
    """The table row of a property (by its label) on an entity page."""
    head = re.search(rf'<th scope="row">(?:<a [^>]*>)?{re.escape(label)}(?:</a>)?</th>', html)
    assert head, label
    return html[head.end() : html.index("</tr>", head.end())]


def test_editorial_statements_are_marked_on_the_entity_page(client: TestClient) -> None:
    html = _page(client, "/id/arbol/estrategia-fortalecimiento-cultura-gobierno-abierto")
    assert 'id="editorial-notice"' in html
    assert 'class="editorial"' in _row(html, "causa") and 'class="editorial"' in _row(html, "efecto")
    # the source's own statement about the tree (its central problem) is not marked
    assert 'class="editorial"' not in _row(html, "problema central")


def test_the_source_s_statements_are_not_marked(client: TestClient) -> None:
    html = _page(client, "/id/practica/reubicacion-ladrilleras-durango")
    assert 'class="editorial"' not in _row(html, "solución")
    assert 'class="editorial"' in _row(html, "programa")  # the practice in INAI's programme: a reading


def test_an_entity_stated_only_by_the_team_says_so(client: TestClient) -> None:
    html = _page(client, "/id/principio/transparencia", lang="en")
    assert "Everything said about this entity is an editorial reading" in html


def test_pages_without_editorial_statements_carry_no_notice(client: TestClient) -> None:
    html = _page(client, "/id/actividad/integrar-grupo-de-trabajo")
    assert 'id="editorial-notice"' not in html and 'class="editorial"' not in html


def test_turtle_pages_use_a_prefix_per_entity_type(client: TestClient) -> None:
    r = client.get("/id/practica/igualdad-laboral-salarial-jalisco.ttl")
    assert r.status_code == 200
    assert "@prefix practica: <https://w3id.org/gakg/id/practica/> ." in r.text
    assert "practica:igualdad-laboral-salarial-jalisco" in r.text
    assert "\\/" not in r.text  # no escaped slash in a prefixed name
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(ID + "practica/igualdad-laboral-salarial-jalisco"), None, None) in g


def test_dump_uses_a_prefix_per_entity_type(client: TestClient) -> None:
    r = client.get("/dataset/dump.ttl")
    assert r.status_code == 200
    text = r.text
    for prefix in ("practica", "municipio", "metrica-2017", "membresia"):
        assert f"@prefix {prefix}: <{TYPE_PREFIXES[prefix]}> ." in text
    assert "id:practica\\/" not in text


def test_query_page_lists_the_type_prefixes(client: TestClient) -> None:
    html = _page(client, "/sparql")
    assert 'id="type-prefixes"' in html
    assert "PREFIX practica: &lt;https://w3id.org/gakg/id/practica/&gt;" in html


def test_every_entity_type_of_the_data_has_its_prefix(public_store) -> None:
    subjects = {q.subject.value for q in public_store.quads() if hasattr(q.subject, "value")}
    types = {s[len(ID) :].split("/", 1)[0] for s in subjects if s.startswith(ID)}
    assert len(types) > 30
    assert types <= set(TYPE_PREFIXES), sorted(types - set(TYPE_PREFIXES))
