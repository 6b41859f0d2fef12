"""The shipped graph: every fact of the source is in it, it conforms to the shapes, it keeps personal data out."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from graphapp.config import Settings
from graphapp.sources import discover, local_file
from graphapp.store import GraphStore, rdflib_graph
from graphapp.validation import load_shapes, publication_shapes, validate

from .conftest import PRIVATE_NAMES

# Lines of the source that carry no fact: slide headings, list captions and layout words. Everything else
# must be found, word for word (accents, case and punctuation folded), in some literal of the graph.
STRUCTURAL_LINES = {
    "gobierno abierto",
    "antecedentes",
    "suecia",
    "ocde",
    "carta iberoamericana de g a",
    "ee uu",
    "reino unido",
    "alianza para el gobierno abierto",
    "a g a o g p",
    "para que",
    "que es",
    "marco normativo",
    "elementos",
    "principios y pilares del gobierno abierto",
    "planes de accion de gobierno abierto en mexico",
    "2o plan una nueva relacion entre sociedad y gobierno",
    "4o plan de accion de mexico",
    "2019 2021",
    "co creacion desde lo local",
    "sistema nacional",
    "de transparencia",
    "acceso a la informacion publica",
    "y proteccion de datos personales",
    "que es la metrica de gobierno abierto",
    "que es el ejercicio local de gobierno abierto",
    "que es y como se conforma el secretariado tecnico local",
    "sociedad",
    "civil",
    "organo",
    "garante",
    "entes",
    "publicos",
    "secretariado tecnico local",
    "principales acciones",
    "facilitador",
    "labor de la sociedad civil para impulsar las practicas de gobierno abierto",
    "pasos para realizar un ejercicio de gobierno abierto",
    "ejercicio local de gobierno abierto en el estado de mexico",
    "se llevaron a cabo las siguientes acciones para la ejecucion del primer plan de accion local",
    "participantes en el ejercicio local de gobierno abierto",
    "sujetos obligados inscritos",
    "sociedad civil inscrita",
    "ciudadanos inscritos",
    "secretaria de la contraloria",
    "en representacion del poder",
    "ejecutivo secogem",
    "instituto electoral del estado de",
    "mexico",
    "instituto de transparencia",
    "acceso a la informacion",
    "publica y proteccion de",
    "datos personales del estado",
    "de mexico y municipios",
    "infoem",
    "objetivo del compromiso",
    "arbol de problemas",
    "efectos",
    "problema central",
    "causas",
    "fuentes",
    "que problema publico ayuda a resolver y como",
    "el compromiso permitira",
    "acciones clave",
    "accion clave 1",
    "accion clave 2",
    "accion clave 3",
    "grupo de trabajo",
    "practicas de apertura",
    "emitir recomendaciones",
    "como contribuye el compromiso a la agenda 2030 y los objetivos de desarrollo sostenible",
    "objetivo de desarrollo sostenible",
    "agenda",
    "2030",
    "experiencias y buenas practicas de gobierno abierto",
    "durango",
    "jalisco",
    "veracruz",
    "algunos de sus beneficios son",
    "podras encontrar mas informacion en",
    "mas informacion en",
    "derivado de lo anterior se consiguieron los siguientes beneficios",
    "co creacion desde lo local inai 2020",
    "instituto de transparencia acceso a la informacion",
    "publica y proteccion de datos personales del estado de",
    "mexico y municipios",
    "direccion general de transparencia acceso a la",
    "informacion publica y gobierno abierto",
}
# caption words the source puts before the fact itself
_PREFIX = re.compile(r"^(?:\d+\s*(?:o\s)?|interviene\s|responsable\s|tel\s)+")
# sentence parts that only point to what follows
_TRAILERS = (
    " por medio de las siguientes actividades",
    " del ejercicio en mencion se obtuvieron los siguientes beneficios",
)


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


def _source_units(text: str) -> list[str]:
    units = []
    for line in text.splitlines():
        cells = re.split(r"\t+", line)
        if len(cells) == 4 and cells[3].strip():
            # the 4th column of the participants' table, "Ciudadanos Inscritos": private citizens' names, personal
            # data kept in the restricted folder outside the repository (the public graph has only their count)
            cells = cells[:3]
        for cell in cells:
            folded = _fold(cell)
            if not folded or folded in STRUCTURAL_LINES:
                continue
            folded = _PREFIX.sub("", folded)
            for trailer in _TRAILERS:
                folded = folded.replace(trailer, "")
            if folded and folded not in STRUCTURAL_LINES:
                units.append(folded)
    return units


@pytest.fixture(scope="module")
def graph_text(settings) -> str:
    store = GraphStore.from_settings(settings, include_restricted=True)
    return "\n".join(_fold(row["text"]) for row in store.select("source-coverage-literals"))


def _covered(unit: str, graph_text: str) -> bool:
    """True if ``unit`` is in one literal, or splits into consecutive runs each found in a literal.

    A run is two words or more, or one word that is a whole literal (so "Responsable: <name>, <post>" is
    covered by the person's name and the post's label, but stray single words never are).
    """
    if unit in graph_text:
        return True
    words = unit.split()
    whole = "\n" + graph_text + "\n"
    reach = [True] + [False] * len(words)
    for end in range(1, len(words) + 1):
        for start in range(end):
            if not reach[start]:
                continue
            run = " ".join(words[start:end])
            if (end - start >= 2 and run in graph_text) or f"\n{run}\n" in whole:
                reach[end] = True
                break
    return reach[-1]


def test_every_fact_of_the_source_is_in_the_graph(source_text: str, graph_text: str) -> None:
    missing = [unit for unit in _source_units(source_text) if not _covered(unit, graph_text)]
    assert not missing, "source text not found in any literal of the graph:\n" + "\n".join(missing)


def test_structural_allowlist_holds_only_lines_of_the_source(source_text: str) -> None:
    lines = {_fold(cell) for line in source_text.splitlines() for cell in re.split(r"\t+", line)}
    assert lines >= STRUCTURAL_LINES


# ---------------------------------------------------------------- spot checks of the facts, through SPARQL


def test_counts_of_the_main_entities(public_store: GraphStore) -> None:
    counts = {row["class"]: row["n"] for row in public_store.select("class-counts")}
    ga = "https://w3id.org/gakg/ontology#"
    assert counts[ga + "CivilSocietyOrganization"] == 14
    assert counts[ga + "NationalActionPlan"] == 4
    assert counts[ga + "BestPractice"] == 3
    assert counts[ga + "KeyAction"] == 3
    assert counts[ga + "PlannedActivity"] == 7
    assert counts[ga + "HistoricalMilestone"] == 6
    assert counts[ga + "Ayuntamiento"] == 4
    assert counts[ga + "MetricaObservation"] == 908 + 33
    assert counts[ga + "Municipality"] >= 125


def test_national_plans_have_typed_periods(settings) -> None:
    g = rdflib_graph(f for f in discover(settings) if "planes-nacionales" in f.path.name)
    rows = g.query(
        """PREFIX ga: <https://w3id.org/gakg/ontology#>
           SELECT ?n ?s ?e WHERE { ?p a ga:NationalActionPlan ; ga:ordinal ?n ; ga:startYear ?s ; ga:endYear ?e }
           ORDER BY ?n"""
    )
    periods = [(int(n), str(s), str(e), s.datatype) for n, s, e in rows]
    xsd_gyear = rdflib.XSD.gYear
    assert periods == [
        (1, "2011", "2013", xsd_gyear),
        (2, "2013", "2015", xsd_gyear),
        (3, "2016", "2018", xsd_gyear),
        (4, "2019", "2021", xsd_gyear),
    ]


def test_problem_tree_and_practice_figures(settings) -> None:
    g = rdflib_graph(discover(settings))
    ga = rdflib.Namespace("https://w3id.org/gakg/ontology#")
    ident = rdflib.Namespace("https://w3id.org/gakg/id/")
    tree = ident["arbol/estrategia-fortalecimiento-cultura-gobierno-abierto"]
    assert len(set(g.objects(tree, ga.cause))) == 4
    assert len(set(g.objects(tree, ga.effect))) == 2
    assert len(set(g.objects(tree, ga.centralProblem))) == 1
    figures = {int(q) for q in g.objects(None, ga.quantity)}
    assert figures == {41, 1437}
    jalisco = ident["practica/igualdad-laboral-salarial-jalisco"]
    assert g.value(jalisco, ga.inactiveSince) is None  # only the registry is inactive (test_data_readings.py)
    assert g.value(ident["iniciativa/regina"], ga.inactiveSince) == rdflib.Literal("2018", datatype=rdflib.XSD.gYear)
    commitment = ident["compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto"]
    sdg = {str(o) for o in g.objects(commitment, ga.contributesTo)}
    assert sdg == {f"http://metadata.un.org/sdg/{c}" for c in ("11", "11.b", "16", "17")}
    for o in sdg:  # the links point at the real UN concepts loaded from the reference data
        assert (rdflib.URIRef(o), RDF.type, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#Concept")) in g
    ogp = ident["hito/lanzamiento-alianza-para-el-gobierno-abierto"]
    assert g.value(ogp, ga.date) == rdflib.Literal("2011-09-20", datatype=rdflib.XSD.date)


def test_reference_data_is_linked(settings) -> None:
    g = rdflib_graph(discover(settings))
    ident = rdflib.Namespace("https://w3id.org/gakg/id/")
    ga = rdflib.Namespace("https://w3id.org/gakg/ontology#")
    for slug, code in {
        "toluca": "15106",
        "metepec": "15054",
        "nezahualcoyotl": "15058",
        "tlalnepantla": "15104",
    }.items():
        muni = g.value(ident[f"institucion/ayuntamiento-de-{slug}"], ga.governs)
        assert str(g.value(muni, ga.inegiCode)) == code
    toluca_scores = list(g.subjects(ga.measuredBody, ident["institucion/ayuntamiento-de-toluca"]))
    assert len(toluca_scores) == 1
    assert g.value(ident["pais/mexico"], rdflib.OWL.sameAs) == rdflib.URIRef("http://www.wikidata.org/entity/Q96")
    assert g.value(ident["proceso/plan-de-accion-ampliado"], ga.numberOfCommitments).toPython() == 36
    inai = ident["organizacion/inai"]
    assert g.value(inai, ga.functionsTransferredTo) == ident["organizacion/secretaria-anticorrupcion-y-buen-gobierno"]


# ---------------------------------------------------------------- shapes, labels, IRIs


@pytest.fixture(scope="module")
def whole_report(settings):
    ontology = [f for f in discover(settings) if f.path.parent == settings.ontology_dir]
    data = [f for f in discover(settings, include_restricted=True) if f not in ontology]
    shapes = load_shapes(local_file(p) for p in sorted(settings.shapes_dir.glob("*.ttl")))
    report = validate(rdflib_graph(data), shapes, rdflib_graph(ontology))
    # names without a publication consent are what the restricted data is for: never published
    restricted = {str(s) for s in rdflib_graph([f for f in data if f.restricted]).subjects()}
    return data, report.publishable(publication_shapes(settings), restricted), shapes


def test_shipped_data_conforms(whole_report) -> None:
    _, report, _ = whole_report
    assert report.violations == [], report.format("en")


def _data_files(settings):
    return [
        f.path.relative_to(settings.data_dir).as_posix()
        for f in discover(settings, include_restricted=True)
        if f.path.is_relative_to(settings.data_dir)
    ]


@pytest.mark.parametrize("name", _data_files(Settings()))
def test_each_data_file_conforms(name: str, whole_report, settings) -> None:
    data, report, _ = whole_report
    subjects = {str(s) for s in rdflib_graph([f for f in data if f.path == settings.data_dir / name]).subjects()}
    mine = [f for f in report.violations if f.focus in subjects]
    assert mine == [], report.format("en")


def test_every_typed_entity_is_checked_by_a_node_shape(whole_report, settings) -> None:
    """Each entity has at least one type that a node shape targets (directly or through a superclass)."""
    data, _, shapes = whole_report
    g = rdflib_graph(data)
    ontology = rdflib_graph(f for f in discover(settings) if f.path.parent == settings.ontology_dir)
    targeted = set(shapes.objects(None, SH.targetClass))
    covered = {
        cls
        for cls in set(g.objects(None, RDF.type))
        if set(ontology.transitive_objects(cls, RDFS.subClassOf)) & targeted
    }
    unshaped = {
        str(t)
        for s in set(g.subjects(RDF.type, None))
        if not (types := set(g.objects(s, RDF.type))) & covered
        for t in types
    }
    assert not unshaped, sorted(unshaped)


def test_every_term_used_has_spanish_and_english_label_and_definition(settings) -> None:
    ontology = rdflib_graph(f for f in discover(settings) if f.path.parent == settings.ontology_dir)
    data = rdflib_graph(f for f in discover(settings) if f.path.is_relative_to(settings.data_dir))
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    used = set(data.predicates()) | set(data.objects(None, RDF.type))
    missing = defaultdict(list)
    for term in used:
        for prop in (RDFS.label, skos.definition):
            langs = {o.language for o in ontology.objects(term, prop) if isinstance(o, rdflib.Literal)}
            for lang in ("es", "en"):
                if lang not in langs:
                    missing[str(term)].append(f"{prop.n3(ontology.namespace_manager)}@{lang}")
    assert not missing, dict(missing)


def test_no_blank_node_subjects_in_project_data(settings) -> None:
    for f in discover(settings, include_restricted=True):
        if "un-sdg" in f.path.name:
            continue  # the UN's files are copied unmodified
        g = rdflib_graph([f])
        assert not [s for s in g.subjects() if isinstance(s, rdflib.BNode)], f.path


# ---------------------------------------------------------------- personal data


def test_public_store_has_no_private_names_and_no_restricted_graph(public_store: GraphStore) -> None:
    assert not any("restricted" in g for g in public_store.graphs())
    texts = "\n".join(str(q) for q in public_store.quads())
    for name in PRIVATE_NAMES:
        assert name not in texts
    rows = public_store.select_text(
        "SELECT ?n WHERE { GRAPH ?g { <https://w3id.org/gakg/id/ejercicio/estado-de-mexico> "
        "<https://w3id.org/gakg/ontology#registeredCitizenCount> ?n } }",
    )
    assert [int(r["n"]) for r in rows] == [3]


def test_restricted_folder_holds_the_registered_citizens(settings) -> None:
    """The restricted folder (a setting; the synthetic example in tests) fills the restricted graph with as many
    registered citizens as the public count says; the repository's data folder holds none."""
    restricted = [f for f in discover(settings, include_restricted=True) if f.restricted]
    assert [f.graph for f in restricted] == ["https://w3id.org/gakg/graph/restricted/ciudadanos-inscritos"]
    names = {str(o) for o in rdflib_graph(restricted).objects(None, rdflib.FOAF.name)}
    assert names == set(PRIVATE_NAMES) and len(names) == 3
    assert not (settings.data_dir / "restricted").exists()
    assert discover(Settings(), include_restricted=True) == discover(Settings())  # no folder set: none read


def test_no_file_outside_the_restricted_folder_holds_a_private_name(settings) -> None:
    """The names of the restricted folder appear in no file of the repository (code, tests, docs, data)."""
    from graphapp.config import PROJECT_ROOT

    folder = settings.restricted_path.resolve()
    skip = {".git", ".venv", "var", "__pycache__", "node_modules", "artifacts"}
    for path in PROJECT_ROOT.rglob("*"):
        if not path.is_file() or skip & set(path.relative_to(PROJECT_ROOT).parts) or path.suffix in {".pyc", ".png"}:
            continue
        if path.resolve().is_relative_to(folder):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for name in PRIVATE_NAMES:
            assert name not in text, (path, "holds a private name")


def test_every_declared_ga_term_has_spanish_and_english_label_and_definition(settings) -> None:
    ontology = rdflib_graph(f for f in discover(settings) if f.path.parent == settings.ontology_dir)
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    ga = "https://w3id.org/gakg/ontology#"
    declared = {
        s
        for kind in (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(ga)
    }
    assert len(declared) > 100
    for term in declared:
        for prop in (RDFS.label, skos.definition):
            langs = {o.language for o in ontology.objects(term, prop)}
            assert {"es", "en"} <= langs, (term, prop)


def test_every_public_graph_has_a_catalogue_record(public_store) -> None:
    prov = "http://www.w3.org/ns/prov#"
    recorded = {
        row["g"] for row in public_store.select_text(f"SELECT ?g WHERE {{ ?g <{prov}wasDerivedFrom> ?source }}")
    }
    missing = [g for g in public_store.graphs() if g not in recorded]
    assert missing == []
