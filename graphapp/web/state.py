"""Everything one application owns, in one typed object: :class:`WebState`.

The factory (:func:`graphapp.web.app.create_app`) builds it with the settings and the templates; the lifespan
starts the :class:`graphapp.service.Service` in it and stops it. It also owns the per-application resources the
routes share: the staff credentials (:class:`graphapp.web.credentials.Access`), the dump files of the current
graph version, the Spanish copy of the OpenAPI description. No module keeps a registry or a lock of its own for
them, and no route reads ``app.state``: routes receive this object, or one of its parts, through the
dependencies of :mod:`graphapp.web.deps` (as Datasette's views receive the ``Datasette`` object).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fastapi.templating import Jinja2Templates

from ..config import Settings
from .credentials import Access
from .dumps import DumpFiles
from .exceptions import NotServing
from .openapi_es import in_spanish

if TYPE_CHECKING:
    from ..service import Service


class WebState:
    """The settings, templates and service of one application, and what its routes share (see the module)."""

    def __init__(self, settings: Settings, templates: Jinja2Templates) -> None:
        self.settings = settings
        self.templates = templates
        self._service: Service | None = None
        self._dumps: DumpFiles | None = None
        self._access: Access | None = None
        self._lock = threading.Lock()
        # the OpenAPI description it was made from, and its Spanish copy
        self._openapi_es: tuple[dict[str, Any], dict[str, Any]] | None = None

    # ------------------------------------------------------------ the service, started by the lifespan

    def start(self, service: Service) -> None:
        """Serve from ``service`` (the lifespan, at startup)."""
        self._service = service
        self._dumps = DumpFiles(service)

    def stop(self) -> None:
        """Stop serving (the lifespan, at shutdown): requests still running get a 503 for a dump."""
        self._service = None
        self._dumps = None

    @property
    def serving(self) -> bool:
        return self._service is not None

    @property
    def service(self) -> Service:
        """The running service; :class:`NotServing` (a 503) outside the lifespan."""
        if self._service is None:
            raise NotServing()
        return self._service

    @property
    def dumps(self) -> DumpFiles:
        """The dump files of the running service."""
        if self._dumps is None:
            raise NotServing()
        return self._dumps

    # ------------------------------------------------------------ made on first use

    @property
    def access(self) -> Access:
        """The staff credentials, sessions and rate limit (opened on first use: most apps never need them)."""
        if self._access is None:
            with self._lock:
                if self._access is None:
                    self._access = Access(self.settings)
        return self._access

    def openapi_in_spanish(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The Spanish copy of the OpenAPI description ``schema``, made once per description."""
        cached = self._openapi_es
        if cached is None or cached[0] is not schema:
            cached = self._openapi_es = (schema, in_spanish(schema))
        return cached[1]
