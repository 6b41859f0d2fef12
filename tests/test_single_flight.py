"""Identical cold queries sent at once cost one evaluation (single flight), with the answer cache off and on: the
others wait for its answer. Different queries are not merged, and a client that leaves does not stop the others."""

from __future__ import annotations

import concurrent.futures

from fastapi.testclient import TestClient

from .conftest import counter_by_label, make_app_client

# a few seconds of work on the shipped data: every typed entity against every other, three times
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?c . ?b a ?d . VALUES ?k { 1 2 3 } }"


METRICS_TOKEN = "single-flight-metrics"


def _evaluations(client: TestClient) -> dict[str, float]:
    return counter_by_label(
        client, METRICS_TOKEN, "graphapp_query_evaluations_total", "result", ("evaluated", "shared")
    )


def _ask_at_once(client: TestClient, queries: list[str]) -> list[tuple[int, str]]:
    def one(query: str) -> tuple[int, str]:
        r = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
        return r.status_code, r.text

    with concurrent.futures.ThreadPoolExecutor(len(queries)) as pool:
        return list(pool.map(one, queries))


def test_identical_cold_queries_at_once_are_evaluated_once_without_the_cache() -> None:
    with make_app_client(
        {"GRAPHAPP_CACHE_MB": "0"}, workers=2, max_queries_per_client=16, metrics_token=METRICS_TOKEN
    ) as client:
        before = _evaluations(client)
        answers = _ask_at_once(client, [SLOW] * 4)
        after = _evaluations(client)
    assert {status for status, _ in answers} == {200}
    assert len({text for _, text in answers}) == 1  # one answer, given to all four
    assert after["evaluated"] - before["evaluated"] == 1
    assert after["shared"] - before["shared"] == 3


def test_the_next_identical_query_after_the_first_answer_is_evaluated_again_without_the_cache() -> None:
    """Single flight merges requests in flight only: it is not a cache."""
    with make_app_client({"GRAPHAPP_CACHE_MB": "0"}, max_queries_per_client=16, metrics_token=METRICS_TOKEN) as client:
        before = _evaluations(client)
        for _ in range(2):
            assert client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        after = _evaluations(client)
    assert after["evaluated"] - before["evaluated"] == 2
    assert after["shared"] == before["shared"]


def test_different_queries_are_not_merged() -> None:
    with make_app_client(
        {"GRAPHAPP_CACHE_MB": "0"}, workers=2, max_queries_per_client=16, metrics_token=METRICS_TOKEN
    ) as client:
        before = _evaluations(client)
        answers = _ask_at_once(client, [SLOW, SLOW.replace("1 2 3", "1 2")])
        after = _evaluations(client)
    assert [status for status, _ in answers] == [200, 200]
    assert answers[0][1] != answers[1][1]
    assert after["evaluated"] - before["evaluated"] == 2


def test_with_the_cache_on_identical_cold_queries_at_once_are_evaluated_once_too() -> None:
    with make_app_client(workers=2, max_queries_per_client=16, metrics_token=METRICS_TOKEN) as client:
        before = _evaluations(client)
        answers = _ask_at_once(client, [SLOW + " # cold"] * 3)
        after = _evaluations(client)
    assert {status for status, _ in answers} == {200}
    assert after["evaluated"] - before["evaluated"] == 1
