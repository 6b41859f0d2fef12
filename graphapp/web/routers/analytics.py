"""Network analytics pages, each with a JSON twin: central actors, how two entities are connected, and the
connected components of the graph. The measures run on the projection built in the background for each graph
version (:mod:`graphapp.background`), the centrality rankings too: a page serves the newest one built, says when it
is of an older version than the current one, and before the first is a 503 «se está preparando» with Retry-After.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ... import analytics
from ...background import BeingPrepared
from ...graphviews import Ctx
from ...graphviews.names import capitalised
from ..deps import ServiceDep
from ..errors import AppError, error_responses, json_wanted
from ..openapi import page_or_json
from ..params import PageFormat, page_language
from ..render import html_page, json_page
from .views import ViewCtx, preparing_response

router = APIRouter(tags=["Analytics"], dependencies=[Depends(page_language)])
PREPARING_503 = (
    "No projection of the graph has been built yet (the service has just started, or the graph is large): it is "
    "being prepared; try again after Retry-After."
)


def _answer(request: Request, template: str, context: dict[str, Any], as_json: bool) -> Response:
    if as_json:
        return json_page(request, context)
    return html_page(request, template, {**context, "graph_page": True})


def _ranked(ctx: Ctx, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ranked rows with their labels; the class was recorded with the ranking (``class``), so that a ranking of an
    older version is named without the projection of the current one."""
    return [
        {
            **{k: v for k, v in r.items() if k != "class"},
            **ctx.ref(r["iri"]),
            "class_label": capitalised(ctx.label(r["class"])) if r.get("class") else ctx.t("Sin clase", "No class"),
        }
        for r in rows
    ]


@router.get(
    "/analitica",
    name="analytics_index",
    summary="Network analytics: what each measure tells, with links to them",
    responses={**page_or_json(), **error_responses(400)},
)
def analytics_index(
    request: Request,
    ctx: ViewCtx,
    format: PageFormat = None,
) -> Response:
    as_json = json_wanted(request, format)
    pages = [
        {
            "name": name,
            "href": str(request.app.url_path_for(name)),
            "title": ctx.t(*titles),
            "text": ctx.t(*texts),
        }
        for name, titles, texts in ANALYTICS_PAGES
    ]
    return _answer(request, "analytics_index.html", {"pages": pages}, as_json)


ANALYTICS_PAGES = [
    (
        "analytics_centrality",
        ("Actores más centrales", "Most central actors"),
        (
            "Qué organizaciones y personas tienen más enlaces y cuáles unen partes de la red que sin ellas quedarían "
            "lejos.",
            "Which organisations and people have most links, and which join parts of the network that would "
            "otherwise be far apart.",
        ),
    ),
    (
        "analytics_path",
        ("¿Cómo se conectan A y B?", "How are A and B connected?"),
        (
            "Los caminos más cortos entre dos entidades, en lista y dibujados.",
            "The shortest paths between two entities, listed and drawn.",
        ),
    ),
    (
        "analytics_components",
        ("Componentes conexos", "Connected components"),
        (
            "Qué partes del grafo están unidas entre sí y cuáles quedan aisladas.",
            "Which parts of the graph hang together and which stand apart.",
        ),
    ),
]


@router.get(
    "/analitica/centralidad",
    name="analytics_centrality",
    summary="The most central organisations and people, by degree and by betweenness",
    responses={
        **page_or_json(
            "The page or its JSON twin: the newest ranking computed, of the current graph version or, while that one "
            "is being prepared, of an older one (`graph_version`, `current_graph_version`, `up_to_date`)."
        ),
        **error_responses(
            400,
            503,
            e503="No ranking of this network has been computed yet (the service has just started): it is being "
            "prepared; try again after Retry-After.",
        ),
    },
)
def analytics_centrality(
    request: Request,
    ctx: ViewCtx,
    service: ServiceDep,
    red: Literal["gobierno-abierto", "todo"] = Query(
        "gobierno-abierto",
        description="Network: `gobierno-abierto` (default: without the bodies measured by the Métrica 2017) or "
        "`todo` (with them).",
    ),
    format: PageFormat = None,
) -> Response:
    as_json = json_wanted(request, format)
    current = service.version
    service.centrality.request()  # the first reader starts the background computation (then every version)
    prepared = service.centrality.latest(red)
    state: dict[str, Any] = {
        "network": red,
        "networks": list(analytics.NETWORKS),
        "graph_version": prepared.version if prepared else None,
        "current_graph_version": current,
        "up_to_date": prepared is not None and prepared.version >= current,
    }
    state["preparing"] = not state["up_to_date"]
    if prepared is None:  # nothing computed yet: the service has just started
        message = ctx.t(
            f"Los actores más centrales se están calculando para la versión {current} del grafo; vuelva a cargar "
            f"la página en unos segundos.",
            f"The most central actors are being computed for version {current} of the graph; reload the page in a "
            f"few seconds.",
        )
        headers = {"Retry-After": str(analytics.RETRY_AFTER)}
        if as_json:
            return json_page(request, {"error": 503, "message": message, **state}, status_code=503, headers=headers)
        context = {**state, "message": message, "graph_page": True}
        return html_page(request, "analytics_centrality.html", context, status_code=503, headers=headers)
    result = prepared.value
    context = {
        **state,
        "by_degree": _ranked(ctx, result.by_degree),
        "by_betweenness": _ranked(ctx, result.by_betweenness),
        "nodes": result.nodes,
        "edges": result.edges,
        "actors": result.actors,
        "betweenness_sample": result.sample,
    }
    return _answer(request, "analytics_centrality.html", context, as_json)


@router.get(
    "/analitica/camino",
    name="analytics_path",
    summary="How are two entities connected? Shortest paths between them",
    responses={
        **page_or_json("The page (with the form when nothing is asked) or the paths as JSON."),
        **error_responses(
            400,
            404,
            503,
            e400="A bad parameter, or (for JSON) `desde` or `hasta` missing, or not a possible IRI.",
            e404="No entity with that IRI, path or name.",
            e503=PREPARING_503,
        ),
    },
)
def analytics_path(
    request: Request,
    ctx: ViewCtx,
    desde: str | None = Query(None, description="From: an IRI, an /id/ path or a name"),
    hasta: str | None = Query(None, description="To: an IRI, an /id/ path or a name"),
    format: PageFormat = None,
) -> Response:
    as_json = json_wanted(request, format)
    context: dict[str, Any] = {"desde": desde or "", "hasta": hasta or "", "result": None}
    if desde is None and hasta is None and not as_json:
        return _answer(request, "analytics_path.html", context, as_json)  # the empty form
    try:
        source = analytics.resolve(ctx, desde, "desde")
        target = analytics.resolve(ctx, hasta, "hasta")
    except ValueError as exc:
        raise AppError(400, str(exc)) from None
    except LookupError as exc:
        raise AppError(404, str(exc.args[0])) from None
    try:
        result = {**analytics.paths(ctx, source, target), **ctx.graph_version()}
    except BeingPrepared as exc:
        return preparing_response(request, ctx.lang, exc, ANALYTICS_PAGES[1][1], as_json=as_json)
    if as_json:
        return json_page(request, result)
    context["result"] = result
    context["graph_data"] = {k: result[k] for k in ("nodes", "edges", "options")}
    return _answer(request, "analytics_path.html", context, as_json)


@router.get(
    "/analitica/componentes",
    name="analytics_components",
    summary="Connected components of the graph",
    responses={**page_or_json(), **error_responses(400, 503, e503=PREPARING_503)},
)
def analytics_components(
    request: Request,
    ctx: ViewCtx,
    format: PageFormat = None,
) -> Response:
    as_json = json_wanted(request, format)
    try:
        result = analytics.projection_components(ctx.projection())
    except BeingPrepared as exc:
        return preparing_response(request, ctx.lang, exc, ANALYTICS_PAGES[2][1], as_json=as_json)
    context = {
        **ctx.graph_version(),
        "count": len(result.sizes),
        "nodes": result.nodes,
        "isolated": result.isolated,
        "largest_share": result.sizes[0] / result.nodes if result.nodes else 0.0,
        "sizes": result.sizes,
        "components": [
            {"size": c["size"], "top": [{**ctx.ref(n), "class_label": ctx.class_label(n)} for n in c["top"]]}
            for c in result.listed
        ],
    }
    return _answer(request, "analytics_components.html", context, as_json)
