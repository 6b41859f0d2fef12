"""What a query worker process may do: no network at all, bounded memory.

Installed by each worker right after it starts, before it loads data or reads a query:

- a **seccomp filter** (libseccomp through ``pyseccomp``) makes ``socket()`` fail with ``EACCES`` for the
  IPv4, IPv6 and packet families, and ``io_uring`` unavailable. The engine then cannot reach any address even
  if a ``SERVICE`` or ``LOAD`` ever slipped past the guard: the worker keeps only the Unix socket pair it
  shares with the web process. The filter is inherited by any thread or child and cannot be removed.
- ``RLIMIT_DATA`` bounds the worker's heap (brk and private anonymous mappings): a query that grows past it
  fails (``MemoryError``) or aborts the worker, which the pool reports as "memory limit" and replaces.

If the filter cannot be installed the worker refuses to start: a service that answers queries from anyone
must not run them with network access.
"""

from __future__ import annotations

import errno
import os
import resource
import socket

# Address families a query must never open. AF_UNIX stays: it is how the worker talks to the web process.
BLOCKED_FAMILIES = (socket.AF_INET, socket.AF_INET6, getattr(socket, "AF_PACKET", 17))


class SandboxError(RuntimeError):
    """The worker could not be confined; it must not run queries."""


def deny_network() -> None:
    """Install the seccomp filter for this process and its future threads."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as exc:  # no libseccomp on this system
        raise SandboxError(f"cannot bar the query worker from the network: {exc}") from exc
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for family in BLOCKED_FAMILIES:
            rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
        for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
            rules.add_rule(seccomp.ERRNO(errno.ENOSYS), call)
        rules.load()
    except Exception as exc:
        raise SandboxError(f"cannot bar the query worker from the network: {exc}") from exc


def limit_memory(max_bytes: int) -> None:
    """Cap the data segment (heap and anonymous mappings) of this process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        max_bytes = min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (max_bytes, hard))


def redirect_stderr(path: str) -> None:
    """Send this process's standard error (fd 2, where the engine writes a panic or an allocation failure
    before it aborts) to ``path``, so the pool can say why a worker died."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    os.close(fd)


def network_is_denied() -> bool:
    """True if this process cannot open an IPv4 socket (used by the tests and the worker's self-check)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False
