"""``graphapp import`` while the service runs: the running service holds the store on disk (RocksDB takes one
writer process), so the command sends the file to the service's import endpoint (``POST /api/import/<kind>``) with
a staff token, and prints the report the service makes, the same report the command makes itself when the service
is stopped. The rows go through the service's write path: its validation, history, write lock and rate limit."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from ...config import ConfigError

#: seconds to wait for the service's answer (a large file is validated against the shapes as one change)
TIMEOUT = 600


def send(
    url: str,
    token: str,
    plural: str,
    data: bytes,
    *,
    file: str,
    dry_run: bool,
    per_row: bool,
    source: str | None,
    lang: str,
    timeout: float = TIMEOUT,
) -> dict[str, Any]:
    """Send ``data`` to the service at ``url`` and answer its report (JSON); a :class:`ConfigError` when the
    service cannot be reached or refuses the request itself (credentials, size, rate)."""
    params = {"dry_run": str(dry_run).lower(), "per_row": str(per_row).lower(), "lang": lang}
    params["filename"] = Path(file).name[:200] or "datos.csv"
    if source:
        params["source"] = source
    target = f"{url.rstrip('/')}/api/import/{quote(plural, safe='')}?{urlencode(params)}"
    request = urllib.request.Request(  # noqa: S310 - the operator's own service, http(s) only (checked by the caller)
        target,
        data=data,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "text/csv; charset=utf-8",
            "Accept": "application/json",
            "Accept-Language": lang,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - see above
            return _json(response.read(), url)
    except urllib.error.HTTPError as exc:
        body = _json(exc.read(), url, exc.code)
        if exc.code == 400 and "report" in body:
            return body  # rows were rejected: the report says which
        message = body.get("message") or exc.reason
        raise ConfigError(f"the service at {url} refused the import ({exc.code}): {message}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConfigError(
            f"the store is in use, but no service answers at {url} ({reason}): give its address with --url"
        ) from None


def _json(body: bytes, url: str, status: int = 200) -> dict[str, Any]:
    try:
        out = json.loads(body)
    except ValueError:
        out = None
    if not isinstance(out, dict):
        raise ConfigError(f"the service at {url} answered {status} with something that is not its JSON report")
    return out
