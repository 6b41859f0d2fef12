"""A SPARQL server's answer that is cut off is a store failure (503), never a 500.

At 10^6 triples the Oxigraph server stopped queries at its time limit after it had sent status 200 and part of the
JSON (the finder's index query, the overview's edges): reading the rest raised the parser's ``SyntaxError``, which
reached the reader as a 500 (docs/benchmarks.md). A server on loopback here answers the registry of the service's
graphs properly and every other query with a JSON document cut in the middle.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from graphapp import results
from graphapp.remote_store import REGISTRY, RemoteQueryError, SparqlGraphStore, run_user_query
from graphapp.storage import RemoteStoreError

BASE = "https://example.org/gakg/"
GRAPH = BASE + "graph/datos"
CUT = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"https://example.org/a"}},{"s":{"ty'


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if REGISTRY in form["query"][0]:
            body = json.dumps(
                {"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": GRAPH}}]}}
            ).encode()
        else:
            body = CUT
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def cutting_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/query"
    finally:
        server.shutdown()
        server.server_close()


def test_a_cut_answer_to_the_services_own_query_is_a_store_failure(cutting_server: str) -> None:
    store = SparqlGraphStore(BASE, cutting_server, cutting_server)
    assert store.graphs() == [GRAPH]  # the registry was read: the server itself works
    assert "cut or malformed" in _failure(lambda: store.select_text("SELECT ?s WHERE { ?s ?p ?o }"))
    assert "cut or malformed" in _failure(lambda: store.contains("https://example.org/a"))
    _collect_on_another_thread()


def _failure(call: Callable[[], object]) -> str:
    """The message of the error ``call`` raises, the error left in a reference cycle (its traceback holds this
    frame, which holds the error), as a logged or kept error is: only the garbage collector frees it."""
    try:
        call()
    except (RemoteStoreError, RemoteQueryError) as exc:
        kept = exc
        return str(kept)
    raise AssertionError("no error")


def _collect_on_another_thread() -> None:
    """The engine's result object may only be freed on the thread that made it: if a failed answer's traceback
    held it, the garbage collector running on another thread (a page's, the label index's) would free it, and
    pytest reports the engine's refusal as an unraisable exception."""
    collector = threading.Thread(target=gc.collect)
    collector.start()
    collector.join()


def test_a_cut_answer_to_a_users_query_is_503(cutting_server: str) -> None:
    store = SparqlGraphStore(BASE, cutting_server, cutting_server)

    async def ask() -> None:
        async with httpx.AsyncClient() as client:
            await run_user_query(
                store,
                client,
                query="SELECT ?s WHERE { ?s ?p ?o }",
                form="SELECT",
                fmt=results.format_by_key("json"),
                default_graphs=(),
                named_graphs=(),
                limits=results.Limits(),
                prefixes={},
                timeout=10,
                max_read_bytes=10_000_000,
            )

    assert "cut off" in _failure(lambda: asyncio.run(ask()))
    with pytest.raises(RemoteQueryError) as caught:
        asyncio.run(ask())
    assert caught.value.status == 503
    del caught
    _collect_on_another_thread()
