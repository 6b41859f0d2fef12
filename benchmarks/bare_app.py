"""The peer that shows what graphapp's guard, workers and limits cost: a minimal, unguarded FastAPI + pyoxigraph app.

It loads Turtle files into an in-memory pyoxigraph ``Store`` (each file its own named graph, the default graph
the union of them all) and answers ``GET /sparql?query=…`` with the engine's own serialisation: SPARQL JSON for
SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE. No guard, no worker processes, no time, row or size limit,
no cache. **Benchmark only**: never expose it, any query runs as long as it likes.

Run: ``python benchmarks/bare_app.py --port 8001 FILE_OR_FOLDER…`` (folders are searched for ``*.ttl``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from fastapi import FastAPI
from fastapi.responses import Response


def turtle_files(paths: Iterable[Path]) -> list[Path]:
    """The Turtle files named, and those below the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.ttl")) if path.is_dir() else [path]
    return found


def load(files: Iterable[Path]) -> ox.Store:
    store = ox.Store()
    for path in files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.resolve().as_uri()))
    return store


def create_app(store: ox.Store) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        answer = store.query(query, use_default_graph_as_union=True)
        if isinstance(answer, ox.QueryTriples):
            return Response(answer.serialize(format=ox.RdfFormat.N_TRIPLES), media_type="application/n-triples")
        body = answer.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, media_type="application/sparql-results+json")

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("paths", nargs="+", type=Path, help="Turtle files or folders")
    args = parser.parse_args(argv)
    import uvicorn

    app = create_app(load(turtle_files(args.paths)))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
