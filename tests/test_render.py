"""One render step for every page: each HTML page answers its JSON twin by ``format=json`` (and by an Accept
header that prefers JSON), and both carry ``Vary: Accept`` and a ``Link: <...>; rel="alternate"`` header naming
the other. The test walks ``app.routes``, so a new page without a twin fails here."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from graphapp.config import Settings
from graphapp.web.app import create_app

from .routes import get_routes

COMMITMENT = "compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto"
#: a value for each path parameter, by route name
PATHS = {
    "entity": "/id/stl/estado-de-mexico",
    "graph_record": "/graph/presentacion/stl",
    "view_neighbourhood": "/vistas/vecindario/stl/estado-de-mexico",
    "view_problem_tree": f"/vistas/arbol-de-problemas/{COMMITMENT}",
    "history_page": "/historial/stl/estado-de-mexico",
    "analytics_path": "/analitica/camino?desde=INFOEM&hasta=Toluca",
    "sdg_page": "/ods/16",
    "external_resource": "/recurso?iri=http%3A%2F%2Fpurl.org%2Fdc%2Fterms%2Fsubject",
    "practices_compare": "/practicas/comparar?p=practica/reubicacion-ladrilleras-durango&p=practica/igualdad-laboral-salarial-jalisco",
}
#: routes that are not pages to read (with the reason)
NOT_PAGES = {
    "access_page": "the sign-in form: nothing to read, and it sets no data",
    "practice_form": "a staff form (a browser without a session is sent to the sign-in page)",
    "organisation_form": "a staff form (a browser without a session is sent to the sign-in page)",
    "source_form": "a staff form (a browser without a session is sent to the sign-in page)",
    "entity_edit_form": "a staff form: an entity's correction (a browser without a session is sent to the sign-in page)",
    "import_page": "a staff form: the CSV upload (a browser without a session is sent to the sign-in page)",
    "import_preview": "a staff page of one upload, with its JSON twin (tests/test_import_web.py)",
    "dump": "a download in one fixed format",
    "release_dump": "a download in one fixed format",
    "release": "a release's page, with its JSON twin (tests/test_releases.py): the shared service has no release",
    "sparql_terms": "the query editor's completion list: JSON only",
    "query_citation": "a citation in one fixed format (text, BibTeX, CSL-JSON)",
    "dataset_citation": "a citation in one fixed format (text, BibTeX, CSL-JSON)",
    "release_citation": "a citation in one fixed format (text, BibTeX, CSL-JSON)",
    "health": "an operations probe for a proxy or a monitor: JSON only",
    "ready": "an operations probe for a proxy or a monitor: JSON only",
    "metrics": "Prometheus's text format, for a monitor (restricted)",
}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LINK = re.compile(r'<([^>]+)>; rel="alternate"; type="([^"]+)"')


def _page_urls(app: object) -> list[tuple[str, str]]:
    urls = []
    for route in get_routes(app):
        if route.path.startswith("/api/") or route.name in NOT_PAGES:
            continue
        urls.append((route.name, PATHS.get(route.name, route.path)))
    return urls


def test_every_route_is_walked(client: TestClient) -> None:
    names = [name for name, url in _page_urls(client.app)]
    assert {"home", "entity", "graph_record", "sparql_get", "docs", "views_index", "history_page"} <= set(names)
    assert all("{" not in url for _, url in _page_urls(client.app)), "give the new route a sample path in PATHS"
    assert names == [name for name, _ in PAGES]


# the routes of an app that is never started (its service starts in the lifespan)
PAGES = _page_urls(create_app(Settings.from_env({"GRAPHAPP_STORE_DIR": ":memory:"})))


@pytest.mark.parametrize(("name", "url"), PAGES, ids=[name for name, _ in PAGES])
def test_every_html_page_has_a_working_json_twin(client: TestClient, name: str, url: str) -> None:
    page = client.get(url, headers=HTML)
    assert page.status_code == 200, (name, page.text[:300])
    assert page.headers["content-type"].startswith("text/html"), name
    assert "Accept" in page.headers.get("vary", ""), name
    link = LINK.search(page.headers.get("link", ""))
    assert link is not None, (name, page.headers.get("link"))
    twin_url, twin_type = link.groups()
    assert "json" in twin_type, name
    twin = client.get(twin_url, headers=HTML)  # format= in the link wins over a browser's Accept
    assert twin.status_code == 200, (name, twin_url, twin.text[:300])
    assert "json" in twin.headers["content-type"], (name, twin.headers["content-type"])
    json.loads(twin.text)
    assert "Accept" in twin.headers.get("vary", ""), name
    back = LINK.search(twin.headers.get("link", ""))
    assert back is not None and back.group(2) == "text/html", name
    assert (
        client.get(back.group(1), headers={"Accept": "application/json"})
        .headers["content-type"]
        .startswith("text/html")
    ), name
    # and an Accept header that prefers JSON gets the twin without format=
    by_accept = client.get(url, headers={"Accept": "application/json"})
    assert by_accept.status_code == 200 and "json" in by_accept.headers["content-type"], name
