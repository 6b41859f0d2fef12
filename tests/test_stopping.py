"""A service that is stopping does not wait for its builds of whole-graph indexes: reads under way give up at their
next rows, and a builder process is stopped. At 10^6 triples, a `graphapp serve` stopped right after its first
start waited 33-41 s for them (docs/benchmarks.md, issue 18)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from graphapp import derived
from graphapp.config import Settings
from graphapp.storage import ReadsStopped
from graphapp.store import GraphStore

from .conftest import make_app_client


def slow_builder(store: object) -> str:
    """A build that would take two minutes (imported by name in the builder process)."""
    time.sleep(120)
    return "built"


def test_a_store_asked_to_stop_reading_refuses_every_read(settings: Settings) -> None:
    store = GraphStore.from_settings(settings)
    assert store.select("example-national-action-plans")
    store.stop_reads()
    with pytest.raises(ReadsStopped):
        store.select("example-national-action-plans")
    with pytest.raises(ReadsStopped):
        store.select_text("SELECT ?s WHERE { ?s ?p ?o }")


def test_a_builder_process_is_stopped_when_the_service_stops(tmp_path: Path, settings: Settings) -> None:
    store = GraphStore(settings.base_iri, tmp_path / "store")
    store.close()
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    with pytest.raises(derived.BuildStopped, match="the service is stopping"):
        derived.build_apart(slow_builder, tmp_path / "store", settings.base_iri, tmp_path / "index.pickle", stop)
    assert time.monotonic() - started < 60  # not the builder's two minutes
    assert not (tmp_path / "index.pickle").exists()


def test_a_closed_service_reads_nothing_more() -> None:
    """Closing the service stops its store's reads first (then waits for its builds, which give up)."""
    with make_app_client() as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        store = service.store
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
    with pytest.raises(ReadsStopped):
        store.select("example-national-action-plans")
