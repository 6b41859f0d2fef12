"""Names for what the views draw: prefixed names of classes, and labels short enough to draw.

>>> compact("https://w3id.org/gakg/ontology#Municipality")
'ga:Municipality'
>>> expand("sdgo:Goal")
'http://metadata.un.org/sdg/ontology#Goal'
"""

from __future__ import annotations

from ..iris import PREFIXES

GA = PREFIXES["ga"]
ORG = PREFIXES["org"]


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace (the longest match wins), else the IRI."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    rest = iri[len(PREFIXES[best]) :] if best else ""
    return f"{best}:{rest}" if best and rest and "/" not in rest and "#" not in rest else iri


def expand(value: str) -> str | None:
    """The IRI of ``prefix:local`` or of a full http(s) IRI; ``None`` for anything else."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and local:
        return PREFIXES[prefix] + local
    return None


def short_label(text: str, size: int = 48) -> str:
    """A label short enough to draw; the tooltip and the tables keep the full text."""
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def capitalised(text: str) -> str:
    """A class name as the site shows it, capitalised one way whatever its vocabulary did («fuente
    bibliográfica», «entidad (PROV)» next to «Municipio»).

    >>> capitalised("fuente bibliográfica"), capitalised("Municipio"), capitalised("")
    ('Fuente bibliográfica', 'Municipio', '')
    """
    return text[:1].upper() + text[1:]
