"""`graphapp serve` starts its first query worker's process before anything else (`graphapp.executor.prestart`), so
that its interpreter starts and imports beside the web application's: the first pool that spawns a worker takes that
process, which then answers like any other worker."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

from graphapp.executor import Job, WorkerPool, prestart


def _spawned_children() -> list[int]:
    """This process's children started by multiprocessing's spawn (its workers; not its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if parent == os.getpid() and b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            found.append(int(stat.parent.name))
    return found


def test_the_first_pool_takes_the_worker_started_ahead(tmp_path: Path) -> None:
    dump = tmp_path / "graph.nq"
    dump.write_text('<https://e/a> <https://e/p> "uno" <https://e/g> .\n', encoding="utf-8")
    before = set(_spawned_children())  # other tests' services in this process (the suite's shared one)
    ahead = prestart()
    assert ahead is not None
    # a child shows its own command line once it has started its interpreter (until then it is a copy of this one)
    deadline = time.monotonic() + 30
    while ahead not in _spawned_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ahead in _spawned_children()
    pool = WorkerPool(dump, 1, 30.0, workdir=tmp_path, min_ready=1)
    try:
        answer = asyncio.run(pool.run(Job(query="ASK { GRAPH ?g { ?s ?p ?o } }", form="ASK", format_key="json")))
        assert json.loads(answer.body)["boolean"] is True
        # the pool's one worker is that process: no other was started
        assert set(_spawned_children()) - before == {ahead}
    finally:
        pool.close()


def test_a_worker_started_ahead_that_died_is_not_taken(tmp_path: Path) -> None:
    dump = tmp_path / "graph.nq"
    dump.write_text('<https://e/a> <https://e/p> "uno" <https://e/g> .\n', encoding="utf-8")
    ahead = prestart()
    assert ahead is not None
    os.kill(ahead, 9)
    os.waitpid(ahead, 0)
    pool = WorkerPool(dump, 1, 30.0, workdir=tmp_path, min_ready=1)
    try:
        answer = asyncio.run(pool.run(Job(query="ASK { GRAPH ?g { ?s ?p ?o } }", form="ASK", format_key="json")))
        assert json.loads(answer.body)["boolean"] is True
        assert ahead not in _spawned_children()
    finally:
        pool.close()
