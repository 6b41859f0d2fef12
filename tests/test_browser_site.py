"""The site as a visitor sees it, in Debian's Chromium (Playwright) against a real server, on a desktop (1280 px)
and on a 390 px phone: graph views open readable (labels at least 11 px on screen at the initial zoom, large
views grouped, a group opens on a click), no page scrolls sideways, the header stays compact, axe-core finds no
serious or critical accessibility problem on any kind of page, and the map, the ranked municipalities, the local
SDG pages, the search and the finder work as a visitor uses them. The README's screenshots are taken here
(``GRAPHAPP_SCREENSHOTS=docs`` writes them to docs/screenshots/; every run writes tests/artifacts/).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from graphapp.config import PROJECT_ROOT

from . import servers as servers_

AXE = PROJECT_ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"  # vendored by graphapp/web/static/vendor/refresh.py
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
DOC_SHOTS = PROJECT_ROOT / "docs" / "screenshots"
COMMITMENT = "compromiso/estrategia-fortalecimiento-cultura-gobierno-abierto"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MIN_LABEL_PX = 11

#: every kind of page of the site, once
PAGE_KINDS = [
    ("home", "/"),
    ("search", "/buscar?q=paz+justicia"),
    ("entity", "/id/practica/reubicacion-ladrilleras-durango"),
    ("sdg-page", "/ods/16"),
    ("resource", "/recurso?iri=http%3A%2F%2Fpurl.org%2Fdc%2Fterms%2Fsubject"),
    ("views", "/vistas"),
    ("overview", "/vistas/general"),
    ("neighbourhood", "/vistas/vecindario/stl/estado-de-mexico?depth=3"),
    ("problem-tree", f"/vistas/arbol-de-problemas/{COMMITMENT}"),
    ("stl", "/vistas/stl"),
    ("timeline", "/vistas/historia"),
    ("sdg", "/vistas/ods"),
    ("metrica", "/vistas/municipios"),
    ("analytics", "/analitica"),
    ("centrality", "/analitica/centralidad"),
    ("components", "/analitica/componentes"),
    ("path", "/analitica/camino?desde=INFOEM&hasta=Toluca"),
    ("practices", "/practicas?q=Nuestro+registro+de+empresas+dej%C3%B3+de+funcionar+y+nadie+lo+actualiza"),
    ("compare", "/practicas/comparar?p=reubicacion-ladrilleras-durango&p=igualdad-laboral-salarial-jalisco"),
    ("sparql", "/sparql"),
    ("dataset", "/dataset"),
    ("releases", "/releases"),
    ("ontology", "/ontology"),
    ("graph-record", "/graph/presentacion/stl"),
    ("history", "/historial/stl/estado-de-mexico"),
    ("sign-in", "/acceso"),
    ("not-found", "/id/organizacion/no-existe"),
]
#: the graph views, and whether they open grouped
GRAPH_VIEWS = [
    ("overview", "/vistas/general", True),
    ("neighbourhood", "/vistas/vecindario/stl/estado-de-mexico?depth=3", True),
    ("sdg", "/vistas/ods", False),
    ("stl", "/vistas/stl", False),
    ("timeline", "/vistas/historia", False),
    ("problem-tree", f"/vistas/arbol-de-problemas/{COMMITMENT}", False),
]
#: what the page reads from vis-network: the zoom, and the smallest label font among the labelled nodes and edges
ON_SCREEN = """() => {
  const entry = window.__gakgNetworks[0];
  const body = entry.network.body;
  const fonts = [];
  for (const id of Object.keys(body.nodes)) {
    const n = body.nodes[id];
    if (n.options.label && !id.startsWith("edgeId:")) { fonts.push(n.options.font.size); }
  }
  for (const id of Object.keys(body.edges)) {
    const e = body.edges[id];
    if (e.options.label) { fonts.push(e.options.font.size); }
  }
  return { scale: entry.network.getScale(), font: Math.min(...fonts), nodes: entry.nodes.length,
           groups: entry.nodes.get({ filter: (n) => n.kind === "group" }).length };
}"""


@pytest.fixture(scope="module")
def server(site: str) -> str:
    """The shared read-only server (conftest ``site``): pages of every kind, the centrality's among them, as after a
    first visit."""
    return site


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with servers_.chromium() as b:
        yield b


def _page(browser: Browser, viewport: str, *, bypass_csp: bool = False) -> Page:
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=bypass_csp)
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    return page


def _open(page: Page, url: str) -> None:
    page.goto(url)
    if page.locator(".graph-embed").count():
        page.wait_for_selector(".graph-embed[data-nodes-drawn]", timeout=30_000)


def _shot(page: Page, name: str, *, for_readme: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"site-{name}.png"))
    if for_readme and os.environ.get("GRAPHAPP_SCREENSHOTS") == "docs":
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOC_SHOTS / f"{name}.png"))


# ---------------------------------------------------------------- readable graph views


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_graph_views_open_readable(server: str, browser: Browser, viewport: str) -> None:
    page = _page(browser, viewport)
    for name, path, grouped in GRAPH_VIEWS:
        _open(page, server + path + ("&" if "?" in path else "?") + "lang=es")
        seen = page.evaluate(ON_SCREEN)
        on_screen = seen["scale"] * seen["font"]
        assert on_screen >= MIN_LABEL_PX - 0.01, (name, viewport, seen)
        assert (seen["groups"] > 0) == grouped, (name, seen)
        assert seen["nodes"] <= 60, (name, seen)  # what opens is a picture a person can take in
        page.locator(".graph-embed").scroll_into_view_if_needed()
        _shot(
            page,
            f"{name}-{viewport}",
            for_readme=viewport == "desktop" and name in ("overview", "neighbourhood", "sdg"),
        )
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_group_opens_on_a_click(server: str, browser: Browser) -> None:
    page = _page(browser, "desktop")
    _open(page, server + "/vistas/general?lang=es")
    page.locator(".graph-embed").scroll_into_view_if_needed()
    target = page.evaluate(
        """() => {
      const entry = window.__gakgNetworks[0];
      const group = entry.nodes.get({ filter: (n) => n.kind === "group" && n.group_class.endsWith("#FederalEntity") })[0];
      entry.network.focus(group.id, { scale: 1.2 });
      const point = entry.network.canvasToDOM(entry.network.getPosition(group.id));
      const box = entry.element.getBoundingClientRect();
      return { id: group.id, members: group.members.length, x: box.left + point.x, y: box.top + point.y,
               before: entry.nodes.length };
    }"""
    )
    page.mouse.click(target["x"], target["y"])
    page.wait_for_selector(".graph-embed[data-opened='1']", timeout=10_000)
    after = page.evaluate(
        """(id) => {
      const entry = window.__gakgNetworks[0];
      return { nodes: entry.nodes.length, group: entry.nodes.get(id), states: entry.nodes.get({
        filter: (n) => n.class_iri && n.class_iri.endsWith("#FederalEntity") }).length, edges: entry.edges.length };
    }""",
        target["id"],
    )
    assert after["group"] is None and after["states"] == target["members"] == 32
    assert after["nodes"] == target["before"] - 1 + 32
    assert page.url.endswith("/vistas/general?lang=es")  # a group opens in place; it is not a page
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


# ---------------------------------------------------------------- phone layout and accessibility


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_no_page_scrolls_sideways_and_axe_finds_nothing_serious(server: str, browser: Browser, viewport: str) -> None:
    page = _page(browser, viewport, bypass_csp=True)  # axe-core is injected; the site's own pages stay as served
    axe = AXE.read_text(encoding="utf-8")
    width = VIEWPORTS[viewport]["width"]
    problems: list[tuple[str, str, str, int]] = []
    for name, path in PAGE_KINDS:
        for lang in ("es", "en") if name in ("home", "sparql", "dataset", "metrica") else ("es",):
            _open(page, server + path + ("&" if "?" in path else "?") + f"lang={lang}")
            measured = page.evaluate(
                "() => ({ scroll: document.documentElement.scrollWidth,"
                " header: document.querySelector('header.site').getBoundingClientRect().height })"
            )
            assert measured["scroll"] <= width, (name, viewport, measured)
            if viewport == "phone":
                assert measured["header"] <= 100, (name, measured)  # compact: was 273 px
            page.add_script_tag(content=axe)
            found = page.evaluate(
                """async () => {
              const r = await axe.run(document, { resultTypes: ["violations"] });
              return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
                                 .map((v) => [v.id, v.impact, v.nodes.length]);
            }"""
            )
            problems += [(name, rule, impact, n) for rule, impact, n in found]
        if viewport == "phone" and name in ("home", "entity", "metrica", "practices"):
            _shot(page, f"{name}-phone", for_readme=name in ("home", "metrica"))
    assert problems == [], problems
    page.context.close()


# ---------------------------------------------------------------- what a visitor does


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_visitor_tour(server: str, browser: Browser, viewport: str) -> None:
    page = _page(browser, viewport)
    # the map: each state links to its page; the municipalities are a ranked bar chart
    _open(page, server + "/vistas/municipios?lang=es")
    assert page.locator("figure.state-map:not(.local-map) svg path.state").count() == 32
    assert page.locator("figure.local-map svg path.state").count() == 32  # the local exercises' layer
    assert page.locator("ol.bars meter").count() == 5
    scores = [float(v) for v in page.locator("ol.bars meter").evaluate_all("(ms) => ms.map((m) => m.value)")]
    assert scores == sorted(scores, reverse=True)
    _shot(page, f"metrica-{viewport}", for_readme=viewport == "desktop")
    page.locator('.state-map:not(.local-map) a[href="/id/entidad/jalisco"]').click()
    page.wait_for_url("**/id/entidad/jalisco**")
    assert page.locator("#entity-label").inner_text() == "Jalisco"
    # the SDG view: the legend counts what is drawn, the practices are there through their themes
    _open(page, server + "/vistas/ods?lang=es")
    legend = page.locator(".legend").first.inner_text()
    assert "(0)" not in legend and "Lo que contribuye" in legend
    assert page.locator("table.sdg").get_by_text("Información para elegir bachillerato en Veracruz").count() >= 1
    # search by SDG code, then the local SDG page with the UN IRI linked once
    page.goto(server + "/buscar?q=Objetivo+16&lang=es")
    page.locator("ul.results a").first.click()
    page.wait_for_url("**/ods/16")
    assert page.locator('a[href^="http://metadata.un.org/"]').count() == 1
    # analytics: an index page, and betweenness on the open-government network by default
    page.goto(server + "/analitica?lang=es")
    page.get_by_role("link", name="Actores más centrales").click()
    page.wait_for_url("**/analitica/centralidad")
    ranking = page.locator("table.ranking").nth(1).inner_text()
    assert "Instituto de Transparencia" in ranking and "Loreto" not in ranking
    # tooltips: one sentence per timeline milestone and per SDG link, as the visitor hovers them
    for path, kind in (("/vistas/historia", "milestone"), ("/vistas/ods", "contributor")):
        _open(page, server + path + "?lang=es")
        page.locator(".graph-embed").scroll_into_view_if_needed()
        spot = page.evaluate(
            """(kind) => {
          const entry = window.__gakgNetworks[0];
          const node = entry.nodes.get({ filter: (n) => n.kind === kind })[0];
          entry.network.focus(node.id, { scale: 1.2 });
          const point = entry.network.canvasToDOM(entry.network.getPosition(node.id));
          const box = entry.element.getBoundingClientRect();
          const edges = entry.edges.get().map((e) => e.title);
          return { x: box.left + point.x, y: box.top + point.y, title: node.title, edges: edges };
        }""",
            kind,
        )
        assert all(t.count("\n") == 0 and t.endswith(".") for t in spot["edges"]), spot["edges"][:3]
        page.mouse.move(spot["x"], spot["y"])
        tooltip = page.locator("div.vis-tooltip")
        tooltip.wait_for(state="visible", timeout=5_000)
        shown = tooltip.inner_text().strip()
        assert shown == spot["title"].strip(), shown
        if kind == "milestone":  # one sentence, the class not repeated
            assert "\n" not in shown and shown.endswith("."), shown
    # a problem of the graph that only shares generic words with a practice finds nothing
    page.goto(server + "/practicas?problem=falta-de-consensos-en-decisiones-publicas&lang=es")
    assert page.locator("main").get_by_text("Ninguna práctica del grafo atiende un problema parecido").count() == 1
    # the finder: a long description finds the practice, explained in the reader's language
    page.goto(server + "/practicas?lang=es")
    page.fill(
        "textarea[name=q], input[name=q]",
        "Nuestro registro de empresas dejó de funcionar y nadie lo actualiza desde hace años",
    )
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Jalisco" in main and "Palabras en común" in main and "«registro» ≈ «registro»" in main
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()
