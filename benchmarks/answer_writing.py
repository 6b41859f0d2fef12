"""Where a worker's time goes on a large answer, beside the engine's own: evaluation, graphapp's result writer
against pyoxigraph's native serialiser (the peer, measured in the same run), and the ``ORDER BY`` rewrite.

    python benchmarks/answer_writing.py [--triples 1000000] [--data DIR] [--runs 3] [--max-rows N]

Loads the shipped data (without the restricted folder) and ``graphapp generate --triples N`` (or the Turtle files
of ``--data``, e.g. the folder ``benchmarks/scale.py --reuse-data`` keeps) into one in-memory pyoxigraph store, one
graph per file, then for each example query named in ``--queries`` (by default those of the example mix of
``benchmarks/scale.py`` at 10^6 that answer with thousands of rows; some other examples run for minutes at 10^6),
best of ``--runs``:

- **engine**: the query evaluated and its solutions counted (nothing written);
- **graphapp JSON**: evaluated and written by :func:`graphapp.results.write_solutions`, as a query worker does
  (the solutions read with ``tuple(solution)``, the caps of the default settings);
- **native JSON**: evaluated and written by pyoxigraph's ``QuerySolutions.serialize`` (no caps);
- **rewritten ORDER BY**: evaluated (counted) with graphapp's ``ORDER BY`` rewrite and its sort-key function
  (:mod:`graphapp.engine_order`), against the engine's own sort above.

Prints a Markdown table. Run on demand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUERIES = ("practice-benefits", "practice-sources", "key-actions", "metrica-states-ranking")

from graphapp import results  # noqa: E402
from graphapp.config import Settings  # noqa: E402
from graphapp.engine_order import CUSTOM_FUNCTIONS, rewrite_order_by  # noqa: E402


def _files(extra: Path | None) -> list[Path]:
    files = sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "data").rglob("*.ttl"))
    files = [f for f in files if "restricted" not in f.parts]
    return files + (sorted(extra.rglob("*.ttl")) if extra is not None else [])


def _best(runs: int, call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--triples", type=int, default=1_000_000)
    p.add_argument("--data", type=Path, help="Turtle files to load instead of generating --triples")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--max-rows", type=int, help="the writer's row cap (default: GRAPHAPP_MAX_ROWS's default)")
    p.add_argument("--queries", default=",".join(QUERIES), help="example queries (names without example-)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="answer-writing-") as tmp:
        extra = args.data
        if extra is None and args.triples:
            extra = Path(tmp) / "synthetic"
            subprocess.run(
                [sys.executable, "-m", "graphapp.cli", "generate", "--triples", str(args.triples), "--out", str(extra)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        store = ox.Store()
        t0 = time.perf_counter()
        for f in _files(extra):
            store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f.as_uri()))
        print(
            f"{len(store):,} quads loaded in {time.perf_counter() - t0:.1f} s; best of {args.runs} runs, ms\n",
            flush=True,
        )
    settings = Settings.from_env({})
    limits = results.Limits(rows=args.max_rows or settings.max_rows, bytes=settings.max_response_bytes)
    fmt = results.format_by_key("json")
    print("| query | rows | engine | graphapp JSON | native JSON | writing: graphapp / native | rewritten ORDER BY |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in args.queries.split(","):
        path = ROOT / "graphapp" / "queries" / f"example-{name.strip()}.rq"
        text = path.read_text(encoding="utf-8")

        def run(query: str = text, functions: object = None) -> ox.QuerySolutions:
            answer = store.query(query, use_default_graph_as_union=True, custom_functions=functions)
            assert isinstance(answer, ox.QuerySolutions), "a SELECT example"
            return answer

        rows = sum(1 for _ in run())
        engine = _best(args.runs, lambda: sum(1 for _ in run()))

        def ours() -> bytes:
            answer = run()
            variables = [v.value for v in answer.variables]
            return results.write_solutions(variables, (tuple(s) for s in answer), fmt, limits).body

        def native() -> bytes:
            out = io.BytesIO()
            run().serialize(out, ox.QueryResultsFormat.JSON)
            return out.getvalue()

        graphapp_s, native_s = _best(args.runs, ours), _best(args.runs, native)
        rewritten = rewrite_order_by(text)
        order = "–"
        if rewritten != text:
            sorted_s = _best(args.runs, lambda query=rewritten: sum(1 for _ in run(query, CUSTOM_FUNCTIONS)))
            order = f"{sorted_s * 1000:.0f}"
        ratio = (graphapp_s - engine) / max(native_s - engine, 1e-3)
        print(
            f"| `{path.stem}` | {rows:,} | {engine * 1000:.0f} | {graphapp_s * 1000:.0f} | {native_s * 1000:.0f} "
            f"| {ratio:.1f}x | {order} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
