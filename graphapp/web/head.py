"""``HEAD`` for every ``GET`` route (RFC 9110 9.3.2): link checkers and ``curl -I`` ask with it.

FastAPI routes declared with ``@router.get`` answer ``GET`` only (405 for ``HEAD``). This pure ASGI middleware
runs a ``HEAD`` request as the ``GET`` it stands for and sends the same status and headers without the body.
Static files answer ``HEAD`` themselves and are left alone.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_without_body(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.body":
                if finished:
                    return
                if message.get("more_body", False):
                    return  # drop the chunks; the last message ends the response
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
