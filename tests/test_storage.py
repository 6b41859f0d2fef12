"""The store interface (graphapp.storage.Store): both stores implement it whole, with the same signatures, neither
imports the other, no module imports another's private helpers, and neither store carries a method nobody calls."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import graphapp
from graphapp.remote_store import SparqlGraphStore
from graphapp.storage import Store
from graphapp.store import GraphStore

PACKAGE = Path(graphapp.__file__).parent
STORES = [GraphStore, SparqlGraphStore]


def _interface() -> dict[str, inspect.Signature]:
    members = {}
    for name, value in vars(Store).items():
        if callable(value) and (not name.startswith("_") or name == "__len__"):
            members[name] = inspect.signature(value)
    return members


def test_the_interface_names_what_the_service_uses() -> None:
    members = _interface()
    for name in ("select", "apply", "graphs", "quads", "snapshot", "reader_snapshot", "export", "__len__"):
        assert name in members
    assert set(Store.__annotations__) >= {"base_iri", "path", "files"}


@pytest.mark.parametrize("store_class", STORES, ids=lambda c: c.__name__)
def test_each_store_implements_every_method_with_the_interface_signature(store_class: type) -> None:
    for name, signature in _interface().items():
        method = getattr(store_class, name, None)
        assert method is not None, f"{store_class.__name__} lacks {name}"
        mine = inspect.signature(method)
        assert list(mine.parameters) == list(signature.parameters), name
        for param, spec in signature.parameters.items():
            assert mine.parameters[param].kind == spec.kind, (name, param)
            assert mine.parameters[param].default == spec.default, (name, param)


def test_both_stores_are_stores_at_run_time() -> None:
    embedded = GraphStore()
    remote = SparqlGraphStore("https://w3id.org/gakg/", "http://127.0.0.1:9/sparql", "")
    try:
        assert isinstance(embedded, Store)
        assert isinstance(remote, Store)
        assert not isinstance(object(), Store)
    finally:
        embedded.close()
        remote.close()


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``from … import …`` in a module of the package, resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((module, [alias.name for alias in node.names]))
    return found


def test_neither_store_imports_the_other() -> None:
    store = {module for module, _ in _imports(PACKAGE / "store.py")}
    remote = {module for module, _ in _imports(PACKAGE / "remote_store.py")}
    assert "graphapp.remote_store" not in store
    assert "graphapp.store" not in remote


def test_no_module_imports_a_private_name_of_another_module_of_the_package() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for module, names in _imports(path):
            if module.startswith("graphapp"):
                offenders += [
                    f"{path.relative_to(PACKAGE)}: {module}.{n}"
                    for n in names
                    if n.startswith("_") and not n.startswith("__")
                ]
    assert offenders == []


def test_the_embedded_store_has_no_private_attribute_read_from_outside() -> None:
    """Nobody reaches into the engine behind a store (``store._store``)."""
    pattern = re.compile(r"\b\w+\._store\b")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "store.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "self._store" not in line:
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("store_class", STORES, ids=lambda c: c.__name__)
def test_every_public_method_of_a_store_is_in_the_interface_or_called_somewhere(store_class: type) -> None:
    interface = set(_interface())
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    dead = []
    for name, value in vars(store_class).items():
        if name.startswith("_") or name in interface or not callable(getattr(store_class, name)):
            continue
        calls = len(re.findall(rf"\.{name}\b", source))
        if calls == 0:
            dead.append(name)
        del value
    assert dead == []


def test_the_embedded_store_answers_through_the_interface(tmp_path: Path) -> None:
    """The interface's write, reads and exports on a real embedded store."""
    store: Store = GraphStore()
    graph = ox.NamedNode("https://w3id.org/gakg/graph/contrib/staff")
    quad = ox.Quad(ox.NamedNode("https://w3id.org/gakg/id/x"), ox.NamedNode("http://e/p"), ox.Literal("x"), graph)
    store.apply([quad], [])
    assert store.holds(quad)
    assert store.contains("https://w3id.org/gakg/id/x")
    assert store.graphs() == [graph.value]
    assert store.quads_about(["https://w3id.org/gakg/id/x"]) == [quad]
    assert len(store) == 1
    written = store.export_per_graph(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["contrib/staff.ttl"]
    store.apply([], [quad])
    assert len(store) == 0
    store.close()
