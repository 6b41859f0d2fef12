"""The RDF files of the project: which files exist, which named graph each one fills, how to parse them.

Every Turtle file is one named graph, named after its path: ``data/presentacion/historia.ttl`` is
``<https://w3id.org/gakg/graph/presentacion/historia>``, ``ontology/gakg.ttl`` is ``.../graph/ontology/gakg``.
Personal data lives in the restricted folder (setting ``GRAPHAPP_RESTRICTED_DIR``, outside the repository; a file
``x.ttl`` there fills ``…/graph/restricted/x``). Its files, and any under ``data/restricted/``, are listed only when
asked for, so the public service, dumps and exports never read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .config import Settings
from .iris import GRAPH

RESTRICTED_DIR = "restricted"


class RdfSyntaxError(Exception):
    """A data file does not parse; carries the file and line for a one-line, traceback-free message."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SourceFile:
    """One Turtle file and the named graph it fills."""

    path: Path
    graph: str
    restricted: bool = False


def graph_iri_for(path: Path, root: Path, prefix: str = "") -> str:
    """Name the graph of a file from its path below ``root``.

    >>> graph_iri_for(Path("/x/data/presentacion/historia.ttl"), Path("/x/data"))
    'https://w3id.org/gakg/graph/presentacion/historia'
    """
    rel = path.resolve().relative_to(root.resolve()).with_suffix("")
    return str(GRAPH[prefix + rel.as_posix()])


def discover(settings: Settings, *, include_restricted: bool = False) -> list[SourceFile]:
    """List the ontology and data files in a stable order (ontology first)."""
    files = [
        SourceFile(p, graph_iri_for(p, settings.ontology_dir, "ontology/"))
        for p in sorted(settings.ontology_dir.glob("*.ttl"))
    ]
    outside = settings.restricted_path.resolve() if settings.restricted_path else None
    for p in sorted(settings.data_dir.rglob("*.ttl")):
        if outside is not None and p.resolve().is_relative_to(outside):
            continue  # the restricted folder placed under data/: listed below, once
        restricted = p.relative_to(settings.data_dir).parts[0] == RESTRICTED_DIR
        if restricted and not include_restricted:
            continue
        files.append(SourceFile(p, graph_iri_for(p, settings.data_dir), restricted))
    if include_restricted and outside is not None and outside.is_dir():
        files += [
            SourceFile(p, graph_iri_for(p, outside, RESTRICTED_DIR + "/"), True) for p in sorted(outside.rglob("*.ttl"))
        ]
    return files


def local_file(path: Path) -> SourceFile:
    """A file given on the command line, outside the project's folders, in a graph of its own."""
    return SourceFile(path, str(GRAPH["local/" + path.stem]))


def parse(source: SourceFile) -> Iterator[ox.Quad]:
    """Parse one Turtle file into quads of its graph; a syntax error becomes :class:`RdfSyntaxError`."""
    graph = ox.NamedNode(source.graph)
    try:
        with source.path.open("rb") as fh:
            triples = list(ox.parse(fh, format=ox.RdfFormat.TURTLE, base_iri=source.path.resolve().as_uri()))
    except SyntaxError as exc:
        raise RdfSyntaxError(source.path, exc.lineno, _short(str(exc))) from None
    except OSError as exc:
        raise RdfSyntaxError(source.path, None, exc.strerror or "cannot be read") from None
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, graph)


def parse_all(sources: Iterable[SourceFile]) -> list[ox.Quad]:
    """Parse several files; the first file that does not parse stops everything."""
    quads: list[ox.Quad] = []
    for source in sources:
        quads.extend(parse(source))
    return quads


def _short(message: str) -> str:
    # pyoxigraph appends "(file, line N)"; the caller already says where.
    return message.split(" (", 1)[0] if message.endswith(")") and " (" in message else message
