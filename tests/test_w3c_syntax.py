"""The W3C SPARQL syntax test suites (SPARQL 1.0 ``syntax-sparql1..5``, SPARQL 1.1 ``syntax-query``,
``syntax-fed``, ``syntax-update-1/2``; copied unchanged with their licence into ``tests/data/w3c-sparql-syntax``)
run through the HTTP endpoints: every positive test answers 200 (204 for an update) or a 400 that names the
feature refused here (SERVICE, LOAD, FROM of a foreign graph, a write this endpoint does not allow...); every
negative test answers 400; nothing answers 5xx. The counts are in the README."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from graphapp.config import PROJECT_ROOT

from .conftest import make_app_client

SUITES = Path(__file__).parent / "data" / "w3c-sparql-syntax"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
DAWGT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
TOKEN = "w3c-suite-token"

#: what a 400 for a positive test may name: a feature this read-only, offline endpoint refuses on purpose
REFUSALS = re.compile(
    r"SERVICE is not allowed|LOAD is not allowed|is not a graph of this dataset|DROP/CLEAR ALL|"
    r"source graph|restricted|outside|GRAPH \?|Updates are not allowed|not supported|unsupported|"
    r"custom function|read-only|may not write|only writes|Relative IRI",
    re.IGNORECASE,
)


#: negative tests both engines accept, with the reason; each must still behave as recorded here (so a fix shows)
KNOWN = {
    "syntax-sparql3/syn-bad-26.rq": (
        200,
        "SPARQL 1.0's longest-token rule makes `<?a&&?b>` in FILTER (?x<?a&&?b>?y) an IRI (so a syntax error); "
        "rdflib and pyoxigraph both read `<` as less-than",
    ),
}


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    path: Path
    update: bool
    positive: bool


def cases() -> list[Case]:
    found: list[Case] = []
    for manifest in sorted(SUITES.glob("*/manifest.ttl")):
        g = rdflib.Graph().parse(manifest, format="turtle")
        for test, kind in g.subject_objects(rdflib.RDF.type):
            name = str(kind).rsplit("#", 1)[-1]
            if not name.endswith(("SyntaxTest", "SyntaxTest11")):
                continue
            if (test, DAWGT.approval, DAWGT.Withdrawn) in g:
                continue
            action = g.value(test, MF.action)
            path = Path(str(action).removeprefix("file://"))
            found.append(Case(manifest.parent.name, path.name, path, "Update" in name, name.startswith("Positive")))
    return sorted(found, key=lambda c: (c.suite, c.name))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_app_client(workers=2, update_token=TOKEN) as c:
        yield c


def run(client: TestClient, case: Case) -> tuple[int, str]:
    body = case.path.read_bytes()
    if case.update:
        r = client.post(
            "/sparql/update",
            content=body,
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {TOKEN}",
                "Accept": "application/json",
            },
        )
    else:
        r = client.post(
            "/sparql",
            content=body,
            headers={"Content-Type": "application/sparql-query", "Accept": "application/json, */*;q=0.1"},
        )
    message = r.json().get("message", "") if r.headers.get("content-type", "").startswith("application/json") else ""
    return r.status_code, message


def test_w3c_syntax_suites(client: TestClient) -> None:
    counts: Counter[str] = Counter()
    wrong: list[str] = []
    for case in cases():
        status, message = run(client, case)
        kind = ("positive" if case.positive else "negative") + (" update" if case.update else " query")
        where = f"{case.suite}/{case.name}: {status} {message[:160]}"
        if f"{case.suite}/{case.name}" in KNOWN:
            assert status == KNOWN[f"{case.suite}/{case.name}"][0], where
            counts[kind + " known exception"] += 1
        elif status >= 500:
            wrong.append("5xx " + where)
        elif case.positive and status in (200, 204):
            counts[kind + " accepted"] += 1
        elif case.positive and status == 400 and REFUSALS.search(message):
            counts[kind + " refused"] += 1
        elif not case.positive and status == 400:
            counts[kind + " rejected"] += 1
        else:
            wrong.append(where)
    assert not wrong, "\n".join(wrong)
    # the README reports these counts: keep them true
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(r"<!-- w3c-syntax -->(.*?)<!-- /w3c-syntax -->", readme, re.S)
    assert row is not None, "the README has no W3C syntax table"
    for key, n in counts.items():
        assert f"| {key} | {n} |" in row.group(1), (key, n, dict(counts))
