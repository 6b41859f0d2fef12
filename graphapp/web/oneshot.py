"""One request to the application in this process, with no HTTP client library: ``graphapp serve --get PATH``.

It speaks ASGI directly (lifespan startup, one ``GET``, lifespan shutdown), so the command needs nothing beyond
the runtime dependencies (it used the test client, whose HTTP library is a test dependency only).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


async def _get(app: Any, target: str, accept: str) -> Answer:
    lifespan_in: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan_out: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    state: dict[str, Any] = {}
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}, lifespan_in.get, lifespan_out.put)
    )
    await lifespan_in.put({"type": "lifespan.startup"})
    started = await lifespan_out.get()
    if started["type"] != "lifespan.startup.complete":
        await lifespan
        raise RuntimeError(started.get("message") or "the application did not start")
    try:
        path, _, query = target.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"localhost"), (b"accept", accept.encode())],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 80),
            "state": dict(state),
        }
        sent = False
        status = 0
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Event().wait()  # the client never goes away
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers.extend((k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)
        return Answer(status, headers, b"".join(chunks))
    finally:
        await lifespan_in.put({"type": "lifespan.shutdown"})
        await lifespan_out.get()
        await lifespan


def get(app: Any, target: str, accept: str = "*/*") -> Answer:
    """Start ``app``, answer ``GET target`` and stop it.

    >>> from fastapi import FastAPI
    >>> demo = FastAPI()
    >>> _ = demo.get("/hello")(lambda: {"hola": "mundo"})
    >>> answer = get(demo, "/hello")
    >>> answer.status, answer.text
    (200, '{"hola":"mundo"}')
    """
    return asyncio.run(_get(app, target, accept))
