"""One way out for every answer that depends on ``Accept``: pages, JSON twins, RDF descriptions, error pages and
the unknown entity's 404 all carry ``Vary: Accept``, so a cache never hands a browser the Turtle a program asked
for (or the reverse). The walk covers every GET route of the application, not a hand-kept list."""

from __future__ import annotations

from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from graphapp.web.exceptions import AppError
from graphapp.web.render import representation

from .routes import get_routes

#: a value for each path parameter, by route name (other routes have none)
PATHS = {
    "entity": "/id/stl/estado-de-mexico",
    "graph_record": "/graph/presentacion/stl",
    "view_neighbourhood": "/vistas/vecindario/stl/estado-de-mexico",
    "view_problem_tree": "/vistas/arbol-de-problemas/compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto",
    "history_page": "/historial/stl/estado-de-mexico",
    "sdg_page": "/ods/16",
    "external_resource": "/recurso?iri=http%3A%2F%2Fpurl.org%2Fdc%2Fterms%2Fsubject",
    "dump": "/dataset/dump.ttl",
}
ACCEPTS = ("text/html", "application/json", "text/turtle", "image/png")


def _vary(headers: object) -> set[str]:
    value = getattr(headers, "get")("vary") or ""  # noqa: B009 - httpx's Headers
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def _urls(client: TestClient) -> list[tuple[str, str]]:
    urls = []
    for route in get_routes(client.app):
        if route.path.startswith("/api/"):
            continue  # the API answers JSON whatever Accept says
        if "{" in route.path and route.name not in PATHS:
            continue
        urls.append((route.name, PATHS.get(route.name, route.path)))
    return urls


def test_the_walk_reaches_pages_rdf_and_probes(client: TestClient) -> None:
    names = {name for name, _ in _urls(client)}
    assert {"home", "entity", "graph_record", "dataset", "sparql_get", "docs", "sdg_page", "ready"} <= names


def test_every_answer_that_depends_on_accept_says_so(client: TestClient) -> None:
    """For every GET route: when two Accept headers (or a bad ``format=``) get different answers, each answer
    carries ``Vary: Accept``; errors (400, 406) included."""
    missing = []
    for name, url in _urls(client):
        answers = {accept: client.get(url, headers={"Accept": accept}, follow_redirects=False) for accept in ACCEPTS}
        shapes = {(r.status_code, r.headers.get("content-type", "").split(";")[0]) for r in answers.values()}
        if len(shapes) > 1:
            missing += [
                (name, accept, r.status_code) for accept, r in answers.items() if "accept" not in _vary(r.headers)
            ]
        sep = "&" if "?" in url else "?"
        bad = client.get(f"{url}{sep}format=nonsense", headers={"Accept": "text/html"}, follow_redirects=False)
        if bad.status_code >= 400 and "accept" not in _vary(bad.headers):
            missing.append((name, "format=nonsense", bad.status_code))
    assert missing == []


class _Page(HTMLParser):
    """The links and the first heading of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href" and v]
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


def _parsed(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def test_an_unknown_entity_varies_by_accept_and_suggests_close_ones(client: TestClient) -> None:
    url = "/id/stl/estado-de-mexic"  # one letter short of an entity
    page = client.get(url, headers={"Accept": "text/html"})
    data = client.get(url, headers={"Accept": "application/json"})
    assert page.status_code == data.status_code == 404
    assert "accept" in _vary(page.headers) and "accept" in _vary(data.headers)
    assert page.headers["content-type"].startswith("text/html")
    suggested = [s["href"] for s in data.json()["suggestions"]]
    assert suggested and all(href.startswith("/id/") for href in suggested)
    assert set(suggested) <= set(_parsed(page.text).links)  # the page links the same suggestions


@pytest.mark.parametrize(
    ("accept", "kind"),
    [("text/html", "text/html"), ("application/json", "application/json"), ("*/*", "text/plain")],
)
def test_an_error_page_varies_by_accept(client: TestClient, accept: str, kind: str) -> None:
    r = client.get("/no-such-page", headers={"Accept": accept})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(kind)
    assert "accept" in _vary(r.headers)
    if kind == "text/html":
        assert "404" in _parsed(r.text).h1 or "/no-such-page" in r.text


def test_the_api_answers_errors_in_json_whatever_accept_says(client: TestClient) -> None:
    r = client.get("/api/no-such-thing", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert r.json()["error"] == 404


def test_an_entity_in_turtle_names_its_page_and_varies(client: TestClient) -> None:
    r = client.get("/id/stl/estado-de-mexico", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "accept" in _vary(r.headers)
    assert 'rel="alternate"; type="text/html"' in r.headers["link"]
    triples = list(ox.parse(r.content, ox.RdfFormat.TURTLE))
    subjects = {t.subject for t in triples}
    assert any(isinstance(s, ox.NamedNode) and s.value.endswith("/id/stl/estado-de-mexico") for s in subjects)


def test_the_suffix_and_the_external_page_answer_the_same_description(client: TestClient) -> None:
    """The entity route and the SDG route share one DESCRIBE path: the same suffixes, the same formats."""
    by_suffix = client.get("/ods/16.ttl")
    by_accept = client.get("/ods/16", headers={"Accept": "text/turtle"})
    assert by_suffix.status_code == by_accept.status_code == 200
    assert set(ox.parse(by_suffix.content, ox.RdfFormat.TURTLE)) == set(
        ox.parse(by_accept.content, ox.RdfFormat.TURTLE)
    )
    assert client.get("/ods/16.ttl?format=nonsense").status_code == 406
    assert client.get("/id/stl/estado-de-mexico.ttl?format=nonsense").status_code == 406


def _request(accept: str | None) -> Request:
    headers = [(b"accept", accept.encode())] if accept else []
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": headers})


@pytest.mark.parametrize(
    ("accept", "format", "json", "rdf", "expected"),
    [
        (None, None, True, False, "html"),  # a page with a twin: HTML by default
        ("application/json", None, True, False, "json"),
        ("image/png", None, True, False, "html"),  # names neither: the page
        (None, None, False, True, "rdf:ttl"),  # a linked-data resource: Turtle by default
        ("text/html", None, False, True, "html"),
        ("application/ld+json", None, True, True, "rdf:jsonld"),
        ("text/html", "json", False, True, "rdf:jsonld"),  # no twin: format=json is its JSON-LD
        ("text/html", "json", True, True, "json"),
        ("text/turtle", "html", False, True, "html"),
    ],
)
def test_one_decision_for_every_representation(
    accept: str | None, format: str | None, json: bool, rdf: bool, expected: str
) -> None:
    chosen = representation(_request(accept), format, json=json, rdf=rdf)
    assert (f"rdf:{chosen.rdf.key}" if chosen.rdf else chosen.kind) == expected


@pytest.mark.parametrize(("rdf", "status"), [(False, 400), (True, 406)])
def test_an_unknown_format_is_a_clear_error(rdf: bool, status: int) -> None:
    with pytest.raises(AppError) as caught:
        representation(_request("text/html"), "nonsense", rdf=rdf)
    assert caught.value.status == status
    with pytest.raises(AppError) as caught:
        representation(_request("image/png"), None, json=False, rdf=True)
    assert caught.value.status == 406


# ---------------------------------------------------------------- the graph views, declared once


def test_every_graph_view_is_declared_once_and_served_where_declared(client: TestClient) -> None:
    from graphapp.web.routers.views import VIEWS

    served = {r.name: r.path for r in get_routes(client.app) if r.path.startswith("/vistas/")}
    assert served == {view.name: view.path for view in VIEWS}
    index = client.get("/vistas?format=json").json()["views"]
    assert [item["name"] for item in index] == [view.name for view in VIEWS]


def test_the_views_nav_links_the_declared_views(client: TestClient) -> None:
    from graphapp.web.routers.views import VIEWS

    page = _parsed(client.get("/vistas/stl", headers={"Accept": "text/html"}).text)
    declared = [client.app.url_path_for(view.name) for view in VIEWS if view.nav]  # type: ignore[attr-defined]
    shown = [link for link in page.links if link in declared]
    assert shown[: len(declared)] == declared
