"""The finder's search on the index of a large graph, against another checkout of the project on the same index.

``graphapp.finder.PracticeIndex.search`` of this checkout and of the peer (``--peer-tree``, a ``git worktree`` of an
earlier commit), in the same run:

    python benchmarks/finder_scoring.py --store STORE_DIR/db --peer-tree PEER_CHECKOUT
    python benchmarks/finder_scoring.py --triples 1000000             # the shipped data and generated triples

Builds the finder's index once with the service's builder and saves it; then each checkout, in a process of its
own, reads that file and asks every question of ``tests/finder_eval.json`` (and the one of ``first_page.py``)
``--rounds`` times. Prints each checkout's median per question, the ratio, and whether both gave the same hits
(IRI, score, reasons).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["participación ciudadana en el presupuesto"]  # first_page.py's question


def questions(tree: Path) -> list[str]:
    asked = json.loads((tree / "tests" / "finder_eval.json").read_text(encoding="utf-8"))["queries"]
    return QUESTIONS + [q["q"] for q in asked if q["q"] not in QUESTIONS]


def ask_all(saved_index: Path, tree: Path, rounds: int) -> dict[str, object]:
    """In a process whose ``graphapp`` is the one of ``tree``: each question's median seconds and its hits."""
    sys.path.insert(0, str(tree))
    from graphapp.derived import saved

    index = saved(saved_index)
    if index is None:
        raise SystemExit(f"{saved_index}: not an index this checkout reads")
    out: dict[str, object] = {}
    for q in questions(ROOT):
        seconds = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            hits = index.search(q).hits
            seconds.append(time.perf_counter() - t0)
        out[q] = [statistics.median(seconds), [[h.iri, h.score, h.lang, h.why] for h in hits]]
    return out


def _run(saved_index: Path, tree: Path, rounds: int) -> dict[str, list]:
    done = subprocess.run(
        [sys.executable, __file__, "--saved", str(saved_index), "--tree", str(tree), "--rounds", str(rounds)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(done.stdout)


def measure(store_path: Path, peer: Path | None, rounds: int) -> list[str]:
    from graphapp.derived import save
    from graphapp.finder import PracticeIndex
    from graphapp.store import GraphStore

    t0 = time.monotonic()
    index = PracticeIndex.build(GraphStore.read_only(store_path))
    built = time.monotonic() - t0
    with tempfile.TemporaryDirectory(prefix="finder-scoring-") as tmp:
        path = Path(tmp) / "finder.pickle"
        save(index, path)
        now = _run(path, ROOT, rounds)
        before = _run(path, peer, rounds) if peer else None
    rows = [
        f"{len(index.practices):,} practices and commitments; the index built in {built:.0f} s; median of "
        f"{rounds} searches each",
        "",
        "| question | hits | peer, ms | now, ms | ratio | same hits |" if before else "| question | hits | ms |",
        "|---|---:|---:|---:|---:|---|" if before else "|---|---:|---:|",
    ]
    for q, (took, hits) in now.items():
        shown = q if len(q) <= 60 else q[:57] + "…"
        if before:
            was, their = before[q]
            rows.append(
                f"| «{shown}» | {len(hits)} | {was * 1000:.1f} | {took * 1000:.1f} | {was / took:.1f}x "
                f"| {'yes' if hits == their else '**no**'} |"
            )
        else:
            rows.append(f"| «{shown}» | {len(hits)} | {took * 1000:.1f} |")
    total = sum(took for took, _ in now.values())
    if before:
        was = sum(w for w, _ in before.values())
        slowest = max(w for w, _ in before.values()), max(t for t, _ in now.values())
        same = sum(before[q][1] == hits for q, (_, hits) in now.items())
        rows += [
            "",
            f"All {len(now)} questions: {was:.2f} s by the peer, {total:.2f} s now ({was / total:.1f}x); the slowest "
            f"{slowest[0] * 1000:.0f} ms against {slowest[1] * 1000:.0f} ms; the same hits for {same} of {len(now)}.",
        ]
    else:
        rows += ["", f"All {len(now)} questions: {total:.2f} s."]
    return rows


def options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--peer-tree", type=Path, help="another checkout of the project (e.g. `git worktree add`)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--saved", type=Path, help=argparse.SUPPRESS)  # one checkout's side of the run
    p.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    own = options()
    args, _ = own.parse_known_args(argv)
    if args.saved:
        print(json.dumps(ask_all(args.saved, args.tree, args.rounds), ensure_ascii=False))
        return 0
    sys.path.insert(0, str(ROOT))
    from benchmarks.loaded_store import run_on_a_store

    def measured(store: Path) -> list[str]:
        return measure(store, args.peer_tree, args.rounds)

    return run_on_a_store(argv, __doc__, "finder-scoring-", measured, [own])


if __name__ == "__main__":
    sys.exit(main())
