"""Signing in and out for the forms: ``GET|POST /acceso`` (paste a staff token, get a session cookie) and
``POST /salir``; and ``GET /api/staff``, the staff accounts for administrators (never a token or its hash).

API clients never sign in: they send ``Authorization: Bearer <token>`` with each write.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..auth import CSRF_FIELD, CSRF_HEADER, FORM, Admin, access_for, csrf_token
from ..errors import AppError, error_responses
from ..openapi import HTML
from ..params import page_language
from ..render import template_response
from ..urls import path_for

router = APIRouter(tags=["Staff access"])

_LOCATION = {"Location": {"required": True, "schema": {"type": "string"}}}
_NEXT = Annotated[
    str | None,
    Query(description="Where to go after signing in: a path of this site (anything else goes to the home page)."),
]
_FORM_BODY = {
    "required": True,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "required": ["token"],
                "properties": {
                    "token": {"type": "string", "description": "A staff token (`graphapp staff add`)."},
                    "next": {"type": "string", "description": "A path of this site to go back to."},
                },
            }
        }
    },
}
_LOGOUT_BODY = {
    "required": False,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "properties": {CSRF_FIELD: {"type": "string", "description": "The session's CSRF token."}},
            }
        }
    },
}


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path of this site (``/vistas?x=1``), else None: never another host.

    >>> local_path("/vistas?lang=en"), local_path("//evil.example/"), local_path("https://evil.example/")
    ('/vistas?lang=en', None, None)
    >>> local_path("/\\\\evil.example"), local_path("/a\\nb")
    (None, None)
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target


async def _form(request: Request) -> dict[str, list[str]]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media != FORM:
        if not media and not body:
            return {}
        raise AppError(400, f"Send the form as {FORM}.")
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise AppError(400, "The form body is not valid UTF-8.") from None


def _one(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name, [])
    if len(values) > 1:
        raise AppError(400, f"Send exactly one '{name}' field, not {len(values)}.")
    return values[0] if values else None


def _page(request: Request, next_path: str | None, error: str = "", status: int = 200) -> HTMLResponse:
    access = access_for(request)
    session = access.session(request)
    principal = None
    if session is not None:
        try:
            principal = access.session_principal(session)
        except AppError:
            principal = None
    return template_response(
        request,
        "access.html",
        {"principal": principal, "next": next_path or "", "error": error, "session_csrf": csrf_token(request)},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/acceso",
    name="access_page",
    summary="Sign-in page for staff (forms)",
    response_class=HTMLResponse,
    dependencies=[Depends(page_language)],
    responses={200: {"description": "The sign-in page, or who is signed in.", "content": HTML}, **error_responses(400)},
)
def access_page(request: Request, next: _NEXT = None) -> HTMLResponse:
    """Paste a staff token to sign in; the forms that change the graph then work in this browser."""
    return _page(request, local_path(next))


@router.post(
    "/acceso",
    name="access_login",
    summary="Sign in with a staff token (sets the session cookie)",
    response_class=HTMLResponse,
    dependencies=[Depends(page_language)],
    responses={
        303: {
            "description": "Signed in: the session cookie (HttpOnly, SameSite=Strict) is set and the browser goes "
            "to `next`, or to the home page.",
            "headers": _LOCATION,
        },
        **error_responses(400, 413, 429, e429="Too many sign-in attempts from this address; try again later."),
        **error_responses(403, media=("text/html",), e403="The token is not valid: the page again, with the reason."),
    },
    openapi_extra={"requestBody": _FORM_BODY},
)
async def access_login(request: Request) -> Response:
    form = await _form(request)
    token = _one(form, "token")
    next_path = local_path(_one(form, "next"))
    if token is None:
        raise AppError(400, "The form has no 'token' field.")
    access = access_for(request)
    access.hit("login:" + (request.client.host if request.client else "unknown"))
    try:
        principal, proof = await run_in_threadpool(access.authenticate, token.strip())
    except AppError as exc:
        return _page(request, next_path, exc.message, status=exc.status)
    response = RedirectResponse(next_path or str(path_for(request, "home")), status_code=303)
    access.set_cookie(response, access.open_session(principal, proof))
    return response


@router.options("/acceso", include_in_schema=False)
def access_options() -> Response:
    """Both methods of /acceso (two routes: Starlette's own 405 would name only the first)."""
    return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


@router.post(
    "/salir",
    name="access_logout",
    summary="Sign out (ends the session cookie)",
    response_class=HTMLResponse,
    responses={
        303: {
            "description": "Signed out: the cookie is removed; the browser goes to the sign-in page.",
            "headers": _LOCATION,
        },
        **error_responses(400, 403, 413, e403="The session's CSRF token is missing or wrong (the session goes on)."),
    },
    openapi_extra={"requestBody": _LOGOUT_BODY},
)
async def access_logout(request: Request) -> Response:
    access = access_for(request)
    session = access.session(request)
    if session is not None:
        form = await _form(request)
        given = request.headers.get(CSRF_HEADER) or _one(form, CSRF_FIELD) or ""
        if not given or not hmac.compare_digest(given, access.csrf(session)):
            raise AppError(403, f"Signing out needs the form's '{CSRF_FIELD}' field.")
        access.end_session(session)  # on the server too: a copy of the cookie no longer works
    response = RedirectResponse(str(path_for(request, "access_page")), status_code=303)
    access.clear_cookie(response)
    return response


@router.get(
    "/api/staff",
    name="api_staff",
    summary="Staff accounts (administrators only)",
    response_class=JSONResponse,
    responses={
        200: {"description": "Every staff account: name, display name, roles, token id (not secret), dates, disabled."},
        **error_responses(
            401,
            403,
            media=("application/json",),
            e401="No credentials: neither a bearer token nor a session cookie.",
            e403="The token or session is not valid, or it lacks the role 'admin'.",
        ),
    },
    openapi_extra={"security": [{"updateToken": []}]},
)
def api_staff(request: Request, principal: Admin) -> dict[str, Any]:
    access = access_for(request)
    return {
        "staff": [member.public() for member in access.staff.members()],
        "update_token": bool(access.settings.update_token),
    }
