"""The service boundary of the web layer: one typed state object per application (settings, templates, service,
staff credentials, dump files, the Spanish OpenAPI copy), handed to routes through ``graphapp.web.deps``; no
module keeps a registry of its own, and no router reaches into the service's store."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graphapp.config import Settings
from graphapp.web.app import create_app
from graphapp.web.deps import state_of

WEB = Path(__file__).resolve().parent.parent / "graphapp" / "web"
#: the modules that may touch ``app.state``: the factory (which builds the state) and the dependencies (which read it)
STATE_MODULES = {"app.py", "deps.py"}


def _settings() -> Settings:
    return Settings.from_env({"GRAPHAPP_STORE_DIR": ":memory:"}, workers=1)


@pytest.fixture(scope="module")
def two_apps() -> Iterator[tuple[TestClient, TestClient]]:
    with TestClient(create_app(_settings())) as one, TestClient(create_app(_settings())) as other:
        yield one, other


def test_each_app_owns_its_resources(two_apps: tuple[TestClient, TestClient]) -> None:
    one, other = (state_of(c.app) for c in two_apps)
    assert one.service is not other.service
    assert one.templates is not other.templates
    assert one.access is not other.access and one.access is one.access  # made once, per application
    assert one.dumps is not other.dumps


def test_a_dump_is_written_by_its_own_app(two_apps: tuple[TestClient, TestClient]) -> None:
    client, other = two_apps
    assert client.get("/dataset/dump.nq").status_code == 200
    written = {p.name for p in state_of(client.app).service.workdir.iterdir() if p.name.startswith("dump-")}
    untouched = {p.name for p in state_of(other.app).service.workdir.iterdir() if p.name.startswith("dump-")}
    assert any(name.endswith(".nq") for name in written)
    assert not any(name.endswith(".nq") for name in untouched)


def test_the_spanish_openapi_is_made_once_per_app(two_apps: tuple[TestClient, TestClient]) -> None:
    client, _ = two_apps
    first = client.get("/docs?format=json&lang=es").json()
    assert client.get("/docs?format=json&lang=es").json() == first
    web = state_of(client.app)
    schema = client.app.openapi()  # type: ignore[attr-defined]
    assert web.openapi_in_spanish(schema) is web.openapi_in_spanish(schema)
    assert first["info"] == web.openapi_in_spanish(schema)["info"]


def test_outside_its_lifespan_an_app_says_it_is_not_serving() -> None:
    """A request that reaches a route needing the service before the lifespan started it (or after it stopped it)
    is a 503 with Retry-After, not a 500; the error page itself still renders."""
    app: FastAPI = create_app(_settings())
    client = TestClient(app)  # no ``with``: the lifespan never runs
    r = client.get("/", headers={"Accept": "application/json"})
    assert r.status_code == 503
    assert r.headers["retry-after"]
    assert r.json()["error"] == 503
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"


def test_the_lifespan_starts_and_stops_the_service() -> None:
    app = create_app(_settings())
    web = state_of(app)
    assert not web.serving
    with TestClient(app) as client:
        assert web.serving
        assert client.get("/ready").json()["status"] == "ready"
    assert not web.serving


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(WEB.rglob("*.py"))]


def test_no_module_but_the_factory_and_the_dependencies_touches_app_state() -> None:
    found = []
    for path, tree in _modules():
        if path.name in STATE_MODULES and path.parent == WEB:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "state":
                base = node.value
                if (
                    isinstance(base, ast.Name | ast.Attribute)
                    and getattr(base, "id", getattr(base, "attr", "")) == "app"
                ):
                    found.append(f"{path.relative_to(WEB)}:{node.lineno}")
    assert found == []


def test_no_router_reaches_into_the_store() -> None:
    """Routes ask the service (``service.select``, ``service.contains``…), never ``service.store``."""
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "store":
                base = node.value
                if (
                    isinstance(base, ast.Name)
                    and base.id == "service"
                    or (isinstance(base, ast.Attribute) and base.attr == "service")
                ):
                    found.append(f"{path.relative_to(WEB)}:{node.lineno}")
    assert found == []


def test_no_module_keeps_a_registry_of_its_own() -> None:
    """Per-application resources live on the application's state: no module-level lock or weak registry."""
    found = []
    for path, tree in _modules():
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                called = ast.unparse(node.value.func)
                if called in {"threading.Lock", "threading.RLock", "weakref.WeakKeyDictionary", "Lock"}:
                    found.append(f"{path.relative_to(WEB)}:{node.lineno}")
    assert found == []
