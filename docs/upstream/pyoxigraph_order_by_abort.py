"""Minimal reproduction: pyoxigraph aborts the process when ORDER BY sorts xsd:dateTime values with and without a
timezone. See pyoxigraph-order-by-abort.md next to this file.

Usage: python pyoxigraph_order_by_abort.py [N]   (N values, default 100; 20 sort fine)
Expected: prints the sorted count. Observed with pyoxigraph 0.5.13: a Rust panic, then SIGABRT (exit 134).
"""

import sys

import pyoxigraph

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
zones = ["", "Z", "+05:00"]  # no timezone, UTC, UTC+5
values = " ".join(
    f'"2020-01-01T{i * 7 // 60 % 24:02d}:{i * 7 % 60:02d}:00{zones[i % len(zones)]}"'
    "^^<http://www.w3.org/2001/XMLSchema#dateTime>"
    for i in range(n)
)
print("pyoxigraph", pyoxigraph.__version__, "sorting", n, "xsd:dateTime values", flush=True)
rows = list(pyoxigraph.Store().query(f"SELECT ?o WHERE {{ VALUES ?o {{ {values} }} }} ORDER BY ?o"))
print("sorted", len(rows), "rows")
