"""The write transaction: one lock, one order of steps, whoever writes.

>>> from graphapp.config import Settings
>>> from graphapp.store import GraphStore
>>> from graphapp.writes.history import History
>>> store = GraphStore()
>>> writer = Writer(store, History(None), Settings(), writable="https://w3id.org/gakg/graph/")
>>> s, p = ox.NamedNode("https://w3id.org/gakg/id/x/a"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
>>> g = ox.NamedNode("https://w3id.org/gakg/graph/contrib/staff")
>>> writer.commit(Change(add=(ox.Quad(s, p, ox.Literal("a"), g),), actor="ana")).change_id
1
>>> len(store)
1
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from .. import metrics
from ..config import Settings
from ..storage import Store
from ..validation import Report, validate_change, warm_up
from .changes import Change, StaleWrite, WriteRejected
from .history import History

#: characters no XML 1.0 document may hold (tab, line feed and carriage return are fine): refused in written text,
#: since RDF/XML pages and SPARQL XML results could not be well formed (issue 19, item 10)
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: the start of a spreadsheet formula (OWASP's CSV injection: «=HYPERLINK(…)», «+cmd|…», «-cmd|…», «@SUM(…)»): refused
#: at the start of a written text, so that no CSV download carries one (issue 19, item 12); «+ de 1437» and «-5» pass
FORMULA_START = re.compile(r"\A(?:[=@\t\r]|[+-](?![\d\s.,]))")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Commit:
    change_id: int | None  # None when the change changed nothing
    added: int
    removed: int
    report: Report | None = None  # warnings of the shapes, if any


class Writer:
    """Checks, validates, commits and records every change; ``on_commit(version, touched entities)`` publishes
    the new version."""

    def __init__(
        self,
        store: Store,
        history: History,
        settings: Settings,
        *,
        writable: str,
        read_only: Iterable[str] = (),
        restricted: str | None = None,
        on_commit: Callable[[int, set[str] | None], None] | None = None,
        lock_path: Path | None = None,
    ) -> None:
        self.store = store
        self.history = history
        self.settings = settings
        self.writable = writable  # graphs a change may write: under this prefix...
        self.read_only = frozenset(read_only)  # ...except the project's source graphs
        self.restricted = restricted
        self.on_commit = on_commit
        self.version = history.last_id()  # the graph's version: the id of the last change committed
        self._lock = threading.Lock()
        # several web processes may share the store and the history (GRAPHAPP_STORE=sparql): a lock file beside the
        # history makes their commits one at a time, and each commit starts from the version the history holds
        self.lock_path = lock_path

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """This process's lock and, with a lock file, every process's: one commit at a time."""
        with self._lock:
            if self.lock_path is None:
                yield
                return
            with self.lock_path.open("a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                try:
                    self._follow()
                    yield
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)

    def _follow(self) -> None:
        """Move to the version the history holds (another process may have committed since)."""
        current = self.history.last_id()
        if current != self.version:
            self.version = current
            if self.on_commit is not None:
                self.on_commit(current, None)

    def commit(self, change: Change, expected_version: int | None = None) -> Commit:
        """Apply ``change`` all or nothing. Raises :class:`WriteRejected` (nothing changed) when it writes
        where it may not or leaves an entity that breaks the shapes, and :class:`StaleWrite` when
        ``expected_version`` (the version the change was computed on) is no longer the current one.
        Counts the write, accepted or rejected, in :mod:`graphapp.metrics`."""
        try:
            done = self._commit(change, expected_version)
        except WriteRejected as exc:
            metrics.write_rejected(metrics.rejection_reason(exc.status, exc.report is not None))
            raise
        if done.change_id is not None:
            metrics.write_accepted(change.method)
        return done

    def _commit(self, change: Change, expected_version: int | None) -> Commit:
        with self.locked():
            if expected_version is not None and expected_version != self.version:
                raise StaleWrite(f"computed on version {expected_version}, now {self.version}")
            self._check_graphs(change)
            effective = replace(
                change,
                add=tuple(dict.fromkeys(q for q in change.add if not self._holds(q))),
                remove=tuple(dict.fromkeys(q for q in change.remove if self._holds(q))),
            )
            if not effective:
                return Commit(None, 0, 0)
            touched = effective.touched()
            focus = touched | self.store.subjects_pointing_at(touched)
            report = validate_change(self.store, focus, effective.add, effective.remove, self.settings)
            if report.violations:
                raise WriteRejected("The change breaks the shapes; nothing was changed.", 400, report)
            change_id = self.history.begin(effective)
            try:
                self.store.apply(effective.add, effective.remove)
            except BaseException:
                self.history.forget(change_id)
                raise
            self.history.finish(change_id)
            self.version = change_id
            if self.on_commit is not None:
                self.on_commit(change_id, touched)
            return Commit(change_id, len(effective.add), len(effective.remove), report if report.findings else None)

    def revert(self, change_id: int, actor: str, note: str = "") -> Commit:
        """Undo a change: remove what it added and add back what it removed, as a new change."""
        entry = self.history.entry(change_id)
        if entry is None:
            metrics.write_rejected("not_found")
            raise WriteRejected(f"No change {change_id} in the history.", 404)
        if self.history.reverted(change_id) is not None:
            metrics.write_rejected("conflict")
            raise WriteRejected(f"Change {change_id} has already been reverted.", 409)
        return self.commit(
            Change(
                add=tuple(entry.removed),
                remove=tuple(entry.added),
                actor=actor,
                method="revert",
                note=note or f"revert of change {change_id}",
                reverts=change_id,
                subjects=frozenset(entry.entities),
            )
        )

    def recover(self) -> list[int]:
        """Settle changes a crash left pending (see :meth:`History.recover`), then warm the validation up in the
        background (:meth:`warm_up`): this is how a service starts its writer."""
        with self.locked():
            settled = self.history.recover(self._holds)
            self.version = self.history.last_id()
        self.warm_up()
        return settled

    def warm_up(self) -> threading.Thread:
        """Load the shapes and run pyshacl once in a background thread (about 300 ms, once per process), so that
        the first write after a start does not pay it; a write arriving meanwhile waits for it (this process's
        lock), then validates as usual."""

        def run() -> None:
            with self._lock:
                try:
                    warm_up(self.settings)
                except Exception:  # the write that follows validates anyway, and reports what is wrong
                    log.warning("the validation could not be warmed up", exc_info=True)

        thread = threading.Thread(target=run, name="validation-warm-up", daemon=True)
        thread.start()
        return thread

    def _holds(self, quad: ox.Quad) -> bool:
        return self.store.holds(quad)

    def _check_graphs(self, change: Change) -> None:
        for q in (*change.add, *change.remove):
            if isinstance(q.graph_name, ox.DefaultGraph):
                raise WriteRejected("Every statement of a change belongs to a named graph.")
            if any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object)):
                raise WriteRejected("A change cannot name a blank node; give it an IRI.")
        for q in change.add:
            if not isinstance(q.object, ox.Literal):
                continue
            found = CONTROL_CHARACTERS.search(q.object.value)
            if found is not None:
                raise WriteRejected(
                    f"A text of {q.subject} holds the control character U+{ord(found.group()):04X} "
                    "(XML, and so RDF/XML pages and SPARQL XML results, cannot carry it); remove it."
                )
            if FORMULA_START.match(q.object.value):
                raise WriteRejected(
                    f"A text of {q.subject} starts like a spreadsheet formula ({q.object.value[:12]!r}…), "
                    "which CSV downloads would carry to a spreadsheet; start it otherwise."
                )
        for graph in sorted(change.graphs()):
            if self.restricted and graph.startswith(self.restricted):
                raise WriteRejected("The restricted graph is not writable here.", 403)
            if graph in self.read_only:
                raise WriteRejected(f"<{graph}> holds the project's source data and is read-only here.", 403)
            if not graph.startswith(self.writable):
                raise WriteRejected(f"<{graph}> is outside this service's graphs (<{self.writable}…>).")
