"""Prometheus metrics: what the service counts and times, declared once, exposed at ``/metrics``.

The code that sees an event counts it here through one small function (the worker pool, the SPARQL route,
the writer), so the names, labels and their bounded values live in one module. Labels never carry a raw path,
a query or a name: routes are their templates (``/id/{kind}/{slug}``), statuses their class (``2xx``).

Several web processes (``graphapp serve --workers N``, gunicorn or uvicorn workers) each count their own share.
When ``PROMETHEUS_MULTIPROC_DIR`` names an empty folder, writable by the service, before the processes start,
prometheus-client keeps every process's values in files there and :func:`exposition` sums them, so any process
answers ``/metrics`` for all of them (docs/deploy.md). Without it, each process answers for itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess

CONTENT_TYPE = CONTENT_TYPE_LATEST

#: seconds; up to the default query time limit and beyond (a slow page, a query stopped at 30 s)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUEST_SECONDS = Histogram(
    "graphapp_http_request_duration_seconds",
    "Time from the request to the end of its response, by route template, method and status class.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
QUERIES_STOPPED = Counter(
    "graphapp_queries_stopped",
    "Queries and updates whose worker was stopped: at the time limit (reason=time), at the memory limit "
    "(memory), because the client left (gone), or because the worker died (died).",
    ["pool", "reason"],
)
RESULTS_TRUNCATED = Counter(
    "graphapp_results_truncated",
    "SPARQL answers cut at the row limit (limit=rows) or the byte limit (limit=bytes).",
    ["limit"],
)
WRITES_ACCEPTED = Counter(
    "graphapp_writes_accepted",
    "Changes committed through the write path, by how they came (api, form, import, update, revert, retire).",
    ["method"],
)
WRITES_REJECTED = Counter(
    "graphapp_writes_rejected",
    "Writes refused by the write path, nothing changed: the shapes said no (shapes), a graph that may not be "
    "written (forbidden), an update the guard refused (refused), a change already made or reverted (conflict), "
    "nothing to change (not_found), anything else (invalid).",
    ["reason"],
)
ANSWER_CACHE_LOOKUPS = Counter(
    "graphapp_answer_cache_lookups",
    "Users' queries looked up in the answer cache of this process: found (result=hit) or not (miss).",
    ["result"],
)
QUERY_EVALUATIONS = Counter(
    "graphapp_query_evaluations",
    "Users' queries not found in the answer cache: evaluated (result=evaluated) or answered by an identical "
    "request already being evaluated (result=shared: single flight).",
    ["result"],
)
QUERY_PARSES = Counter(
    "graphapp_query_parses",
    "Users' queries evaluated: parsed a second time by a worker (rdflib's grammar) to confirm the guard's reading "
    "(result=parsed), or a text already confirmed, not parsed again (result=remembered).",
    ["result"],
)
WORKER_RESTARTS = Counter(
    "graphapp_worker_restarts",
    "Query or update workers replaced after a stop (time or memory limit, client gone, engine fault).",
    ["pool"],
)

STOP_REASONS = ("time", "memory", "gone", "died")
REJECT_REASONS = ("shapes", "forbidden", "refused", "conflict", "not_found", "invalid")


def multiprocess_dir() -> str | None:
    """The folder shared by the web processes (``PROMETHEUS_MULTIPROC_DIR``), if set."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


#: prometheus_client's collector of every process's files (its constructor is untyped), which registers itself in
#: the registry it is given
_collect_processes: Callable[[CollectorRegistry], object] = _multiprocess.MultiProcessCollector


def exposition() -> bytes:
    """The metrics in the Prometheus text format: summed over every web process in multiprocess mode."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        _collect_processes(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def status_class(status: int) -> str:
    """``404`` → ``'4xx'``: one label value per class keeps the series few.

    >>> status_class(503)
    '5xx'
    """
    return f"{status // 100}xx"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route, method, status_class(status)).observe(seconds)


def query_stopped(pool: str, reason: str) -> None:
    """A worker of ``pool`` (``query`` or ``update``) was stopped for ``reason`` (see :data:`STOP_REASONS`)."""
    QUERIES_STOPPED.labels(pool, reason if reason in STOP_REASONS else "died").inc()


def worker_restarted(pool: str) -> None:
    WORKER_RESTARTS.labels(pool).inc()


def query_evaluated(shared: bool) -> None:
    QUERY_EVALUATIONS.labels("shared" if shared else "evaluated").inc()


def query_parsed(remembered: bool) -> None:
    QUERY_PARSES.labels("remembered" if remembered else "parsed").inc()


def answer_cache_lookup(hit: bool) -> None:
    ANSWER_CACHE_LOOKUPS.labels("hit" if hit else "miss").inc()


def result_truncated(limit: str | None) -> None:
    """A SPARQL answer was cut at ``limit`` (``rows`` or ``bytes``); ``None`` (not cut) counts nothing."""
    if limit in ("rows", "bytes"):
        RESULTS_TRUNCATED.labels(limit).inc()


def write_accepted(method: str) -> None:
    WRITES_ACCEPTED.labels(method).inc()


def write_rejected(reason: str) -> None:
    WRITES_REJECTED.labels(reason if reason in REJECT_REASONS else "invalid").inc()


def rejection_reason(status: int, has_report: bool) -> str:
    """The reason class of a refusal of the write path, from its HTTP status and whether the shapes said no.

    >>> rejection_reason(400, True), rejection_reason(403, False), rejection_reason(409, False)
    ('shapes', 'forbidden', 'conflict')
    """
    if has_report:
        return "shapes"
    return {403: "forbidden", 404: "not_found", 409: "conflict"}.get(status, "invalid")
