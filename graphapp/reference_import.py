"""Import the public reference data in ``shared/reference-data`` into deterministic Turtle files.

``build_reference(src_dir, out_dir)`` reads the files described in ``shared/reference-data/README.md`` and
writes, under ``out_dir``:

``places.ttl``
    Mexico and the other countries named in the source presentation, the 32 Mexican states (INEGI), the
    125 municipalities of the Estado de México plus every other municipality the Métrica de Gobierno
    Abierto 2017 measured, and the ``owl:sameAs`` links to Wikidata (each also reified as a sourced
    ``rdf:Statement``).
``metrica-2017.ttl``
    The Métrica de Gobierno Abierto 2017 (INAI–CIDE) as an RDF Data Cube data set: one observation per
    measured *sujeto obligado* (``BSO.csv``) and one per state average (``prom.csv``).
``ogp-facts.ttl``
    Hand-compiled facts about Mexico in the Open Government Partnership, each asserted and reified with
    its source URL.
``ogp-commitments.ttl``
    21 of Mexico's national OGP commitments (``ga:OGPCommitment``) with their plan (a sourced fact, marked
    ``ga:byInference`` where only the compiler's note infers it), institutions (names of bodies only, by the
    explicit tables ``BODIES``/``INSTITUTION_ITEMS``/``SKIPPED_ITEMS``), policy areas as printed, and the IRM's
    assessment (``ga:IRMAssessment``): each printed rating normalised by the explicit table ``IRM_TABLES`` (an
    unknown value stops the import) to a concept of an ordered scale of ``ontology/gakg-reference.ttl``, and kept
    as printed. The plans' names as printed are sourced facts (``ga:nameInSource``).
``ogp-local.ttl``
    Subnational open government: OGP Local members, their plans and commitments, and the states in INAI's
    «Cocreación desde lo local», each fact reified with its row's source; the counts the sources give are checked
    against the rows, and disagreeing counts are both kept.
``../editorial/ogp-compromisos-temas.ttl``
    The commitments' themes (``dcterms:subject``), derived from the hand-written editorial mapping
    ``../editorial/ogp-areas-temas.ttl`` of OGP policy areas to thesaurus themes (editorial, not a source).
``un-sdg-kos.ttl`` and ``un-sdg-ontology.ttl``
    Byte-identical copies of the UN SDG files.
``SOURCES.md``
    The origin and licence of every output file.

Running the importer twice over the same input yields byte-identical files: graphs contain no blank
nodes and are serialised with rdflib's Turtle serialiser, which sorts subjects, predicates and objects;
the comment headers depend only on the data, never on paths or clocks.

Name matching (Métrica municipalities to INEGI municipalities) folds accents, lower-cases and collapses
spaces on both sides and only accepts a unique exact match within the same state. Names that do not
match are never guessed: they are listed in a comment in ``places.ttl`` and ``metrica-2017.ttl`` and the
body keeps only its state as jurisdiction. ``metrica_ga_2017_DR.csv`` is not imported.
"""

from __future__ import annotations

import csv
import re
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from graphapp.iris import GA, ID, ORG, PREFIXES, QB, SCHEMA, WD, slugify

__all__ = ["build_reference", "fold", "repair_text"]

# ---------------------------------------------------------------- input files and their origins

INEGI_FILE = "inegi_cve_nom_municipios_mx.csv"
EDOMEX_FILE = "edomex_municipios_inegi.csv"
WIKIDATA_FILE = "wikidata_qids_confirmed.csv"
METRICA_FILE = "metrica_ga_2017_BSO.csv"
METRICA_AVERAGES_FILE = "metrica_ga_2017_prom.csv"
OGP_FILE = "ogp_mx_facts_handcompiled.csv"
SDG_KOS_FILE = "un_sdg_kos_goals_targets_indicators.ttl"
SDG_ONTOLOGY_FILE = "un_sdgs_ontology.ttl"
COMMITMENTS_FILE = "ogp_mx_commitments_handcompiled.csv"
LOCAL_FILE = "ogp_mx_local_handcompiled.csv"
#: the editorial mapping of OGP policy areas to themes, read from the editorial folder
AREAS_FILE = "ogp-areas-temas.ttl"

PLACES_OUT = "places.ttl"
METRICA_OUT = "metrica-2017.ttl"
OGP_OUT = "ogp-facts.ttl"
SDG_KOS_OUT = "un-sdg-kos.ttl"
SDG_ONTOLOGY_OUT = "un-sdg-ontology.ttl"
SDG_LABELS_OUT = "un-sdg-labels.ttl"
COMMITMENTS_OUT = "ogp-commitments.ttl"
LOCAL_OUT = "ogp-local.ttl"
#: the commitments' themes, derived from AREAS_FILE: editorial, written to the editorial folder
THEMES_OUT = "ogp-compromisos-temas.ttl"
SOURCES_OUT = "SOURCES.md"

INEGI_ORIGIN = (
    "GitHub isaacarroyov/datos_facil_acceso, GobiernoMexicano/cve_nom_municipios.csv (INEGI Marco Geoestadístico)"
)
INEGI_URL = URIRef(
    "https://github.com/isaacarroyov/datos_facil_acceso/blob/HEAD/GobiernoMexicano/cve_nom_municipios.csv"
)
METRICA_ORIGIN = "GitHub JuveCampos/Metrica_Gob_Abierto, Metrica_Gob_Abierto/BSO.csv"
METRICA_URL = URIRef("https://github.com/JuveCampos/Metrica_Gob_Abierto/blob/HEAD/Metrica_Gob_Abierto/BSO.csv")
METRICA_AVERAGES_ORIGIN = "GitHub JuveCampos/Metrica_Gob_Abierto, Metrica_Gob_Abierto/prom.csv"
METRICA_AVERAGES_URL = URIRef(
    "https://github.com/JuveCampos/Metrica_Gob_Abierto/blob/HEAD/Metrica_Gob_Abierto/prom.csv"
)
METRICA_CITATION = "Datos Abiertos de la Métrica de Gobierno Abierto 2017 y 2019. (C) CIDE, INAI"
SDG_KOS_ORIGIN = "GitHub UNStats/LOD4Stats, sdg-data/sdg-kos-goals-targets-indicators.ttl"
SDG_ONTOLOGY_ORIGIN = "GitHub UNStats/LOD4Stats, sdg-data/sdgs-ontology.ttl"

LICENCE_URLS: dict[str, URIRef] = {
    "ODbL-1.0": URIRef("https://opendatacommons.org/licenses/odbl/1-0/"),
}

# ---------------------------------------------------------------- fixed IRIs

MEXICO = ID["pais/mexico"]
OECD = ID["organizacion/ocde"]
INAI = ID["organizacion/inai"]
CIDE = ID["organizacion/cide"]
METRICA_DATASET = ID["dataset/metrica-gobierno-abierto-2017"]
COCREATION_PROGRAMME = ID["programa/cocreacion-desde-lo-local"]
TRIPARTITE_SECRETARIAT = ID["organizacion/secretariado-tecnico-tripartita"]

#: Métrica rows whose bodies are described (typed, labelled, located) in another data file
METRICA_BODY_EXCEPTIONS: dict[str, URIRef] = {
    "Mexico-Toluca": ID["institucion/ayuntamiento-de-toluca"],
    "Mexico-Instituto Electoral": ID["institucion/instituto-electoral-del-estado-de-mexico"],
}

#: Métrica municipal rows whose name differs from INEGI's, each resolved with its evidence from the INEGI list:
#: source name -> (INEGI code, INEGI name, reason in Spanish, reason in English). The importer checks that the
#: code is a municipality of the row's state with that name; every other unmatched row stays unmatched.
METRICA_MUNICIPALITY_EVIDENCE: dict[str, tuple[str, str, str, str]] = {
    "Campeche-San Francisco de Campeche": (
        "04002",
        "Campeche",
        "San Francisco de Campeche no es un nombre de municipio en el INEGI; de los 13 municipios de Campeche, el "
        "único cuyo nombre aparece en el de la fila es Campeche (04002), y la fila es de tipo «Municipio».",
        "San Francisco de Campeche is not an INEGI municipality name; of Campeche's 13 municipalities, the only one "
        "whose name appears in the row's name is Campeche (04002), and the row's type is 'Municipio'.",
    ),
    "Michoacan-Zinapacuaro": (
        "16110",
        "Zinapécuaro",
        "«Zinapacuaro» difiere en una sola letra de Zinapécuaro (16110, sin acentos «Zinapecuaro»); el otro nombre "
        "parecido del estado, Zináparo (16109), difiere en tres. La fila es de tipo «Municipio».",
        "'Zinapacuaro' differs by one letter from Zinapécuaro (16110, 'Zinapecuaro' without accents); the other "
        "similar name in the state, Zináparo (16109), differs by three. The row's type is 'Municipio'.",
    ),
    "Oaxaca-Oaxaca": (
        "20067",
        "Oaxaca de Juárez",
        "Ningún municipio de Oaxaca se llama solo «Oaxaca»; Oaxaca de Juárez (20067) es el único de los 570 cuyo "
        "nombre empieza por «Oaxaca». La fila es de tipo «Municipio».",
        "No municipality of Oaxaca is called just 'Oaxaca'; Oaxaca de Juárez (20067) is the only one of the 570 "
        "whose name starts with 'Oaxaca'. The row's type is 'Municipio'.",
    ),
    "Quintana Roo-Othon": (
        "23004",
        "Othón P. Blanco",
        "Othón P. Blanco (23004) es el único municipio de Quintana Roo cuyo nombre contiene «Othón»; la fila lo "
        "abrevia sin acento. La fila es de tipo «Municipio».",
        "Othón P. Blanco (23004) is the only municipality of Quintana Roo whose name contains 'Othón'; the row "
        "shortens it without the accent. The row's type is 'Municipio'.",
    ),
    "Tamaulipas-Xicotancatl": (
        "28043",
        "Xicoténcatl",
        "«Xicotancatl» difiere en una sola letra de Xicoténcatl (28043), el único nombre parecido del estado. La "
        "fila es de tipo «Municipio».",
        "'Xicotancatl' differs by one letter from Xicoténcatl (28043), the only similar name in the state. The "
        "row's type is 'Municipio'.",
    ),
    "Yucatan-Tiziman": (
        "31096",
        "Tizimín",
        "«Tiziman» difiere en una sola letra de Tizimín (31096), el único nombre parecido del estado. La fila es "
        "de tipo «Municipio».",
        "'Tiziman' differs by one letter from Tizimín (31096), the only similar name in the state. The row's type "
        "is 'Municipio'.",
    ),
}

#: the body the 'Federal' average of prom.csv is over: the federal obligated subjects of the Métrica
FEDERAL_BODIES = ID["grupo/sujetos-obligados-federales-metrica-2017"]

#: English names of the states that have one (others keep their Spanish name)
STATE_NAMES_EN: dict[str, str] = {"15": "State of Mexico", "09": "Mexico City"}

#: the Métrica's spelling of a state, once folded and stripped of spaces, when it differs from INEGI's
METRICA_STATE_ALIASES: dict[str, str] = {"mexico": "15"}

#: Métrica score columns and the properties they map to
METRICA_SCORES: tuple[tuple[str, URIRef], ...] = (
    ("GA", GA.openGovernmentIndex),
    ("P", GA.participationIndex),
    ("T", GA.transparencyIndex),
    ("TG", GA.transparencyGovernmentView),
    ("TC", GA.transparencyCitizenView),
    ("PG", GA.participationGovernmentView),
    ("PC", GA.participationCitizenView),
)

NATIONAL_PLANS: dict[str, tuple[URIRef, str, str]] = {
    # the source row names the expanded plan ("Plan de Acción Ampliado"), which the graph has as its own entity
    "mx_ap1_commitments": (
        ID["proceso/plan-de-accion-ampliado"],
        "Plan de Acción Ampliado (PAA) del Primer Plan de Acción Nacional",
        "Expanded Action Plan (PAA) of the First National Action Plan",
    ),
    "mx_ap2_commitments": (
        ID["plan/segundo-plan-accion-nacional"],
        "Segundo Plan de Acción Nacional",
        "Second National Action Plan",
    ),
    "mx_ap3_commitments": (
        ID["plan/tercer-plan-accion-nacional"],
        "Tercer Plan de Acción Nacional",
        "Third National Action Plan",
    ),
    "mx_ap4_commitments": (
        ID["plan/cuarto-plan-accion-nacional"],
        "Cuarto Plan de Acción Nacional",
        "Fourth National Action Plan",
    ),
}

#: the members of the Secretariado Técnico Tripartita as the OGP row states them, and in Spanish
STT_MEMBERS_EN = "government (SFP) + civil society (Fundar / Núcleo de Sociedad Civil) + IFAI/INAI"
STT_MEMBERS_ES = "gobierno (SFP), sociedad civil (Fundar / Núcleo de Sociedad Civil) e IFAI/INAI"

#: OGP rows already present in the presentation data
OGP_SKIPPED_FACTS: frozenset[str] = frozenset({"ogp_launch"})


@dataclass(frozen=True)
class _Count:
    """A figure of a programme's yearly summary: the property, its labels and where the row states it."""

    prop: URIRef
    label_es: str
    label_en: str
    suffix: str
    value: int | None = None
    #: text that must occur in the row's note when the figure comes from the note (checked at import)
    phrase: str | None = None


#: the counts of each yearly summary of Cocreación desde lo local; ``value=None`` means the row's value
PROGRAMME_YEARS: dict[str, tuple[str, tuple[_Count, ...]]] = {
    "inai_local_2017": (
        "2017",
        (
            _Count(GA.participatingStates, "entidades participantes", "participating states", "states"),
            _Count(GA.installedSecretariats, "STL instalados", "STLs installed", "stl", 16, "16 STL installed"),
            _Count(
                GA.publishedLocalPlans,
                "planes de acción locales publicados",
                "local plans published",
                "pal",
                10,
                "10 PAL published",
            ),
            _Count(
                GA.localPlanCommitments,
                "compromisos de los planes locales",
                "local-plan commitments",
                "commitments",
                62,
                "62 commitments",
            ),
        ),
    ),
    "inai_local_2018": (
        "2018",
        (
            _Count(GA.participatingStates, "entidades participantes", "participating states", "states"),
            _Count(
                GA.participatingAuthorities,
                "autoridades participantes",
                "participating authorities",
                "authorities",
                80,
                "80 authorities",
            ),
            _Count(GA.installedSecretariats, "STL instalados", "STLs installed", "stl", 18, "18 STL installed"),
            _Count(
                GA.publishedLocalPlans,
                "planes de acción locales publicados",
                "local plans published",
                "pal",
                12,
                "12 PAL published",
            ),
        ),
    ),
}

_C1_CONTROLS = re.compile("[\x80-\x9f]")
_UTF8_TAIL_PAIR = re.compile("[\x80-\xbf]{2}")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_INTEGER = re.compile(r"^\d+$")
_QID = re.compile(r"^Q\d+$")
_INEGI_IN_KIND = re.compile(r"INEGI (\d{2})")
_GITHUB_SOURCE = re.compile(r"^github:([\w.-]+/[\w.-]+)$")
_PATH_AT_COMMIT = re.compile(r"^(\S+?)@([0-9a-f]{40})")


# ---------------------------------------------------------------- text helpers


def repair_text(text: str) -> str:
    """Repair a cell of a CSV read as latin-1 whose bytes are partly UTF-8 or partly lost.

    * a cell whose bytes are valid UTF-8 is decoded as UTF-8 (``S\\xc3\\xa1nchez`` -> ``Sánchez``);
    * otherwise latin-1 stands (``Peque\\xf1a`` -> ``Pequeña``), except that two UTF-8 continuation bytes
      that form a character once the lost lead byte ``\\xe2`` is restored become that character
      (``\\x80\\x94`` -> an em dash);
    * remaining C1 control characters, remnants of accents stripped by the file's author, are dropped
      (``Villa de a\\x81lvarez`` -> ``Villa de alvarez``, ``Parai\\x8cso`` -> ``Paraiso``).

    >>> repair_text("Parai\\x8cso")
    'Paraiso'
    >>> repair_text("Conacyt \\x80\\x94 Gobierno")
    'Conacyt — Gobierno'
    """
    raw = text.encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass

    def _restore(match: re.Match[str]) -> str:
        try:
            return (b"\xe2" + match.group(0).encode("latin-1")).decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)

    return _C1_CONTROLS.sub("", _UTF8_TAIL_PAIR.sub(_restore, text))


def fold(text: str) -> str:
    """Matching key of a name: accents folded, lower case, runs of spaces collapsed.

    >>> fold("  Nezahualcóyotl ")
    'nezahualcoyotl'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.lower().split())


def _tidy(text: str) -> str:
    """Collapse runs of white space, for display labels."""
    return " ".join(text.split())


def _decimal(value: str, where: str) -> Literal:
    """An ``xsd:decimal`` literal keeping the file's digits; raise on anything that is not a decimal."""
    if not _DECIMAL.match(value):
        raise ValueError(f"{where}: {value!r} is not a decimal number")
    return Literal(value, datatype=XSD.decimal)


def _integer(value: str | int, where: str) -> Literal:
    """An ``xsd:integer`` literal; raise on anything that is not a non-negative integer."""
    text = str(value).strip()
    if not _INTEGER.match(text):
        raise ValueError(f"{where}: {value!r} is not an integer")
    return Literal(text, datatype=XSD.integer)


def _labels(graph: Graph, node: URIRef, label_es: str, label_en: str) -> None:
    """Add the Spanish and English ``rdfs:label`` of a node."""
    graph.add((node, RDFS.label, Literal(label_es, lang="es")))
    graph.add((node, RDFS.label, Literal(label_en, lang="en")))


def _read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    """Rows of a CSV file with a header line."""
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _new_graph() -> Graph:
    """An empty graph with the project's prefixes and no others."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _reify(
    graph: Graph,
    fact: URIRef,
    triple: tuple[URIRef, URIRef, URIRef | Literal],
    source: URIRef,
    note: str,
    labels: tuple[str, str],
    licence: URIRef | None = None,
) -> None:
    """Assert ``triple`` and describe it as the citable ``rdf:Statement`` ``fact`` with its source."""
    subject, predicate, obj = triple
    graph.add(triple)
    graph.add((fact, RDF.type, RDF.Statement))
    graph.add((fact, RDF.subject, subject))
    graph.add((fact, RDF.predicate, predicate))
    graph.add((fact, RDF.object, obj))
    graph.add((fact, DCTERMS.source, source))
    graph.add((fact, SKOS.note, Literal(note, lang="en")))
    if licence is not None:
        graph.add((fact, DCTERMS.license, licence))
    _labels(graph, fact, f"Hecho con fuente: {labels[0]}", f"Sourced fact: {labels[1]}")


def _write_turtle(graph: Graph, path: Path, header: Sequence[str]) -> int:
    """Write ``graph`` as Turtle under a ``#`` comment header; return the number of triples."""
    for subject in graph.subjects():
        if not isinstance(subject, URIRef):
            raise ValueError(f"{path.name}: non-IRI subject {subject!r}")
    body = graph.serialize(format="turtle")
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header)
    path.write_text(comment + "\n" + body, encoding="utf-8", newline="\n")
    return len(graph)


# ---------------------------------------------------------------- places


@dataclass(frozen=True)
class State:
    """A Mexican state (entidad federativa) as INEGI names it."""

    code: str
    name_es: str
    name_en: str

    @property
    def iri(self) -> URIRef:
        """``id:entidad/<slug of the INEGI name>``."""
        return ID[f"entidad/{slugify(self.name_es)}"]


@dataclass(frozen=True)
class Municipality:
    """A Mexican municipality with its 5-digit INEGI code."""

    code: str
    name: str
    state_code: str

    @property
    def iri(self) -> URIRef:
        """``id:municipio/<cve_geo>``."""
        return ID[f"municipio/{self.code}"]


@dataclass
class _Gazetteer:
    """INEGI states and municipalities, with the lookups the Métrica needs."""

    states: dict[str, State]
    municipalities: dict[str, Municipality]
    by_name: dict[tuple[str, str], list[Municipality]] = field(default_factory=dict)

    def state_for_metrica(self, edo: str) -> State:
        """The state a Métrica ``edo`` value names (spaces ignored: the file writes ``NuevoLeon``)."""
        key = fold(edo).replace(" ", "")
        code = METRICA_STATE_ALIASES.get(key)
        if code is None:
            matches = [s.code for s in self.states.values() if fold(s.name_es).replace(" ", "") == key]
            if len(matches) != 1:
                raise ValueError(f"{METRICA_FILE}: state {edo!r} matches no INEGI state")
            code = matches[0]
        return self.states[code]

    def resolve(self, state: State, source_name: str) -> Municipality:
        """The municipality ``METRICA_MUNICIPALITY_EVIDENCE`` gives for a row, checked against the INEGI list."""
        code, name, _, _ = METRICA_MUNICIPALITY_EVIDENCE[source_name]
        found = self.municipalities.get(code)
        if found is None or found.state_code != state.code or found.name != name:
            raise ValueError(f"{INEGI_FILE}: {code} is not {name!r} of {state.name_es} (evidence for {source_name!r})")
        return found

    def match(self, state: State, name: str) -> Municipality | None:
        """The only municipality of ``state`` whose folded name equals the folded ``name``, if any."""
        found = self.by_name.get((state.code, fold(name)), [])
        return found[0] if len(found) == 1 else None


def _load_gazetteer(src_dir: Path) -> _Gazetteer:
    """Read the INEGI file; check the Estado de México extract against it."""
    states: dict[str, State] = {}
    municipalities: dict[str, Municipality] = {}
    by_name: dict[tuple[str, str], list[Municipality]] = {}
    for row in _read_csv(src_dir / INEGI_FILE):
        code, state_code = row["cve_geo"].strip(), row["cve_ent"].strip()
        if not (len(code) == 5 and code.isdigit() and code.startswith(state_code) and len(state_code) == 2):
            raise ValueError(f"{INEGI_FILE}: bad codes {code!r}/{state_code!r}")
        state_name = row["nombre_estado"].strip()
        states.setdefault(state_code, State(state_code, state_name, STATE_NAMES_EN.get(state_code, state_name)))
        municipality = Municipality(code, row["nombre_municipio"].strip(), state_code)
        municipalities[code] = municipality
        by_name.setdefault((state_code, fold(municipality.name)), []).append(municipality)
    if len(states) != 32:
        raise ValueError(f"{INEGI_FILE}: expected 32 states, found {len(states)}")
    edomex_extract = {row["cve_geo"] for row in _read_csv(src_dir / EDOMEX_FILE)}
    if edomex_extract != {code for code, m in municipalities.items() if m.state_code == "15"}:
        raise ValueError(f"{EDOMEX_FILE} disagrees with {INEGI_FILE}")
    return _Gazetteer(states, municipalities, by_name)


@dataclass(frozen=True)
class _WikidataRow:
    """One confirmed Wikidata identifier with the IRI it applies to and its source."""

    node: URIRef
    kind: str
    label_es: str
    label_en: str
    qid: str
    source: URIRef
    note: str
    licence: URIRef | None


def _source_url(source: str, detail: str) -> URIRef:
    """A dereferenceable URL for a ``source``/``source_detail`` pair of the Wikidata file."""
    github = _GITHUB_SOURCE.match(source)
    if github:
        at_commit = _PATH_AT_COMMIT.match(detail)
        if at_commit:
            return URIRef(f"https://github.com/{github[1]}/blob/{at_commit[2]}/{at_commit[1]}")
        path = detail.split(" ")[0]
        return URIRef(f"https://github.com/{github[1]}/blob/HEAD/{path}")
    if source.startswith(("http://", "https://")):
        return URIRef(source)
    raise ValueError(f"{WIKIDATA_FILE}: unusable source {source!r}")


def _wikidata_rows(src_dir: Path, gazetteer: _Gazetteer) -> list[_WikidataRow]:
    """The Wikidata rows that apply to countries, states and the OECD (SDG rows are in the UN file)."""
    result: list[_WikidataRow] = []
    for row in _read_csv(src_dir / WIKIDATA_FILE):
        kind, qid = row["kind"].strip(), row["qid"].strip()
        if not _QID.match(qid):
            raise ValueError(f"{WIKIDATA_FILE}: bad QID {qid!r}")
        if kind.startswith("SDG"):
            continue
        if kind == "country":
            node = ID[f"pais/{slugify(row['label_es'])}"]
        elif kind.startswith("state"):
            inegi = _INEGI_IN_KIND.search(kind)
            if inegi is None or inegi[1] not in gazetteer.states:
                raise ValueError(f"{WIKIDATA_FILE}: state row without a known INEGI code: {kind!r}")
            node = gazetteer.states[inegi[1]].iri
        elif row["label_es"].strip() == "OCDE":
            node = OECD
        else:
            raise ValueError(f"{WIKIDATA_FILE}: unexpected row {row!r}")
        licence_text = row["source_license"].strip()
        label_en, source, detail = (
            row["label_en"].strip(),
            row["source"].strip(),
            row["source_detail"].strip(),
        )
        note = (
            f"Wikidata identifier {qid} for {label_en}, confirmed from {source}, {detail}; "
            f"licence stated: {licence_text}."
        )
        result.append(
            _WikidataRow(
                node=node,
                kind=kind,
                label_es=row["label_es"].strip(),
                label_en=label_en,
                qid=qid,
                source=_source_url(source, detail),
                note=note,
                licence=LICENCE_URLS.get(licence_text),
            )
        )
    return result


def _build_places(gazetteer: _Gazetteer, wikidata: Iterable[_WikidataRow], measured: Iterable[Municipality]) -> Graph:
    """Countries, states, the Estado de México's municipalities and the measured ones, and sameAs links."""
    graph = _new_graph()
    for row in wikidata:
        if row.kind == "country":
            graph.add((row.node, RDF.type, GA.Country))
            _labels(graph, row.node, row.label_es, row.label_en)
        segment = str(row.node).removeprefix(str(ID)).replace("/", "-")
        _reify(
            graph,
            ID[f"hecho/wikidata-{segment}"],
            (row.node, OWL.sameAs, WD[row.qid]),
            row.source,
            row.note,
            (f"{row.label_es} en Wikidata ({row.qid})", f"{row.label_en} in Wikidata ({row.qid})"),
            row.licence,
        )
    for state in gazetteer.states.values():
        graph.add((state.iri, RDF.type, GA.FederalEntity))
        _labels(graph, state.iri, state.name_es, state.name_en)
        graph.add((state.iri, GA.inegiCode, Literal(state.code)))
        graph.add((state.iri, SCHEMA.containedInPlace, MEXICO))
        graph.add((state.iri, DCTERMS.source, INEGI_URL))
    edomex = [m for m in gazetteer.municipalities.values() if m.state_code == "15"]
    for municipality in [*edomex, *measured]:
        graph.add((municipality.iri, RDF.type, GA.Municipality))
        _labels(graph, municipality.iri, municipality.name, municipality.name)
        graph.add((municipality.iri, GA.inegiCode, Literal(municipality.code)))
        graph.add((municipality.iri, SCHEMA.containedInPlace, gazetteer.states[municipality.state_code].iri))
        graph.add((municipality.iri, DCTERMS.source, INEGI_URL))
    return graph


# ---------------------------------------------------------------- Métrica de Gobierno Abierto 2017


@dataclass(frozen=True)
class _MetricaRow:
    """One measured body of the Métrica, with its names repaired and its places resolved."""

    source_name: str
    name: str
    level: str
    body_type: str
    state: State | None
    municipality: Municipality | None
    scores: dict[str, str]

    @property
    def slug(self) -> str:
        """Slug of the body name as in the file."""
        return slugify(self.source_name)

    def readable(self, lang: str) -> str:
        """``Name (State)``, or ``Name (ámbito federal)`` for federal bodies."""
        name = self.municipality.name if self.municipality else _tidy(self.name)
        if self.state is None:
            return f"{name} ({'ámbito federal' if lang == 'es' else 'federal level'})"
        return f"{name} ({self.state.name_es if lang == 'es' else self.state.name_en})"


def _metrica_rows(src_dir: Path, gazetteer: _Gazetteer) -> tuple[list[_MetricaRow], list[str]]:
    """Rows of ``BSO.csv`` and the municipal names that match no INEGI municipality."""
    rows: list[_MetricaRow] = []
    unmatched: list[str] = []
    for raw in _read_csv(src_dir / METRICA_FILE, encoding="latin-1"):
        cells = {key: repair_text(value).strip() for key, value in raw.items()}
        source_name, edo, level = cells["SO"], cells["edo"], cells["niv"]
        state: State | None = None
        name = source_name
        if edo != "Federal":
            state = gazetteer.state_for_metrica(edo)
            if not source_name.startswith(edo + "-"):
                raise ValueError(f"{METRICA_FILE}: {source_name!r} does not start with {edo!r}")
            name = source_name[len(edo) + 1 :]
        municipality: Municipality | None = None
        if level == "Municipal" and state is not None:
            municipality = gazetteer.match(state, name)
            if municipality is None and source_name in METRICA_MUNICIPALITY_EVIDENCE:
                municipality = gazetteer.resolve(state, source_name)
            if municipality is None:
                unmatched.append(source_name)
        scores = {column: cells[column] for column, _ in METRICA_SCORES}
        rows.append(_MetricaRow(source_name, name, level, cells["ts"], state, municipality, scores))
    slugs = [row.slug for row in rows]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"{METRICA_FILE}: two bodies share a slug")
    return rows, sorted(unmatched)


def _add_scores(graph: Graph, observation: URIRef, scores: dict[str, str], where: str) -> None:
    """Add the seven Métrica scores of an observation as ``xsd:decimal`` literals."""
    for column, prop in METRICA_SCORES:
        graph.add((observation, prop, _decimal(scores[column], f"{where} {column}")))


def _build_metrica(src_dir: Path, gazetteer: _Gazetteer, rows: Sequence[_MetricaRow]) -> Graph:
    """The Métrica 2017 data set: one observation per body and one per state average."""
    graph = _new_graph()
    dataset = METRICA_DATASET
    graph.add((dataset, RDF.type, QB.DataSet))
    _labels(graph, dataset, "Métrica de Gobierno Abierto 2017", "Open Government Metric 2017")
    graph.add((dataset, DCTERMS.publisher, INAI))
    graph.add((dataset, DCTERMS.publisher, CIDE))
    graph.add((dataset, DCTERMS.source, METRICA_URL))
    graph.add((dataset, DCTERMS.source, METRICA_AVERAGES_URL))
    graph.add((dataset, DCTERMS.bibliographicCitation, Literal(METRICA_CITATION)))
    graph.add((dataset, DCTERMS.issued, Literal("2017", datatype=XSD.gYear)))

    for row in rows:
        observation = ID[f"metrica-2017/{row.slug}"]
        body = METRICA_BODY_EXCEPTIONS.get(row.source_name)
        if body is None:
            body = ID[f"sujeto-obligado/{row.slug}"]
            graph.add((body, RDF.type, GA.ObligatedSubject))
            _labels(graph, body, row.readable("es"), row.readable("en"))
            graph.add((body, GA.jurisdiction, row.state.iri if row.state else MEXICO))
            if row.municipality is not None:
                graph.add((body, GA.jurisdiction, row.municipality.iri))
            if row.source_name in METRICA_MUNICIPALITY_EVIDENCE:
                _, _, reason_es, reason_en = METRICA_MUNICIPALITY_EVIDENCE[row.source_name]
                graph.add((body, SKOS.editorialNote, Literal(reason_es, lang="es")))
                graph.add((body, SKOS.editorialNote, Literal(reason_en, lang="en")))
            if row.state is None:
                graph.add((FEDERAL_BODIES, GA.groupMember, body))
        graph.add((observation, RDF.type, GA.MetricaObservation))
        graph.add((observation, QB.dataSet, dataset))
        graph.add((observation, GA.measuredBody, body))
        _labels(
            graph,
            observation,
            f"Métrica 2017: {row.readable('es')}",
            f"Open Government Metric 2017: {row.readable('en')}",
        )
        graph.add((observation, GA.sourceName, Literal(row.source_name)))
        graph.add((observation, GA.governmentLevel, Literal(row.level)))
        graph.add((observation, GA.bodyType, Literal(row.body_type)))
        _add_scores(graph, observation, row.scores, f"{METRICA_FILE} {row.source_name!r}")

    for average in _read_csv(src_dir / METRICA_AVERAGES_FILE):
        edo = average["estado"].strip()
        if edo == "Federal":
            observation = ID["metrica-2017/promedio-federal"]
            measured: URIRef = FEDERAL_BODIES
            label_es = "Métrica 2017: promedio de los sujetos obligados federales"
            label_en = "Open Government Metric 2017: average of the federal obligated subjects"
            federal = [row for row in rows if row.state is None]
            _check_federal_average(federal, average)
            graph.add((FEDERAL_BODIES, RDF.type, GA.ObligatedSubjectGroup))
            _labels(
                graph,
                FEDERAL_BODIES,
                f"Sujetos obligados federales de la Métrica 2017 ({len(federal)})",
                f"Federal obligated subjects of the 2017 Open Government Metric ({len(federal)})",
            )
            graph.add((FEDERAL_BODIES, GA.governmentLevel, Literal("Federal")))
            graph.add(
                (
                    FEDERAL_BODIES,
                    SKOS.note,
                    Literal(
                        f"El promedio «Federal» de prom.csv es la media de los {len(federal)} sujetos obligados "
                        "federales de BSO.csv (comprobado al importar), no un puntaje de México como país.",
                        lang="es",
                    ),
                )
            )
            graph.add(
                (
                    FEDERAL_BODIES,
                    SKOS.note,
                    Literal(
                        f"The 'Federal' average in prom.csv is the mean of the {len(federal)} federal obligated "
                        "subjects in BSO.csv (checked on import), not a score of Mexico as a country.",
                        lang="en",
                    ),
                )
            )
        else:
            state = gazetteer.state_for_metrica(edo)
            observation = ID[f"metrica-2017/promedio-{slugify(state.name_es)}"]
            measured = state.iri
            label_es = f"Métrica 2017: promedio de {state.name_es}"
            label_en = f"Open Government Metric 2017: {state.name_en} average"
        graph.add((observation, RDF.type, GA.MetricaObservation))
        graph.add((observation, QB.dataSet, dataset))
        graph.add((observation, GA.measuredBody, measured))
        graph.add((observation, DCTERMS.source, METRICA_AVERAGES_URL))
        graph.add((observation, GA.sourceName, Literal(edo)))
        _labels(graph, observation, label_es, label_en)
        _add_scores(graph, observation, average, f"{METRICA_AVERAGES_FILE} {edo!r}")
    return graph


def _check_federal_average(federal: Sequence[_MetricaRow], average: dict[str, str]) -> None:
    """The 'Federal' row of prom.csv must be the mean of the federal rows of BSO.csv, score by score."""
    for column, _ in METRICA_SCORES:
        mean = sum(float(row.scores[column]) for row in federal) / len(federal)
        if abs(mean - float(average[column])) > 1e-6:
            raise ValueError(f"{METRICA_AVERAGES_FILE}: 'Federal' {column} is not the mean of the federal bodies")


# ---------------------------------------------------------------- OGP facts


def _fact_note(row: dict[str, str]) -> str:
    """The source row restated for ``skos:note``: subject, property, value, date and the compiler's note."""
    subject, prop, value, as_of = (row[key].strip() for key in ("subject", "property", "value", "as_of"))
    note = f"{subject}: {prop} = {value} (as of {as_of})."
    extra = row["note"].strip()
    return f"{note} {extra}" if extra else note


def _build_ogp(src_dir: Path, metrica_rows: int) -> Graph:
    """Sourced facts about Mexico in the Open Government Partnership and INAI's local programme."""
    graph = _new_graph()
    for row in _read_csv(src_dir / OGP_FILE):
        fact_id = row["fact_id"].strip()
        source = URIRef(row["source_url"].strip())
        note = _fact_note(row)
        fact = ID[f"hecho/{slugify(fact_id)}"]
        value = row["value"].strip()
        if fact_id in OGP_SKIPPED_FACTS:
            continue
        if fact_id in NATIONAL_PLANS:
            plan, name_es, name_en = NATIONAL_PLANS[fact_id]
            _reify(
                graph,
                fact,
                (plan, GA.numberOfCommitments, _integer(value, fact_id)),
                source,
                note,
                (
                    f"{name_es}, número de compromisos = {value}",
                    f"{name_en}, number of commitments = {value}",
                ),
            )
        elif fact_id == "mx_stt_members":
            _add_tripartite_secretariat(graph, fact, source, note, value)
        elif fact_id == "inai_local_launch":
            _reify(
                graph,
                fact,
                (COCREATION_PROGRAMME, GA.startYear, Literal(value, datatype=XSD.gYear)),
                source,
                note,
                (
                    f"Cocreación desde lo local, año de inicio = {value}",
                    f"Co-creation from the local level, start year = {value}",
                ),
            )
        elif fact_id in PROGRAMME_YEARS:
            _add_programme_year(graph, fact_id, row, source, note)
        elif fact_id == "metrica_ga_2017":
            if int(value) != metrica_rows:
                raise ValueError(f"{OGP_FILE}: {value} bodies measured, but {METRICA_FILE} has {metrica_rows}")
            _reify(
                graph,
                fact,
                (METRICA_DATASET, GA.numberOfMeasuredBodies, _integer(value, fact_id)),
                source,
                note,
                (
                    f"Métrica de Gobierno Abierto 2017, sujetos obligados medidos = {value}",
                    f"Open Government Metric 2017, obligated subjects measured = {value}",
                ),
            )
        else:
            raise ValueError(f"{OGP_FILE}: no rule for fact {fact_id!r}")
    return graph


def _add_tripartite_secretariat(graph: Graph, fact: URIRef, source: URIRef, note: str, members: str) -> None:
    """The Secretariado Técnico Tripartita, its sourced description and its members as text."""
    node = TRIPARTITE_SECRETARIAT
    graph.add((node, RDF.type, ORG.Organization))
    _labels(graph, node, "Secretariado Técnico Tripartita", "Tripartite Technical Secretariat")
    graph.add((node, DCTERMS.source, source))
    description_es = (
        "Instancia de México en la Alianza para el Gobierno Abierto que reúne al gobierno (SFP), "
        "a la sociedad civil (Fundar / Núcleo de Sociedad Civil) y al órgano garante (IFAI, hoy INAI)."
    )
    description_en = (
        "Mexico's body in the Open Government Partnership bringing together the government (SFP), "
        "civil society (Fundar / Núcleo de Sociedad Civil) and the guarantor body (IFAI, now INAI)."
    )
    for lang, text in (("es", description_es), ("en", description_en)):
        _reify(
            graph,
            ID[f"{str(fact).removeprefix(str(ID))}-{lang}"],
            (node, DCTERMS.description, Literal(text, lang=lang)),
            source,
            note,
            (
                f"descripción del Secretariado Técnico Tripartita ({lang})",
                f"description of the Tripartite Technical Secretariat ({lang})",
            ),
        )
    if members != STT_MEMBERS_EN:
        raise ValueError(f"{OGP_FILE}: members of the Secretariado Técnico Tripartita changed: {members!r}")
    graph.add((node, RDFS.comment, Literal(f"Integrantes: {STT_MEMBERS_ES}.", lang="es")))
    graph.add((node, RDFS.comment, Literal(f"Members: {members}.", lang="en")))


def _add_programme_year(graph: Graph, fact_id: str, row: dict[str, str], source: URIRef, note: str) -> None:
    """A yearly summary of Cocreación desde lo local with each count as a sourced statement."""
    year, counts = PROGRAMME_YEARS[fact_id]
    summary = ID[f"programa/cocreacion-desde-lo-local/balance-{year}"]
    graph.add((summary, RDF.type, GA.ProgrammeAnnualSummary))
    _labels(
        graph,
        summary,
        f"Cocreación desde lo local: balance {year}",
        f"Co-creation from the local level: {year} summary",
    )
    graph.add((summary, GA.programme, COCREATION_PROGRAMME))
    graph.add((summary, GA.year, Literal(year, datatype=XSD.gYear)))
    for count in counts:
        if count.value is None:
            value = row["value"].strip()
            fact = ID[f"hecho/{slugify(fact_id)}"]
        else:
            if count.phrase is None or count.phrase not in row["note"]:
                raise ValueError(f"{OGP_FILE}: {fact_id} note no longer says {count.phrase!r}")
            value = str(count.value)
            fact = ID[f"hecho/{slugify(fact_id)}-{count.suffix}"]
        _reify(
            graph,
            fact,
            (summary, count.prop, _integer(value, fact_id)),
            source,
            note,
            (
                f"Cocreación desde lo local {year}, {count.label_es} = {value}",
                f"Co-creation from the local level {year}, {count.label_en} = {value}",
            ),
        )


# ---------------------------------------------------------------- OGP commitments and the IRM (issue 17)

#: the national plans of data/presentacion/planes-nacionales.ttl by start year: IRI, end year as the presentation
#: gives it, short names (es, en). A commitment's plan is matched by the start year of the period its page prints.
PRESENTATION_PLANS: dict[str, tuple[URIRef, str, str, str]] = {
    "2011": (
        ID["plan/primer-plan-accion-nacional"],
        "2013",
        "Primer Plan de Acción Nacional",
        "First National Action Plan",
    ),
    "2013": (
        ID["plan/segundo-plan-accion-nacional"],
        "2015",
        "Segundo Plan de Acción Nacional",
        "Second National Action Plan",
    ),
    "2016": (
        ID["plan/tercer-plan-accion-nacional"],
        "2018",
        "Tercer Plan de Acción Nacional",
        "Third National Action Plan",
    ),
    "2019": (ID["plan/cuarto-plan-accion-nacional"], "2021", "Cuarto Plan de Acción", "Fourth Action Plan"),
}

#: plan names a row's note cites from another page of its own: (row id, page, name as printed), checked against the
#: note («A French snapshot (<page>) names the plan '<name>'»)
NOTED_PLAN_NAMES: tuple[tuple[str, str, str], ...] = (
    (
        "MX0075",
        "https://www.opengovpartnership.org/fr/members/mexico/commitments/MX0075/",
        "Plan d'action du Mexique 2019-2021",
    ),
)


@dataclass(frozen=True)
class _Printed:
    """What a printed IRM value means: the concept of its scale (``None``: shown, but not a value of the scale, such
    as 'Pending IRM Review') and the language of the page that prints it (``None``: the same in Spanish and
    English, such as 'No')."""

    value: URIRef | bool | None
    lang: str | None


#: every printed value of each IRM column and its meaning; a value not listed stops the import
IRM_TABLES: dict[str, dict[str, _Printed]] = {
    "irm_early_results": {
        "No early results to report yet": _Printed(GA["earlyResults-none"], "en"),
        "Marginal": _Printed(GA["earlyResults-marginal"], None),
        "Major": _Printed(GA["earlyResults-major"], "en"),
        "importante Clasificacion Mayor": _Printed(GA["earlyResults-major"], "es"),  # machine translation of "Major"
        "Outstanding": _Printed(GA["earlyResults-outstanding"], "en"),
        "Pending IRM Review": _Printed(None, "en"),
    },
    # the column is named potential impact, but every page prints these values under "Ambition" / "Ambición"
    "irm_potential_impact": {
        "Low": _Printed(GA["ambition-low"], "en"),
        "High": _Printed(GA["ambition-high"], "en"),
        "Alto": _Printed(GA["ambition-high"], "es"),
    },
    "irm_verifiable": {
        "Yes": _Printed(GA["verifiable-yes"], "en"),
        "Sí": _Printed(GA["verifiable-yes"], "es"),
        "No": _Printed(GA["verifiable-no"], None),
    },
    "irm_relevance": {
        "Yes": _Printed(GA["relevance-yes"], "en"),
        "Sí": _Printed(GA["relevance-yes"], "es"),
    },
    "irm_completion": {"Pending IRM Review": _Printed(None, "en")},
    "irm_starred": {"No": _Printed(False, None), "Pending IRM Review": _Printed(None, "en")},
}

#: the OGP values an older page prints as its relevance ("Access to Information , Technology")
OGP_VALUES: dict[str, URIRef] = {
    "Access to Information": GA["ogpValue-access-to-information"],
    "Civic Participation": GA["ogpValue-civic-participation"],
    "Technology": GA["ogpValue-technology"],
}

#: IRM column -> (property of the scale value, property of the printed value)
IRM_PROPERTIES: dict[str, tuple[URIRef | None, URIRef]] = {
    "irm_verifiable": (GA.verifiable, GA.verifiableAsPrinted),
    "irm_relevance": (GA.relevance, GA.relevanceAsPrinted),
    "irm_potential_impact": (GA.ambition, GA.ambitionAsPrinted),
    "irm_completion": (None, GA.completionAsPrinted),
    "irm_early_results": (GA.earlyResults, GA.earlyResultsAsPrinted),
    "irm_starred": (GA.starred, GA.starredAsPrinted),
}

#: the language of each printed status
OGP_STATUS_LANGS: dict[str, str] = {"Active": "en", "Inactive": "en", "Activo": "es"}


@dataclass(frozen=True)
class _Body:
    """An institution a source names: ``path`` is its IRI under ``id/``; ``name`` is ``None`` for an entity the
    project's data already describes (reused, not described again)."""

    path: str
    name: str | None = None
    acronym: str | None = None
    #: other names the sources print for the same body (skos:altLabel)
    also_printed: tuple[str, ...] = ()

    @property
    def iri(self) -> URIRef:
        return ID[self.path]


#: the bodies the commitment and local files name, by key; the same body printed two ways is one entry
BODIES: dict[str, _Body] = {
    # reused: described by the presentation data
    "inai": _Body("organizacion/inai"),
    "cide": _Body("organizacion/cide"),
    "infoem": _Body("institucion/infoem"),
    "ayuntamiento-tlalnepantla": _Body("institucion/ayuntamiento-de-tlalnepantla"),
    # named by the sources, as printed
    "pgr": _Body("organizacion/procuraduria-general-de-la-republica", "Procuraduría General de la República"),
    "segob": _Body("organizacion/secretaria-de-gobernacion", "Secretaría de Gobernación"),
    "articulo-19": _Body(
        "organizacion/articulo-19",
        "Campaña Global por la Libertad de Expresión A19, A.C. (Artículo 19 Oficina para México y Centroamérica)",
        also_printed=("Artículo 19",),
    ),
    "imco": _Body("organizacion/imco", "Instituto Mexicano para la Competitividad, A.C. (IMCO)", "IMCO"),
    "cidac": _Body("organizacion/cidac", "CIDAC"),
    "sfp": _Body("organizacion/sfp", "Secretaría de la Función Pública (SFP)", "SFP"),
    "gesoc": _Body(
        "organizacion/gesoc",
        "Gesoc, Agencia para el Desarrollo, A.C. (GESOC)",
        "GESOC",
        ("OC Agencia para el Desarrollo, A.C. (GESOC)",),
    ),
    "tm": _Body("organizacion/transparencia-mexicana", "Transparencia Mexicana, A.C. (TM)", "TM"),
    "fundar": _Body("organizacion/fundar", "FUNDAR, Centro de Análisis e Investigación, A.C. (FUNDAR)", "FUNDAR"),
    "sader": _Body("organizacion/sader", "Secretaría de Agricultura y Desarrollo Rural (SADER)", "SADER"),
    "conapesca": _Body("organizacion/conapesca", "Comisión Nacional de Acuacultura y Pesca (CONAPESCA)", "CONAPESCA"),
    "semarnat": _Body(
        "organizacion/semarnat", "Secretaría de Medio Ambiente y Recursos Naturales (SEMARNAT)", "SEMARNAT"
    ),
    "conagua": _Body(
        "organizacion/conagua",
        "Comisión Nacional del Agua (CONAGUA)",
        "CONAGUA",
        ("Comisión Nacional de Agua (CONAGUA)",),
    ),
    "causa-natura": _Body("organizacion/causa-natura", "Causa Natura, A.C."),
    "cedepesca": _Body(
        "organizacion/cedepesca", "Centro en Pro del Desarrollo de la Pesca Sustentable, A.C. (CeDePesca)", "CeDePesca"
    ),
    "proyecto-hambre": _Body("organizacion/el-proyecto-hambre", "El Proyecto Hambre, A.C. (The Hunger Project México)"),
    "salud": _Body("organizacion/secretaria-de-salud", "Secretaría de Salud (Salud)"),
    "ilsb": _Body(
        "organizacion/instituto-de-liderazgo-simone-de-beauvoir", "Instituto de Liderazgo Simone de Beauvoir, A.C."
    ),
    "gire": _Body("organizacion/gire", "Grupo de Información en Reproducción Elegida, A.C. (GIRE)", "GIRE"),
    "balance": _Body(
        "organizacion/balance-promocion-para-el-desarrollo-y-juventud",
        "Balance Promoción para el Desarrollo y Juventud, A.C.",
    ),
    "cdd": _Body("organizacion/cdd", "Católicas por el Derechos a Decidir, A.C. (CDD)", "CDD"),
    "conavim": _Body(
        "organizacion/conavim",
        "Comisión Nacional para Prevenir y Erradicar la Violencia contra las Mujeres (CONAVIM)",
        "CONAVIM",
    ),
    "unfpa": _Body("organizacion/unfpa", "Fondo de Población de las Naciones Unidas (UNFPA)", "UNFPA"),
    "inmujeres": _Body("organizacion/inmujeres", "Instituto Nacional de las Mujeres (INMUJERES)", "INMUJERES"),
    "onu-mujeres": _Body("organizacion/onu-mujeres", "ONU - MUJERES"),
    "red-jovenes-positivos": _Body(
        "organizacion/red-mexicana-jovenes-y-adolescentes-positivos", "Red Mexicana Jóvenes y Adolescentes Positivos"
    ),
    "sipinna": _Body(
        "organizacion/sipinna", "Sistema Nacional de Protección de Niñas, Niños y Adolescentes (SIPINNA)", "SIPINNA"
    ),
    "styps": _Body("organizacion/styps", "Secretaría de Trabajo y Previsión Social (STyPS)", "STyPS"),
    "conapred": _Body(
        "organizacion/conapred", "Consejo Nacional para Prevenir la Discriminación (CONAPRED)", "CONAPRED"
    ),
    "conafor": _Body("organizacion/conafor", "Comisión Nacional Forestal (CONAFOR)", "CONAFOR"),
    "asea": _Body("organizacion/asea", "Agencia de Seguridad, Energía y Ambiente (ASEA)", "ASEA"),
    "profepa": _Body("organizacion/profepa", "Procuraduría Federal de Protección al Ambiente (PROFEPA)", "PROFEPA"),
    "fceea": _Body(
        "organizacion/fondo-para-la-comunicacion-y-educacion-ambiental",
        "Fondo para la Comunicación y Educación Ambiental, A.C.",
    ),
    "reforestamos": _Body("organizacion/reforestamos-mexico", "Reforestamos México, A.C."),
    "cartocritica": _Body(
        "organizacion/cartocritica", "CartoCrítica. Investigación, mapas y datos para la sociedad civil, A.C."
    ),
    "sedena": _Body("organizacion/sedena", "Secretaría de la Defensa Nacional (SEDENA)", "SEDENA"),
    "aduanas": _Body(
        "organizacion/administracion-general-de-aduanas",
        "Administración General de Aduanas, Servicio de Administración Tributaria, Secretaría de Hacienda y Crédito "
        "Público (SAT - SHCP)",
    ),
    "onc": _Body(
        "organizacion/observatorio-nacional-ciudadano",
        "Observatorio Nacional Ciudadano Seguridad, Justicia y Legalidad A.C.",
    ),
    "cmdpdh": _Body(
        "organizacion/cmdpdh",
        "Comisión Mexicana de Defensa y Promoción de los Derechos Humanos, A.C. (CMDPDH)",
        "CMDPDH",
        ("Comisión Mexicana de Defensa y Promoción de Derechos Humanos A.C. (CMDPDH)",),
    ),
    "mexico-evalua": _Body(
        "organizacion/mexico-evalua", "México Evalúa, Centro de Análisis de Políticas Públicas A.C."
    ),
    "se": _Body("organizacion/secretaria-de-economia", "Secretaría de Economía (SE)", "SE"),
    "semar": _Body("organizacion/semar", "Secretaría de Marina (SEMAR)", "SEMAR"),
    "24-0": _Body("organizacion/24-0-mexico", "24-0 México"),
    "cee": _Body("organizacion/centro-de-estudios-ecumenicos", "Centro de Estudios Ecuménicos A.C."),
    "ccis": _Body("organizacion/ccis", "Cohesión Comunitaria e Innovación Social, A.C. (CCIS)", "CCIS"),
    "equis": _Body("organizacion/equis-justicia-para-las-mujeres", "Equis Justicia para las Mujeres"),
    "global-exchange": _Body("organizacion/global-exchange", "Global Exchange"),
    "pastoral": _Body(
        "organizacion/pastoral-social-de-la-iglesia-anglicana-de-mexico",
        "Pastoral Social de la Iglesia Anglicana de México",
    ),
    "nosotrs": _Body("organizacion/nosotr-s-por-la-democracia", "Nosotr@s por la democracia A.C"),
    "colson": _Body("organizacion/el-colegio-de-sonora", "El Colegio de Sonora"),
    "uacj": _Body("organizacion/uacj", "UACJ"),
    "unidad-apoyo-aga": _Body("organizacion/unidad-de-apoyo-aga", "Unidad de Apoyo AGA"),
    "sjdh": _Body(
        "organizacion/secretaria-de-justicia-y-derechos-humanos", "Secretaría de Justicia y Derechos Humanos"
    ),
}

#: each item of an institutions cell (cells are split on "; ") and the bodies it names. An item that is a list
#: with headings ("Responsable: …", "Academia: …") names the bodies it lists; the headings are not bodies.
INSTITUTION_ITEMS: dict[str, tuple[str, ...]] = {
    "Procuraduría General de la República y Secretaría de Gobernación.": ("pgr", "segob"),
    "Responsable: Artículo 19 Corresponsable(s): IMCO y CIDAC": ("articulo-19", "imco", "cidac"),
    "Secretaría de la Función Pública (SFP)": ("sfp",),
    "OC Agencia para el Desarrollo, A.C. (GESOC)": ("gesoc",),
    "Transparencia Mexicana, A.C. (TM)": ("tm",),
    "FUNDAR, Centro de Análisis e Investigación, A.C. (FUNDAR)": ("fundar",),
    "Secretaría de Agricultura y Desarrollo Rural (SADER)": ("sader",),
    "Comisión Nacional de Acuacultura y Pesca (CONAPESCA)": ("conapesca",),
    "Secretaría de Medio Ambiente y Recursos Naturales (SEMARNAT)": ("semarnat",),
    "Comisión Nacional del Agua (CONAGUA)": ("conagua",),
    "Comisión Nacional de Agua (CONAGUA)": ("conagua",),
    "Causa Natura, A.C.": ("causa-natura",),
    # the heading "Sociedad Civil" of the page is glued to the name
    "Sociedad Civil Campaña Global por la Libertad de Expresión A19, A.C. (Artículo 19 Oficina para México y "
    "Centroamérica)": ("articulo-19",),
    "Campaña Global por la Libertad de Expresión A19, A.C. (Artículo 19 Oficina para México y Centroamérica)": (
        "articulo-19",
    ),
    "Centro en Pro del Desarrollo de la Pesca Sustentable, A.C. (CeDePesca)": ("cedepesca",),
    "El Proyecto Hambre, A.C. (The Hunger Project México)": ("proyecto-hambre",),
    "Instituto Mexicano para la Competitividad, A.C. (IMCO)": ("imco",),
    "Secretaría de Salud (Salud)": ("salud",),
    "Instituto de Liderazgo Simone de Beauvoir, A.C.": ("ilsb",),
    "Grupo de Información en Reproducción Elegida, A.C. (GIRE)": ("gire",),
    "Balance Promoción para el Desarrollo y Juventud, A.C.": ("balance",),
    "Católicas por el Derechos a Decidir, A.C. (CDD)": ("cdd",),
    "Comisión Nacional para Prevenir y Erradicar la Violencia contra las Mujeres (CONAVIM)": ("conavim",),
    "Fondo de Población de las Naciones Unidas (UNFPA)": ("unfpa",),
    "Instituto Nacional de las Mujeres (INMUJERES)": ("inmujeres",),
    "ONU - MUJERES": ("onu-mujeres",),
    "Red Mexicana Jóvenes y Adolescentes Positivos": ("red-jovenes-positivos",),
    "Sistema Nacional de Protección de Niñas, Niños y Adolescentes (SIPINNA)": ("sipinna",),
    "Secretaría de Trabajo y Previsión Social (STyPS)": ("styps",),
    "Consejo Nacional para Prevenir la Discriminación (CONAPRED)": ("conapred",),
    "Comisión Nacional Forestal (CONAFOR)": ("conafor",),
    "Agencia de Seguridad, Energía y Ambiente (ASEA)": ("asea",),
    "Procuraduría Federal de Protección al Ambiente (PROFEPA)": ("profepa",),
    "Fondo para la Comunicación y Educación Ambiental, A.C.": ("fceea",),
    "Reforestamos México, A.C.": ("reforestamos",),
    "CartoCrítica. Investigación, mapas y datos para la sociedad civil, A.C.": ("cartocritica",),
    "Secretaría de la Defensa Nacional (SEDENA)": ("sedena",),
    "Administración General de Aduanas, Servicio de Administración Tributaria, Secretaría de Hacienda y Crédito "
    "Público (SAT - SHCP)": ("aduanas",),
    "Observatorio Nacional Ciudadano Seguridad, Justicia y Legalidad A.C.": ("onc",),
    "Comisión Mexicana de Defensa y Promoción de los Derechos Humanos, A.C. (CMDPDH)": ("cmdpdh",),
    "Comisión Mexicana de Defensa y Promoción de Derechos Humanos A.C. (CMDPDH)": ("cmdpdh",),
    "México Evalúa, Centro de Análisis de Políticas Públicas A.C.": ("mexico-evalua",),
    "Secretaría de Economía (SE)": ("se",),
    "Secretaría de Marina (SEMAR)": ("semar",),
    "24-0 México": ("24-0",),
    "Centro de Estudios Ecuménicos A.C.": ("cee",),
    "Cohesión Comunitaria e Innovación Social, A.C. (CCIS)": ("ccis",),
    "Equis Justicia para las Mujeres": ("equis",),
    "Global Exchange": ("global-exchange",),
    "Pastoral Social de la Iglesia Anglicana de México": ("pastoral",),
    "Instituto Nacional de Transparencia, Acceso a la Información y Protección de Datos Personales (INAI)": ("inai",),
    "Gesoc, Agencia para el Desarrollo, A.C. (GESOC)": ("gesoc",),
    "Nosotr@s por la democracia A.C": ("nosotrs",),
    "Academia: CIDE, El Colegio de Sonora, UACJ, etc.": ("cide", "colson", "uacj"),
    "Internacional: Unidad de Apoyo AGA": ("unidad-apoyo-aga",),
    # the leads of the Tlalnepantla de Baz local plan (ogp_mx_local_handcompiled.csv)
    "Secretaría de Justicia y Derechos Humanos": ("sjdh",),
    "INFOEM": ("infoem",),
    "Municipio de Tlalnepantla de Baz": ("ayuntamiento-tlalnepantla",),
}

#: items of an institutions cell that name no body the graph can hold, and why they are left out
SKIPPED_ITEMS: dict[str, str] = {
    "NA": "the page prints NA: no institution named",
    "El PNUD tiene un programa encaminado a mejorar la participación ciudadana y los mecanismos de participación en "
    "general. Existe trabajo del PNUD y OSC que ha evaluado el trabajo del Consejo Nacional de Acuacultura y Pesca. "
    "Esto puede apoyar en la realización de la planeación prospectiva que considera el presente compromiso.": (
        "the page's own sentence, not a list of bodies"
    ),
    "Sociedad Civil - Alianza “Jóvenes con Trabajo Digno” - Bios Participación Política y Desarrollo, A.C. - Centro "
    "de Estudios Espinosa Yglesias A.C.(CEEY) - Fundación Friedrich-Ebert México - Fundación Forge A.C. - GESOC. "
    "Agencia para el Desarrollo, A.C. - Miel que vino del cielo, A.C. - Red de Empoderamiento de Personas con "
    "Discapacidad Cámaras empresariales Organización Internacional del Trabajo (OIT) Academia Sindicatos "
    "(liderazgos paritarios)": "one free-text run the compiler kept verbatim so as not to mis-split names",
    "Durante el compromiso se buscará la participación de distintos actores con interés en el manejo de los recursos "
    "hídricos, forestales y pesqueros, como son los productores y usuarios de los recursos naturales, organizaciones "
    "de la sociedad civil, académicos, periodistas y personas servidoras públicas de los sectores hídrico, pesquero "
    "y forestal adicionales a las mencionadas como responsables.": "the page's own sentence, not a list of bodies",
    "Fiscalía General de la República (FGR) (invitación)": "marked '(invitación)': invited, not stated as a supporter",
    "Jaime Villareal": "a person's name, not a body",
    "Sociedad Civil: NOSC y NOSCA con las organizaciones a nivel estatal, y otras organizaciones interesadas, "
    "fellows (Red de Gobierno Abierto y Desarrollo Sostenible)": "the page's own sentence, not a list of bodies",
}

OGP_ORGANIZATION = ID["organizacion/alianza-para-el-gobierno-abierto"]
AREAS_SCHEME = ID["esquema/areas-politica-aga"]

#: pages cited that are not the OGP's, with their labels (es, en)
OTHER_PAGES: dict[str, tuple[str, str]] = {
    "http://www.pressreader.com/mexico/el-universal/20180103/281663960392291": (
        "El Universal, 3 de enero de 2018 (copia en PressReader)",
        "El Universal, 3 January 2018 (copy on PressReader)",
    ),
    "https://capitalqueretaro.com.mx/local/queretaro-entre-los-estados-con-mayor-apertura-a-la-transparencia/amp": (
        "Capital Querétaro: artículo sobre la apertura de los estados a la transparencia (sin fecha en la copia "
        "archivada)",
        "Capital Querétaro: article on the states' openness to transparency (undated in the archived copy)",
    ),
    "https://docslib.org/doc/10708447/open-government-local-action-plan-jalisco-2016-2018": (
        "Copia de terceros (docslib) del plan de acción local de gobierno abierto de Jalisco 2016-2018",
        "Third-party copy (docslib) of Jalisco's Open Government Local Action Plan 2016-2018",
    ),
}

_OGP_PAGE = re.compile(r"^https?://(?:www\.)?opengovpartnership\.org(?P<path>/\S*)$")
_COMMITMENT_ID = re.compile(r"^MX[A-Z]{0,3}\d{4}$")
_PERIOD = re.compile(r"(\d{4})\s*[-–]\s*(\d{4})")


@dataclass
class _OgpStats:
    """What the commitment import did, for the file header and SOURCES.md."""

    commitments: int = 0
    assessments: int = 0
    inferred_plans: list[str] = field(default_factory=list)
    without_plan: list[str] = field(default_factory=list)
    bodies: set[str] = field(default_factory=set)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    unmapped_areas: set[str] = field(default_factory=set)
    theme_links: int = 0


def _page_lang(url: str) -> str:
    """The language of an OGP page from its path (``/es/``, ``/fr/``), English otherwise."""
    match = _OGP_PAGE.match(url)
    if match and match["path"].startswith(("/es/", "/fr/")):
        return match["path"][1:3]
    return "en"


def _describe_pages(graph: Graph, urls: Iterable[str]) -> None:
    """Each cited page as a ``dcterms:BibliographicResource`` with labels and its address."""
    for url in sorted(set(urls)):
        page = URIRef(url)
        graph.add((page, RDF.type, DCTERMS.BibliographicResource))
        graph.add((page, SCHEMA.url, Literal(url, datatype=XSD.anyURI)))
        match = _OGP_PAGE.match(url)
        if match:
            path = match["path"]
            _labels(graph, page, f"Página de la AGA: {path}", f"OGP page: {path}")
            graph.add((page, DCTERMS.publisher, OGP_ORGANIZATION))
        elif url in OTHER_PAGES:
            _labels(graph, page, *OTHER_PAGES[url])
        else:
            raise ValueError(f"no label for the cited page {url}")


def _add_body(graph: Graph, key: str, source: URIRef) -> URIRef:
    """A body's IRI; a body the project's data does not describe yet is described here, with ``source``."""
    body = BODIES[key]
    if body.name is not None:
        graph.add((body.iri, RDF.type, ORG.Organization))
        _labels(graph, body.iri, body.name, body.name)
        if body.acronym:
            graph.add((body.iri, GA.acronym, Literal(body.acronym)))
        for other in body.also_printed:
            graph.add((body.iri, SKOS.altLabel, Literal(other, lang="es")))
        graph.add((body.iri, DCTERMS.source, source))
    return body.iri


def _institutions(cell: str, where: str, stats: _OgpStats) -> list[str]:
    """The body keys an institutions cell names, in order; items that name no body are recorded in ``stats``."""
    keys: list[str] = []
    for item in (part.strip() for part in cell.split("; ")):
        if not item:
            continue
        if item in SKIPPED_ITEMS:
            stats.skipped.setdefault(SKIPPED_ITEMS[item], []).append(where)
        elif item in INSTITUTION_ITEMS:
            keys += [k for k in INSTITUTION_ITEMS[item] if k not in keys]
        else:
            raise ValueError(f"{where}: no rule for the institution {item!r} (INSTITUTION_ITEMS or SKIPPED_ITEMS)")
    return keys


@dataclass(frozen=True)
class _AreaMapping:
    """The editorial mapping of data/editorial/ogp-areas-temas.ttl: printed area -> (area concept, themes)."""

    areas: dict[Literal, tuple[URIRef, frozenset[URIRef]]]

    @classmethod
    def read(cls, path: Path) -> _AreaMapping:
        if not path.is_file():
            raise ValueError(f"{path}: the editorial mapping of OGP policy areas to themes is missing")
        graph = Graph().parse(path, format="turtle")
        areas: dict[Literal, tuple[URIRef, frozenset[URIRef]]] = {}
        for concept in graph.subjects(SKOS.inScheme, AREAS_SCHEME):
            if not isinstance(concept, URIRef):
                raise ValueError(f"{path.name}: an area that is not an IRI")
            printed = [o for o in graph.objects(concept, SKOS.prefLabel) if isinstance(o, Literal)]
            notes = {o.language for o in graph.objects(concept, SKOS.editorialNote) if isinstance(o, Literal)}
            if len(printed) != 1 or notes != {"es", "en"}:
                raise ValueError(f"{path.name}: {concept} needs one printed name and an editorial note in es and en")
            themes = frozenset(
                o
                for p in (SKOS.closeMatch, SKOS.broadMatch)
                for o in graph.objects(concept, p)
                if isinstance(o, URIRef)
            )
            areas[printed[0]] = (concept, themes)
        return cls(areas)


def _plan_link(
    graph: Graph, row: dict[str, str], commitment: URIRef, source: URIRef, stats: _OgpStats
) -> URIRef | None:
    """Link a commitment to its national plan, matched from the file, as a sourced fact (an inference the
    compiler noted is marked ga:byInference); ``None`` when the file does not allow a match."""
    cid, printed, year, note = (row[k].strip() for k in ("id", "action_plan", "cycle_start_year", "retrieved_note"))
    inferred = False
    if printed:
        period = _PERIOD.search(printed)
        if period is None or period[1] != year:
            raise ValueError(f"{COMMITMENTS_FILE} {cid}: plan {printed!r} does not start in cycle year {year}")
        fact_note = f"{cid}: the page prints the action plan as '{printed}' (cycle year {year})."
    elif f"Cycle year {year} corresponds to the" in note and "(inference)" in note:
        inferred = True
        fact_note = (
            f"{cid}: the page does not print the plan; the compiler of {COMMITMENTS_FILE} notes that cycle year "
            f"{year} corresponds to this plan, as an inference."
        )
    else:
        stats.without_plan.append(cid)
        return None
    if year not in PRESENTATION_PLANS:
        raise ValueError(f"{COMMITMENTS_FILE} {cid}: no national plan starts in {year}")
    plan, _, name_es, name_en = PRESENTATION_PLANS[year]
    fact = ID[f"hecho/compromiso-aga-{cid.lower()}-plan"]
    _reify(
        graph,
        fact,
        (commitment, GA.plan, plan),
        source,
        fact_note,
        (f"{cid}, plan de acción = {name_es}", f"{cid}, action plan = {name_en}"),
    )
    if inferred:
        graph.add((fact, GA.byInference, Literal(True)))
        stats.inferred_plans.append(cid)
    return plan


def _add_plan_name(graph: Graph, plan: URIRef, name: str, source: URIRef, note: str, year: str) -> None:
    """A sourced ``ga:nameInSource`` of a national plan."""
    _, _, name_es, name_en = PRESENTATION_PLANS[year]
    _reify(
        graph,
        ID[f"hecho/nombre-{str(plan).removeprefix(str(ID['plan/']))}-{slugify(name)}"],
        (plan, GA.nameInSource, Literal(name)),
        source,
        note,
        (f"{name_es}, nombre en la fuente = «{name}»", f"{name_en}, name in the source = '{name}'"),
    )


def _add_assessment(graph: Graph, row: dict[str, str], commitment: URIRef, stats: _OgpStats) -> None:
    """The IRM's assessment of a commitment, if its page shows one: each rating as the concept of its scale (where
    it is one) and as printed, with the language and the page of the printed values."""
    cid, note = row["id"].strip(), row["retrieved_note"]
    if row["irm_did_it_open_government"].strip():
        raise ValueError(f"{COMMITMENTS_FILE} {cid}: no rule for irm_did_it_open_government")
    shown = {column: row[column].strip() for column in IRM_PROPERTIES if row[column].strip()}
    if not shown:
        return
    if "irm_potential_impact" in shown and not ("Ambition" in note or "Ambición" in note):
        raise ValueError(f"{COMMITMENTS_FILE} {cid}: irm_potential_impact printed under a label with no rule")
    meanings: dict[str, list[tuple[str, _Printed]]] = {}
    for column, printed in shown.items():
        if column == "irm_relevance" and printed not in IRM_TABLES[column]:
            values = [v.strip() for v in printed.split(",")]
            unknown = [v for v in values if v not in OGP_VALUES]
            if unknown:
                raise ValueError(f"{COMMITMENTS_FILE} {cid}: unknown OGP value(s) {unknown} in {printed!r}")
            meanings[column] = [(v, _Printed(OGP_VALUES[v], "en")) for v in values]
        elif printed in IRM_TABLES[column]:
            meanings[column] = [(printed, IRM_TABLES[column][printed])]
        else:
            raise ValueError(f"{COMMITMENTS_FILE} {cid}: unknown {column} value {printed!r} (add it to IRM_TABLES)")
    langs = {m.lang for found in meanings.values() for _, m in found if m.lang}
    pages = {lang: row[f"source_url_{lang}"].strip() for lang in ("es", "en") if row[f"source_url_{lang}"].strip()}
    if not langs and len(pages) == 1:
        langs = set(pages)
    if len(langs) != 1 or next(iter(langs)) not in pages:
        raise ValueError(f"{COMMITMENTS_FILE} {cid}: IRM values in languages {sorted(langs)} without their page")
    lang = next(iter(langs))
    assessment = ID[f"evaluacion-irm/{cid.lower()}"]
    graph.add((commitment, GA.irmAssessment, assessment))
    graph.add((assessment, RDF.type, GA.IRMAssessment))
    _labels(graph, assessment, f"Evaluación del MRI del compromiso {cid}", f"IRM assessment of commitment {cid}")
    graph.add((assessment, DCTERMS.source, URIRef(pages[lang])))
    for column, found in meanings.items():
        value_property, printed_property = IRM_PROPERTIES[column]
        graph.add((assessment, printed_property, Literal(shown[column], lang=lang)))
        for _, meaning in found:
            if meaning.value is None:  # shown, but not a rating (pending review)
                continue
            if isinstance(meaning.value, bool):
                graph.add((assessment, GA.starred, Literal(meaning.value)))
            elif column == "irm_relevance" and meaning.value in OGP_VALUES.values():
                graph.add((assessment, GA.relevantOGPValue, meaning.value))
            elif value_property is not None:
                graph.add((assessment, value_property, meaning.value))
    stats.assessments += 1


def _build_commitments(src_dir: Path, mapping: _AreaMapping) -> tuple[Graph, Graph, _OgpStats]:
    """Mexico's national OGP commitments (reference graph) and their themes (editorial graph)."""
    graph, themes = _new_graph(), _new_graph()
    stats = _OgpStats()
    cited: set[str] = set()
    plan_names: dict[tuple[URIRef, str], tuple[URIRef, str, str]] = {}
    rows = _read_csv(src_dir / COMMITMENTS_FILE)
    ids = [row["id"].strip() for row in rows]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{COMMITMENTS_FILE}: two rows share an id")
    for row in rows:
        cid = row["id"].strip()
        if not _COMMITMENT_ID.match(cid):
            raise ValueError(f"{COMMITMENTS_FILE}: bad commitment id {cid!r}")
        url_en, url_es = row["source_url_en"].strip(), row["source_url_es"].strip()
        if not (url_en or url_es):
            raise ValueError(f"{COMMITMENTS_FILE} {cid}: no source")
        for url in (url_en, url_es):
            if url and "/members/mexico/" not in url.lower():
                raise ValueError(f"{COMMITMENTS_FILE} {cid}: {url} is not a page of Mexico as an OGP member")
        source = URIRef(url_en or url_es)
        cited |= {u for u in (url_en, url_es) if u}
        commitment = ID[f"compromiso-aga/{cid.lower()}"]
        graph.add((commitment, RDF.type, GA.OGPCommitment))
        graph.add((commitment, DCTERMS.identifier, Literal(cid)))
        graph.add((commitment, DCTERMS.source, source))
        if url_en and url_es:
            graph.add((commitment, RDFS.seeAlso, URIRef(url_es)))
        graph.add((commitment, DCTERMS.spatial, MEXICO))
        for lang in ("es", "en"):
            title = row[f"title_{lang}"].strip()
            if title:
                graph.add((commitment, RDFS.label, Literal(title, lang=lang)))
            summary = row[f"problem_summary_{lang}"].strip()
            if summary:
                graph.add((commitment, GA.problemStatement, Literal(summary, lang=lang)))
        if not (row["title_es"].strip() or row["title_en"].strip()):
            raise ValueError(f"{COMMITMENTS_FILE} {cid}: no title")
        status = row["status"].strip()
        if status:
            if status not in OGP_STATUS_LANGS:
                raise ValueError(f"{COMMITMENTS_FILE} {cid}: unknown status {status!r}")
            graph.add((commitment, GA.ogpStatus, Literal(status, lang=OGP_STATUS_LANGS[status])))
        note = row["retrieved_note"].strip()
        if note:
            graph.add((commitment, SKOS.note, Literal(note, lang="en")))
        plan = _plan_link(graph, row, commitment, source, stats)
        printed_plan = row["action_plan"].strip()
        if plan is not None and printed_plan:
            plan_names.setdefault((plan, printed_plan), (source, cid, row["cycle_start_year"].strip()))
        for noted_id, page, name in NOTED_PLAN_NAMES:
            if noted_id == cid:
                if f"({page}) names the plan '{name}'" not in note or plan is None:
                    raise ValueError(f"{COMMITMENTS_FILE} {cid}: the note no longer names the plan {name!r}")
                plan_names.setdefault((plan, name), (URIRef(page), cid, row["cycle_start_year"].strip()))
                cited.add(page)
        for column, prop in (
            ("lead_institutions", GA.leadInstitution),
            ("support_institutions", GA.supportInstitution),
        ):
            for key in _institutions(row[column], f"{cid} {column}", stats):
                graph.add((commitment, prop, _add_body(graph, key, source)))
                stats.bodies.add(key)
        area_lang = "en" if url_en else "es"
        for area in (a.strip() for a in row["policy_areas"].split(";")):
            if not area:
                continue
            printed_area = Literal(area, lang=area_lang)
            graph.add((commitment, GA.policyArea, printed_area))
            if printed_area not in mapping.areas:
                raise ValueError(f"{COMMITMENTS_FILE} {cid}: policy area {area!r}@{area_lang} is not in {AREAS_FILE}")
            _, area_themes = mapping.areas[printed_area]
            if not area_themes:
                stats.unmapped_areas.add(area)
            for theme in area_themes:
                themes.add((commitment, DCTERMS.subject, theme))
        _add_assessment(graph, row, commitment, stats)
        stats.commitments += 1
    for (plan, name), (page, cid, year) in sorted(plan_names.items()):
        _add_plan_name(graph, plan, name, page, f"{cid}: the plan's name as printed by {page}.", year)
    _describe_pages(graph, cited)
    stats.theme_links = len(themes)
    return graph, themes, stats


# ---------------------------------------------------------------- subnational open government (issue 17)

#: the local file's jurisdictions that are not a state's INEGI name: INEGI codes (a municipality's first)
LOCAL_JURISDICTIONS: dict[str, tuple[str, ...]] = {
    "Chihuahua (municipality)": ("08019",),
    "Tlalnepantla de Baz / State of Mexico": ("15104", "15"),
    "Mexico State": ("15",),
    "Mexico City (with Cuauhtémoc borough)": ("09",),
}

LOCAL_PROGRAMME = "INAI Gobierno Abierto: Cocreación desde lo local"

#: the events of the local programme's rows: property, value, fact suffix and labels (es, en)
LOCAL_EVENTS: dict[str, tuple[URIRef, URIRef | Literal, str, str, str]] = {
    "state participating in the INAI local co-creation exercise": (
        GA.participatedInProgramme,
        COCREATION_PROGRAMME,
        "participacion",
        "participó en Cocreación desde lo local",
        "took part in Co-creation from the local level",
    ),
    "local technical secretariat (secretariado técnico local) installed": (
        GA.hadTechnicalSecretariat,
        Literal(True),
        "stl",
        "instaló su Secretariado Técnico Local",
        "installed its Local Technical Secretariat",
    ),
    "local action plan published": (
        GA.publishedLocalPlan,
        Literal(True),
        "plan-local",
        "publicó su plan de acción local",
        "published its local action plan",
    ),
}

#: the participation rows' year: the programme's launch year, not the state's
PARTICIPATION_YEAR = "2015 (programme launch year; state joining year not stated)"
_BY_YEAR = re.compile(r"^by (\d{4}) \(")


@dataclass(frozen=True)
class _OgpLocalRow:
    """What an OGP Local row of the local file states, checked against its text."""

    member_since: str | None = None
    withdrew: bool = False
    plan: tuple[str, str] | None = None
    #: the plan's name as the row prints it
    plan_name: str | None = None
    #: institution items printed after "lead: "
    leads: tuple[str, ...] = ()
    #: text the row's event must contain
    phrases: tuple[str, ...] = ()


#: the OGP Local rows without a commitment id, by (jurisdiction, year)
OGP_LOCAL_ROWS: dict[tuple[str, str], _OgpLocalRow] = {
    ("Jalisco", "2016"): _OgpLocalRow(member_since="2016", phrases=("'Joined 2016'",)),
    ("Jalisco", "2016-2018"): _OgpLocalRow(
        plan=("2016", "2018"), plan_name="Open Government Local Action Plan 2016-2018"
    ),
    ("Nuevo León", "2022"): _OgpLocalRow(
        member_since="2022", plan=("2022", "2024"), phrases=("Member since 2022", "2022-2024 action plan")
    ),
    ("Chihuahua (municipality)", "2022"): _OgpLocalRow(
        member_since="2022", plan=("2023", "2024"), phrases=("joined OGP in 2022", "Action plan 2023-2024")
    ),
    ("Tlalnepantla de Baz / State of Mexico", "2021-2023"): _OgpLocalRow(
        plan=("2021", "2023"),
        plan_name="Action plan – Tlalnepantla de Baz, Mexico, 2021 – 2023",
        leads=("Secretaría de Justicia y Derechos Humanos", "INFOEM", "Municipio de Tlalnepantla de Baz"),
    ),
    ("Mexico City (with Cuauhtémoc borough)", "2020"): _OgpLocalRow(
        member_since="2020", withdrew=True, phrases=("joined OGP Local 2020 cohort", "later withdrew")
    ),
}

#: the counts one source gives of the programme, each checked against the rows it covers: (source, phrase of the
#: note, property, value, fact suffix, labels es/en)
CAPITAL_QUERETARO = (
    "https://capitalqueretaro.com.mx/local/queretaro-entre-los-estados-con-mayor-apertura-a-la-transparencia/amp"
)
CAPITAL_QUERETARO_SUMMARY = ID["programa/cocreacion-desde-lo-local/cifras-capital-queretaro"]
EL_UNIVERSAL = "http://www.pressreader.com/mexico/el-universal/20180103/281663960392291"


@dataclass(frozen=True)
class _Place:
    iri: URIRef
    slug: str
    label_es: str
    label_en: str


def _local_places(gazetteer: _Gazetteer, described: set[str], jurisdiction: str) -> list[_Place]:
    """The places of a local row: a state by its INEGI name, or the codes of LOCAL_JURISDICTIONS."""
    codes = LOCAL_JURISDICTIONS.get(jurisdiction)
    if codes is None:
        found = [s.code for s in gazetteer.states.values() if fold(s.name_es) == fold(jurisdiction)]
        if len(found) != 1:
            raise ValueError(f"{LOCAL_FILE}: jurisdiction {jurisdiction!r} matches no INEGI state")
        codes = (found[0],)
    places = []
    for code in codes:
        if len(code) == 2:
            state = gazetteer.states[code]
            places.append(_Place(state.iri, slugify(state.name_es), state.name_es, state.name_en))
        else:
            municipality = gazetteer.municipalities[code]
            if code not in described or fold(municipality.name) not in fold(jurisdiction):
                raise ValueError(f"{LOCAL_FILE}: {jurisdiction!r} is not municipality {code} of places.ttl")
            places.append(
                _Place(
                    municipality.iri,
                    f"{slugify(municipality.name)}-{code}",
                    f"municipio de {municipality.name}",
                    f"{municipality.name} municipality",
                )
            )
    return places


def _local_note(row: dict[str, str]) -> str:
    """A local row restated for ``skos:note``."""
    cells = [row[k].strip() for k in ("jurisdiction", "level", "program", "year", "event")]
    text = f"{cells[0]} [{cells[1]}], {cells[2]}, {cells[3]}: {cells[4]}."
    return f"{text} {row['note'].strip()}" if row["note"].strip() else text


def _add_local_plan(
    graph: Graph, places: Sequence[_Place], spec: _OgpLocalRow, source: URIRef, note: str, stats: _OgpStats
) -> None:
    """An OGP Local action plan as the row states it: period, place, name, leads."""
    if spec.plan is None:
        raise ValueError("a local plan without a period")
    start, end = spec.plan
    place = places[0]
    plan = ID[f"plan/aga-local-{place.slug}-{start}-{end}"]
    graph.add((plan, RDF.type, GA.ActionPlan))
    _labels(
        graph,
        plan,
        f"Plan de acción local ante la AGA: {place.label_es} {start}-{end}",
        f"Local action plan in the OGP: {place.label_en} {start}-{end}",
    )
    graph.add((plan, GA.startYear, Literal(start, datatype=XSD.gYear)))
    graph.add((plan, GA.endYear, Literal(end, datatype=XSD.gYear)))
    for each in places:
        graph.add((plan, DCTERMS.spatial, each.iri))
    graph.add((plan, GA.partnership, OGP_ORGANIZATION))
    graph.add((plan, DCTERMS.source, source))
    graph.add((plan, SKOS.note, Literal(note, lang="en")))
    if spec.plan_name:
        graph.add((plan, GA.nameInSource, Literal(spec.plan_name)))
    for item in spec.leads:
        for key in INSTITUTION_ITEMS[item]:
            graph.add((plan, GA.leadInstitution, _add_body(graph, key, source)))
            stats.bodies.add(key)


def _build_local(src_dir: Path, gazetteer: _Gazetteer, described: set[str]) -> tuple[Graph, dict[str, int], _OgpStats]:
    """Subnational open government: OGP Local members, their plans and commitments, and the states in INAI's
    «Cocreación desde lo local», each fact with its row's source."""
    graph = _new_graph()
    stats = _OgpStats()
    rows = _read_csv(src_dir / LOCAL_FILE)
    cited: set[str] = set()
    per_source: dict[tuple[str, str], int] = {}
    seen_ogp: set[tuple[str, str]] = set()
    for row in rows:
        jurisdiction, year, event = (row[k].strip() for k in ("jurisdiction", "year", "event"))
        url = row["source_url"].strip()
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{LOCAL_FILE}: row {jurisdiction!r} {year!r} without a source URL")
        source = URIRef(url)
        cited.add(url)
        note = _local_note(row)
        places = _local_places(gazetteer, described, jurisdiction)
        cid = row["commitment_id"].strip()
        if cid:
            _add_local_commitment(graph, row, cid, places[0], source)
            stats.commitments += 1
        elif row["program"].strip() == LOCAL_PROGRAMME:
            if event not in LOCAL_EVENTS or len(places) != 1:
                raise ValueError(f"{LOCAL_FILE}: no rule for the event {event!r} of {jurisdiction!r}")
            prop, value, suffix, label_es, label_en = LOCAL_EVENTS[event]
            place = places[0]
            fact = ID[f"hecho/cocreacion-{suffix}-{place.slug}"]
            by = _BY_YEAR.match(year)
            if prop == GA.participatedInProgramme and year != PARTICIPATION_YEAR:
                raise ValueError(f"{LOCAL_FILE}: participation of {jurisdiction!r} with a year {year!r}: no rule")
            if prop != GA.participatedInProgramme and by is None:
                raise ValueError(f"{LOCAL_FILE}: {event!r} of {jurisdiction!r} without 'by <year>': no rule")
            when = f" (hasta {by[1]})" if by else ""
            when_en = f" (by {by[1]})" if by else ""
            _reify(
                graph,
                fact,
                (place.iri, prop, value),
                source,
                note,
                (f"{place.label_es} {label_es}{when}", f"{place.label_en} {label_en}{when_en}"),
            )
            if by:
                graph.add((fact, GA.notAfter, Literal(by[1], datatype=XSD.gYear)))
            per_source[(url, suffix)] = per_source.get((url, suffix), 0) + 1
        else:
            key = (jurisdiction, year)
            spec = OGP_LOCAL_ROWS.get(key)
            if spec is None:
                raise ValueError(f"{LOCAL_FILE}: no rule for the OGP Local row {key}")
            missing = [p for p in spec.phrases if p not in event]
            if spec.plan_name and not event.startswith(spec.plan_name):
                missing.append(spec.plan_name)
            if spec.leads and f"lead: {'; '.join(spec.leads)}" not in event:
                missing.append("lead: " + "; ".join(spec.leads))
            if missing:
                raise ValueError(f"{LOCAL_FILE}: row {key} no longer says {missing}")
            seen_ogp.add(key)
            place = places[0]
            if spec.member_since:
                _reify(
                    graph,
                    ID[f"hecho/aga-local-miembro-{place.slug}"],
                    (place.iri, GA.ogpLocalMemberSince, Literal(spec.member_since, datatype=XSD.gYear)),
                    source,
                    note,
                    (
                        f"{place.label_es}, miembro de AGA Local desde {spec.member_since}",
                        f"{place.label_en}, OGP Local member since {spec.member_since}",
                    ),
                )
            if spec.withdrew:
                _reify(
                    graph,
                    ID[f"hecho/aga-local-retiro-{place.slug}"],
                    (place.iri, GA.withdrewFromOGPLocal, Literal(True)),
                    source,
                    note,
                    (f"{place.label_es} se retiró de AGA Local", f"{place.label_en} withdrew from OGP Local"),
                )
            if spec.plan:
                _add_local_plan(graph, places, spec, source, note, stats)
    if seen_ogp != set(OGP_LOCAL_ROWS):
        raise ValueError(f"{LOCAL_FILE}: OGP Local rows missing: {sorted(set(OGP_LOCAL_ROWS) - seen_ogp)}")
    counts = _add_local_counts(graph, src_dir, rows, per_source)
    cited.add(CAPITAL_QUERETARO)
    _describe_pages(graph, cited)
    return graph, counts, stats


def _add_local_commitment(graph: Graph, row: dict[str, str], cid: str, place: _Place, source: URIRef) -> None:
    """An OGP Local commitment: its id, title, page and place (nothing links it to the presentation's commitment)."""
    if not _COMMITMENT_ID.match(cid):
        raise ValueError(f"{LOCAL_FILE}: bad commitment id {cid!r}")
    title = row["commitment_title"].strip()
    if not title:
        raise ValueError(f"{LOCAL_FILE} {cid}: no title")
    commitment = ID[f"compromiso-aga/{cid.lower()}"]
    graph.add((commitment, RDF.type, GA.OGPCommitment))
    graph.add((commitment, DCTERMS.identifier, Literal(cid)))
    graph.add((commitment, RDFS.label, Literal(title, lang=_page_lang(str(source)))))
    graph.add((commitment, DCTERMS.source, source))
    graph.add((commitment, DCTERMS.spatial, place.iri))
    graph.add((commitment, SKOS.note, Literal(_local_note(row), lang="en")))


def _note_number(rows: Sequence[dict[str, str]], pattern: str, where: str) -> int:
    """The one number ``pattern`` (a regex with one group) finds in every note of ``rows``."""
    found = {m[1] for row in rows if (m := re.search(pattern, row["note"]))}
    if len(found) != 1 or any(not re.search(pattern, row["note"]) for row in rows):
        raise ValueError(f"{LOCAL_FILE}: the notes of {where} disagree on {pattern!r}: {sorted(found)}")
    return int(found.pop())


def _add_local_counts(
    graph: Graph, src_dir: Path, rows: Sequence[dict[str, str]], per_source: dict[tuple[str, str], int]
) -> dict[str, int]:
    """The counts the sources give, checked against the rows they cover. Capital Querétaro's (23 states, 13
    functioning STLs, undated) go in a summary of their own; El Universal's (26 states, 16 STLs, 10 plans by 2017)
    are the 2017 balance of ogp-facts.ttl, from the same article, and are checked against it. Both are kept."""
    capital = [r for r in rows if r["source_url"].strip() == CAPITAL_QUERETARO]
    universal = [r for r in rows if r["source_url"].strip() == EL_UNIVERSAL]
    states = _note_number(capital, r"listed among (\d+) states that joined", "Capital Querétaro")
    functioning = _note_number(
        capital, r"(\d+) of the \d+ had a functioning Technical Secretariat", "Capital Querétaro"
    )
    if states != per_source.get((CAPITAL_QUERETARO, "participacion")):
        raise ValueError(f"{LOCAL_FILE}: Capital Querétaro lists {states} states, the file has a different number")
    stl_rows = [r for r in universal if "secretariat" in r["event"]]
    plan_rows = [r for r in universal if "action plan" in r["event"]]
    installed = _note_number(stl_rows, r"(\d+) secretariats installed", "El Universal")
    plans = _note_number(plan_rows, r"(\d+) local action plans published", "El Universal")
    participating = _note_number(stl_rows, r"up to 2017, (\d+) of 32 entities", "El Universal")
    if (installed, plans) != (per_source.get((EL_UNIVERSAL, "stl")), per_source.get((EL_UNIVERSAL, "plan-local"))):
        raise ValueError(f"{LOCAL_FILE}: El Universal's counts disagree with its rows")
    facts = {row["fact_id"]: row for row in _read_csv(src_dir / OGP_FILE)}
    balance = facts["inai_local_2017"]
    _, year_counts = PROGRAMME_YEARS["inai_local_2017"]
    stated = {c.suffix: c.value for c in year_counts}
    if (
        balance["source_url"].strip() != EL_UNIVERSAL
        or int(balance["value"]) != participating
        or (stated["stl"], stated["pal"]) != (installed, plans)
    ):
        raise ValueError(f"{LOCAL_FILE}: El Universal's counts disagree with {OGP_FILE} (inai_local_2017)")
    summary = CAPITAL_QUERETARO_SUMMARY
    source = URIRef(CAPITAL_QUERETARO)
    graph.add((summary, RDF.type, GA.ProgrammeSummary))
    _labels(
        graph,
        summary,
        "Cocreación desde lo local: cifras según Capital Querétaro (sin fecha)",
        "Co-creation from the local level: figures according to Capital Querétaro (undated)",
    )
    graph.add((summary, GA.programme, COCREATION_PROGRAMME))
    graph.add((summary, DCTERMS.source, source))
    graph.add((summary, RDFS.seeAlso, ID["programa/cocreacion-desde-lo-local/balance-2017"]))
    graph.add(
        (
            summary,
            SKOS.note,
            Literal(
                f"Otra fuente, El Universal (3 de enero de 2018), da {participating} entidades hasta 2017 y "
                f"{installed} STL instalados (balance 2017). Las fuentes no coinciden: se conservan ambas cifras, "
                "cada una con su fuente.",
                lang="es",
            ),
        )
    )
    graph.add(
        (
            summary,
            SKOS.note,
            Literal(
                f"Another source, El Universal (3 January 2018), gives {participating} states by 2017 and "
                f"{installed} STLs installed (2017 summary). The sources disagree: both figures are kept, each with "
                "its source.",
                lang="en",
            ),
        )
    )
    note = f"Capital Querétaro (undated): {_note_text(capital)}"
    for prop, value, suffix, label_es, label_en in (
        (GA.participatingStates, states, "entidades", "entidades participantes", "participating states"),
        (GA.functioningSecretariats, functioning, "stl", "STL en funcionamiento", "functioning STLs"),
    ):
        _reify(
            graph,
            ID[f"hecho/capital-queretaro-{suffix}"],
            (summary, prop, _integer(value, suffix)),
            source,
            note,
            (
                f"Cocreación desde lo local según Capital Querétaro, {label_es} = {value}",
                f"Co-creation from the local level according to Capital Querétaro, {label_en} = {value}",
            ),
        )
    return {"capital_states": states, "capital_functioning": functioning, "universal_states": participating}


def _note_text(rows: Sequence[dict[str, str]]) -> str:
    """The part of a note every row shares: its first clause (up to the first ';')."""
    first = {row["note"].split(";")[0].strip() for row in rows}
    if len(first) != 1:
        raise ValueError(f"{LOCAL_FILE}: rows of one source with different notes")
    return first.pop() + "."


# ---------------------------------------------------------------- headers and SOURCES.md

_GENERATED = (
    "Generated by graphapp.reference_import from shared/reference-data; do not edit by hand, re-run the importer."
)


def _unmatched_lines(unmatched: Sequence[str]) -> list[str]:
    """Header lines listing the Métrica municipal names left without an INEGI municipality."""
    if not unmatched:
        return [
            "Every municipality measured by the Métrica matched an INEGI municipality: by name, or (for",
            f"{len(METRICA_MUNICIPALITY_EVIDENCE)} rows whose names differ) by the evidence in",
            "METRICA_MUNICIPALITY_EVIDENCE, given on each body as skos:editorialNote.",
        ]
    return [
        f"Métrica municipal rows with no unique INEGI name match ({len(unmatched)}; not guessed, so the",
        "body keeps only its state as jurisdiction and no municipality is created for it):",
        *(f"  - {name}" for name in unmatched),
    ]


def _places_header(measured: int, unmatched: Sequence[str]) -> list[str]:
    return [
        "Places of Gobierno Abierto KG: countries, the 32 Mexican states, the 125 municipalities of the",
        f"Estado de México and the {measured} other municipalities measured by the Métrica de Gobierno",
        "Abierto 2017, with INEGI codes, and owl:sameAs links to Wikidata (each reified with its source).",
        f"Source: {INEGI_ORIGIN}; licence: none stated.",
        "Graph licence: ODbL-1.0, as the Wikidata identifiers were confirmed from an ODbL-1.0 database.",
        f"Municipality matching: {METRICA_ORIGIN}.",
        "Wikidata identifiers: hand-compiled wikidata_qids_confirmed.csv, one source per row",
        "(GitHub dr5hn/countries-states-cities-database, ODbL-1.0; inventaire.io for the OECD).",
        *_unmatched_lines(unmatched),
        _GENERATED,
    ]


def _metrica_header(bodies: int, averages: int, unmatched: Sequence[str]) -> list[str]:
    return [
        f"Métrica de Gobierno Abierto 2017 (INAI-CIDE): {bodies} observations of obligated subjects and",
        f"{averages} averages (32 states, and the 'Federal' average id:metrica-2017/promedio-federal, whose",
        "measured body is the group id:grupo/sujetos-obligados-federales-metrica-2017: the mean over the",
        "federal obligated subjects, checked on import, not a score of Mexico as a country).",
        f"Sources: {METRICA_ORIGIN}; {METRICA_AVERAGES_ORIGIN}; licence: none stated.",
        f'Credit: "{METRICA_CITATION}".',
        "Names were read as latin-1 and broken bytes repaired (stray UTF-8 decoded, C1 remnants of",
        "stripped accents dropped); scores keep the file's digits as xsd:decimal.",
        *_unmatched_lines(unmatched),
        _GENERATED,
    ]


def _ogp_header() -> list[str]:
    return [
        "Facts about Mexico in the Open Government Partnership and INAI's 'Cocreación desde lo local',",
        "each asserted and reified as a citable rdf:Statement (id:hecho/...) with dcterms:source.",
        "Source: hand-compiled ogp_mx_facts_handcompiled.csv, one source URL per row (licence: facts).",
        "The OGP launch row is skipped: the presentation data already states it.",
        _GENERATED,
    ]


OGP_LICENCE = (
    "OGP's disclosure policy states Creative Commons 3.0 Unported for OGP information; the commitment pages state none"
)


def _listed(label: str, items: Iterable[str]) -> str:
    found = sorted(set(items))
    return f"{label} ({len(found)}): {', '.join(found) if found else 'none'}."


def _commitments_header(stats: _OgpStats) -> list[str]:
    skipped = [f"  - {reason}: {', '.join(where)}" for reason, where in sorted(stats.skipped.items())]
    return [
        "Mexico's national commitments in the Open Government Partnership (ga:OGPCommitment, id:compromiso-aga/<id>),",
        f"{stats.commitments} rows of {COMMITMENTS_FILE}: each with its OGP page (dcterms:source; the",
        "other-language page as rdfs:seeAlso), the title in each language the row has, the problem it addressed",
        "in one sentence written for the file (ga:problemStatement), the policy areas as printed (ga:policyArea), the",
        f"lead and support institutions, and {stats.assessments} IRM assessments (id:evaluacion-irm/<id>): each rating",
        "as a concept of its ordered scale (ontology/gakg-reference.ttl, ga:rank) and as printed, with the language of",
        "its page (machine-translated Spanish included); 'Pending IRM Review' is kept as printed only.",
        "The values of the file's irm_potential_impact column are printed under 'Ambition' on every page: ga:ambition.",
        "Plans: matched by the start year of the period the page prints; the plan link is a sourced fact.",
        _listed("  Inferred by the file's compiler from the cycle year (ga:byInference true)", stats.inferred_plans),
        _listed("  Without a plan", stats.without_plan),
        "The names the sources print for each plan are sourced facts (ga:nameInSource): the fourth plan is",
        "'Mexico Action Plan 2019-2022' on the commitment pages and 2019-2021 elsewhere; the presentation's period",
        "(data/presentacion/planes-nacionales.ttl) is kept.",
        "Institutions: only names of bodies (INSTITUTION_ITEMS); bodies the project's data already describes are",
        "reused (INAI, CIDE); items left out:",
        *skipped,
        f"Themes (dcterms:subject) are editorial: ../editorial/{THEMES_OUT}, from ../editorial/{AREAS_FILE}.",
        f"Source: hand-compiled {COMMITMENTS_FILE}, from archived copies of OGP pages, one or two per row;",
        f"licence: {OGP_LICENCE}.",
        _GENERATED,
    ]


def _themes_header(stats: _OgpStats) -> list[str]:
    return [
        "Editorial links of Gobierno Abierto KG: the themes of the public-problem thesaurus each of Mexico's OGP",
        "commitments is about (dcterms:subject), derived from the policy areas its page prints (ga:policyArea in",
        f"../reference/{COMMITMENTS_OUT}) through the editorial mapping {AREAS_FILE}: an area gives the themes",
        "it maps to with skos:closeMatch or skos:broadMatch (the theme says the same as the area, or more); the",
        "mapping's skos:editorialNote says why for each area. Not stated by any source.",
        f"{stats.theme_links} links.",
        _listed("Areas printed with no theme derived", stats.unmapped_areas),
        _GENERATED,
    ]


def _local_header(stats: _OgpStats, counts: dict[str, int]) -> list[str]:
    return [
        "Subnational open government in Mexico, from the hand-compiled ogp_mx_local_handcompiled.csv, one source",
        "per row: OGP Local members (ga:ogpLocalMemberSince, ga:withdrewFromOGPLocal) and their action plans",
        f"(ga:ActionPlan, id:plan/aga-local-...), {stats.commitments} OGP Local commitments (ga:OGPCommitment; none",
        "is linked to the presentation's commitment), and the states in INAI's 'Cocreación desde lo local'",
        "(ga:participatedInProgramme, ga:hadTechnicalSecretariat, ga:publishedLocalPlan; the last two 'by 2017',",
        "ga:notAfter on the fact). Every fact is asserted and reified (id:hecho/...) with its row's source.",
        "The participation rows give no joining year (2015 is the programme's launch): none is stated.",
        f"Counts: Capital Querétaro (undated) lists {counts['capital_states']} states, "
        f"{counts['capital_functioning']} with a functioning STL",
        "(id:programa/cocreacion-desde-lo-local/cifras-capital-queretaro); El Universal gives "
        f"{counts['universal_states']} states by 2017",
        "(the 2017 balance in ogp-facts.ttl, checked against these rows). The sources disagree: both are kept.",
        f"Source: per row; licence: per row; news sources state none; {OGP_LICENCE}.",
        _GENERATED,
    ]


def _sdg_labels(kos_file: Path) -> Graph:
    """``rdfs:label`` for every concept of the UN file, copied from its Spanish and English ``skos:prefLabel``,
    so that every entity has the one label predicate a researcher relies on (the UN file stays unmodified)."""
    kos = Graph().parse(kos_file, format="turtle")
    graph = _new_graph()
    for subject, label in kos.subject_objects(SKOS.prefLabel):
        if isinstance(label, Literal) and label.language in {"es", "en"}:
            graph.add((subject, RDFS.label, label))
    # the one collection of the file has no skos:prefLabel: it is labelled by what it lists
    goals = URIRef("http://metadata.un.org/sdg/Goals")
    if (goals, RDF.type, SKOS.OrderedCollection) in kos:
        graph.add((goals, RDFS.label, Literal("Objetivos de Desarrollo Sostenible (lista ordenada)", lang="es")))
        graph.add((goals, RDFS.label, Literal("Sustainable Development Goals (ordered list)", lang="en")))
    return graph


def _sdg_labels_header() -> list[str]:
    return [
        f"rdfs:label of every concept of {SDG_KOS_OUT} (goals, targets, indicators), copied from its Spanish and",
        "English skos:prefLabel; the UN file itself is kept unmodified.",
        f"Source: {SDG_KOS_ORIGIN}; licence: none stated.",
        _GENERATED,
    ]


def _cited(graph: Graph) -> list[str]:
    """The pages a generated graph describes as its sources."""
    return sorted(str(s) for s in graph.subjects(RDF.type, DCTERMS.BibliographicResource))


def _sources_markdown(src_dir: Path, cited: dict[str, list[str]]) -> str:
    """``SOURCES.md``: origin and licence of each output file; ``cited``: the pages each OGP file cites."""
    ogp_urls = sorted(
        {
            row["source_url"].strip()
            for row in _read_csv(src_dir / OGP_FILE)
            if row["fact_id"].strip() not in OGP_SKIPPED_FACTS
        }
    )
    lines = [
        "# Sources of data/reference",
        "",
        "Generated by `graphapp.reference_import` from `shared/reference-data`; do not edit by hand.",
        "",
        "| output file | origin | licence stated |",
        "|---|---|---|",
        f"| `{PLACES_OUT}` | {INEGI_ORIGIN}; Wikidata identifiers hand-compiled in `{WIKIDATA_FILE}` "
        "from GitHub dr5hn/countries-states-cities-database (`csv/countries.csv`, `csv/states.csv` at "
        "7fda0afd3e75391d9480c22ed3a2b91f50e08eb6) and https://inventaire.io/entity/wd:Q41550 | "
        "INEGI file: none stated; dr5hn: ODbL-1.0 |",
        f"| `{METRICA_OUT}` | {METRICA_ORIGIN}; {METRICA_AVERAGES_ORIGIN}. Credit: "
        f'"{METRICA_CITATION}" | none stated |',
        f"| `{OGP_OUT}` | hand-compiled `{OGP_FILE}`, one source URL per fact (below) | facts |",
        f"| `{COMMITMENTS_OUT}` | hand-compiled `{COMMITMENTS_FILE}`, from archived copies of OGP's commitment pages "
        "and its Mexico member page, one or two pages per row (below) | "
        f"{OGP_LICENCE} |",
        f"| `{LOCAL_OUT}` | hand-compiled `{LOCAL_FILE}`, one source per row (below) | per row; news sources state "
        "none |",
        f"| `{SDG_KOS_OUT}` | {SDG_KOS_ORIGIN} (unmodified copy) | none stated (UN Statistics Division) |",
        f"| `{SDG_ONTOLOGY_OUT}` | {SDG_ONTOLOGY_ORIGIN} (unmodified copy) | none stated |",
        f"| `{SDG_LABELS_OUT}` | `rdfs:label` copied from the Spanish and English `skos:prefLabel` of "
        f"`{SDG_KOS_OUT}` | none stated (UN Statistics Division) |",
        "",
        "`metrica_ga_2017_DR.csv` (same repository, `DR.csv`) is not imported.",
        "",
        f"`../editorial/{THEMES_OUT}` is editorial work, not a source: the themes of the commitments of "
        f"`{COMMITMENTS_OUT}`, derived from their policy areas through the editorial mapping "
        f"`../editorial/{AREAS_FILE}`.",
        "",
        f"Source URLs cited by `{OGP_OUT}`:",
        "",
        *(f"- <{url}>" for url in ogp_urls),
        "",
    ]
    for name in (COMMITMENTS_OUT, LOCAL_OUT):
        lines += [f"Source URLs cited by `{name}`:", "", *(f"- <{url}>" for url in cited[name]), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- entry point


def build_reference(
    src_dir: Path, out_dir: Path, ontology_dir: Path | None = None, editorial_dir: Path | None = None
) -> dict[str, int]:
    """Convert the reference data in ``src_dir`` into Turtle files under ``out_dir``.

    The UN SDG ontology is vocabulary, not instance data: it is copied to ``ontology_dir`` when one is given
    (the project's ``ontology/`` folder), else beside the rest in ``out_dir``. The OGP commitments' themes are
    editorial: they are derived from the mapping ``ogp-areas-temas.ttl`` of ``editorial_dir`` (by default the
    ``editorial`` folder beside ``out_dir``, as ``data/editorial`` is beside ``data/reference``) and written there
    as ``ogp-compromisos-temas.ttl``.

    Returns the number of triples written per output file name (``SOURCES.md`` is not counted). Raises
    ``ValueError`` when the input breaks an expectation (a number that is not a number, an unknown state,
    an OGP fact without a rule, a count that disagrees with the Métrica file...). Métrica municipalities
    whose names match no INEGI municipality are not guessed: they are listed in the headers of
    ``places.ttl`` and ``metrica-2017.ttl``.
    """
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gazetteer = _load_gazetteer(src_dir)
    metrica_rows, unmatched = _metrica_rows(src_dir, gazetteer)
    measured = sorted(
        {row.municipality for row in metrica_rows if row.municipality and row.municipality.state_code != "15"},
        key=lambda m: m.code,
    )
    counts: dict[str, int] = {}

    places = _build_places(gazetteer, _wikidata_rows(src_dir, gazetteer), measured)
    counts[PLACES_OUT] = _write_turtle(places, out_dir / PLACES_OUT, _places_header(len(measured), unmatched))

    metrica = _build_metrica(src_dir, gazetteer, metrica_rows)
    averages = len(_read_csv(src_dir / METRICA_AVERAGES_FILE))
    counts[METRICA_OUT] = _write_turtle(
        metrica, out_dir / METRICA_OUT, _metrica_header(len(metrica_rows), averages, unmatched)
    )

    ogp = _build_ogp(src_dir, len(metrica_rows))
    counts[OGP_OUT] = _write_turtle(ogp, out_dir / OGP_OUT, _ogp_header())

    editorial_dir = Path(editorial_dir) if editorial_dir is not None else out_dir.parent / "editorial"
    mapping = _AreaMapping.read(editorial_dir / AREAS_FILE)
    commitments, themes, commitment_stats = _build_commitments(src_dir, mapping)
    counts[COMMITMENTS_OUT] = _write_turtle(
        commitments, out_dir / COMMITMENTS_OUT, _commitments_header(commitment_stats)
    )
    counts[THEMES_OUT] = _write_turtle(themes, editorial_dir / THEMES_OUT, _themes_header(commitment_stats))
    described = {m.code for m in gazetteer.municipalities.values() if m.state_code == "15"} | {m.code for m in measured}
    local, local_counts, local_stats = _build_local(src_dir, gazetteer, described)
    counts[LOCAL_OUT] = _write_turtle(local, out_dir / LOCAL_OUT, _local_header(local_stats, local_counts))

    ontology_dir = Path(ontology_dir) if ontology_dir is not None else out_dir
    for source_name, out_name, folder in (
        (SDG_KOS_FILE, SDG_KOS_OUT, out_dir),
        (SDG_ONTOLOGY_FILE, SDG_ONTOLOGY_OUT, ontology_dir),
    ):
        shutil.copyfile(src_dir / source_name, folder / out_name)
        counts[out_name] = len(Graph().parse(folder / out_name, format="turtle"))

    labels = _sdg_labels(out_dir / SDG_KOS_OUT)
    counts[SDG_LABELS_OUT] = _write_turtle(labels, out_dir / SDG_LABELS_OUT, _sdg_labels_header())

    cited = {COMMITMENTS_OUT: _cited(commitments), LOCAL_OUT: _cited(local)}
    (out_dir / SOURCES_OUT).write_text(_sources_markdown(src_dir, cited), encoding="utf-8", newline="\n")
    return counts
