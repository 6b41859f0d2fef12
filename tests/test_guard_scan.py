"""The public endpoint's keyword scan reads the same tokens as before, in one linear pass (issue 19, item 1):
a query shaped to make the scan quadratic no longer freezes the web process. The size sweep that shows the
linear time is a benchmark (benchmarks/guard_scan.py, docs/benchmarks.md), not a timed test."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.guard_scan import SHAPES, reference_tokens
from graphapp.sparql_guard import tokenize

# the characters that decide where tokens start and end, and a few ordinary ones
_ALPHABET = st.sampled_from(list("aZé_-.:%\\#<>\"'?$ \n\r\t{}()0:u") + ["\\u0041", "'''", '"""', "SERVICE"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_the_scan_reads_the_tokens_the_grammar_gives(text: str) -> None:
    assert [(t.kind, t.text) for t in tokenize(text)] == reference_tokens(text)


def test_the_scan_of_every_adversarial_shape_matches_the_reference() -> None:
    for make in SHAPES.values():
        text = make(3000)
        assert [(t.kind, t.text) for t in tokenize(text)] == reference_tokens(text)
