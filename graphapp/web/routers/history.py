"""The change history of an entity, for people: ``GET /historial/<tipo>/<slug>`` (with its JSON twin) and, for a
signed-in editor, a button per change that undoes it (``POST`` to the same address, with the session's CSRF
token).

Each change says when, who (the staff member's display name when known), how (API, form, import, SPARQL Update,
revert, retirement), from which source, and what it added and removed, as readable rows (property → value, with
labels from the label index). An entity nobody changed says that its data comes from the project's files, with a
link to each file's graph.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...iris import is_valid_iri
from ...service import Service
from ...staff import LEGACY_NAME
from ...writes import WriteRejected
from ...writes.entities import Context, kind_of_iri, problems_from_findings
from ...writes.history import Entry
from ..auth import CSRF_FIELD, FORM, Editor, Principal, access_for, session_editor, write_error_responses
from ..deps import ServiceDep
from ..errors import AppError, error_responses, json_wanted
from ..formatting import format_literal
from ..formfields import read_form
from ..i18n import get_lang
from ..links import local_href
from ..openapi import HTML
from ..params import PageFormat, page_language
from ..render import html_page, json_page
from ..urls import path_for

router = APIRouter(tags=["Pages"], dependencies=[Depends(page_language)])

MAX_CHANGES = 200
METHODS = {
    "api": ("API", "API"),
    "form": ("formulario", "form"),
    "import": ("importación CSV", "CSV import"),
    "update": ("SPARQL Update", "SPARQL Update"),
    "revert": ("reversión", "revert"),
    "retire": ("retiro", "retirement"),
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: what a change did, from its note (``create practice``, ``update label, status``; a form joins several with ``;``)
WHAT = {"create": ("alta", "creation"), "update": ("corrección", "correction")}

EntityPath = Annotated[
    str,
    PathParam(
        description="The entity's path under `/id/` (`<segment>/<slug>`).",
        examples=["practica/reubicacion-ladrilleras-durango"],
    ),
]
Undone = Annotated[
    int | None,
    Query(ge=1, le=2**62, description="The change that just undid another (shown as a message after a revert)."),
]


def _when(at: str, lang: str) -> str:
    """A change's time for a reader: ``12 de marzo de 2027, 14:05 UTC``.

    >>> _when("2027-03-12T14:05:09+00:00", "es"), _when("2027-03-12T14:05:09+00:00", "en")
    ('12 de marzo de 2027, 14:05 UTC', '12 March 2027, 14:05 UTC')
    """
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    day = format_literal(moment.date().isoformat(), "http://www.w3.org/2001/XMLSchema#date", lang)
    return f"{day}, {moment:%H:%M} UTC"


def _term(service: Service, term: Any, lang: str) -> dict[str, Any]:
    """A value of a statement for a reader: its label (an IRI) or its formatted text (a literal)."""
    base = service.base_iri
    if isinstance(term, ox.NamedNode):
        return {
            "value": term.value,
            "text": service.index.label_or_iri(term.value, lang),
            "href": local_href(term.value, base),
            "lang": None,
        }
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        return {
            "value": term.value,
            "text": format_literal(term.value, datatype, lang),
            "href": None,
            "lang": term.language,
            "datatype": datatype,
        }
    return {"value": str(term), "text": str(term), "href": None, "lang": None}


def _rows(service: Service, quads: list[ox.Quad], lang: str) -> list[dict[str, Any]]:
    base = service.base_iri
    rows: list[dict[str, Any]] = []
    for q in quads:
        p = q.predicate.value
        rows.append(
            {
                "subject": str(q.subject) if isinstance(q.subject, ox.Triple) else q.subject.value,
                "property": p,
                "property_label": service.index.label_or_iri(p, lang),
                "property_href": local_href(p, base),
                "value": _term(service, q.object, lang),
                "graph": q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None,
            }
        )
    rows.sort(key=lambda r: (r["subject"], r["property"] != RDF_TYPE, r["property_label"].lower(), r["value"]["text"]))
    return rows


def _actor_name(request: Request, actor: str) -> str:
    if actor == LEGACY_NAME:
        return "GRAPHAPP_UPDATE_TOKEN"
    member = access_for(request).staff.by_name(actor)
    return (member.display_name or member.name) if member is not None else actor


def _what(note: str) -> str | None:
    """``update`` when the change corrected an entity (it may have created others with it), ``create`` when it only
    created entities, else ``None``.

    >>> _what("create source; update label, sources"), _what("create practice"), _what("import x.csv: 2 practices")
    ('update', 'create', None)
    """
    verbs = {part.strip().split(" ", 1)[0] for part in note.split(";") if part.strip()}
    if not verbs or not verbs <= set(WHAT):
        return None
    return "update" if "update" in verbs else "create"


def _change(request: Request, service: Service, entry: Entry, iri: str, lang: str) -> dict[str, Any]:
    es, en = METHODS.get(entry.method, (entry.method, entry.method))
    what = _what(entry.note) if entry.method in {"api", "form"} else None
    added = _rows(service, entry.added, lang)
    removed = _rows(service, entry.removed, lang)
    others = sorted({r["subject"] for r in (*added, *removed) if r["subject"] != iri} | set(entry.entities) - {iri})
    base = service.base_iri
    source_href = local_href(entry.source, base) if entry.source else None
    return {
        "id": entry.id,
        "at": entry.at,
        "when": _when(entry.at, lang),
        "actor": entry.actor,
        "actor_name": _actor_name(request, entry.actor),
        "method": entry.method,
        "method_label": es if lang == "es" else en,
        "what": what,
        "what_label": WHAT[what][0 if lang == "es" else 1] if what else None,
        "source": entry.source,
        "source_href": source_href if source_href and source_href.startswith(("/", "http://", "https://")) else None,
        "note": entry.note,
        "reverts": entry.reverts,
        "reverted_by": service.history.reverted(entry.id),
        "entities": entry.entities,
        "added": added,
        "removed": removed,
        "others": [
            {"iri": o, "text": service.index.label_or_iri(o, lang), "href": local_href(o, base)} for o in others
        ],
    }


def _target(service: Service, path: str) -> str:
    """The IRI of ``/id/<path>``, if the graph describes it or the history has changes of it; else 404."""
    iri = service.base_iri + "id/" + path
    if not path or not is_valid_iri(iri) or not (service.contains(iri) or service.history.of(iri, limit=1)):
        raise AppError(404, f"No entity <{iri}> and no change to it.")
    return iri


def _editor(request: Request) -> Principal | None:
    """The signed-in staff member who may undo changes from this page (a session with the role ``edit``)."""
    return session_editor(request)


def history_view(
    request: Request, service: Service, iri: str, path: str, message: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the history page and its JSON twin show."""
    lang = get_lang(request)
    base = service.base_iri
    changes = [_change(request, service, e, iri, lang) for e in service.history.of(iri, limit=MAX_CHANGES)]
    read_only = service.writer.read_only
    graphs = sorted(
        {q.graph_name.value for q in Context.of_service(service).quads(iri) if isinstance(q.graph_name, ox.NamedNode)}
    )
    files = [
        {"iri": g, "href": local_href(g, base), "text": service.index.label_or_iri(g, lang)}
        for g in graphs
        if g in read_only
    ]
    return {
        "iri": iri,
        "path": path,
        "label": service.index.label_or_iri(iri, lang),
        "href": local_href(iri, base) if service.contains(iri) else None,
        "exists": service.contains(iri),
        "source_files": files,
        "changes": changes,
        "shown": MAX_CHANGES,
        "message": message,
    }


def _page(request: Request, view: dict[str, Any], status: int = 200) -> HTMLResponse:
    editor = _editor(request)
    context = {**view, "editor": editor, "action": _address(request, view["path"])}
    return html_page(request, "history.html", context, status_code=status, headers={"Cache-Control": "no-store"})


def _address(request: Request, path: str) -> str:
    """The history page of ``/id/<path>``, as a root-relative path."""
    return str(path_for(request, "history_page", path=quote(path, safe="/-_.~!$&'()*+,;=:@")))


@router.get(
    "/historial/{path:path}",
    name="history_page",
    summary="The change history of an entity (HTML) or its JSON twin",
    responses={
        200: {"description": "The page (`text/html`) or its JSON twin (`application/json`).", "content": HTML},
        **error_responses(400, 404, e404="No entity at this address and no change to it."),
    },
)
def history_page(
    request: Request,
    service: ServiceDep,
    path: EntityPath,
    format: PageFormat = None,
    deshecho: Undone = None,
) -> Response:
    """Every change of the entity, newest first: when, who, how, from which source, what it added and removed.
    A signed-in editor sees a button to undo each change. An entity nobody changed shows the project files its
    data comes from."""
    lang = get_lang(request)
    iri = _target(service, path)
    message = None
    if deshecho is not None:
        done = service.history.entry(deshecho)
        if done is not None and done.reverts is not None and iri in done.entities:
            message = {
                "kind": "done",
                "text": f"Se deshizo el cambio {done.reverts} (con el cambio {done.id})."
                if lang == "es"
                else f"Change {done.reverts} was undone (by change {done.id}).",
            }
    view = history_view(request, service, iri, path, message)
    if json_wanted(request, format):
        return json_page(request, {k: view[k] for k in ("iri", "label", "href", "source_files", "changes")})
    return _page(request, view)


@router.options("/historial/{path:path}", include_in_schema=False)
def history_options() -> Response:
    """Both methods of a history page (two routes: Starlette's own 405 would name only the first)."""
    return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


_REVERT_BODY = {
    "required": True,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "required": ["change"],
                "properties": {
                    "change": {"type": "integer", "description": "The number of the change to undo."},
                    CSRF_FIELD: {"type": "string", "description": "The session's CSRF token."},
                },
            }
        }
    },
}


@router.post(
    "/historial/{path:path}",
    name="history_revert",
    status_code=303,
    summary="Undo a change of the entity (staff; from the history page)",
    response_class=HTMLResponse,
    responses={
        303: {
            "description": "Undone: the browser goes back to the history page, which says so.",
            "headers": {"Location": {"required": True, "schema": {"type": "string"}}},
        },
        400: {
            "description": "Not a change number, or undoing it would break the SHACL shapes: nothing was changed "
            "(the history page with the reason).",
            "content": {**HTML, **error_responses(400)[400]["content"]},
        },
        409: {"description": "The change was already undone: the history page says so.", "content": HTML},
        **error_responses(404, e404="No such entity, or no such change in its history."),
        **write_error_responses(
            413,
            e401="No credentials: sign in at /acceso.",
            e403="The session or token is not valid or lacks the role `edit`, the form lacks the session's CSRF "
            "token, or the change touched the project's read-only files.",
        ),
    },
    openapi_extra={"requestBody": _REVERT_BODY, "security": [{"updateToken": []}]},
)
async def history_revert(request: Request, principal: Editor, service: ServiceDep, path: EntityPath) -> Response:
    """Undo one change of this entity as a new change (method `revert`) by the signed-in staff member: what it
    added is removed and what it removed is added back. Reverting a retirement brings the entity back; reverting
    its creation removes it."""
    lang = get_lang(request)
    iri = _target(service, path)
    form = await read_form(request)
    given = form.get("change", [])
    if len(given) != 1 or not given[0].strip().isdigit() or not 1 <= int(given[0].strip()) <= 2**62:
        raise AppError(400, "The form needs one 'change' field: the number of a change.")
    change_id = int(given[0].strip())
    entry = service.history.entry(change_id)
    if entry is None or iri not in entry.entities:
        raise AppError(404, f"No change {change_id} in the history of <{iri}>.")

    def t(es: str, en: str) -> str:
        return es if lang == "es" else en

    try:
        commit = await run_in_threadpool(service.writer.revert, change_id, principal.name)
    except WriteRejected as exc:
        if exc.status == 404:
            raise AppError(404, f"No change {change_id} in the history.") from None
        if exc.status == 409:
            text = t(f"El cambio {change_id} ya se había deshecho.", f"Change {change_id} was already undone.")
            status = 409
        elif exc.report is not None:
            ctx = Context.of_service(service)
            findings = list(getattr(exc.report, "violations", []))
            kinds = {f.focus: k for f in findings if (k := kind_of_iri(ctx, f.focus)) is not None}
            reasons = " ".join(p.message(lang) for p in problems_from_findings(findings, kinds))
            text = t(
                f"No se deshizo el cambio {change_id}: el grafo dejaría de cumplir las formas SHACL. {reasons}",
                f"Change {change_id} was not undone: the graph would break the SHACL shapes. {reasons}",
            )
            status = 400
        else:
            text = t(f"No se deshizo el cambio {change_id}: ", f"Change {change_id} was not undone: ") + exc.message
            status = exc.status if exc.status in {400, 403} else 400
        view = history_view(request, service, iri, path, {"kind": "error", "text": text.strip()})
        return _page(request, view, status)
    target = _address(request, path)
    if commit.change_id is not None:
        target += f"?deshecho={commit.change_id}"
    return RedirectResponse(target, status_code=303)
