"""Write latency: the one write path (focused SHACL validation) against whole-graph validation, side by side.

For each size — the shipped data, and the shipped data plus 10^6 synthetic triples (``graphapp generate``) — the
script builds a persistent store in a temporary folder and measures, in one run:

1. **write path, in-process**: ``Writer.commit`` of a new, valid best practice (about 20 statements), repeated;
   this is validation of the changed entities and the nodes that point at them, the commit, history, publish;
2. **write path, over HTTP**: ``POST /sparql/update`` with the same kind of practice against a real
   ``graphapp serve`` on 127.0.0.1 (update worker on a private checkpoint, diff, write path, new snapshot);
3. **before**: what a write cost until now, whole-graph pyshacl validation of the store (the old update path),
   measured once or a few times.

Results go to the "Writes" section of ``docs/benchmarks.md`` (kept between markers, so ``benchmarks/run.py``
does not erase it, and vice versa). Run on demand: ``python benchmarks/write_bench.py`` (about 10 minutes, most
of it the whole-graph validation at 10^6).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import replace_section  # noqa: E402
from graphapp.config import Settings  # noqa: E402
from graphapp.loading import open_store  # noqa: E402
from graphapp.validation import validate_store  # noqa: E402
from graphapp.writes import Change, Writer  # noqa: E402
from graphapp.writes.history import History  # noqa: E402

GA = "https://w3id.org/gakg/ontology#"
ID = "https://w3id.org/gakg/id/"
CONTRIB = "https://w3id.org/gakg/graph/contrib/staff"
TOKEN = "bench-token"  # noqa: S105 - a throwaway token for a local benchmark server
PRACTICE_TTL = """
  <{iri}> a ga:BestPractice ;
    rdfs:label "Práctica de medición {n}"@es , "Benchmark practice {n}"@en ;
    dcterms:spatial <https://w3id.org/gakg/id/entidad/jalisco> ;
    ga:addressesProblem <https://w3id.org/gakg/id/problema/desigualdad-laboral-y-salarial-entre-hombres-y-mujeres> ;
    ga:solution "Una solución medida {n}."@es ;
    ga:status <https://w3id.org/gakg/id/estado-vigencia/activa> ;
    dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> .
"""
PREFIXES = (
    "PREFIX ga: <https://w3id.org/gakg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX dcterms: <http://purl.org/dc/terms/> "
)


def practice_quads(n: str) -> list:
    import pyoxigraph as ox

    text = "@prefix ga: <https://w3id.org/gakg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."
    text += " @prefix dcterms: <http://purl.org/dc/terms/> ." + PRACTICE_TTL.format(iri=f"{ID}practica/bench-{n}", n=n)
    graph = ox.NamedNode(CONTRIB)
    return [
        ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def data_dir_for(size: str, work: Path) -> Path:
    if size == "shipped":
        return ROOT / "data"
    data = work / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("restricted"))
    subprocess.run(
        [sys.executable, "-m", "graphapp.cli", "generate", "--triples", "1000000", "--out", str(data / "synthetic")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return data


def measure_in_process(settings: Settings, writes: int) -> dict[str, object]:
    t = time.monotonic()
    store, _ = open_store(settings)
    load = time.monotonic() - t
    writer = Writer(
        store,
        History(Path(settings.store_dir) / "history.sqlite"),
        settings,
        writable="https://w3id.org/gakg/graph/",
        read_only=store.source_graphs(),
        restricted="https://w3id.org/gakg/graph/restricted/",
    )
    times = []
    for i in range(writes):
        change = Change(add=tuple(practice_quads(f"p{i}")), actor="bench", method="api")
        t = time.monotonic()
        commit = writer.commit(change)
        times.append(time.monotonic() - t)
        assert commit.change_id is not None
    quads = len(store)
    store.close()
    return {"load_s": load, "quads": quads, "p50": percentile(times, 0.5), "p95": percentile(times, 0.95)}


def measure_whole_graph(settings: Settings, runs: int) -> dict[str, object]:
    store, _ = open_store(settings)
    times = []
    for _ in range(runs):
        t = time.monotonic()
        validate_store(store, settings)
        times.append(time.monotonic() - t)
    store.close()
    return {"p50": statistics.median(times), "runs": runs}


def _practice_update(n: str) -> tuple[str, str]:
    iri = f"{ID}practica/bench-{n}"
    body = PREFIXES + f"INSERT DATA {{ GRAPH <{CONTRIB}> {{ " + PRACTICE_TTL.format(iri=iri, n=n) + " } }"
    return iri, body


def _practice_json(n: str) -> dict[str, object]:
    return {
        "label": {"es": f"Práctica de medición por la API {n}", "en": f"API benchmark practice {n}"},
        "place": "municipio/15106",
        "addresses_problem": "desinformacion-para-elegir-bachillerato",
        "solution": {"es": f"Un tablero público medido {n}."},
        "status": "activa",
        "sources": ["cocreacion-desde-lo-local-inai-2020"],
    }


def _practice_form(n: str, csrf: str) -> dict[str, object]:
    return {
        "label.es": f"Práctica de medición por formulario {n}",
        "label.en": "",
        "place": "municipio/15054",
        "addresses_problem": "problema/desinformacion-para-elegir-bachillerato",
        "solution.es": f"Una ventanilla medida {n}.",
        "solution.en": "",
        "status": "estado-vigencia/activa",
        "sources": ["fuente/cocreacion-desde-lo-local-inai-2020"],
        "csrf_token": csrf,
    }


def _visible(client: httpx.Client, base: str, iri: str, sent: float, deadline: float = 30.0) -> float:
    """Seconds from ``sent`` until a reader's ``/sparql`` query (answer cache off) sees ``iri``."""
    query = f"ASK {{ <{iri}> ?p ?o }}"
    while True:
        r = client.get(base + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        if r.status_code == 200 and r.json().get("boolean") is True:
            return time.monotonic() - sent
        if time.monotonic() - sent > deadline:
            raise RuntimeError(f"{iri} not visible after {deadline} s")
        time.sleep(0.002)


def _one_write(client: httpx.Client, base: str, path: str, n: str, staff_token: str, csrf: str) -> tuple[float, str]:
    """Send one write of ``path``; (seconds until acknowledged, IRI written)."""
    auth = {"Authorization": f"Bearer {staff_token}"}
    t = time.monotonic()
    if path in ("update", "update-legacy"):
        iri, body = _practice_update(n)
        token = TOKEN if path == "update-legacy" else staff_token
        r = client.post(
            base + "/sparql/update",
            content=body.encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
        )
        ok, iri_of = r.status_code == 204, lambda _r: iri
    elif path == "api":
        r = client.post(base + "/api/entities/practice", json=_practice_json(n), headers=auth)
        ok, iri_of = r.status_code == 201, lambda r: str(r.json()["iri"])
    else:
        r = client.post(base + "/practicas/nueva", data=_practice_form(n, csrf), follow_redirects=False)
        ok = r.status_code == 303
        iri_of = lambda r: "https://w3id.org/gakg/id/" + r.headers["location"].split("/id/", 1)[1]  # noqa: E731
    elapsed = time.monotonic() - t
    if not ok:
        raise RuntimeError(f"{path} answered {r.status_code}: {r.text[:300]}")
    return elapsed, iri_of(r)


PATHS = ("update", "update-legacy", "api", "form")


def measure_http(settings: Settings, work: Path, writes: int, paths: tuple[str, ...] = PATHS) -> dict[str, object]:
    """Each write path against a real ``graphapp serve`` (one web process, answer cache off): time until the write
    is acknowledged, and time from sending it until a ``/sparql`` query sees it."""
    from graphapp import staff

    port = _free_port()
    staff_file = work / "staff.json"
    _, staff_token = staff.add(staff_file, "bench.staff", ["edit"], display_name="Bench")
    env = {
        **os.environ,
        "GRAPHAPP_PORT": str(port),
        "GRAPHAPP_STORE_DIR": settings.store_dir,
        "GRAPHAPP_DATA_DIR": str(settings.data_dir),
        "GRAPHAPP_UPDATE_TOKEN": TOKEN,
        "GRAPHAPP_STAFF_FILE": str(staff_file),
        "GRAPHAPP_WRITE_RATE": "100000/minute",
        "GRAPHAPP_CACHE_MB": "0",
        "GRAPHAPP_WORKERS": "1",
    }
    log = (work / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphapp.cli", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        t = time.monotonic()
        while True:
            try:
                if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() - t > 600:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        result: dict[str, object] = {"start_s": time.monotonic() - t}
        # the writes are measured on the service as it runs: users' queries on the in-memory copy, not while the
        # copy still loads beside the store on disk (at 10^6 that takes about half a minute)
        result["copy_s"] = copy_loaded(base)
        print(f"    started in {result['start_s']:.1f} s, the copy read {result['copy_s']:.1f} s later", flush=True)
        with httpx.Client(timeout=120) as client:
            r = client.post(base + "/acceso", data={"token": staff_token}, follow_redirects=False)
            if r.status_code != 303:
                raise RuntimeError(f"sign-in answered {r.status_code}")
            page = client.get(base + "/practicas/nueva", headers={"Accept": "text/html"})
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            if found is None:
                raise RuntimeError("no CSRF token on the form")
            csrf = found.group(1)
            for path in paths:
                acked, seen = [], []
                for i in range(writes + 1):  # the first write of each path warms it up and is not counted
                    n = f"{path}-{i}-{uuid.uuid4().hex[:6]}"
                    sent = time.monotonic()
                    elapsed, iri = _one_write(client, base, path, n, staff_token, csrf)
                    visible = _visible(client, base, iri, sent)
                    if i:
                        acked.append(elapsed)
                        seen.append(visible)
                result[path] = {
                    "p50": percentile(acked, 0.5),
                    "p95": percentile(acked, 0.95),
                    "visible_p50": percentile(seen, 0.5),
                    "visible_p95": percentile(seen, 0.95),
                }
                print(f"    {path}: {result[path]}", flush=True)
        return result
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


def copy_loaded(base: str, timeout: float = 900) -> float:
    """Seconds until users' queries read the in-memory copy and the background builds of the start are done
    (``/ready``: ``queries_read`` is no longer ``loading``, ``building`` is empty): the writes and workloads measure
    the service as it runs, not while the copy loads or the views' projection and the finder's index are built
    beside it (threads of the web process: requests are slower meanwhile)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        with contextlib.suppress(httpx.HTTPError, ValueError):
            ready = httpx.get(base + "/ready", timeout=30).json()
            if ready.get("queries_read") != "loading" and not ready.get("building"):
                break
        time.sleep(0.5)
    return time.monotonic() - t0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render(results: dict[str, dict[str, dict[str, object]]], started: dt.datetime, seconds: float) -> str:
    lines = [
        "## Writes: the one write path against whole-graph validation",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} min, by `python benchmarks/write_bench.py`. "
        "A write is one new best practice (about 20 statements) committed through the write path. Over HTTP: "
        "acknowledged p50 (p95), then / the p50 until a `/sparql` query (answer cache off) sees it.",
        "",
        "| size | quads | in-process p50 (p95) | SPARQL Update (staff token) | JSON API | form | "
        "whole-graph validation (before) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def cell(r: object) -> str:
        if not isinstance(r, dict):
            return "–"
        return (
            f"{float(r['p50']) * 1000:.0f} ms ({float(r['p95']) * 1000:.0f} ms) / "
            f"{float(r['visible_p50']) * 1000:.0f} ms"
        )

    for size, r in results.items():
        ip, http, whole = r.get("in_process", {}), r.get("http", {}), r.get("whole_graph", {})
        ip_cell = f"{float(ip['p50']) * 1000:.0f} ms ({float(ip['p95']) * 1000:.0f} ms)" if ip else "–"
        whole_cell = f"{float(whole['p50']):.1f} s" if whole else "–"
        quads = f"{ip['quads']:,}" if ip else "–"
        lines.append(
            f"| {size} | {quads} | {ip_cell} | {cell(http.get('update'))} | {cell(http.get('api'))} | "
            f"{cell(http.get('form'))} | {whole_cell} |"
        )
    lines += [
        "",
        "Goals (issue «Cold queries at engine speed»): a write under 100 ms p50 on the shipped data and under 300 ms "
        "at 10^6 triples on every path, until readers see it. The whole-graph validation is what every update cost "
        "before the write path (pyshacl over a copy of the store).",
        "",
    ]
    return "\n".join(lines)


def data_dir_given(given: Path, work: Path) -> Path:
    """The shipped data plus the synthetic files already generated in ``given`` (e.g. /tmp/gen1e6)."""
    data = work / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("restricted"))
    shutil.copytree(given, data / "synthetic")
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="shipped,1e6")
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--paths", default=",".join(PATHS), help="HTTP paths: " + ", ".join(PATHS))
    parser.add_argument("--synthetic", type=Path, help="synthetic files already generated (for 1e6)")
    parser.add_argument("--skip", default="", help="comma-separated: in_process, http, whole_graph")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="'-' prints only")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    paths = tuple(filter(None, args.paths.split(",")))
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    results: dict[str, dict[str, dict[str, object]]] = {}
    for size in args.sizes.split(","):
        work = Path(tempfile.mkdtemp(prefix="gakg-write-bench-"))
        try:
            label = "shipped data" if size == "shipped" else "shipped + 10^6 synthetic triples"
            print(f"== {label}", flush=True)
            data = data_dir_given(args.synthetic, work) if size != "shipped" and args.synthetic else None
            data = data or data_dir_for(size, work)
            settings = Settings(data_dir=data, store_dir=str(work / "store"))
            results[label] = {}
            if "in_process" not in skip:
                results[label]["in_process"] = measure_in_process(settings, args.writes)
                print("  in-process", results[label]["in_process"], flush=True)
            if "http" not in skip:
                http_settings = Settings(data_dir=data, store_dir=str(work / "store-http"))
                results[label]["http"] = measure_http(http_settings, work, args.writes, paths)
            if "whole_graph" not in skip:
                results[label]["whole_graph"] = measure_whole_graph(settings, 3 if size == "shipped" else 1)
                print("  whole graph", results[label]["whole_graph"], flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    text = render(results, started, time.monotonic() - t0)
    if str(args.out) == "-":
        print(text)
    else:
        replace_section(args.out, "writes", text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
