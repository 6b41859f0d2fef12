"""Machine-readable descriptions of the service: SPARQL 1.1 Service Description and a VoID/DCAT dataset record."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from .iris import PREFIXES
from .storage import Store
from .writes.history import Release

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"

DESCRIPTION_PREFIXES = {
    **{k: v for k, v in PREFIXES.items() if k in {"rdf", "rdfs", "xsd", "dcterms", "foaf", "schema"}},
    "sd": SD,
    "void": VOID,
    "dcat": DCAT,
    "formats": FORMATS,
    "owl": OWL,
    "prov": PROV,
}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
RIGHTS_ES = (
    "Licencia por grafo: cada subconjunto (void:subset, un grafo con nombre) lleva la licencia de su fuente "
    "(dcterms:license) o dice que la fuente no declara ninguna (dcterms:rights)."
)
RIGHTS_EN = (
    "Licence per graph: each subset (void:subset, one named graph) carries its source's licence (dcterms:license) "
    "or says that the source states none (dcterms:rights)."
)
TITLE_ES = "Gobierno Abierto KG: prácticas de gobierno abierto en México"
TITLE_EN = "Gobierno Abierto KG: open-government practices in Mexico"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=_n(XSD + "integer"))
    return ox.Literal(str(value))


def service_description(endpoint: str, store: Store, version: int | None = None) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the public endpoint; ``version``, the graph version it answers from
    (``owl:versionInfo`` of its dataset: queries take ``version=N`` for an earlier one, docs/versions.md).

    ``endpoint`` is the endpoint's absolute URL, built from the configured public address
    (``settings.site_url + "sparql"``), never from a request's Host header.
    """
    svc = _n(endpoint)
    ds = _n(endpoint + "#dataset")
    default = _n(endpoint + "#default-graph")
    t = [] if version is None else [ox.Triple(ds, _n(OWL + "versionInfo"), _lit(str(version)))]
    t += [
        ox.Triple(svc, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(svc, _n(SD + "endpoint"), svc),
        ox.Triple(svc, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(svc, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(svc, _n(DCT + "title"), _lit(TITLE_ES, "es")),
        ox.Triple(svc, _n(DCT + "title"), _lit(TITLE_EN, "en")),
        ox.Triple(svc, _n(SD + "defaultDataset"), ds),
        ox.Triple(ds, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(ds, _n(SD + "defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(default, _n(VOID + "triples"), _lit(len(store))),
        ox.Triple(
            default,
            _n(DCT + "description"),
            _lit("The default graph is the union of all public named graphs.", "en"),
        ),
    ]
    # sd:BasicFederatedQuery is deliberately absent: SERVICE is refused.
    for fmt in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
    ):
        t.append(ox.Triple(svc, _n(SD + "resultFormat"), _n(FORMATS + fmt)))
    for row in store.select("graph-sizes"):
        g = _n(str(row["graph"]))
        node = _n(endpoint + "#graph-" + str(row["graph"]).rsplit("/graph/", 1)[-1].replace("/", "-"))
        t += [
            ox.Triple(ds, _n(SD + "namedGraph"), node),
            ox.Triple(node, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(node, _n(SD + "name"), g),
            ox.Triple(node, _n(SD + "graph"), _n(str(node.value) + "-description")),
            ox.Triple(_n(str(node.value) + "-description"), _n(VOID + "triples"), _lit(int(row["triples"]))),
        ]
    return t


def dataset_description(
    base_url: str, store: Store, example_resource: str, releases: Sequence[Release] = (), version: int | None = None
) -> list[ox.Triple]:
    """A VoID and DCAT record of the public dataset, with its size, sources, licence and dumps.

    ``base_url`` is the service's public address ending in '/' (``settings.site_url``), never derived from a
    request's Host header.
    """
    ds = _n(base_url + "dataset")
    t = [
        ox.Triple(ds, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(ds, RDF_TYPE, _n(DCAT + "Dataset")),
        ox.Triple(ds, _n(DCT + "title"), _lit(TITLE_ES, "es")),
        ox.Triple(ds, _n(DCT + "title"), _lit(TITLE_EN, "en")),
        ox.Triple(
            ds,
            _n(DCT + "description"),
            _lit(
                "Instituciones, organizaciones, planes, compromisos, árbol de problemas y buenas prácticas de "
                "gobierno abierto, a partir de una presentación del INFOEM (2020), enlazados con los ODS de la ONU, "
                "los municipios del INEGI, la Métrica de Gobierno Abierto 2017 y Wikidata.",
                "es",
            ),
        ),
        ox.Triple(
            ds,
            _n(DCT + "description"),
            _lit(
                "Institutions, organisations, plans, commitments, problem tree and best practices of open "
                "government, from an INFOEM presentation (2020), linked to the UN SDGs, INEGI municipalities, the "
                "2017 Open Government Metric and Wikidata.",
                "en",
            ),
        ),
        # no licence for the whole: each graph carries its source's (a void:subset per graph, below)
        ox.Triple(ds, _n(DCT + "rights"), _lit(RIGHTS_ES, "es")),
        ox.Triple(ds, _n(DCT + "rights"), _lit(RIGHTS_EN, "en")),
        ox.Triple(ds, _n(DCT + "language"), _lit("es")),
        ox.Triple(ds, _n(DCT + "language"), _lit("en")),
        ox.Triple(ds, _n(VOID + "sparqlEndpoint"), _n(base_url + "sparql")),
        ox.Triple(ds, _n(VOID + "exampleResource"), _n(example_resource)),
        ox.Triple(ds, _n(VOID + "triples"), _lit(len(store))),
        ox.Triple(ds, _n(VOID + "uriSpace"), _lit(store.base_iri + "id/")),
    ]
    for lic in store.select("graph-licences", raw=True):
        graph = lic["graph"].value
        subset = _n(base_url + "dataset#graph-" + graph.rsplit("/graph/", 1)[-1].replace("/", "-"))
        if not any(x.subject == subset and x.predicate.value == VOID + "subset" for x in t):
            t += [
                ox.Triple(ds, _n(VOID + "subset"), subset),
                ox.Triple(subset, RDF_TYPE, _n(VOID + "Dataset")),
                ox.Triple(subset, _n(DCT + "source"), _n(graph)),
            ]
        if "licence" in lic:
            t.append(ox.Triple(subset, _n(DCT + "license"), _n(lic["licence"].value)))
        if "rights" in lic:
            t.append(
                ox.Triple(
                    subset, _n(DCT + "rights"), _lit(lic["rights"].value, getattr(lic["rights"], "language", None))
                )
            )
    for row in store.select("dataset-sources"):
        t.append(ox.Triple(ds, _n(DCT + "source"), _n(str(row["source"]))))
    for row in store.select("class-counts"):
        part = _n(base_url + "dataset#class-" + str(row["class"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1])
        t += [
            ox.Triple(ds, _n(VOID + "classPartition"), part),
            ox.Triple(part, _n(VOID + "class"), _n(str(row["class"]))),
            ox.Triple(part, _n(VOID + "entities"), _lit(int(row["n"]))),
        ]
    for key, media in (
        ("ttl", "text/turtle"),
        ("nq", "application/n-quads"),
        ("jsonld", "application/ld+json"),
    ):
        t += _distribution(ds, f"{base_url}dataset/dump.{key}", f"{base_url}dataset#distribution-{key}", media)
    if version is not None:  # the graph version this record describes (every answer names it: X-Graph-Version)
        t.append(ox.Triple(ds, _n(OWL + "versionInfo"), _lit(str(version))))
    for release in releases:
        t.append(ox.Triple(ds, _n(DCAT + "hasVersion"), _n(f"{base_url}releases/{release.name}")))
    return t


def _distribution(dataset: ox.NamedNode, dump_url: str, iri: str, media: str) -> list[ox.Triple]:
    """A download of ``dataset``: its ``void:dataDump`` and its ``dcat:Distribution`` (media type, licence note)."""
    dump, dist = _n(dump_url), _n(iri)
    return [
        ox.Triple(dataset, _n(VOID + "dataDump"), dump),
        ox.Triple(dataset, _n(DCAT + "distribution"), dist),
        ox.Triple(dist, RDF_TYPE, _n(DCAT + "Distribution")),
        ox.Triple(dist, _n(DCAT + "downloadURL"), dump),
        ox.Triple(dist, _n(DCAT + "mediaType"), _lit(media)),
        ox.Triple(dist, _n(DCT + "rights"), _lit(RIGHTS_EN, "en")),
    ]


def release_description(base_url: str, release: Release) -> list[ox.Triple]:
    """The DCAT dataset-version record of a release: its name, date, graph version, the release it follows
    (``prov:wasDerivedFrom``, ``dcat:previousVersion``), statements per graph and its two dumps."""
    r = _n(f"{base_url}releases/{release.name}")
    ds = _n(base_url + "dataset")
    t = [
        ox.Triple(r, RDF_TYPE, _n(DCAT + "Dataset")),
        ox.Triple(r, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(r, _n(DCT + "title"), _lit(f"{TITLE_ES} (versión {release.name})", "es")),
        ox.Triple(r, _n(DCT + "title"), _lit(f"{TITLE_EN} (release {release.name})", "en")),
        ox.Triple(r, _n(DCAT + "version"), _lit(release.name)),
        ox.Triple(r, _n(OWL + "versionInfo"), _lit(str(release.version))),
        ox.Triple(r, _n(DCT + "issued"), ox.Literal(release.issued, datatype=_n(XSD + "dateTime"))),
        ox.Triple(r, _n(DCT + "isVersionOf"), ds),
        ox.Triple(ds, _n(DCAT + "hasVersion"), r),
        ox.Triple(r, _n(VOID + "triples"), _lit(release.triples)),
        ox.Triple(r, _n(VOID + "sparqlEndpoint"), _n(base_url + "sparql")),
    ]
    if release.note:
        t.append(ox.Triple(r, _n(DCT + "description"), _lit(release.note)))
    if release.previous is not None:
        previous = _n(f"{base_url}releases/{release.previous}")
        t += [
            ox.Triple(r, _n(PROV + "wasDerivedFrom"), previous),
            ox.Triple(r, _n(DCAT + "previousVersion"), previous),
        ]
    for graph, count in release.counts.items():
        subset = _n(f"{base_url}releases/{release.name}#graph-" + graph.rsplit("/graph/", 1)[-1].replace("/", "-"))
        t += [
            ox.Triple(r, _n(VOID + "subset"), subset),
            ox.Triple(subset, RDF_TYPE, _n(VOID + "Dataset")),
            ox.Triple(subset, _n(DCT + "source"), _n(graph)),
            ox.Triple(subset, _n(VOID + "triples"), _lit(count)),
        ]
    for key, media in (("nq", "application/n-quads"), ("ttl", "text/turtle")):
        page = f"{base_url}releases/{release.name}"
        t += _distribution(r, f"{page}/dump.{key}", f"{page}#distribution-{key}", media)
    return t
