"""``graphapp import``: the store on disk opened with a writer of the service's policy, the file imported, the
report printed."""

from __future__ import annotations

import contextlib
import getpass
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...config import ConfigError, Settings
from ...iris import checked_iri, is_valid_iri
from ..entities import KINDS_BY_PLURAL, Context
from ..writer import Writer
from .batch import import_rows
from .columns import layout


@contextlib.contextmanager
def open_writer(settings: Settings, progress: Any = None) -> Iterator[tuple[Context, Writer]]:
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
            f"el almacén {settings.store_dir} está en uso por otro proceso (¿el servicio está en marcha?). "
            "Deténgalo para importar, o envíe las filas a la API JSON del servicio: POST /api/entities/<kind> con "
            "'Authorization: Bearer <token>' (README, «Agregar datos»). / The store is in use by another process "
            "(is the service running?). Stop it to import, or send the rows to the service's JSON API."
        )


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


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
) -> int:
    """``graphapp import``: 0 all written (or all valid with ``dry_run``), 1 rows rejected; a :class:`ConfigError`
    (exit 2) for an unreadable file, a bad ``source``, an in-memory store or a busy store."""
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
    if settings.in_memory and not dry_run:
        raise ConfigError("GRAPHAPP_STORE_DIR is ':memory:': there is no store to import into (use --dry-run)")
    from tqdm import tqdm

    def bar(rows: Iterable[Any]) -> Iterable[Any]:
        rows = list(rows)
        return tqdm(rows, desc="import", unit="row", file=sys.stderr, disable=not rows)

    def loading(files: list[Any]) -> Iterable[Any]:
        return tqdm(files, desc="loading", unit="file", file=sys.stderr, disable=not files)

    with open_writer(settings, loading) as (ctx, writer):
        report = import_rows(
            ctx,
            writer,
            kind,
            data,
            file=str(path),
            actor=actor or _default_actor(),
            source=checked_iri(source) if source else None,
            dry_run=dry_run,
            per_row=per_row,
            progress=bar,
        )
    print(report.format(lang))
    return 1 if report.errors else 0
