"""Tests of graphapp.reference_import against the real reference data in shared/reference-data."""

from __future__ import annotations

import csv
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from graphapp.iris import GA, GRAPH, ID, ORG, QB, SCHEMA, WD, slugify
from graphapp.reference_import import (
    AREAS_FILE,
    BODIES,
    METRICA_MUNICIPALITY_EVIDENCE,
    PRESENTATION_PLANS,
    SKIPPED_ITEMS,
    THEMES_OUT,
    build_reference,
    fold,
    repair_text,
)

from .conftest import REQUIRE_REFERENCE, missing

MAIN = Path(__file__).resolve().parents[1]
COMMITTED = MAIN / "data" / "reference"
EDITORIAL = MAIN / "data" / "editorial"
GENERATED_TTL = ("places.ttl", "metrica-2017.ttl", "ogp-facts.ttl", "ogp-commitments.ttl", "ogp-local.ttl")
EXCEPTIONS = {
    ID["institucion/ayuntamiento-de-toluca"],
    ID["institucion/instituto-electoral-del-estado-de-mexico"],
}


def _reference_dir() -> Path | None:
    """shared/reference-data beside the checkout, else $GRAPHAPP_REFERENCE_DATA."""
    candidate = Path(__file__).resolve().parents[2] / "shared" / "reference-data"
    if candidate.is_dir():
        return candidate
    env = os.environ.get("GRAPHAPP_REFERENCE_DATA")
    if env and Path(env).is_dir():
        return Path(env)
    return None


@pytest.fixture(scope="module")
def src_dir() -> Path:
    found = _reference_dir()
    if found is None:
        missing(
            "reference data not found: no ../shared/reference-data and GRAPHAPP_REFERENCE_DATA unset", REQUIRE_REFERENCE
        )
    return found


def _build(src_dir: Path, root: Path) -> tuple[Path, dict[str, int]]:
    """Build into ``root/reference``, with the committed editorial mapping copied to ``root/editorial`` (where the
    commitments' themes are written), as ``data/reference`` and ``data/editorial`` are laid out."""
    (root / "editorial").mkdir(parents=True)
    shutil.copyfile(EDITORIAL / AREAS_FILE, root / "editorial" / AREAS_FILE)
    out = root / "reference"
    return out, build_reference(src_dir, out)


@pytest.fixture(scope="module")
def built(src_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    return _build(src_dir, tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def graphs(built: tuple[Path, dict[str, int]]) -> dict[str, Graph]:
    out, _ = built
    return {name: Graph().parse(out / name, format="turtle") for name in GENERATED_TTL}


@pytest.fixture(scope="module")
def places(graphs: dict[str, Graph]) -> Graph:
    return graphs["places.ttl"]


@pytest.fixture(scope="module")
def metrica(graphs: dict[str, Graph]) -> Graph:
    return graphs["metrica-2017.ttl"]


def _label(graph: Graph, node: URIRef, lang: str) -> str | None:
    for label in graph.objects(node, RDFS.label):
        if isinstance(label, Literal) and label.language == lang:
            return str(label)
    return None


# ---------------------------------------------------------------- files


def test_output_equals_committed_files_byte_for_byte(built: tuple[Path, dict[str, int]]) -> None:
    out, _ = built
    produced = sorted(p.name for p in out.iterdir())
    # the UN SDG ontology is vocabulary: the project keeps it in ontology/, the rest in data/reference/
    committed = {p.name: p for p in COMMITTED.iterdir()}
    committed["un-sdg-ontology.ttl"] = MAIN / "ontology" / "un-sdg-ontology.ttl"
    assert produced == sorted(committed)
    for name in produced:
        assert (out / name).read_bytes() == committed[name].read_bytes(), name
    # the commitments' themes are editorial: written beside the mapping they come from
    assert (out.parent / "editorial" / THEMES_OUT).read_bytes() == (EDITORIAL / THEMES_OUT).read_bytes()


def test_second_run_is_byte_identical(src_dir: Path, built: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    out, counts = built
    again, second = _build(src_dir, tmp_path)
    assert second == counts
    for path in [*out.iterdir(), out.parent / "editorial" / THEMES_OUT]:
        assert (again.parent / path.parent.name / path.name).read_bytes() == path.read_bytes(), path.name


def test_sdg_copies_are_byte_identical(src_dir: Path, built: tuple[Path, dict[str, int]]) -> None:
    out, counts = built
    pairs = {
        "un-sdg-kos.ttl": "un_sdg_kos_goals_targets_indicators.ttl",
        "un-sdg-ontology.ttl": "un_sdgs_ontology.ttl",
    }
    for copy, original in pairs.items():
        assert (out / copy).read_bytes() == (src_dir / original).read_bytes()
    assert counts["un-sdg-kos.ttl"] == 7624


def test_counts_are_triples_per_file(built: tuple[Path, dict[str, int]], graphs: dict[str, Graph]) -> None:
    _, counts = built
    assert set(counts) == {*GENERATED_TTL, "un-sdg-kos.ttl", "un-sdg-ontology.ttl", "un-sdg-labels.ttl", THEMES_OUT}
    for name, graph in graphs.items():
        assert counts[name] == len(graph) > 0


def test_headers_name_origin_and_generator(built: tuple[Path, dict[str, int]]) -> None:
    out, _ = built
    origins = {
        "places.ttl": "isaacarroyov/datos_facil_acceso, GobiernoMexicano/cve_nom_municipios.csv",
        "metrica-2017.ttl": "JuveCampos/Metrica_Gob_Abierto, Metrica_Gob_Abierto/BSO.csv",
        "ogp-facts.ttl": "ogp_mx_facts_handcompiled.csv",
        "ogp-commitments.ttl": "ogp_mx_commitments_handcompiled.csv",
        "ogp-local.ttl": "ogp_mx_local_handcompiled.csv",
    }
    for name, origin in origins.items():
        text = (out / name).read_text(encoding="utf-8")
        assert text.startswith("# ")
        header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
        assert origin in header
        assert "graphapp.reference_import" in header
        assert "do not edit by hand" in header
    sources = (out / "SOURCES.md").read_text(encoding="utf-8")
    for name in (*GENERATED_TTL, "un-sdg-kos.ttl", "un-sdg-ontology.ttl"):
        assert f"`{name}`" in sources
    assert "UNStats/LOD4Stats" in sources and "ODbL-1.0" in sources


def test_no_blank_nodes(graphs: dict[str, Graph]) -> None:
    for name, graph in graphs.items():
        for s, _, o in graph:
            assert not isinstance(s, BNode), name
            assert not isinstance(o, BNode), name


def test_numbers_are_typed(graphs: dict[str, Graph]) -> None:
    number = re.compile(r"^-?\d+(\.\d+)?$")
    for name, graph in graphs.items():
        for _, p, o in graph:
            if isinstance(o, Literal) and o.datatype is None and o.language is None and number.match(o):
                assert p in (GA.inegiCode, GA.sourceName), (name, p, o)


# ---------------------------------------------------------------- places


def test_states(places: Graph) -> None:
    states = set(places.subjects(RDF.type, GA.FederalEntity))
    assert len(states) == 32
    for state in states:
        (code,) = places.objects(state, GA.inegiCode)
        assert re.fullmatch(r"\d{2}", str(code))
        assert (state, SCHEMA.containedInPlace, ID["pais/mexico"]) in places
        assert _label(places, state, "es") and _label(places, state, "en")
    edomex = ID["entidad/estado-de-mexico"]
    assert _label(places, edomex, "es") == "Estado de México"
    assert _label(places, edomex, "en") == "State of Mexico"
    assert _label(places, ID["entidad/ciudad-de-mexico"], "en") == "Mexico City"
    assert (edomex, GA.inegiCode, Literal("15")) in places
    for slug, qid in (("estado-de-mexico", "Q82112"), ("durango", "Q79918"), ("jalisco", "Q13160")):
        assert (ID[f"entidad/{slug}"], OWL.sameAs, WD[qid]) in places
    assert (ID["entidad/veracruz"], OWL.sameAs, WD["Q60130"]) in places


def test_countries_and_oecd(places: Graph) -> None:
    countries = {
        "mexico": "Q96",
        "suecia": "Q34",
        "estados-unidos": "Q30",
        "reino-unido": "Q145",
        "brasil": "Q155",
        "indonesia": "Q252",
        "noruega": "Q20",
        "filipinas": "Q928",
        "sudafrica": "Q258",
    }
    assert set(places.subjects(RDF.type, GA.Country)) == {ID[f"pais/{slug}"] for slug in countries}
    for slug, qid in countries.items():
        assert (ID[f"pais/{slug}"], OWL.sameAs, WD[qid]) in places
    assert _label(places, ID["pais/sudafrica"], "es") == "Sudáfrica"
    assert _label(places, ID["pais/sudafrica"], "en") == "South Africa"
    oecd = ID["organizacion/ocde"]
    assert (oecd, OWL.sameAs, WD["Q41550"]) in places
    assert not list(places.objects(oecd, RDF.type)) and not list(places.objects(oecd, RDFS.label))


def test_edomex_municipalities(places: Graph) -> None:
    edomex = ID["entidad/estado-de-mexico"]
    municipalities = {
        m for m in places.subjects(RDF.type, GA.Municipality) if (m, SCHEMA.containedInPlace, edomex) in places
    }
    assert len(municipalities) == 125
    for code, name in (
        ("15106", "Toluca"),
        ("15054", "Metepec"),
        ("15058", "Nezahualcóyotl"),
        ("15104", "Tlalnepantla de Baz"),
    ):
        node = ID[f"municipio/{code}"]
        assert node in municipalities
        assert (node, GA.inegiCode, Literal(code)) in places
        assert _label(places, node, "es") == name == _label(places, node, "en")


def test_measured_municipalities_of_other_states(places: Graph, metrica: Graph) -> None:
    villa = ID["municipio/06010"]
    assert _label(places, villa, "es") == "Villa de Álvarez"
    assert (villa, SCHEMA.containedInPlace, ID["entidad/colima"]) in places
    body = ID["sujeto-obligado/colima-villa-de-alvarez"]
    assert set(metrica.objects(body, GA.jurisdiction)) == {ID["entidad/colima"], villa}
    # every municipality a body is located in is described in places.ttl
    for obj in metrica.objects(None, GA.jurisdiction):
        assert _label(places, obj, "es"), obj
    municipal = set(places.subjects(RDF.type, GA.Municipality))
    assert len(municipal) == 125 + 155  # 149 matched by name, 6 by the evidence of METRICA_MUNICIPALITY_EVIDENCE


def test_names_that_differ_from_inegi_are_resolved_with_evidence(
    built: tuple[Path, dict[str, int]], metrica: Graph
) -> None:
    """The 6 Métrica rows whose names differ from INEGI's are matched only by the evidence written for each
    (never by a fuzzy guess), and each body says why in an editorial note."""
    out, _ = built
    header = (out / "places.ttl").read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "Every municipality measured by the Métrica matched an INEGI municipality" in header
    assert set(METRICA_MUNICIPALITY_EVIDENCE) == {
        "Campeche-San Francisco de Campeche",
        "Michoacan-Zinapacuaro",
        "Oaxaca-Oaxaca",
        "Quintana Roo-Othon",
        "Tamaulipas-Xicotancatl",
        "Yucatan-Tiziman",
    }
    for name, (code, _, reason_es, reason_en) in METRICA_MUNICIPALITY_EVIDENCE.items():
        body = ID[f"sujeto-obligado/{slugify(name)}"]
        assert ID[f"municipio/{code}"] in set(metrica.objects(body, GA.jurisdiction)), name
        notes = {str(n) for n in metrica.objects(body, SKOS.editorialNote)}
        assert notes == {reason_es, reason_en}
    tizimin = ID["sujeto-obligado/yucatan-tiziman"]
    assert set(metrica.objects(tizimin, GA.jurisdiction)) == {ID["entidad/yucatan"], ID["municipio/31096"]}


def test_evidence_that_does_not_hold_stops_the_import(src_dir: Path, tmp_path: Path, monkeypatch) -> None:
    from graphapp import reference_import

    wrong = dict(METRICA_MUNICIPALITY_EVIDENCE)
    code, name, es, en = wrong["Yucatan-Tiziman"]
    wrong["Yucatan-Tiziman"] = ("31001", name, es, en)  # a code that is not Tizimín
    monkeypatch.setattr(reference_import, "METRICA_MUNICIPALITY_EVIDENCE", wrong)
    with pytest.raises(ValueError, match="evidence for 'Yucatan-Tiziman'"):
        build_reference(src_dir, tmp_path)


# ---------------------------------------------------------------- Métrica


def test_observation_counts(src_dir: Path, metrica: Graph) -> None:
    observations = set(metrica.subjects(RDF.type, GA.MetricaObservation))
    with (src_dir / "metrica_ga_2017_prom.csv").open(encoding="utf-8", newline="") as handle:
        averages = len(list(csv.DictReader(handle)))
    assert averages == 33
    assert len(observations) == 908 + averages
    averaged = {o for o in observations if str(o).startswith(str(ID["metrica-2017/promedio-"]))}
    assert len(averaged) == averages
    assert (
        ID["metrica-2017/promedio-estado-de-mexico"],
        GA.measuredBody,
        ID["entidad/estado-de-mexico"],
    ) in metrica
    dataset = ID["dataset/metrica-gobierno-abierto-2017"]
    for observation in observations:
        assert len(list(metrica.objects(observation, GA.measuredBody))) == 1
        assert len(list(metrica.objects(observation, GA.openGovernmentIndex))) == 1
        assert (observation, QB.dataSet, dataset) in metrica
        assert _label(metrica, observation, "es") and _label(metrica, observation, "en")


def test_dataset(metrica: Graph) -> None:
    dataset = ID["dataset/metrica-gobierno-abierto-2017"]
    assert {ID["organizacion/inai"], ID["organizacion/cide"]} <= set(metrica.objects(dataset, DCTERMS.publisher))
    assert (dataset, DCTERMS.issued, Literal("2017", datatype=XSD.gYear)) in metrica
    (citation,) = metrica.objects(dataset, DCTERMS.bibliographicCitation)
    assert str(citation) == "Datos Abiertos de la Métrica de Gobierno Abierto 2017 y 2019. (C) CIDE, INAI"
    assert URIRef("https://github.com/JuveCampos/Metrica_Gob_Abierto/blob/HEAD/Metrica_Gob_Abierto/BSO.csv") in set(
        metrica.objects(dataset, DCTERMS.source)
    )


def test_toluca(metrica: Graph) -> None:
    toluca = ID["metrica-2017/mexico-toluca"]
    (ga_index,) = metrica.objects(toluca, GA.openGovernmentIndex)
    assert ga_index.datatype == XSD.decimal
    assert ga_index.toPython() == Decimal("0.5201")
    assert isinstance(ga_index.toPython(), Decimal)
    assert set(metrica.objects(toluca, GA.measuredBody)) == {ID["institucion/ayuntamiento-de-toluca"]}
    assert _label(metrica, toluca, "es") == "Métrica 2017: Toluca (Estado de México)"
    assert (toluca, GA.sourceName, Literal("Mexico-Toluca")) in metrica
    assert (toluca, GA.governmentLevel, Literal("Municipal")) in metrica
    assert (toluca, GA.bodyType, Literal("Municipio")) in metrica
    ieem = ID["metrica-2017/mexico-instituto-electoral"]
    assert set(metrica.objects(ieem, GA.measuredBody)) == {ID["institucion/instituto-electoral-del-estado-de-mexico"]}
    for body in EXCEPTIONS:  # described in another file
        assert not list(metrica.predicate_objects(body))


def test_every_measured_body_is_labelled(metrica: Graph, places: Graph) -> None:
    for body in set(metrica.objects(None, GA.measuredBody)):
        if body in EXCEPTIONS:
            continue
        labelled = metrica if (body, None, None) in metrica else places
        assert _label(labelled, body, "es") and _label(labelled, body, "en"), body


def test_scores_keep_the_files_digits(src_dir: Path, metrica: Graph) -> None:
    columns = {
        "GA": GA.openGovernmentIndex,
        "P": GA.participationIndex,
        "T": GA.transparencyIndex,
        "TG": GA.transparencyGovernmentView,
        "TC": GA.transparencyCitizenView,
        "PG": GA.participationGovernmentView,
        "PC": GA.participationCitizenView,
    }
    with (src_dir / "metrica_ga_2017_BSO.csv").open(encoding="latin-1", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 908
    for row in rows:
        observation = ID[f"metrica-2017/{slugify(repair_text(row['SO']))}"]
        for column, prop in columns.items():
            (value,) = metrica.objects(observation, prop)
            assert value.datatype == XSD.decimal
            assert value.toPython() == Decimal(row[column]), (row["SO"], column)


def test_broken_bytes_are_repaired(metrica: Graph) -> None:
    assert repair_text("Villa de a\x81lvarez") == "Villa de alvarez"
    assert repair_text("Parai\x8cso") == "Paraiso"
    assert repair_text("Peque\xf1a") == "Pequeña"
    assert repair_text("S\xc3\xa1nchez") == "Sánchez"
    assert repair_text("Conacyt \x80\x94 Gobierno") == "Conacyt — Gobierno"
    assert fold("  Nezahualcóyotl   de  Baz ") == "nezahualcoyotl de baz"
    for _, _, name in metrica.triples((None, GA.sourceName, None)):
        assert not re.search("[\x80-\x9f]", str(name)), name
    sanchez = ID["metrica-2017/san-luis-potosi-soledad-de-graciano-sanchez"]
    assert (sanchez, GA.sourceName, Literal("San Luis Potosi-Soledad de Graciano Sánchez")) in metrica


# ---------------------------------------------------------------- sourced facts


def test_every_statement_is_sourced_and_asserted(graphs: dict[str, Graph]) -> None:
    total = 0
    for name, graph in graphs.items():
        for fact in graph.subjects(RDF.type, RDF.Statement):
            total += 1
            assert str(fact).startswith(str(ID["hecho/"])), fact
            sources = list(graph.objects(fact, DCTERMS.source))
            assert len(sources) == 1 and isinstance(sources[0], URIRef), (name, fact)
            assert str(sources[0]).startswith(("http://", "https://"))
            (s,) = graph.objects(fact, RDF.subject)
            (p,) = graph.objects(fact, RDF.predicate)
            (o,) = graph.objects(fact, RDF.object)
            assert (s, p, o) in graph, (name, fact)
            assert _label(graph, fact, "es") and _label(graph, fact, "en")
    assert total >= 14 + 13  # sameAs links in places.ttl + OGP facts


def test_ogp_facts(graphs: dict[str, Graph]) -> None:
    ogp = graphs["ogp-facts.ttl"]
    for ordinal, number in (("segundo", 26), ("tercer", 11), ("cuarto", 13)):
        plan = ID[f"plan/{ordinal}-plan-accion-nacional"]
        assert (plan, GA.numberOfCommitments, Literal(number, datatype=XSD.integer)) in ogp
    # the source row names the expanded plan ("Plan de Acción Ampliado"): the 36 are the PAA's
    paa = ID["proceso/plan-de-accion-ampliado"]
    assert (paa, GA.numberOfCommitments, Literal(36, datatype=XSD.integer)) in ogp
    assert (ID["plan/primer-plan-accion-nacional"], GA.numberOfCommitments, None) not in ogp
    programme = ID["programa/cocreacion-desde-lo-local"]
    assert (programme, GA.startYear, Literal("2015", datatype=XSD.gYear)) in ogp
    balance = ID["programa/cocreacion-desde-lo-local/balance-2017"]
    assert (balance, GA.participatingStates, Literal(26, datatype=XSD.integer)) in ogp
    assert (balance, GA.installedSecretariats, Literal(16, datatype=XSD.integer)) in ogp
    assert (balance, GA.programme, programme) in ogp
    dataset = ID["dataset/metrica-gobierno-abierto-2017"]
    assert (dataset, GA.numberOfMeasuredBodies, Literal(908, datatype=XSD.integer)) in ogp
    stt = ID["organizacion/secretariado-tecnico-tripartita"]
    assert _label(ogp, stt, "es") == "Secretariado Técnico Tripartita"
    assert any("SFP" in str(c) for c in ogp.objects(stt, RDFS.comment))
    # the OGP launch is in the presentation data already
    assert "wikimili" not in ogp.serialize(format="turtle")


def test_new_terms_are_declared(graphs: dict[str, Graph]) -> None:
    ontology = Graph()
    for name in ("gakg.ttl", "gakg-reference.ttl"):
        ontology.parse(MAIN / "ontology" / name, format="turtle")
    used = {t for g in graphs.values() for s, p, o in g for t in (p, o) if str(t).startswith(str(GA))}
    for term in used:
        labels = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"es", "en"} <= labels, term


# ---------------------------------------------------------------- OGP commitments and the IRM (issue 17)

COMMITMENTS_CSV = "ogp_mx_commitments_handcompiled.csv"
LOCAL_CSV = "ogp_mx_local_handcompiled.csv"
OGP_COMMITMENT = GA.OGPCommitment


def _rows(src_dir: Path, name: str) -> list[dict[str, str]]:
    with (src_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def commitments(graphs: dict[str, Graph]) -> Graph:
    return graphs["ogp-commitments.ttl"]


@pytest.fixture(scope="module")
def local(graphs: dict[str, Graph]) -> Graph:
    return graphs["ogp-local.ttl"]


@pytest.fixture(scope="module")
def themes(built: tuple[Path, dict[str, int]]) -> Graph:
    out, _ = built
    return Graph().parse(out.parent / "editorial" / THEMES_OUT, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for name in ("gakg.ttl", "gakg-reference.ttl", "gakg-finder.ttl"):
        graph.parse(MAIN / "ontology" / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def project_data() -> Graph:
    """The hand-written data the importer links to (presentation, editorial, thesaurus, catalogue)."""
    graph = Graph()
    for folder in ("presentacion", "editorial", "tesauro", "posterior"):
        for path in sorted((MAIN / "data" / folder).glob("*.ttl")):
            graph.parse(path, format="turtle")
    graph.parse(MAIN / "data" / "catalog.ttl", format="turtle")
    return graph


def _commitment(cid: str) -> URIRef:
    return ID[f"compromiso-aga/{cid.lower()}"]


def _statement(graph: Graph, s: URIRef, p: URIRef, o: URIRef | Literal) -> URIRef:
    """The one rdf:Statement describing ``(s, p, o)`` in ``graph``."""
    (fact,) = (
        f for f in graph.subjects(RDF.subject, s) if (f, RDF.predicate, p) in graph and (f, RDF.object, o) in graph
    )
    assert isinstance(fact, URIRef)
    return fact


def test_the_21_national_commitments_with_their_ids(src_dir: Path, commitments: Graph) -> None:
    ids = [row["id"] for row in _rows(src_dir, COMMITMENTS_CSV)]
    assert len(ids) == 21
    found = set(commitments.subjects(RDF.type, OGP_COMMITMENT))
    assert found == {_commitment(cid) for cid in ids}
    for cid in ids:
        assert list(commitments.objects(_commitment(cid), DCTERMS.identifier)) == [Literal(cid)]
        assert (_commitment(cid), DCTERMS.spatial, ID["pais/mexico"]) in commitments
    # typed with the subclass only: ga:Commitment follows from the ontology (rdfs:subClassOf)
    assert (_commitment("MX0075"), RDF.type, GA.Commitment) not in commitments


def test_mx0075_plan_identifier_and_reused_institutions(commitments: Graph) -> None:
    mx0075, mx0087 = _commitment("MX0075"), _commitment("MX0087")
    fourth = ID["plan/cuarto-plan-accion-nacional"]
    assert list(commitments.objects(mx0075, GA.plan)) == [fourth]
    fact = _statement(commitments, mx0075, GA.plan, fourth)
    assert (fact, GA.byInference, None) not in commitments  # the page prints the plan
    assert _label(commitments, mx0075, "es") == "Supervisión ciudadana del gasto en programas sociales"
    assert _label(commitments, mx0075, "en") == "Citizen Oversight of Social Program Spending"
    assert (mx0075, DCTERMS.source, URIRef("https://opengovpartnership.org/members/mexico/commitments/MX0075")) in (
        commitments
    )
    assert (
        mx0075,
        RDFS.seeAlso,
        URIRef("https://www.opengovpartnership.org/es/members/mexico/commitments/MX0075/"),
    ) in commitments
    sfp, gesoc = ID["organizacion/sfp"], ID["organizacion/gesoc"]
    assert set(commitments.objects(mx0075, GA.leadInstitution)) == {sfp}
    assert set(commitments.objects(mx0075, GA.supportInstitution)) == {
        gesoc,
        ID["organizacion/transparencia-mexicana"],
        ID["organizacion/fundar"],
    }
    # the same bodies lead MX0087, printed differently ("Gesoc, Agencia ..." / "OC Agencia ... (GESOC)"): one entity
    assert {sfp, gesoc, ID["organizacion/inai"]} <= set(commitments.objects(mx0087, GA.leadInstitution))
    labelled_sfp = [
        s for s, label in commitments.subject_objects(RDFS.label) if str(label).startswith("Secretaría de la Función")
    ]
    assert set(labelled_sfp) == {sfp}
    assert Literal("OC Agencia para el Desarrollo, A.C. (GESOC)", lang="es") in set(
        commitments.objects(gesoc, SKOS.altLabel)
    )
    # INAI is the presentation's entity, reused and not described again
    assert not list(commitments.predicate_objects(ID["organizacion/inai"]))
    statements = {str(o) for o in commitments.objects(mx0075, GA.problemStatement)}
    assert any(s.startswith("La ciudadanía no podía rastrear") for s in statements)
    assert "Fiscal Openness" in {str(o) for o in commitments.objects(mx0075, GA.policyArea)}


def test_plans_from_the_file_and_inferences_marked(src_dir: Path, commitments: Graph) -> None:
    plans = {year: plan for year, (plan, *_) in PRESENTATION_PLANS.items()}
    for row in _rows(src_dir, COMMITMENTS_CSV):
        commitment = _commitment(row["id"])
        (plan,) = commitments.objects(commitment, GA.plan)
        assert plan == plans[row["cycle_start_year"]]
        fact = _statement(commitments, commitment, GA.plan, plan)
        inferred = (fact, GA.byInference, Literal(True)) in commitments
        # an inference only where the page prints no plan and the compiler's note says it is one
        assert inferred == (not row["action_plan"] and "(inference)" in row["retrieved_note"]), row["id"]
    assert (_statement(commitments, _commitment("MX0064"), GA.plan, plans["2016"]), GA.byInference, None) in (
        commitments
    )


def test_presentation_plans_are_the_presentations(project_data: Graph) -> None:
    for start, (plan, end, *_) in PRESENTATION_PLANS.items():
        assert (plan, GA.startYear, Literal(start, datatype=XSD.gYear)) in project_data
        assert (plan, GA.endYear, Literal(end, datatype=XSD.gYear)) in project_data


def test_the_fourth_plan_keeps_both_names_each_with_its_source(commitments: Graph) -> None:
    fourth = ID["plan/cuarto-plan-accion-nacional"]
    names = {str(n) for n in commitments.objects(fourth, GA.nameInSource)}
    assert names == {"Mexico Action Plan 2019-2022", "Plan d'action du Mexique 2019-2021"}
    for name in names:
        fact = _statement(commitments, fourth, GA.nameInSource, Literal(name))
        assert len(list(commitments.objects(fact, DCTERMS.source))) == 1
    # the presentation's period is not touched
    assert (fourth, GA.endYear, None) not in commitments and (fourth, GA.startYear, None) not in commitments


def test_irm_early_results_are_ordered_by_rank_and_keep_the_printed_value(commitments: Graph, ontology: Graph) -> None:
    scale = [
        GA["earlyResults-none"],
        GA["earlyResults-marginal"],
        GA["earlyResults-major"],
        GA["earlyResults-outstanding"],
    ]
    assert [int(ontology.value(c, GA.rank)) for c in scale] == [0, 1, 2, 3]
    for concept in scale:
        assert (concept, SKOS.inScheme, GA.EarlyResultsScale) in ontology
        assert _label(ontology, concept, "es") and _label(ontology, concept, "en")
    early = {
        str(commitments.value(a, DCTERMS.identifier)): commitments.value(
            commitments.value(a, GA.irmAssessment), GA.earlyResults
        )
        for a in commitments.subjects(GA.irmAssessment, None)
    }
    rated = {cid: value for cid, value in early.items() if value is not None}
    ordered = sorted(rated, key=lambda cid: (-int(ontology.value(rated[cid], GA.rank)), cid))
    assert ordered[0] == "MX0084"  # outstanding
    assert rated["MX0042"] == rated["MX0087"] == rated["MX0076"] == GA["earlyResults-major"]
    assert rated["MX0075"] == GA["earlyResults-none"] and rated["MX0068"] == GA["earlyResults-marginal"]
    assert "MX0086" not in rated  # 'Pending IRM Review' is not a value of the scale
    mx0042 = ID["evaluacion-irm/mx0042"]
    assert (mx0042, GA.earlyResultsAsPrinted, Literal("importante Clasificacion Mayor", lang="es")) in commitments
    assert (mx0042, GA.ambition, GA["ambition-high"]) in commitments
    assert (mx0042, GA.ambitionAsPrinted, Literal("Alto", lang="es")) in commitments
    assert (
        mx0042,
        DCTERMS.source,
        URIRef("https://www.opengovpartnership.org/es/members/mexico/commitments/MX0042/"),
    ) in (commitments)
    mx0086 = ID["evaluacion-irm/mx0086"]
    assert (mx0086, GA.earlyResultsAsPrinted, Literal("Pending IRM Review", lang="en")) in commitments
    assert (mx0086, GA.starred, None) not in commitments  # shown as pending: not a boolean
    assert (ID["evaluacion-irm/mx0073"], GA.starred, Literal(False)) in commitments
    assert {ID["evaluacion-irm/mx0073"]} <= set(commitments.subjects(GA.verifiable, GA["verifiable-no"]))
    # every rating is a concept of the ontology's scales, and no potential-impact or completion value is invented
    for prop in (GA.earlyResults, GA.ambition, GA.verifiable, GA.relevance, GA.relevantOGPValue):
        for value in commitments.objects(None, prop):
            assert (value, SKOS.inScheme, None) in ontology, value
    assert (None, GA.potentialImpact, None) not in commitments and (None, GA.completion, None) not in commitments
    assert len(set(commitments.subjects(RDF.type, GA.IRMAssessment))) == 10


def test_an_unknown_irm_value_stops_the_import(src_dir: Path) -> None:
    from graphapp import reference_import

    row = next(r for r in _rows(src_dir, COMMITMENTS_CSV) if r["id"] == "MX0084")
    row["irm_early_results"] = "Sobresaliente Excepcional"
    with pytest.raises(ValueError, match="unknown irm_early_results value 'Sobresaliente Excepcional'"):
        reference_import._add_assessment(Graph(), row, _commitment("MX0084"), reference_import._OgpStats())


def test_every_row_has_a_source_and_every_source_is_described(
    src_dir: Path, commitments: Graph, local: Graph, project_data: Graph
) -> None:
    for row in _rows(src_dir, COMMITMENTS_CSV):
        (source,) = commitments.objects(_commitment(row["id"]), DCTERMS.source)
        assert str(source) == (row["source_url_en"] or row["source_url_es"])
    for row in _rows(src_dir, LOCAL_CSV):
        facts = set(local.subjects(DCTERMS.source, URIRef(row["source_url"])))
        assert facts, row
    for name, graph in (("ogp-commitments", commitments), ("ogp-local", local)):
        cited = set(graph.objects(None, DCTERMS.source))
        assert all(str(o).startswith(("http://", "https://")) for o in cited)
        # the other-language page of a commitment (rdfs:seeAlso) is cited too
        cited |= {o for o in graph.objects(None, RDFS.seeAlso) if str(o).startswith("https://www.opengov")}
        described = set(graph.subjects(RDF.type, DCTERMS.BibliographicResource))
        assert cited == described, name
        for page in described:
            assert _label(graph, page, "es") and _label(graph, page, "en")
        # the catalogue derives the graph from exactly the pages it cites
        record = GRAPH[f"reference/{name}"]
        assert set(project_data.objects(record, PROV_DERIVED)) == described, name
        assert (record, DCTERMS.rights, None) in project_data and (record, DCTERMS.license, None) not in project_data
    for assessment in commitments.subjects(RDF.type, GA.IRMAssessment):
        assert (assessment, DCTERMS.source, None) in commitments


PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")


def test_no_organisation_is_a_sentence(commitments: Graph, local: Graph) -> None:
    names = {body.name for body in BODIES.values() if body.name}
    for graph in (commitments, local):
        for org in graph.subjects(RDF.type, ORG.Organization):
            labels = {str(label) for label in graph.objects(org, RDFS.label)}
            assert labels and labels <= names, labels
        texts = {str(o) for o in graph.objects() if isinstance(o, Literal)}
        for item in SKIPPED_ITEMS:
            assert item not in texts, item  # the page's sentences (and a person's name) stay out
    assert "Jaime Villareal" not in commitments.serialize(format="turtle")


def test_reused_bodies_are_described_by_the_project(commitments: Graph, local: Graph, project_data: Graph) -> None:
    for graph in (commitments, local):
        for prop in (GA.leadInstitution, GA.supportInstitution):
            for body in graph.objects(None, prop):
                if (body, RDF.type, None) not in graph:
                    assert (body, RDFS.label, None) in project_data, body
    assert (ID["plan/aga-local-tlalnepantla-de-baz-15104-2021-2023"], GA.leadInstitution, ID["institucion/infoem"]) in (
        local
    )


def test_local_facts_with_sources_and_both_disagreeing_counts(local: Graph, graphs: dict[str, Graph]) -> None:
    programme = ID["programa/cocreacion-desde-lo-local"]
    participated = set(local.subjects(GA.participatedInProgramme, programme))
    installed = set(local.subjects(GA.hadTechnicalSecretariat, Literal(True)))
    published = set(local.subjects(GA.publishedLocalPlan, Literal(True)))
    assert (len(participated), len(installed), len(published)) == (23, 16, 10)
    assert ID["entidad/estado-de-mexico"] in participated and ID["entidad/durango"] in published
    for state in installed:
        fact = _statement(local, state, GA.hadTechnicalSecretariat, Literal(True))
        assert (fact, GA.notAfter, Literal("2017", datatype=XSD.gYear)) in local
        assert (fact, DCTERMS.source, URIRef(EL_UNIVERSAL)) in local
    for state in participated:  # no joining year is stated, so none is given
        fact = _statement(local, state, GA.participatedInProgramme, programme)
        assert (fact, GA.notAfter, None) not in local
    jalisco = ID["entidad/jalisco"]
    member = _statement(local, jalisco, GA.ogpLocalMemberSince, Literal("2016", datatype=XSD.gYear))
    assert (member, DCTERMS.source, URIRef("https://www.opengovpartnership.org/countries/jalisco-mexico")) in local
    assert (ID["entidad/ciudad-de-mexico"], GA.withdrewFromOGPLocal, Literal(True)) in local
    assert (ID["municipio/08019"], GA.ogpLocalMemberSince, Literal("2022", datatype=XSD.gYear)) in local
    # the disagreeing counts, each with its source: 23 states (Capital Querétaro) and 26 by 2017 (El Universal)
    capital = ID["programa/cocreacion-desde-lo-local/cifras-capital-queretaro"]
    fact = _statement(local, capital, GA.participatingStates, Literal(23, datatype=XSD.integer))
    assert (fact, DCTERMS.source, URIRef(CAPITAL)) in local
    assert (capital, GA.functioningSecretariats, Literal(13, datatype=XSD.integer)) in local
    balance = ID["programa/cocreacion-desde-lo-local/balance-2017"]
    ogp = graphs["ogp-facts.ttl"]
    fact = _statement(ogp, balance, GA.participatingStates, Literal(26, datatype=XSD.integer))
    assert (fact, DCTERMS.source, URIRef(EL_UNIVERSAL)) in ogp


EL_UNIVERSAL = "http://www.pressreader.com/mexico/el-universal/20180103/281663960392291"
CAPITAL = "https://capitalqueretaro.com.mx/local/queretaro-entre-los-estados-con-mayor-apertura-a-la-transparencia/amp"


def test_local_commitments_and_mxmex0009_not_linked_to_the_presentation(local: Graph, themes: Graph) -> None:
    for cid, place in (("MXCHH0003", ID["municipio/08019"]), ("MXMEX0009", ID["entidad/estado-de-mexico"])):
        commitment = _commitment(cid)
        assert (commitment, RDF.type, OGP_COMMITMENT) in local
        assert list(local.objects(commitment, DCTERMS.identifier)) == [Literal(cid)]
        assert list(local.objects(commitment, DCTERMS.spatial)) == [place]
        assert (commitment, DCTERMS.source, None) in local and _label(local, commitment, "en")
    presentation = str(ID["compromiso/"])
    for graph in (local, themes):
        assert not any(str(t).startswith(presentation) for triple in graph for t in triple)


def test_themes_are_editorial_and_follow_the_mapping(
    src_dir: Path, commitments: Graph, themes: Graph, project_data: Graph
) -> None:
    assert set(themes.predicates()) == {DCTERMS.subject}
    assert (None, DCTERMS.subject, None) not in commitments  # the link lives only in the editorial graph
    assert (MAIN / "data" / "editorial" / THEMES_OUT).is_file()
    mapping = Graph().parse(EDITORIAL / AREAS_FILE, format="turtle")
    scheme = ID["esquema/areas-politica-aga"]
    areas = {mapping.value(c, SKOS.prefLabel): c for c in mapping.subjects(SKOS.inScheme, scheme)}
    assert len(areas) == 32
    for concept in areas.values():
        assert {n.language for n in mapping.objects(concept, SKOS.editorialNote)} == {"es", "en"}
    for commitment in commitments.subjects(RDF.type, OGP_COMMITMENT):
        expected = {
            theme
            for area in commitments.objects(commitment, GA.policyArea)
            for prop in (SKOS.closeMatch, SKOS.broadMatch)
            for theme in mapping.objects(areas[area], prop)
        }
        assert set(themes.objects(commitment, DCTERMS.subject)) == expected, commitment
    for theme in set(themes.objects()):
        assert (theme, RDF.type, GA.ProblemTheme) in project_data, theme
    mx0084 = set(themes.objects(_commitment("MX0084"), DCTERMS.subject))
    assert ID["tema/medio-ambiente"] in mx0084 and ID["tema/agua-potable"] not in mx0084  # a narrowMatch gives none
    for name in ("ogp-areas-temas", "ogp-compromisos-temas"):
        assert (GRAPH[f"editorial/{name}"], PROV_DERIVED, None) in project_data


def test_import_reference_command_writes_the_committed_files(
    src_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graphapp.cli import main

    # the UN SDG ontology goes to the ontology folder: a temporary one, so that the checkout is not written
    monkeypatch.setenv("GRAPHAPP_ONTOLOGY_DIR", str(tmp_path / "ontology"))
    (tmp_path / "ontology").mkdir()
    editorial = tmp_path / "editorial"
    editorial.mkdir()
    shutil.copyfile(EDITORIAL / AREAS_FILE, editorial / AREAS_FILE)
    out = tmp_path / "reference"
    args = ["import-reference", "--from", str(src_dir), "--out", str(out), "--editorial", str(editorial)]
    assert main(args) == 0
    for name in ("ogp-commitments.ttl", "ogp-local.ttl", "SOURCES.md"):
        assert (out / name).read_bytes() == (COMMITTED / name).read_bytes(), name
    assert (editorial / THEMES_OUT).read_bytes() == (EDITORIAL / THEMES_OUT).read_bytes()
    assert main(args) == 0  # idempotent
    assert (out / "ogp-commitments.ttl").read_bytes() == (COMMITTED / "ogp-commitments.ttl").read_bytes()
