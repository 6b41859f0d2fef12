"""Interactive graph views, each at its own address, each with a JSON twin (``?format=json`` or
``Accept: application/json``).

The networks are built by :mod:`graphapp.graphviews`; pages render them through our templates and
``static/graph.js`` (vis-network served from the pyvis package), never through pyvis's own HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from ... import graphviews
from ...graphviews import DEFAULT_LIMIT, Ctx
from ...iris import InvalidIri, checked_iri
from ..deps import ServiceDep, TemplatesDep
from ..errors import AppError, error_responses, json_wanted
from ..i18n import get_lang
from ..openapi import page_or_json
from ..params import PageFormat, page_language
from ..render import html_page, json_page
from ..urls import path_for

router = APIRouter(tags=["Graph views"], dependencies=[Depends(page_language)])
#: a view: its page or JSON twin; a bad parameter (such as an unknown class) is a 400, an unknown entity a 404
VIEW_RESPONSES = {**page_or_json(), **error_responses(400, 404)}

#: (route name, title es, title en, sentence es, sentence en), in the order of the index page
VIEWS = [
    (
        "view_overview",
        "Vista general",
        "Overview",
        "Todo el grafo de un vistazo, coloreado por clase; filtre por clase y vea en una tabla lo que no se dibuja.",
        "The whole graph at a glance, coloured by class; filter by class and find what is not drawn in a table.",
    ),
    (
        "view_timeline",
        "Historia",
        "History",
        "Los hitos del acceso a la información y del gobierno abierto, de 1766 a hoy, y los cuatro planes de acción "
        "nacionales de México.",
        "The milestones of access to information and open government, from 1766 to today, and Mexico's four "
        "national action plans.",
    ),
    (
        "view_stl",
        "Secretariado Técnico Local",
        "Local Technical Secretariat",
        "Quién se sienta en el STL, por qué sector y con qué rol.",
        "Who sits in the STL, for which sector and in which role.",
    ),
    (
        "view_problem_tree",
        "Árbol de problemas",
        "Problem tree",
        "Los efectos, el problema central y las causas que atiende un compromiso, con sus acciones clave y "
        "actividades.",
        "The effects, central problem and causes a commitment addresses, with its key actions and activities.",
    ),
    (
        "view_sdg",
        "Objetivos de Desarrollo Sostenible",
        "Sustainable Development Goals",
        "Los 17 objetivos, sus metas y lo que contribuye a cada uno.",
        "The 17 goals, their targets and what contributes to each.",
    ),
    (
        "view_municipalities",
        "Municipios del Estado de México",
        "Municipalities of the State of Mexico",
        "Los 125 municipios coloreados por su índice de gobierno abierto en la Métrica 2017.",
        "The 125 municipalities coloured by their open-government index in the 2017 Metric.",
    ),
    (
        "view_neighbourhood",
        "Vecindario de una entidad",
        "Neighbourhood of an entity",
        "Todo lo que está a uno, dos o tres enlaces de cualquier entidad.",
        "Everything one, two or three links away from any entity.",
    ),
]
STL_EXAMPLE = "stl/estado-de-mexico"
COMMITMENT_EXAMPLE = "compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto"


def view_context(request: Request, service: ServiceDep) -> Ctx:
    """What a view needs: the service and the reader's language."""
    return Ctx(service, get_lang(request))


ViewCtx = Annotated[Ctx, Depends(view_context)]


def _render(
    request: Request,
    ctx: Ctx,
    templates: Jinja2Templates,
    template: str,
    build: Callable[[Ctx], dict[str, Any]],
    format: str | None,
) -> Response:
    """Build a view for the reader's language and answer in JSON or HTML; input errors become 400/404."""
    as_json = json_wanted(request, format)
    try:
        view = build(ctx)
    except LookupError as exc:
        raise AppError(404, str(exc.args[0] if exc.args else exc)) from None
    except ValueError as exc:
        raise AppError(400, str(exc)) from None
    if as_json:
        return json_page(request, view)
    graph = {k: view[k] for k in ("nodes", "edges", "options")}
    return html_page(request, template, {"view": view, "graph_data": graph, "graph_page": True})


def _entity_iri(ctx: Ctx, path: str) -> str:
    """The entity a view's path names; a path that cannot be an IRI names no entity (404)."""
    iri = ctx.service.store.base_iri + "id/" + path.strip("/")
    try:
        return checked_iri(iri)
    except InvalidIri as exc:
        raise AppError(404, exc.message(ctx.lang)) from None


@router.get(
    "/vistas",
    name="views_index",
    summary="The graph views, with a sentence on each",
    responses={**page_or_json(), **error_responses(400)},
)
def views_index(
    request: Request,
    service: ServiceDep,
    templates: TemplatesDep,
    format: PageFormat = None,
) -> Response:
    lang = get_lang(request)
    commitments = sorted(
        (i for i, types in service.index.types.items() if graphviews.GA + "Commitment" in types),
        key=lambda i: service.index.label_or_iri(i, lang),
    )
    base = service.store.base_iri + "id/"
    items = []
    for name, title_es, title_en, text_es, text_en in VIEWS:
        if name == "view_problem_tree":
            examples = [
                {"label": service.index.label_or_iri(c, lang), "path": c[len(base) :]}
                for c in commitments
                if c.startswith(base)
            ]
            href = str(path_for(request, name, path=examples[0]["path"])) if examples else None
        elif name == "view_neighbourhood":
            examples = [{"label": service.index.label_or_iri(base + STL_EXAMPLE, lang), "path": STL_EXAMPLE}]
            href = str(path_for(request, name, path=STL_EXAMPLE))
        else:
            examples, href = [], str(path_for(request, name))
        items.append(
            {
                "name": name,
                "title": title_es if lang == "es" else title_en,
                "text": text_es if lang == "es" else text_en,
                "href": href,
                "examples": [{**e, "href": str(path_for(request, name, path=e["path"]))} for e in examples],
            }
        )
    if json_wanted(request, format):
        return json_page(request, {"views": items})
    # a small neighbourhood drawn from the view's JSON twin, as the entity pages do
    preview = base + STL_EXAMPLE
    context = {
        "views": items,
        "graph_page": True,
        "preview_url": str(path_for(request, "view_neighbourhood", path=STL_EXAMPLE)) + "?format=json&depth=1"
        if service.store.contains(preview)
        else None,
        "preview_label": service.index.label_or_iri(preview, lang),
    }
    return html_page(request, "views_index.html", context)


@router.get(
    "/vistas/general",
    name="view_overview",
    summary="The whole graph, coloured by class (filterable)",
    responses=VIEW_RESPONSES,
)
def view_overview(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    classes: Annotated[
        list[str] | None, Query(alias="class", description="Only entities of these classes (ga:Municipality…)")
    ] = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=1000, description="Most nodes drawn (best-connected first)"),
    page: int = Query(1, ge=1, description="Page of the table of entities not drawn"),
    format: PageFormat = None,
) -> Response:
    classes = [c for c in classes or [] if c.strip()]  # an empty class= (a form left blank) selects nothing
    return _render(
        request,
        ctx,
        templates,
        "views_overview.html",
        lambda ctx: graphviews.overview(ctx, classes, limit, page),
        format,
    )


@router.get(
    "/vistas/vecindario/{path:path}",
    name="view_neighbourhood",
    summary="What surrounds an entity, 1 to 3 links away",
    responses=VIEW_RESPONSES,
)
def view_neighbourhood(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    path: Annotated[str, PathParam(description="The entity's path under `/id/`", examples=[STL_EXAMPLE])],
    depth: int = Query(1, ge=1, le=3, description="How many links away (1 to 3)"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=1000, description="Most nodes drawn (nearest first)"),
    page: int = Query(1, ge=1, description="Page of the table of entities not drawn"),
    format: PageFormat = None,
) -> Response:
    iri = _entity_iri(ctx, path)
    return _render(
        request,
        ctx,
        templates,
        "views_neighbourhood.html",
        lambda ctx: graphviews.neighbourhood(ctx, iri, depth, limit, page),
        format,
    )


@router.get(
    "/vistas/arbol-de-problemas/{path:path}",
    name="view_problem_tree",
    summary="A commitment's problem tree: effects, central problem, causes; key actions and activities",
    responses=VIEW_RESPONSES,
)
def view_problem_tree(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    path: Annotated[str, PathParam(description="The commitment's path under `/id/`", examples=[COMMITMENT_EXAMPLE])],
    format: PageFormat = None,
) -> Response:
    iri = _entity_iri(ctx, path)
    return _render(
        request, ctx, templates, "views_problem_tree.html", lambda ctx: graphviews.problem_tree(ctx, iri), format
    )


@router.get(
    "/vistas/stl",
    name="view_stl",
    summary="The Local Technical Secretariats: sectors, seats and members",
    responses=VIEW_RESPONSES,
)
def view_stl(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    format: PageFormat = None,
) -> Response:
    return _render(request, ctx, templates, "views_stl.html", graphviews.stl, format)


@router.get(
    "/vistas/historia",
    name="view_timeline",
    summary="Milestones and national action plans on a timeline",
    responses=VIEW_RESPONSES,
)
def view_timeline(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    format: PageFormat = None,
) -> Response:
    return _render(request, ctx, templates, "views_timeline.html", graphviews.timeline, format)


@router.get(
    "/vistas/ods",
    name="view_sdg",
    summary="SDG goals, targets and what contributes to them",
    responses=VIEW_RESPONSES,
)
def view_sdg(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    format: PageFormat = None,
) -> Response:
    return _render(request, ctx, templates, "views_sdg.html", graphviews.sdg, format)


@router.get(
    "/vistas/municipios",
    name="view_municipalities",
    summary="State of Mexico municipalities coloured by their 2017 open-government index",
    responses=VIEW_RESPONSES,
)
def view_municipalities(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    format: PageFormat = None,
) -> Response:
    return _render(request, ctx, templates, "views_municipalities.html", graphviews.municipalities, format)
