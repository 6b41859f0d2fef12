"""Every answer names the graph version it was made from: ``X-Graph-Version`` and an ``ETag`` derived from it.

:class:`VersionTagMiddleware` stamps every response with the version the service was at when the request arrived
(a route that answers from another version, ``version=N``, sets the header itself), and gives each complete
successful GET answer a weak ``ETag`` made of that version and a digest of the body: a client that sends it back
in ``If-None-Match`` gets a ``304 Not Modified`` while the answer is the same. Answers marked ``no-store`` or that
set a cookie get no ETag.

The ``version=`` parameter (``/sparql``, entity pages, dumps) is read by :func:`requested_version`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..service import Service
from ..versions import VersionError, parse_version
from .exceptions import AppError

VERSION_HEADER = "X-Graph-Version"
#: headers a 304 repeats from the answer it stands for (RFC 9110, 15.4.5)
_KEPT_ON_304 = ("etag", "cache-control", "vary", "content-location", "expires", VERSION_HEADER.lower())


def requested_version(service: Service, values: list[str]) -> int | None:
    """The version a request asks for (``version=N``), checked: ``None`` when it asks for none (or an empty
    one). Raises :class:`AppError`: 400 for a bad or repeated value, 404 for a version that never existed, 410 for
    one no longer kept."""
    given = sorted({v.strip() for v in values if v.strip()})  # the same value twice is one (YASGUI repeats it)
    if not given:
        return None
    if len(given) > 1:
        raise AppError(400, f"Send one 'version' parameter, not several: {', '.join(given)}.")
    try:
        version = parse_version(given[0])
        service.versions.check(version)
    except VersionError as exc:
        raise version_error(exc) from None
    return version


def version_error(exc: VersionError) -> AppError:
    """The HTTP error of a version that cannot be answered from; a 410 links the nearest kept release."""
    headers = {}
    if exc.release is not None:
        headers["Link"] = f'</releases/{exc.release.name}>; rel="latest-version"'
    return AppError(exc.status, exc.message, headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110, 13.1.2): the opaque tags compared without their ``W/``."""
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


class VersionTagMiddleware:
    """``X-Graph-Version`` on every answer, an ``ETag`` and ``304`` for complete successful GET answers."""

    def __init__(self, app: ASGIApp, current: Callable[[], int | None]) -> None:
        self.app = app
        self.current = current

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        version = self.current()  # before the answer is made: a write meanwhile can only make it older
        request_headers = Headers(scope=scope)
        if_none_match = request_headers.get("if-none-match")
        cacheable = scope["method"] == "GET"
        start: Message | None = None
        answered = False  # a 304 was sent: the rest of the body is dropped

        async def tagged(message: Message) -> None:
            nonlocal start, answered
            if answered:
                return
            if message["type"] == "http.response.start":
                start = message  # held until the body shows whether the answer is complete
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            held, start = start, None
            headers = MutableHeaders(scope=held)
            if VERSION_HEADER.lower() not in headers and version is not None:
                headers[VERSION_HEADER] = str(version)
            named = headers.get(VERSION_HEADER.lower())
            ok = cacheable and 200 <= int(held["status"]) < 300 and "no-store" not in headers.get("cache-control", "")
            etag = headers.get("etag")  # a route's own (a dump's, from its version), else one made here
            if (
                ok
                and etag is None
                and named is not None
                and not message.get("more_body", False)
                and "set-cookie" not in headers
            ):
                digest = hashlib.sha256(message.get("body", b"")).hexdigest()[:20]
                etag = f'W/"{named}-{digest}"'
                headers["ETag"] = etag
            if ok and etag is not None and if_none_match is not None and _matches(if_none_match, etag):
                kept = [(k, v) for k, v in held["headers"] if k.decode("latin-1").lower() in _KEPT_ON_304]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                answered = True
                return
            await send(held)
            await send(message)

        await self.app(scope, receive, tagged)
