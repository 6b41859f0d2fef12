"""Where the time of a cheap request goes: an ASK and a small SELECT, stage by stage, beside the bare app.

Stages, each timed alone in this process on the shipped data (median of ``--repeat`` runs, microseconds):

- **guard**: the keyword scan of the web process (``sparql_guard.inspect_query``);
- **parse**: the second reading with rdflib's grammar (``sparql_algebra.confirm_query``), which the worker does;
- **engine**: pyoxigraph evaluating the query on an in-memory store, with the results serialised as JSON;
- **worker round trip**: a job through the query pool (a forked worker on the in-memory copy), which includes the
  parse and the engine;
- **service, in process**: ``GET /sparql`` through the whole application (FastAPI TestClient, answer cache off);
- **bare app, in process**: the same request to ``benchmarks/bare_app.py`` (FastAPI + pyoxigraph, no guard).

Run on demand: ``python benchmarks/cheap_request.py`` (about a minute); ``--out`` writes the Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from graphapp.config import Settings  # noqa: E402
from graphapp.sparql_algebra import confirm_query  # noqa: E402
from graphapp.sparql_guard import inspect_query  # noqa: E402
from graphapp.store import GraphStore  # noqa: E402
from graphapp.web.app import create_app  # noqa: E402
from graphapp.worker import Job  # noqa: E402

QUERIES = {
    "ASK": "PREFIX ga: <https://w3id.org/gakg/ontology#> ASK { ?p a ga:BestPractice ; ga:addressesProblem ?x }",
    "small SELECT": "PREFIX ga: <https://w3id.org/gakg/ontology#> "
    "SELECT ?p ?l WHERE { ?p a ga:BestPractice ; <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 10",
}


def median_us(run: Callable[[], object], repeat: int) -> float:
    run()  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def measure(repeat: int) -> dict[str, dict[str, float]]:
    settings = Settings.from_env({"GRAPHAPP_STORE_DIR": ":memory:", "GRAPHAPP_CACHE_MB": "0"}, workers=1)
    memory = GraphStore.from_settings(settings)
    engine = ox.Store()
    engine.bulk_extend(memory.quads())
    from benchmarks.bare_app import create_app as bare_app

    out: dict[str, dict[str, float]] = {}
    with TestClient(create_app(settings)) as service, TestClient(bare_app(engine)) as bare:
        pool = service.app.state.service.pool  # type: ignore[attr-defined]
        for name, query in QUERIES.items():
            scan = inspect_query(query)
            job = Job(query, scan.form or "SELECT", "json", scan=scan, max_rows=10_000)

            def round_trip(job: Job = job) -> object:
                return asyncio.run(pool.run(job))

            def evaluate(query: str = query) -> object:
                result = engine.query(query, use_default_graph_as_union=True)
                return result.serialize(format=ox.QueryResultsFormat.JSON)

            def post(client: TestClient, query: str = query) -> object:
                headers = {"Accept": "application/sparql-results+json"}
                r = client.get("/sparql", params={"query": query}, headers=headers)
                assert r.status_code == 200, r.text
                return r

            out[name] = {
                "guard": median_us(lambda q=query: inspect_query(q), repeat),
                "parse": median_us(lambda q=query, s=scan: confirm_query(q, s), repeat),
                "engine": median_us(evaluate, repeat),
                "worker round trip": median_us(round_trip, repeat),
                "service, in process": median_us(lambda: post(service), repeat),
                "bare app, in process": median_us(lambda: post(bare), repeat),
            }
    return out


def render(results: dict[str, dict[str, float]], repeat: int) -> str:
    stages = list(next(iter(results.values())))
    lines = [
        f"Median of {repeat} runs, microseconds, shipped data "
        f"(`python benchmarks/cheap_request.py --repeat {repeat}`).",
        "",
        "| stage | " + " | ".join(results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for stage in stages:
        lines.append(f"| {stage} | " + " | ".join(f"{results[q][stage]:,.0f}" for q in results) + " |")
    lines.append(
        "| service / bare app | "
        + " | ".join(f"{results[q]['service, in process'] / results[q]['bare app, in process']:.1f}x" for q in results)
        + " |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    args = parser.parse_args()
    text = render(measure(args.repeat), args.repeat)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
