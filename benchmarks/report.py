"""Sections of ``docs/benchmarks.md`` written by different benchmark scripts, kept between HTML-comment markers so
that each script replaces its own section and leaves the others' as they are."""

from __future__ import annotations

import re
from pathlib import Path


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- section:{name}:start -->", f"<!-- section:{name}:end -->"


def sections(text: str) -> dict[str, str]:
    """The marked sections of a report: name -> the whole block, markers included."""
    found = re.finditer(r"<!-- section:(?P<name>[\w-]+):start -->.*?<!-- section:(?P=name):end -->", text, re.S)
    return {m["name"]: m.group() for m in found}


def replace_section(path: Path, name: str, body: str) -> None:
    """Put ``body`` in the section ``name`` of ``path`` (appended if it is not there yet)."""
    start, end = _markers(name)
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    current = sections(text).get(name)
    text = text.replace(current, block) if current else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def keep_sections(old: str, new: str) -> str:
    """``new`` (a freshly rendered report) with the marked sections of ``old`` that it lacks."""
    kept = [block for name, block in sections(old).items() if name not in sections(new)]
    return new.rstrip() + "".join("\n\n" + block for block in kept) + "\n"
