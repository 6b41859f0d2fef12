"""Schemathesis against the service in process, for the contract runs (``test_api_contract*.py``).

Each run builds its own app from its own settings (:func:`open_schema`), keeps its lifespan running for the whole
module (:func:`running`), and runs every case with the same bounded, derandomized Hypothesis settings
(:func:`bounded`): the same requests on every run, in CI too. Besides the checks of schemathesis, every error answer
must explain itself in the service's words (:func:`says_what_went_wrong`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import unquote_plus

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.schemas import BaseSchema
from starlette.types import Receive, Scope, Send

from graphapp.config import Settings
from graphapp.web.app import create_app

F = TypeVar("F", bound=Callable[..., Any])

# SPARQL and Turtle bodies are text: send generated strings as they are
schemathesis.serializer.alias(
    ["application/sparql-query", "application/sparql-update", "text/turtle", "text/csv"], "text/plain"
)


class RunningService:
    """The app as schemathesis reaches it, in process: each request goes to the service that :func:`running` keeps
    running. Schemathesis' pytest plugin would start and stop the app's lifespan (store, index, query workers) for
    every operation; here it is started once for the whole run, and the lifespan messages schemathesis sends are
    only acknowledged."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.state: dict[str, Any] = {}  # the lifespan's state (service, settings) while the service runs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        await self.app({**scope, "state": {**scope.get("state", {}), **self.state}}, receive, send)


def open_schema(settings: Settings) -> tuple[RunningService, BaseSchema]:
    """A new app on ``settings``, and its OpenAPI description as schemathesis loads it from the app itself."""
    service = RunningService(create_app(settings))
    return service, schemathesis.openapi.from_asgi("/openapi.json", service)


@contextlib.contextmanager
def running(service: RunningService) -> Iterator[TestClient]:
    """The service with its lifespan running, for every operation of a run."""
    with TestClient(service.app) as client:
        service.state = client.app_state
        try:
            yield client
        finally:
            service.state = {}


def bounded(max_examples: int) -> Callable[[F], F]:
    """The Hypothesis settings of a contract run: ``max_examples`` per operation, derandomized, no example
    database, no deadline (a write validates against the shapes), no health checks."""
    return settings(  # type: ignore[return-value]
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


#: words of Python's, not the service's: a refusal that says them is an internal error in disguise
INTERNAL = ("Traceback", "object has no attribute", "NoneType", "not subscriptable", "unexpected keyword argument")


def says_what_went_wrong(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """An error answer explains itself in the service's words, never with an exception's text (unless it only
    repeats what the request said: generated values include such words too)."""
    if response.status_code < 400:
        return
    body = response.request.body or b""
    sent = unquote_plus(str(response.request.url)) + unquote_plus(
        body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    )
    leaked = [w for w in INTERNAL if w in response.text and w not in sent]
    assert not leaked, f"{response.status_code} with an internal error's text: {response.text[:300]}"
