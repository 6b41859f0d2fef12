"""The column layout of a CSV file of one kind, from the declarations: a column per field (two for a text field,
Spanish and English) and ``identificador`` for the slug; and the layout printed for people."""

from __future__ import annotations

from dataclasses import dataclass

from ...iris import slugify
from ..entities import Field, Kind

SLUG_HEADER = "identificador"


@dataclass(frozen=True)
class Column:
    header: str
    field: Field | None  # None: the slug column
    lang: str | None = None

    @property
    def required(self) -> bool:
        return bool(self.field and self.field.required and self.lang != "en")


def columns(kind: Kind) -> list[Column]:
    """The columns a file of ``kind`` may have, in the documented order."""
    out = [Column(SLUG_HEADER, None)]
    for f in kind.fields:
        out += [Column(header, f, lang) for header, lang in f.columns()]
    return out


def header_key(header: str) -> str:
    """Headers compare without accents, case, spacing or punctuation: ``Solución (EN)`` is ``solucion-en``."""
    return slugify(header)


_KIND_WORDS = {
    "text": ("texto", "text"),
    "string": ("texto", "text"),
    "iri": ("referencia", "reference"),
    "class": ("tipo", "type"),
    "link": ("enlace http(s)", "http(s) link"),
    "year": ("año (2024)", "year (2024)"),
    "date": ("fecha (2024-05-31 o 31/05/2024)", "date (2024-05-31 or 31/05/2024)"),
    "integer": ("número entero", "whole number"),
    "decimal": ("número", "number"),
    "boolean": ("sí / no", "yes / no"),
}


def layout(kind: Kind, lang: str = "es") -> str:
    """The column layout of ``kind``, one line per column, for people."""
    es = lang == "es"
    lines = [
        f"{kind.label_es if es else kind.label_en} (--kind {kind.plural}): "
        + ("columnas, separadas por ; o , — varios valores en una celda con |" if es else
           "columns, separated by ; or , — several values in a cell with |")
    ]  # fmt: skip
    for col in columns(kind):
        if col.field is None:
            what = (
                "opcional: el final del IRI nuevo; si falta, se forma con el nombre"
                if es
                else "optional: the end of the new IRI; made from the name if absent"
            )
        else:
            f = col.field
            words = _KIND_WORDS[f.kind][0 if es else 1]
            where = ""
            if len(f.segments) > 1:
                where = f" → …/id/{{{','.join(f.segments)}}}/<slug>"
            elif f.segments:
                where = f" → …/id/{f.segments[0]}/"
            elif f.namespace:
                where = f" → {f.namespace}…"
            elif f.choices:
                where = ": " + ", ".join(c.rsplit("#", 1)[-1] for c in f.choices)
            many = (" (varios, con |)" if es else " (several, with |)") if f.many else ""
            need = ("obligatoria" if es else "required") if col.required else ("opcional" if es else "optional")
            label = f.label_es if es else f.label_en
            english = (" — en inglés" if es else " — in English") if col.lang == "en" else ""
            what = f"{need}; {label}{english}; {words}{many}{where}"
        lines.append(f"  {col.header:<36} {what}")
    return "\n".join(lines)
