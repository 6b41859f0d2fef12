"""Users' queries read one in-memory copy of the graph that the query workers share (graphapp.zygote): every worker
sees a write as soon as it is acknowledged, a query that runs during a write answers from one version, the disk mode
answers the same, and when the copy's process dies the service goes back to the store on disk."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .conftest import make_app_client

TOKEN = "memory-copy-token"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/gakg/graph/contrib/staff"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _insert(client: TestClient, name: str, count: int = 1) -> None:
    statements = " ".join(
        f'<https://w3id.org/gakg/id/prueba/{name}-{i}> <{LABEL}> "{name} {i}"@es .' for i in range(count)
    )
    r = client.post("/sparql/update", content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {statements} }} }}", headers=UPDATE)
    assert r.status_code in (200, 204), r.text


def _count(client: TestClient, name: str, salt: str = "") -> int:
    query = f'SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{LABEL}> ?l FILTER(STRSTARTS(STR(?l), "{name} ")) }} # {salt}'
    r = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return int(r.text.split()[1])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_app_client({"GRAPHAPP_CACHE_MB": "0"}, workers=3, update_token=TOKEN, max_queries_per_client=16) as c:
        yield c


def test_the_query_workers_are_forks_of_one_copy(client: TestClient) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]
    assert service.copy is not None and service.copy.ready
    assert service.pool.on_copy
    assert client.get("/ready").json()["queries_read"] == "memory"


def test_every_worker_sees_a_write_once_it_is_acknowledged(client: TestClient) -> None:
    assert _count(client, "visto") == 0
    _insert(client, "visto", 2)
    # idle workers are taken in turn: nine queries in a row pass through each of the three workers three times
    assert [_count(client, "visto", salt=str(i)) for i in range(9)] == [2] * 9
    _insert(client, "visto-otra", 1)
    assert [_count(client, "visto-otra", salt=str(i)) for i in range(9)] == [1] * 9


def test_a_query_that_runs_during_a_write_answers_from_one_version(client: TestClient) -> None:
    """A slow count over the written graph, joined with every typed entity: the write lands while it runs, and
    its answer is the count before the write (times the same factor), never a mix."""
    _insert(client, "durante", 50)
    values = " ".join(str(k) for k in range(200))
    factor_query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a ?c VALUES ?k {{ {values} }} }}"
    factor = int(client.post("/sparql", data={"query": factor_query}, headers={"Accept": "text/csv"}).text.split()[1])
    slow = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s <{LABEL}> ?l }} ?x a ?c VALUES ?k {{ {values} }} "
        f'FILTER(STRSTARTS(STR(?l), "durante ")) }}'
    )
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        running = pool.submit(client.post, "/sparql", data={"query": slow}, headers={"Accept": "text/csv"})
        time.sleep(0.3)
        _insert(client, "durante", 80)  # 30 more
        written = time.monotonic() - started
        answer = running.result()
    assert answer.status_code == 200, answer.text
    assert time.monotonic() - started > written  # the write was acknowledged while the query ran
    assert int(answer.text.split()[1]) == 50 * factor
    assert _count(client, "durante") == 80


def test_the_disk_mode_answers_the_same() -> None:
    with make_app_client({"GRAPHAPP_CACHE_MB": "0", "GRAPHAPP_QUERY_COPY": "disk"}, update_token=TOKEN) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        assert service.copy is None and not service.pool.on_copy
        assert client.get("/ready").json()["queries_read"] == "disk"
        _insert(client, "disco", 3)
        assert _count(client, "disco") == 3


def test_when_the_copy_dies_the_queries_go_back_to_the_store_on_disk() -> None:
    with make_app_client({"GRAPHAPP_CACHE_MB": "0"}, workers=2, update_token=TOKEN) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        _insert(client, "antes", 2)
        assert _count(client, "antes") == 2
        os.kill(service.copy.pid, signal.SIGKILL)
        _insert(client, "despues", 4)  # the copy cannot take it: the workers move to the disk snapshot
        assert [_count(client, "despues", salt=str(i)) for i in range(4)] == [4] * 4
        assert _count(client, "antes") == 2
        assert not service.pool.on_copy
        assert client.get("/ready").json()["queries_read"] == "disk"


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_writes_while_the_copy_serves_leave_the_snapshot_for_when_a_worker_needs_the_disk() -> None:
    """A write while the copy serves makes no snapshot on disk (a checkpoint per write); when the copy and its
    workers die, the workers that replace them read a snapshot made then, of the current version."""
    with make_app_client({"GRAPHAPP_CACHE_MB": "0"}, workers=2, update_token=TOKEN) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        snapshots = sorted(service.workdir.glob("snapshot-*"))
        _insert(client, "tarde", 2)
        _insert(client, "tarde-b", 1)
        assert service.pool.snapshot_behind
        assert sorted(service.workdir.glob("snapshot-*")) == snapshots  # no snapshot per write
        zygote = service.copy.pid
        workers = _children(zygote)
        assert workers, "the copy's workers are the zygote's children"
        for pid in [zygote, *workers]:
            os.kill(pid, signal.SIGKILL)
        answers = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(answers) < 4:
            r = client.post("/sparql", data={"query": f"ASK {{ ?s ?p ?o }} # {len(answers)} {time.monotonic()}"})
            if r.status_code == 200:
                answers.append(_count(client, "tarde", salt=str(time.monotonic())))
        assert answers == [2] * 4
        assert not service.pool.on_copy and not service.pool.snapshot_behind
        assert client.get("/ready").json()["queries_read"] == "disk"


SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } }"


@pytest.mark.parametrize(("dirty_mb", "replaced"), [(1, True), (4096, False)])
def test_a_worker_that_made_the_copy_its_own_past_the_limit_is_replaced(dirty_mb: int, replaced: bool) -> None:
    """A scanning query copies the pages of the copy it reads into its worker; past GRAPHAPP_WORKER_DIRTY_MB the
    worker is replaced by a fresh fork after its job (the total stays near one copy), below it the worker stays."""
    with make_app_client({"GRAPHAPP_CACHE_MB": "0", "GRAPHAPP_WORKER_DIRTY_MB": str(dirty_mb)}, workers=1) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        assert service.pool.on_copy and service.pool.dirty_limit_mb == dirty_mb
        assert client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        # the worker that answered may have been one on the disk snapshot, replaced after its job by a fork of the
        # copy in the background: wait for that fork
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_children(service.copy.pid)) != 1:
            time.sleep(0.05)
        before = set(_children(service.copy.pid))
        assert len(before) == 1, "one worker, forked by the zygote"
        r = client.post("/sparql", data={"query": SCAN}, headers={"Accept": "text/csv"})
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (set(_children(service.copy.pid)) == before) == replaced:
            time.sleep(0.05)
        after = set(_children(service.copy.pid))
        assert (after != before) == replaced, (before, after)
        # the replacement (or the kept worker) answers the same
        again = client.post("/sparql", data={"query": SCAN + " # again"}, headers={"Accept": "text/csv"})
        assert again.text == r.text


def test_the_dirty_limit_is_a_positive_setting() -> None:
    from graphapp.config import ConfigError, Settings

    assert Settings.from_env({}).worker_dirty_mb == 64
    with pytest.raises(ConfigError, match="GRAPHAPP_WORKER_DIRTY_MB"):
        Settings.from_env({"GRAPHAPP_WORKER_DIRTY_MB": "0"})


def _cpu_ticks(pid: int) -> int:
    """User and system CPU time of a process so far, in clock ticks (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_queries_one_after_another_go_to_the_warmest_worker() -> None:
    """A worker on the copy faults in the pages its queries write to; the pool hands the next query to the worker
    that answered the last one, not to the next in turn, so one client's queries stay in one worker: with three
    workers, one does (nearly) all the work."""
    with make_app_client({"GRAPHAPP_CACHE_MB": "0"}, workers=3) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        assert client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_children(service.copy.pid)) != 3:
            time.sleep(0.05)
        workers = _children(service.copy.pid)
        assert len(workers) == 3, "three workers, forked by the zygote"
        before = {pid: _cpu_ticks(pid) for pid in workers}
        for n in range(24):
            r = client.post("/sparql", data={"query": SCAN + f" # {n}"}, headers={"Accept": "text/csv"})
            assert r.status_code == 200, r.text
        assert set(_children(service.copy.pid)) == set(workers), "no worker was replaced meanwhile"
        spent = sorted((_cpu_ticks(pid) - before[pid] for pid in workers), reverse=True)
        assert spent[0] > 0 and spent[0] >= 0.8 * sum(spent), spent


@pytest.mark.parametrize(("dirty_mb", "replaced"), [(12, False), (4, True)])
def test_the_dirty_limit_is_a_budget_for_the_pool(dirty_mb: int, replaced: bool) -> None:
    """GRAPHAPP_WORKER_DIRTY_MB × GRAPHAPP_WORKERS is what the workers together may make their own: a scan that
    dirties about 18 MB of the shipped data's copy keeps its worker under a limit of 12 MB per worker while the two
    others are idle (about 2.5 MB each: 23 MB of a budget of 36), and not under 4 MB (a budget of 12)."""
    with make_app_client({"GRAPHAPP_CACHE_MB": "0", "GRAPHAPP_WORKER_DIRTY_MB": str(dirty_mb)}, workers=3) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        assert client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_children(service.copy.pid)) != 3:
            time.sleep(0.05)
        before = set(_children(service.copy.pid))
        assert len(before) == 3
        r = client.post("/sparql", data={"query": SCAN}, headers={"Accept": "text/csv"})
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (set(_children(service.copy.pid)) == before) == replaced:
            time.sleep(0.05)
        assert (set(_children(service.copy.pid)) != before) == replaced
