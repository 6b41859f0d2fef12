"""The OpenAPI description tells the truth: a bounded schemathesis run over every documented operation.

Each operation gets generated requests (valid and invalid parameters, bodies, headers); every response must have a
documented status and media type, match its schema and never be a server error. The run is derandomized (the same
requests on every run, in CI too) and small enough for the suite: a few seconds per operation on two cores.

The service runs with an update token, so ``POST /sparql/update`` is exercised too: without the token it answers
401 or 403 before it reads the body, so nothing is ever written. :mod:`tests.test_api_contract_writes` sends the
token, so that the write routes are fuzzed beyond their authentication.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import make_settings
from .contract import bounded, open_schema, running, says_what_went_wrong

#: operations whose parameters have rules a JSON Schema cannot state (one of q, theme or problem; two or three
#: different practices; a SPARQL query that parses; an existing class; desde and hasta together for JSON), so a
#: schema-valid request may rightly be a 400. Every other check still applies to them.
CROSS_FIELD_RULES = {
    ("GET", "/sparql"),
    ("POST", "/sparql"),
    ("GET", "/api/practices/search"),
    ("GET", "/practicas"),
    ("GET", "/practicas/comparar"),
    ("GET", "/analitica/camino"),
    ("GET", "/vistas/general"),
}

SERVICE, schema = open_schema(make_settings(update_token="contract-test-token-never-sent"))


@pytest.fixture(scope="module")
def service() -> Iterator[None]:
    """The service, with its lifespan running, for every operation of the run (the centrality rankings, computed
    in the background from a first request on, ready: a 503 «being prepared» is documented but not a contract
    answer to check)."""
    with running(SERVICE) as client:
        assert client.app.state.service.wait_for_builds(120)  # type: ignore[attr-defined]
        yield


@schema.parametrize()
@bounded(max_examples=25)
def test_api_answers_as_documented(case: schemathesis.Case, service: None) -> None:
    excluded = [positive_data_acceptance] if (case.method.upper(), case.path) in CROSS_FIELD_RULES else []
    case.call_and_validate(excluded_checks=excluded, additional_checks=[says_what_went_wrong])


def test_every_route_is_in_the_description(client: TestClient) -> None:
    """The contract run covers what is documented: every public route must be documented."""
    paths = client.get("/openapi.json").json()["paths"]
    documented = {(m.upper(), p) for p, item in paths.items() for m in item}
    assert len(documented) >= 25
    assert {("POST", "/sparql/update"), ("GET", "/sparql"), ("GET", "/api/practices/search")} <= documented
    for (method, path), operation in ((k, paths[k[1]][k[0].lower()]) for k in documented):
        assert "422" not in operation["responses"], (method, path)  # validation errors are 400s here


@pytest.mark.parametrize(
    "url",
    [
        "/?format=&lang=",
        "/buscar?q=toluca&format=&lang=",
        "/ontology?format=",
        "/id/practica/reubicacion-ladrilleras-durango?format=&lang=",
        "/dataset?format=",
        "/vistas?format=&lang=",
        "/vistas/stl?format=&lang=",
        "/vistas/general?class=&format=",
        "/analitica/componentes?format=",
        "/practicas?q=aire&format=&lang=",
        "/api/practices/search?q=aire&lang=",
        "/api/practices/themes?lang=",
    ],
)
def test_empty_format_and_lang_are_absent(client: TestClient, url: str) -> None:
    """``format=`` and ``lang=`` left empty (as a form sends them) mean "not given": negotiate by Accept."""
    html = client.get(url, headers={"Accept": "text/html"})
    assert html.status_code == 200, html.text
    as_json = client.get(url, headers={"Accept": "application/json"})
    assert as_json.status_code == 200, as_json.text
    if not url.startswith(("/id/", "/dataset", "/sparql", "/api/")):
        assert html.headers["content-type"].startswith("text/html")
        assert as_json.headers["content-type"].startswith("application/json")


def test_empty_format_at_the_sparql_endpoint_is_absent(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK {}", "format": ""}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")


def test_api_errors_are_json_whatever_the_accept_header(client: TestClient) -> None:
    r = client.get("/api/practices/search", params={"q": "aire", "limit": "many"}, headers={"Accept": "text/html"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"] == 400 and "limit" in r.json()["message"]
