"""The example queries offered in the query page's menu: ``graphapp/queries/example-*.rq``.

Every example must carry its metadata, parse, be accepted by the public endpoint, run on the shipped
public store and return something; the cheap facts each one is meant to show are checked by name below.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from graphapp import queries, sparql_guard
from graphapp.storage import Row
from graphapp.store import GraphStore

from .conftest import PRIVATE_NAMES

# an example is a named query whose tags include ``example`` (as the query page decides)
EXAMPLES = sorted(n for n in queries.names() if "example" in queries.load(n).tags)
REQUIRED_META = ("summary", "title_es", "title_en", "description_es", "description_en", "tags")
FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT"}


def _form(name: str) -> str:
    return FORMS[prepareQuery(queries.load(name).text).algebra.name]


@pytest.fixture(autouse=True)
def _free_engine_results_here(request: pytest.FixtureRequest) -> Iterator[None]:
    """pyoxigraph's CONSTRUCT result may only be freed on the thread that made it (this one); a result caught in a
    reference cycle would otherwise be freed by whichever thread collects garbage next, such as a later test's
    server thread, which fails there with "PyQueryTriples is unsendable". Collect here, after each test that asks
    the engine for one (those that use ``dataset``)."""
    yield
    if "dataset" in request.fixturenames:
        gc.collect()


@pytest.fixture(scope="module")
def dataset(public_store: GraphStore) -> ox.Store:
    """The same quads in a bare pyoxigraph store, for the ASK and CONSTRUCT examples."""
    store = ox.Store()
    store.bulk_extend(list(public_store.quads()))
    return store


@pytest.fixture(scope="module")
def restricted_store(settings) -> GraphStore:
    store = GraphStore.from_settings(settings, include_restricted=True)
    names = repr(store.select_text("SELECT ?n WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n }"))
    # always there: the real restricted folder, or the synthetic example in docs/examples/restricted (conftest)
    assert PRIVATE_NAMES and all(p in names for p in PRIVATE_NAMES), "the restricted graph did not load"
    return store


def _run(store: GraphStore, dataset: ox.Store, name: str) -> list[Row] | bool | list[ox.Triple]:
    form = _form(name)
    if form == "SELECT":
        return store.select(name)
    result = dataset.query(queries.load(name).text, use_default_graph_as_union=True)
    return bool(result) if form == "ASK" else list(result)


def _by(rows: list[Row], key: str) -> dict[object, Row]:
    return {row[key]: row for row in rows}


def test_there_are_enough_examples() -> None:
    assert len(EXAMPLES) >= 12
    assert {_form(n) for n in EXAMPLES} == {"SELECT", "ASK", "CONSTRUCT"}


@pytest.mark.parametrize("name", EXAMPLES)
def test_metadata_is_complete(name: str) -> None:
    meta = queries.load(name).meta
    missing = [k for k in REQUIRED_META if not meta.get(k)]
    assert not missing, f"{name}: empty or missing metadata {missing}"
    assert "example" in [t.strip() for t in meta["tags"].split(",")]
    assert meta["title_es"] != meta["title_en"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_parses_and_is_readable(name: str) -> None:
    text = queries.load(name).text
    prepareQuery(text)  # rdflib's parser as well as pyoxigraph's (which runs it below)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
    assert re.search(r"^\s*#", body, re.MULTILINE), f"{name}: no explanatory comment"
    assert all(len(line) <= 130 for line in body.splitlines()), f"{name}: overlong line"
    if _form(name) == "SELECT":
        assert "ORDER BY" in text, f"{name}: rows must come in a fixed order"


@pytest.mark.parametrize("name", EXAMPLES)
def test_accepted_by_the_public_endpoint(name: str, public_store: GraphStore) -> None:
    assert sparql_guard.inspect_query(queries.load(name).text, public_store.graphs()).form == _form(name)


@pytest.mark.parametrize("name", EXAMPLES)
def test_runs_and_answers(name: str, public_store: GraphStore, dataset: ox.Store) -> None:
    # pyoxigraph has no built-in prefixes, so this also proves every PREFIX is declared.
    result = _run(public_store, dataset, name)
    if isinstance(result, bool):
        assert result is True
    else:
        assert len(result) >= 1


@pytest.mark.parametrize("name", [n for n in EXAMPLES if _form(n) == "SELECT"])
def test_never_shows_a_private_name(name: str, restricted_store: GraphStore) -> None:
    """Not even if the examples were run on a store that holds the restricted graph."""
    text = repr(restricted_store.select(name))
    assert not [p for p in PRIVATE_NAMES if p in text]


# ---- what each example is meant to show


def test_stl_members(public_store: GraphStore) -> None:
    rows = public_store.select("example-stl-members")
    assert {r["sector"] for r in rows} == {"Sociedad civil", "Órgano garante", "Entes públicos"}
    assert {r.get("siglas") for r in rows} >= {"INFOEM", "SECOGEM"}
    assert all(r["rol"] == "Representante" and r["vota"] for r in rows)


def test_history_timeline(public_store: GraphStore) -> None:
    rows = public_store.select("example-history-timeline")
    assert rows[0]["anio"] == 1766 and "Suecia" in rows[0]["hito"]
    years = [r["anio"] for r in rows if "anio" in r]
    assert years == sorted(years)
    assert "anio" not in rows[-1] and rows[-1]["cuando"] == "sin fecha en la fuente"
    assert any(r["cuando"] == "2011-09-20" for r in rows)


def test_metrica_estado_de_mexico_municipalities(public_store: GraphStore) -> None:
    rows = public_store.select("example-metrica-edomex-municipalities")
    toluca = _by(rows, "municipio")["Toluca"]
    assert toluca["clave_inegi"] == "15106"
    assert toluca["indice_gobierno_abierto"] == Decimal("0.5201")
    assert all(r["clave_inegi"].startswith("15") for r in rows)
    indices = [r["indice_gobierno_abierto"] for r in rows]
    assert indices == sorted(indices, reverse=True)


def test_metrica_states_ranking(public_store: GraphStore) -> None:
    rows = public_store.select("example-metrica-states-ranking")
    assert len(rows) == 32
    assert [r["posicion"] for r in rows] == list(range(1, 33))
    edomex = _by(rows, "entidad")["Estado de México"]
    assert edomex["promedio_publicado"] == Decimal("0.4413")
    # The published averages are the means of the observations in the graph.
    assert all(r["promedio_publicado"] == r["promedio_recalculado"] for r in rows)


def test_local_exercise_counts(public_store: GraphStore) -> None:
    rows = public_store.select("example-local-exercise-counts")
    assert [r["cifra_declarada"] for r in rows] == [7, 14, 3]
    assert [r["nombrados_en_el_grafo"] for r in rows[:2]] == [7, 14]
    assert rows[2]["grupo"] == "ciudadanos inscritos"
    assert not [p for p in PRIVATE_NAMES if p in repr(rows)]


def test_local_exercise_participants(public_store: GraphStore) -> None:
    rows = public_store.select("example-local-exercise-participants")
    kinds = [r["tipo"] for r in rows]
    assert kinds.count("Organización de la sociedad civil") == 14
    assert kinds.count("Ente público (sujeto obligado)") == 7
    assert _by(rows, "participante")["Ayuntamiento de Toluca"]["municipio"] == "Toluca"


def test_problem_tree(public_store: GraphStore) -> None:
    rows = public_store.select("example-problem-tree")
    assert [r["nivel"] for r in rows] == ["efecto"] * 2 + ["problema central"] + ["causa"] * 4
    assert rows[2]["problema"].startswith("Desarticulación")


def test_key_actions(public_store: GraphStore) -> None:
    rows = public_store.select("example-key-actions")
    assert [(r["n_accion"], r["n_actividad"]) for r in rows] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
        (3, 1),
        (3, 2),
    ]
    assert {r["responsable"] for r in rows} == {"Adriana Yadira Cárdenas Tagle"}
    assert {r["institucion"] for r in rows} == {"INFOEM"}


def test_national_action_plans(public_store: GraphStore) -> None:
    rows = public_store.select("example-national-action-plans")
    assert [(r["numero"], r["compromisos"]) for r in rows] == [(1, 36), (2, 26), (3, 11), (4, 13)]
    assert all(r["fuente_compromisos"].startswith("http") for r in rows)
    assert rows[0]["de_que"] == "Plan de Acción Ampliado (PAA)"  # the 36 are the expanded plan's


def test_sdg_contributions(public_store: GraphStore) -> None:
    rows = public_store.select("example-sdg-contributions")
    direct = [r for r in rows if r.get("via") is None]
    assert [r["codigo"] for r in direct] == ["11", "11.b", "16", "17"]
    assert all(r["tipo"] == "Compromiso" for r in direct)
    # the practices reach SDGs through the themes they address
    practices = {r["aporta"].split()[0] for r in rows if r.get("via")}
    assert practices == {"Reubicación", "Información", "Políticas"}
    assert {"Igualdad laboral y salarial", "8.5"} <= {v for r in rows for v in (r.get("via"), r["codigo"])}
    assert _by(direct, "codigo")["11"]["razon"].startswith("Aumentar el número de gobiernos")
    assert _by(direct, "codigo")["11.b"]["fuente"].endswith("/fuente/gobierno-abierto-kg-editorial")
    assert _by(rows, "codigo")["11.b"]["objetivo"] == 11
    assert _by(rows, "codigo")["16"]["objetivo_nombre_en"] == "Peace, justice and strong institutions"


def test_best_practices(public_store: GraphStore) -> None:
    rows = public_store.select("example-best-practices")
    by_state = _by(rows, "entidad")
    assert set(by_state) == {"Durango", "Jalisco", "Veracruz"}
    # only the registry (REGINA) is inactive since 2018, not the practice (the source: the companies carry on)
    assert by_state["Jalisco"]["vigencia"] == "Vigencia no reportada"
    assert "inactiva_desde" not in by_state["Jalisco"]
    assert all(r.get("problema") and r.get("solucion") for r in rows)


def test_practice_benefits(public_store: GraphStore) -> None:
    rows = public_store.select("example-practice-benefits")
    assert {r["cantidad"] for r in rows if "cantidad" in r} == {41, 1437}
    assert len(rows) == 9


def test_inactive_practices(public_store: GraphStore) -> None:
    rows = public_store.select("example-inactive-practices")
    regina = _by(rows, "nombre")["Registro de Empresas Igualitarias (REGINA)"]
    assert str(regina["inactiva_desde"]) == "2018"
    assert "inactivo desde el año 2018" in regina["nota"]
    assert regina["practica"].startswith("Políticas para reducir")
    assert regina["vigencia_practica"] == "Vigencia no reportada"
    assert "siguen trabajando" in regina["nota_practica"]
    assert [r["nombre"] for r in rows] == ["Registro de Empresas Igualitarias (REGINA)"]  # no practice is inactive


def test_practice_sources(public_store: GraphStore) -> None:
    rows = public_store.select("example-practice-sources")
    assert {r["practica"] for r in rows} == {r["practica"] for r in public_store.select("example-best-practices")}
    assert any(r.get("url", "").startswith("https://gobabiertodgo.org/") for r in rows)


def test_legal_framework(public_store: GraphStore) -> None:
    rows = public_store.select("example-legal-framework")
    by_acronym = _by([r for r in rows if "siglas" in r], "siglas")
    assert by_acronym["LGTAIP"]["articulo"].startswith("Artículo 59")
    assert by_acronym["LTAIPEMyM"]["articulo"].startswith("Artículo 74")
    assert by_acronym["LGTAIP"]["sustituida_por"].endswith("(2025)")


def test_facts_by_graph(public_store: GraphStore) -> None:
    rows = public_store.select("example-facts-by-graph")
    graphs = {r["grafo"] for r in rows}
    assert {"presentacion/buenas-practicas", "presentacion/fuentes"} <= graphs
    assert {r["direccion"] for r in rows} == {"sale", "entra"}


def test_ceased_organisations(public_store: GraphStore) -> None:
    rows = public_store.select("example-ceased-organisations")
    inai = _by(rows, "organismo")["INAI"]
    assert inai["sucesor"] == "Secretaría Anticorrupción y Buen Gobierno"
    assert str(inai["extinto_en"]) == "2025"
    assert "Diario Oficial de la Federación" in inai["fuente"]


def test_construct_commitment(dataset: ox.Store) -> None:
    text = queries.load("example-construct-commitment").text
    triples = list(dataset.query(text, use_default_graph_as_union=True))
    label = ox.Literal("Estrategia de fortalecimiento a la Cultura de Gobierno Abierto", language="es")
    assert any(t.object == label for t in triples)
    sdg16 = ox.NamedNode("http://metadata.un.org/sdg/16")
    assert any(t.subject == sdg16 for t in triples)  # the goal's labels come along
