"""Every change, kept: who, when, how, from which source, and exactly which quads it added and removed.

The history lives in SQLite beside the store (``history.sqlite``; in memory for an in-memory store). A change
is recorded in two steps around the store's own transaction: ``begin`` writes it as *pending* (durably), the
store commits the quads, ``finish`` marks it *done*. After a crash between the two, :meth:`History.recover`
looks at the store: if the change's quads are there it was committed (mark it done), otherwise it never was
(forget it). So the history never claims a change the store does not hold, nor misses one it does.

Exported as PROV-O (:meth:`Entry.prov`): each change is a ``prov:Activity`` associated with its actor.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from .changes import Change, from_nquads, to_nquads

_SCHEMA = """
CREATE TABLE IF NOT EXISTS change (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    method TEXT NOT NULL,
    source TEXT,
    note TEXT NOT NULL DEFAULT '',
    reverts INTEGER,
    added TEXT NOT NULL,
    removed TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done'))
);
CREATE TABLE IF NOT EXISTS touched (
    change INTEGER NOT NULL REFERENCES change(id),
    entity TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS touched_entity ON touched(entity);
CREATE TABLE IF NOT EXISTS release (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    issued TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    previous TEXT REFERENCES release(name),
    counts TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '',
    data BLOB NOT NULL
);
"""


_ENTRY_SELECT = (
    "SELECT c.id, c.at, c.actor, c.method, c.source, c.note, c.reverts, c.added, c.removed, "
    "(SELECT json_group_array(entity) FROM touched t WHERE t.change = c.id) "
    "FROM change c WHERE c.state = 'done'"
)


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    actor: str
    method: str
    source: str | None
    note: str
    reverts: int | None
    added: list[ox.Quad]
    removed: list[ox.Quad]
    entities: list[str]

    def prov(self, base_iri: str = "https://w3id.org/gakg/") -> dict[str, object]:
        """The change as PROV-O (JSON-LD): a ``prov:Activity`` by its actor, at its time, using its source,
        influencing the entities it touched.

        >>> Entry(7, "2026-12-01T20:00:00+00:00", "ana", "form", None, "", None, [], [], ["https://e/x"]).prov()["@id"]
        'https://w3id.org/gakg/id/cambio/7'
        """
        activity: dict[str, object] = {
            "@context": {
                "prov": "http://www.w3.org/ns/prov#",
                "dcterms": "http://purl.org/dc/terms/",
                "xsd": "http://www.w3.org/2001/XMLSchema#",
            },
            "@id": f"{base_iri}id/cambio/{self.id}",
            "@type": "prov:Activity",
            "prov:endedAtTime": {"@value": self.at, "@type": "xsd:dateTime"},
            "prov:wasAssociatedWith": {"@id": f"{base_iri}id/personal/{quote(self.actor, safe='')}"},
            "dcterms:type": self.method,
            "prov:influenced": [{"@id": e} for e in self.entities],
        }
        if self.source:
            activity["prov:used"] = {"@id": self.source}
        if self.reverts is not None:
            activity["prov:wasInformedBy"] = {"@id": f"{base_iri}id/cambio/{self.reverts}"}
        return activity

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "method": self.method,
            "source": self.source,
            "note": self.note,
            "reverts": self.reverts,
            "entities": self.entities,
            "added": to_nquads(self.added).splitlines(),
            "removed": to_nquads(self.removed).splitlines(),
            "prov": self.prov(),
        }


@dataclass(frozen=True)
class Release:
    """A version frozen with a name: kept forever, with its quads (:meth:`History.release_data`)."""

    name: str
    version: int
    issued: str  # ISO 8601, UTC
    actor: str
    note: str
    previous: str | None  # the release before it
    counts: dict[str, int]  # statements per named graph
    sources: str = ""  # the source files' state when it was made (graphapp.loading.sources_state)

    @property
    def triples(self) -> int:
        return sum(self.counts.values())


class History:
    def __init__(self, path: Path | None) -> None:
        # one connection, used under a lock: writes are serialised by the writer anyway
        self._db = sqlite3.connect(str(path) if path is not None else ":memory:", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def begin(self, change: Change) -> int:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self._db:
            cur = self._db.execute(
                "INSERT INTO change (at, actor, method, source, note, reverts, added, removed, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                (
                    at,
                    change.actor,
                    change.method,
                    change.source,
                    change.note,
                    change.reverts,
                    to_nquads(change.add),
                    to_nquads(change.remove),
                ),
            )
            change_id = int(cur.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO touched (change, entity) VALUES (?, ?)", [(change_id, e) for e in sorted(change.touched())]
            )
        return change_id

    def finish(self, change_id: int) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE change SET state = 'done' WHERE id = ?", (change_id,))

    def forget(self, change_id: int) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM touched WHERE change = ?", (change_id,))
            self._db.execute("DELETE FROM change WHERE id = ?", (change_id,))

    def recover(self, holds: Callable[[ox.Quad], bool]) -> list[int]:
        """Settle the changes left pending by a crash; ``holds(quad)`` says whether the store has a quad.
        Returns the ids marked done."""
        with self._lock:
            pending = self._db.execute("SELECT id, added, removed FROM change WHERE state = 'pending'").fetchall()
        settled = []
        for change_id, added, removed in pending:
            applied = all(holds(q) for q in from_nquads(added)) and not any(holds(q) for q in from_nquads(removed))
            if applied:
                self.finish(change_id)
                settled.append(change_id)
            else:
                self.forget(change_id)
        return settled

    def entry(self, change_id: int) -> Entry | None:
        rows = self._select("c.id = ?", "", (change_id,))
        return rows[0] if rows else None

    def of(self, entity: str, limit: int = 200) -> list[Entry]:
        """The changes that touched ``entity``, newest first."""
        return self._select(
            "c.id IN (SELECT change FROM touched WHERE entity = ?)", "ORDER BY c.id DESC LIMIT ?", (entity, limit)
        )

    def latest(self, limit: int = 50) -> list[Entry]:
        return self._select("1 = 1", "ORDER BY c.id DESC LIMIT ?", (limit,))

    def between(self, first: int, last: int) -> list[Entry]:
        """The changes with ids from ``first`` to ``last`` (both included), oldest first."""
        return self._select("c.id BETWEEN ? AND ?", "ORDER BY c.id", (first, last))

    def time_of(self, change_id: int) -> str | None:
        """When change ``change_id`` was committed (ISO 8601), ``None`` if there is no such change."""
        with self._lock:
            row = self._db.execute("SELECT at FROM change WHERE id = ? AND state = 'done'", (change_id,)).fetchone()
        return str(row[0]) if row else None

    def next_after(self, change_id: int) -> tuple[int, str] | None:
        """The first change committed after ``change_id`` (its id and time): the end of version ``change_id``."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, at FROM change WHERE id > ? AND state = 'done' ORDER BY id LIMIT 1", (change_id,)
            ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    # -- releases: a version frozen with a name, its quads kept here (so a backup of the history keeps them)

    def add_release(self, release: Release, data: bytes) -> None:
        """Record a release and its quads (gzipped N-Quads). Raises :class:`sqlite3.IntegrityError` when the name
        is taken."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO release (name, version, issued, actor, note, previous, counts, sources, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    release.name,
                    release.version,
                    release.issued,
                    release.actor,
                    release.note,
                    release.previous,
                    json.dumps(release.counts, sort_keys=True),
                    release.sources,
                    data,
                ),
            )

    def releases(self) -> list[Release]:
        """Every release, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name, version, issued, actor, note, previous, counts, sources FROM release "
                "ORDER BY version, issued"
            ).fetchall()
        return [Release(r[0], int(r[1]), r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

    def release(self, name: str) -> Release | None:
        return next((r for r in self.releases() if r.name == name), None)

    def release_data(self, name: str) -> bytes | None:
        """The gzipped N-Quads of release ``name``."""
        with self._lock:
            row = self._db.execute("SELECT data FROM release WHERE name = ?", (name,)).fetchone()
        return bytes(row[0]) if row else None

    def reverted(self, change_id: int) -> int | None:
        """The change that reverted ``change_id``, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT id FROM change WHERE reverts = ? AND state = 'done'", (change_id,)
            ).fetchone()
        return int(row[0]) if row else None

    def last_id(self) -> int:
        """The id of the last change committed (0 when none): the graph's version."""
        with self._lock:
            row = self._db.execute("SELECT MAX(id) FROM change WHERE state = 'done'").fetchone()
        return int(row[0] or 0)

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM change WHERE state = 'done'").fetchone()[0])

    def _select(self, condition: str, tail: str, params: tuple[object, ...]) -> list[Entry]:
        # condition and tail are fixed fragments of this module; every value is bound
        query = _ENTRY_SELECT + f" AND {condition} {tail}"
        with self._lock:
            rows = self._db.execute(query, params).fetchall()
        return [
            Entry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], from_nquads(r[7]), from_nquads(r[8]), json.loads(r[9]))
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()
