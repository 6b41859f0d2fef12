"""Named SPARQL queries: every query the application runs is a ``queries/<name>.rq`` file.

A file starts with ``#+ key: value`` lines of metadata (YAML-like, so the file stays valid SPARQL):
``summary``, ``title_es``/``title_en``, ``description_es``/``description_en``, ``tags``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

QUERY_DIR = Path(__file__).parent / "queries"


class UnknownQuery(KeyError):
    """No ``.rq`` file of that name."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> str:
        """The query without its ``#+`` metadata lines (what a person edits on the query page)."""
        return "\n".join(line for line in self.text.splitlines() if not line.startswith("#+")).strip()


def _parse_meta(text: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        key, sep, value = line[2:].partition(":")
        if not sep:
            raise ValueError(f"query metadata line without ':': {line!r}")
        meta[key.strip()] = value.strip()
    return meta


@cache
def load(name: str) -> NamedQuery:
    """Read ``queries/<name>.rq``.

    >>> load("class-counts").meta["summary"]
    'Number of entities per class'
    """
    path = QUERY_DIR / f"{name}.rq"
    if not path.is_file():
        raise UnknownQuery(name)
    text = path.read_text(encoding="utf-8")
    return NamedQuery(name, text, _parse_meta(text))


def names() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq"))
