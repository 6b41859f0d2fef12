"""How to cite the graph: a release, the dataset at a version, or one query at a version, as plain text, BibTeX and
CSL-JSON (what Zotero, Pandoc and citeproc read).

The fields are the dataset's title, the publisher (``GRAPHAPP_PUBLISHER``), the version (a release's name, or
"versión N"), the date it was issued and the address that serves exactly that version.

>>> c = Citation("Gobierno Abierto KG", "INFOEM & Co", "2026.1", "2026-12-06", "https://example.org/releases/2026.1")
>>> c.plain("es")
'INFOEM & Co (2026). Gobierno Abierto KG (versión 2026.1) [conjunto de datos]. https://example.org/releases/2026.1'
>>> print(c.bibtex().splitlines()[2])
  author = {{INFOEM \\& Co}},
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

#: media types of the citation formats, by the file extension the routes use
FORMATS = {
    "txt": "text/plain; charset=utf-8",
    "bib": "application/x-bibtex",
    "json": "application/vnd.citationstyles.csl+json",
}

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_text(value: str) -> str:
    """A value safe inside a BibTeX field's braces: LaTeX's special characters escaped, other text (accents
    included, as UTF-8) kept.

    >>> bibtex_text("50% {a} & b_c")
    '50\\\\% \\\\{a\\\\} \\\\& b\\\\_c'
    """
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in " ".join(value.split()))


@dataclass(frozen=True)
class Citation:
    title: str
    publisher: str
    version: str  # a release's name, or "versión N"
    issued: str  # ISO date (or date and time) the version was issued
    url: str
    note: str = ""  # e.g. the query cited
    graph_version: int | None = None  # the graph version cited (not written: the version field names it)

    @property
    def year(self) -> str:
        return self.issued[:4]

    @property
    def key(self) -> str:
        """The BibTeX key: ``gakg`` and the version's letters and digits."""
        return "gakg-" + (re.sub(r"[^0-9A-Za-z]+", "-", self.version).strip("-") or "version")

    def plain(self, lang: str = "es") -> str:
        kind = "[conjunto de datos]" if lang == "es" else "[data set]"
        version = self.version if self.version.startswith(("versión", "version")) else f"versión {self.version}"
        if lang != "es":
            version = version.replace("versión", "version")
        text = f"{self.publisher} ({self.year}). {self.title} ({version}) {kind}. {self.url}"
        return f"{text}. {self.note}" if self.note else text

    def bibtex(self) -> str:
        fields = [
            ("title", self.title),
            ("author", "{" + bibtex_text(self.publisher) + "}"),  # a body, not a person: kept whole
            ("publisher", self.publisher),
            ("year", self.year),
            ("version", self.version),
            ("date", self.issued[:10]),
            ("url", self.url),
        ]
        if self.note:
            fields.append(("note", self.note))
        lines = [f"@misc{{{self.key},"]
        for name, value in fields:
            text = value if name == "author" else bibtex_text(value)
            lines.append(f"  {name} = {{{text}}},")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def csl(self) -> dict[str, object]:
        """One CSL-JSON item (type ``dataset``)."""
        parts = [int(p) for p in self.issued[:10].split("-") if p.isdigit()]
        item: dict[str, object] = {
            "id": self.key,
            "type": "dataset",
            "title": self.title,
            "author": [{"literal": self.publisher}],
            "publisher": self.publisher,
            "version": self.version,
            "issued": {"date-parts": [parts]},
            "URL": self.url,
        }
        if self.note:
            item["note"] = self.note
        return item

    def csl_json(self) -> str:
        """CSL-JSON: a list of one item."""
        return json.dumps([self.csl()], ensure_ascii=False, indent=2) + "\n"

    def render(self, fmt: str, lang: str = "es") -> str:
        """The citation in ``fmt`` (a key of :data:`FORMATS`)."""
        if fmt == "bib":
            return self.bibtex()
        if fmt == "json":
            return self.csl_json()
        return self.plain(lang) + "\n"
