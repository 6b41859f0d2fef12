"""Settings: ``GRAPHAPP_*`` environment variables, then defaults. One list declares them all.

>>> Settings.from_env({"GRAPHAPP_PORT": "9000"}).port
9000
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .iris import CANONICAL_BASE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MEMORY = ":memory:"  # the store_dir value for a store that lives in memory only
SECRET_SETTINGS = ("update_token", "secret_key", "metrics_token")  # never shown by Settings.help()


class ConfigError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the application, with its default and its help text (``metadata['help']``)."""

    base_iri: str = field(
        default=CANONICAL_BASE,
        metadata={"help": "Base IRI under which entities are served; data files use the canonical base."},
    )
    data_dir: Path = field(
        default=PROJECT_ROOT / "data",
        metadata={"help": "Folder of instance data (Turtle, one graph per file)."},
    )
    ontology_dir: Path = field(
        default=PROJECT_ROOT / "ontology", metadata={"help": "Folder of ontology files (Turtle)."}
    )
    shapes_dir: Path = field(default=PROJECT_ROOT / "shapes", metadata={"help": "Folder of SHACL shapes (Turtle)."})
    restricted_dir: str = field(
        default="",
        metadata={
            "help": "Folder of restricted personal data (Turtle, one graph per file, named graph/restricted/<file>), "
            "kept outside the repository; empty means none. Only `graphapp validate` reads it (names hidden); the "
            "service, the dumps and `graphapp export` never do. docs/examples/restricted/ is a synthetic example."
        },
    )
    store_dir: str = field(
        default=str(PROJECT_ROOT / "var" / "store"),
        metadata={
            "help": "Folder of the persistent store (built from the ontology and data folders, kept in sync with "
            "them, and holding every write and its history); ':memory:' keeps everything in memory (tests)."
        },
    )
    host: str = field(default="127.0.0.1", metadata={"help": "Address the service listens on."})
    port: int = field(default=8000, metadata={"help": "Port the service listens on."})
    query_timeout: float = field(
        default=30.0, metadata={"help": "Seconds a SPARQL query may run before its worker is stopped."}
    )
    max_rows: int = field(default=10_000, metadata={"help": "Most result rows (or triples) a query returns."})
    max_query_bytes: int = field(default=100_000, metadata={"help": "Largest SPARQL query or update accepted."})
    workers: int = field(
        default=3,
        metadata={"help": "Query worker processes (they read snapshots of the on-disk store; :memory: copies it)."},
    )
    worker_memory_mb: int = field(
        default=2048,
        metadata={"help": "Memory (MB of data segment) one query worker may use; a query past it is stopped."},
    )
    max_response_bytes: int = field(
        default=50_000_000,
        metadata={"help": "Largest query answer in bytes; longer answers are cut (header X-Result-Truncated)."},
    )
    max_queued_queries: int = field(
        default=16,
        metadata={"help": "Queries that may wait for a free worker; beyond that the answer is 503 with Retry-After."},
    )
    max_queries_per_client: int = field(
        default=4,
        metadata={"help": "Queries one client address may have running or waiting at once (429 beyond)."},
    )
    update_timeout: float = field(
        default=60.0, metadata={"help": "Seconds a SPARQL update may run before it is stopped (nothing changes)."}
    )
    max_update_statements: int = field(
        default=10_000,
        metadata={
            "help": "Most statements one SPARQL update may add and remove together (413 beyond, nothing changes); "
            "load larger data with `graphapp load` or `graphapp import`."
        },
    )
    public_url: str = field(
        default="",
        metadata={
            "help": "Public address of the service, used for absolute links (service description, VoID); "
            "empty means http://HOST:PORT/. The Host header of a request is never used."
        },
    )
    update_token: str = field(
        default="",
        metadata={"help": "Bearer token for the SPARQL update endpoint; empty disables updates."},
    )
    staff_file: str = field(
        default="",
        metadata={
            "help": "JSON file of staff accounts (names, roles, hashed tokens; managed with `graphapp staff`); "
            "empty means staff.json in the store folder (none for an in-memory store)."
        },
    )
    secret_key: str = field(
        default="",
        metadata={
            "help": "Key that signs the staff session cookies; empty means a random key kept in secret.key in the "
            "store folder (a new one per process for an in-memory store)."
        },
    )
    write_rate: str = field(
        default="60/minute",
        metadata={"help": "Writes one staff member may make, e.g. '60/minute' or '1000/hour' (429 beyond)."},
    )
    metrics_token: str = field(
        default="",
        metadata={
            "help": "Bearer token that lets a monitoring server read /metrics from another machine; empty means "
            "only clients on this machine that do not come through a proxy may read it."
        },
    )

    store: str = field(
        default="embedded",
        metadata={
            "help": "Where the graph lives: 'embedded' (the on-disk store in STORE_DIR, one service process) or "
            "'sparql' (a SPARQL 1.1 Protocol + Update server such as Oxigraph server or Virtuoso; several web "
            "workers may share it). STORE_DIR still holds the history, the staff file and the answer cache."
        },
    )
    build_wait_seconds: float = field(
        default=1.0,
        metadata={
            "help": "Seconds a page waits for the views' projection or the finder's index of a new graph version, "
            "built in the background (not at all when the build cannot end by then: each build is expected to take "
            "as long as the previous one), or for the label index after a start; then it serves the previous "
            "version's, or says it is being prepared (503 with Retry-After)."
        },
    )
    switch_interval_ms: float = field(
        default=1.0,
        metadata={
            "help": "Milliseconds a thread of the web process runs before another that waits gets the interpreter's "
            "lock (the interpreter's own default is 5). A page that asks the store gives the lock up and waits for "
            "it again at each step; beside a request that computes in Python (the finder, the site's search) it "
            "waited that long each time. With 1 ms such a page waited a quarter to a half as long at 10^6 triples "
            "(median), and the finder answered about a tenth fewer a second (docs/benchmarks.md, python "
            "benchmarks/cheap_beside_heavy.py)."
        },
    )
    query_copy: str = field(
        default="memory",
        metadata={
            "help": "What users' queries read (embedded store): 'memory', one in-memory copy of the graph that the "
            "query workers share (several times faster; about the size of the store in RAM, e.g. 400 MB at 10^6 "
            "triples; the store on disk stays the durable truth and answers until the copy is loaded), or 'disk', "
            "the store's snapshot on disk (for a machine that cannot hold the copy)."
        },
    )
    worker_dirty_mb: int = field(
        default=64,  # zygote.DIRTY_LIMIT_MB
        metadata={
            "help": "With the in-memory copy: MB of the copy's pages each query worker may have made its own (a "
            "scanning query copies the pages it reads), as a budget for the pool: the workers together may hold "
            "GRAPHAPP_WORKERS times this (one busy worker all of it while the others are idle); past it, the worker "
            "that has just answered is replaced by a fresh fork. Higher keeps workers longer (heavy queries faster, "
            "up to one copy of the graph per worker in RAM); lower keeps the total near one copy."
        },
    )
    publisher: str = field(
        default="Gobierno Abierto KG",
        metadata={"help": "Who publishes the graph, as citations of the dataset and its releases name it."},
    )
    version_retention_days: int = field(
        default=365,
        metadata={
            "help": "Days an earlier version of the graph stays answerable (version=N) after the change that replaced "
            "it; releases are kept forever, the current version always. 0 keeps releases only."
        },
    )
    sparql_query_url: str = field(
        default="", metadata={"help": "Query endpoint of the SPARQL server (GRAPHAPP_STORE=sparql)."}
    )
    sparql_update_url: str = field(
        default="", metadata={"help": "Update endpoint of the SPARQL server; empty means the query endpoint."}
    )
    sparql_user: str = field(
        default="", metadata={"help": "User for the server's update endpoint (HTTP digest), e.g. Virtuoso's."}
    )
    sparql_password: str = field(default="", metadata={"help": "Password of SPARQL_USER."})
    web_workers: int = field(
        default=1,
        metadata={"help": "Web processes (`serve --workers N`); more than one needs GRAPHAPP_STORE=sparql."},
    )
    cache_mb: int = field(
        default=256,
        metadata={
            "help": "Bytes (MB) of the answer cache shared by the web workers (by query, dataset, format and "
            "graph version; a write makes every older answer stale); 0 turns it off."
        },
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``GRAPHAPP_<NAME>`` variables; keyword overrides win over both."""
        env = os.environ if environ is None else environ
        # field name → value: each converted to its field's type (:func:`_convert`, from the field's default); the
        # overrides are the caller's values. Which type a value has depends on the field's name, so it is Any here.
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get("GRAPHAPP_" + f.name.upper())
            if raw is not None:
                values[f.name] = _convert(f.name, raw, f.default)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if not settings.base_iri.endswith(("/", "#")):
            raise ConfigError(f"GRAPHAPP_BASE_IRI must end with '/' or '#': {settings.base_iri!r}")
        positive = (
            "query_timeout",
            "max_rows",
            "workers",
            "worker_memory_mb",
            "worker_dirty_mb",
            "max_response_bytes",
            "update_timeout",
            "max_update_statements",
            "switch_interval_ms",
        )
        bad = [name for name in positive if getattr(settings, name) <= 0]
        bad += [
            name
            for name in ("max_queued_queries", "max_queries_per_client", "version_retention_days")
            if getattr(settings, name) < 0
        ]
        if bad:
            raise ConfigError(", ".join("GRAPHAPP_" + name.upper() for name in bad) + " must be positive")
        if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
            raise ConfigError(f"GRAPHAPP_PUBLIC_URL must start with http:// or https://: {settings.public_url!r}")
        _check_rate(settings.write_rate)
        if settings.query_copy not in {"memory", "disk"}:
            raise ConfigError(f"GRAPHAPP_QUERY_COPY must be 'memory' or 'disk': {settings.query_copy!r}")
        if settings.store not in {"embedded", "sparql"}:
            raise ConfigError(f"GRAPHAPP_STORE must be 'embedded' or 'sparql': {settings.store!r}")
        if settings.store == "sparql" and not settings.sparql_query_url.startswith(("http://", "https://")):
            raise ConfigError("GRAPHAPP_STORE=sparql needs GRAPHAPP_SPARQL_QUERY_URL (http:// or https://)")
        if settings.web_workers > 1 and settings.in_memory:
            raise ConfigError("several web workers share the history in GRAPHAPP_STORE_DIR: it cannot be ':memory:'")
        if settings.web_workers > 1 and settings.store != "sparql":
            raise ConfigError(
                "several web workers need a store they can share: set GRAPHAPP_STORE=sparql (e.g. an Oxigraph "
                "server on this store folder, see docs/deploy.md); the embedded store admits one process"
            )
        return settings

    @property
    def remote(self) -> bool:
        """The graph lives on a SPARQL server."""
        return self.store == "sparql"

    @property
    def restricted_path(self) -> Path | None:
        """The restricted personal-data folder, or ``None`` when none is set."""
        return Path(self.restricted_dir) if self.restricted_dir else None

    @property
    def in_memory(self) -> bool:
        return self.store_dir == MEMORY

    @property
    def site_url(self) -> str:
        """The public address, ending in '/', from which absolute links are built (never from a Host header).

        >>> Settings(port=8123).site_url
        'http://127.0.0.1:8123/'
        >>> Settings(public_url="https://ga.example.org/kg").site_url
        'https://ga.example.org/kg/'
        """
        if self.public_url:
            return self.public_url.rstrip("/") + "/"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def help(self) -> list[tuple[str, object, str]]:
        """(environment variable, current value, help) for every setting; secrets are never shown."""
        return [
            (
                "GRAPHAPP_" + f.name.upper(),
                "***" if f.name in SECRET_SETTINGS and getattr(self, f.name) else getattr(self, f.name),
                f.metadata["help"],
            )
            for f in fields(self)
        ]


def _check_rate(rate: str) -> None:
    from limits import parse

    try:
        ok = parse(rate).amount > 0
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(f"GRAPHAPP_WRITE_RATE must look like '60/minute' or '1000/hour', not {rate!r}")


def _convert(name: str, raw: str, default: object) -> object:
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"GRAPHAPP_{name.upper()} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"GRAPHAPP_{name.upper()} must be an integer, not {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"GRAPHAPP_{name.upper()} must be a number, not {raw!r}") from None
    if isinstance(default, Path):
        return Path(raw)
    return raw
