"""``graphapp import``: the store on disk opened with a writer of the service's policy, the file imported, the
report printed. While the service runs (it holds the store), the file goes to the service's import endpoint with a
staff token instead (:mod:`.remote`), and the service's report is printed."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ...config import ConfigError, Settings
from ...iris import checked_iri, is_valid_iri
from ...staff import system_actor
from ..entities import KINDS_BY_PLURAL, Context, Kind
from ..writer import Writer
from .columns import layout
from .report import Report

if TYPE_CHECKING:
    from ...loading import Progress
    from ...sources import SourceFile

_Item = TypeVar("_Item")


@contextlib.contextmanager
def open_writer(settings: Settings, progress: Progress | None = None) -> Iterator[tuple[Context, Writer]]:
    """The store on disk and the service's :class:`Writer` (:func:`graphapp.service.make_writer`): the
    contributions graph writable, the project's source graphs and the restricted graph not."""
    from ...loading import StoreBusy, open_store
    from ...service import contributions_graph, make_writer, open_history

    try:
        store, _ = open_store(settings, progress)
    except StoreBusy:
        raise StoreInUse(settings) from None
    history = open_history(settings)
    try:
        writer = make_writer(settings, store, history)
        yield Context.of_writer(writer, contributions_graph(settings)), writer
    finally:
        history.close()
        store.close()


class StoreInUse(ConfigError):
    """The service is running and holds the store."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            f"el almacén {settings.store_dir} está en uso por otro proceso (¿el servicio está en marcha?). Para "
            "importar a través del servicio dé el token de una cuenta del personal con el rol edit "
            "(GRAPHAPP_TOKEN=… o --token; el servicio en --url, por omisión GRAPHAPP_PUBLIC_URL o "
            f"{settings.site_url}): el archivo va a POST /api/import/<kind> (README, «Por CSV»), o a "
            "POST /api/entities/<kind> fila por fila. / The store is in use by another process (is the service "
            "running?). To import through the service give a staff token with the role edit (GRAPHAPP_TOKEN or "
            "--token)."
        )


def command(
    settings: Settings,
    path: Path | None,
    plural: str,
    *,
    columns_only: bool = False,
    dry_run: bool = False,
    per_row: bool = False,
    actor: str | None = None,
    source: str | None = None,
    lang: str = "es",
    token: str | None = None,
    url: str | None = None,
) -> int:
    """``graphapp import``: 0 all written (or all valid with ``dry_run``), 1 rows rejected; a :class:`ConfigError`
    (exit 2) for an unreadable file, a bad ``source``, an in-memory store, or a busy store without a staff token.

    The store on disk is opened here when it is free. When a running service holds it (or ``url`` is given), the
    file is sent to the service (``POST <url>/api/import/<kind>``) with ``token`` (else ``GRAPHAPP_TOKEN``, else the
    service's ``GRAPHAPP_UPDATE_TOKEN``), and the history records the token's staff member."""
    kind = KINDS_BY_PLURAL[plural]
    if columns_only:
        print(layout(kind, lang))
        return 0
    if path is None:
        raise ConfigError("FILE is required (or --columns to see the column layout)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if source is not None and not (is_valid_iri(source) and source.startswith(("http://", "https://"))):
        raise ConfigError(f"--source must be an http(s) IRI: {source!r}")
    token = token or os.environ.get("GRAPHAPP_TOKEN") or settings.update_token or None
    if url is not None:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"--url must be the service's http(s) address: {url!r}")
        return _through_service(url, token, kind, data, path, dry_run, per_row, actor, source, lang)
    if settings.in_memory and not dry_run:
        raise ConfigError("GRAPHAPP_STORE_DIR is ':memory:': there is no store to import into (use --dry-run)")
    try:
        report = _here(settings, kind, data, path, dry_run, per_row, actor, source)
    except StoreInUse:
        if not token:
            raise
        return _through_service(settings.site_url, token, kind, data, path, dry_run, per_row, actor, source, lang)
    print(report.format(lang))
    return 1 if report.errors else 0


def _here(
    settings: Settings,
    kind: Kind,
    data: bytes,
    path: Path,
    dry_run: bool,
    per_row: bool,
    actor: str | None,
    source: str | None,
) -> Report:
    """Import into the store on disk, opened by this command (:class:`StoreInUse` when the service holds it)."""
    from tqdm import tqdm

    from ...web.csvimport import OfflineNames, run_import

    def bar(rows: Iterable[_Item]) -> Iterable[_Item]:
        rows = list(rows)
        shown: Iterable[_Item] = tqdm(rows, desc="import", unit="row", file=sys.stderr, disable=not rows)
        return shown

    def loading(files: list[SourceFile]) -> Iterable[SourceFile]:
        shown: Iterable[SourceFile] = tqdm(files, desc="loading", unit="file", file=sys.stderr, disable=not files)
        return shown

    with open_writer(settings, loading) as (ctx, writer):
        return run_import(
            OfflineNames(writer.store, writer, ctx.contributions),
            kind,
            data,
            file=str(path),
            actor=actor or system_actor(),
            source=checked_iri(source) if source else None,
            dry_run=dry_run,
            per_row=per_row,
            progress=bar,
        )


def _through_service(
    url: str,
    token: str | None,
    kind: Kind,
    data: bytes,
    path: Path,
    dry_run: bool,
    per_row: bool,
    actor: str | None,
    source: str | None,
    lang: str,
) -> int:
    """Send the file to the running service and print its report."""
    from .remote import send

    if not token:
        raise ConfigError(
            "importing through the service needs the token of a staff account with the role edit: "
            "GRAPHAPP_TOKEN=… or --token (graphapp staff add)"
        )
    print(f"import: through the service at {url} (it holds the store)", file=sys.stderr)
    if actor:
        print("import: --actor is ignored: the history records the token's staff member", file=sys.stderr)
    answer = send(url, token, kind.plural, data, file=str(path), dry_run=dry_run, per_row=per_row, source=source,
                  lang=lang)  # fmt: skip
    print(answer.get("report", ""))
    return 0 if answer.get("ok") else 1
