"""``graphapp release --name 2026.1``: freeze the current version of the graph as a release.

With the store free, the command opens it and its history and makes the release itself. While the service runs
(it holds the store on disk), the command asks the service (``POST <url>/releases``) with a staff token carrying
the role ``admin``, as ``graphapp import`` does with the role ``edit``."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from .config import ConfigError, Settings
from .staff import system_actor
from .versions import ReleaseError, Versions

TIMEOUT = 600  # seconds: a release of a large graph dumps and compresses it


def command(
    settings: Settings,
    name: str,
    note: str = "",
    actor: str | None = None,
    token: str | None = None,
    url: str | None = None,
) -> int:
    """0 made (its summary printed), 1 refused (a bad or taken name: the reason printed); a :class:`ConfigError`
    (exit 2) for an in-memory store, or a busy store without a token."""
    from .loading import StoreBusy, open_store, sources_state
    from .service import open_history

    token = token or os.environ.get("GRAPHAPP_TOKEN") or settings.update_token or None
    if url is not None:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"--url must be the service's http(s) address: {url!r}")
        return _through_service(url, token, name, note)
    if settings.in_memory:
        raise ConfigError("GRAPHAPP_STORE_DIR is ':memory:': there is no store to release")
    try:
        store, _ = open_store(settings)
    except StoreBusy:
        if not token:
            raise ConfigError(
                f"the store {settings.store_dir} is in use (is the service running?): give a staff token with the "
                "role admin (GRAPHAPP_TOKEN or --token) to make the release through the service"
            ) from None
        return _through_service(settings.site_url, token, name, note)
    history = open_history(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="graphapp-release-") as scratch:
            versions = Versions(
                store,
                history,
                locked=_no_lock,
                current=history.last_id,
                folder=Path(scratch),
                retention_days=settings.version_retention_days,
                sources=lambda: sources_state(settings),
            )
            try:
                release = versions.make_release(name, actor or system_actor(), note)
            except ReleaseError as exc:
                print(f"error: {exc.message}", file=sys.stderr)
                return 1
    finally:
        history.close()
        store.close()
    _print(release.name, release.version, release.triples)
    return 0


def _print(name: str, version: int, triples: int) -> None:
    print(f"release {name}: graph version {version}, {triples} statements; /releases/{name}")


@contextlib.contextmanager
def _no_lock() -> Iterator[None]:
    """No writer to wait for: this command holds the store (RocksDB admits one process)."""
    yield


def _through_service(url: str, token: str | None, name: str, note: str) -> int:
    if not token:
        raise ConfigError("a release through the service needs a staff token with the role admin (GRAPHAPP_TOKEN)")
    request = urllib.request.Request(  # noqa: S310 - the operator's own service, http(s) only (checked above)
        f"{url.rstrip('/')}/releases",
        data=urlencode({"name": name, "note": note}).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    print(f"release: through the service at {url} (it holds the store)", file=sys.stderr)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - see above
            made = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("message", exc.reason)
        except ValueError:
            message = exc.reason
        if exc.code in (400, 409):
            print(f"error: {message}", file=sys.stderr)
            return 1
        raise ConfigError(f"the service at {url} refused the release ({exc.code}): {message}") from None
    except OSError as exc:
        raise ConfigError(f"no service answers at {url} ({exc}): give its address with --url") from None
    _print(made["name"], made["version"], made["triples"])
    return 0
