"""Interactive graph views, each at its own address, each with a JSON twin (``?format=json`` or
``Accept: application/json``).

The networks are built by :mod:`graphapp.graphviews`; pages render them through our templates and
``static/graph.js`` (vis-network served from the pyvis package), never through pyvis's own HTML page.

The projection the views draw is built in the background for each graph version (:mod:`graphapp.background`): a
view reflects the newest projection built and its JSON twin says which version (``graph_version``,
``current_graph_version``, ``up_to_date``); before the first one is built it is a 503 «se está preparando»
with ``Retry-After`` (:func:`preparing_response`, which the finder and the analytics pages answer with too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from ... import graphviews
from ...background import BeingPrepared
from ...graphviews import DEFAULT_LIMIT, Ctx
from ...iris import InvalidIri, checked_iri
from ...service import Service
from ..deps import ServiceDep
from ..errors import AppError, error_responses, json_wanted
from ..i18n import get_lang
from ..openapi import page_or_json
from ..params import PageFormat, page_language
from ..render import html_page, json_page
from ..urls import path_for

router = APIRouter(tags=["Graph views"], dependencies=[Depends(page_language)])
#: a view: its page or JSON twin; a bad parameter (such as an unknown class) is a 400, an unknown entity a 404
VIEW_RESPONSES = {
    **page_or_json(
        "The page or its JSON twin, drawn from the newest projection of the graph built: of the current version or, "
        "while that one is being prepared, of the previous one (`graph_version`, `current_graph_version`, "
        "`up_to_date`)."
    ),
    **error_responses(
        400,
        404,
        503,
        e503="No projection of the graph has been built yet (the service has just started, or the graph is "
        "large): it is being prepared; try again after Retry-After.",
    ),
}
#: what is being prepared, by builder (graphapp.background), in Spanish and English; {version} is the graph version
PREPARING = {
    "entity-graph": (
        "La red de entidades que dibujan las vistas y la analítica se está preparando para la versión {version} del "
        "grafo",
        "The network of entities the views and analytics draw is being prepared for version {version} of the graph",
    ),
    "finder": (
        "El índice del buscador de prácticas se está preparando para la versión {version} del grafo",
        "The practice finder's index is being prepared for version {version} of the graph",
    ),
    "labels": (
        "El índice de nombres que usan las páginas se está preparando para la versión {version} del grafo",
        "The index of names the pages use is being prepared for version {version} of the graph",
    ),
}


@dataclass(frozen=True)
class GraphView:
    """A graph view, declared once: its route (name, path, summary), its entry on the index page (title and
    sentence) and its link in the views' nav bar (``nav``; none for a view of one entity). The router, the
    index page and ``views_base.html`` all read :data:`VIEWS`."""

    name: str
    path: str
    summary: str
    title: tuple[str, str]  # Spanish, English
    text: tuple[str, str]
    nav: tuple[str, str] | None = None

    def route(self) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        """The decorator that serves the view at its path."""
        return router.get(self.path, name=self.name, summary=self.summary, responses=VIEW_RESPONSES)


#: the graph views, in the order of the index page and the nav bar
VIEWS: tuple[GraphView, ...] = (
    GraphView(
        "view_overview",
        "/vistas/general",
        "The whole graph, coloured by class (filterable)",
        ("Vista general", "Overview"),
        (
            "Todo el grafo de un vistazo, coloreado por clase; filtre por clase y vea en una tabla lo que no se "
            "dibuja.",
            "The whole graph at a glance, coloured by class; filter by class and find what is not drawn in a table.",
        ),
        nav=("General", "Overview"),
    ),
    GraphView(
        "view_timeline",
        "/vistas/historia",
        "Milestones and national action plans on a timeline",
        ("Historia", "History"),
        (
            "Los hitos del acceso a la información y del gobierno abierto, de 1766 a hoy, y los cuatro planes de "
            "acción nacionales de México.",
            "The milestones of access to information and open government, from 1766 to today, and Mexico's four "
            "national action plans.",
        ),
        nav=("Historia", "History"),
    ),
    GraphView(
        "view_stl",
        "/vistas/stl",
        "The Local Technical Secretariats: sectors, seats and members",
        ("Secretariado Técnico Local", "Local Technical Secretariat"),
        (
            "Quién se sienta en el STL, por qué sector y con qué rol.",
            "Who sits in the STL, for which sector and in which role.",
        ),
        nav=("STL", "STL"),
    ),
    GraphView(
        "view_problem_tree",
        "/vistas/arbol-de-problemas/{path:path}",
        "A commitment's problem tree: effects, central problem, causes; key actions and activities",
        ("Árbol de problemas", "Problem tree"),
        (
            "Los efectos, el problema central y las causas que atiende un compromiso, con sus acciones clave y "
            "actividades.",
            "The effects, central problem and causes a commitment addresses, with its key actions and activities.",
        ),
    ),
    GraphView(
        "view_sdg",
        "/vistas/ods",
        "SDG goals, targets and what contributes to them",
        ("Objetivos de Desarrollo Sostenible", "Sustainable Development Goals"),
        (
            "Los 17 objetivos, sus metas y lo que contribuye a cada uno.",
            "The 17 goals, their targets and what contributes to each.",
        ),
        nav=("ODS", "SDGs"),
    ),
    GraphView(
        "view_municipalities",
        "/vistas/municipios",
        "The 2017 open-government index: the 32 states on a map, the State of Mexico municipalities ranked",
        ("Métrica 2017: estados y municipios", "2017 Metric: states and municipalities"),
        (
            "Los 32 estados en un mapa con su promedio de gobierno abierto, y los municipios mexiquenses medidos, "
            "en orden.",
            "The 32 states on a map with their open-government average, and the measured State of Mexico "
            "municipalities, in order.",
        ),
        nav=("Municipios", "Municipalities"),
    ),
    GraphView(
        "view_neighbourhood",
        "/vistas/vecindario/{path:path}",
        "What surrounds an entity, 1 to 3 links away",
        ("Vecindario de una entidad", "Neighbourhood of an entity"),
        (
            "Todo lo que está a uno, dos o tres enlaces de cualquier entidad.",
            "Everything one, two or three links away from any entity.",
        ),
    ),
)
VIEW = {view.name: view for view in VIEWS}
STL_EXAMPLE = "stl/estado-de-mexico"
COMMITMENT_EXAMPLE = "compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto"


async def view_context(request: Request, service: ServiceDep) -> Ctx:
    """What a view needs: the service and the reader's language."""
    return Ctx(service, get_lang(request))


ViewCtx = Annotated[Ctx, Depends(view_context)]


def preparing_state(lang: str, exc: BeingPrepared) -> dict[str, Any]:
    """What a 503 «se está preparando» says (:exc:`graphapp.background.BeingPrepared`: an index built in the
    background, none of an older version to serve): ``error``, ``message`` (in ``lang``), ``preparing``,
    ``graph_version`` (none yet), ``current_graph_version`` and ``retry_after`` (seconds)."""
    es, en = PREPARING.get(exc.name, ("{version}", "{version}"))
    message = (
        es.format(version=exc.version) + "; vuelva a cargar la página en unos segundos."
        if lang == "es"
        else en.format(version=exc.version) + "; reload the page in a few seconds."
    )
    return {
        "error": 503,
        "message": message,
        "preparing": True,
        "up_to_date": False,
        "graph_version": None,
        "current_graph_version": exc.version,
        "retry_after": exc.retry_after,
    }


def preparing_response(
    request: Request, lang: str, exc: BeingPrepared, title: tuple[str, str], *, as_json: bool
) -> Response:
    """The 503 «se está preparando» of a page (:func:`preparing_state`), or of its JSON twin, with
    ``Retry-After``; ``title`` (Spanish, English) names the page."""
    state = preparing_state(lang, exc)
    headers = {"Retry-After": str(exc.retry_after)}
    if as_json:
        return json_page(request, state, status_code=503, headers=headers)
    context = {**state, "title": title[0] if lang == "es" else title[1]}
    return html_page(request, "preparing.html", context, status_code=503, headers=headers)


async def being_prepared_handler(request: Request, exc: Exception) -> Response:
    """Any page that needed what is being prepared, with no older value to serve (the label index right after a
    start on a large store): the 503 «se está preparando» in HTML or JSON, with ``Retry-After``."""
    assert isinstance(exc, BeingPrepared)  # noqa: S101 - registered for BeingPrepared only
    site = ("Gobierno Abierto KG", "Gobierno Abierto KG")
    try:
        as_json = json_wanted(request, request.query_params.get("format"))
    except AppError:  # a format the page does not have: the HTML notice
        as_json = False
    return preparing_response(request, get_lang(request), exc, site, as_json=as_json)


def _render(
    request: Request,
    ctx: Ctx,
    template: str,
    build: Callable[[Ctx], dict[str, Any]],
    format: str | None,
    title: tuple[str, str],
) -> Response:
    """Build a view for the reader's language and answer in JSON or HTML, saying which graph version it reflects;
    input errors become 400/404, a projection not built yet a 503 «se está preparando»."""
    as_json = json_wanted(request, format)
    try:
        view = build(ctx)
    except LookupError as exc:
        raise AppError(404, str(exc.args[0] if exc.args else exc)) from None
    except ValueError as exc:
        raise AppError(400, str(exc)) from None
    except BeingPrepared as exc:
        return preparing_response(request, ctx.lang, exc, title, as_json=as_json)
    view = {**view, **ctx.graph_version()}
    if as_json:
        return json_page(request, view)
    context: dict[str, Any] = {"view": view, "graph_page": True}
    if "nodes" in view:  # a drawing for graph.js; the municipalities view is plain SVG and HTML
        context["graph_data"] = {
            k: view[k] for k in ("nodes", "edges", "options", "min_label_px", "focus", "hidden_edges") if k in view
        }
    return html_page(request, template, context)


def _entity_iri(service: Service, path: str, lang: str) -> str:
    """The entity a view's path names; a path that cannot be an IRI names no entity (404)."""
    iri = service.base_iri + "id/" + path.strip("/")
    try:
        return checked_iri(iri)
    except InvalidIri as exc:
        raise AppError(404, exc.message(lang)) from None


@router.get(
    "/vistas",
    name="views_index",
    summary="The graph views, with a sentence on each",
    responses={**page_or_json(), **error_responses(400)},
)
def views_index(
    request: Request,
    service: ServiceDep,
    format: PageFormat = None,
) -> Response:
    lang = get_lang(request)
    commitments = sorted(
        (i for i, types in service.index.types.items() if graphviews.GA + "Commitment" in types),
        key=lambda i: service.index.label_or_iri(i, lang),
    )
    base = service.base_iri + "id/"
    items = []
    for view in VIEWS:
        name = view.name
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
                "title": view.title[0] if lang == "es" else view.title[1],
                "text": view.text[0] if lang == "es" else view.text[1],
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
        if service.contains(preview)
        else None,
        "preview_label": service.index.label_or_iri(preview, lang),
    }
    return html_page(request, "views_index.html", context)


@VIEW["view_overview"].route()
def view_overview(
    request: Request,
    ctx: ViewCtx,
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
        "views_overview.html",
        lambda ctx: graphviews.overview(ctx, classes, limit, page),
        format,
        VIEW["view_overview"].title,
    )


@VIEW["view_neighbourhood"].route()
def view_neighbourhood(
    request: Request,
    ctx: ViewCtx,
    service: ServiceDep,
    path: Annotated[str, PathParam(description="The entity's path under `/id/`", examples=[STL_EXAMPLE])],
    depth: int = Query(1, ge=1, le=3, description="How many links away (1 to 3)"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=1000, description="Most nodes drawn (nearest first)"),
    page: int = Query(1, ge=1, description="Page of the table of entities not drawn"),
    format: PageFormat = None,
) -> Response:
    iri = _entity_iri(service, path, ctx.lang)
    return _render(
        request,
        ctx,
        "views_neighbourhood.html",
        lambda ctx: graphviews.neighbourhood(ctx, iri, depth, limit, page),
        format,
        VIEW["view_neighbourhood"].title,
    )


@VIEW["view_problem_tree"].route()
def view_problem_tree(
    request: Request,
    ctx: ViewCtx,
    service: ServiceDep,
    path: Annotated[str, PathParam(description="The commitment's path under `/id/`", examples=[COMMITMENT_EXAMPLE])],
    format: PageFormat = None,
) -> Response:
    iri = _entity_iri(service, path, ctx.lang)
    return _render(
        request,
        ctx,
        "views_problem_tree.html",
        lambda ctx: graphviews.problem_tree(ctx, iri),
        format,
        VIEW["view_problem_tree"].title,
    )


@VIEW["view_stl"].route()
def view_stl(
    request: Request,
    ctx: ViewCtx,
    format: PageFormat = None,
) -> Response:
    return _render(request, ctx, "views_stl.html", graphviews.stl, format, VIEW["view_stl"].title)


@VIEW["view_timeline"].route()
def view_timeline(
    request: Request,
    ctx: ViewCtx,
    format: PageFormat = None,
) -> Response:
    return _render(request, ctx, "views_timeline.html", graphviews.timeline, format, VIEW["view_timeline"].title)


@VIEW["view_sdg"].route()
def view_sdg(
    request: Request,
    ctx: ViewCtx,
    format: PageFormat = None,
) -> Response:
    return _render(request, ctx, "views_sdg.html", graphviews.sdg, format, VIEW["view_sdg"].title)


@VIEW["view_municipalities"].route()
def view_municipalities(
    request: Request,
    ctx: ViewCtx,
    format: PageFormat = None,
) -> Response:
    return _render(
        request, ctx, "views_municipalities.html", graphviews.municipalities, format, VIEW["view_municipalities"].title
    )
