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
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
LARGE_BLOCK = 2**20
"""Bytes from which a block of the C heap gets a mapping of its own (:func:`large_blocks_returned`)."""


@functools.cache
def _libc_function(name: str) -> Callable[..., int] | None:
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _malloc_trim() -> Callable[[int], int] | None:
    return _libc_function("malloc_trim")


def large_blocks_returned() -> bool:
    """From now on, blocks of :data:`LARGE_BLOCK` or more get a mapping of their own, given back to the system when
    freed; ``False`` where the C library cannot. glibc starts so but raises that threshold each time such a block
    is freed (up to 32 MB), after which the tables of the label index's dictionaries, copied at every write, land
    among small objects and their pages are kept. The web process calls it at start: at 10^6 triples after 20
    writes it held 601 MB instead of 646-687 MB (a throwaway probe; the service's memory after the workloads is in
    ``docs/benchmarks.md``, ``python benchmarks/scale.py --sizes 1e6``)."""
    mallopt = _libc_function("mallopt")
    return mallopt is not None and mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK) == 1


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; ``False`` where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


GROWTH_BEFORE_TRIM = 8 * 2**20
"""Bytes the process's own memory must grow by before :meth:`HeapWatch.release_if_grown` trims the heap."""


class HeapWatch:
    """:func:`release_free_memory` only once the process's own resident memory (:func:`own_resident`) has grown by
    ``threshold`` bytes since the last release. ``malloc_trim`` walks the whole heap: in a query worker forked from
    the in-memory copy at 10^6 triples it took about 3.6 ms after every query, three times what a cheap query costs
    the engine (a profile of 360 cheap queries, docs/benchmarks.md «What a cheap query paid at 10^6»). A query that
    built a large answer leaves freed pages resident, and is still followed by a trim.

    >>> watch = HeapWatch()
    >>> watch.release_if_grown()  # nothing allocated since the watch began
    False
    """

    def __init__(self, threshold: int = GROWTH_BEFORE_TRIM) -> None:
        self.threshold = threshold
        self._after_release = own_resident()

    def release_if_grown(self) -> bool:
        """Trim the heap if the process grew by the threshold since the last trim (or since the watch began)."""
        now = own_resident()
        if now - self._after_release < self.threshold:
            self._after_release = min(self._after_release, now)
            return False
        released = release_free_memory()
        self._after_release = own_resident()
        return released


def own_resident() -> int:
    """Bytes of the process's memory that are resident and not backed by a file (``/proc/self/statm``: resident
    minus shared), pages it shares copy-on-write with the process it was forked from included; a page it copies
    replaces one, a page it allocates adds one. 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            fields = fh.read().split()
        return (int(fields[1]) - int(fields[2])) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


_pause_lock = threading.Lock()
_pauses = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for the block (reference counting still frees what it can), for every
    thread of the process: nested and concurrent pauses share one, and the collector runs again when the last one
    ends, if it ran before the first one. The objects made meanwhile are then in its oldest generation, walked by
    its next full collection only.

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
            if _pauses == 0:
                # what was made meanwhile goes straight to the oldest generation (a list splice, no walk): left
                # young, the next two collections would each walk all of it, with the lock held (the three saved
                # indexes at 10^6 triples: python benchmarks/derived_indexes.py, docs/benchmarks.md)
                gc.freeze()
                gc.unfreeze()
                if _resume:
                    gc.enable()
