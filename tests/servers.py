"""Real processes for the tests: `graphapp serve` for tests that talk to the service over HTTP (real clients, a
browser), the SPARQL servers a service can run on, and Debian's Chromium. What is not installed skips, or fails
where the run requires it (``conftest.missing``)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphapp.triplestores import LAUNCHERS, RunningServer, ServerUnavailable, available

from .conftest import REQUIRE_BROWSER, REQUIRE_SERVERS, missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(log: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `graphapp serve` on a free loopback port (one query worker unless ``env`` says otherwise)."""
    port = free_port()
    # each server its own store on disk, beside its log (as a real deployment has)
    store = log.parent / f"store-{port}"
    full_env = {
        **os.environ,
        "GRAPHAPP_PORT": str(port),
        "GRAPHAPP_WORKERS": "1",
        "GRAPHAPP_STORE_DIR": str(store),
        "GRAPHAPP_BUILD_WAIT_SECONDS": "120",  # pages wait for the background builds on a loaded test machine
        **env,
    }
    with log.open("wb") as out:
        # a session of its own, so that a test can kill the server with its workers (kill_hard)
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphapp.cli", "serve"],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, f"http://127.0.0.1:{port}"


def wait(proc: subprocess.Popen[bytes], base: str, log: Path, timeout: float = 90) -> None:
    """Wait until the server answers a query, or fail with the end of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + log.read_text(errors="replace")[-2000:])
        try:
            urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"server did not start in {timeout:g} s: " + log.read_text(errors="replace")[-2000:])


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def kill_hard(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the server and every process of its session (its query and update workers), as a crash would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=15)


def sparql_server(kind: str, folder: Path, timeout_s: float = 30) -> RunningServer:
    """Start a real SPARQL server (``oxigraph`` or ``virtuoso``) on loopback with its data in ``folder``; the
    caller stops it. Not installed: a skip, or a failure under GRAPHAPP_REQUIRE_SERVERS=1."""
    if not available(kind):
        missing(f"{kind} is not installed here", REQUIRE_SERVERS)
    try:
        return LAUNCHERS[kind](folder, timeout_s=timeout_s)
    except ServerUnavailable as exc:
        pytest.fail(f"{kind} did not start: {exc}")


CHROMIUM = "/usr/bin/chromium"  # Debian's package; a browser is never downloaded
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, for the browser tests. Missing: a skip, or a failure under
    GRAPHAPP_REQUIRE_BROWSER=1."""
    if not Path(CHROMIUM).exists():
        missing(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", REQUIRE_BROWSER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def urlopen(target: str | urllib.request.Request, headers: dict[str, str] | None = None, timeout: float = 60) -> Any:
    """Open a URL (or a prepared request) on a test server, with extra headers."""
    request = target if isinstance(target, urllib.request.Request) else urllib.request.Request(target)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    return urllib.request.urlopen(request, timeout=timeout)


def warm_centrality(base: str, timeout: float = 120) -> None:
    """Ask for the centrality rankings as a first visitor would, and wait until they are ready (the service
    computes them in the background from the first request on: 503 with Retry-After until then)."""
    deadline = time.monotonic() + timeout
    for path in (
        "/analitica/centralidad?format=json&red=todo",
        "/vistas/general?format=json",
        "/practicas?format=json",
    ):
        url = base + path
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    if r.status == 200 and json.loads(r.read()).get("preparing") is False:
                        break
            except OSError:
                pass  # 503 while being prepared
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} was not ready within {timeout:g} s")
            time.sleep(0.5)
