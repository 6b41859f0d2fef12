"""The first pages after a start on a large store: what a visitor waits for, and the memory once the copy serves.

``graphapp serve`` answers SPARQL as soon as one query worker is ready, but a page needs the label index, and the
overview (``/vistas/general``) and the finder (``/api/practices/search``) need their whole-graph indexes, which
are built in the background per version. The first start on a store builds the label index and saves it in the
store folder; a later start with the same graph reads it. This script measures, on generated data:

    python benchmarks/first_page.py --triples 1000000 [--starts 3] [--write]

It generates the data (``graphapp generate``) beside a copy of ``data/`` without the restricted folder, builds the
store (``graphapp load``), then starts ``graphapp serve`` ``--starts`` times. Each start is timed to its first
``ASK {}`` answer and to its first entity page (``/id/…`` of a shipped practice, as HTML). Then the overview and
the finder are asked every half second until they answer for the current version (``up_to_date``): the table gives
the longest single request (what one visitor waited; the aim is under 2 s) and when the answer was up to date; in
the same rounds the entity page (HTML and Turtle) and the site's search (``/buscar``) are asked, and their longest
request is given too.
Once users' queries read the in-memory copy (``/ready``), the PSS of the service's process tree is read. With
``--write``, the last start then writes one best practice through ``/sparql/update`` and asks the overview and the
finder again until they are up to date with it. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.loaded_store import loaded_store  # noqa: E402
from benchmarks.scale import tree_memory  # noqa: E402
from benchmarks.write_bench import TOKEN, _practice_update  # noqa: E402

PAGE = "/id/practica/reubicacion-ladrilleras-durango"
#: what a visitor asks that needs a whole-graph index: (name, path, query parameters)
INDEXED = (
    ("overview", "/vistas/general", {"format": "json"}),
    ("finder", "/api/practices/search", {"q": "participación ciudadana en el presupuesto"}),
)
#: what a visitor asks besides, with no whole-graph index of its own: asked in the same rounds, the longest kept
ALSO = (
    ("entity page", PAGE, {}, "text/html"),
    ("entity as Turtle", PAGE, {}, "text/turtle"),
    ("site search", "/buscar", {"q": "agua", "format": "json"}, "application/json"),
)
DEADLINE = 1800.0


@dataclass
class Waits:
    """One indexed path asked until up to date: the longest request, the statuses seen, when it was up to date."""

    longest: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    up_to_date: float | None = None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(client: httpx.Client, url: str, deadline: float, accept: str) -> float | None:
    while time.monotonic() < deadline:
        try:
            if client.get(url, headers={"Accept": accept}, timeout=120).status_code == 200:
                return time.monotonic()
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return None


def _asked(client: httpx.Client, base: str, t0: float, deadline: float) -> dict[str, Waits]:
    """Ask each indexed path every half second until both answer up to date (or the deadline)."""
    waits = {name: Waits() for name, _, _ in INDEXED}
    waits.update({name: Waits() for name, _, _, _ in ALSO})
    while time.monotonic() < deadline and any(waits[name].up_to_date is None for name, _, _ in INDEXED):
        for name, path, params, accept in ALSO:
            w = waits[name]
            t = time.monotonic()
            try:
                r = client.get(base + path, params=params, headers={"Accept": accept}, timeout=120)
            except httpx.HTTPError:
                w.statuses[0] = w.statuses.get(0, 0) + 1
                continue
            w.longest = max(w.longest, time.monotonic() - t)
            w.statuses[r.status_code] = w.statuses.get(r.status_code, 0) + 1
        for name, path, params in INDEXED:
            w = waits[name]
            if w.up_to_date is not None:
                continue
            t = time.monotonic()
            try:
                r = client.get(base + path, params=params, timeout=120)
            except httpx.HTTPError:
                w.statuses[0] = w.statuses.get(0, 0) + 1
                continue
            w.longest = max(w.longest, time.monotonic() - t)
            w.statuses[r.status_code] = w.statuses.get(r.status_code, 0) + 1
            if r.status_code == 200 and r.json().get("up_to_date", True):
                w.up_to_date = time.monotonic() - t0
        time.sleep(0.5)
    return waits


def _copy_serves(client: httpx.Client, base: str, deadline: float) -> float | None:
    while time.monotonic() < deadline:
        try:
            if client.get(base + "/ready", timeout=30).json().get("queries_read") != "loading":
                return time.monotonic()
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    return None


@dataclass
class Start:
    answer: float | None = None
    page: float | None = None
    waits: dict[str, Waits] = field(default_factory=dict)
    copy: float | None = None
    pss: float | None = None
    write_ack: float | None = None
    after_write: dict[str, Waits] = field(default_factory=dict)


@contextlib.contextmanager
def served(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``graphapp serve`` on a free port with ``env`` (its output in ``log``): its base URL and process, stopped at
    the end of the block."""
    port = _free_port()
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphapp.cli", "serve"],
            env={**env, "GRAPHAPP_PORT": str(port)},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}", proc
        finally:
            proc.terminate()
            proc.wait(timeout=120)


def _start(env: dict[str, str], log: Path, write: bool) -> Start:
    out = Start()
    t0 = time.monotonic()
    with served({**env, "GRAPHAPP_UPDATE_TOKEN": TOKEN}, log) as (base, proc), httpx.Client() as client:
        deadline = t0 + DEADLINE
        answered = _until(client, base + "/sparql?query=ASK%7B%7D", deadline, "application/sparql-results+json")
        out.answer = answered - t0 if answered else None
        page = _until(client, base + PAGE, deadline, "text/html")
        out.page = page - t0 if page else None
        out.waits = _asked(client, base, t0, deadline)
        copy = _copy_serves(client, base, deadline)
        out.copy = copy - t0 if copy else None
        out.pss = tree_memory(proc.pid).get("pss")
        if write:
            _, body = _practice_update(f"first-page-{proc.pid}")
            t = time.monotonic()
            r = client.post(
                base + "/sparql/update",
                content=body.encode(),
                headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
                timeout=120,
            )
            out.write_ack = time.monotonic() - t if r.status_code == 204 else None
            out.after_write = _asked(client, base, t, t + DEADLINE)
    return out


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _waits(w: Waits | None, indexed: bool = True) -> str:
    if w is None:
        return "—"
    seen = ", ".join(f"{n}× {s or 'error'}" for s, n in sorted(w.statuses.items()))
    if not indexed:
        return f"{w.longest:.2f} s ({seen})"
    return f"{w.longest:.2f} s ({seen}); up to date at {_secs(w.up_to_date)}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--triples", type=int, default=1_000_000)
    p.add_argument("--starts", type=int, default=3)
    p.add_argument("--write", action="store_true", help="the last start writes one practice and asks again")
    args = p.parse_args(argv)
    with loaded_store(args.triples, "first-page-") as (settings, load):
        env = {**os.environ, **settings}
        store = Path(settings["GRAPHAPP_STORE_DIR"])
        print(f"`graphapp load` of {args.triples:,} generated triples and the shipped data: {load:.1f} s\n")
        starts = []
        for n in range(args.starts):
            saved = any((store / "index").glob("labels-*.pickle"))
            start = _start(env, store.parent / f"serve-{n}.log", args.write and n == args.starts - 1)
            starts.append(("read from the store folder" if saved else "built (and saved)", start))
        print("| start | label index | first SPARQL answer | first entity page | queries read the copy | PSS then |")
        print("|---|---|---:|---:|---:|---:|")
        for n, (how, s) in enumerate(starts, 1):
            pss = "—" if s.pss is None else f"{s.pss:,.0f} MB"
            print(f"| {n} | {how} | {_secs(s.answer)} | {_secs(s.page)} | {_secs(s.copy)} | {pss} |")
        print("\nLongest single request (statuses seen); when the answer was up to date, from the start:\n")
        print("| start | overview | finder |")
        print("|---|---|---|")
        for n, (_, s) in enumerate(starts, 1):
            print(f"| {n} | {_waits(s.waits.get('overview'))} | {_waits(s.waits.get('finder'))} |")
        others = [name for name, _, _, _ in ALSO]
        print("\nAsked in the same rounds: longest single request (statuses seen):\n")
        print("| start | " + " | ".join(others) + " |")
        print("|---|" + "---|" * len(others))
        for n, (_, s) in enumerate(starts, 1):
            print(f"| {n} | " + " | ".join(_waits(s.waits.get(o), indexed=False) for o in others) + " |")
        for n, (_, s) in enumerate(starts, 1):
            if s.after_write:
                print(f"\nAfter a write at start {n} (acknowledged in {_secs(s.write_ack)}), from the write:\n")
                print("| overview | finder |")
                print("|---|---|")
                print(f"| {_waits(s.after_write.get('overview'))} | {_waits(s.after_write.get('finder'))} |")
                print("\n| " + " | ".join(others) + " |")
                print("|" + "---|" * len(others))
                print("| " + " | ".join(_waits(s.after_write.get(o), indexed=False) for o in others) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
