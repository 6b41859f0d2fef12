"""The keyword scan of the public endpoint (graphapp.sparql_guard) takes time linear in the query's length.

A size sweep over query shapes that made the scan quadratic before issue 19 (``a-a-a-…``: every letter started
a prefixed name that was read to the end of the run; ``"\\"\\"…``: every quote started a string that was read to
the end of the line), and ordinary queries for scale. The peer, measured in the same run, is the scan as it was:
one regular expression with alternatives (:data:`REFERENCE_TOKEN`, kept here and in the tests as the reference
for what the tokens must be). Linear time shows as a time per character that stays flat as the size doubles;
quadratic time doubles it. Writes a section of docs/benchmarks.md with ``--out``.

    python benchmarks/guard_scan.py                       # prints the table
    python benchmarks/guard_scan.py --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.report import replace_section
from graphapp.sparql_guard import tokenize

_ECHAR = r"\\."
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PN_LOCAL_ESC = r"""\\[_~.\-!$&'()*+,;=/?\#@%]"""  # escaped characters allowed inside a local name
_PERCENT = r"%[0-9A-Fa-f]{2}"
REFERENCE_TOKEN = re.compile(
    rf"""
    (?P<comment>\#[^\r\n]*)                     # a comment ends at CR or LF (grammar: 0x0D or 0x0A)
  | (?P<string>
        '''(?:[^'\\]|{_ECHAR}|'(?!''))*'''      # long single-quoted
      | \"\"\"(?:[^"\\]|{_ECHAR}|"(?!""))*\"\"\"  # long double-quoted
      | '(?:[^'\\\n\r]|{_ECHAR})*'              # short single-quoted: no raw line break
      | "(?:[^"\\\n\r]|{_ECHAR})*"              # short double-quoted
    )
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>
        (?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:      # prefix
        (?:[\w\-.:\u00B7-\uFFFF]|{_PERCENT}|{_PN_LOCAL_ESC})*  # local name, escapes included
    )
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>\S)
    """,
    re.VERBOSE,
)


def reference_tokens(text: str) -> list[tuple[str, str]]:
    """The tokens as the scan before issue 19 read them (kind, text), comments left out: quadratic, but the
    reference for what the tokens must be."""
    return [(m.lastgroup or "other", m.group()) for m in REFERENCE_TOKEN.finditer(text) if m.lastgroup != "comment"]


SHAPES: dict[str, Callable[[int], str]] = {
    "a-a-a-… (prefixed-name run)": lambda n: "SELECT * { ?s ?p ?o } #\n" + "a-" * (n // 2),
    '"\\"\\"… (unclosed string)': lambda n: 'SELECT * { ?s ?p "' + '\\"' * (n // 2),
    "'''\\'… (unclosed long string)": lambda n: "ASK { ?s ?p '''" + "\\'''" * (n // 4),
    "ordinary query, repeated": lambda n: (
        'PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:p "x" ; ex:q ?o . FILTER(?o > 3) }\n' * (n // 90 + 1)
    )[:n],
}


def _time(scan: Callable[[str], object], text: str, budget: float) -> float | None:
    """Seconds per call (best of 3), or None when one call passes ``budget`` seconds."""
    best = None
    for _ in range(3):
        start = time.perf_counter()
        scan(text)
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
        if took > budget:
            break
    return best


def sweep(sizes: list[int], budget: float) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for shape, make in SHAPES.items():
        peer_stopped = False
        for n in sizes:
            text = make(n)
            ours = _time(tokenize, text, budget)
            peer = None if peer_stopped else _time(reference_tokens, text, budget)
            if peer is not None and peer > budget:
                peer_stopped = True
            rows.append({"shape": shape, "chars": len(text), "ours": ours, "peer": peer})
    return rows


def _per_kchar(seconds: object, chars: int) -> str:
    return f"{float(seconds) * 1e9 / chars:,.1f}" if isinstance(seconds, float) else "–"


def render(rows: list[dict[str, object]], command: str) -> str:
    lines = [
        "## The keyword scan: a size sweep (issue 19)",
        "",
        f"`{command}`. Microseconds per 1,000 characters (flat as the size doubles: linear); the peer is the scan",
        "before issue 19, one regular expression with alternatives, in the same run (– : not run past a call of",
        "more than the budget).",
        "",
        "| shape | characters | scan now, µs/kchar | scan before, µs/kchar | before / now |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        chars = int(row["chars"])  # type: ignore[call-overload]
        ours, peer = row["ours"], row["peer"]
        ratio = f"{peer / ours:,.1f}x" if peer is not None and ours else "–"  # type: ignore[operator]
        lines.append(
            f"| {row['shape']} | {chars:,} | {_per_kchar(ours, chars)} | {_per_kchar(peer, chars)} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,20000,40000,80000,160000")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds: the peer stops past one call this long")
    parser.add_argument("--out", type=Path, help="replace this section in a Markdown file (docs/benchmarks.md)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    command = "python benchmarks/guard_scan.py" + (
        f" --sizes {args.sizes}" if args.sizes != parser.get_default("sizes") else ""
    )
    table = render(sweep(sizes, args.budget), command)
    print(table)
    if args.out:
        replace_section(args.out, "guard-scan", table)


if __name__ == "__main__":
    main()
