"""What is built in the background (graphapp.background): a request never waits for a build more than the bound;
before the first build it is a 503 «se está preparando» with Retry-After; after a write the previous version's value
is served until the new one is ready. The slow builders are injected through ``BuiltInBackground``'s ``build``
parameter; the pages are the overview and the finder, through HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graphapp.background import WAIT_SECONDS, BeingPrepared, Built, BuiltInBackground
from graphapp.finder.index import PracticeIndex
from graphapp.graphviews.projection import build_entity_graph

from .conftest import make_app_client

PATIENCE = 120.0
#: what a request may take over the bound: the request itself (a page of the shipped data takes well under this)
SLACK = 1.5
TOKEN = "background-test-token"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
HTML = {"Accept": "text/html"}
DURANGO = "https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango"


class Gate:
    """A builder that waits for the test to open the gate, and records the versions it was asked to build."""

    def __init__(self, real: Callable[[int, str], Any]) -> None:
        self.open = threading.Event()
        self.started: list[int] = []
        self.real = real

    def build(self, version: int, part: str) -> Any:
        self.started.append(version)
        assert self.open.wait(PATIENCE), "the test never opened the gate"
        return self.real(version, part)


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


# ---------------------------------------------------------------- the class


def test_a_request_during_the_first_build_is_told_it_is_being_prepared_within_the_bound() -> None:
    gate = Gate(lambda version, part: f"value {version}")
    built = BuiltInBackground("slow", gate.build, wait_seconds=0.5, retry_after=7)
    try:
        built.publish(1)
        start = time.monotonic()
        with pytest.raises(BeingPrepared) as caught:
            built.get()
        assert time.monotonic() - start < 0.5 + SLACK
        assert caught.value.version == 1 and caught.value.retry_after == 7 and caught.value.name == "slow"
        assert gate.started == [1]  # the first request started the build
        gate.open.set()
        assert built.wait(PATIENCE)
        assert built.get() == Built(1, "value 1")
    finally:
        gate.open.set()
        built.close()


def test_the_previous_value_is_served_until_the_new_one_is_built() -> None:
    gate = Gate(lambda version, part: f"value {version}")
    built = BuiltInBackground("slow", gate.build, wait_seconds=0.3)
    try:
        built.publish(1)
        gate.open.set()
        assert built.current(timeout=PATIENCE) == Built(1, "value 1")
        gate.open.clear()
        built.publish(2)
        served, took = _timed(built.get)
        assert served == Built(1, "value 1") and took < 0.3 + SLACK
        assert built.latest() == Built(1, "value 1")
        gate.open.set()
        assert built.current(timeout=PATIENCE) == Built(2, "value 2")
        assert built.get() == Built(2, "value 2")
    finally:
        gate.open.set()
        built.close()


def test_a_build_that_cannot_end_within_the_bound_is_not_waited_for() -> None:
    """The last build of the part took longer than the bound: a request after a write gets the previous version's
    value at once instead of waiting the whole bound for nothing; a build expected to end in time is waited for."""
    calls: list[int] = []

    def build(version: int, part: str) -> str:
        calls.append(version)
        if version == 1:
            time.sleep(1.2)  # the first build: longer than the bound below
        else:
            gate.open.wait(PATIENCE)
        return f"value {version}"

    gate = Gate(lambda version, part: None)
    built = BuiltInBackground("slow", build, wait_seconds=1.0)
    try:
        built.publish(1)
        assert built.current(timeout=PATIENCE) == Built(1, "value 1")
        built.publish(2)
        served, took = _timed(built.get)
        assert served == Built(1, "value 1")
        assert took < 0.5, f"waited {took:.2f} s for a build expected to take 1.2 s"
        gate.open.set()
        assert built.current(timeout=PATIENCE) == Built(2, "value 2")
    finally:
        gate.open.set()
        built.close()
    quick = BuiltInBackground("quick", lambda version, part: time.sleep(0.2) or version, wait_seconds=PATIENCE)
    try:
        quick.publish(1)
        assert quick.current(timeout=PATIENCE) == Built(1, 1)
        quick.publish(2)
        assert quick.get() == Built(2, 2)  # expected in 0.2 s, within the bound: waited for
    finally:
        quick.close()


def test_a_build_that_ends_within_the_bound_is_waited_for() -> None:
    built = BuiltInBackground("quick", lambda version, part: version * 10, wait_seconds=PATIENCE)
    try:
        built.publish(4)
        assert built.get() == Built(4, 40)
    finally:
        built.close()


def test_a_newer_version_supersedes_the_parts_not_started() -> None:
    gate = Gate(lambda version, part: (version, part))
    built = BuiltInBackground("parts", lambda v, p: gate.build(v, p), parts=("a", "b"), eager=True)
    try:
        built.publish(1)
        deadline = time.monotonic() + PATIENCE
        while gate.started != [1]:  # part a of version 1 under way
            assert time.monotonic() < deadline
            time.sleep(0.01)
        built.publish(2)
        gate.open.set()
        assert built.wait(PATIENCE)
        assert built.latest("a") == Built(2, (2, "a")) and built.latest("b") == Built(2, (2, "b"))
        assert gate.started == [1, 2, 2]  # version 1's part b was never built
    finally:
        gate.open.set()
        built.close()


def test_a_lazy_builder_builds_nothing_until_asked_and_close_wakes_whoever_waits() -> None:
    calls: list[int] = []
    built = BuiltInBackground("lazy", lambda version, part: calls.append(version) or version)
    built.publish(3)
    assert built.wait(1) and calls == [] and built.latest() is None
    built.close()
    gate = Gate(lambda version, part: version)
    slow = BuiltInBackground("slow", gate.build)
    slow.publish(1)
    outcome: list[object] = []

    def wait_for_it() -> None:
        try:
            outcome.append(slow.current())  # no timeout: until built, or closed
        except BeingPrepared as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    time.sleep(0.2)
    slow.close(timeout=0)  # the build is still held at the gate
    waiter.join(PATIENCE)
    assert not waiter.is_alive() and isinstance(outcome[0], BeingPrepared)
    gate.open.set()
    slow.close()


# ---------------------------------------------------------------- through HTTP: the overview and the finder


@pytest.fixture(scope="module")
def gated() -> Iterator[tuple[TestClient, Gate, Gate]]:
    """A service of its own that takes writes, whose projection and finder's index wait for their gates (closed at
    start): builders injected through the public ``build`` parameter, in place of the service's."""
    with make_app_client(update_token=TOKEN) as c:
        service = c.app.state.service
        views = Gate(lambda version, part: build_entity_graph(service.store))
        finder = Gate(lambda version, part: PracticeIndex.build(service.store))
        service.entity_graphs.close()
        service.finder.close()
        service.entity_graphs = BuiltInBackground("entity-graph", views.build)
        service.finder = BuiltInBackground("finder", finder.build)
        service.entity_graphs.publish(service.version)
        service.finder.publish(service.version)
        try:
            yield c, views, finder
        finally:
            views.open.set()
            finder.open.set()


def _get(client: TestClient, url: str, **params: object) -> tuple[Any, float]:
    return _timed(lambda: client.get(url, params={"lang": "es", "format": "json", **params}))


def _write(client: TestClient, n: int) -> int:
    update = (
        "INSERT DATA { GRAPH <https://w3id.org/gakg/graph/local/pruebas-segundo-plano> { "
        f'<https://w3id.org/gakg/id/nota/prueba-segundo-plano-{n}> <http://www.w3.org/2000/01/rdf-schema#label> "prueba {n}"@es'
        " } }"
    )
    r = client.post("/sparql/update", content=update, headers=UPDATE)
    assert r.status_code == 204, r.text
    return int(client.app.state.service.version)  # type: ignore[attr-defined]


def test_during_the_first_build_the_pages_answer_503_within_the_bound(gated: tuple[TestClient, Gate, Gate]) -> None:
    client, views, finder = gated
    version = client.app.state.service.version  # type: ignore[attr-defined]
    for url in ("/vistas/general", "/practicas", "/api/practices/search"):
        r, took = _get(client, url, q="ladrilleras")
        assert took < WAIT_SECONDS + SLACK, (url, took)
        assert r.status_code == 503 and r.headers["retry-after"] == "5", url
        body = r.json()
        assert body["error"] == 503 and body["preparing"] is True and body["graph_version"] is None, url
        assert body["current_graph_version"] == version and "se está preparando" in body["message"], url
    page, took = _timed(lambda: client.get("/vistas/general", params={"lang": "es"}, headers=HTML))
    assert took < WAIT_SECONDS + SLACK and page.status_code == 503 and page.headers["retry-after"] == "5"
    assert "<h1>Vista general</h1>" in page.text and 'id="being-prepared"' in page.text
    assert f"se está preparando para la versión {version} del grafo" in page.text
    english = client.get("/practicas", params={"lang": "en", "q": "ladrilleras"}, headers=HTML)
    assert english.status_code == 503 and "<h1>Practice finder</h1>" in english.text
    assert f"is being prepared for version {version} of the graph" in english.text
    assert views.started == [version] and finder.started == [version]  # one build each, however many requests
    views.open.set()
    finder.open.set()
    service = client.app.state.service  # type: ignore[attr-defined]
    assert service.entity_graphs.wait(PATIENCE) and service.finder.wait(PATIENCE)
    overview, _ = _get(client, "/vistas/general")
    assert overview.status_code == 200
    assert overview.json()["graph_version"] == overview.json()["current_graph_version"] == version
    found, _ = _get(client, "/api/practices/search", q="ladrilleras")
    assert found.status_code == 200 and found.json()["results"][0]["iri"] == DURANGO
    assert found.json()["up_to_date"] is True


def test_after_a_write_the_previous_version_is_served_until_the_new_one_is_ready(
    gated: tuple[TestClient, Gate, Gate],
) -> None:
    client, views, finder = gated
    service = client.app.state.service  # type: ignore[attr-defined]
    views.open.set()
    finder.open.set()
    before = service.version
    service.entity_graphs.request()
    service.finder.request()
    assert service.entity_graphs.wait(PATIENCE) and service.finder.wait(PATIENCE)
    views.open.clear()
    finder.open.clear()
    after = _write(client, 1)
    assert after > before
    overview, took = _get(client, "/vistas/general")
    assert took < WAIT_SECONDS + SLACK and overview.status_code == 200
    body = overview.json()
    assert body["graph_version"] == before and body["current_graph_version"] == after
    assert body["up_to_date"] is False and body["preparing"] is True and body["total"] > 100
    page = client.get("/vistas/general", params={"lang": "es"}, headers=HTML)
    assert page.status_code == 200 and 'id="graph-version"' in page.text
    assert f"Dibujado sobre la versión {before} del grafo, una anterior: la versión actual ({after})" in page.text
    found, took = _get(client, "/api/practices/search", q="ladrilleras")
    assert took < WAIT_SECONDS + SLACK and found.status_code == 200
    assert found.json()["graph_version"] == before and found.json()["current_graph_version"] == after
    assert found.json()["results"][0]["iri"] == DURANGO
    search = client.get("/practicas", params={"lang": "es", "q": "ladrilleras"}, headers=HTML)
    assert search.status_code == 200 and f"Se busca en la versión {before} del grafo" in search.text
    views.open.set()
    finder.open.set()
    assert service.entity_graphs.wait(PATIENCE) and service.finder.wait(PATIENCE)
    overview, _ = _get(client, "/vistas/general")
    assert overview.json()["graph_version"] == overview.json()["current_graph_version"] == after
    assert overview.json()["up_to_date"] is True
    found, _ = _get(client, "/api/practices/search", q="ladrilleras")
    assert found.json()["graph_version"] == after and found.json()["up_to_date"] is True
    assert views.started[-1] == after and finder.started[-1] == after


def test_wait_for_builds_readies_what_the_pages_read() -> None:
    """What the test fixtures call to read the steady state: the projection, the finder's index and the centrality
    rankings of the current version, all built."""
    with make_app_client() as c:
        service = c.app.state.service
        assert service.wait_for_builds(PATIENCE)
        for builder in (service.entity_graphs, service.finder):
            assert builder.latest().version == service.version
        assert {service.centrality.latest(n).version for n in service.centrality.parts} == {service.version}


def test_pages_while_the_label_index_is_being_prepared_say_so_within_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Right after a start on a large store the label index takes seconds to minutes (read from the store folder, or
    built): a page waits at most GRAPHAPP_BUILD_WAIT_SECONDS, then is a 503 «se está preparando» with Retry-After
    (HTML or JSON), while SPARQL answers; once the index is there, the pages are served."""
    from graphapp.index import GraphIndex

    real_build = GraphIndex.build.__func__  # type: ignore[attr-defined]
    gate = threading.Event()

    def slow_build(cls: type[GraphIndex], store: object) -> GraphIndex:
        assert gate.wait(PATIENCE), "the test never opened the gate"
        return real_build(cls, store)

    monkeypatch.setattr(GraphIndex, "build", classmethod(slow_build))
    practice = "/id/practica/reubicacion-ladrilleras-durango"
    try:
        with make_app_client(build_wait_seconds=0.3) as c:
            r, took = _timed(lambda: c.get(practice, headers=HTML))
            assert r.status_code == 503 and took < 0.3 + SLACK
            assert r.headers["Retry-After"].isdigit()
            assert "se está preparando" in r.text and "índice de nombres" in r.text
            r = c.get("/buscar", params={"q": "ladrilleras", "format": "json"})  # the site's search reads the index
            assert r.status_code == 503 and r.json()["preparing"] is True
            ask = c.get(
                "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"}
            )
            assert ask.status_code == 200 and ask.json()["boolean"] is True
            assert "labels" in c.get("/ready").json()["building"]
            gate.set()
            deadline = time.monotonic() + PATIENCE
            while (r := c.get(practice, headers=HTML)).status_code == 503:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert r.status_code == 200 and "Reubicación de las ladrilleras" in r.text
            assert c.app.state.service.wait_for_builds(PATIENCE)  # type: ignore[attr-defined]
            assert c.get("/ready").json()["building"] == []  # settled: nothing being built
    finally:
        gate.set()
