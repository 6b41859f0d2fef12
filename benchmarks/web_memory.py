"""What the web process holds as pages build their per-version indexes: its RSS after each kind of request.

    python benchmarks/web_memory.py --triples 1000000

Builds an embedded store of the shipped data (without the restricted folder) plus that many generated triples,
opens the service in this process (one query worker; the label index is built, not read from a saved one) and
requests, in order, an entity page, the home page, the overview and the SDG view, the finder, the analytics and
the search, printing after each the seconds it took and the process's resident memory. The query workers are
other processes and are not counted: what is measured is what the web process itself keeps.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.loaded_store import loaded_store  # noqa: E402

REQUESTS = [
    ("entity page (label index)", "/id/practica/reubicacion-ladrilleras-durango", "text/html"),
    ("home", "/", "text/html"),
    ("overview (entity graph)", "/vistas/general?format=json", "application/json"),
    ("SDG view", "/vistas/ods?format=json", "application/json"),
    ("finder (practice index)", "/practicas?q=ladrilleras&format=json", "application/json"),
    ("analytics: components", "/analitica/componentes?format=json", "application/json"),
    ("search", "/buscar?q=ladrilleras", "text/html"),
]


def main(argv: list[str] | None = None) -> int:
    import psutil
    from fastapi.testclient import TestClient

    from graphapp.config import Settings
    from graphapp.web.app import create_app

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--triples", type=int, default=1_000_000)
    args = p.parse_args(argv)
    with loaded_store(args.triples, "web-memory-") as (env, _):
        me = psutil.Process()

        def rss() -> str:
            return f"{me.memory_info().rss / 2**20:,.0f} MB"

        print(f"{args.triples:,} generated triples and the shipped data; RSS of the web process\n")
        print("| after | seconds | RSS |")
        print("|---|---:|---:|")
        print(f"| imports | | {rss()} |")
        with TestClient(create_app(Settings.from_env(env, workers=1))) as client:
            print(f"| start | | {rss()} |")
            for what, path, accept in REQUESTS:
                t0 = time.perf_counter()
                status = client.get(path, headers={"Accept": accept}).status_code
                took = time.perf_counter() - t0
                print(f"| {what}{'' if status == 200 else f' (HTTP {status})'} | {took:.1f} | {rss()} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
