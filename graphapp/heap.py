"""Give freed memory back to the system, and keep the interpreter's collector out of the way of large reads.

glibc's allocator keeps the pages of freed objects for reuse; after a query that built a large answer, or a
page that built a whole-graph index from millions of rows, a process can hold hundreds of megabytes it no longer
uses. ``malloc_trim(0)`` returns them. Measured in ``docs/benchmarks.md`` ("Memory after the workloads"; repeat
with ``python benchmarks/web_memory.py --triples 1000000``). On a C library without ``malloc_trim`` (musl, macOS)
this does nothing.

Reading a saved index (:func:`graphapp.derived.saved`) makes hundreds of thousands of containers at once (millions
at 10^7 triples), and the interpreter's cyclic collector runs again and again while they are made, each time
walking them all, with the interpreter lock held: at 10^6 triples reading the finder's index as it was laid out
before took 0.97 s with the collector on and 0.20 s with it paused
(``python benchmarks/derived_indexes.py --store STORE_DIR/db``, see ``docs/benchmarks.md``). :func:`collector_paused`
pauses it for such a read.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; ``False`` where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


_pause_lock = threading.Lock()
_pauses = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for the block (reference counting still frees what it can), for every
    thread of the process: nested and concurrent pauses share one, and the collector runs again when the last one
    ends, if it ran before the first one.

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
