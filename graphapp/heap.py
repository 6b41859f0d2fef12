"""Give freed memory back to the system.

glibc's allocator keeps the pages of freed objects for reuse; after a query that built a large answer, or a
page that built a whole-graph index from millions of rows, a process can hold hundreds of megabytes it no longer
uses. ``malloc_trim(0)`` returns them. Measured in ``docs/benchmarks.md`` ("Memory after the workloads"; repeat
with ``python benchmarks/web_memory.py --triples 1000000``). On a C library without ``malloc_trim`` (musl, macOS)
this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


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
