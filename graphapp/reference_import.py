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

PLACES_OUT = "places.ttl"
METRICA_OUT = "metrica-2017.ttl"
OGP_OUT = "ogp-facts.ttl"
SDG_KOS_OUT = "un-sdg-kos.ttl"
SDG_ONTOLOGY_OUT = "un-sdg-ontology.ttl"
SDG_LABELS_OUT = "un-sdg-labels.ttl"
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


def _sources_markdown(src_dir: Path) -> str:
    """``SOURCES.md``: origin and licence of each output file."""
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
        f"| `{SDG_KOS_OUT}` | {SDG_KOS_ORIGIN} (unmodified copy) | none stated (UN Statistics Division) |",
        f"| `{SDG_ONTOLOGY_OUT}` | {SDG_ONTOLOGY_ORIGIN} (unmodified copy) | none stated |",
        f"| `{SDG_LABELS_OUT}` | `rdfs:label` copied from the Spanish and English `skos:prefLabel` of "
        f"`{SDG_KOS_OUT}` | none stated (UN Statistics Division) |",
        "",
        "`metrica_ga_2017_DR.csv` (same repository, `DR.csv`) is not imported.",
        "",
        f"Source URLs cited by `{OGP_OUT}`:",
        "",
        *(f"- <{url}>" for url in ogp_urls),
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- entry point


def build_reference(src_dir: Path, out_dir: Path, ontology_dir: Path | None = None) -> dict[str, int]:
    """Convert the reference data in ``src_dir`` into Turtle files under ``out_dir``.

    The UN SDG ontology is vocabulary, not instance data: it is copied to ``ontology_dir`` when one is given
    (the project's ``ontology/`` folder), else beside the rest in ``out_dir``.

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

    ontology_dir = Path(ontology_dir) if ontology_dir is not None else out_dir
    for source_name, out_name, folder in (
        (SDG_KOS_FILE, SDG_KOS_OUT, out_dir),
        (SDG_ONTOLOGY_FILE, SDG_ONTOLOGY_OUT, ontology_dir),
    ):
        shutil.copyfile(src_dir / source_name, folder / out_name)
        counts[out_name] = len(Graph().parse(folder / out_name, format="turtle"))

    labels = _sdg_labels(out_dir / SDG_KOS_OUT)
    counts[SDG_LABELS_OUT] = _write_turtle(labels, out_dir / SDG_LABELS_OUT, _sdg_labels_header())

    (out_dir / SOURCES_OUT).write_text(_sources_markdown(src_dir), encoding="utf-8", newline="\n")
    return counts
