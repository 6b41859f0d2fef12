"""The SPARQL service through FastAPI's TestClient: protocol cases, errors, limits and the update route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient

from graphapp import queries

from .conftest import PRIVATE_NAMES, make_app_client

TOKEN = "s3cret-token-for-tests"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PRACTICES = (
    "PREFIX ga: <https://w3id.org/gakg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    'SELECT ?p ?l WHERE { ?p a ga:BestPractice ; rdfs:label ?l FILTER(LANG(?l) = "es") } ORDER BY ?p'
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_app_client(workers=2, query_timeout=20.0, update_token=TOKEN, max_rows=50) as c:
        yield c


def test_get_json_results(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": PRACTICES}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.headers["access-control-allow-origin"] == "*"
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 3
    assert rows[0]["l"] == {"type": "literal", "value": rows[0]["l"]["value"], "xml:lang": "es"}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
        ("image/png;q=0.9, text/*;q=0.5", "text/csv"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_select_negotiation(client: TestClient, accept: str, expected: str) -> None:
    r = client.get("/sparql", params={"query": PRACTICES}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected


def test_results_formats_parse(client: TestClient) -> None:
    xml = client.get("/sparql", params={"query": PRACTICES, "format": "xml"}).text
    assert xml.count("<result>") == 3 and 'xml:lang="es"' in xml
    csv = client.get("/sparql", params={"query": PRACTICES, "format": "csv"}).text
    assert csv.splitlines()[0] == "p,l" and len(csv.strip().splitlines()) == 4
    tsv = client.get("/sparql", params={"query": PRACTICES, "format": "tsv"}).text
    assert tsv.splitlines()[0] == "?p\t?l"
    assert tsv.splitlines()[1].startswith("<https://w3id.org/gakg/id/practica/")


def test_ask(client: TestClient) -> None:
    q = "ASK { <https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango> ?p ?o }"
    assert client.get("/sparql", params={"query": q}).json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"}).text
    assert "<boolean>true</boolean>" in xml


@pytest.mark.parametrize(
    ("accept", "fmt", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_construct_formats(client: TestClient, accept: str, fmt: str, rdflib_format: str) -> None:
    q = "CONSTRUCT { ?p a ?t } WHERE { ?p a ?t FILTER(STRSTARTS(STR(?p), 'https://w3id.org/gakg/id/practica/')) }"
    r = client.post("/sparql", content=q, headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == fmt
    g = rdflib.Graph().parse(data=r.text, format=rdflib_format)
    assert len(g) == 3


def test_describe(client: TestClient) -> None:
    q = "DESCRIBE <https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango>"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (
        None,
        rdflib.RDFS.label,
        rdflib.Literal("Reubicación de las ladrilleras de Durango", lang="es"),
    ) in g


def test_post_form_and_direct(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": COUNT})
    direct = client.post("/sparql", content=COUNT.encode(), headers={"Content-Type": "application/sparql-query"})
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()
    assert int(form.json()["results"]["bindings"][0]["n"]["value"]) > 20_000


def test_default_and_named_graph_uri(client: TestClient) -> None:
    graph = "https://w3id.org/gakg/graph/presentacion/buenas-practicas"
    r = client.get("/sparql", params={"query": COUNT, "default-graph-uri": graph})
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert 100 < n < 400
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.post(
        f"/sparql?named-graph-uri={quote(graph)}",
        content=q,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [graph]


def test_service_description_without_query(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, rdflib.RDF.type, sd.Service) in g
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in g
    assert len(list(g.objects(None, sd.resultFormat))) == 8


def test_query_page_for_browsers(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<textarea id="query"' in r.text  # the plain form: the editor without JavaScript
    assert "/static/vendor/yasgui/yasgui.min.js" in r.text  # the editor with it, from this server
    assert "PREFIX ga: &lt;https://w3id.org/gakg/ontology#&gt;" in r.text  # escaped inside the textarea
    assert "cdn" not in r.text.lower()


# ---------------------------------------------------------------- errors


def test_syntax_error_is_400_with_position(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "line 1" in r.text and "column" in r.text
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"content": COUNT, "headers": {"Content-Type": "text/plain"}}, "Unsupported Content-Type"),
        ({"content": COUNT, "headers": {"Content-Type": ""}}, "Missing Content-Type"),
        (
            {
                "content": b"query=SELECT%20%FF",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            "UTF-8",
        ),
        (
            {"content": b"SELECT * { ?s ?p \xff }", "headers": {"Content-Type": "application/sparql-query"}},
            "UTF-8",
        ),
        ({"data": {"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}}, "Updates are not accepted here"),
        ({"data": {"query": [COUNT, COUNT]}}, "exactly one 'query'"),
        (
            {"content": "SELECT * {} SELECT * {}", "headers": {"Content-Type": "application/sparql-query"}},
            "Syntax error",
        ),
        (
            {
                "content": "SELECT * {} ; INSERT DATA { <a:a> <a:b> <a:c> }",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            "only reads",
        ),
        (
            {
                "content": "INSERT DATA { <a:a> <a:b> <a:c> }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
            "Updates",
        ),
    ],
)
def test_bad_requests_are_400(client: TestClient, kwargs: dict, needle: str) -> None:
    r = client.post("/sparql", **kwargs)
    assert r.status_code == 400, r.text
    assert needle in r.text


def test_not_acceptable_is_406(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": PRACTICES}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_unknown_graph_parameter_is_400(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": COUNT, "default-graph-uri": "http://example.org/remote.ttl"})
    assert r.status_code == 400 and "never fetches" in r.text


def test_errors_answer_json_when_asked(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELEC"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == 400


def test_query_size_cap(client: TestClient) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 100_001
    r = client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_row_cap_truncates_and_says_so(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 50
    assert "50" in r.headers["x-result-truncated"]


def test_row_cap_applies_to_construct_too(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert r.status_code == 200
    assert len(r.text.strip().splitlines()) == 50
    assert "50" in r.headers["x-result-truncated"]
    small = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s a <https://w3id.org/gakg/ontology#BestPractice> }"}
    )
    assert "x-result-truncated" not in small.headers


# ---------------------------------------------------------------- safety


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "PREFIX x: <file:///etc/> SELECT * FROM x:passwd WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
    ],
)
def test_outside_access_is_refused(client: TestClient, query: str) -> None:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 400
    assert "never" in r.text or "only reads" in r.text


def test_keywords_inside_strings_and_names_are_fine(client: TestClient) -> None:
    q = 'PREFIX ex: <http://example.org/> SELECT ?service WHERE { BIND("SERVICE LOAD FROM" AS ?service) } # SERVICE'
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 200, r.text


def test_from_a_graph_of_the_dataset_is_allowed(client: TestClient) -> None:
    q = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/gakg/graph/presentacion/stl> WHERE { ?s ?p ?o }"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 200
    assert 100 < int(r.json()["results"]["bindings"][0]["n"]["value"]) < 400


def test_restricted_graph_is_invisible(client: TestClient) -> None:
    for q in (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "DESCRIBE <https://w3id.org/gakg/id/ciudadano/inscrito-1>",
        "SELECT ?o WHERE { ?s <http://xmlns.com/foaf/0.1/name> ?o }",
    ):
        r = client.get("/sparql", params={"query": q, "format": "json" if q.startswith("SELECT") else "nt"})
        assert r.status_code == 200
        assert "restricted" not in r.text
        for name in PRIVATE_NAMES:
            assert name not in r.text
    for fmt in ("ttl", "nq", "jsonld"):
        dump = client.get(f"/dataset/dump.{fmt}")
        assert dump.status_code == 200
        for name in PRIVATE_NAMES:
            assert name not in dump.text


# ---------------------------------------------------------------- updates


NEW_PRACTICE = """
PREFIX ga: <https://w3id.org/gakg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA { GRAPH <https://w3id.org/gakg/graph/local/nuevas> {
  <https://w3id.org/gakg/id/practica/prueba-actualizacion> a ga:BestPractice ;
    rdfs:label "Práctica de prueba"@es , "Test practice"@en ;
    dcterms:spatial <https://w3id.org/gakg/id/entidad/jalisco> ;
    ga:addressesProblem <https://w3id.org/gakg/id/problema/desigualdad-laboral-y-salarial-entre-hombres-y-mujeres> ;
    ga:solution "Una solución de prueba."@es ;
    ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;
    dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> .
} }
"""
ASK_NEW = "ASK { <https://w3id.org/gakg/id/practica/prueba-actualizacion> ?p ?o }"


def _ask(client: TestClient, q: str) -> bool:
    return client.get("/sparql", params={"query": q}).json()["boolean"]


def test_update_needs_token(client: TestClient) -> None:
    headers = {"Content-Type": "application/sparql-update"}
    r = client.post("/sparql/update", content=NEW_PRACTICE, headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    r = client.post("/sparql/update", content=NEW_PRACTICE, headers={**headers, "Authorization": "Bearer wrong"})
    assert r.status_code == 403
    assert _ask(client, ASK_NEW) is False


def test_update_that_breaks_shapes_changes_nothing(client: TestClient) -> None:
    broken = NEW_PRACTICE.replace("ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;", "")
    r = client.post(
        "/sparql/update",
        content=broken,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 400 and "BestPractice-status" in r.text
    assert _ask(client, ASK_NEW) is False


def test_load_in_update_is_refused(client: TestClient) -> None:
    r = client.post(
        "/sparql/update",
        content="LOAD <http://127.0.0.1:9/x.ttl>",
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 400 and "LOAD" in r.text


def test_valid_update_is_visible_to_queries_and_dumps(client: TestClient) -> None:
    r = client.post(
        "/sparql/update",
        content=NEW_PRACTICE,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204, r.text
    for _ in range(3):  # every worker sees it
        assert _ask(client, ASK_NEW) is True
    assert "prueba-actualizacion" in client.get("/dataset/dump.nq").text


def test_updates_disabled_without_configured_token(_app_client: TestClient) -> None:
    # the shared service of conftest runs with the default settings: no GRAPHAPP_UPDATE_TOKEN
    r = _app_client.post(
        "/sparql/update",
        content=NEW_PRACTICE,
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer anything"},
    )
    assert r.status_code == 403
    assert "disabled" in r.text


# ---------------------------------------------------------------- dataset


def test_void_dcat_description(client: TestClient) -> None:
    r = client.get("/dataset", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    ds = next(g.subjects(rdflib.RDF.type, void.Dataset))
    # no blanket licence: each graph (a void:subset) carries its source's licence or says none is stated
    assert g.value(ds, rdflib.DCTERMS.license) is None
    licences = {str(g.value(s, rdflib.DCTERMS.source)): s for s in g.objects(ds, void.subset)}
    places = licences["https://w3id.org/gakg/graph/reference/places"]
    assert g.value(places, rdflib.DCTERMS.license) == rdflib.URIRef("https://opendatacommons.org/licenses/odbl/1-0/")
    metrica = licences["https://w3id.org/gakg/graph/reference/metrica-2017"]
    assert g.value(metrica, rdflib.DCTERMS.license) is None and "no licence" in " ".join(
        g.objects(metrica, rdflib.DCTERMS.rights)
    )
    stl = licences["https://w3id.org/gakg/graph/presentacion/stl"]
    assert g.value(stl, rdflib.DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(g.value(ds, void.sparqlEndpoint)).endswith("/sparql")
    assert g.value(ds, void.exampleResource) is not None
    assert int(g.value(ds, void.triples)) > 20_000
    assert len(list(g.objects(ds, dcat.distribution))) == 3
    assert len(list(g.objects(ds, rdflib.DCTERMS.source))) >= 5


def test_dataset_page_and_footer_give_each_graphs_licence(client: TestClient) -> None:
    html = client.get("/dataset", params={"lang": "es"}, headers={"Accept": "text/html"}).text
    row = html.split("<code>https://w3id.org/gakg/graph/reference/places</code>", 1)[1].split("</tr>", 1)[0]
    assert "ODbL 1.0" in row
    row = html.split("<code>https://w3id.org/gakg/graph/reference/metrica-2017</code>", 1)[1].split("</tr>", 1)[0]
    assert "no declara licencia" in row and "CC BY" not in row
    footer = client.get("/", params={"lang": "en"}).text.split('<footer class="site">', 1)[1]
    assert "CC BY 4.0 except" in footer and "(ODbL 1.0)" in footer
    assert "Open Government Metric 2017 (INAI-CIDE)" in footer and "the source states no licence" in footer
    assert "Data licensed CC BY 4.0." not in footer


def test_openapi_documents_the_routes(client: TestClient) -> None:
    spec = json.loads(client.get("/openapi.json").text)
    for path in ("/sparql", "/sparql/update", "/dataset", "/dataset/dump.{fmt}"):
        assert path in spec["paths"]


def test_query_page_offers_every_example_without_its_metadata(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    examples = [n for n in queries.names() if "example" in queries.load(n).tags]
    assert len(examples) >= 10
    for name in examples:
        assert f'<option value="{name}"' in page
        start = page.index(f'<template id="example-{name}"')
        body = page[page.index(">", start) + 1 : page.index("</template>", start)]
        assert "PREFIX" in body and "#+" not in body


@pytest.mark.parametrize("name", [n for n in queries.names() if "example" in queries.load(n).tags])
def test_every_download_format_of_every_example_answers(client: TestClient, name: str) -> None:
    """The formats the query page offers for an example (those of its query form) all answer 200, in their type;
    the others of the other forms are refused as not acceptable (they used to be offered)."""
    from graphapp.results import SOLUTION_FORMATS, formats_for
    from graphapp.web.routers.sparql import examples

    example = next(e for e in examples() if e.name == name)
    offered = formats_for(example.form)
    for fmt in offered:
        r = client.get("/sparql", params={"query": example.body, "format": fmt.key})
        assert r.status_code == 200, (name, fmt.key, r.text[:200])
        assert r.headers["content-type"].startswith(fmt.media_type)
    other = "ttl" if offered is SOLUTION_FORMATS else "csv"
    r = client.get("/sparql", params={"query": example.body, "format": other})
    assert r.status_code == 406


def test_plain_form_results_page_for_a_browser(client: TestClient) -> None:
    """The query page's form without JavaScript: a browser's GET gets the results as a page."""
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    r = client.get(
        "/sparql", params={"query": "SELECT ?x WHERE { BIND(<javascript:alert(1)> AS ?x) }"}, headers=browser
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'href="javascript:' not in r.text
    r = client.get("/sparql", params={"query": PRACTICES}, headers=browser)
    assert "Reubicación de las ladrilleras de Durango" in r.text and "<table" in r.text


def test_a_plain_insert_lands_in_the_staff_contributions_graph(client: TestClient) -> None:
    """An ``INSERT DATA`` without a GRAPH clause goes into the contributions graph, not into a source graph."""
    note = "https://w3id.org/gakg/id/nota/contribucion-sin-grafo"
    update = f'INSERT DATA {{ <{note}> <http://www.w3.org/2000/01/rdf-schema#label> "Nota sin grafo"@es }}'
    r = client.post(
        "/sparql/update",
        content=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204, r.text
    r = client.get("/sparql", params={"query": f"SELECT ?g WHERE {{ GRAPH ?g {{ <{note}> ?p ?o }} }}"})
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert graphs == {"https://w3id.org/gakg/graph/contrib/staff"}


def test_a_query_needs_no_thread_of_the_pool_that_pages_render_in(client: TestClient) -> None:
    """Pages render in FastAPI's thread pool; with all of its threads taken (slow pages, many readers), a SPARQL
    query still answers: nothing on its way (the routes' dependencies included) waits for a thread of that pool."""
    import threading

    import anyio.to_thread

    portal = client.portal
    assert portal is not None
    release = threading.Event()

    async def take_every_thread() -> int:
        limiter = anyio.to_thread.current_default_thread_limiter()
        tokens = limiter.total_tokens
        limiter.total_tokens = 1
        return int(tokens)

    tokens = portal.call(take_every_thread)
    holder = portal.start_task_soon(anyio.to_thread.run_sync, release.wait)
    answered: list[int] = []
    asking = threading.Thread(
        target=lambda: answered.append(
            client.get(
                "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"}
            ).status_code
        )
    )
    try:
        asking.start()
        asking.join(20)
        assert answered == [200]
    finally:
        release.set()
        holder.result(20)
        asking.join(20)

        async def give_back() -> None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = tokens

        portal.call(give_back)
