"""Reading an entity back as field values, the form the JSON API answers and the forms fill in."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from .context import Context, types_of
from .kinds import LABEL, LANGS, RETIRED_ON, RETIREMENT_NOTE, Field, Kind


def _python(f: Field, term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Any:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    value = term.value
    try:
        if f.kind in {"year", "integer"}:
            return int(value[:4] if f.kind == "year" and len(value) > 4 and value[4] == "-" else value)
        if f.kind == "decimal":
            return float(value)
        if f.kind == "boolean":
            return value in {"true", "1"}
    except ValueError:
        return value
    return value


def field_value(f: Field, objects: list[ox.NamedNode | ox.Literal | ox.BlankNode], base_class: str = "") -> Any:
    """The JSON value of a field from the objects of its statements."""
    if f.kind == "text":
        by_lang: dict[str, list[str]] = {}
        for o in objects:
            if isinstance(o, ox.Literal) and o.language in LANGS:
                by_lang.setdefault(o.language, []).append(o.value)
        if f.many:
            return {lang: sorted(by_lang.get(lang, [])) for lang in LANGS}
        return {lang: sorted(by_lang[lang])[0] if lang in by_lang else None for lang in LANGS}
    values = [_python(f, o) for o in objects if not (f.kind == "class" and getattr(o, "value", None) == base_class)]
    if f.many:
        return sorted(values, key=str)
    return sorted(values, key=str)[0] if values else None


def read_entity(ctx: Context, kind: Kind, iri: str) -> dict[str, Any] | None:
    """An entity of ``kind`` as field values (``None`` if there is none at ``iri``): ``iri``, ``kind``, ``slug``,
    ``href``, every field, ``retired`` (``{"on", "note"}`` or ``null``) and ``source_data`` (true when some of its
    statements are the project's source data, which the service does not change)."""
    quads = ctx.quads(iri)
    if not quads or not ctx.is_a(types_of(quads), kind.cls):
        return None
    by_predicate: dict[str, list[Any]] = {}
    for q in quads:
        by_predicate.setdefault(q.predicate.value, []).append(q.object)
    prefix = f"{ctx.id_base}{kind.segment}/"
    out: dict[str, Any] = {
        "iri": iri,
        "kind": kind.name,
        "slug": iri[len(prefix) :] if iri.startswith(prefix) else None,
        "href": "/" + iri[len(ctx.base) :] if iri.startswith(ctx.base) else None,
    }
    for f in kind.fields:
        out[f.name] = field_value(f, list(dict.fromkeys(by_predicate.get(f.predicate, []))), kind.cls)
    retired_on = [o.value for o in by_predicate.get(RETIRED_ON, [])]
    notes = field_value(LABEL, by_predicate.get(RETIREMENT_NOTE, []))
    out["retired"] = {"on": min(retired_on), "note": notes} if retired_on else None
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    out["source_data"] = bool(graphs & ctx.read_only)
    return out
