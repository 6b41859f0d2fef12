"""The named queries the pages run with bindings: the engine binding them (pyoxigraph's ``substitutions``) against
the bindings written in as constants (``graphapp.store.with_constants``, what the embedded store does).

    python benchmarks/bound_queries.py --triples 1000000
    python benchmarks/bound_queries.py --store STORE_DIR/db      # an existing embedded store, opened read-only

pyoxigraph plans a query before it applies ``substitutions``, so its planner may start from a pattern that matches
the whole graph. Each query runs 5 times each way on the same store (median); the answers are compared.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.loaded_store import median_run, run_on_a_store  # noqa: E402

ID = "https://w3id.org/gakg/id/"
DURANGO = ID + "practica/reubicacion-ladrilleras-durango"
COMMITMENT = ID + "compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto"
# every named query the code runs with bindings, with a binding that has answers in the shipped data (so in every
# generated store too); tests/test_bound_queries.py checks the answers are the engine's own
BOUND = [
    ("entity-describe", {"iri": DURANGO}),
    ("entity-incoming", {"iri": ID + "entidad/durango"}),
    ("entity-sources", {"iri": DURANGO}),
    ("finder-practice-card", {"practice": DURANGO}),
    ("finder-practice-benefits", {"practice": DURANGO}),
    ("finder-practice-sources", {"practice": DURANGO}),
    ("finder-practice-replicability", {"practice": DURANGO}),
    ("finder-problem", {"problem": ID + "problema/contaminacion-por-ladrilleras-en-zonas-habitacionales"}),
    ("all-labels", {"s": DURANGO}),
    ("all-types", {"s": DURANGO}),
    ("search-extra", {"s": "http://metadata.un.org/sdg/C090c01"}),
    ("view-problem-tree", {"c": COMMITMENT}),
    ("view-key-actions", {"c": COMMITMENT}),
    ("view-municipalities", {"state": ID + "entidad/estado-de-mexico"}),
]


def measure(store_path: Path, times: int = 5) -> list[str]:
    import pyoxigraph as ox

    from graphapp import queries
    from graphapp.store import with_constants

    engine = ox.Store.read_only(str(store_path))
    rows = ["| query | rows | engine binds (`substitutions`) | written in | ratio |", "|---|---:|---:|---:|---:|"]
    for name, bindings in BOUND:
        text = queries.load(name).text
        terms = {k: ox.NamedNode(v) for k, v in bindings.items()}
        written = with_constants(text, terms)
        assert written is not None, name
        ways = {
            "engine": lambda text=text, terms=terms: engine.query(
                text, use_default_graph_as_union=True, substitutions={ox.Variable(k): t for k, t in terms.items()}
            ),
            "written": lambda written=written: engine.query(written, use_default_graph_as_union=True),
        }
        took: dict[str, float] = {}
        answers: dict[str, list[str]] = {}
        for way, run in ways.items():
            took[way], answers[way] = median_run(
                lambda run=run: sorted(str(list(solution)) for solution in run()), times
            )
        same = "" if answers["engine"] == answers["written"] else " (answers differ!)"
        ratio = took["engine"] / took["written"] if took["written"] else float("inf")
        rows.append(
            f"| `{name}` | {len(answers['written'])}{same} | {took['engine'] * 1000:.1f} ms "
            f"| {took['written'] * 1000:.1f} ms | {ratio:.1f}x |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_on_a_store(argv, __doc__, "bound-queries-", measure)


if __name__ == "__main__":
    sys.exit(main())
