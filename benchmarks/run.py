"""HTTP benchmark: ``graphapp serve`` against ``rdflib-endpoint`` on the same Turtle files.

For each data size (the shipped data, then 10^5 and 10^6 synthetic triples written by ``graphapp generate`` into a
temporary folder) the script starts ONE server at a time as a real uvicorn process on 127.0.0.1, waits until it
answers, and then:

1. runs every named query of ``benchmarks/queries/*.rq`` once (answer size, first-run time);
2. runs each query from 8 concurrent clients (threads, one keep-alive ``httpx.Client`` each) for a bounded number of
   requests and a bounded time, recording latency p50/p99, throughput, errors and client timeouts;
3. measures "waiting behind a slow query": one client runs a cartesian-product COUNT calibrated to take several
   seconds alone on that server, while another client sends ASKs; their latency is compared with the idle ASK;
4. stops the server (SIGTERM, then SIGKILL of the process group it was started in), also on error or Ctrl-C.

Results go to ``docs/benchmarks.md`` (tables per size, ratios graphapp vs rdflib-endpoint, machine, date, command).
Traffic goes only to 127.0.0.1. Nothing here is part of the test suite: run it on demand (see README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.report import keep_sections

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = Path(__file__).resolve().parent / "queries"
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
HOST = "127.0.0.1"
CLIENTS = 8
JSON_RESULTS = "application/sparql-results+json"
ASK_QUERY = "5-ask-practice-with-problem"
#: queries whose file name starts with this are run once alone (a known problem to document), not under load
ALONE_ONLY_PREFIX = "x"
SLOW_TARGET_SECONDS = 8.0


@dataclass(frozen=True)
class Limits:
    """Bounds of one load phase (one query on one server)."""

    max_requests: int
    max_seconds: float
    request_timeout: float


@dataclass(frozen=True)
class Size:
    """One data size: a label, the triples asked of the generator (None: the shipped data)."""

    label: str
    triples: int | None
    graphapp: Limits
    rdflib: Limits
    rdflib_start_timeout: float


SIZES: dict[str, Size] = {
    # graphapp's client timeout (40 s) is above its 30 s query time limit, so its own 503 answer is what is seen.
    "shipped": Size("shipped data", None, Limits(2000, 10, 40), Limits(300, 15, 60), 300),
    "1e5": Size("10^5 synthetic triples", 100_000, Limits(2000, 10, 40), Limits(200, 20, 90), 600),
    # rdflib-endpoint needs seconds per query at 10^6 and answers one request at a time: few requests, long timeout.
    "1e6": Size("10^6 synthetic triples", 1_000_000, Limits(2000, 10, 40), Limits(16, 20, 200), 900),
}


@dataclass
class Phase:
    """What happened during one load phase."""

    latencies: list[float] = field(default_factory=list)  # successful requests only, seconds
    errors: dict[str, int] = field(default_factory=dict)  # "HTTP 503", "timeout", "ConnectError"...
    wall: float = 0.0
    drain: float = 0.0  # seconds until the server answered again after the phase (a backlog left behind)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def timeouts(self) -> int:
        return self.errors.get("timeout", 0)

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        data = sorted(self.latencies)
        k = max(0, min(len(data) - 1, math.ceil(q * len(data)) - 1))
        return data[k]

    @property
    def throughput(self) -> float:
        return self.ok / self.wall if self.wall > 0 else 0.0


@dataclass
class SlowTest:
    """Waiting behind a slow query."""

    query_shape: str = ""
    copies: int = 0
    values: int = 0
    alone_seconds: float | None = None
    calibration: list[tuple[str, float | None]] = field(default_factory=list)
    idle_ask: list[float] = field(default_factory=list)
    during_ask: list[float] = field(default_factory=list)
    slow_seconds: float | None = None
    slow_status: str = ""
    note: str = ""


@dataclass
class ServerRun:
    """Everything measured on one server at one size."""

    name: str
    start_seconds: float | None = None
    peak_rss_mb: float = 0.0
    rss_after_load_mb: float = 0.0
    foreign_cpu: tuple[float, float] = (0.0, 0.0)  # CPU seconds of other processes, wall seconds measured
    first_run: dict[str, tuple[float | None, str]] = field(default_factory=dict)  # query -> (seconds, answer size)
    phases: dict[str, Phase] = field(default_factory=dict)
    slow: SlowTest = field(default_factory=SlowTest)
    problems: list[str] = field(default_factory=list)


@dataclass
class SizeRun:
    size: Size
    quads: int | None = None
    files: int = 0
    servers: dict[str, ServerRun] = field(default_factory=dict)
    error: str = ""
    loadavg_before: str = ""


# ---------------------------------------------------------------- queries


def load_queries() -> dict[str, str]:
    """The named benchmark queries, by file stem, in file-name order."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERIES_DIR.glob("*.rq"))}


def accept_for(query: str) -> str:
    return "text/turtle" if "DESCRIBE" in query.upper().split("WHERE")[0] else JSON_RESULTS


def slow_query(copies: int, values: int) -> str:
    """A cartesian product of ``copies`` x the 32 states x ``values`` numbers, counted: slow by construction."""
    patterns = " .\n  ".join(f"?e{i} a ga:FederalEntity" for i in range(copies))
    numbers = " ".join(str(n) for n in range(1, values + 1))
    return (
        "PREFIX ga: <https://w3id.org/gakg/ontology#>\n"
        f"SELECT (COUNT(*) AS ?n) WHERE {{\n  {patterns} .\n  VALUES ?k {{ {numbers} }}\n}}"
    )


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (non-idle time of /proc/stat)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / _CLK_TCK


def _tree_cpu_seconds(root: int) -> float:
    """CPU seconds used by a process tree, including children it has already reaped."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        rest = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"
        ppid = int(rest[1])
        children.setdefault(ppid, []).append(int(entry.name))
        cpu[int(entry.name)] = sum(int(x) for x in rest[11:15]) / _CLK_TCK  # utime stime cutime cstime
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += cpu.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return total


class ForeignCpu:
    """CPU used by processes other than this benchmark and its servers, over a stretch of time."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.busy0 = _machine_busy_seconds()
        self.ours0 = _tree_cpu_seconds(os.getpid())

    def seconds(self) -> tuple[float, float]:
        """(CPU seconds used by other processes, wall seconds elapsed)."""
        busy = _machine_busy_seconds() - self.busy0
        ours = _tree_cpu_seconds(os.getpid()) - self.ours0
        return max(0.0, busy - ours), time.monotonic() - self.t0


def _rss_tree_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        ppid = int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 1024


class Server:
    """A server process in its own session (so it and its workers can be stopped together)."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        url: str,
        log: Path,
        ready: Callable[[httpx.Client], bool] | None = None,
    ) -> None:
        """``ready(client)`` says whether the server answers (default: a POSTed ``ASK {}`` gets a 200)."""
        self.name = name
        self.ready = ready or (lambda client: post(client, url, "ASK {}", JSON_RESULTS).status_code == 200)
        self.argv = argv
        self.env = env
        self.url = url
        self.log_path = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss_mb = 0.0
        self._sampling = threading.Event()
        self._sampler: threading.Thread | None = None

    def start(self, timeout: float) -> float:
        """Start and wait until an ASK is answered; returns the seconds that took."""
        t0 = time.monotonic()
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._sampling.set()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        deadline = t0 + timeout
        with httpx.Client(trust_env=False, timeout=10) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if self.ready(client):
                        return time.monotonic() - t0
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {timeout:g} s; see {self.log_path}")

    def rss_mb(self) -> float:
        """Resident memory of the server and its workers now."""
        return _rss_tree_mb(self.proc.pid) if self.proc is not None else 0.0

    def _sample(self) -> None:
        while self._sampling.is_set() and self.proc is not None and self.proc.poll() is None:
            self.peak_rss_mb = max(self.peak_rss_mb, _rss_tree_mb(self.proc.pid))
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM the server, then SIGKILL its process group (only the processes this script started)."""
        self._sampling.clear()
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # the session created for this server: workers left behind
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        self.proc = None


def post(client: httpx.Client, url: str, query: str, accept: str, timeout: float | None = None) -> httpx.Response:
    """One SPARQL 1.1 Protocol request: POST ``application/sparql-query``."""
    kwargs: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    return client.post(
        url,
        content=query.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
        **kwargs,
    )


def answer_size(response: httpx.Response) -> str:
    """Rows of a SELECT, the boolean of an ASK, or the triples (lines) of a graph answer."""
    ctype = response.headers.get("content-type", "")
    if "json" in ctype:
        with contextlib.suppress(ValueError):
            data = response.json()
            if "boolean" in data:
                return str(data["boolean"]).lower()
            return f"{len(data['results']['bindings'])} rows"
    return f"{len(response.content)} bytes"


# ---------------------------------------------------------------- measurements


def error_kind(exc: BaseException | None, response: httpx.Response | None) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if exc is not None:
        return type(exc).__name__
    assert response is not None
    return f"HTTP {response.status_code}"


def load_phase(url: str, query: str, limits: Limits) -> Phase:
    """``CLIENTS`` threads send ``query`` until ``limits.max_requests`` were sent or ``limits.max_seconds`` passed."""
    phase = Phase()
    lock = threading.Lock()
    sent = 0
    accept = accept_for(query)
    start = time.monotonic()
    deadline = start + limits.max_seconds

    def client_loop() -> None:
        nonlocal sent
        with httpx.Client(trust_env=False, timeout=limits.request_timeout) as client:
            while True:
                with lock:
                    if sent >= limits.max_requests or time.monotonic() >= deadline:
                        return
                    sent += 1
                t0 = time.monotonic()
                response, exc = None, None
                try:
                    response = post(client, url, query, accept)
                    _ = response.content
                except httpx.HTTPError as e:
                    exc = e
                elapsed = time.monotonic() - t0
                with lock:
                    if exc is None and response is not None and response.status_code == 200:
                        phase.latencies.append(elapsed)
                    else:
                        kind = error_kind(exc, response)
                        phase.errors[kind] = phase.errors.get(kind, 0) + 1

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(limits.max_seconds + limits.request_timeout + 30)
    phase.wall = time.monotonic() - start
    return phase


def wait_until_answering(url: str, timeout: float) -> float:
    """After client timeouts a single-request-at-a-time server still works through the backlog: wait for it."""
    t0 = time.monotonic()
    with httpx.Client(trust_env=False, timeout=timeout) as client, contextlib.suppress(httpx.HTTPError):
        post(client, url, "ASK {}", JSON_RESULTS)
    return time.monotonic() - t0


def timed(client: httpx.Client, url: str, query: str, timeout: float) -> tuple[float | None, str]:
    t0 = time.monotonic()
    try:
        r = post(client, url, query, accept_for(query), timeout=timeout)
    except httpx.HTTPError as exc:
        return None, f"{error_kind(exc, None)} after {time.monotonic() - t0:.1f} s"
    elapsed = time.monotonic() - t0
    if r.status_code != 200:
        return None, f"HTTP {r.status_code} after {elapsed:.1f} s"
    return elapsed, answer_size(r)


def slow_test(url: str, ask: str, timeout: float) -> SlowTest:
    """Calibrate a slow COUNT to about SLOW_TARGET_SECONDS alone, then time ASKs sent while it runs."""
    result = SlowTest()
    with httpx.Client(trust_env=False) as client:
        for _ in range(10):
            seconds, _size = timed(client, url, ask, timeout)
            if seconds is not None:
                result.idle_ask.append(seconds)
        copies, values = 3, 1
        for _ in range(7):  # bounded calibration; every step grows the work by a bounded, estimated factor
            shape = f"{copies} x 32 states x {values} values"
            seconds, size = timed(client, url, slow_query(copies, values), timeout)
            result.calibration.append((shape, seconds))
            if seconds is None:
                result.note = f"calibration query failed ({size}); using the previous step"
                if len(result.calibration) > 1:
                    result.calibration.pop()
                    wait_until_answering(url, timeout)
                    break
                return result
            result.query_shape, result.alone_seconds = shape, seconds
            result.copies, result.values = copies, values
            if seconds >= 0.6 * SLOW_TARGET_SECONDS:
                break
            factor = min(SLOW_TARGET_SECONDS / max(seconds, 0.005), 200.0)
            new_values = max(values + 1, math.ceil(values * factor))
            while new_values > 2000 and copies < 6:
                copies, new_values = copies + 1, max(1, math.ceil(new_values / 32))
            values = new_values
        slow = slow_query(result.copies, result.values)

    done = threading.Event()
    slow_outcome: dict[str, Any] = {}

    def run_slow() -> None:
        with httpx.Client(trust_env=False) as c:
            seconds, size = timed(c, url, slow, timeout)
        slow_outcome["seconds"], slow_outcome["size"] = seconds, size
        done.set()

    thread = threading.Thread(target=run_slow, daemon=True)
    t_start = time.monotonic()
    thread.start()
    time.sleep(0.5)
    with httpx.Client(trust_env=False) as client:
        for _ in range(1000):  # bounded: at most 1000 ASKs, 20 ms apart, and only while the slow query runs
            if done.is_set() or time.monotonic() - t_start > timeout:
                break
            seconds, _size = timed(client, url, ask, timeout)
            if seconds is not None:
                result.during_ask.append(seconds)
            time.sleep(0.02)
    thread.join(timeout + 10)
    result.slow_seconds = slow_outcome.get("seconds")
    result.slow_status = str(slow_outcome.get("size", "did not finish"))
    return result


def measure_server(server: Server, queries: dict[str, str], limits: Limits, start_timeout: float) -> ServerRun:
    run = ServerRun(server.name)
    try:
        run.start_seconds = server.start(start_timeout)
        print(f"    {server.name}: answering after {run.start_seconds:.1f} s", flush=True)
        with httpx.Client(trust_env=False) as client:
            for name, text in queries.items():
                run.first_run[name] = timed(client, server.url, text, limits.request_timeout)
                if run.first_run[name][0] is None:
                    wait_until_answering(server.url, 600)
                print(f"    {server.name} {name} alone: {run.first_run[name]}", flush=True)
        foreign = ForeignCpu()
        for name, text in queries.items():
            if name.startswith(ALONE_ONLY_PREFIX):
                continue
            phase = load_phase(server.url, text, limits)
            if phase.errors:
                phase.drain = wait_until_answering(server.url, 600)
            run.phases[name] = phase
            p50 = phase.percentile(0.5)
            print(
                f"    {server.name} {name}: {phase.ok} ok, errors {phase.errors or '-'}, "
                f"p50 {fmt_ms(p50)}, {phase.throughput:.1f} req/s",
                flush=True,
            )
        run.rss_after_load_mb = server.rss_mb()
        run.slow = slow_test(server.url, queries[ASK_QUERY], max(limits.request_timeout, 60))
        print(
            f"    {server.name} slow query {run.slow.query_shape}: alone {fmt_s(run.slow.alone_seconds)}, "
            f"ASK during {len(run.slow.during_ask)} x, max {fmt_ms(max(run.slow.during_ask, default=None))}",
            flush=True,
        )
        run.foreign_cpu = foreign.seconds()
        print(f"    {server.name}: other processes used {run.foreign_cpu[0]:.0f} CPU-s", flush=True)
    except Exception as exc:
        run.problems.append(f"{type(exc).__name__}: {exc}")
        print(f"    {server.name}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    finally:
        run.peak_rss_mb = server.peak_rss_mb
        server.stop()
    if server.log_path.exists():
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        for marker in ("Traceback", "ERROR", "Killed", "MemoryError"):
            if marker in log:
                run.problems.append(
                    f"server log contains {marker!r} ({log.count(marker)} times); see {server.log_path}"
                )
    return run


# ---------------------------------------------------------------- sizes


def shipped_files() -> list[Path]:
    """The files graphapp serves by default: ontology/ and data/ without data/restricted/."""
    data = [p for p in sorted((ROOT / "data").rglob("*.ttl")) if "restricted" not in p.relative_to(ROOT / "data").parts]
    return sorted((ROOT / "ontology").glob("*.ttl")) + data


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHAPP_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_size(key: str, workdir: Path, queries: dict[str, str], logs: Path) -> SizeRun:
    size = SIZES[key]
    result = SizeRun(size, loadavg_before=loadavg())
    env = base_env()
    if size.triples is None:
        files = shipped_files()
    else:
        out = workdir / f"synthetic-{key}"
        print(f"  generating {size.triples} triples into {out}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "graphapp.cli", "generate", "--triples", str(size.triples), "--out", str(out)],
            check=True,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
        env["GRAPHAPP_DATA_DIR"] = str(out)
        files = sorted((ROOT / "ontology").glob("*.ttl")) + sorted(out.glob("*.ttl"))
    result.files = len(files)

    port = free_port()
    graphapp = Server(
        "graphapp",
        [sys.executable, "-m", "graphapp.cli", "serve", "--host", HOST, "--port", str(port)],
        env,
        f"http://{HOST}:{port}/sparql",
        logs / f"graphapp-{key}.log",
    )
    run = measure_server(graphapp, queries, size.graphapp, 600)
    result.servers["graphapp"] = run

    port = free_port()
    rdflib_ep = Server(
        "rdflib-endpoint",
        [sys.executable, "-m", "rdflib_endpoint", "serve", "--host", HOST, "--port", str(port), *map(str, files)],
        base_env(),
        f"http://{HOST}:{port}/",
        logs / f"rdflib-endpoint-{key}.log",
    )
    result.servers["rdflib-endpoint"] = measure_server(rdflib_ep, queries, size.rdflib, size.rdflib_start_timeout)
    return result


def quads_of(key: str, workdir: Path) -> int | None:
    """Triples served (ontology + data), counted by parsing the same files with pyoxigraph."""
    import pyoxigraph as ox

    size = SIZES[key]
    files = (
        shipped_files()
        if size.triples is None
        else sorted((ROOT / "ontology").glob("*.ttl")) + sorted((workdir / f"synthetic-{key}").glob("*.ttl"))
    )
    total = 0
    for f in files:
        with f.open("rb") as fh:
            total += sum(1 for _ in ox.parse(fh, format=ox.RdfFormat.TURTLE, base_iri=f.resolve().as_uri()))
    return total


# ---------------------------------------------------------------- report


def fmt_ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def fmt_s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.2f} s"


def fmt_ratio(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.0f}×" if x >= 10 else f"{x:.1f}×"


def phase_cells(phase: Phase | None) -> list[str]:
    if phase is None:
        return ["–", "–", "–", "not run"]
    n = f"{phase.ok}"
    if phase.errors:
        n += " (" + ", ".join(f"{v} {k}" for k, v in sorted(phase.errors.items())) + ")"
    return [fmt_ms(phase.percentile(0.5)), fmt_ms(phase.percentile(0.99)), f"{phase.throughput:.1f}", n]


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages (other processes on the machine compete for the same cores)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine_info() -> list[str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    versions = []
    for pkg in ("graphapp", "pyoxigraph", "rdflib", "rdflib-endpoint", "fastapi", "uvicorn", "httpx"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{pkg} {metadata.version(pkg)}")
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {mem}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; " + ", ".join(versions),
    ]


def query_form(text: str) -> str:
    """SELECT, ASK, DESCRIBE or CONSTRUCT (IRIs and comments removed first: IRIs may contain '#')."""
    bare = re.sub(r"#[^\n]*", "", re.sub(r"<[^>\s]*>", "<>", text))
    m = re.search(r"\b(SELECT|ASK|DESCRIBE|CONSTRUCT)\b", bare, re.IGNORECASE)
    return m.group(1).upper() if m else "?"


def _range(values: list[float]) -> str:
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    return fmt_ratio(lo) if fmt_ratio(lo) == fmt_ratio(hi) else f"{fmt_ratio(lo)}–{fmt_ratio(hi)}"


def render_summary(runs: list[SizeRun], queries: dict[str, str]) -> list[str]:
    """Ratios per size, the 20x aim at the largest size, the slow-query result and every problem seen."""
    loaded = [n for n in queries if not n.startswith(ALONE_ONLY_PREFIX)]
    heavy = [n for n in loaded if query_form(queries[n]) == "SELECT"]
    light = [n for n in loaded if n not in heavy]
    out = [
        "## Summary",
        "",
        f"Data-heavy queries: the SELECTs ({', '.join(f'`{n}`' for n in heavy)}); light: "
        f"{', '.join(f'`{n}`' for n in light)}. Ratios are graphapp vs rdflib-endpoint under the 8-client load.",
        "",
        "| size | data-heavy p50 × | data-heavy req/s × | light p50 × | light req/s × |",
        "|---|---:|---:|---:|---:|",
    ]
    per_size: dict[str, dict[str, float]] = {}
    for run in runs:
        ga, rl = run.servers.get("graphapp"), run.servers.get("rdflib-endpoint")
        if ga is None or rl is None:
            out.append(f"| {run.size.label} | not measured | | | |")
            continue
        p50s: dict[str, float] = {}
        thr: dict[str, float] = {}
        for n in loaded:
            g, r = ga.phases.get(n), rl.phases.get(n)
            if g is None or r is None:
                continue
            if (x := ratio(r.percentile(0.5), g.percentile(0.5))) is not None:
                p50s[n] = x
            if r.ok and (y := ratio(g.throughput, r.throughput)) is not None:
                thr[n] = y
        per_size[run.size.label] = p50s
        out.append(
            f"| {run.size.label} | {_range([p50s[n] for n in heavy if n in p50s])} | "
            f"{_range([thr[n] for n in heavy if n in thr])} | {_range([p50s[n] for n in light if n in p50s])} | "
            f"{_range([thr[n] for n in light if n in thr])} |"
        )
    if runs and runs[-1].size.label in per_size:
        last = runs[-1].size.label
        met = [n for n in heavy if per_size[last].get(n, 0) >= 20]
        out += [
            "",
            f"20× aim at the largest size ({last}), p50 latency: met for {len(met)} of {len(heavy)} data-heavy queries"
            + (f" (not for {', '.join(f'`{n}`' for n in heavy if n not in met)})" if len(met) < len(heavy) else "")
            + ". The light queries cost a few milliseconds on both servers, so HTTP and client overhead dominate "
            "their ratio.",
        ]
    out += ["", "Waiting behind a slow query (ASK latency while a calibrated slow COUNT runs):", ""]
    for run in runs:
        cells = []
        for s in run.servers.values():
            t = s.slow
            if t.during_ask:
                n = len(t.during_ask)
                cells.append(
                    f"{s.name}: {n} ASK{'s' if n != 1 else ''} answered during its {fmt_s(t.slow_seconds)} slow "
                    f"query, {'max' if n != 1 else 'after'} {fmt_ms(max(t.during_ask))} "
                    f"(idle: {fmt_ms(statistics.median(t.idle_ask) if t.idle_ask else None)})"
                )
            else:
                cells.append(f"{s.name}: not measured")
        out.append(f"- {run.size.label}: " + "; ".join(cells) + ".")
    problems = []
    for run in runs:
        if run.error:
            problems.append(f"{run.size.label}: the run failed: {run.error}")
        for s in run.servers.values():
            for n, ph in s.phases.items():
                if ph.errors:
                    errs = ", ".join(f"{v} {k}" for k, v in sorted(ph.errors.items()))
                    problems.append(f"{run.size.label}, {s.name}, `{n}` under load: {errs}")
            for n, (secs, size) in s.first_run.items():
                if secs is None:
                    see = f" (see `benchmarks/queries/{n}.rq`)" if n.startswith(ALONE_ONLY_PREFIX) else ""
                    problems.append(f"{run.size.label}, {s.name}, `{n}` alone: {size}{see}")
            problems += [f"{run.size.label}, {s.name}: {p}" for p in s.problems]
    out += ["", "Errors, time-outs and failures:", ""]
    out += [f"- {p}" for p in problems] if problems else ["- none."]
    out.append("")
    return out


def render(runs: list[SizeRun], queries: dict[str, str], command: str, started: dt.datetime, seconds: float) -> str:
    lines = [
        "# Benchmarks: graphapp vs rdflib-endpoint",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} min in all. Generated by `benchmarks/run.py`; "
        "numbers are from one run on a noisy shared machine: read the ratios, not the last digit.",
        "",
        "Repeat with (from the project root, in the project's virtual environment with the bench extra: "
        "`pip install -e '.[test,bench]'`):",
        "",
        "```sh",
        command,
        "```",
        "",
        *render_summary(runs, queries),
        "## Machine",
        "",
        *machine_info(),
        "",
        "## Method",
        "",
        "- One server at a time, each a real uvicorn process on 127.0.0.1 started the ordinary way: "
        "`graphapp serve` (3 query worker processes, 30 s query time limit: the defaults) and "
        "`rdflib-endpoint serve FILES…` (rdflib's memory store, `Dataset(default_union=True)`). Both serve the same "
        "Turtle files: for the shipped data `ontology/*.ttl` and `data/**/*.ttl` without `data/restricted/`; for the "
        "synthetic sizes `ontology/*.ttl` plus the files `graphapp generate --triples N` wrote to a temporary folder.",
        f"- Load: {CLIENTS} concurrent clients (threads in the benchmark process, one keep-alive `httpx.Client` each) "
        "send the same query as `POST application/sparql-query` (`Accept: application/sparql-results+json`, "
        "`text/turtle` for DESCRIBE) until a request cap or a time cap is reached; in-flight requests finish. "
        "Latency is per request, queueing included; throughput is successful answers per second of the phase. "
        "Failed requests (HTTP errors, client timeouts) are counted in `n` and left out of the latencies.",
        "- Limits per query: "
        + "; ".join(
            f"{s.label}: graphapp ≤ {s.graphapp.max_requests} requests / {s.graphapp.max_seconds:g} s "
            f"(timeout {s.graphapp.request_timeout:g} s), rdflib-endpoint ≤ {s.rdflib.max_requests} requests / "
            f"{s.rdflib.max_seconds:g} s (timeout {s.rdflib.request_timeout:g} s)"
            for s in (r.size for r in runs)
        )
        + ".",
        "- Ratios: `p50 ×` is rdflib-endpoint p50 / graphapp p50 (how many times faster graphapp answers); "
        "`req/s ×` is graphapp throughput / rdflib-endpoint throughput.",
        "- The benchmark client shares the 2 cores with the server it measures, so every figure includes some "
        "client overhead (it matters most for graphapp's fastest queries).",
        "",
        "Queries (`benchmarks/queries/`): "
        + ", ".join(f"`{n}`" for n in queries)
        + ". They are written against the real model, so they run unchanged on the shipped and the synthetic data.",
        "",
    ]
    for run in runs:
        lines += render_size(run, queries)
    return "\n".join(lines) + "\n"


def render_size(run: SizeRun, queries: dict[str, str]) -> list[str]:
    ga = run.servers.get("graphapp", ServerRun("graphapp"))
    rl = run.servers.get("rdflib-endpoint", ServerRun("rdflib-endpoint"))
    out = [f"## {run.size.label}", ""]
    if run.error:
        out += [f"**The run for this size failed:** {run.error}", ""]
    out += [
        f"- Triples served: {run.quads if run.quads is not None else 'unknown'} ({run.files} Turtle files). "
        f"Load average of the machine just before (1/5/15 min): {run.loadavg_before}.",
        f"- Start until the first answer: graphapp {fmt_s(ga.start_seconds)}, "
        f"rdflib-endpoint {fmt_s(rl.start_seconds)}. "
        f"Resident memory (server and its worker processes), peak / after the load phases: graphapp "
        f"{ga.peak_rss_mb:.0f} / {ga.rss_after_load_mb:.0f} MB, rdflib-endpoint {rl.peak_rss_mb:.0f} / "
        f"{rl.rss_after_load_mb:.0f} MB.",
        "- CPU used by other processes on the machine during the load and slow-query tests (they share the 2 cores): "
        + ", ".join(
            f"{s.name} {s.foreign_cpu[0]:.0f} CPU-s in {s.foreign_cpu[1]:.0f} s "
            f"({100 * s.foreign_cpu[0] / s.foreign_cpu[1] if s.foreign_cpu[1] else 0:.0f}% of one core)"
            for s in (ga, rl)
        )
        + ".",
        "",
        "| query | graphapp p50 | p99 | req/s | n | rdflib-endpoint p50 | p99 | req/s | n | p50 × | req/s × |",
        "|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|",
    ]
    speedups = []
    for name in queries:
        if name.startswith(ALONE_ONLY_PREFIX):
            continue
        g, r = ga.phases.get(name), rl.phases.get(name)
        p50 = ratio(r.percentile(0.5) if r else None, g.percentile(0.5) if g else None)
        thr = ratio(g.throughput if g else None, r.throughput if r and r.ok else None)
        if p50 is not None:
            speedups.append(p50)
        out.append(
            f"| `{name}` | "
            + " | ".join(phase_cells(g))
            + " | "
            + " | ".join(phase_cells(r))
            + f" | {fmt_ratio(p50)} | {fmt_ratio(thr)} |"
        )
    if speedups:
        geo = math.exp(sum(math.log(x) for x in speedups) / len(speedups))
        out += ["", f"Geometric mean of the p50 ratios: {fmt_ratio(geo)}."]
    out += [
        "",
        "Each query alone (its first request, before the load): answer size and time; `x…` queries run only "
        "alone (a known problem, see the query file).",
        "",
        "| query | graphapp | rdflib-endpoint | same answer size |",
        "|---|---|---|---|",
    ]
    for name in queries:
        cells, sizes = [], []
        for server in (ga, rl):
            seconds, size = server.first_run.get(name, (None, "not run"))
            cells.append(f"{size}, {fmt_ms(seconds)}" if seconds is not None else f"**{size}**")
            sizes.append(size if seconds is not None else None)
        same = "–" if None in sizes else ("yes" if sizes[0] == sizes[1] else "no (graph serialisations differ)")
        if same.startswith("no") and "rows" in str(sizes[0]):
            same = "**no**"
        out.append(f"| `{name}` | {cells[0]} | {cells[1]} | {same} |")
    drains = [f"{s.name} `{n}` {p.drain:.1f} s" for s in (ga, rl) for n, p in s.phases.items() if p.drain > 1]
    if drains:
        out += [
            "",
            "After client timeouts the server kept working through requests nobody waited for any more; the next "
            "phase started only once it answered again (waited: " + "; ".join(drains) + ").",
        ]
    out += [
        "",
        "Waiting behind a slow query: one client runs a cartesian-product `COUNT(*)` (copies of "
        "`?e a ga:FederalEntity` × a `VALUES` list, calibrated per server to take several seconds alone), another "
        "sends the ASK query in a loop while it runs.",
        "",
        "| server | slow query | alone | same query during the test | idle ASK p50 | ASKs answered meanwhile "
        "| their p50 | their max |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in (ga, rl):
        t = s.slow
        during = statistics.median(t.during_ask) if t.during_ask else None
        slow_cell = fmt_s(t.slow_seconds) if t.slow_seconds is not None else t.slow_status or "–"
        out.append(
            f"| {s.name} | {t.query_shape or '–'} | {fmt_s(t.alone_seconds)} | {slow_cell} | "
            f"{fmt_ms(statistics.median(t.idle_ask) if t.idle_ask else None)} | {len(t.during_ask)} | "
            f"{fmt_ms(during)} | {fmt_ms(max(t.during_ask, default=None))} |"
        )
    notes = [f"{s.name}: {t.note}" for s in (ga, rl) if (t := s.slow).note]
    problems = [f"{s.name}: {p}" for s in (ga, rl) for p in s.problems]
    if notes or problems:
        out += ["", "Problems seen:", ""] + [f"- {x}" for x in notes + problems]
    out.append("")
    return out


# ---------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--sizes", default="shipped,1e5,1e6", help=f"comma-separated, from {', '.join(SIZES)} (default: all three)"
    )
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="Markdown report to write (default docs/benchmarks.md)"
    )
    p.add_argument("--json", type=Path, help="also write the raw measurements as JSON")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (generated data, server logs)")
    p.add_argument(
        "--from-json", type=Path, help="measure nothing: re-render --out from measurements saved earlier with --json"
    )
    return p


def _on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    keys = [k.strip() for k in args.sizes.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SIZES]
    if unknown:
        print(f"unknown size(s) {unknown}; choose from {list(SIZES)}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _on_signal)
    queries = load_queries()
    if args.from_json:
        raw = json.loads(args.from_json.read_text(encoding="utf-8"))
        started = dt.datetime.fromisoformat(raw["started"])
        args.out.write_text(
            render(runs_from_json(raw), queries, raw["command"], started, raw["seconds"]), encoding="utf-8"
        )
        print(f"wrote {args.out} from {args.from_json}", flush=True)
        return 0
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="gakg-bench-"))
    logs = workdir / "logs"
    logs.mkdir()
    runs: list[SizeRun] = []
    command = "python benchmarks/run.py" + ("" if args.sizes == "shipped,1e5,1e6" else f" --sizes {args.sizes}")
    try:
        for key in keys:
            print(f"== {SIZES[key].label}", flush=True)
            try:
                run = run_size(key, workdir, queries, logs)
                with contextlib.suppress(Exception):
                    run.quads = quads_of(key, workdir)
            except KeyboardInterrupt:
                raise
            except Exception as exc:
                run = SizeRun(SIZES[key], error=f"{type(exc).__name__}: {exc}")
            runs.append(run)
            # write after every size, so an interrupted run still leaves its numbers
            write_report(args, runs, queries, command, started, time.monotonic() - t0)
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"wrote {args.out}", flush=True)
    return 0


def write_report(
    args: argparse.Namespace,
    runs: list[SizeRun],
    queries: dict[str, str],
    command: str,
    started: dt.datetime,
    seconds: float,
) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    # other scripts' sections (benchmarks/write_bench.py) stay
    args.out.write_text(keep_sections(old, render(runs, queries, command, started, seconds)), encoding="utf-8")
    if args.json:
        raw = {
            "started": started.isoformat(),
            "seconds": seconds,
            "command": command,
            "runs": [dataclasses.asdict(r) for r in runs],
        }
        args.json.write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")


def runs_from_json(raw: dict[str, Any]) -> list[SizeRun]:
    """Rebuild the measurements written by ``--json`` (to re-render a report without measuring again)."""

    def server(d: dict[str, Any]) -> ServerRun:
        slow = dict(d["slow"])
        slow["calibration"] = [tuple(x) for x in slow["calibration"]]
        return ServerRun(
            name=d["name"],
            start_seconds=d["start_seconds"],
            peak_rss_mb=d["peak_rss_mb"],
            rss_after_load_mb=d.get("rss_after_load_mb", 0.0),
            foreign_cpu=tuple(d.get("foreign_cpu", (0.0, 0.0))),
            first_run={k: (v[0], v[1]) for k, v in d["first_run"].items()},
            phases={k: Phase(**v) for k, v in d["phases"].items()},
            slow=SlowTest(**slow),
            problems=list(d["problems"]),
        )

    runs = []
    for r in raw["runs"]:
        sz = r["size"]
        size = Size(
            sz["label"], sz["triples"], Limits(**sz["graphapp"]), Limits(**sz["rdflib"]), sz["rdflib_start_timeout"]
        )
        runs.append(
            SizeRun(
                size=size,
                quads=r["quads"],
                files=r["files"],
                servers={k: server(v) for k, v in r["servers"].items()},
                error=r["error"],
                loadavg_before=r.get("loadavg_before", ""),
            )
        )
    return runs


if __name__ == "__main__":
    sys.exit(main())
