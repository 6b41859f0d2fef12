"""Shared fixtures: settings pointing at the shipped files, a loaded public store, the source text.

Personal data is never written in a test: the restricted folder is ``GRAPHAPP_RESTRICTED_DIR`` when set (the real
one, outside the repository) and otherwise the synthetic example ``docs/examples/restricted/``; ``PRIVATE_NAMES`` are
read from it at run time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from graphapp.config import PROJECT_ROOT, Settings
from graphapp.store import GraphStore
from graphapp.web.app import create_app

SOURCE_TEXT = PROJECT_ROOT.parent / "shared" / "source" / "gobierno-abierto-infoem.txt"
RESTRICTED_DIR = Path(os.environ.get("GRAPHAPP_RESTRICTED_DIR") or PROJECT_ROOT / "docs" / "examples" / "restricted")


def _restricted_names(folder: Path) -> tuple[str, ...]:
    """The names (foaf:name) of the people in the restricted folder, read at run time."""
    graph = rdflib.Graph()
    for path in sorted(folder.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return tuple(sorted({str(o) for o in graph.objects(None, rdflib.FOAF.name)}))


PRIVATE_NAMES = _restricted_names(RESTRICTED_DIR)


@pytest.fixture(scope="session", autouse=True)
def _own_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands run in-process (the CLI tests) get a store of the test session's own, never the checkout's."""
    previous = {name: os.environ.get(name) for name in ("GRAPHAPP_STORE_DIR", "GRAPHAPP_RESTRICTED_DIR")}
    os.environ["GRAPHAPP_STORE_DIR"] = str(tmp_path_factory.mktemp("store") / "store")
    os.environ["GRAPHAPP_RESTRICTED_DIR"] = str(RESTRICTED_DIR)  # the CLI's validate reads it
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(restricted_dir=str(RESTRICTED_DIR))


@pytest.fixture(scope="session")
def public_store(settings: Settings) -> GraphStore:
    return GraphStore.from_settings(settings)


@pytest.fixture(scope="session")
def source_text() -> str:
    if not SOURCE_TEXT.is_file():
        pytest.skip(f"source presentation not found at {SOURCE_TEXT}")
    return SOURCE_TEXT.read_text(encoding="utf-8")


@pytest.fixture()
def tmp_data(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(scope="session")
def _app_client() -> Iterator[TestClient]:
    """One service on the shipped data for every TestClient test that needs no special settings."""
    with TestClient(create_app(Settings.from_env({"GRAPHAPP_STORE_DIR": ":memory:"}, workers=1))) as c:
        # the centrality rankings are computed in the background at start: the tests read the steady state (the
        # pages before they are ready: tests/test_analytics.py)
        c.app.state.service.centrality.request()  # type: ignore[attr-defined]
        c.app.state.service.centrality.wait(120)  # type: ignore[attr-defined]
        yield c


@pytest.fixture()
def client(_app_client: TestClient) -> TestClient:
    """The shared service, seen by a new visitor: no language cookie carried over from another test."""
    _app_client.cookies.clear()
    return _app_client


def json_twin(client: TestClient, url: str, **params: object) -> dict:
    """A page's JSON twin (``format=json``), in Spanish unless ``lang`` says otherwise."""
    r = client.get(url, params={"lang": "es", **params, "format": "json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()
