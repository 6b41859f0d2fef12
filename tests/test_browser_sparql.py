"""The query editor (YASGUI), the plain query form and the API page in a real browser (Debian's Chromium through
Playwright) against a real uvicorn server: everything loads from the server itself under the site's
Content-Security-Policy, with no console error."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from . import servers as servers_


@pytest.fixture(scope="module")
def server(site: str) -> str:
    return site  # the shared read-only server (conftest ``site``)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with servers_.chromium() as b:
        yield b


class Watch:
    """A page that records console errors (CSP violations included) and every URL it requests."""

    def __init__(self, browser: Browser, *, javascript: bool = True) -> None:
        self.context = browser.new_context(java_script_enabled=javascript)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def assert_clean(self, base: str) -> None:
        assert not self.errors, self.errors
        outside = [u for u in self.requests if not u.startswith((base + "/", "data:", "blob:"))]
        assert not outside, outside


@pytest.fixture()
def watch(browser: Browser) -> Iterator[Watch]:
    w = Watch(browser)
    try:
        yield w
    finally:
        w.context.close()


def test_api_page_lists_the_operations(server: str, watch: Watch) -> None:
    watch.page.goto(server + "/docs")
    watch.page.wait_for_selector(".opblock", timeout=30_000)
    operations = watch.page.locator(".opblock-summary-path").all_inner_texts()
    assert "/sparql" in [o.strip().replace("\u200b", "") for o in operations]
    assert watch.page.locator(".opblock").count() >= 10
    assert "Unable to render" not in watch.page.content()
    watch.assert_clean(server)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers.get("content-type", "")
    except urllib.error.HTTPError as e:  # say which link and why, not just the status
        raise AssertionError(f"{url}: {e.code} {e.read()[:500]!r}") from None


def _yasgui(watch: Watch, server: str) -> Page:
    page = watch.page
    page.goto(server + "/sparql")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror", timeout=30_000)
    return page


def test_yasgui_runs_an_example_and_shows_its_table(server: str, watch: Watch) -> None:
    page = _yasgui(watch, server)
    assert page.locator("#plain-editor").is_hidden()  # the plain form's editor steps aside
    page.select_option("#examples", "example-best-practices")
    assert "ga:BestPractice" in page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr td", timeout=30_000)
    cells = " ".join(page.locator(".yasr table tbody td").all_inner_texts())
    assert "Reubicación de las ladrilleras de Durango" in cells
    watch.assert_clean(server)


#: what YASGUI writes in English (text, titles, labels for assistive technology): none on a Spanish page
YASGUI_ENGLISH = [
    "Query",
    "Table",
    "Response",
    "Page size",
    "Simple view",
    "Ellipse",
    "Run query",
    "Share query",
    "Filter query results",
    "Download result",
    "Showing",
    "results in",
    "Add tab",
    "Close tab",
    "Open settings",
    "Activate to sort",
]
#: the editor's interface as a reader meets it: its text and its titles, aria-labels and placeholders, without the
#: query itself, the results and the variable names (data, never translated)
INTERFACE = """() => {
  const root = document.getElementById("yasgui");
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement.closest(".CodeMirror-lines, tbody, .dt-column-title")) { found.push(n.nodeValue.trim()); }
  }
  root.querySelectorAll("[title], [aria-label], [placeholder]").forEach((e) => {
    ["title", "aria-label", "placeholder"].forEach((a) => { if (e.getAttribute(a)) { found.push(e.getAttribute(a)); } });
  });
  return found.filter((t) => t).join(" | ");
}"""


def _run_example(page: Page) -> str:
    page.select_option("#examples", "example-best-practices")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr .select_table:not(.disabled)", timeout=30_000)
    page.click(".yasr .select_table")  # the view YASGUI kept from an earlier visit may be the other one
    page.wait_for_selector(".yasr table tbody tr td", timeout=30_000)
    page.wait_for_selector(".yasr .dt-info", timeout=30_000)
    shown = page.evaluate(INTERFACE)
    page.click(".yasr .select_response")  # the other view, and the tab's settings
    page.click(".tabContextButton")
    shown += " | " + page.evaluate(INTERFACE)
    page.click(".tabContextButton")
    return str(shown)


def test_the_editor_speaks_the_readers_language(server: str, watch: Watch) -> None:
    page = watch.page
    page.goto(server + "/sparql?lang=es")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror", timeout=30_000)
    spanish = _run_example(page)
    found = [word for word in YASGUI_ENGLISH if word in spanish]
    assert found == [], (found, spanish)
    for word in ("Consulta", "Tabla", "Respuesta", "Filas por página", "Ejecutar la consulta", "Filas 1 a 3 de 3"):
        assert word in spanish, (word, spanish)
    assert "Reubicación de las ladrilleras de Durango" in " ".join(
        page.locator(".yasr .CodeMirror-lines").all_inner_texts()
    )
    page.goto(server + "/sparql?lang=en")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror", timeout=30_000)
    english = _run_example(page)
    for word in ("Query", "Table", "Response", "Page size", "Run query", "Showing 1 to 3 of 3"):
        assert word in english, (word, english)
    assert "Tabla" not in english and "Filas por página" not in english
    watch.assert_clean(server)


def test_the_api_page_speaks_the_readers_language(server: str, watch: Watch) -> None:
    page = watch.page
    page.goto(server + "/docs?lang=es")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator("header.site").count() == 1 and page.locator("#lang-switch").inner_text() == "English"
    summaries = page.locator(".opblock-summary-description").all_inner_texts()
    assert "Consulta SPARQL (GET) o página de consulta / descripción del servicio" in summaries
    assert "Home page (HTML) / headline figures (JSON)" not in summaries
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body .parameters-container, .opblock-body .opblock-description-wrapper")
    body = page.locator(".opblock-body").first.inner_text()
    assert "Respuestas" in body and "Responses" not in body
    page.click("#lang-switch")
    page.wait_for_selector(".opblock", timeout=30_000)
    summaries = page.locator(".opblock-summary-description").all_inner_texts()
    assert "Home page (HTML) / headline figures (JSON)" in summaries
    watch.assert_clean(server)


def test_download_links_offer_exactly_the_formats_of_each_example(server: str, watch: Watch) -> None:
    from graphapp.results import formats_for
    from graphapp.web.routers.sparql import examples

    page = _yasgui(watch, server)
    for example in examples():
        page.select_option("#examples", example.name)
        links = page.eval_on_selector_all(
            "#download-links a.download", "els => els.map(a => [a.dataset.format, a.dataset.media, a.href])"
        )
        assert [key for key, _, _ in links] == [f.key for f in formats_for(example.form)], example.name
        for key, media, href in links:
            status, content_type = _get(href)
            assert status == 200 and content_type.startswith(media), (example.name, key, content_type)
    watch.assert_clean(server)


def test_without_javascript_the_plain_form_runs_the_query(server: str, browser: Browser) -> None:
    w = Watch(browser, javascript=False)
    try:
        w.page.goto(server + "/sparql")
        assert w.page.locator("#query").is_visible()
        w.page.fill("#query", "SELECT ?x WHERE { BIND(42 AS ?x) }")
        with w.page.expect_navigation():
            w.page.click("#run")
        assert "42" in w.page.content()
        assert "/sparql?query=" in w.page.url
    finally:
        w.context.close()


def _completions(page: Page, text: str) -> list[str]:
    """Type ``text`` at the end of the query, ask for completion (Ctrl-Space) and read the hints offered."""
    page.evaluate(
        """(text) => { const cm = document.querySelector('.CodeMirror').CodeMirror;
             cm.focus(); cm.setCursor(cm.lineCount(), 0); cm.replaceSelection(text); }""",
        text,
    )
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li", timeout=15_000)
    return page.locator(".CodeMirror-hints li").all_inner_texts()


def test_the_editor_completes_the_graphs_own_classes_properties_and_prefixes(server: str, watch: Watch) -> None:
    page = _yasgui(watch, server)
    page.evaluate(
        "() => document.querySelector('.CodeMirror').CodeMirror.setValue('PREFIX ga: <https://w3id.org/gakg/ontology#>\\nSELECT * WHERE {\\n')"
    )
    classes = _completions(page, "?p a ga:Best")
    assert "ga:BestPractice" in classes, classes
    page.keyboard.press("Escape")
    properties = _completions(page, " .\n?p ga:addresses")
    assert any(p.startswith("ga:addresses") for p in properties), properties
    page.keyboard.press("Escape")
    # a prefix the query does not declare yet: the project's own list, never the web's
    page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.setValue('')")
    prefixes = _completions(page, "PREFIX practi")
    assert any(p.startswith("practica: <https://w3id.org/gakg/id/practica/>") for p in prefixes), prefixes
    watch.assert_clean(server)  # no request left the server (no LOV, no prefix.cc)


def test_results_link_to_local_pages_and_the_query_can_be_cited(server: str, watch: Watch) -> None:
    page = _yasgui(watch, server)
    page.click(".yasqe_queryButton")  # the page's own query: each best practice (an IRI) and its name
    page.wait_for_selector(".yasr .select_table:not(.disabled)", timeout=30_000)
    page.click(".yasr .select_table")
    page.wait_for_selector(".yasr table tbody tr td a", timeout=30_000)
    hrefs = page.locator(".yasr table tbody td a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert any(h.startswith("/id/practica/") for h in hrefs), hrefs
    assert not any(h.startswith("https://w3id.org/gakg/") for h in hrefs), hrefs
    version = urllib.request.urlopen(server + "/health", timeout=30).headers["X-Graph-Version"]
    page.click("#cite-button")
    page.wait_for_selector("#cite-box:not([hidden])", timeout=15_000)
    text = page.locator("#cite-text").inner_text()
    assert f"versión {version}" in text and "[conjunto de datos]" in text, text
    # the citation's long address (the query, percent-encoded) wraps: the page does not scroll sideways
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    rerun = page.locator("#cite-rerun").get_attribute("href") or ""
    assert f"version={version}" in rerun and "query=" in rerun
    # the link runs the query again on that version: the same rows, as a page
    page.goto(rerun.replace(rerun.split("/sparql")[0], server))
    page.wait_for_selector("#results-table tbody tr", timeout=30_000)
    assert page.locator("#result-version").inner_text() == version
    assert "Reubicación de las ladrilleras de Durango" in page.locator("#results-table").inner_text()
    watch.assert_clean(server)


def test_the_editor_queries_an_earlier_version(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> None:
    """/sparql?version=N: the editor sends every query with that version (a server of its own, with one write)."""
    log = tmp_path_factory.mktemp("versioned-editor") / "server.log"
    proc, base = servers_.start(log, GRAPHAPP_UPDATE_TOKEN="editor-version-token")
    try:
        servers_.wait(proc, base, log)
        note = "https://w3id.org/gakg/id/prueba/nota-del-editor"
        update = f'INSERT DATA {{ GRAPH <https://w3id.org/gakg/graph/contrib/staff> {{ <{note}> <http://www.w3.org/2000/01/rdf-schema#label> "nota"@es }} }}'
        request = urllib.request.Request(
            base + "/sparql/update",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer editor-version-token"},
        )
        with urllib.request.urlopen(request, timeout=60) as r:
            assert r.status == 204
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{note}> ?p ?o }}"
        counts = {}
        for version in ("0", "1"):
            w = Watch(browser)
            try:
                page = w.page
                page.goto(base + f"/sparql?version={version}&lang=es")
                page.wait_for_selector("#yasgui .yasqe .CodeMirror", timeout=30_000)
                if version == "0":
                    assert "se hacen sobre la versión" in page.locator(".version-notice").inner_text()
                else:
                    assert page.locator(".version-notice").count() == 0  # version 1 is the current one
                page.evaluate("(q) => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)
                page.click(".yasqe_queryButton")
                page.wait_for_selector(".yasr .select_table:not(.disabled)", timeout=30_000)
                page.click(".yasr .select_table")
                page.wait_for_selector(".yasr table tbody tr td", timeout=30_000)
                counts[version] = page.locator(".yasr table tbody tr td").nth(1).inner_text()
                w.assert_clean(base)
            finally:
                w.context.close()
        assert counts["0"].strip('"').startswith("0") and counts["1"].strip('"').startswith("1"), counts
    finally:
        servers_.stop(proc)
