"""The answer cache: a public endpoint is asked the same queries again and again (the example queries, the pages'
own queries, dashboards), so an answer is kept by the exact request (query text, dataset, format, caps) and the
graph it was computed on (the service's graph state: the history's version and the source files loaded).

The cache is ``diskcache`` (SQLite and files, safe across processes) in the store folder, so the web workers of
one service share it; it is bounded in bytes (``GRAPHAPP_CACHE_MB``, least recently used answers go first). A write
makes a new graph version, and a corrected source file a new state, so an older answer is never served again:
its key names the old state.

>>> from pathlib import Path
>>> import tempfile
>>> from graphapp.worker import Job
>>> cache = AnswerCache(Path(tempfile.mkdtemp()), 1)
>>> job = Job(query="ASK {}", form="ASK", format_key="json")
>>> cache.put(cache.key(job, 3), Answer(b'{"boolean": true}'))
>>> cache.get(cache.key(job, 3)).body, cache.get(cache.key(job, 4))
(b'{"boolean": true}', None)
>>> cache.stats()["hits"], cache.stats()["misses"]
(1, 1)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import diskcache

from . import metrics
from .config import Settings
from .worker import Answer, Job

FOLDER = "answers"


class AnswerCache:
    """See the module docstring; ``size_mb`` 0 turns the cache off."""

    def __init__(self, folder: Path | None, size_mb: int) -> None:
        self._cache = (
            diskcache.Cache(str(folder), size_limit=size_mb * 2**20, eviction_policy="least-recently-used")
            if folder is not None and size_mb > 0
            else None
        )
        self.largest = max(1, size_mb) * 2**20 // 8  # one answer takes at most an eighth of the cache
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, settings: Settings, workdir: Path) -> AnswerCache:
        """In the store folder (shared by the web workers), or in the process's work folder for an in-memory
        store."""
        folder = workdir / FOLDER if settings.in_memory else Path(settings.store_dir) / FOLDER
        return cls(folder, settings.cache_mb)

    @staticmethod
    def key(job: Job, version: int | str) -> str:
        """The request and the graph it is answered from (``version``: the service passes its graph state, which
        changes with every write and with every source file reloaded at a start)."""
        request = [
            job.query,
            job.form,
            job.format_key,
            list(job.default_graphs),
            list(job.named_graphs),
            job.max_rows,
            job.max_bytes,
            job.base_iri,
            job.version,
            version,
        ]
        return hashlib.sha256(json.dumps(request, ensure_ascii=False).encode()).hexdigest()

    def get(self, key: str) -> Answer | None:
        if self._cache is None:
            return None
        found = self._cache.get(key)
        metrics.answer_cache_lookup(found is not None)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        body, truncated = found
        return Answer(body, truncated)

    def put(self, key: str, answer: Answer) -> None:
        if self._cache is None or len(answer.body) > self.largest:
            return
        self._cache.set(key, (answer.body, answer.truncated))

    def stats(self) -> dict[str, int]:
        """Hits and misses of this process, and the bytes the shared cache holds."""
        volume = int(self._cache.volume()) if self._cache is not None else 0
        return {"hits": self.hits, "misses": self.misses, "bytes": volume}

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
