"""Structured logs: one JSON object per line on standard error, each line of a request tagged with its id.

:func:`configure` gives the ``graphapp`` loggers a JSON handler (python-json-logger) once per process; the
request middleware (:mod:`graphapp.web.requestlog`) sets the current request id, which :class:`RequestIdFilter`
adds to every line logged while the request runs (a write's ``graphapp.writes`` line, an error's trace), so an
operator can follow one request from the proxy's log to ours by its ``X-Request-ID``.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

#: the id of the request being served, for every line it logs
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("graphapp_request_id", default=None)

FIELDS = ("asctime", "levelname", "name", "message")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to a record logged while a request is served (unless the record has one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            rid = REQUEST_ID.get()
            if rid is not None:
                record.request_id = rid
        return True


class _JsonHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a line is logged (a test runner swaps it), and marks the handler
    :func:`configure` installed, so that it is installed once."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always the current sys.stderr


def formatter() -> logging.Formatter:
    """JSON lines: time (UTC, ISO 8601), level, logger, message and every extra field of the record.

    >>> import json
    >>> record = logging.LogRecord("graphapp.requests", logging.INFO, "", 0, "request", None, None)
    >>> record.status = 200
    >>> line = json.loads(formatter().format(record))
    >>> line["level"], line["logger"], line["message"], line["status"]
    ('INFO', 'graphapp.requests', 'request', 200)
    """
    fmt = JsonFormatter(
        list(FIELDS),
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
        json_ensure_ascii=False,
    )
    fmt.converter = time.gmtime
    return fmt


def configure(level: int = logging.INFO) -> None:
    """Log the ``graphapp`` loggers as JSON lines on standard error (once per process; repeat calls do nothing).
    Records still propagate to the root logger, so pytest's ``caplog`` and an operator's own handlers see them."""
    logger = logging.getLogger("graphapp")
    if any(isinstance(h, _JsonHandler) for h in logger.handlers):
        return
    handler = _JsonHandler()
    handler.setFormatter(formatter())
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
