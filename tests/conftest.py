"""Shared fixtures: settings pointing at the shipped files, a loaded public store, the source text, and
``make_app_client``, the one way a test builds a service with settings of its own (the shared one is
``client``).

Personal data is never written in a test: the restricted folder is ``GRAPHAPP_RESTRICTED_DIR`` when set (the real
one, outside the repository) and otherwise the synthetic example ``docs/examples/restricted/``; ``PRIVATE_NAMES`` are
read from it at run time.

What the suite needs from outside the repository is named here once: the SPARQL servers (Oxigraph from PyPI,
Virtuoso from Debian), Debian's Chromium with curl (the real clients), and ``../shared`` beside the checkout (the
reference data and the source presentation). A test that lacks one skips, and pytest says so; ``.ci/run`` sets the
``GRAPHAPP_REQUIRE_*`` variable of each to 1, which turns that skip into a failure (``missing``).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NoReturn

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

REQUIRE_SERVERS = "GRAPHAPP_REQUIRE_SERVERS"  # Oxigraph's and Virtuoso's servers
REQUIRE_BROWSER = "GRAPHAPP_REQUIRE_BROWSER"  # Debian's Chromium, and curl
REQUIRE_REFERENCE = "GRAPHAPP_REQUIRE_REFERENCE"  # ../shared: the reference data and the source presentation


def missing(reason: str, required_by: str) -> NoReturn:
    """Skip a test that lacks something from outside the repository, or fail it when the run requires that thing
    (``required_by`` set to 1, as ``.ci/run`` does): a run that claims to test it never quietly stops testing it."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{reason}, and this run requires it ({required_by}=1)", pytrace=False)
    pytest.skip(f"{reason} (set {required_by}=1 to make this a failure)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test has an id of its own. pytest-xdist, which spreads the suite over the machine's cores (``-n`` in
    pyproject.toml), runs one test per id, so two tests with one id would silently be one. pytest 9.2 gives the tests
    schemathesis makes for each API operation the id of the test function (pyproject.toml pins pytest below it)."""
    shared = sorted(i for i, n in collections.Counter(item.nodeid for item in items).items() if n > 1)
    assert not shared, f"tests that share an id (pytest-xdist would run only one of each): {shared}"


_module_running: list[str] = [""]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """When a test file begins (the previous one's fixtures are torn down by then), collect its garbage and keep what
    lives on out of the collector (``gc.freeze``): a test process of this suite holds 0.7-0.8 million objects by its
    end, and each of its full collections walked them all (about 0.5 s, some 200 times per run). What the file
    makes is still collected as usual, and the next file's first collection frees its cycles."""
    module = item.nodeid.split("::", 1)[0]
    if module != _module_running[0]:
        _module_running[0] = module
        gc.collect()
        gc.freeze()


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
        missing(f"source presentation not found at {SOURCE_TEXT}", REQUIRE_REFERENCE)
    return SOURCE_TEXT.read_text(encoding="utf-8")


@pytest.fixture()
def tmp_data(tmp_path: Path) -> Path:
    return tmp_path


def make_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings as the service reads them, from ``env`` (``GRAPHAPP_*`` names; by default a store in memory) and
    then ``overrides`` (field names), with one query worker unless they say otherwise. Pages wait for the views'
    projection and the finder's index however long a loaded test machine takes to build them (2 s in service:
    tests/test_background.py checks that bound)."""
    defaults = {"GRAPHAPP_STORE_DIR": ":memory:", "GRAPHAPP_BUILD_WAIT_SECONDS": "120"}
    return Settings.from_env({**defaults, **(env or {})}, **{"workers": 1, **overrides})


@contextlib.contextmanager
def make_app_client(
    env: Mapping[str, str] | None = None, *, root_path: str = "", **overrides: object
) -> Iterator[TestClient]:
    """A service of its own on these settings (``make_settings``), its lifespan running until the block ends: for
    a test that needs settings the shared ``client`` does not have (DS's ``make_app_client``). For example
    ``with make_app_client(max_rows=5, update_token=TOKEN) as c:``, or ``make_app_client(server.env())`` for a
    service on a SPARQL server."""
    with TestClient(create_app(make_settings(env, **overrides)), root_path=root_path) as client:
        yield client


@pytest.fixture(scope="session")
def _app_client() -> Iterator[TestClient]:
    """One service on the shipped data for every TestClient test that needs no special settings."""
    with make_app_client() as c:
        # the projection, the finder's index and the centrality rankings are built in the background: the tests
        # read the steady state (the pages before they are ready: tests/test_background.py, tests/test_analytics.py)
        assert c.app.state.service.wait_for_builds(120)  # type: ignore[attr-defined]
        yield c


@pytest.fixture()
def client(_app_client: TestClient) -> TestClient:
    """The shared service, seen by a new visitor: no language cookie carried over from another test."""
    _app_client.cookies.clear()
    return _app_client


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real `graphapp serve` on the shipped data with the default settings, its centrality rankings ready as
    after a first visit: the server the browser tests visit. It has no update token and no staff, so no test can
    change what another sees; sharing it saves each module starting the same server."""
    from . import servers  # here, not at the top: tests/servers.py imports this module

    log = tmp_path_factory.mktemp("site") / "server.log"
    proc, base = servers.start(log)
    try:
        servers.wait(proc, base, log)
        servers.warm_centrality(base)
        yield base
    finally:
        servers.stop(proc)


def json_twin(client: TestClient, url: str, **params: object) -> dict:
    """A page's JSON twin (``format=json``), in Spanish unless ``lang`` says otherwise."""
    r = client.get(url, params={"lang": "es", **params, "format": "json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


def counter_by_label(
    client: TestClient, token: str, name: str, label: str, values: tuple[str, ...]
) -> dict[str, float]:
    """The samples of the counter ``name`` on ``/metrics`` (read with the metrics ``token``), by the value of their
    ``label``: each of ``values`` is 0 until counted."""
    from prometheus_client.parser import text_string_to_metric_families

    r = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    found = dict.fromkeys(values, 0.0)
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            if sample.name == name:
                found[sample.labels[label]] = float(sample.value)
    return found
