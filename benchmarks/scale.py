"""Scale and backends: the service on each store backend at each data size, beside two peers, in one run.

For each size (the shipped data alone, then the shipped data plus 10^5, 10^6 or 10^7 synthetic triples from
``graphapp generate``, all in a temporary folder) the script measures, one server at a time on 127.0.0.1:

- **peers**, serving the same Turtle files: the minimal unguarded FastAPI + pyoxigraph app
  (``benchmarks/bare_app.py``, kept running through the size so it can be measured again right before each
  backend: the ratios compare neighbours in time) and rdflib-endpoint;
- **graphapp** on each backend (``GRAPHAPP_STORE=embedded``; ``sparql`` on the Oxigraph server; ``sparql`` on
  Virtuoso, each server started by :mod:`graphapp.triplestores`): load time (``graphapp load`` for the embedded
  store; for a server, the service's first start, which syncs the files into it through SPARQL Update), start time
  with an already-loaded store (process start to the first answered query), memory of the whole service (the web
  process and its query and update workers: RSS and PSS summed over the process tree; the triple store server
  apart), and latency p50/p99 and throughput with 1 and 8 clients for: the named example queries
  (``graphapp/queries/example-*.rq`` through ``/sparql``), an entity page, a graph view, the finder, and a write
  (``INSERT DATA`` through ``/sparql/update`` with a token). The answer cache is off for these (the cost of the
  guard, the workers and the limits); a second start with the cache on measures the example queries again and
  reads the cache's hits and misses from ``/metrics``.

Results go to the "Scale and backends" section of ``docs/benchmarks.md`` (between markers; the other sections
stay). Run on demand, never in the test suite: ``python benchmarks/scale.py --help``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bare_app import turtle_files  # noqa: E402
from benchmarks.report import replace_section  # noqa: E402
from benchmarks.run import (  # noqa: E402
    HOST,
    JSON_RESULTS,
    Limits,
    Phase,
    Server,
    base_env,
    error_kind,
    fmt_ms,
    fmt_ratio,
    free_port,
    loadavg,
    machine_info,
    query_form,
)
from benchmarks.write_bench import CONTRIB, ID, PRACTICE_TTL, PREFIXES, TOKEN, copy_loaded  # noqa: E402
from graphapp.triplestores import RunningServer, start_oxigraph, start_virtuoso  # noqa: E402

DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
SECTION = "scale"
EXAMPLES = sorted((ROOT / "graphapp" / "queries").glob("example-*.rq"))
ENTITY_PAGE = "/id/practica/reubicacion-ladrilleras-durango"
GRAPH_VIEW = "/vistas/general"
FINDER_QUESTIONS = (
    "una fábrica contamina el aire del barrio",
    "gender pay gap",
    "participación ciudadana en el presupuesto",
    "transparencia en compras públicas",
)
#: an example query joins the load mix when the bare app answered it alone within this many seconds
MIX_MAX_SECONDS = 2.0
CLIENT_COUNTS = (1, 8)
BACKENDS = ("embedded", "oxigraph", "virtuoso")
PEERS = ("bare", "rdflib")
WORKLOADS = ("examples", "entity", "view", "finder", "write")
N_TRIPLES = "application/n-triples"
NEWLINE = b"\n"


@dataclass(frozen=True)
class Size:
    key: str
    label: str
    triples: int | None  # synthetic triples added to the shipped data
    limits: Limits  # one load phase
    clients: tuple[int, ...] = CLIENT_COUNTS
    alone_timeout: float = 60.0  # an example query alone (the bare app has no time limit: it is restarted after)
    rdflib: bool = True  # rdflib-endpoint holds 10^7 triples in Python objects: skipped there


SIZES = {
    "shipped": Size("shipped", "shipped data", None, Limits(400, 5, 60)),
    "1e5": Size("1e5", "shipped + 10^5 synthetic triples", 100_000, Limits(400, 5, 60)),
    "1e6": Size("1e6", "shipped + 10^6 synthetic triples", 1_000_000, Limits(400, 6, 90)),
    "1e7": Size("1e7", "shipped + 10^7 synthetic triples", 10_000_000, Limits(100, 8, 120), (1,), 20.0, rdflib=False),
}
QUICK = Limits(40, 2, 60)


# ---------------------------------------------------------------- memory


def tree_memory(pid: int | None) -> dict[str, Any]:
    """RSS and PSS (shared pages divided among the processes that map them) of a process and its descendants, MB;
    PSS is what the tree really costs: a page the web process and a worker both map counts once."""
    if pid is None:
        return {}
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return {}
    rows = []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            info = p.memory_full_info()
            rows.append({"pid": p.pid, "rss": info.rss / 2**20, "pss": getattr(info, "pss", info.rss) / 2**20})
    return {
        "rss": sum(r["rss"] for r in rows),
        "pss": sum(r["pss"] for r in rows),
        "processes": [{"rss": round(r["rss"]), "pss": round(r["pss"])} for r in rows],
    }


# ---------------------------------------------------------------- requests

Request = tuple[str, str, dict[str, str] | None, bytes | None, dict[str, str]]


def summary(phase: Phase) -> dict[str, Any]:
    return {
        "p50": phase.percentile(0.5),
        "p99": phase.percentile(0.99),
        "rps": phase.throughput,
        "ok": phase.ok,
        "errors": phase.errors,
    }


def drive(base: str, make: Callable[[int], Request], clients: int, limits: Limits) -> dict[str, Any]:
    """``clients`` threads (one keep-alive client each) send ``make(i)`` until a request or a time cap."""
    phase, lock = Phase(), threading.Lock()
    sent = 0
    start = time.monotonic()

    def loop() -> None:
        nonlocal sent
        with httpx.Client(base_url=base, trust_env=False, timeout=limits.request_timeout) as client:
            while True:
                with lock:
                    if sent >= limits.max_requests or time.monotonic() - start >= limits.max_seconds:
                        return
                    i = sent
                    sent += 1
                method, path, params, body, headers = make(i)
                t0 = time.monotonic()
                response, exc = None, None
                try:
                    response = client.request(method, path, params=params, content=body, headers=headers)
                    response.read()
                except httpx.HTTPError as e:
                    exc = e
                elapsed = time.monotonic() - t0
                with lock:
                    if response is not None and response.is_success:
                        phase.latencies.append(elapsed)
                    else:
                        kind = error_kind(exc, response)
                        phase.errors[kind] = phase.errors.get(kind, 0) + 1

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(limits.max_seconds + limits.request_timeout + 30)
    phase.wall = time.monotonic() - start
    return summary(phase)


def sparql_request(path: str, text: str) -> Request:
    accept = N_TRIPLES if query_form(text) in ("CONSTRUCT", "DESCRIBE") else JSON_RESULTS
    return ("GET", path, {"query": text}, None, {"Accept": accept})


def workload(name: str, sparql_path: str, mix: list[tuple[str, str]]) -> Callable[[int], Request]:
    """The request number ``i`` of a workload (queries in turn, a new practice per write)."""
    if name == "examples":
        return lambda i: sparql_request(sparql_path, mix[i % len(mix)][1])
    if name == "entity":
        return lambda i: ("GET", ENTITY_PAGE, None, None, {"Accept": "text/html"})
    if name == "view":
        return lambda i: ("GET", GRAPH_VIEW, {"format": "json"}, None, {"Accept": "application/json"})
    if name == "finder":
        return lambda i: ("GET", "/api/practices/search", {"q": FINDER_QUESTIONS[i % len(FINDER_QUESTIONS)]}, None, {})

    def write(i: int) -> Request:
        n = f"scale-{i}-{uuid.uuid4().hex[:8]}"
        practice = PRACTICE_TTL.format(iri=f"{ID}practica/bench-{n}", n=n)
        body = f"{PREFIXES}INSERT DATA {{ GRAPH <{CONTRIB}> {{ {practice} }} }}"
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
        return ("POST", "/sparql/update", None, body.encode(), headers)

    return write


def answer_size(response: httpx.Response) -> str:
    if "json" in response.headers.get("content-type", ""):
        with contextlib.suppress(ValueError, KeyError):
            data = response.json()
            return str(data["boolean"]).lower() if "boolean" in data else f"{len(data['results']['bindings'])} rows"
    return f"{response.content.count(NEWLINE)} lines"


def first_runs(base: str, path: str, timeout: float, only: list[str] | None = None) -> dict[str, list[Any]]:
    """Each example query (or those named in ``only``) once, alone: seconds (None if it failed), answer size."""
    out: dict[str, list[Any]] = {}
    with httpx.Client(base_url=base, trust_env=False, timeout=timeout) as client:
        for file in EXAMPLES:
            if only is not None and file.stem not in only:
                continue
            method, p, params, _body, headers = sparql_request(path, file.read_text(encoding="utf-8"))
            t0 = time.monotonic()
            try:
                r = client.request(method, p, params=params, headers=headers)
                elapsed = time.monotonic() - t0
                out[file.stem] = [elapsed, answer_size(r)] if r.is_success else [None, f"HTTP {r.status_code}"]
            except httpx.HTTPError as exc:
                out[file.stem] = [None, f"{error_kind(exc, None)} after {time.monotonic() - t0:.0f} s"]
    return out


def cache_counts(base: str) -> dict[str, float]:
    """The answer cache's hits and misses, from the service's /metrics (asked from this machine)."""
    found = {"hit": 0.0, "miss": 0.0}
    with contextlib.suppress(httpx.HTTPError):
        text = httpx.get(base + "/metrics", trust_env=False, timeout=30).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "graphapp_answer_cache_lookups_total":
                    found[sample.labels["result"]] = sample.value
    return found


# ---------------------------------------------------------------- servers


def get_ready(path: str) -> Callable[[httpx.Client], bool]:
    def ready(client: httpx.Client) -> bool:
        return client.get(path, params={"query": "ASK {}"}, headers={"Accept": JSON_RESULTS}).is_success

    return ready


@contextlib.contextmanager
def running(server: Server, timeout: float, record: dict[str, Any], key: str) -> Iterator[Server]:
    """Start ``server``, record the seconds to its first answer under ``key``, stop it at the end."""
    try:
        record[key] = server.start(timeout)
        yield server
    finally:
        record.setdefault("peak_rss", 0.0)
        record["peak_rss"] = max(record["peak_rss"], server.peak_rss_mb)
        server.stop()


def service(
    name: str, env: dict[str, str], logs: Path, *, cache: bool, extra: dict[str, str] | None = None
) -> tuple[Server, str]:
    port = free_port()
    env = {**env, "GRAPHAPP_CACHE_MB": "256" if cache else "0", **(extra or {})}
    argv = [sys.executable, "-m", "graphapp.cli", "serve", "--host", HOST, "--port", str(port)]
    base = f"http://{HOST}:{port}"
    log = logs / f"{name.replace(' ', '-')}-{port}.log"
    return Server(name, argv, env, base + "/sparql", log, ready=get_ready(base + "/sparql")), base


# ---------------------------------------------------------------- one size


@dataclass
class Context:
    size: Size
    data: Path  # GRAPHAPP_DATA_DIR: a copy of data/ without restricted/, plus synthetic/
    files: list[Path]
    work: Path
    logs: Path
    limits: Limits
    bare_base: str = ""
    mix: list[tuple[str, str]] = field(default_factory=list)
    workloads: tuple[str, ...] = WORKLOADS
    settings: dict[str, str] = field(default_factory=dict)  # --setting: GRAPHAPP_* for graphapp's services

    def env(self, store_dir: Path) -> dict[str, str]:
        return {
            **base_env(),
            **self.settings,
            "GRAPHAPP_DATA_DIR": str(self.data),
            "GRAPHAPP_STORE_DIR": str(store_dir),
            "GRAPHAPP_UPDATE_TOKEN": TOKEN,
            # 8 benchmark clients come from one address; the per-client cap (default 4) would refuse half of them
            "GRAPHAPP_MAX_QUERIES_PER_CLIENT": "64",
            # the write workload is one token; the per-writer rate (default 60/minute) would answer 429
            "GRAPHAPP_WRITE_RATE": "100000/hour",
        }


def prepare_data(size: Size, work: Path, reuse: Path | None) -> tuple[Path, float | None, str]:
    """The data folder of a size and the seconds ``graphapp generate`` took (None: reused from ``reuse``)."""
    data = work / f"data-{size.key}"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("restricted"))
    if size.triples is None:
        return data, None, ""
    cached = reuse / f"synthetic-{size.key}" if reuse else None
    if cached is not None and cached.is_dir():
        shutil.copytree(cached, data / "synthetic")
        return data, None, f"reused from {cached.name}"
    t0 = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "graphapp.cli", "generate", "--triples", str(size.triples), "--out", data / "synthetic"],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - t0
    if reuse is not None:
        shutil.copytree(data / "synthetic", reuse / f"synthetic-{size.key}", dirs_exist_ok=True)
    return data, seconds, ""


def measure_workloads(target: dict[str, Any], base: str, ctx: Context, names: tuple[str, ...]) -> None:
    phases = target.setdefault("phases", {})
    for name in names:
        make = workload(name, "/sparql", ctx.mix)
        for clients in ctx.size.clients:
            phases[f"{name}/{clients}"] = result = drive(base, make, clients, ctx.limits)
            print(f"    {target['name']} {name}/{clients}: {fmt_phase(result)}", flush=True)


def bare_pair(ctx: Context, target: dict[str, Any]) -> None:
    """The bare app's example mix right before a target's, with the most clients: the ratio's denominator."""
    clients = max(ctx.size.clients)
    target["bare_pair"] = drive(ctx.bare_base, workload("examples", "/sparql", ctx.mix), clients, ctx.limits)
    print(f"    bare app (pair) examples/{clients}: {fmt_phase(target['bare_pair'])}", flush=True)


def measure_server_alone(triplestore: RunningServer, ctx: Context) -> dict[str, Any]:
    """The Oxigraph server answering the example mix itself, as graphapp asks it (the union default graph, no
    guard, no limits, no service in between), right after graphapp on it: the most graphapp can reach on this
    backend. Its own answers are written whole, like the bare app's."""
    alone: dict[str, Any] = {"name": "the Oxigraph server alone (union default graph)", "server": True, "problems": []}
    bare_pair(ctx, alone)
    base = triplestore.query_url.rsplit("/", 1)[0]

    def make(i: int) -> Request:
        method, path, params, body, headers = sparql_request("/query", ctx.mix[i % len(ctx.mix)][1])
        return method, path, {**(params or {}), "union-default-graph": "true"}, body, headers

    phases = alone.setdefault("phases", {})
    for clients in ctx.size.clients:
        phases[f"examples/{clients}"] = result = drive(base, make, clients, ctx.limits)
        print(f"    {alone['name']} examples/{clients}: {fmt_phase(result)}", flush=True)
    return alone


def measure_backend(backend: str, ctx: Context, cache_backends: set[str]) -> list[dict[str, Any]]:
    name = f"graphapp {backend}"
    target: dict[str, Any] = {"name": name, "backend": backend, "problems": []}
    store_dir = ctx.work / f"store-{backend}-{ctx.size.key}"
    env = ctx.env(store_dir)
    triplestore: RunningServer | None = None
    out = [target]
    try:
        if backend == "embedded":
            t0 = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "graphapp.cli", "load"],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            target["load"] = time.monotonic() - t0
            target["load_how"] = "`graphapp load`"
        else:
            t0 = time.monotonic()
            starter = start_oxigraph if backend == "oxigraph" else start_virtuoso
            triplestore = starter(ctx.work / f"{backend}-{ctx.size.key}", timeout_s=30)
            target["server_start"] = time.monotonic() - t0
            env.update(triplestore.env())
            first, _ = service(name + " first start", env, ctx.logs, cache=False)
            with running(first, 7200, target, "load"):
                pass
            target["load_how"] = "the service's first start (syncs the files through SPARQL Update)"
        print(f"    {name}: loaded in {target['load']:.1f} s", flush=True)
        bare_pair(ctx, target)
        server, base = service(name, env, ctx.logs, cache=False)
        with running(server, 600, target, "start"):
            target["memory_rest"] = tree_memory(server.proc.pid if server.proc else None)
            print(f"    {name}: answering after {target['start']:.2f} s, {fmt_mem(target['memory_rest'])}", flush=True)
            target["copy_loaded"] = copy_loaded(base)
            target["memory_copy"] = tree_memory(server.proc.pid if server.proc else None)
            print(
                f"    {name}: settled (queries on the copy, builds done) after {target['copy_loaded']:.1f} s more",
                flush=True,
            )
            target["first_run"] = first_runs(base, "/sparql", ctx.size.alone_timeout)
            measure_workloads(target, base, ctx, ctx.workloads)
            target["memory_after"] = tree_memory(server.proc.pid if server.proc else None)
            # a write workload leaves the new version's indexes being built (on a large store, by processes of
            # their own): the memory once they are built too
            copy_loaded(base)
            target["memory_built"] = tree_memory(server.proc.pid if server.proc else None)
        if triplestore is not None:
            target["server_memory"] = tree_memory(triplestore.process.pid)
        if triplestore is not None and backend == "oxigraph":
            out.append(measure_server_alone(triplestore, ctx))
        if backend in cache_backends:
            cached: dict[str, Any] = {"name": f"{name}, answer cache on", "backend": backend, "problems": []}
            out.append(cached)
            bare_pair(ctx, cached)
            server, base = service(name + " cache", env, ctx.logs, cache=True)
            with running(server, 600, cached, "start"):
                cached["memory_rest"] = tree_memory(server.proc.pid if server.proc else None)
                cached["copy_loaded"] = copy_loaded(base)
                # a public endpoint is asked the same queries again and again: one pass over the mix first, so
                # the phases measure the steady state (the first pass is the cold cost, timed apart)
                t0 = time.monotonic()
                first_runs(base, "/sparql", ctx.size.alone_timeout, [n for n, _ in ctx.mix])
                cached["warm_up"] = time.monotonic() - t0
                before = cache_counts(base)
                measure_workloads(cached, base, ctx, ("examples",))
                after = cache_counts(base)
                cached["cache"] = {k: after[k] - before[k] for k in after}
                cached["memory_after"] = tree_memory(server.proc.pid if server.proc else None)
            print(f"    {cached['name']}: cache {cached['cache']}", flush=True)
    except Exception as exc:
        target["problems"].append(f"{type(exc).__name__}: {str(exc)[:300]}")
        print(f"    {name}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    finally:
        if triplestore is not None:
            triplestore.stop()
            shutil.rmtree(triplestore.folder, ignore_errors=True)
        shutil.rmtree(store_dir, ignore_errors=True)
    return out


def measure_rdflib(ctx: Context) -> dict[str, Any]:
    target: dict[str, Any] = {"name": "rdflib-endpoint", "problems": []}
    port = free_port()
    argv = [sys.executable, "-m", "rdflib_endpoint", "serve", "--host", HOST, "--port", str(port)]
    base = f"http://{HOST}:{port}"
    server = Server(
        "rdflib-endpoint",
        argv + [str(f) for f in ctx.files],
        base_env(),
        base + "/",
        ctx.logs / "rdflib.log",
        ready=get_ready(base + "/"),
    )
    try:
        bare_pair(ctx, target)
        with running(server, 1800, target, "start"):
            target["memory_rest"] = tree_memory(server.proc.pid if server.proc else None)
            for clients in ctx.size.clients:
                result = drive(base, workload("examples", "/", ctx.mix), clients, ctx.limits)
                target.setdefault("phases", {})[f"examples/{clients}"] = result
                print(f"    rdflib-endpoint examples/{clients}: {fmt_phase(result)}", flush=True)
    except Exception as exc:
        target["problems"].append(f"{type(exc).__name__}: {str(exc)[:300]}")
    return target


def run_size(size: Size, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    print(f"== {size.label}", flush=True)
    data, generate_s, reused = prepare_data(size, work, args.reuse_data)
    files = sorted((ROOT / "ontology").glob("*.ttl")) + turtle_files([data])
    ctx = Context(
        size,
        data,
        files,
        work,
        logs,
        QUICK if args.quick else size.limits,
        workloads=tuple(args.workloads),
        settings=dict(setting.split("=", 1) for setting in args.setting),
    )
    result: dict[str, Any] = {
        "size": size.key,
        "label": size.label,
        "generate": generate_s,
        "generate_note": reused,
        "files": len(files),
        "loadavg": loadavg(),
        "clients": list(size.clients),
        "targets": [],
    }
    port = free_port()
    bare_argv = [sys.executable, str(ROOT / "benchmarks" / "bare_app.py"), "--host", HOST, "--port", str(port)]
    ctx.bare_base = f"http://{HOST}:{port}"
    bare = Server(
        "bare app",
        bare_argv + [str(f) for f in files],
        base_env(),
        ctx.bare_base + "/sparql",
        logs / "bare.log",
        ready=get_ready(ctx.bare_base + "/sparql"),
    )
    target: dict[str, Any] = {"name": "bare app", "problems": []}
    result["targets"].append(target)
    with running(bare, 3600, target, "start"):
        target["memory_rest"] = tree_memory(bare.proc.pid if bare.proc else None)
        print(f"    bare app: answering after {target['start']:.1f} s, {fmt_mem(target['memory_rest'])}", flush=True)
        with httpx.Client(trust_env=False, timeout=600) as client:
            r = client.get(
                ctx.bare_base + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}
            )
            result["quads"] = int(r.json()["results"]["bindings"][0]["n"]["value"])
        target["first_run"] = first_runs(ctx.bare_base, "/sparql", ctx.size.alone_timeout)
        if any(seconds is None for seconds, _size in target["first_run"].values()):
            # the bare app has no time limit: a query its client gave up on still runs; start afresh
            bare.stop()
            target["restarted"] = bare.start(3600)
        texts = {f.stem: f.read_text(encoding="utf-8") for f in EXAMPLES}
        ctx.mix = [
            (n, texts[n]) for n, (s, _size) in target["first_run"].items() if s is not None and s <= MIX_MAX_SECONDS
        ]
        result["mix"] = [n for n, _ in ctx.mix]
        print(f"    mix: {len(ctx.mix)} of {len(EXAMPLES)} example queries", flush=True)
        measure_workloads(target, ctx.bare_base, ctx, ("examples",))
        for backend in args.backends:
            result["targets"] += measure_backend(backend, ctx, set(args.cache_backends))
        if "rdflib" in args.peers and size.rdflib:
            result["targets"].append(measure_rdflib(ctx))
        target["memory_after"] = tree_memory(bare.proc.pid if bare.proc else None)
    shutil.rmtree(data, ignore_errors=True)
    return result


# ---------------------------------------------------------------- report


def limits_text(size: Size, limits: Limits | None = None) -> str:
    limits = limits or size.limits
    return (
        f"{limits.max_requests} requests or {limits.max_seconds:g} s per phase, "
        f"{' and '.join(str(c) for c in size.clients)} client{'s' if size.clients != (1,) else ''}"
    )


def label(t: dict[str, Any]) -> str:
    """A server's name in the report, with the run that measured it when the report merges several."""
    return t["name"] + (f" (run {t['run']})" if t.get("run", 1) > 1 else "")


def fmt_phase(p: dict[str, Any] | None) -> str:
    if not p:
        return "–"
    errs = ", ".join(f"{v} {k}" for k, v in sorted(p["errors"].items()))
    return f"{p['rps']:.1f}/s, p50 {fmt_ms(p['p50'])}, p99 {fmt_ms(p['p99'])}" + (f" ({errs})" if errs else "")


def fmt_mem(m: dict[str, Any] | None) -> str:
    if not m:
        return "–"
    return f"{m['pss']:.0f} MB PSS ({m['rss']:.0f} MB RSS, {len(m['processes'])} processes)"


def cell(p: dict[str, Any] | None) -> str:
    """``req/s`` and ``p50/p99`` of a phase, in one table cell."""
    if not p:
        return "–"
    if not p["ok"]:
        return "failed: " + ", ".join(f"{v} {k}" for k, v in sorted(p["errors"].items()))
    errs = sum(p["errors"].values())
    return (
        f"{p['rps']:.1f}/s · {fmt_ms(p['p50'])}/{fmt_ms(p['p99'])}" + (f" ({errs} failed)" if errs else "")
    ).replace(" ms", "")


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def secs(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def met(ok: bool | None) -> str:
    return "–" if ok is None else "**met**" if ok else "**not met**"


def settled(t: dict[str, Any]) -> dict[str, Any] | None:
    """The service's memory once settled: after the workloads (the label index is built in the background after
    the first answer, so the figure right after start is too low), else right after start."""
    return t.get("memory_after") or t.get("memory_rest")


def whole_memory(t: dict[str, Any]) -> float | None:
    """PSS of the service (settled), plus its triple store server's."""
    if not settled(t):
        return None
    return settled(t)["pss"] + (t.get("server_memory") or {}).get("pss", 0.0)


def render(results: list[dict[str, Any]], metas: list[dict[str, Any]]) -> str:
    by_size = {r["size"]: r for r in results}
    runs = "; ".join(
        f"run {i}: `{m['command']}`, {m['started'][:16].replace('T', ' ')} UTC, {m['seconds'] / 60:.1f} min"
        for i, m in enumerate(metas, 1)
    )
    lines = [
        "## Scale and backends: graphapp on each store, beside the bare engine and rdflib-endpoint",
        "",
        f"Measured by {runs} (from the project root, in the project's virtual environment with "
        "`pip install -e '.[test,bench]'`). Sizes: "
        + ", ".join(r["label"] for r in results)
        + ". On a shared 2-core machine (other helpers' processes compete for the cores; the load average "
        "before each size is given): read the ratios between neighbours, not the last digit."
        + (" A server measured in a later run says so (`run N`)." if len(metas) > 1 else ""),
        "",
        *machine_info(),
        "",
        "How it was measured:",
        "",
        "- Every server serves the same files: `ontology/*.ttl` and a copy of `data/` without `data/restricted/`, "
        "plus, for the synthetic sizes, the files of `graphapp generate --triples N` in a `synthetic/` folder of "
        "that copy (so the entity page, the finder and the writes work on real entities at every size).",
        "- **bare app** (`benchmarks/bare_app.py`): FastAPI + pyoxigraph, the files bulk-loaded into an in-memory "
        "store at every start, one `GET /sparql` route, no guard, workers, limits or cache. It stays up through the "
        'size and runs the example mix again right before each other server ("bare, same minute"): each '
        "throughput ratio divides by that neighbouring measurement.",
        "- **graphapp** runs with its defaults (3 query workers, 30 s query time limit) except "
        "`GRAPHAPP_MAX_QUERIES_PER_CLIENT=64` (the benchmark's 8 clients share one address) and "
        "`GRAPHAPP_CACHE_MB=0` (answer cache off), then once more with the cache on (256 MB, the default) for the "
        "example mix. *Load*: `graphapp load` for the embedded store; for a SPARQL server, the service's first "
        "start, which sends the files to the server as `INSERT DATA` requests (not the server's own bulk loader). "
        "*Start*: a new service process on the already-loaded store (the server already running) until its first "
        "answered `ASK {}`. *Memory*: PSS summed over the service's process tree (web process, query workers, "
        "update worker) at rest after start, the triple store server added for the SPARQL backends; RSS sums "
        "count the pages shared between the web process and its workers once per process.",
        "- Workloads (threads in the benchmark process, one keep-alive client each, until "
        + "; ".join(f"{r['label']}: {limits_text(SIZES[r['size']])}" for r in results)
        + "): **examples**: the example queries `graphapp/queries/example-*.rq` in turn through `GET /sparql` "
        f"(those the bare app answered alone within {MIX_MAX_SECONDS:g} s at that size; the others are listed); "
        f"**entity**: `GET {ENTITY_PAGE}` (HTML); **view**: `GET {GRAPH_VIEW}?format=json`; **finder**: "
        "`GET /api/practices/search?q=…` (four questions in turn); **write**: `INSERT DATA` of a new best practice "
        "(about 20 statements) through `POST /sparql/update` with the update token. Cells: throughput · p50/p99 "
        "latency in ms.",
        "",
    ]
    lines += render_aims(by_size)
    lines += render_load_start(results)
    lines += render_throughput(results)
    lines += render_workloads(results)
    lines += render_growth(results)
    lines += render_problems(results)
    return "\n".join(lines) + "\n"


def target_of(run: dict[str, Any] | None, name: str) -> dict[str, Any]:
    for t in (run or {}).get("targets", []):
        if t["name"] == name:
            return t
    return {}


def throughput_ratio(t: dict[str, Any], clients: int) -> float | None:
    own = (t.get("phases") or {}).get(f"examples/{clients}")
    pair = t.get("bare_pair")
    return ratio(own["rps"] if own and own["ok"] else None, pair["rps"] if pair and pair["ok"] else None)


def services(run: dict[str, Any] | None, cached: bool = False) -> list[dict[str, Any]]:
    """graphapp's targets of a size: cache off (default) or the cache-on runs."""
    return [t for t in (run or {}).get("targets", []) if t.get("backend") and ("cache" in t["name"]) == cached]


def hit_rate(t: dict[str, Any]) -> float | None:
    c = t.get("cache") or {}
    total = c.get("hit", 0) + c.get("miss", 0)
    return c.get("hit", 0) / total if total else None


def verdict(ok: list[bool]) -> str:
    if not ok:
        return "–"
    return met(all(ok)) + ("" if all(ok) else f" ({sum(ok)} of {len(ok)})")


def render_aims(by_size: dict[str, dict[str, Any]]) -> list[str]:
    out = ["### Aims of issue 10", "", "| aim | measured | |", "|---|---|---|"]
    for key, limit in (("1e6", 2.0), ("1e7", 5.0)):
        aim = f"first answer under {limit:g} s at 10^{key[-1]} (already-loaded store)"
        starts = [(label(t), t.get("start")) for t in services(by_size.get(key))]
        text = "; ".join(f"{n}: {secs(s)}" for n, s in starts) or "not run"
        out.append(f"| {aim} | {text} | {verdict([s is not None and s < limit for _, s in starts])} |")
    run = by_size.get("1e6")
    if not run:
        return [*out, ""]
    cells, ok = [], []
    for t in services(run):
        if settled(t):
            whole = whole_memory(t) or 0.0
            server = t.get("server_memory")
            split = f" (service {settled(t)['pss']:.0f} + server {server['pss']:.0f})" if server else ""
            cells.append(f"{label(t)}: {whole:.0f} MB{split}")
            ok.append(whole < 1024)
    out.append(f"| whole service under 1 GB at 10^6 (PSS after the workloads) | {'; '.join(cells)} | {verdict(ok)} |")
    emb = settled(target_of(run, "graphapp embedded"))
    if emb:
        procs = sorted(emb["processes"], key=lambda p: -p["pss"])
        pss = ", ".join(f"{p['pss']} MB" for p in procs)
        rss = ", ".join(str(p["rss"]) for p in procs)
        flat = len(procs) > 1 and procs[1]["pss"] < 0.25 * procs[0]["pss"]
        out.append(
            f"| memory not multiplied by the query workers (10^6, embedded) | each process's PSS: {pss} "
            f"(RSS: {rss} MB) | {met(flat)} |"
        )
    ratios = [(label(t), throughput_ratio(t, 8)) for t in services(run)]
    out.append(
        "| throughput within 1.5× of the bare app (example mix, 8 clients, cache off, 10^6) | "
        + "; ".join(f"{n}: {fmt_ratio(r)} of bare" for n, r in ratios)
        + f" | {verdict([r is not None and r >= 1 / 1.5 for _, r in ratios])} |"
    )
    cached = services(run, cached=True)
    if cached:
        cells = [
            f"{label(t)}: {fmt_ratio(throughput_ratio(t, 8))} of bare, hit rate "
            + (f"{hit_rate(t):.0%}" if hit_rate(t) is not None else "–")
            for t in cached
        ]
        ok = [(throughput_ratio(t, 8) or 0) >= 3 for t in cached]
        out.append(
            f"| with the answer cache, 3× the bare app (example mix, 8 clients, 10^6) | {'; '.join(cells)} | "
            f"{verdict(ok)} |"
        )
    return [*out, ""]


def render_load_start(results: list[dict[str, Any]]) -> list[str]:
    out = [
        "### Load, start and memory",
        "",
        "| size | server | load | start (loaded store) | memory at rest, PSS (RSS) | after the workloads, PSS | "
        "peak RSS | triple store server at rest, PSS |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results:
        gen = f"; `graphapp generate` {secs(run['generate'])}" if run.get("generate") else ""
        out.append(
            f"| **{run['label']}** ({run.get('quads', '?'):,} quads, {run['files']} files{gen}; load avg "
            f"{run['loadavg']}) | | | | | | | |"
            if isinstance(run.get("quads"), int)
            else f"| **{run['label']}** | | | | | | | |"
        )
        for t in run["targets"]:
            m, a, b = t.get("memory_rest"), t.get("memory_after"), t.get("memory_built")
            load = secs(t.get("load")) if t.get("backend") else "–" if t.get("server") else "(loads at start)"
            server = t.get("server_memory")
            out.append(
                f"| | {label(t)} | {load} | {secs(t.get('start'))} | "
                + " | ".join(
                    [
                        f"{m['pss']:.0f} MB ({m['rss']:.0f} MB)" if m else "–",
                        (f"{a['pss']:.0f} MB" if a else "–") + (f" ({b['pss']:.0f} MB once built)" if b else ""),
                        f"{t.get('peak_rss', 0):.0f} MB",
                        f"{server['pss']:.0f} MB" if server else "–",
                    ]
                )
                + " |"
            )
    server_starts = [
        f"{label(t)} at {run['label']}: {secs(t['server_start'])}"
        for run in results
        for t in run["targets"]
        if t.get("server_start") is not None
    ]
    out += ["", "The bare app and rdflib-endpoint parse the files at every start, so their start is their load."]
    if server_starts:
        out[-1] += " A SPARQL server's own start (before the service's) is not in these figures: "
        out[-1] += "; ".join(server_starts) + "."
    out.append("")
    return out


def render_throughput(results: list[dict[str, Any]]) -> list[str]:
    out = [
        "### Example queries: ratios to the bare app",
        "",
        "Throughput of the example mix divided by the bare app's, measured the same minute; > 1× means faster than "
        "the bare app.",
        "",
        "| size | server | 1 client | 8 clients | bare, same minute (most clients of the size) |",
        "|---|---|---:|---:|---:|",
    ]
    for run in results:
        for t in run["targets"]:
            if t["name"] == "bare app":
                continue
            bare = target_of(run, "bare app").get("phases", {}).get("examples/1")
            r1 = ratio(((t.get("phases") or {}).get("examples/1") or {}).get("rps"), bare["rps"] if bare else None)
            out.append(
                f"| {run['label']} | {label(t)} | {fmt_ratio(r1)} | {fmt_ratio(throughput_ratio(t, 8))} | "
                f"{cell(t.get('bare_pair'))} |"
            )
    out += [
        "",
        "The 1-client ratio divides by the bare app's own 1-client run at the start of the size.",
        "",
    ]
    for run in results:
        left = [n for n in (target_of(run, "bare app").get("first_run") or {}) if n not in run.get("mix", [])]
        if left:
            fr = target_of(run, "bare app")["first_run"]
            out.append(
                f"- {run['label']}: not in the mix (the bare app took longer than {MIX_MAX_SECONDS:g} s alone, "
                "or failed): "
                + ", ".join(f"`{n}` ({secs(fr[n][0]) if fr[n][0] is not None else fr[n][1]})" for n in left)
            )
    out.append("")
    return out


def render_workloads(results: list[dict[str, Any]]) -> list[str]:
    out = ["### Every workload", ""]
    for run in results:
        counts = run.get("clients", list(CLIENT_COUNTS))
        heads = [f"{w} ({c})" for w in WORKLOADS for c in counts]
        out += [
            f"{run['label']} (clients in brackets; throughput · p50/p99 ms):",
            "",
            "| server | " + " | ".join(heads) + " |",
            "|---|" + "---:|" * len(heads),
        ]
        for t in run["targets"]:
            phases = t.get("phases") or {}
            out.append(
                f"| {label(t)} | " + " | ".join(cell(phases.get(f"{w}/{c}")) for w in WORKLOADS for c in counts) + " |"
            )
        out.append("")
    return out


def render_growth(results: list[dict[str, Any]]) -> list[str]:
    """Each larger size against the smallest: how load, start, memory and throughput grew."""
    if len(results) < 2:
        return []
    first = results[0]
    out = [f"### Growth with size (against {first['label']})", ""]
    for last in results[1:]:
        c = min(max(last.get("clients", [8])), max(first.get("clients", [8])))
        out += [
            f"{last['label']} ({last.get('quads', 0) / max(1, first.get('quads', 1)):.0f}× the quads), each figure "
            f"divided by the same at {first['label']}:",
            "",
            "| server | load | start | memory (PSS) | " + " | ".join(f"{w} req/s ({c})" for w in WORKLOADS) + " |",
            "|---|---:|---:|---:|" + "---:|" * len(WORKLOADS),
        ]
        for t in last["targets"]:
            a = target_of(first, t["name"])
            if not a:
                continue
            mem = fmt_ratio(ratio(whole_memory(t), whole_memory(a)))
            cells = [fmt_ratio(ratio(t.get(k), a.get(k))) for k in ("load", "start")] + [mem]
            for w in WORKLOADS:
                p, q = (t.get("phases") or {}).get(f"{w}/{c}"), (a.get("phases") or {}).get(f"{w}/{c}")
                cells.append(fmt_ratio(ratio(p["rps"] if p else None, q["rps"] if q else None)))
            out.append(f"| {label(t)} | " + " | ".join(cells) + " |")
        out.append("")
    out += [
        "Below 1× a throughput fell as the graph grew; above 1× load, start and memory grew. The example mix "
        "leaves out, per size, the queries the bare app needs more than "
        f"{MIX_MAX_SECONDS:g} s for, so its column compares mixes, not the same queries; graphapp's start does not "
        "grow with the size of the graph (the label index is built after the first answer), so its ratio is noise.",
        "",
    ]
    return out


def render_problems(results: list[dict[str, Any]]) -> list[str]:
    found = [f"{run['label']}, {label(t)}: {p}" for run in results for t in run["targets"] for p in t["problems"]]
    for run in results:
        for t in run["targets"]:
            for n, (s, size) in (t.get("first_run") or {}).items():
                if s is None:
                    found.append(f"{run['label']}, {label(t)}, `{n}` alone: {size}")
    return ["Errors and failures:", "", *([f"- {p}" for p in found] or ["- none."]), ""]


# ---------------------------------------------------------------- main


def merge(results: list[dict[str, Any]], later: list[dict[str, Any]], run: int) -> list[dict[str, Any]]:
    """Measurements of several runs: a size measured again keeps its servers, those measured again replaced by the
    later run's (each server remembers the run, numbered from 1, that measured it)."""
    by_size = {r["size"]: r for r in results}
    for size in later:
        for t in size["targets"]:
            t["run"] = run
        old = by_size.get(size["size"])
        if old is None:
            by_size[size["size"]] = size
            continue
        names = {t["name"] for t in size["targets"] if t["name"] != "bare app"}
        old["targets"] = [t for t in old["targets"] if t["name"] not in names] + [
            t for t in size["targets"] if t["name"] in names
        ]
    return list(by_size.values())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="shipped,1e5,1e6", help=f"comma-separated, from {', '.join(SIZES)}")
    p.add_argument("--backends", default=",".join(BACKENDS), help=f"comma-separated, from {', '.join(BACKENDS)}")
    p.add_argument("--peers", default=",".join(PEERS), help="bare (always measured: the ratios' reference), rdflib")
    p.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help=f"comma-separated, from {', '.join(WORKLOADS)} (graphapp's; the peers run the example mix only)",
    )
    p.add_argument(
        "--cache-backends", default="embedded,oxigraph", help="backends measured again with the answer cache on"
    )
    p.add_argument("--quick", action="store_true", help="a smoke run: short phases (2 s or 40 requests each)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown report (its 'scale' section)")
    p.add_argument("--json", type=Path, help="also write the raw measurements here")
    p.add_argument(
        "--from-json",
        help="measure nothing: render --out from JSON files written by --json (comma-separated; sizes merged)",
    )
    p.add_argument("--reuse-data", type=Path, help="keep generated data in this folder and reuse it in later runs")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    p.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="GRAPHAPP_NAME=VALUE",
        help="a setting of graphapp's services (repeatable), e.g. GRAPHAPP_WORKER_DIRTY_MB=2048",
    )
    return p


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    args = parser().parse_args(argv)
    for name, allowed in (
        ("sizes", SIZES),
        ("backends", BACKENDS),
        ("peers", PEERS),
        ("cache_backends", BACKENDS),
        ("workloads", WORKLOADS),
    ):
        values = [v.strip() for v in getattr(args, name).split(",") if v.strip()]
        unknown = [v for v in values if v not in allowed]
        if unknown:
            parser().error(f"unknown --{name.replace('_', '-')} {', '.join(unknown)}; choose from {', '.join(allowed)}")
        setattr(args, name, values)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json:
        results, metas = [], []
        for path in args.from_json.split(","):
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            metas.append(raw["meta"])
            results = merge(results, raw["results"], len(metas))
        results.sort(key=lambda r: list(SIZES).index(r["size"]))
        replace_section(args.out, SECTION, render(results, metas))
        print(f"wrote {args.out}")
        return 0
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="gakg-scale-"))
    command = (
        "python benchmarks/scale.py"
        + "".join(
            f" --{k.replace('_', '-')} {','.join(getattr(args, k))}"
            for k, default in (
                ("sizes", "shipped,1e5,1e6"),
                ("backends", ",".join(BACKENDS)),
                ("peers", ",".join(PEERS)),
                ("cache_backends", "embedded,oxigraph"),
                ("workloads", ",".join(WORKLOADS)),
            )
            if ",".join(getattr(args, k)) != default
        )
        + (" --quick" if args.quick else "")
        + "".join(f" --setting {setting}" for setting in args.setting)
    )
    if args.reuse_data:
        args.reuse_data.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    try:
        for key in args.sizes:
            results.append(run_size(SIZES[key], args, work))
            limits = QUICK if args.quick else SIZES[key].limits
            meta = {
                "started": started.isoformat(),
                "seconds": time.monotonic() - t0,
                "command": command,
                "limits": limits_text(SIZES[key], limits),
            }
            if args.json:
                args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1), encoding="utf-8")
            replace_section(args.out, SECTION, render(results, [meta]))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
