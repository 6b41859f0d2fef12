"""Writes are atomic and durable: once a client has its 2xx, the write survives SIGKILL of every process of the
service and a restart; concurrent writers neither interleave nor lose anything. Real servers, a store on disk.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from . import servers

TOKEN = "token-for-the-durability-tests"
HEADERS = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/gakg/graph/contrib/pruebas"
ITEM = "https://w3id.org/gakg/id/x/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NOTE = "http://www.w3.org/2004/02/skos/core#note"


def _write(n: str) -> str:
    """One write of two statements: a half-written one would show one without the other."""
    return f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{ITEM}{n}> <{LABEL}> "item {n}" . <{ITEM}{n}> <{NOTE}> "pair {n}" }} }}'


def _present(base: str) -> tuple[set[str], set[str]]:
    query = f"SELECT ?s ?p WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    r = httpx.get(
        base + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    labels, notes = set(), set()
    for b in r.json()["results"]["bindings"]:
        item = b["s"]["value"].removeprefix(ITEM)
        (labels if b["p"]["value"] == LABEL else notes).add(item)
    return labels, notes


def _start(tmp: Path, store: Path, n: int) -> tuple[object, str]:
    log = tmp / f"server-{n}.log"
    proc, base = servers.start(log, GRAPHAPP_STORE_DIR=str(store), GRAPHAPP_UPDATE_TOKEN=TOKEN)
    servers.wait(proc, base, log)
    return proc, base


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "store"


def test_acknowledged_writes_survive_sigkill_of_every_process(tmp_path: Path, store: Path) -> None:
    rng = random.Random(20261201)  # noqa: S311 - reproducible kill times, not a secret
    acknowledged: list[str] = []
    kills = 20
    for round_ in range(kills):
        proc, base = _start(tmp_path, store, round_)
        stop = threading.Event()

        def writer(base: str = base, round_: int = round_, stop: threading.Event = stop) -> None:
            i = 0
            with httpx.Client(timeout=10) as client:
                while not stop.is_set():
                    n = f"r{round_}-{i}"
                    try:
                        r = client.post(base + "/sparql/update", content=_write(n).encode(), headers=HEADERS)
                    except httpx.HTTPError:
                        return  # the server died mid-request: not acknowledged
                    if r.status_code == 204:
                        acknowledged.append(n)
                    i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(rng.uniform(0.2, 1.5))  # kill at a random point, writes in flight
        servers.kill_hard(proc)  # type: ignore[arg-type]
        stop.set()
        thread.join(timeout=30)
    proc, base = _start(tmp_path, store, kills)
    try:
        labels, notes = _present(base)
        assert len(acknowledged) >= 1, f"only {len(acknowledged)} writes acknowledged: the test proves little"
        missing = [n for n in acknowledged if n not in labels]
        assert missing == [], f"{len(missing)} acknowledged writes lost: {missing[:5]}"
        assert labels == notes, "a half-written change: one statement without the other"
        # the history survived too: a sample of the writes that are there each has exactly its one change
        for n in sorted(labels)[:: max(1, len(labels) // 15)]:
            changes = httpx.get(f"{base}/api/history/{ITEM}{n}", timeout=30).json()["changes"]
            assert [c["method"] for c in changes] == ["update"], (n, changes)
    finally:
        servers.stop(proc)  # type: ignore[arg-type]


def test_concurrent_writers_lose_nothing(tmp_path: Path, store: Path) -> None:
    proc, base = _start(tmp_path, store, 0)
    try:
        statuses: list[int] = []

        def writer(w: int) -> None:
            with httpx.Client(timeout=60) as client:
                for i in range(6):
                    r = client.post(base + "/sparql/update", content=_write(f"w{w}-{i}").encode(), headers=HEADERS)
                    statuses.append(r.status_code)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert statuses == [204] * 48, statuses
        labels, notes = _present(base)
        assert labels == notes == {f"w{w}-{i}" for w in range(8) for i in range(6)}
    finally:
        servers.stop(proc)  # type: ignore[arg-type]
    # and after a clean restart, still all there
    proc, base = _start(tmp_path, store, 1)
    try:
        labels, _ = _present(base)
        assert len(labels) == 48
    finally:
        servers.stop(proc)  # type: ignore[arg-type]
