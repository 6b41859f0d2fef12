"""The application's routes, whatever FastAPI's version does with included routers (0.165 wraps them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute


def api_routes(app: Any) -> Iterator[APIRoute]:
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for context in contexts():
                original = context.original_route
                if isinstance(original, APIRoute):
                    yield original
        elif isinstance(route, APIRoute):
            yield route


def get_routes(app: Any) -> list[APIRoute]:
    """Every route that answers GET."""
    return [r for r in api_routes(app) if "GET" in r.methods]
