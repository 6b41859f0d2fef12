"""Pages that must survive hostile but valid data and malformed input.

1. pyoxigraph 0.5.13 aborts its whole process (SIGABRT, no Python exception) when ``ORDER BY`` sorts some mixes of
   ``xsd:dateTime`` values with and without a timezone (docs/upstream/pyoxigraph-order-by-abort.md). The pages run
   their queries in the web process, so none of them may sort in the engine: a real server, with 400 such values
   on one practice, must answer every page that lists values and stay alive.
2. A path or parameter that cannot be an IRI (``%20``, ``%7B``, ``%3C``, ``%00``) is a 404 for an entity page and a
   400 naming the parameter for a query parameter, never a 500.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from graphapp import queries
from graphapp.config import PROJECT_ROOT
from graphapp.ordering import sort_key, sort_rows
from graphapp.store import GraphStore

from . import servers

PRACTICE_PATH = "practica/reubicacion-ladrilleras-durango"
PRACTICE = "https://w3id.org/gakg/id/" + PRACTICE_PATH
OTHER_PRACTICE_PATH = "practica/igualdad-laboral-salarial-jalisco"
ZONES = ("", "Z", "+05:00", "-08:00")


def many_datetimes_turtle(n: int = 400) -> str:
    """``n`` distinct ``dcterms:modified`` values on one practice, a quarter without a timezone and the rest with
    one of three (valid under the shapes: ``graphapp validate many.ttl --with-data`` conforms)."""
    values = [
        f'"2020-01-{1 + i // 96:02d}T{i // 4 % 24:02d}:{i * 7 % 60:02d}:00{ZONES[i % len(ZONES)]}"^^xsd:dateTime'
        for i in range(n)
    ]
    return (
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
        f"<{PRACTICE}>\n    dcterms:modified " + " ,\n        ".join(values) + " .\n"
    )


def _get(url: str, accept: str = "text/html") -> int:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        with e:
            return e.code
    except OSError as e:  # the server died while answering
        return -1 if "refused" in str(e) or "reset" in str(e) or "closed" in str(e).lower() else -2


def _wait_for_pages(proc: subprocess.Popen[bytes], base: str, log: Path, timeout: float = 90) -> None:
    """Like :func:`servers.wait`, but waits for the pages (what this test is about), not for /sparql."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + log.read_text(errors="replace")[-2000:])
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not start in {timeout:g} s: " + log.read_text(errors="replace")[-2000:])


@pytest.fixture(scope="module")
def hostile_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)  # restricted/ too: the service must still skip it
    (data / "editorial" / "many-datetimes.ttl").write_text(many_datetimes_turtle(), encoding="utf-8")
    log = root / "server.log"
    proc, base = servers.start(log, GRAPHAPP_DATA_DIR=str(data))
    try:
        _wait_for_pages(proc, base, log)
        yield proc, base, log
    finally:
        servers.stop(proc)


HOSTILE_PAGES = [
    ("/id/" + PRACTICE_PATH, "text/html"),
    ("/id/" + PRACTICE_PATH + ".ttl", "*/*"),
    ("/id/" + PRACTICE_PATH + ".jsonld", "*/*"),
    ("/id/" + PRACTICE_PATH, "text/turtle"),
    ("/graph/editorial/many-datetimes", "text/html"),
    ("/graph/editorial/many-datetimes", "application/json"),
    ("/", "text/html"),
    ("/buscar?q=ladrilleras", "text/html"),
    ("/ontology", "text/html"),
    ("/dataset", "text/html"),
    ("/dataset", "text/turtle"),
    ("/vistas", "text/html"),
    ("/vistas/general?format=json", "*/*"),
    ("/vistas/vecindario/" + PRACTICE_PATH + "?format=json&depth=2", "*/*"),
    ("/vistas/historia?format=json", "*/*"),
    ("/vistas/stl?format=json", "*/*"),
    ("/vistas/ods?format=json", "*/*"),
    ("/vistas/municipios?format=json", "*/*"),
    ("/vistas/arbol-de-problemas/compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto?format=json", "*/*"),
    ("/analitica/centralidad?format=json", "*/*"),
    ("/analitica/componentes?format=json", "*/*"),
    (f"/analitica/camino?desde=/id/{PRACTICE_PATH}&hasta=/id/stl/estado-de-mexico&format=json", "*/*"),
    ("/practicas?q=ladrilleras", "text/html"),
    ("/practicas?q=ladrilleras&format=json", "*/*"),
    ("/api/practices/search?q=ladrilleras", "*/*"),
    (f"/practicas/comparar?p={PRACTICE_PATH}&p={OTHER_PRACTICE_PATH}", "text/html"),
]


def test_pages_survive_datetimes_with_and_without_timezone(
    hostile_server: tuple[subprocess.Popen[bytes], str, Path],
) -> None:
    """Before the fix the first request killed the server (exit 134, Rust sort panic in the engine)."""
    proc, base, log = hostile_server
    answers = {}
    for path, accept in HOSTILE_PAGES:
        answers[path, accept] = _get(base + path, accept)
        for _ in range(300):  # a 503 here is the centrality ranking being prepared at start: ask again
            if answers[path, accept] != 503 or proc.poll() is not None:
                break
            time.sleep(0.2)
            answers[path, accept] = _get(base + path, accept)
        assert proc.poll() is None, (
            f"the server died on {path} (exit {proc.poll()}): " + log.read_text(errors="replace")[-1500:]
        )
    wrong = {k: v for k, v in answers.items() if v != 200}
    assert not wrong, wrong
    assert answers["/id/" + PRACTICE_PATH, "text/html"] == 200


# ---------------------------------------------------------------- no engine sort in the web process


def test_no_named_query_run_by_the_web_process_sorts_in_the_engine() -> None:
    """Every named query but the examples (run only by the query workers) declares its order for Python."""
    sorting = [n for n in queries.names() if queries.load(n).sorts_in_engine and not queries.load(n).worker_only]
    assert not sorting, f"these queries have ORDER BY; use '#+ order_by:' instead: {sorting}"
    for name in queries.names():
        query = queries.load(name)
        if query.worker_only:
            continue
        variables = set(re.findall(r"\?(\w+)", query.body))
        missing = [v for v, _ in query.order_by if v not in variables]
        assert not missing, f"{name}: order_by names variables the query does not have: {missing}"


def test_the_web_code_never_runs_an_example_query() -> None:
    """Examples keep their ORDER BY, so the application code must never name one (the query page only lists
    them, by tag, for the query workers to run)."""
    worker_only = [n for n in queries.names() if queries.load(n).worker_only]
    assert worker_only
    for path in (PROJECT_ROOT / "graphapp").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""\.(select|select_text|triples)\(\s*f?["']example-""", text), path
        named = [n for n in worker_only if f'"{n}"' in text or f"'{n}'" in text]
        assert not named, f"{path} names {named}"


def test_the_store_refuses_to_sort_in_the_engine(public_store: GraphStore) -> None:
    text = "SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 1"
    with pytest.raises(ValueError, match="select_text.*ORDER BY"):
        public_store.select_text(text)
    with pytest.raises(ValueError, match="sorts in the engine"):
        public_store.select_text("SELECT ?s WHERE { ?s a ?c }\n  order\n  by desc(?s) LIMIT 1")
    assert len(public_store.select_text(text, allow_sort=True)) == 1  # a test on fixed data may
    # IRIs, strings and comments may say ORDER BY
    assert public_store.select_text('SELECT ?x WHERE { BIND ("ORDER BY" AS ?x) } # ORDER BY ?x') == [{"x": "ORDER BY"}]


def test_the_store_refuses_a_named_query_that_sorts(public_store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    sorting = queries.NamedQuery("sorting", "SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 1", {"tags": "view"})
    example = queries.NamedQuery("example-x", sorting.text, {"tags": "example, metrica"})
    monkeypatch.setattr(queries, "load", {"sorting": sorting, "example-x": example}.__getitem__)
    with pytest.raises(ValueError, match="'sorting' sorts in the engine"):
        public_store.select("sorting")
    with pytest.raises(ValueError, match="'sorting' sorts in the engine"):
        public_store.triples("sorting")
    assert len(public_store.select("sorting", allow_sort=True)) == 1
    assert len(public_store.select("example-x")) == 1  # examples are for the query workers and the tests


def test_named_queries_come_back_in_their_declared_order(public_store: GraphStore) -> None:
    classes = public_store.select("class-counts")
    assert [(-r["n"], r["class"]) for r in classes] == sorted((-r["n"], r["class"]) for r in classes)
    outgoing = public_store.select("entity-outgoing", {"iri": ox.NamedNode(PRACTICE)}, raw=True)
    assert [r["p"].value for r in outgoing] == sorted(r["p"].value for r in outgoing)


def test_order_by_metadata_is_parsed() -> None:
    assert queries.parse_order("DESC(?n) ?class asc( ?x )") == [("n", True), ("class", False), ("x", False)]
    with pytest.raises(ValueError, match="bad order_by term"):
        queries.parse_order("?a STR(?b)", "q")


# ---------------------------------------------------------------- the sort key


MIXED = [
    None,
    "b",
    "a",
    "",
    2,
    -1,
    1.5,
    float("nan"),
    float("inf"),
    Decimal("1.25"),
    Decimal("NaN"),
    True,
    False,
    date(2020, 1, 2),
    datetime(2020, 1, 1, 23),
    datetime(2020, 1, 1, 12, tzinfo=UTC),
    datetime(2020, 1, 1, 12, tzinfo=timezone(timedelta(hours=5))),
    datetime(2020, 1, 1, 12),
    datetime.min.replace(tzinfo=timezone(timedelta(hours=5))),
    datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))),
    timedelta(hours=1),
    b"\x00",
    object,
    ox.NamedNode("https://example.org/b"),
    ox.NamedNode("https://example.org/a"),
    ox.BlankNode("x"),
    ox.Literal("2020-01-01T00:00:00", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
    ox.Literal("2020-01-01T00:00:00Z", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
    ox.Literal("2020-01-01T09:00:00+05:00", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
    ox.Literal("not a date", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
    ox.Literal("2020", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
    ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("hola", language="es"),
    ox.Literal("hola"),
    rdflib.URIRef("https://example.org/c"),
    rdflib.BNode("y"),
    rdflib.Literal("3.5", datatype=rdflib.XSD.decimal),
    rdflib.Literal("2020-01-01T00:00:00-08:00", datatype=rdflib.XSD.dateTime),
    rdflib.Literal("texto", lang="es"),
]


def test_the_sort_key_is_a_total_order_on_any_mix() -> None:
    keys = [sort_key(v) for v in MIXED]
    for a in keys:
        for b in keys:
            # every pair compares, and exactly one of <, ==, > holds
            assert (a < b) + (a == b) + (a > b) == 1, (a, b)
    ordered = sorted(keys)
    for a, b, c in zip(ordered, ordered[1:], ordered[2:], strict=False):
        assert a <= b <= c and a <= c
    for _ in range(3):  # the same order whatever order the values come in
        assert sorted(reversed(keys)) == ordered


def test_the_sort_key_follows_sparql_where_it_can() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    values = [
        ox.Literal("2", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("10", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("1.5", datatype=ox.NamedNode(xsd + "decimal")),
        ox.NamedNode("https://example.org/z"),
        ox.BlankNode("b"),
        None,
        ox.Literal("2020-01-01T10:00:00+05:00", datatype=ox.NamedNode(xsd + "dateTime")),
        ox.Literal("2020-01-01T06:00:00Z", datatype=ox.NamedNode(xsd + "dateTime")),
    ]
    shown = [v.value if v is not None else None for v in sorted(values, key=sort_key)]
    assert shown == [None, "b", "https://example.org/z", "1.5", "2", "10", "2020-01-01T10:00:00+05:00",
                     "2020-01-01T06:00:00Z"]  # fmt: skip


def test_sort_rows_orders_like_order_by_and_never_fails() -> None:
    rows = [{"o": v, "i": i} for i, v in enumerate(MIXED)]
    assert sort_rows(rows, [("o", False), ("i", True)])[0] == {"o": None, "i": 0}
    assert sort_rows(rows, [("o", True)])[-1] == {"o": None, "i": 0}  # unbound last when descending
    hostile = re.findall(r'"([^"]+)"\^\^xsd:dateTime', many_datetimes_turtle())
    dt = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    rows = [{"o": ox.Literal(v, datatype=dt)} for v in hostile]
    assert len(sort_rows(rows, [("o", False)])) == 400


# ---------------------------------------------------------------- invalid IRIs are 404 or 400, never 500

BAD = ["a%20b", "a%7Bb", "a%3Cb", "a%00b"]


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(
    "path",
    [
        "/id/{bad}",
        "/id/practica/{bad}",
        "/id/practica/{bad}.ttl",
        "/id/practica/{bad}.jsonld",
        "/id/{bad}?format=nt",
        "/graph/{bad}",
        "/vistas/vecindario/{bad}",
        "/vistas/vecindario/practica/{bad}?format=json",
        "/vistas/arbol-de-problemas/compromiso/{bad}?format=json",
    ],
)
def test_an_entity_path_that_cannot_be_an_iri_is_404(client: TestClient, path: str, bad: str) -> None:
    r = client.get(path.format(bad=bad))
    assert r.status_code == 404, r.text[:300]


def test_the_entity_404_keeps_its_suggestions(client: TestClient) -> None:
    r = client.get("/id/practica/reubicacion%20ladrilleras", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert r.json()["suggestions"]
    html = client.get("/id/practica/reubicacion%20ladrilleras", headers={"Accept": "text/html"})
    assert html.status_code == 404 and "reubicacion-ladrilleras-durango" in html.text


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/practices/search?problem={bad}", "problem"),
        ("/api/practices/search?q=aire&theme={bad}", "theme"),
        ("/practicas?problem={bad}", "problem"),
        ("/practicas?problem={bad}&format=json", "problem"),
        ("/practicas?theme={bad}", "theme"),
        ("/practicas/comparar?p=reubicacion-ladrilleras-durango&p={bad}", "p"),
        ("/practicas/comparar?p=reubicacion-ladrilleras-durango&p={bad}&format=json", "p"),
        ("/practicas/comparar?p=https://w3id.org/gakg/id/practica/{bad}&p=reubicacion-ladrilleras-durango", "p"),
        ("/analitica/camino?desde=/id/{bad}&hasta=/id/stl/estado-de-mexico&format=json", "desde"),
        ("/analitica/camino?desde=INFOEM&hasta=https://example.org/{bad}", "hasta"),
    ],
)
def test_a_parameter_that_cannot_be_an_iri_is_400_naming_it(
    client: TestClient, url: str, parameter: str, bad: str
) -> None:
    r = client.get(url.format(bad=bad), headers={"Accept": "application/json"})
    assert r.status_code == 400, r.text[:300]
    assert f"«{parameter}» no es un IRI válido" in r.text
    english = client.get(url.format(bad=bad) + "&lang=en", headers={"Accept": "application/json"})
    assert english.status_code == 400
    assert f"'{parameter}' is not a valid IRI" in english.text
