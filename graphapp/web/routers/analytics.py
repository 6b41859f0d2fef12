"""Network analytics pages, each with a JSON twin: central actors, how two entities are connected, and the
connected components of the graph. The measures are computed once per graph version (:mod:`graphapp.analytics`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from ... import analytics
from ...graphviews import Ctx
from ..deps import TemplatesDep
from ..errors import AppError, error_responses, json_wanted
from ..openapi import page_or_json
from ..params import PageFormat, page_language
from ..render import html_page, json_page
from .views import ViewCtx

router = APIRouter(tags=["Analytics"], dependencies=[Depends(page_language)])


def _answer(
    request: Request, templates: Jinja2Templates, template: str, context: dict[str, Any], as_json: bool
) -> Response:
    if as_json:
        return json_page(request, context)
    return html_page(request, template, {**context, "graph_page": True})


def _ranked(ctx: Ctx, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, **ctx.ref(r["iri"]), "class_label": ctx.class_label(r["iri"])} for r in rows]


@router.get(
    "/analitica/centralidad",
    name="analytics_centrality",
    summary="The most central organisations and people, by degree and by betweenness",
    responses={**page_or_json(), **error_responses(400)},
)
def analytics_centrality(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    format: PageFormat = None,
) -> Response:
    as_json = json_wanted(request, format)
    result = analytics.centrality(ctx.service)
    context = {
        "by_degree": _ranked(ctx, result.by_degree),
        "by_betweenness": _ranked(ctx, result.by_betweenness),
        "nodes": result.nodes,
        "edges": result.edges,
        "actors": result.actors,
        "betweenness_sample": result.sample,
    }
    return _answer(request, templates, "analytics_centrality.html", context, as_json)


@router.get(
    "/analitica/camino",
    name="analytics_path",
    summary="How are two entities connected? Shortest paths between them",
    responses={
        **page_or_json("The page (with the form when nothing is asked) or the paths as JSON."),
        **error_responses(
            400,
            404,
            e400="A bad parameter, or (for JSON) `desde` or `hasta` missing, or not a possible IRI.",
            e404="No entity with that IRI, path or name.",
        ),
    },
)
def analytics_path(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    desde: str | None = Query(None, description="From: an IRI, an /id/ path or a name"),
    hasta: str | None = Query(None, description="To: an IRI, an /id/ path or a name"),
    format: PageFormat = None,
) -> Response:
    as_json = json_wanted(request, format)
    context: dict[str, Any] = {"desde": desde or "", "hasta": hasta or "", "result": None}
    if desde is None and hasta is None and not as_json:
        return _answer(request, templates, "analytics_path.html", context, as_json)  # the empty form
    try:
        source = analytics.resolve(ctx, desde, "desde")
        target = analytics.resolve(ctx, hasta, "hasta")
    except ValueError as exc:
        raise AppError(400, str(exc)) from None
    except LookupError as exc:
        raise AppError(404, str(exc.args[0])) from None
    result = analytics.paths(ctx, source, target)
    if as_json:
        return json_page(request, result)
    context["result"] = result
    context["graph_data"] = {k: result[k] for k in ("nodes", "edges", "options")}
    return _answer(request, templates, "analytics_path.html", context, as_json)


@router.get(
    "/analitica/componentes",
    name="analytics_components",
    summary="Connected components of the graph",
    responses={**page_or_json(), **error_responses(400)},
)
def analytics_components(
    request: Request,
    ctx: ViewCtx,
    templates: TemplatesDep,
    format: PageFormat = None,
) -> Response:
    as_json = json_wanted(request, format)
    result = analytics.components(ctx.service)
    context = {
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
    return _answer(request, templates, "analytics_components.html", context, as_json)
