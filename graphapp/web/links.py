"""Where an IRI leads on this site: entities, ontology terms and graphs the service owns get local paths;
other http(s) IRIs link to themselves; anything else (``mailto:``, ``file:``, ``javascript:``) is not a link.

>>> local_href("https://w3id.org/gakg/id/practica/x", "https://w3id.org/gakg/")
'/id/practica/x'
>>> local_href("https://w3id.org/gakg/ontology#BestPractice", "https://w3id.org/gakg/")
'/ontology#BestPractice'
>>> local_href("javascript:alert(1)", "https://w3id.org/gakg/") is None
True

External resources the graph describes get a local page too, so a visitor never leaves the site to read what the
graph already says: the UN's SDG goals, targets and indicators at ``/ods/<code>`` (the graph ships all of them),
any other described resource (a term of a reused vocabulary…) at ``/recurso?iri=…`` (:func:`site_href`).

>>> local_href("http://metadata.un.org/sdg/16.10", "https://w3id.org/gakg/")
'/ods/16.10'
>>> site_href("http://purl.org/dc/terms/subject", "https://w3id.org/gakg/", {"http://purl.org/dc/terms/subject"})
'/recurso?iri=http%3A%2F%2Fpurl.org%2Fdc%2Fterms%2Fsubject'
>>> site_href("https://www.wikidata.org/wiki/Q1", "https://w3id.org/gakg/", set())
'https://www.wikidata.org/wiki/Q1'
"""

from __future__ import annotations

import re
from collections.abc import Container
from urllib.parse import quote

ONTOLOGY = "https://w3id.org/gakg/ontology"
SDG = "http://metadata.un.org/sdg/"
_SDG_CODE = re.compile(r"(\d{1,2}(\.[0-9a-z]{1,2})?|C[0-9a-z]{6,7})")  # goal, target or indicator code


def local_href(iri: str, base: str) -> str | None:
    if iri.startswith(ONTOLOGY):
        local = iri[len(ONTOLOGY) :].removeprefix("#")
        return "/ontology" + ("#" + quote(local, safe="") if local else "")
    if iri.startswith(base):
        rest = iri[len(base) :]
        if rest.startswith("ontology#"):
            return "/ontology#" + quote(rest.removeprefix("ontology#"), safe="")
        if rest.startswith(("id/", "graph/")):
            return "/" + quote(rest, safe="/-_.~")
        if rest == "ontology":
            return "/ontology"
    if iri.startswith(SDG) and _SDG_CODE.fullmatch(iri[len(SDG) :]):
        return "/ods/" + iri[len(SDG) :]
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def site_href(iri: str, base: str, described: Container[str]) -> str | None:
    """:func:`local_href`, and a local page (``/recurso?iri=…``) for any other external resource in
    ``described`` (the IRIs the graph gives a label)."""
    href = local_href(iri, base)
    if href == iri and iri in described:
        return "/recurso?iri=" + quote(iri, safe="")
    return href
