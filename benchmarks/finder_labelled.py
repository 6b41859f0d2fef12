"""Precision and recall of the practice finder on the labelled descriptions of issue 17
(``tests/finder_eval_commitments.json``), for this checkout and, with ``--before DIR``, for another checkout of
the project (the finder as it was), measured in the same run through the same HTTP API.

For each description the first result counts (what a person reads first):

- precision: of the descriptions that got any result, the share whose first result is one of the expected ones;
- recall: of the descriptions that have an answer in the graph, the share whose first result is expected;
- false matches: of the descriptions with no answer in the graph, the share that got a result anyway.

    python benchmarks/finder_labelled.py                          # this checkout
    git worktree add /tmp/before b0ce627
    python benchmarks/finder_labelled.py --before /tmp/before --out docs/finder.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import replace_section  # noqa: E402

LABELLED = ROOT / "tests" / "finder_eval_commitments.json"

# run inside the checkout measured (its own graphapp and data), answering one JSON line per description
_PROBE = """
import json, sys
from fastapi.testclient import TestClient
from graphapp.config import Settings
from graphapp.web.app import create_app

def main():
    queries = json.loads(sys.stdin.read())
    settings = Settings.from_env({"GRAPHAPP_STORE_DIR": ":memory:"}, workers=1)
    with TestClient(create_app(settings)) as client:
        for q in queries:
            r = client.get("/api/practices/search", params={"q": q["q"], "lang": q["lang"]})
            results = r.json().get("results", []) if r.status_code == 200 else []
            print(json.dumps([x["iri"] for x in results]), flush=True)

if __name__ == "__main__":
    main()
"""


def answers(checkout: Path, queries: list[dict[str, object]]) -> list[list[str]]:
    """The IRIs each description gets from the finder of ``checkout``, in order."""
    probe = checkout / ".finder_probe.py"
    probe.write_text(_PROBE, encoding="utf-8")
    try:
        env = {**os.environ, "PYTHONPATH": str(checkout), "GRAPHAPP_LOG_LEVEL": "WARNING"}
        out = subprocess.run(
            [sys.executable, str(probe)],
            input=json.dumps(queries),
            capture_output=True,
            text=True,
            cwd=checkout,
            env=env,
            check=True,
            timeout=900,
        ).stdout
    finally:
        probe.unlink()
    return [json.loads(line) for line in out.splitlines() if line.startswith("[")]


def _is(iri: str, expected: str) -> bool:
    return iri == expected or iri.lower().endswith("/" + expected.lower())


def score(queries: list[dict[str, object]], got: list[list[str]]) -> dict[str, object]:
    answered = correct = with_answer = found = none = false = 0
    rows = []
    for q, iris in zip(queries, got, strict=True):
        expected = list(q["expected"])  # type: ignore[call-overload]
        first = iris[0] if iris else None
        ok = first is not None and any(_is(first, e) for e in expected)
        answered += first is not None
        correct += ok
        if expected:
            with_answer += 1
            found += ok
        else:
            none += 1
            false += first is not None
        rows.append({"q": q["q"], "first": first, "ok": ok, "expected": expected})
    return {
        "precision": correct / answered if answered else 1.0,
        "recall": found / with_answer if with_answer else 1.0,
        "false_matches": false / none if none else 0.0,
        "answered": answered,
        "with_answer": with_answer,
        "none": none,
        "rows": rows,
    }


def _short(iri: str | None) -> str:
    return "—" if iri is None else iri.rsplit("/", 1)[-1]


def render(after: dict, before: dict | None, command: str) -> str:
    lines = [
        "## Labelled descriptions of issue 17: precision and recall",
        "",
        f"`{command}`. {after['with_answer']} descriptions with an answer in the graph (a commitment or a practice),",
        f"{after['none']} without; the first result counts. Set: `tests/finder_eval_commitments.json`.",
        "",
        "| | precision | recall | false matches |",
        "|---|---:|---:|---:|",
    ]
    for name, m in (("before", before), ("after", after)):
        if m is not None:
            lines.append(f"| {name} | {m['precision']:.0%} | {m['recall']:.0%} | {m['false_matches']:.0%} |")
    lines += ["", "| description | expected | before | after |", "|---|---|---|---|"]
    for i, row in enumerate(after["rows"]):
        was = before["rows"][i]["first"] if before else None
        lines.append(
            f"| {row['q']} | {', '.join(_short(e) for e in row['expected']) or '(nothing)'} | "
            f"{_short(was) if before else ''} | {_short(row['first'])}{' ✓' if row['ok'] else ''} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout of the project: the finder as it was")
    parser.add_argument("--out", type=Path, help="write the section into this Markdown file (docs/finder.md)")
    args = parser.parse_args(argv)
    queries = json.loads(LABELLED.read_text(encoding="utf-8"))["queries"]
    after = score(queries, answers(ROOT, queries))
    before = score(queries, answers(args.before.resolve(), queries)) if args.before else None
    command = "python benchmarks/finder_labelled.py" + (
        " --before <checkout of the earlier main>" if args.before else ""
    )
    table = render(after, before, command)
    print(table)
    if args.out:
        replace_section(args.out, "finder-labelled", table)


if __name__ == "__main__":
    main()
