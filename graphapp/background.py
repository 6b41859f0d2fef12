"""What is derived from the whole graph and takes too long to build while a visitor waits, built in the background
once per graph version.

At 10^7 triples the views' projection and the finder's index take minutes to build, the centrality rankings longer
still; a page must not wait for them. :class:`BuiltInBackground` builds a value (or several *parts*, such as the
two networks of the centrality) for each graph version in a thread of its own and hands a request the newest value
it holds: the current version's, or while that one is being built the previous version's. A request waits at most
``wait_seconds`` (1 s) for a build under way, and not at all when the build cannot end in time: each part's last
build says how long the next one will take. With nothing built yet it gets :exc:`BeingPrepared`, which the web
layer answers with a 503 page that says so, with ``Retry-After``.
A small graph (the shipped data, the tests) builds in well under a second, so its first request waits for the build
and a write is read at once.

A builder starts either at its first request (``eager=False``: a service nobody asks pays nothing, and the test
suite starts hundreds) or with the service (``eager=True``: on a large store, where the first visitor must not find
the build only just begun); from then on it builds every new version. A newer version supersedes an older one: the
older version's parts not yet started are skipped, a build under way finishes and serves until the newer one is
ready.

>>> built = BuiltInBackground("doubled", lambda version, part: version * 2)
>>> built.publish(3)
>>> built.latest() is None  # nobody asked yet: nothing is built
True
>>> built.request(); built.wait(10)
True
>>> built.get()
Built(version=3, value=6)
>>> built.close()
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Generic, TypeVar

from .heap import release_free_memory

T = TypeVar("T")
WAIT_SECONDS = 1.0
"""The longest a request waits for a build under way before it is answered with what there is: with the request's
own work, a visitor waits well under 2 s."""
RETRY_AFTER = 5
"""Seconds a reader is asked to wait (``Retry-After``) when nothing has been built yet."""
REQUEST_PATIENCE: ContextVar[float | None] = ContextVar("request_patience", default=None)
"""How long the code serving an HTTP request may wait for something built in the background that has no older
value to serve (the label index after a start), set per request by the web layer
(:class:`graphapp.web.limits.PatienceMiddleware`); ``None`` outside a request: background work waits as long as it
takes."""
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Built(Generic[T]):
    """A value and the graph version it was built for."""

    version: int
    value: T


class BeingPrepared(Exception):
    """Nothing of ``name`` has been built yet for any version: it is being prepared for ``version``; ask again
    after ``retry_after`` seconds."""

    def __init__(self, name: str, version: int | None, retry_after: int = RETRY_AFTER) -> None:
        super().__init__(f"{name} is being prepared for graph version {version}")
        self.name = name
        self.version = version
        self.retry_after = retry_after


class BuildFailed(RuntimeError):
    """The build of the current version failed (logged) and no older value is held."""


class BuiltInBackground(Generic[T]):
    """One value per part (``parts``; one part, ``""``, by default) of each graph version, built with
    ``build(version, part)`` in a background thread, one build at a time, the parts in their order.

    :meth:`publish` tells it of a version (the service calls it at start and for every new version); :meth:`request`
    starts the builds of a lazy one; :meth:`get` is what a request reads (waits at most ``wait_seconds``);
    :meth:`wait` and :meth:`current` are for tests, scripts and other background work, which may wait;
    :meth:`close` stops the thread.

    ``build`` is any callable: the service passes its builders, and a test a slow one, to see what a request gets
    while a build is under way."""

    def __init__(
        self,
        name: str,
        build: Callable[[int, str], T],
        *,
        parts: Sequence[str] = ("",),
        eager: bool = False,
        wait_seconds: float = WAIT_SECONDS,
        retry_after: int = RETRY_AFTER,
    ) -> None:
        if not parts:
            raise ValueError("a builder needs at least one part")
        self.name = name
        self.parts = tuple(parts)
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self._build = build
        self._changed = threading.Condition()
        self._current: int | None = None  # the newest version published
        self._wanted: int | None = None  # the newest version to build (once active)
        self._done: dict[str, Built[T]] = {}  # part -> the newest value built
        self._failed: set[tuple[int, str]] = set()  # (version, part): not tried again for that version
        self._took: dict[str, float] = {}  # part -> seconds its last successful build took
        self._building: tuple[int, str, float] | None = None  # (version, part, monotonic start) under way
        self._active = eager
        self._closed = False
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ the service's side

    def publish(self, version: int) -> None:
        """A new graph version: once active, start building it (returns at once)."""
        with self._changed:
            if self._closed:
                return
            self._current = version
            if not self._active:
                return
            self._wanted = version
            self._changed.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"build-{self.name}", daemon=True)
                self._thread.start()

    def request(self) -> None:
        """A reader asks: build the current version now (returns at once), and every new version from now on."""
        with self._changed:
            if self._active or self._closed or self._current is None:
                return
            self._active = True
            current = self._current
        self.publish(current)

    def close(self, timeout: float = 60.0) -> None:
        """Stop the thread after its current build (whose value is dropped), and wait for it (at most ``timeout``
        seconds): a build under way reads the store, which must be closed after it. Whoever waits is woken."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    # ------------------------------------------------------------ the readers' side

    @property
    def version(self) -> int | None:
        """The newest graph version published."""
        with self._changed:
            return self._current

    def busy(self) -> bool:
        """Whether a build is under way or waiting to start (for ``/ready``: the service is still preparing)."""
        with self._changed:
            return self._active and not self._closed and (self._building is not None or self._pending() is not None)

    def latest(self, part: str = "") -> Built[T] | None:
        """The newest value built for ``part`` (of the current version or an older one), or ``None``."""
        with self._changed:
            return self._done.get(part)

    def get(self, part: str = "") -> Built[T]:
        """What a request serves: the current version's value, waiting at most ``wait_seconds`` for its build;
        else the newest older one. Raises :exc:`BeingPrepared` when none has been built yet, :exc:`BuildFailed`
        when the current version's build failed and none is held. A build that is expected to end after the bound
        (as long as its part's last build took, from when it started) is not waited for at all."""
        return self._get(part, self.wait_seconds, estimate=True)

    def current(self, part: str = "", timeout: float | None = None) -> Built[T]:
        """The value of the current version (or a newer one), waiting for its build as long as it takes (or
        ``timeout`` seconds): for background work that needs it, such as the centrality on the projection. Raises
        as :meth:`get` does when it is closed, or at the timeout, with nothing built."""
        return self._get(part, timeout)

    def wait(self, timeout: float) -> bool:
        """Wait until every part of the newest version asked for is built (or failed); ``False`` at the ``timeout``
        (seconds). For tests and scripts: requests wait through :meth:`get`."""
        with self._changed:
            return self._changed.wait_for(lambda: self._closed or self._pending() is None, timeout)

    # ------------------------------------------------------------ inside

    def _get(self, part: str, timeout: float | None, *, estimate: bool = False) -> Built[T]:
        if part not in self.parts:
            raise ValueError(f"{self.name} has no part {part!r}")
        self.request()
        with self._changed:
            wanted = self._current

            def settled() -> bool:
                done = self._done.get(part)
                return (
                    self._closed
                    or wanted is None
                    or (done is not None and done.version >= wanted)
                    or (wanted, part) in self._failed
                )

            if estimate and wanted is not None and not settled():
                expected = self._expected(wanted, part)
                if expected is not None and timeout is not None and expected > timeout:
                    timeout = 0  # it cannot end in time: answer at once with what there is
            if timeout is None or timeout > 0:
                self._changed.wait_for(settled, timeout)
            done = self._done.get(part)
            failed = wanted is not None and (wanted, part) in self._failed
        if done is not None:
            return done
        if failed:
            raise BuildFailed(f"{self.name} could not be built for graph version {wanted}")
        raise BeingPrepared(self.name, wanted, self.retry_after)

    def _expected(self, wanted: int, part: str) -> float | None:
        """Seconds until ``part`` of version ``wanted`` is expected to be built (under the lock): what is left of
        the build under way, then the parts still to build up to ``part``, each as long as its last build took.
        ``None`` while a part has never been built (nothing to go by)."""
        left = 0.0
        now = time.monotonic()
        building = self._building
        for each in self.parts:
            done = self._done.get(each)
            if done is not None and done.version >= wanted:
                if each == part:
                    return 0.0
                continue
            took = self._took.get(each)
            if took is None:
                return None
            if building is not None and building[1] == each and building[0] >= wanted:
                left += max(0.0, building[2] + took - now)
            elif building is not None and building[1] == each:
                # an older version's build of this part is under way: it ends first, then this version's
                left += max(0.0, building[2] + took - now) + took
            else:
                left += took
            if each == part:
                return left
        return None

    def _pending(self) -> tuple[int, str] | None:
        """The (version, part) to build next: the newest version's first part without its value."""
        wanted = self._wanted
        if wanted is None:
            return None
        for part in self.parts:
            done = self._done.get(part)
            if (done is None or done.version < wanted) and (wanted, part) not in self._failed:
                return wanted, part
        return None

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closed or self._pending() is not None)
                job = self._pending()
                if self._closed or job is None:
                    return
            version, part = job
            started = time.monotonic()
            with self._changed:
                self._building = (version, part, started)
            try:
                value = self._build(version, part)
            except Exception:
                with self._changed:
                    self._building = None
                    if self._closed:
                        return  # the store was closed under the build
                    self._failed.add(job)
                    self._changed.notify_all()
                log.exception("building %s %s for graph version %s failed", self.name, part, version)
                continue
            with self._changed:
                self._building = None
                self._took[part] = time.monotonic() - started
                if self._closed:
                    return
                held = self._done.get(part)
                dropped: object = value
                if held is None or held.version < version:
                    self._done[part] = Built(version, value)
                    dropped = held.value if held is not None else None
                self._changed.notify_all()
            # nothing of the value no longer served stays in this thread's frame while it waits for the next
            # version (it held the previous projection and finder's index: twice their memory at 10^6 triples)
            del value, held
            _released(dropped)
            if callable(getattr(dropped, "dismantle", None)):
                REAPER.take(dropped)  # freed piece by piece once no reader holds it
            del dropped
            release_free_memory()


class Reaper:
    """Frees the values that the builders no longer serve and that can be taken apart (their ``dismantle()``), each
    once no reader holds it, in a thread of its own.

    A value of millions of objects freed at once holds the interpreter's lock until the last one is freed: the
    views' projection took 113-147 ms at 10^6 triples, and ten times as much at 10^7 (docs/benchmarks.md «A replaced
    projection taken apart piece by piece»); every request of the web process waited meanwhile. It was freed by
    whichever thread let it go last: the builder's, or a request's that still read it. Here nobody waits for it: the
    reaper looks every ``poll`` seconds whether anyone else still holds it (its reference count) and then empties it
    a piece at a time, so that the other threads get the lock every few milliseconds.

    >>> class Big:
    ...     def __init__(self): self.rows = dict.fromkeys(range(100_000))
    ...     def dismantle(self): self.rows.clear()
    >>> reaper, big = Reaper(poll=0.01), Big()
    >>> reaper.take(big); reaper.settle(0.2), len(big.rows)  # a reader still holds it
    (False, 100000)
    >>> reader = big.rows; del big; reaper.settle(5), len(reader)
    (True, 0)
    """

    def __init__(self, poll: float = 0.25) -> None:
        self.poll = poll
        self._pending: dict[int, object] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._freeing = False

    def take(self, value: object) -> None:
        """Free ``value`` (which has a ``dismantle()``) once nobody else holds it."""
        with self._changed:
            self._pending[id(value)] = value
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="reaper", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def settle(self, timeout: float) -> bool:
        """Wait until every value taken has been freed; ``False`` at the ``timeout`` (seconds). For tests."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending and not self._freeing, timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._pending))
                # held by nobody but this dictionary (and the call's own argument): no reader can reach it again
                free = [key for key in self._pending if sys.getrefcount(self._pending[key]) <= 2]
                values = [self._pending.pop(key) for key in free]
                self._freeing = bool(values)
            for value in values:
                try:
                    value.dismantle()  # type: ignore[attr-defined]
                except Exception:
                    log.exception("freeing %s failed", type(value).__name__)
            if values:
                del values, value
                release_free_memory()
                with self._changed:
                    self._freeing = False
                    self._changed.notify_all()
            else:
                time.sleep(self.poll)


REAPER = Reaper()


def _released(value: object) -> None:
    """Tell a value that it is no longer served (its ``released()``, if it has one): a value whose parts refer to
    each other, such as a networkx graph with its cached views, can then undo that, so that it is freed when its
    last reader lets it go rather than at the interpreter's next full collection."""
    released = getattr(value, "released", None)
    if callable(released):
        released()
