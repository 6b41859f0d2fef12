"""Minimal reproduction: pyoxigraph aborts the process when ORDER BY sorts numbers mixed with other literals
(here plain strings) whose text orders differently from the numbers' values. See pyoxigraph-order-by-abort.md next
to this file.

Usage: python pyoxigraph_order_by_mixed_abort.py [N]   (N values, default 24; 20 or fewer sort fine)
Expected: prints the sorted count. Observed with pyoxigraph 0.5.13: a Rust panic, then SIGABRT (exit 134).
"""

import sys

import pyoxigraph

n = int(sys.argv[1]) if len(sys.argv) > 1 else 24
# odd i: the xsd:integer i; even i: the xsd:string "i" (same digits, not a number)
values = " ".join(str(i) if i % 2 else f'"{i}"' for i in range(n))
print("pyoxigraph", pyoxigraph.__version__, "sorting", n, "integers and strings", flush=True)
rows = list(pyoxigraph.Store().query(f"SELECT ?o WHERE {{ VALUES ?o {{ {values} }} }} ORDER BY ?o"))
print("sorted", len(rows), "rows")
