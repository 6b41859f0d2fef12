"""Where an IRI leads on this site: entities, ontology terms and graphs the service owns get local paths;
other http(s) IRIs link to themselves; anything else (``mailto:``, ``file:``, ``javascript:``) is not a link.

>>> local_href("https://w3id.org/gakg/id/practica/x", "https://w3id.org/gakg/")
'/id/practica/x'
>>> local_href("https://w3id.org/gakg/ontology#BestPractice", "https://w3id.org/gakg/")
'/ontology#BestPractice'
>>> local_href("javascript:alert(1)", "https://w3id.org/gakg/") is None
True
"""

from __future__ import annotations

from urllib.parse import quote

ONTOLOGY = "https://w3id.org/gakg/ontology"


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
    if iri.startswith(("http://", "https://")):
        return iri
    return None
