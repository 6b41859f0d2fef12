"""The practice finder, for people and programs: ``/practicas`` (search page with its JSON twin), the comparison
of two or three practices (``/practicas/comparar``) and the JSON API (``/api/practices/search`` and ``/themes``).

The search index (:class:`graphapp.finder.PracticeIndex`) is built in the background once per graph version
(``Service.finder``, a :class:`graphapp.background.BuiltInBackground`): a request waits at most two seconds for the
current version's, and is answered meanwhile from the previous version's, saying so (``graph_version``,
``current_graph_version``, ``up_to_date``), or before the first one with a 503 «se está preparando» and Retry-After.
A practice added to the data or through ``/sparql/update`` is found as soon as its version's index is built (at
once on a small graph), with no code.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ...background import BeingPrepared, Built
from ...finder import THRESHOLD, PracticeIndex, commitment_card, practice_card
from ...iris import InvalidIri, checked_iri
from ...service import Service
from ..deps import ServiceDep
from ..errors import AppError, error_responses, json_wanted
from ..i18n import get_lang
from ..links import site_href
from ..openapi import page_or_json
from ..params import ApiLang, PageFormat, check_search_text, page_language
from ..render import html_page, json_page
from .views import preparing_response, preparing_state

router = APIRouter(tags=["Practice finder"])

Text = Annotated[str | None, Query(description="The problem, in your own words (Spanish or English).")]
Themes = Annotated[
    list[str] | None, Query(description="Thesaurus theme(s): IRI or slug (e.g. `contaminacion-del-aire`).")
]
Worked = Annotated[
    bool,
    Query(
        description="Only what gave results: practices with a reported benefit, and OGP commitments whose early "
        "results the Independent Reporting Mechanism rated marginal or better, or starred."
    ),
]
ProblemParam = Annotated[
    str | None, Query(description="A problem of the graph (IRI or slug), e.g. a cause in a problem tree.")
]
Practices = Annotated[
    list[str] | None, Query(description="Two or three practices: IRI or slug (e.g. `reubicacion-ladrilleras-durango`).")
]
MAX_RESULTS = 50
EXAMPLE: dict[str, Any] = {
    "query": {
        "q": "una fábrica contamina el aire del barrio",
        "themes": [],
        "problem": None,
        "lang": "es",
        "threshold": THRESHOLD,
        "recognised_themes": [
            {
                "iri": "https://w3id.org/gakg/id/tema/contaminacion-del-aire",
                "label": "Contaminación del aire",
                "words": ["contamina", "aire"],
                "practices": 1,
            }
        ],
    },
    "results": [
        {
            "iri": "https://w3id.org/gakg/id/practica/reubicacion-ladrilleras-durango",
            "label": "Reubicación de las ladrilleras de Durango",
            "score": 0.857,
            "why": [
                {
                    "kind": "theme",
                    "query_theme": {"iri": "https://w3id.org/gakg/id/tema/contaminacion-del-aire", "label": "…"},
                    "relation": "same",
                    "terms": ["contamina", "aire"],
                    "path": [{"iri": "…", "label": "…", "via": ""}],
                },
                {"kind": "terms", "terms": [{"term": "fábrica", "matched": "fábricas", "fields": ["problem"]}]},
                {"kind": "sdg", "sdgs": [{"iri": "http://metadata.un.org/sdg/11.6", "code": "11.6", "label": "…"}]},
            ],
        }
    ],
    "message": None,
}


class WhyItem(BaseModel):
    """One reason a practice matched: ``theme`` (with the graph path from the query's theme to the practice's
    problem), ``terms`` (words shared, and where), ``sdg`` (SDGs shared) or ``problem`` (it addresses it)."""

    model_config = ConfigDict(extra="allow")
    kind: str


class PracticeResult(BaseModel):
    """A practice judged relevant, with its card: place, problem, solution, benefits, actors, mechanism, status,
    sources and replicability."""

    model_config = ConfigDict(extra="allow")
    iri: str
    label: str
    score: float = Field(ge=0, le=1, description="Share of the query the practice explains, from 0 to 1.")
    why: list[WhyItem]


class SearchResponse(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"example": EXAMPLE})
    query: dict[str, Any]
    results: list[PracticeResult]
    message: str | None = Field(None, description="Why there are no results, when there are none.")


# ---------------------------------------------------------------- shared pieces


TITLE = ("Buscador de prácticas", "Practice finder")
PREPARING_503 = (
    "The finder's index has not been built yet (the service has just started, or the graph is large): it is being "
    "prepared; try again after Retry-After."
)


def finder_index(service: Service) -> Built[PracticeIndex]:
    """The search index and the graph version it was built for: the current version's (waiting at most two seconds
    for its build), else the previous one's. Raises :exc:`graphapp.background.BeingPrepared` before the first."""
    return service.finder.get()


def _version_state(built: Built[PracticeIndex], current: int) -> dict[str, Any]:
    """Which graph version the answer reflects, for the JSON twins and the API."""
    up_to_date = built.version >= current
    return {
        "graph_version": built.version,
        "current_graph_version": current,
        "up_to_date": up_to_date,
        "preparing": not up_to_date,
    }


def _card(
    service: Service, index: PracticeIndex, iri: str, lang: str, *, commitments: bool = True
) -> dict[str, Any] | None:
    """A practice's card (see :func:`graphapp.finder.practice_card`), or with ``commitments`` an OGP commitment's
    (:func:`graphapp.finder.commitment_card`), with links for the page, once per version."""

    def compute() -> dict[str, Any] | None:
        labels = service.index
        card = service.read_with(lambda store: practice_card(store, labels, index, iri, lang))
        if card is None and commitments:
            card = service.read_with(lambda store: commitment_card(store, labels, index, iri, lang))
        return _with_hrefs(card, service.base_iri, service.index.labels) if card is not None else None

    return service.cached(f"finder-card:{lang}:{commitments}:{iri}", compute)


def _with_hrefs(value: Any, base: str, described: Container[str] = frozenset()) -> Any:
    """Add ``href`` (where the page links to) next to every ``iri`` in a card."""
    if isinstance(value, dict):
        out = {k: _with_hrefs(v, base, described) for k, v in value.items()}
        if isinstance(value.get("iri"), str):
            out["href"] = site_href(value["iri"], base, described)
        return out
    if isinstance(value, list):
        return [_with_hrefs(v, base, described) for v in value]
    return value


def _lang(request: Request, lang: str | None) -> str:
    """``lang=`` (already checked: ``es``, ``en`` or absent), else the reader's language."""
    return lang or get_lang(request)


def _resolve(service: Service, value: str, folder: str, parameter: str, lang: str) -> str:
    """A full IRI, or a path such as ``tema/ruido`` or a slug such as ``ruido`` under ``id/<folder>/``.

    A value that cannot be an IRI (a space, ``<``, ``{``…) is a 400 naming ``parameter``."""
    value = value.strip()
    if not value.startswith(("http://", "https://")):
        base = service.base_iri + "id/"
        value = base + (value if value.startswith(folder + "/") else f"{folder}/{value}")
    try:
        return checked_iri(value, parameter)
    except InvalidIri as exc:
        raise AppError(400, exc.message(lang)) from None


def _ref(service: Service, iri: str, lang: str) -> dict[str, Any]:
    return {
        "iri": iri,
        "label": service.index.label_or_iri(iri, lang),
        "href": site_href(iri, service.base_iri, service.index.labels),
    }


def _why(service: Service, index: PracticeIndex, items: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    out = []
    for item in items:
        item = dict(item)
        if item["kind"] == "theme":
            item["query_theme"] = _ref(service, item["query_theme"], lang)
            item["practice_theme"] = _ref(service, item["practice_theme"], lang)
            item["path"] = [{**_ref(service, step["iri"], lang), "via": step["via"]} for step in item["path"]]
        elif item["kind"] == "sdg":
            item["sdgs"] = [index.sdg(s, lang) for s in item["sdgs"]]
        elif item["kind"] == "problem":
            item["problem"] = _ref(service, item["problem"], lang)
        out.append(item)
    return out


def search_payload(
    service: Service,
    q: str | None,
    themes: list[str],
    problem: str | None,
    lang: str,
    limit: int = 10,
    worked: bool = False,
) -> dict[str, Any]:
    """Run a search and shape the answer, saying which graph version's index answered it (raises
    :class:`AppError` on bad input, then :exc:`BeingPrepared` when no index has been built yet). ``worked``: only
    results with evidence that they gave results (see :data:`Worked`)."""
    current = service.version
    q = check_search_text(q or "")
    if not 1 <= limit <= MAX_RESULTS:
        raise AppError(400, f"limit must be between 1 and {MAX_RESULTS}.")
    themes = [t for t in themes if t.strip()]
    if not q and not themes and not problem:
        raise AppError(400, "Describe the problem (q=...), pick a theme (theme=...) or a problem (problem=...).")
    built = finder_index(service)
    index = built.value
    theme_iris = []
    for value in themes:
        iri = _resolve(service, value, "tema", "theme", lang)
        if iri not in index.themes:
            raise AppError(404, f"No theme <{iri}> in the thesaurus; see /api/practices/themes.")
        theme_iris.append(iri)
    problem_query = None
    if problem:
        problem_iri = _resolve(service, problem, "problema", "problem", lang)
        problem_query = service.read_with(lambda store: index.problem_query(store, problem_iri))
        if problem_query is None:
            raise AppError(404, f"No problem <{problem_iri}> in the graph.")
    result = index.search(q, theme_iris, problem_query=problem_query, limit=MAX_RESULTS if worked else limit, lang=lang)
    results: list[dict[str, Any]] = []
    for hit in result.hits:
        card = _card(service, index, hit.iri, lang) or {"iri": hit.iri, "label": hit.iri}
        if worked and not card.get("evidence", {}).get("worked"):
            continue
        if len(results) == limit:
            break
        results.append(
            {
                **card,
                "score": hit.score,
                "why": _why(service, index, hit.why, lang),
            }
        )
    recognised = [
        {
            "iri": h.theme,
            "label": index.themes[h.theme].label(lang),
            "matched": h.label,
            "words": list(h.words),
            "strength": h.strength,
            "practices": index.practice_count(h.theme),
        }
        for h in result.themes
    ]
    query = {
        "q": q,
        "themes": [_ref(service, t, lang) for t in theme_iris],
        "problem": _ref(service, problem_query.iri, lang) if problem_query else None,
        "lang": lang,
        "threshold": THRESHOLD,
        "worked": worked,
        "recognised_themes": recognised,
    }
    practices = any(r.get("kind") == "practice" for r in results)
    message = None if practices else _nothing(index, result, lang, commitments=bool(results))
    return {"query": query, "results": results, "message": message, **_version_state(built, current)}


def _nothing(index: PracticeIndex, result: Any, lang: str, *, commitments: bool = False) -> str:
    """An honest "nothing close", naming the recognised themes that no practice addresses (and saying so when
    only OGP commitments are shown)."""
    orphan = [index.themes[t].label(lang) for t in result.query_themes if not index.practice_count(t)]
    if lang == "es":
        text = "Ninguna práctica del grafo atiende un problema parecido"
        text += f" (temas reconocidos sin prácticas: {', '.join(orphan)})." if orphan else "."
        if commitments:
            return (
                text + " Se muestran compromisos de México en la Alianza para el Gobierno Abierto sobre algo parecido."
            )
        return text + f" Solo se muestran las prácticas que explican al menos {THRESHOLD:.0%} de lo descrito."
    text = "No practice in the graph addresses a similar problem"
    text += f" (recognised themes with no practice: {', '.join(orphan)})." if orphan else "."
    if commitments:
        return text + " Mexico's Open Government Partnership commitments on something similar are shown."
    return text + f" Only practices that explain at least {THRESHOLD:.0%} of the description are shown."


def theme_tree(service: Service, index: PracticeIndex, lang: str) -> list[dict[str, Any]]:
    """The thesaurus as a tree (a theme with two broader themes appears under both), with practice counts."""

    def node(iri: str) -> dict[str, Any]:
        theme = index.themes[iri]
        return {
            "iri": iri,
            "label": theme.label(lang),
            "href": site_href(iri, service.base_iri, service.index.labels),
            "definition": theme.definition.get(lang, ""),
            "synonyms": theme.alt.get(lang, []),
            "practices": index.practice_count(iri),
            "narrower": sorted((node(n) for n in theme.narrower), key=lambda n: n["label"]),
        }

    tops = [t for t, theme in index.themes.items() if not theme.broader]
    return sorted((node(t) for t in tops), key=lambda n: n["label"])


def _api_error(exc: AppError) -> JSONResponse:
    return JSONResponse({"error": exc.status, "message": exc.message}, status_code=exc.status)


def _api_preparing(lang: str, exc: BeingPrepared) -> JSONResponse:
    """The API's 503 while the first index is being built: the page's JSON (:func:`preparing_state`), Retry-After."""
    return JSONResponse(preparing_state(lang, exc), status_code=503, headers={"Retry-After": str(exc.retry_after)})


# ---------------------------------------------------------------- the page


@router.get(
    "/practicas",
    name="practices_page",
    summary="Practice finder: search page (HTML) or its JSON twin",
    dependencies=[Depends(page_language)],
    responses={
        **page_or_json(
            "The page or its JSON twin, answered from the newest index built: of the current graph version or, while "
            "that one is being prepared, of the previous one (`graph_version`, `current_graph_version`, `up_to_date`)."
        ),
        **error_responses(400, 404, 503, e404="Unknown theme or problem.", e503=PREPARING_503),
    },
)
def practices_page(
    request: Request,
    service: ServiceDep,
    q: Text = None,
    theme: Themes = None,
    problem: ProblemParam = None,
    worked: Worked = False,
    format: PageFormat = None,
) -> Response:
    """Find practices that dealt with a problem like yours: a search box, the thesaurus of themes, the problems of
    the graph, results with their reasons and replicability, and a form to compare two or three of them."""
    lang = get_lang(request)
    as_json = json_wanted(request, format)
    current = service.version
    theme = theme or []
    asked = bool((q or "").strip() or [t for t in theme if t.strip()] or problem)
    try:
        built = finder_index(service)
        payload = search_payload(service, q, theme, problem, lang, worked=worked) if asked else None
    except BeingPrepared as exc:
        return preparing_response(request, lang, exc, TITLE, as_json=as_json)
    index = built.value
    state = payload or _version_state(built, current)
    if as_json:
        body = payload or {"query": None, "results": [], "themes": theme_tree(service, index, lang), **state}
        return json_page(request, body)
    problems = [
        {**_ref(service, str(row["problem"]), lang), "practices": int(row["practices"])}
        for row in service.select("finder-problems")
    ]
    context = {
        "q": q or "",
        "picked": [_resolve(service, t, "tema", "theme", lang) for t in theme if t.strip()],
        "problem_iri": _resolve(service, problem, "problema", "problem", lang) if problem else "",
        "payload": payload,
        "tree": theme_tree(service, index, lang),
        "problems": sorted(problems, key=lambda p: (-p["practices"], p["label"])),
        "all_themes": sorted(((t, th.label(lang)) for t, th in index.themes.items()), key=lambda x: x[1]),
        "threshold": THRESHOLD,
        "worked": worked,
        "version_state": {k: state[k] for k in ("graph_version", "current_graph_version", "up_to_date")},
    }
    return html_page(request, "practices.html", context)


@router.get(
    "/practicas/comparar",
    name="practices_compare",
    summary="Compare two or three practices side by side (HTML) or as JSON",
    dependencies=[Depends(page_language)],
    responses={
        **page_or_json(),
        **error_responses(
            400,
            404,
            503,
            e400="Not two or three different practices, or a bad parameter.",
            e404="No such practice.",
            e503=PREPARING_503,
        ),
    },
)
def practices_compare(
    request: Request,
    service: ServiceDep,
    p: Practices = None,
    format: PageFormat = None,
) -> Response:
    """Place, problem, solution, benefits, who sits at the table, mechanism, status and sources, side by side, with
    the themes, SDGs and sectors the practices share."""
    lang = get_lang(request)
    as_json = json_wanted(request, format)
    iris = list(dict.fromkeys(_resolve(service, v, "practica", "p", lang) for v in p or [] if v.strip()))
    if not 2 <= len(iris) <= 3:
        raise AppError(400, "Compare two or three different practices: p=...&p=...")
    current = service.version
    try:
        built = finder_index(service)
    except BeingPrepared as exc:
        return preparing_response(request, lang, exc, ("Comparar prácticas", "Compare practices"), as_json=as_json)
    index = built.value
    cards = []
    for iri in iris:
        card = _card(service, index, iri, lang, commitments=False)
        if card is None:
            raise AppError(404, f"No best practice <{iri}>.")
        cards.append(card)
    shared = {
        key: [x for x in cards[0][key] if all(x in c[key] for c in cards[1:])] for key in ("themes", "sdgs", "actors")
    }
    body = {"practices": cards, "shared": shared, **_version_state(built, current)}
    if as_json:
        return json_page(request, body)
    return html_page(request, "practices_compare.html", body)


# ---------------------------------------------------------------- the API


@router.get(
    "/api/practices/search",
    name="practices_search_api",
    summary="Find practices by the problem they solved",
    response_model=SearchResponse,
    responses=error_responses(
        400,
        404,
        503,
        media=("application/json",),
        e400="Bad input: no q, theme or problem; bad lang or limit; q too long.",
        e404="Unknown theme or problem.",
        e503=PREPARING_503,
    ),
)
def practices_search_api(
    request: Request,
    service: ServiceDep,
    q: Text = None,
    theme: Themes = None,
    problem: ProblemParam = None,
    lang: ApiLang = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS, description=f"Most results (1 to {MAX_RESULTS}).")] = 10,
    worked: Worked = False,
) -> Response:
    """Practices judged relevant to the problem, best first. Each has a ``score`` from 0 to 1 (the share of the
    query it explains; below the threshold, 0.5, nothing is shown), ``why`` it matched (themes with their graph path,
    shared words and SDGs), and its card: place, problem, solution, benefits with figures, actors, mechanism, status
    (inactive practices carry their note and lesson), sources and what replicating it takes.

    Words are folded (accents, case) and stemmed; synonyms come from the thesaurus of public-problem themes.
    A problem no practice addresses gets an empty list and a ``message``."""
    try:
        payload = search_payload(service, q, theme or [], problem, _lang(request, lang), limit, worked)
    except AppError as exc:
        return _api_error(exc)
    except BeingPrepared as exc:
        return _api_preparing(_lang(request, lang), exc)
    return JSONResponse(payload)


@router.get(
    "/api/practices/themes",
    name="practices_themes_api",
    summary="The thesaurus of public-problem themes, with synonyms and practice counts",
    responses=error_responses(
        400, 503, media=("application/json",), e400="A `lang` other than `es` or `en`.", e503=PREPARING_503
    ),
)
def practices_themes_api(request: Request, service: ServiceDep, lang: ApiLang = None) -> Response:
    """Every theme (IRI, label, definition, synonyms, narrower themes) and how many practices address it or a
    narrower theme: the values ``theme=`` accepts."""
    current = service.version
    try:
        built = finder_index(service)
    except BeingPrepared as exc:
        return _api_preparing(_lang(request, lang), exc)
    themes = theme_tree(service, built.value, _lang(request, lang))
    return JSONResponse({"themes": themes, **_version_state(built, current)})
