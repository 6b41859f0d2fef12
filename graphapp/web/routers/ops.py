"""Operations: liveness (``/health``), readiness (``/ready``) and Prometheus metrics (``/metrics``).

- ``/health`` answers from the event loop and touches nothing: the process is alive and serving.
- ``/ready`` asks the store a real query (``queries/store-ready.rq``) through the service's store, off the event
  loop and within :data:`READY_TIMEOUT` seconds: 200 when it answers with a statement, else 503 with the reason, so
  a proxy or an orchestrator sends no traffic to a process whose store (on disk or a remote server) is not there.
- ``/metrics`` is the Prometheus text format (:mod:`graphapp.metrics`). It is **not public**: it tells who is
  busy with what and when staff write, and nothing in it is for the public. It answers a client on the same machine
  that did not come through a proxy (no ``X-Forwarded-For``/``Forwarded``/``X-Real-IP``), or any client with
  ``Authorization: Bearer <GRAPHAPP_METRICS_TOKEN>`` when that setting is set; anyone else gets a 403.

None of them is under a rate limit, and their log lines are DEBUG (see :mod:`graphapp.web.requestlog`).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ... import metrics
from ..deps import SettingsDep, WebDep
from ..errors import AppError, error_responses

log = logging.getLogger(__name__)
router = APIRouter(tags=["Operations"])

READY_TIMEOUT = 5.0  # seconds the store has to answer the readiness query
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")

_HEALTH = {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}
_READY = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "unavailable"]},
        "version": {"type": "integer", "description": "The graph version (the last change committed)."},
        "ms": {"type": "number", "description": "How long the store took to answer, in milliseconds."},
        "queries_read": {
            "type": "string",
            "enum": ["memory", "disk", "loading", "server"],
            "description": "What users' queries read now: the shared in-memory copy, the store's snapshot on disk "
            "(GRAPHAPP_QUERY_COPY=disk, or the copy failed), the disk while the copy loads, or the SPARQL server.",
        },
        "building": {
            "type": "array",
            "items": {"type": "string"},
            "description": "What is being built in the background for the current graph version (the label index "
            "after a start, the views' projection, the finder's index, the editor's terms, the centrality): pages "
            "that need one serve the previous version's or a 503 «se está preparando» meanwhile, and requests are "
            "slower. Empty when the service has settled.",
        },
        "error": {"type": "integer"},
        "message": {"type": "string", "description": "Why the service is not ready."},
    },
}


@router.get(
    "/health",
    name="health",
    summary="Liveness: the process answers (no store access)",
    responses={200: {"description": "Alive.", "content": {"application/json": {"schema": _HEALTH}}}},
)
async def health() -> JSONResponse:
    """`{"status": "ok"}` from the event loop, without touching the store: for a liveness probe (restart the
    process when it stops answering). Use `/ready` to decide whether to send it traffic."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@router.get(
    "/ready",
    name="ready",
    summary="Readiness: the store answers a real query",
    responses={
        200: {"description": "The store answered.", "content": {"application/json": {"schema": _READY}}},
        503: {
            "description": "The store did not answer, answered with an error, or holds nothing; `message` says "
            "which. Send no traffic here until it is 200 again.",
            "content": {"application/json": {"schema": _READY}},
        },
    },
)
async def ready(web: WebDep) -> JSONResponse:
    """Asks the store for any one statement through the service (the same store object the pages use, on disk or
    on a SPARQL server), within a few seconds. 200 `{"status": "ready", "version", "ms"}`, or 503 with `message`."""
    if not web.serving:
        return _unavailable("The service is starting: its store is not open yet.")
    service = web.service
    start = time.perf_counter()
    try:
        rows = await asyncio.wait_for(run_in_threadpool(service.select, "store-ready"), READY_TIMEOUT)
    except TimeoutError:
        log.warning("readiness: the store did not answer within %g s", READY_TIMEOUT)
        return _unavailable(f"The store did not answer within {READY_TIMEOUT:g} s.")
    except Exception as exc:  # any failure of the store, on disk or remote, is "not ready", never a 500
        log.warning("readiness: the store failed: %s: %s", type(exc).__name__, exc)
        return _unavailable(f"The store is not reachable ({type(exc).__name__}); see the service's log.")
    if not rows:
        return _unavailable("The store answered but holds no statements (an empty or closed store).")
    ms = round((time.perf_counter() - start) * 1000, 2)
    return JSONResponse(
        {
            "status": "ready",
            "version": service.version,
            "ms": ms,
            "queries_read": service.queries_read(),
            "building": service.building(),
        },
        headers={"Cache-Control": "no-store"},
    )


def _unavailable(message: str) -> JSONResponse:
    return JSONResponse(
        {"status": "unavailable", "error": 503, "message": message},
        status_code=503,
        headers={"Cache-Control": "no-store", "Retry-After": "5"},
    )


@router.get(
    "/metrics",
    name="metrics",
    summary="Prometheus metrics (this machine, or with the metrics token)",
    responses={
        200: {
            "description": "Metrics in the Prometheus text exposition format.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **error_responses(
            403,
            e403="Not from this machine directly, and no valid `Authorization: Bearer <GRAPHAPP_METRICS_TOKEN>`.",
        ),
    },
)
def metrics_endpoint(request: Request, settings: SettingsDep) -> Response:
    """Request latency by route, queries stopped at their limits, answers truncated, writes accepted and rejected,
    worker restarts; summed over the web processes when `PROMETHEUS_MULTIPROC_DIR` is set (docs/deploy.md)."""
    if not _may_read_metrics(request, settings.metrics_token):
        raise AppError(
            403,
            "The metrics are for this service's operators: ask from the same machine, not through the proxy, "
            "or send Authorization: Bearer <GRAPHAPP_METRICS_TOKEN>.",
        )
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def _may_read_metrics(request: Request, token: str) -> bool:
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    if any(request.headers.get(h) for h in FORWARDING_HEADERS):
        return False  # came through a proxy: the proxy's address says nothing about the client
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
