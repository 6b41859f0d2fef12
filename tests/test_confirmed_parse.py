"""A query text the workers' parse has confirmed is not parsed again (the second parse, with rdflib's grammar, costs
more than evaluating a small query); a text the workers refused or could not read is never remembered. Seen from
outside through ``graphapp_query_parses_total`` on ``/metrics``, with the answer cache off."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import counter_by_label, make_app_client

METRICS_TOKEN = "confirmed-parse-metrics"


def _parses(client: TestClient) -> dict[str, float]:
    return counter_by_label(client, METRICS_TOKEN, "graphapp_query_parses_total", "result", ("parsed", "remembered"))


def _client() -> TestClient:
    return make_app_client({"GRAPHAPP_CACHE_MB": "0"}, max_queries_per_client=16, metrics_token=METRICS_TOKEN)


def test_a_repeated_query_is_parsed_once_and_answers_the_same() -> None:
    query = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 5"
    with _client() as client:
        before = _parses(client)
        answers = [client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"}) for _ in range(3)]
        after = _parses(client)
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert answers[0].text.count("\n") == 6 and len({r.text for r in answers}) == 1
    assert after["parsed"] - before["parsed"] == 1
    assert after["remembered"] - before["remembered"] == 2


def test_a_query_the_workers_cannot_read_is_parsed_every_time() -> None:
    """A syntax error the guard's scan lets through is refused by the worker each time it is sent."""
    broken = "SELECT * WHERE { ?s ?p }"
    with _client() as client:
        before = _parses(client)
        answers = [client.post("/sparql", data={"query": broken}) for _ in range(2)]
        after = _parses(client)
    assert [r.status_code for r in answers] == [400, 400], [r.text for r in answers]
    assert after["parsed"] - before["parsed"] == 2
    assert after["remembered"] == before["remembered"]
