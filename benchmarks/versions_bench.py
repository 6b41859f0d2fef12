"""What a query on an earlier version costs (``version=N``, docs/versions.md), beside the same query on the current
version, measured in one run against a real ``graphapp serve`` (one web process, answer cache off).

For each size (the shipped data; the shipped data plus 10^6 synthetic triples from ``graphapp generate``):

1. ``WRITES`` SPARQL Updates make that many versions;
2. **peer**: the query on the current version, p50 of ``RUNS`` (after one warm-up);
3. **first on version 1**: the first ``version=1`` request, which builds that version on disk (a checkpoint of the
   current version with the later changes applied backwards), then p50 of ``RUNS`` more;
4. **release**: ``POST /releases`` (dump, count per graph, gzip, into the history); one more write; then the first
   query on the release's version (built going back from the current version: the source files have not changed
   since the release) and p50 of ``RUNS`` more.

Results go to the "versions" section of ``docs/benchmarks.md``. Run on demand:
``python benchmarks/versions_bench.py [--sizes shipped 1e6] [--synthetic DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import replace_section  # noqa: E402
from benchmarks.write_bench import _free_port, copy_loaded, data_dir_for, data_dir_given  # noqa: E402

TOKEN = "bench-token"  # noqa: S105 - a throwaway token for a local benchmark server
WRITES = 20
RUNS = 5
QUERY = "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) LIMIT 20"
CONTRIB = "https://w3id.org/gakg/graph/contrib/staff"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
UPDATE = "application/sparql-update"


def _insert(name: str, label: str) -> str:
    return f'INSERT DATA {{ GRAPH <{CONTRIB}> {{ <https://w3id.org/gakg/id/prueba/{name}> <{LABEL}> "{label}"@es }} }}'


def _timed(client: httpx.Client, base: str, **params: object) -> float:
    t = time.monotonic()
    r = client.get(base + "/sparql", params={"query": QUERY, **params}, headers={"Accept": "text/csv"})
    if r.status_code != 200:
        raise RuntimeError(f"{r.status_code}: {r.text[:300]}")
    return time.monotonic() - t


def _p50(client: httpx.Client, base: str, **params: object) -> float:
    return statistics.median(_timed(client, base, **params) for _ in range(RUNS))


def measure(data: Path, work: Path) -> dict[str, float]:
    port = _free_port()
    env = {
        **os.environ,
        "GRAPHAPP_PORT": str(port),
        "GRAPHAPP_STORE_DIR": str(work / "store"),
        "GRAPHAPP_DATA_DIR": str(data),
        "GRAPHAPP_UPDATE_TOKEN": TOKEN,
        "GRAPHAPP_WRITE_RATE": "100000/minute",
        "GRAPHAPP_CACHE_MB": "0",
    }
    log = (work / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphapp.cli", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        t = time.monotonic()
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() - t > 900:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        copy_loaded(base)
        out: dict[str, float] = {}
        with httpx.Client(timeout=600) as client:
            for i in range(WRITES):
                text = _insert(f"v{i}", f"v{i}")
                r = client.post(base + "/sparql/update", content=text, headers={**auth, "Content-Type": UPDATE})
                if r.status_code != 204:
                    raise RuntimeError(f"update {r.status_code}: {r.text[:300]}")
            current = int(client.get(base + "/health").headers["X-Graph-Version"])
            _timed(client, base)  # warm-up
            out["current_p50"] = _p50(client, base)
            out["version_first"] = _timed(client, base, version=1)
            out["version_p50"] = _p50(client, base, version=1)
            t = time.monotonic()
            r = client.post(
                base + "/releases", data={"name": "bench.1"}, headers={**auth, "Accept": "application/json"}
            )
            if r.status_code != 201:
                raise RuntimeError(f"release {r.status_code}: {r.text[:300]}")
            out["release_s"] = time.monotonic() - t
            # one more write, so that the release's version is no longer the current one
            client.post(
                base + "/sparql/update",
                content=_insert("after", "después"),
                headers={**auth, "Content-Type": UPDATE},
            )
            out["release_first"] = _timed(client, base, version=current)
            out["release_p50"] = _p50(client, base, version=current)
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def render(results: dict[str, dict[str, float]], started: dt.datetime, seconds: float) -> str:
    lines = [
        "## Versions: a query on an earlier version (issue 21)",
        "",
        f"`python benchmarks/versions_bench.py`, {started:%Y-%m-%d %H:%M} UTC, {seconds:.0f} s in all; one web "
        "process, answer cache off, on this machine. The query: the 20 most used classes (`GROUP BY`, a scan). "
        f"The peer is the same query on the current version in the same run (p50 of {RUNS}); `version=1` is the "
        f"graph before the {WRITES} writes that follow it, made from a checkpoint of the current version with those "
        "writes applied backwards, and so is the release's version (made after those writes, queried after one more), "
        "the source files being those it was made from.",
        "",
        "| size | current p50 (peer) | version=1: first (builds it) | version=1: p50 | p50 / peer | release made | "
        "release's version: first | its p50 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, r in results.items():
        lines.append(
            f"| {size} | {r['current_p50'] * 1000:.0f} ms | {r['version_first'] * 1000:.0f} ms "
            f"| {r['version_p50'] * 1000:.0f} ms | {r['version_p50'] / r['current_p50']:.2f}x "
            f"| {r['release_s'] * 1000:.0f} ms | {r['release_first'] * 1000:.0f} ms "
            f"| {r['release_p50'] * 1000:.0f} ms |"
        )
    lines += [
        "",
        "A query on an earlier version runs in the same sandboxed workers, on that version's store on disk (opened "
        "read-only for the query), not on the shared in-memory copy that the current version's queries read. Where "
        "its p50 is below the peer's, the scan was cheaper on that store on disk than on the copy with the default "
        "`GRAPHAPP_WORKER_DIRTY_MB` (the issue-18 sections above: a worker that scanned is replaced by a fresh fork); "
        "the cause was not measured further here.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["shipped", "1e6"])
    parser.add_argument("--synthetic", type=Path, help="synthetic files already generated (for 1e6)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    results: dict[str, dict[str, float]] = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"versions-{size}-") as tmp:
            work = Path(tmp)
            if size != "shipped" and args.synthetic is not None:
                data = data_dir_given(args.synthetic, work)
            else:
                data = data_dir_for(size, work)
            print(f"{size}: measuring", flush=True)
            results[size] = measure(data, work)
            print(f"{size}: {results[size]}", flush=True)
    replace_section(args.out, "versions", render(results, started, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
