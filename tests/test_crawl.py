"""No dead ends (issue 19): every link a page shows leads somewhere.

A breadth-first crawl of the site with the TestClient, as a browser would follow it: from the home page, the SDG
index, the overview, the dataset, the analytics, the practice finder, one entity of each kind in the data, an SDG
goal, target and indicator, a graph record and an external resource, every same-site link (``<a href>`` and
``<link href>``, root-relative or relative, resolved against the page's URL) is followed, up to :data:`MAX_URLS`
addresses; none may be a 404 or a server error. The failures are listed with the page that linked them.

Not followed: the SPARQL examples (``/sparql?query=…``: each runs a query in a worker, and the endpoint has tests
of its own), the sign-in page (``/acceso``), forms (their ``action`` is not a link) and fragments (``#…``, the same
page). The language switch (``lang=``) is dropped from the addresses: it would visit every page twice, and the
language never changes where a link leads.

The RDF links of the pages («Turtle · JSON-LD · N-Triples») are checked on their own as well: each must give the
description of the page's resource in the format it names, on entities, SDG pages, graph records and other external
resources alike.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import rdflib
from fastapi.testclient import TestClient

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
#: how many addresses the crawl visits at most (the shipped data has more pages than a test can read in time)
MAX_URLS = 1500

SDG_PAGES = ["/ods/16", "/ods/16.10", "/ods/C161001"]
GRAPH_PAGE = "/graph/presentacion/stl"
GRAPH_IRI = "https://w3id.org/gakg/graph/presentacion/stl"
RESOURCE_PAGE = "/recurso?iri=http%3A%2F%2Fpurl.org%2Fdc%2Fterms%2Fsubject"
HUBS = ["/", "/ods", "/vistas/general", "/dataset", "/analitica", "/practicas"]
RDF_MEDIA = {"Turtle": "text/turtle", "JSON-LD": "application/ld+json", "N-Triples": "application/n-triples"}
RDF_PARSER = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}


class _Links(HTMLParser):
    """The ``href`` of every ``<a>`` and ``<link>`` of a page, and the text of each ``<a>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.anchors: list[tuple[str, str]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag in ("a", "link") and href is not None:
            self.hrefs.append(href)
        if tag == "a":
            self._open.append([href or ""])

    def handle_data(self, data: str) -> None:
        for anchor in self._open:
            anchor.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, *text = self._open.pop()
            self.anchors.append((href, "".join(text).strip()))


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _same_site(href: str, page: str) -> str | None:
    """``href`` resolved against ``page``, as a root-relative address to crawl; ``None`` when it is not one."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    parts = urlsplit(urljoin(page, href))
    if parts.scheme or parts.netloc:
        return None  # another site (or mailto:, javascript:…)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"])
    url = urlunsplit(("", "", parts.path, query, ""))
    if parts.path == "/acceso" or parts.path.startswith("/acceso/"):
        return None
    if parts.path == "/sparql" and "query" in dict(parse_qsl(parts.query)):
        return None
    return url


def _one_entity_of_each_kind(client: TestClient) -> list[str]:
    """The first entity (by IRI) of each kind: the first segment of its path under ``/id/``."""
    service = client.app.state.service  # type: ignore[attr-defined]
    root = service.store.base_iri + "id/"
    kinds: dict[str, str] = {}
    for iri in sorted(service.index.types):
        if iri.startswith(root) and "/" in iri[len(root) :]:
            kinds.setdefault(iri[len(root) :].split("/", 1)[0], "/id/" + iri[len(root) :])
    return list(kinds.values())


def _crawl(client: TestClient, seeds: list[str]) -> tuple[list[str], list[tuple[str, int, str]]]:
    """Breadth-first from ``seeds``: the addresses visited, and the failures (address, status, linking page)."""
    linked_from = {url: "(start)" for url in seeds}
    queue = deque(seeds)
    visited: list[str] = []
    failures: list[tuple[str, int, str]] = []
    while queue and len(visited) < MAX_URLS:
        url = queue.popleft()
        visited.append(url)
        r = client.get(url, headers=HTML)
        if r.status_code == 404 or r.status_code >= 500:
            failures.append((url, r.status_code, linked_from[url]))
            continue
        if not r.headers.get("content-type", "").startswith("text/html"):
            continue
        page = r.url.raw_path.decode("ascii")  # where the client ended (after a redirect), with its query
        for href in _links(r.text).hrefs:
            target = _same_site(href, page)
            if target is not None and target not in linked_from:
                linked_from[target] = url
                queue.append(target)
    return visited, failures


def test_no_link_of_the_site_is_a_dead_end(client: TestClient) -> None:
    entities = _one_entity_of_each_kind(client)
    assert len(entities) >= 20, entities  # practices, commitments, municipalities, persons…
    # the pages whose own links the issue found broken first, then the hubs that lead everywhere
    seeds = [*entities, *SDG_PAGES, GRAPH_PAGE, RESOURCE_PAGE, *HUBS]
    visited, failures = _crawl(client, seeds)  # about 15 s on two cores
    report = "\n".join(f"  {status} {url}  (linked from {page})" for url, status, page in failures)
    assert not failures, f"{len(failures)} dead links among {len(visited)} addresses:\n{report}"
    assert len(visited) >= 1000, len(visited)  # the crawl went well beyond the seeds
    # every seed's RDF links were followed (they are among the first links of the crawl)
    for seed in [*entities[:3], *SDG_PAGES, GRAPH_PAGE]:
        assert f"{seed}.ttl" in visited and f"{seed}.nt" in visited, seed
    assert "/ods/16.ttl" in visited and "/ods" in visited


@pytest.mark.parametrize(
    ("page", "iri"),
    [
        (
            "/id/practica/reubicacion-ladrilleras-durango",
            "https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango",
        ),
        ("/ods/16", "http://metadata.un.org/sdg/16"),
        ("/ods/C161001", "http://metadata.un.org/sdg/C161001"),
        (GRAPH_PAGE, GRAPH_IRI),
        (RESOURCE_PAGE, "http://purl.org/dc/terms/subject"),
    ],
)
def test_the_rdf_links_of_a_page_give_its_description(client: TestClient, page: str, iri: str) -> None:
    r = client.get(page, headers=HTML)
    assert r.status_code == 200
    anchors = {text: href for href, text in _links(r.text).anchors if text in RDF_MEDIA}
    assert set(anchors) == set(RDF_MEDIA), anchors
    for text, href in anchors.items():
        url = _same_site(href, page)
        assert url is not None, href
        rdf = client.get(url, headers=HTML)  # a browser's Accept: the link itself names the format
        assert rdf.status_code == 200, (page, href, url)
        media = rdf.headers["content-type"].split(";")[0]
        assert media == RDF_MEDIA[text], (page, href, media)
        graph = rdflib.Graph().parse(data=rdf.text, format=RDF_PARSER[media])
        assert (rdflib.URIRef(iri), None, None) in graph, (page, href)


@pytest.mark.parametrize(
    ("how", "media"),
    [
        ({"suffix": ".ttl"}, "text/turtle"),
        ({"suffix": ".jsonld"}, "application/ld+json"),
        ({"suffix": ".nt"}, "application/n-triples"),
        ({"params": {"format": "ttl"}}, "text/turtle"),
        ({"params": {"format": "jsonld"}}, "application/ld+json"),
        ({"headers": {"Accept": "text/turtle"}}, "text/turtle"),
        ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json"),
        ({"headers": {"Accept": "application/n-triples"}}, "application/n-triples"),
    ],
)
def test_a_graph_record_serves_rdf_like_an_entity(client: TestClient, how: dict, media: str) -> None:
    r = client.get(GRAPH_PAGE + how.get("suffix", ""), params=how.get("params"), headers=how.get("headers", HTML))
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].split(";")[0] == media
    graph = rdflib.Graph().parse(data=r.text, format=RDF_PARSER[media])
    record = rdflib.URIRef(GRAPH_IRI)
    assert (record, rdflib.RDF.type, None) in graph and (record, rdflib.RDFS.label, None) in graph
    assert "Accept" in r.headers["vary"] and 'type="text/html"' in r.headers["link"]


def test_accept_chooses_a_graph_records_page_json_twin_or_rdf(client: TestClient) -> None:
    answers = {
        "text/html": "text/html",
        "*/*": "text/html",  # a browser's page stays the default
        "application/json": "application/json",  # the JSON twin, as on every page
        "text/turtle": "text/turtle",
        "application/ld+json;q=0.9, text/html;q=0.5": "application/ld+json",
    }
    for accept, media in answers.items():
        r = client.get(GRAPH_PAGE, headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media, accept
    assert client.get(GRAPH_PAGE, params={"format": "json"}).json()["iri"] == GRAPH_IRI
    # the RDF answer names its page, and format=html on a suffixed address is that page
    link = client.get(GRAPH_PAGE + ".ttl").headers["link"]
    assert link == f'<{GRAPH_PAGE}.ttl?format=html>; rel="alternate"; type="text/html"'
    assert client.get(f"{GRAPH_PAGE}.ttl?format=html").headers["content-type"].startswith("text/html")
    assert client.get(GRAPH_PAGE, params={"format": "xyz"}).status_code == 406
    assert client.get("/graph/presentacion/nada.ttl").status_code == 404
