"""How long `graphapp serve` takes to stop when it is stopped right after its first answer, while it still builds
its indexes and loads the in-memory copy (the moment a redeploy or a restart by hand is most likely).

The service is started on DATA_DIR and STORE_DIR (load them first: ``graphapp load``), and stopped with SIGTERM as
soon as it answers ``ASK {}``: sent to its whole process group (``--group``, as systemd does) or to the web process
alone (as ``docker stop`` does). Run on demand, e.g. at 10^6 triples::

    graphapp generate --triples 1000000 --out /tmp/gen1e6
    mkdir -p /tmp/st && cp -r data /tmp/st/data && rm -rf /tmp/st/data/restricted
    cp -r /tmp/gen1e6 /tmp/st/data/synthetic
    GRAPHAPP_DATA_DIR=/tmp/st/data GRAPHAPP_STORE_DIR=/tmp/st/store graphapp load
    python benchmarks/stop_time.py /tmp/st/data /tmp/st/store --group

A saved index of a graph is read at the next start instead of built: to measure a first start again, remove
``STORE_DIR/index``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("store_dir", type=Path)
    parser.add_argument("--group", action="store_true", help="signal the whole process group, not the web process")
    parser.add_argument("--log", type=Path, default=Path("stop_time.log"), help="the service's output")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHAPP_")}
    env |= {
        "GRAPHAPP_DATA_DIR": str(args.data_dir),
        "GRAPHAPP_STORE_DIR": str(args.store_dir),
        "GRAPHAPP_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    started = time.monotonic()
    with args.log.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphapp.cli", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=5).is_success:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                print(f"the service stopped before answering (see {args.log})")
                return 1
            time.sleep(0.02)
        answered = time.monotonic() - started
        sent = time.monotonic()
        if args.group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(300)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            print(f"first answer after {answered:.2f} s; still running 300 s after SIGTERM (killed)")
            return 1
    print(
        f"first answer after {answered:.2f} s; stopped {time.monotonic() - sent:.1f} s after SIGTERM "
        f"({'process group' if args.group else 'web process'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
