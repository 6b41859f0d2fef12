"""Releases: a version of the graph frozen with a name (``graphapp release``, or staff with the role ``admin`` from
``/releases``), kept forever, with its dumps, its DCAT record, what changed since the release before it, and how
to cite it (plain text, BibTeX, CSL-JSON). See ``docs/versions.md``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...describe import DESCRIPTION_PREFIXES, release_description
from ...service import Service
from ...versions import CHANGE_KINDS, RELEASE_NAME, ReleaseError, VersionError
from ...writes.history import Release
from ..auth import CSRF_FIELD, Admin, csrf_token, session_with, write_error_responses
from ..citing import citation_response, release_citation
from ..deps import ServiceDep
from ..errors import AppError, error_responses
from ..formfields import read_form
from ..i18n import get_lang
from ..links import site_href
from ..openapi import CITATION, HTML, RDF, body
from ..params import CitationFormat, GraphPageFormat, PageFormat, page_language
from ..render import html_page, json_page, preferred, rdf_page, representation
from ..versioning import VERSION_HEADER

router = APIRouter(tags=["Dataset"])

ReleaseName = Annotated[
    str,
    PathParam(
        description="The release's name (e.g. `2026.1`): letters, digits, `.`, `_`, `-`; another is a 404.",
    ),
]
DUMP_MEDIA = {"nq": "application/n-quads", "ttl": "text/turtle"}
JSON = {"application/json": body("application/json")}


def _release(service: Service, name: str) -> Release:
    release = service.versions.release(name) if RELEASE_NAME.fullmatch(name) else None
    if release is None:
        raise AppError(404, f"There is no release {name!r}; the releases are listed at /releases.")
    return release


def _summary(release: Release) -> dict[str, Any]:
    return {
        "name": release.name,
        "version": release.version,
        "issued": release.issued,
        "previous": release.previous,
        "note": release.note,
        "triples": release.triples,
        "href": f"/releases/{release.name}",
    }


def _list_page(
    request: Request, service: Service, message: dict[str, str] | None = None, status: int = 200
) -> Response:
    releases = list(reversed(service.versions.releases()))
    admin = session_with(request, "admin")
    context = {
        "releases": [_summary(r) for r in releases],
        "current": service.version,
        "admin": admin is not None,
        "csrf": csrf_token(request) if admin is not None else "",
        "csrf_field": CSRF_FIELD,
        "message": message,
    }
    headers = {"Cache-Control": "private, no-store"} if admin is not None else None
    return html_page(request, "releases.html", context, status_code=status, headers=headers)


@router.get(
    "/releases",
    name="releases",
    summary="The releases of the graph",
    response_class=HTMLResponse,
    dependencies=[Depends(page_language)],
    responses={
        200: {"description": "A page; its JSON twin with format=json.", "content": {**HTML, **JSON}},
        **error_responses(400),
    },
)
def releases(request: Request, service: ServiceDep, format: PageFormat = None) -> Response:
    """Every release, newest first: its name, graph version, date and size."""
    if representation(request, format).kind == "json":
        return json_page(
            request,
            {
                "current_version": service.version,
                "releases": [_summary(r) for r in reversed(service.versions.releases())],
            },
        )
    return _list_page(request, service)


@router.options("/releases", include_in_schema=False)
def releases_options() -> Response:
    """Both methods of the releases page (two routes: Starlette's own 405 would name only the first)."""
    return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


_RELEASE_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "description": "The release's name, e.g. 2026.1.", "maxLength": 64},
                    "note": {"type": "string", "description": "What the release is for (optional).", "maxLength": 500},
                    CSRF_FIELD: {"type": "string", "description": "The session's CSRF token (a browser form)."},
                },
            }
        }
    },
}


@router.post(
    "/releases",
    name="release_create",
    status_code=201,
    summary="Freeze the current version as a release (staff with the role admin)",
    responses={
        201: {
            "description": "Made: the release (JSON), at the address in Location.",
            "content": JSON,
            "headers": {"Location": {"required": True, "schema": {"type": "string"}}},
        },
        303: {
            "description": "Made, from the browser's form: the browser goes to the release's page.",
            "headers": {"Location": {"required": True, "schema": {"type": "string"}}},
        },
        **error_responses(400, 409, e400="Not a release name.", e409="A release with that name exists."),
        **write_error_responses(
            413,
            e401="No credentials: a bearer token, or sign in at /acceso.",
            e403="The token or session is not valid or lacks the role `admin`, or the form lacks its CSRF token.",
        ),
    },
    openapi_extra={"requestBody": _RELEASE_BODY, "security": [{"updateToken": []}]},
)
async def release_create(request: Request, principal: Admin, service: ServiceDep) -> Response:
    """Freeze the graph's current version as a release named `name`: its quads are kept forever (with the
    history, so a backup keeps them), with dumps in N-Quads and Turtle, a DCAT record and a citation."""
    form = await read_form(request)
    names, notes = form.get("name", []), form.get("note", [])
    browser = preferred(request, "application/json", "text/html") == "text/html"
    if len(names) != 1 or len(notes) > 1:
        raise AppError(400, "The form needs one 'name' field (and at most one 'note').")
    note = notes[0].strip()[:500] if notes else ""
    try:
        release = await run_in_threadpool(service.make_release, names[0].strip(), principal.name, note)
    except ReleaseError as exc:
        if browser:
            return _list_page(request, service, {"kind": "error", "text": exc.message}, exc.status)
        raise AppError(exc.status, exc.message) from None
    location = f"/releases/{release.name}"
    if browser:
        return RedirectResponse(location, status_code=303)
    return json_page(request, _summary(release), status_code=201, headers={"Location": location})


@router.get(
    "/releases/{name}",
    name="release",
    summary="A release: its record, what changed since the one before, how to cite it",
    response_class=HTMLResponse,
    dependencies=[Depends(page_language)],
    responses={
        200: {
            "description": "A page; its JSON twin with format=json; its DCAT record in RDF by Accept or format.",
            "content": {**HTML, **JSON, **RDF},
        },
        **error_responses(400, 404, 406, e404="No such release."),
    },
)
def release(request: Request, service: ServiceDep, name: ReleaseName, format: GraphPageFormat = None) -> Response:
    """A release's page: its graph version, date, the release before it, statements per graph, the entities
    added, corrected, retired and removed since the release before it, its dumps and its citation."""
    found = _release(service, name)
    headers = {VERSION_HEADER: str(found.version)}
    chosen = representation(request, format, json=True, rdf=True)
    if chosen.rdf is not None:
        triples = release_description(service.settings.site_url, found)
        return rdf_page(request, chosen.rdf, triples, DESCRIPTION_PREFIXES, headers=headers)
    lang = get_lang(request)
    changes = service.versions.changes_in(found)
    citation = release_citation(service, found, lang)
    if chosen.kind == "json":
        data = {
            **_summary(found),
            "counts": found.counts,
            "changes": changes,
            "citation": {"text": citation.plain(lang), "bibtex": citation.bibtex(), "csl": citation.csl()},
        }
        return json_page(request, data, headers=headers)
    index = service.index
    listed = {
        kind: [
            {"iri": iri, "href": site_href(iri, service.base_iri, index.labels), "label": index.label_or_iri(iri, lang)}
            for iri in changes[kind]
        ]
        for kind in CHANGE_KINDS
    }
    context = {
        "release": _summary(found),
        "counts": found.counts,
        "changes": listed,
        "citation": citation,
        "lang": lang,
    }
    return html_page(request, "release.html", context, headers=headers)


@router.get(
    "/releases/{name}/dump.{fmt}",
    name="release_dump",
    summary="Download a release",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The release's graph, as a file to download.",
            "content": {media: body(media) for media in DUMP_MEDIA.values()},
        },
        **error_responses(404, e404="No such release, or no dump in that format."),
    },
)
async def release_dump(
    service: ServiceDep,
    name: ReleaseName,
    fmt: Annotated[
        str,
        PathParam(
            description="`nq` (N-Quads, with the named graphs) or `ttl` (Turtle, merged).",
            json_schema_extra={"enum": list(DUMP_MEDIA)},
        ),
    ],
) -> Response:
    """The release's graph exactly as it was frozen: N-Quads (with the named graphs) or Turtle (merged)."""
    found = _release(service, name)
    if fmt not in DUMP_MEDIA:
        raise AppError(404, f"No dump in format {fmt!r}; available: {', '.join(DUMP_MEDIA)}.")
    try:
        path = await run_in_threadpool(
            service.versions.release_file if fmt == "nq" else service.versions.turtle_file, name
        )
    except VersionError as exc:
        raise AppError(exc.status, exc.message) from None
    return FileResponse(
        path,
        media_type=DUMP_MEDIA[fmt],
        filename=f"gobierno-abierto-kg-{found.name}.{fmt}",
        # a release never changes: a strong ETag
        headers={
            "Access-Control-Allow-Origin": "*",
            VERSION_HEADER: str(found.version),
            "ETag": f'"release-{found.name}-{fmt}"',
        },
    )


@router.get(
    "/releases/{name}/cita.{fmt}",
    name="release_citation",
    summary="How to cite a release",
    responses={
        200: {
            "description": "The citation: plain text, BibTeX or CSL-JSON.",
            "content": CITATION,
        },
        **error_responses(404, e404="No such release, or no citation in that format."),
    },
    dependencies=[Depends(page_language)],
)
def release_cite(
    request: Request,
    service: ServiceDep,
    name: ReleaseName,
    fmt: CitationFormat,
) -> Response:
    """The release's citation in plain text, BibTeX or CSL-JSON."""
    found = _release(service, name)
    lang = get_lang(request)
    return citation_response(release_citation(service, found, lang), fmt, lang)
