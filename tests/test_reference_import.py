"""Tests of graphapp.reference_import against the real reference data in shared/reference-data."""

from __future__ import annotations

import csv
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from graphapp.iris import GA, ID, QB, SCHEMA, WD, slugify
from graphapp.reference_import import METRICA_MUNICIPALITY_EVIDENCE, build_reference, fold, repair_text

MAIN = Path(__file__).resolve().parents[1]
COMMITTED = MAIN / "data" / "reference"
GENERATED_TTL = ("places.ttl", "metrica-2017.ttl", "ogp-facts.ttl")
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
        pytest.skip("reference data not found: no ../shared/reference-data and GRAPHAPP_REFERENCE_DATA unset")
    return found


@pytest.fixture(scope="module")
def built(src_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("reference")
    counts = build_reference(src_dir, out)
    return out, counts


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


def test_second_run_is_byte_identical(src_dir: Path, built: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    out, counts = built
    assert build_reference(src_dir, tmp_path) == counts
    for path in out.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


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
    assert set(counts) == {*GENERATED_TTL, "un-sdg-kos.ttl", "un-sdg-ontology.ttl", "un-sdg-labels.ttl"}
    for name, graph in graphs.items():
        assert counts[name] == len(graph) > 0


def test_headers_name_origin_and_generator(built: tuple[Path, dict[str, int]]) -> None:
    out, _ = built
    origins = {
        "places.ttl": "isaacarroyov/datos_facil_acceso, GobiernoMexicano/cve_nom_municipios.csv",
        "metrica-2017.ttl": "JuveCampos/Metrica_Gob_Abierto, Metrica_Gob_Abierto/BSO.csv",
        "ogp-facts.ttl": "ogp_mx_facts_handcompiled.csv",
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
