"""Indexes derived from the graph, saved in the store folder and, on a large store, built in a process of their own.

Three indexes are built from the whole graph, once per graph version: the label index (:mod:`graphapp.index`),
the finder's index (:mod:`graphapp.finder.index`) and the graph views' projection
(:mod:`graphapp.graphviews.projection`). Each is saved in ``GRAPHAPP_STORE_DIR/index/<name>-<key>.pickle``, the key
naming the graph (see ``Service._derived_path``), so that the next start with the same graph reads it instead of
building it again (seconds at 10^6 triples, minutes at 10^7).

On an embedded store loaded from ``APART_FROM_BYTES`` of source files or more (the size of the files, not a count
of the store, which takes seconds at 10^7), each of the three is built by a short-lived process that opens the
store read-only, builds it and saves it; the web process only reads the saved copy, with the interpreter's cyclic
collector paused (:func:`graphapp.heap.collector_paused`). Built in the web process, an index's objects are
allocated among those of the hundreds of thousands of rows it is built from, and once the rows are freed the heap
stays fragmented: at 10^6 triples the web process grew by 214 MB building the label index, by 90 MB reading its
saved copy (``python benchmarks/web_memory.py --triples 1000000``; see ``docs/benchmarks.md``). A build in the web
process also holds its interpreter lock for much of its minutes at 10^7, and every request waits meanwhile. The
finder's index and the projection used to be built in the web process, because reading their copies back took
3-4 s at 10^6 and held as much: the collector walked their millions of small lists and sets again and again while
they were read. Laid out as ints and tuples, and read with the collector paused, they take 0.1 and 0.6 s
(``python benchmarks/derived_indexes.py --store STORE_DIR/db``). Small stores (the shipped data, the tests) build
everything in the web process: a new process would cost more than the build.

A builder process opens the store as of when it starts: after a write, the projection or finder's index it builds
for that version may already hold a later write, never less than that version.

The files are pickles written by the service itself in its own store folder (never read from anywhere else).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import multiprocessing as mp
import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .heap import collector_paused

if TYPE_CHECKING:
    from .storage import Store

log = logging.getLogger(__name__)

FORMAT = 2  # the layout of a saved file; the code that wrote it is in its name (code_digest)
APART_FROM_BYTES = 16 * 2**20  # of source files: about 250,000 triples of the shipped and generated Turtle
BUILDER_NICENESS = 10
Builder = Callable[["Store"], Any]  # a module-level function or classmethod: the child imports it by name


@functools.cache
def code_digest() -> str:
    """A digest of the package's Python files: a saved index is read only by the code that wrote it (an upgrade
    that changes an index's classes would otherwise read objects of another shape)."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def save(value: object, path: Path) -> None:
    """Write ``value`` to ``path`` atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with partial.open("wb") as fh:
        pickle.dump((FORMAT, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)


def saved(path: Path) -> Any | None:
    """The value saved at ``path``, or ``None`` when there is none, it is damaged or of another format."""
    try:
        with path.open("rb") as fh, collector_paused():
            fmt, value = pickle.load(fh)  # noqa: S301 - written by save() in the service's own store folder
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
        return None
    return value if fmt == FORMAT else None


class BuildStopped(Exception):
    """The builder process was stopped by a signal: the service is being stopped (``SIGTERM`` reaches the whole
    process group), or the system ran out of memory (``SIGKILL``). Building in the service's own process instead
    would hold up its stop by the whole build (40 s at 10^6 triples), or run out of memory there."""


def build_apart(
    builder: Builder, store_path: Path, base_iri: str, path: Path, stop: threading.Event | None = None
) -> Any | None:
    """Build with ``builder`` in a new process on the store at ``store_path`` (opened read-only), save the result
    at ``path`` and read it back; ``None`` if the process failed (the caller builds in this process), and
    :exc:`BuildStopped` if a signal stopped it, or ``stop`` was set (the process is then stopped)."""
    process = mp.get_context("spawn").Process(
        target=_build_and_save, args=(builder, str(store_path), base_iri, str(path)), name=f"build-{path.stem}"
    )
    process.start()
    while process.is_alive():
        if stop is not None and stop.is_set():
            process.terminate()
        process.join(0.25)
    if stop is not None and stop.is_set():
        raise BuildStopped(f"building {path.name} was stopped: the service is stopping")
    if process.exitcode is not None and process.exitcode < 0:
        raise BuildStopped(f"building {path.name} was stopped by signal {-process.exitcode}")
    if process.exitcode != 0:
        log.warning("building %s in its own process failed (exit code %s)", path.name, process.exitcode)
        return None
    return saved(path)


def _build_and_save(builder: Builder, store_path: str, base_iri: str, path: str) -> None:
    from .store import GraphStore

    # second to the service's own processes: at start the first answers come before the index (pages wait for it)
    os.nice(BUILDER_NICENESS)
    save(builder(GraphStore.read_only(Path(store_path), base_iri)), Path(path))
