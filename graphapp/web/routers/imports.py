"""CSV import for staff, in the browser and for programs: upload, preview every error, then import all or nothing.

- ``GET /importar``: the upload form (a signed-in editor; a browser without a session is sent to ``/acceso``):
  the kind (every kind the importer declares, :data:`graphapp.writes.entities.KINDS_BY_PLURAL`), the file and an
  optional source IRI for the history.
- ``POST /importar`` (multipart, with the session's CSRF token): the file is kept on the server under a random id
  for half an hour (:mod:`graphapp.web.uploads`) and checked as a dry run; a browser goes (303) to its preview,
  a program asking for JSON gets the preview at once.
- ``GET /importar/<id>`` (and its JSON twin): the preview, a table with every row of the file, the entity it would
  make and every error of it, naming the row as the spreadsheet numbers it and the column as the file's header row
  writes it; references that name nothing or more than one entity come with the entities they may have meant.
  After the import, the same address shows what was written.
- ``POST /importar/<id>`` («Importar», with the CSRF token and the file's SHA-256 as the preview showed it): the
  kept file, and no other, imported in one change through the one write path (method ``import``, the staff member
  as actor), or nothing at all. A second click does not import it twice.
- ``POST /api/import/<kind>``: the same for programs and ``graphapp import`` while the service runs: the CSV as the
  request body, ``Authorization: Bearer <token>``, ``dry_run``, ``per_row``, ``source``; the report as JSON.

References may be IRIs, ``<tipo>/<slug>``, slugs or an entity's exact name, resolved as the forms resolve them
(:mod:`graphapp.web.csvimport`). Uploads are capped at :func:`upload_limit` bytes (413).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from ...config import Settings
from ...service import Service
from ...writes.entities import KINDS_BY_PLURAL, Kind
from ...writes.importer import Report, columns, read_table
from ..auth import CSRF_FIELD, FORM, Editor, Principal, write_error_responses
from ..csvimport import kind_named, preview_rows, run_import
from ..deps import ServiceDep
from ..errors import AppError, error_responses
from ..formfields import checked_source, read_form
from ..i18n import get_lang
from ..limits import body_limit
from ..links import local_href
from ..openapi import HTML
from ..params import ApiLang, PageFormat, page_language
from ..render import html_page, json_page, json_wanted, template_response
from ..uploads import Upload, Uploads
from ..urls import path_for
from .staff_api.shared import caller_lang


async def _close_form(request: Request) -> AsyncIterator[None]:
    """Close the uploaded file's spool once the request is answered, whoever parsed the form (the CSRF check
    does, before the route), and even when a dependency refused the request."""
    try:
        yield
    finally:
        await request.close()


router = APIRouter(tags=["Staff: CSV import"], dependencies=[Depends(_close_form), Depends(page_language)])

#: the largest CSV file taken (bytes); a body over the service's own limit is refused before it is read
MAX_UPLOAD_BYTES = 256 * 1024
MULTIPART = "multipart/form-data"
CSV = "text/csv"
JSON = "application/json"
NO_STORE = {"Cache-Control": "no-store"}


def upload_limit(settings: Settings) -> int:
    """The largest file taken: :data:`MAX_UPLOAD_BYTES`, or less when the service's body limit is lower."""
    return min(MAX_UPLOAD_BYTES, body_limit(settings) - 16_384)


def _t(lang: str, es: str, en: str) -> str:
    return es if lang == "es" else en


def _kinds(lang: str) -> list[dict[str, Any]]:
    """Every kind the importer takes, with its columns (the required ones marked)."""
    return [
        {
            "name": plural,
            "label": k.label_es if lang == "es" else k.label_en,
            "columns": [{"header": c.header, "required": c.required} for c in columns(k)],
        }
        for plural, k in KINDS_BY_PLURAL.items()
    ]


def _size(n: int, lang: str) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} {_t(lang, 'bytes', 'bytes')}"


def _upload_page(
    request: Request,
    principal: Principal,
    settings: Settings,
    *,
    error: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = get_lang(request)
    context = {
        "mode": "upload",
        "principal": principal,
        "kinds": _kinds(lang),
        "typed": typed or {},
        "error": error,
        "limit": _size(upload_limit(settings), lang),
        "action": str(path_for(request, "import_upload")),
    }
    return template_response(request, "import.html", context, status_code=status, headers=NO_STORE)


def _refuse(request: Request, principal: Principal, settings: Settings, wants_json: bool, status: int, es: str,
            en: str, typed: dict[str, str] | None = None) -> Response:  # fmt: skip
    """A refused upload: the form again with the reason (or the JSON error)."""
    lang = get_lang(request)
    if wants_json:
        return JSONResponse({"error": status, "message": _t(lang, es, en)}, status_code=status, headers=NO_STORE)
    return _upload_page(request, principal, settings, error=_t(lang, es, en), typed=typed, status=status)


def _too_large(settings: Settings, lang: str) -> tuple[str, str]:
    limit = upload_limit(settings)
    return (
        f"El archivo pasa del límite de {_size(limit, 'es')}: divídalo en varios.",
        f"The file is over the limit of {_size(limit, 'en')}: split it into several.",
    )


# ---------------------------------------------------------------- the upload form

_LOCATION = {"Location": {"required": True, "schema": {"type": "string"}}}
_SIGN_IN: dict[int | str, dict[str, Any]] = {
    303: {
        "description": "A browser without a session is sent to the sign-in page (`/acceso?next=…`).",
        "headers": _LOCATION,
    }
}
_E401 = "No credentials: sign in at /acceso (a browser asking for the page is sent there instead)."
_E403 = (
    "The session or token is not valid or lacks the role `edit`, or the form lacks the session's CSRF token "
    "(`csrf_token`)."
)
_UploadId = Annotated[
    str,
    PathParam(min_length=1, max_length=100, description="The id the upload was given (`POST /importar`): 30 minutes."),
]


@router.get(
    "/importar",
    name="import_page",
    summary="Form: import a CSV file (staff)",
    description="Choose a CSV file and the kind of entity each row is; the next step previews every row and "
    "error before anything is written. Staff only: sign in at `/acceso`.",
    response_class=HTMLResponse,
    responses={
        200: {"description": "The form, with the session's CSRF token.", "content": HTML},
        **_SIGN_IN,
        **error_responses(400, 401, 403, e401=_E401, e403=_E403),
    },
    openapi_extra={"security": [{"updateToken": []}]},
)
def import_page(request: Request, principal: Editor, service: ServiceDep) -> Response:
    return _upload_page(request, principal, service.settings)


_UPLOAD_BODY = {
    "required": True,
    "content": {
        MULTIPART: {
            "schema": {
                "type": "object",
                "required": ["kind", "file"],
                "properties": {
                    CSRF_FIELD: {"type": "string", "description": "The session's CSRF token."},
                    "kind": {
                        "type": "string",
                        "enum": list(KINDS_BY_PLURAL),
                        "description": "What each row is (as `graphapp import --kind`).",
                    },
                    "file": {"type": "string", "format": "binary", "description": "The CSV file."},
                    "source": {"type": "string", "description": "IRI of the document the rows come from."},
                },
            }
        }
    },
}


@router.post(
    "/importar",
    name="import_upload",
    status_code=303,
    summary="Upload a CSV file and preview its import (staff)",
    description="Keeps the file on the server for 30 minutes under a random id and checks every row as a dry run "
    "(nothing is written). A browser goes to the preview (`/importar/<id>`); with `format=json` or an Accept "
    "header that prefers JSON, the preview is the answer.",
    response_class=HTMLResponse,
    responses={
        200: {"description": "The preview as JSON (as `GET /importar/<id>?format=json`).", "content": {JSON: {}}},
        303: {"description": "The file is kept: the browser goes to its preview.", "headers": _LOCATION},
        400: {
            "description": "No file, no kind or an unknown one, a source that is not an http(s) IRI, or a body that "
            "is not `multipart/form-data`: the form again with the reason (or the JSON error).",
            "content": {**HTML, **error_responses(400)[400]["content"]},
        },
        **write_error_responses(413, e401=_E401, e403=_E403, e413="The file is over the upload limit."),
    },
    openapi_extra={"requestBody": _UPLOAD_BODY, "security": [{"updateToken": []}]},
)
async def import_upload(
    request: Request, principal: Editor, service: ServiceDep, format: PageFormat = None
) -> Response:
    settings = service.settings
    wants_json = json_wanted(request, format)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != MULTIPART:
        return _refuse(request, principal, settings, wants_json, 400, f"Envíe el formulario como {MULTIPART}.",
                       f"Send the form as {MULTIPART}.")  # fmt: skip
    limit = upload_limit(settings)
    try:
        form = await request.form(max_files=1, max_fields=20, max_part_size=limit + 1)
    except (HTTPException, ValueError):  # a malformed body, or a part over the limit
        return _refuse(request, principal, settings, wants_json, 400, "El formulario no se pudo leer.",
                       "The form could not be read.")  # fmt: skip
    kind_name = form.get("kind")
    source_text = form.get("source")
    typed = {
        "kind": kind_name if isinstance(kind_name, str) else "",
        "source": source_text if isinstance(source_text, str) else "",
    }
    kind = KINDS_BY_PLURAL.get(typed["kind"])
    if kind is None:
        return _refuse(request, principal, settings, wants_json, 400, "Elija qué es cada fila (el tipo).",
                       "Choose what each row is (the kind).", typed)  # fmt: skip
    file = form.get("file")
    if not isinstance(file, UploadFile) or not (file.filename or "").strip():
        return _refuse(request, principal, settings, wants_json, 400, "Elija un archivo CSV.", "Choose a CSV file.",
                       typed)  # fmt: skip
    data = await file.read(limit + 1)
    if len(data) > limit:
        es, en = _too_large(settings, get_lang(request))
        return _refuse(request, principal, settings, wants_json, 413, es, en, typed)
    source, problems = checked_source(typed["source"])
    if problems:
        return _refuse(request, principal, settings, wants_json, 400, problems[0].message("es"),
                       problems[0].message("en"), typed)  # fmt: skip
    uploads = Uploads.of_service(service)
    upload = await run_in_threadpool(uploads.put, principal.name, kind.plural, file.filename or "", source, data)
    target = str(path_for(request, "import_preview", upload_id=upload.id))
    if not wants_json:
        return RedirectResponse(target, status_code=303, headers=NO_STORE)
    view = await run_in_threadpool(_preview, request, service, upload, uploads, None)
    return JSONResponse(_preview_json(view), headers={**NO_STORE, "Location": target})


# ---------------------------------------------------------------- the preview, and the import


def _preview(
    request: Request, service: Service, upload: Upload, uploads: Uploads, report: Report | None
) -> dict[str, Any]:
    """What the preview shows: the upload, the dry run's report (or ``report``, an import's) and the table."""
    lang = get_lang(request)
    kind = KINDS_BY_PLURAL[upload.kind]
    data = uploads.data(upload)
    if report is None and upload.imported is None:
        report = run_import(
            service, kind, data, file=upload.filename, actor=upload.owner, source=upload.source, dry_run=True
        )
    table = read_table(data, kind)
    address = str(path_for(request, "import_preview", upload_id=upload.id))
    view: dict[str, Any] = {
        "upload": {
            "id": upload.id,
            "file": upload.filename,
            "kind": kind.plural,
            "kind_label": kind.label_es if lang == "es" else kind.label_en,
            "size": upload.size,
            "sha256": upload.sha256,
            "source": upload.source,
            "uploaded": _iso(upload.created),
            "expires": _iso(upload.expires),
            "preview": address,
        },
        "report": None,
        "table": [],
        "can_import": False,
        "imported": None,
    }
    if upload.imported is not None:
        done = upload.imported
        base = service.base_iri
        entities = []
        for row, iri in done["entities"]:
            href = local_href(iri, base)
            history = "/historial/" + href.removeprefix("/id/") if href and href.startswith("/id/") else None
            entities.append(
                {
                    "row": row,
                    "iri": iri,
                    "href": href,
                    "label": service.index.label_or_iri(iri, lang),
                    "history": history,
                }
            )
        view["imported"] = {"changes": done["changes"], "by": done["by"], "at": _iso(done["at"]), "entities": entities}
        return view
    assert report is not None  # noqa: S101 - made above when there is no import
    view["report"] = report.as_json(lang)
    view["table"] = preview_rows(service, kind, report, table, lang)
    view["header_errors"] = [e.as_json(lang) for e in report.sorted_errors() if e.row in (1, None)]
    view["can_import"] = report.ok and report.rows > 0 and report.dry_run
    if view["can_import"]:
        view["import"] = {
            "method": "POST",
            "url": address,
            "fields": {"sha256": upload.sha256},
            "media_type": FORM,
        }
    return view


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


def _preview_json(view: dict[str, Any]) -> dict[str, Any]:
    out = {k: view[k] for k in ("upload", "report", "table", "can_import", "imported")}
    if "import" in view:
        out["import"] = view["import"]
    if view.get("header_errors"):
        out["header_errors"] = view["header_errors"]
    return out


def _preview_page(
    request: Request, principal: Principal, view: dict[str, Any], status: int = 200, message: str = ""
) -> Response:
    context = {**view, "mode": "done" if view["imported"] else "preview", "principal": principal, "message": message}
    return html_page(request, "import.html", context, status_code=status, headers=NO_STORE)


def _upload_of(service: Service, principal: Principal, upload_id: str) -> tuple[Uploads, Upload]:
    uploads = Uploads.of_service(service)
    upload = uploads.get(upload_id, principal.name)
    if upload is None or upload.kind not in KINDS_BY_PLURAL:
        raise AppError(
            404,
            "No such upload: uploads are kept for 30 minutes, for the staff member who made them. Upload the file "
            "again at /importar.",
        )
    return uploads, upload


@router.get(
    "/importar/{upload_id}",
    name="import_preview",
    summary="The preview of a CSV import (HTML) or its JSON twin (staff)",
    description="Every row of the uploaded file: the entity it would make, or every error of it (the row as the "
    "spreadsheet numbers it, the header being row 1; the column as the file's header row writes it; suggestions "
    "for a reference that names nothing or more than one entity). Nothing is written. After the import, what was "
    "written.",
    response_class=HTMLResponse,
    responses={
        200: {"description": "The page (`text/html`) or its JSON twin (`application/json`).", "content": HTML},
        **_SIGN_IN,
        **error_responses(
            400, 401, 403, 404, e401=_E401, e403=_E403, e404="No such upload of this staff member, or it expired."
        ),
    },
    openapi_extra={"security": [{"updateToken": []}]},
)
def import_preview(
    request: Request, principal: Editor, service: ServiceDep, upload_id: _UploadId, format: PageFormat = None
) -> Response:
    uploads, upload = _upload_of(service, principal, upload_id)
    view = _preview(request, service, upload, uploads, None)
    if json_wanted(request, format):
        return json_page(request, _preview_json(view), headers=NO_STORE)
    return _preview_page(request, principal, view)


_IMPORT_BODY = {
    "required": True,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "required": ["sha256"],
                "properties": {
                    CSRF_FIELD: {"type": "string", "description": "The session's CSRF token."},
                    "sha256": {"type": "string", "description": "The SHA-256 of the file, as the preview gave it."},
                },
            }
        }
    },
}


@router.post(
    "/importar/{upload_id}",
    name="import_commit",
    status_code=303,
    summary="Import the previewed CSV file, all or nothing (staff)",
    description="Imports the kept file (the one whose SHA-256 the form carries) in one change through the one "
    "write path (method `import`, the staff member as actor, the upload's source in the history). If any row "
    "fails, nothing is written and the preview says why.",
    response_class=HTMLResponse,
    responses={
        201: {"description": "Imported (JSON): the entities and the change.", "content": {JSON: {}}},
        303: {
            "description": "Imported: the browser goes to the upload's page, which shows what was written.",
            "headers": _LOCATION,
        },  # fmt: skip
        400: {
            "description": "Nothing was written: a row failed (the preview with every error), or the form lacks "
            "the file's SHA-256.",
            "content": {**HTML, **error_responses(400)[400]["content"]},
        },
        409: {
            "description": "The SHA-256 is not the kept file's, or (JSON) the file was already imported.",
            "content": error_responses(400)[400]["content"],
        },
        **error_responses(404, e404="No such upload of this staff member, or it expired."),
        **write_error_responses(413, e401=_E401, e403=_E403),
    },
    openapi_extra={"requestBody": _IMPORT_BODY, "security": [{"updateToken": []}]},
)
async def import_commit(
    request: Request, principal: Editor, service: ServiceDep, upload_id: _UploadId, format: PageFormat = None
) -> Response:
    lang = get_lang(request)
    wants_json = json_wanted(request, format)
    form = await read_form(request)
    given = form.get("sha256", [])
    uploads, upload = _upload_of(service, principal, upload_id)
    if len(given) != 1 or not given[0].strip():
        raise AppError(400, "The form needs the file's 'sha256', as the preview gave it.")
    if not hmac.compare_digest(given[0].strip().lower(), upload.sha256):
        raise AppError(409, "This is not the file that was previewed (its SHA-256 differs): preview it again.")
    target = str(path_for(request, "import_preview", upload_id=upload.id))

    def work() -> tuple[Upload, Report | None]:
        with uploads.locked(upload) as current:
            if current.imported is not None:
                return current, None  # a second click: already imported
            kind = KINDS_BY_PLURAL[current.kind]
            report = run_import(
                service, kind, uploads.data(current), file=current.filename, actor=principal.name,
                source=current.source,
            )  # fmt: skip
            if report.ok and report.written:
                result = {
                    "changes": sorted(set(report.written.values())),
                    "entities": [[row, report.accepted[row]] for row in sorted(report.written)],
                    "by": principal.name,
                    "at": time.time(),
                }
                current = uploads.mark_imported(current, result)
            return current, report

    current, report = await run_in_threadpool(work)
    if report is None:
        if wants_json:
            done = current.imported or {}
            raise AppError(409, f"This file was already imported (change {', '.join(map(str, done['changes']))}).")
        return RedirectResponse(target, status_code=303, headers=NO_STORE)
    if current.imported is not None:
        if wants_json:
            view = await run_in_threadpool(_preview, request, service, current, uploads, None)
            return JSONResponse(_preview_json(view), status_code=201, headers={**NO_STORE, "Location": target})
        return RedirectResponse(target, status_code=303, headers=NO_STORE)
    # nothing was written: the preview, with what the import found
    view = await run_in_threadpool(_preview, request, service, current, uploads, report)
    if wants_json:
        nothing = _t(lang, "No se importó nada.", "Nothing was imported.")
        body = {"error": 400, "message": nothing, **_preview_json(view)}
        return JSONResponse(body, status_code=400, headers=NO_STORE)
    message = _t(
        lang,
        "No se importó nada: el archivo ya no pasa la revisión (¿cambió el grafo?). Corríjalo y vuelva a subirlo.",
        "Nothing was imported: the file no longer passes the check (did the graph change?). Fix it and upload it "
        "again.",
    )
    return _preview_page(request, principal, view, 400, message)


@router.options("/importar/{upload_id}", include_in_schema=False)
def import_preview_options() -> Response:
    """Both methods of an upload's address (two routes: Starlette's own 405 would name only the first)."""
    return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


@router.options("/importar", include_in_schema=False)
def import_page_options() -> Response:
    return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


# ---------------------------------------------------------------- for programs and `graphapp import`

_API_BODY = {
    "required": True,
    "content": {
        CSV: {"schema": {"type": "string", "description": "The CSV file, as `graphapp import` reads it."}},
    },
}
_ERROR = {"$ref": "#/components/schemas/Error"}
_REPORT = {
    "type": "object",
    "required": ["kind", "rows", "ok", "errors", "report"],
    "properties": {
        "kind": {"type": "string"},
        "file": {"type": "string"},
        "rows": {"type": "integer", "description": "Rows of data (the header row not counted)."},
        "ok": {"type": "boolean", "description": "No row was rejected."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": ["integer", "null"], "description": "As the spreadsheet numbers it (header: 1)."},
                    "column": {"type": ["string", "null"], "description": "As the file's header row writes it."},
                    "message": {"type": "string"},
                    "suggestions": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
        "changes": {"type": "array", "items": {"type": "integer"}, "description": "The changes written."},
        "report": {"type": "string", "description": "The report as `graphapp import` prints it."},
    },
}
KindName = Annotated[
    str,
    PathParam(
        max_length=40,
        description="What each row is: " + ", ".join(f"`{p}`" for p in KINDS_BY_PLURAL) + " (or the API's "
        "singular name, `practice`).",
        json_schema_extra={"enum": list(KINDS_BY_PLURAL)},
    ),
]


@router.post(
    "/api/import/{kind}",
    name="import_api",
    summary="Import a CSV file (staff; all or nothing, or a dry run)",
    description="The CSV file is the request body (UTF-8 or latin-1; `;`, `,` or tab; the columns of "
    "`GET /api/entities`). Every row is checked as `POST /api/entities/{kind}` checks a body, then written in one "
    "change (method `import`, the token's staff member as actor), or nothing if any row fails; `per_row` writes the "
    "good rows one by one, `dry_run` writes nothing. References may be given by an entity's exact name. "
    "`graphapp import` sends files here while the service runs.",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "Every row passed (and was written, unless `dry_run`): the report.",
            "content": {JSON: {"schema": _REPORT}},
        },  # fmt: skip
        400: {
            "description": "Rows were rejected (the report, with `error` and `message`; nothing was written unless "
            "`per_row`), or a `source` that is not an http(s) IRI.",
            "content": {JSON: {"schema": {"anyOf": [_ERROR, _REPORT]}}},
        },
        **error_responses(404, media=(JSON,), e404="No such kind."),
        **write_error_responses(413, media=(JSON,), e401=_E401, e403=_E403, e413="The file is over the limit."),
    },
    openapi_extra={"requestBody": _API_BODY, "security": [{"updateToken": []}]},
)
async def import_api(
    request: Request,
    kind: KindName,
    principal: Editor,
    service: ServiceDep,
    dry_run: Annotated[bool, Query(description="Check and report every row, write nothing.")] = False,
    per_row: Annotated[bool, Query(description="Write the good rows one by one (default: all or nothing).")] = False,
    source: Annotated[
        str | None, Query(max_length=2000, description="IRI of the document the rows come from (history).")
    ] = None,
    filename: Annotated[str | None, Query(max_length=200, description="The file's name, for the report.")] = None,
    lang: ApiLang = None,
) -> Response:
    language = caller_lang(request, lang)
    k: Kind | None = kind_named(kind)
    if k is None:
        raise AppError(404, f"No kind {kind!r}: one of {', '.join(KINDS_BY_PLURAL)}.")
    limit = upload_limit(service.settings)
    data = await request.body()
    if len(data) > limit:
        es, en = _too_large(service.settings, language)
        raise AppError(413, _t(language, es, en))
    checked, problems = checked_source(source or "")
    if problems:
        raise AppError(400, problems[0].message(language))
    report = await run_in_threadpool(
        run_import, service, k, data, file=filename or "datos.csv", actor=principal.name, source=checked,
        dry_run=dry_run, per_row=per_row,
    )  # fmt: skip
    body = report.as_json(language)
    if report.ok:
        return JSONResponse(body)
    message = _t(language, "Hay filas rechazadas", "Some rows were rejected")
    message += _t(language, "; no se escribió nada.", "; nothing was written.") if not report.written else "."
    return JSONResponse({"error": 400, "message": message, **body}, status_code=400)
