"""Local pages for the external resources the graph describes: the UN's SDG goals, targets and indicators
(``/ods/<code>``; the 17 goals at ``/ods``; an indicator's dotted code, ``/ods/16.10.1``, redirects to its page) and
any other resource with a label in the graph (``/recurso?iri=…``, e.g. a term of a reused vocabulary). A visitor
offline or in a closed network reads what the graph says about them without leaving the site; the page shows the
resource's own IRI as its identity, linked once.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ...sdg import GOAL_CLASS, INDICATOR_CODE, SDG
from ...service import Service
from ..deps import ServiceDep, TemplatesDep
from ..errors import AppError, error_responses
from ..i18n import get_lang
from ..links import local_href
from ..openapi import HTML, RDF, page_or_json
from ..params import PageFormat, RdfFormat, page_language
from ..render import check_rdf_format, render_page
from ..urls import app_path
from .pages import resource_page, split_suffix

router = APIRouter(tags=["Pages"], dependencies=[Depends(page_language)])

_RESPONSES = {
    200: {"description": "The resource's page or its RDF description.", "content": {**HTML, **RDF}},
    **error_responses(400, 404, 406, e404="The graph says nothing about this resource."),
}
_SDG_RESPONSES = {
    **_RESPONSES,
    301: {"description": "An indicator named by its dotted code (`16.10.1`): its page under the UN's permanent code."},
}


def _page(
    request: Request, service: Service, templates: Jinja2Templates, iri: str, path: str, format: str | None
) -> Response:
    extra = {"path": path, "external": True, "sdg": iri.startswith(SDG)}
    return resource_page(request, service, templates, iri, format, near=iri.rsplit("/", 1)[-1], extra=extra)


def _goal_names(service: Service) -> dict[str, dict[str, str]]:
    """Each goal's short names by language (``skos:altLabel``: the UN's in English, the presentation's for the three
    goals it cites in Spanish), read once per graph version."""

    def read() -> dict[str, dict[str, str]]:
        names: dict[str, dict[str, str]] = {}
        for row in service.select_terms("sdg-goal-names"):
            name = row["name"]
            if isinstance(name, ox.Literal) and name.language:
                names.setdefault(row["goal"].value, {})[name.language] = name.value
        return names

    return service.cached("sdg-goal-names", read)


def _short_name(names: dict[str, dict[str, str]], iri: str, lang: str) -> str | None:
    """A goal's short name in ``lang``, else in the other language; ``None`` when the graph has none."""
    found = names.get(iri, {})
    return found.get(lang) or found.get("en" if lang == "es" else "es")


@router.get(
    "/ods",
    name="sdg_index",
    summary="The UN's 17 Sustainable Development Goals, each linked to its page",
    responses={**page_or_json(), **error_responses(400)},
)
def sdg_index(request: Request, service: ServiceDep, format: PageFormat = None) -> Response:
    """The goals the graph holds (``sdgo:Goal``), in the UN's order: number, short name, statement, page."""
    lang = get_lang(request)
    index = service.index
    names = _goal_names(service)
    goals = sorted(
        (iri for iri, types in index.types.items() if GOAL_CLASS in types and iri.startswith(SDG)),
        key=lambda iri: (len(iri), iri),  # "…/sdg/2" before "…/sdg/10"
    )
    rows = [
        {
            "code": iri[len(SDG) :],
            "iri": iri,
            "href": local_href(iri, service.base_iri),
            "name": _short_name(names, iri, lang),
            "label": index.label_or_iri(iri, lang),
        }
        for iri in goals
    ]
    return render_page(request, "sdg_index.html", {"goals": rows}, {"goals": rows}, format=format)


@router.get(
    "/ods/{code}",
    name="sdg_page",
    summary="An SDG goal, target or indicator of the UN, as the graph describes it",
    response_class=HTMLResponse,
    responses=_SDG_RESPONSES,
)
def sdg_page(
    request: Request,
    service: ServiceDep,
    templates: TemplatesDep,
    code: Annotated[
        str,
        PathParam(
            description="The UN code (`16`, `16.10`, an indicator `C161001`, or `16.10.1`, which redirects there), "
            "optionally with a suffix (`.ttl`…)",
            examples=["16", "16.10.ttl"],
        ),
    ],
    format: RdfFormat = None,
) -> Response:
    bare, format = split_suffix(code, format)
    suffix, code = code[len(bare) :], bare
    if INDICATOR_CODE.fullmatch(code) and not service.contains(SDG + code):
        # an indicator as people write it (16.10.1): its page is under the UN's permanent code (C161001)
        found = service.index.by_code("indicator", code)
        if found is not None and found.startswith(SDG):
            query = request.url.query
            target = f"/ods/{quote(found[len(SDG) :], safe='')}{suffix}" + (f"?{query}" if query else "")
            return RedirectResponse(str(app_path(request, target)), status_code=301)
    return _page(request, service, templates, SDG + code, f"/ods/{code}", format)


@router.get(
    "/recurso",
    name="external_resource",
    summary="Any other external resource the graph describes (e.g. a term of a reused vocabulary)",
    response_class=HTMLResponse,
    responses=_RESPONSES,
)
def external_resource(
    request: Request,
    service: ServiceDep,
    templates: TemplatesDep,
    iri: str = Query(
        ...,
        description="The resource's IRI (http or https)",
        examples=["http://purl.org/dc/terms/subject"],
        pattern=r"^https?://[^\s<>\"{}|\\^`]+$",
    ),
    format: RdfFormat = None,
) -> Response:
    if not iri.startswith(("http://", "https://")) or any(c in iri for c in ' <>"{}|\\^`'):
        raise AppError(400, f"Not an http(s) IRI: {iri!r}.")
    if format not in (None, "html", "json"):
        check_rdf_format(format)
    return _page(request, service, templates, iri, "/recurso?iri=" + quote(iri, safe=""), format)
