"""The practice form in a real browser (Chromium through Playwright) against a real server: sign in with a staff
token, submit the form with a required field empty, see the problem next to that field with everything else kept,
fix it, submit again and land on the new practice's page. No console errors (the CSP forbids inline scripts and
styles). Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphapp.config import PROJECT_ROOT

from . import servers as servers_

if not Path(servers_.CHROMIUM).exists():
    pytest.skip(f"no Chromium at {servers_.CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
TOKEN = "browser-forms-update-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("browser-forms") / "server.log"
    proc, base = servers_.start(log, GRAPHAPP_UPDATE_TOKEN=TOKEN, GRAPHAPP_WRITE_RATE="1000/minute")
    try:
        servers_.wait(proc, base, log)
        yield base
    finally:
        servers_.stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with servers_.chromium() as b:
        yield b


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_add_a_practice_by_form(server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # without a session the form sends the browser to sign in, and back
        page.goto(server + "/practicas/nueva")
        assert "/acceso?next=" in page.url
        page.fill("#token", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url(server + "/practicas/nueva")
        expect(page.locator("h1")).to_have_text("Nueva buena práctica")

        # everything but the solution
        page.fill("#f-label-es", "Agenda abierta de obras de Lerma")
        page.fill("#f-label-en", "Open public-works agenda of Lerma")
        page.fill("#f-place", "municipio/15051")
        page.select_option("#f-addresses_problem", "problema/desinformacion-para-elegir-bachillerato")
        page.select_option("#f-status", "estado-vigencia/activa")
        page.check("input[name=sources][value='fuente/cocreacion-desde-lo-local-inai-2020']")
        page.check("input[name=themes][value='tema/tramites']")
        page.fill("#f-contributes_to", "16.6")
        page.click("form.entity-form button[type=submit]")

        # the same form again: the problem next to the solution, in the summary, and what was typed kept
        page.wait_for_selector("#err-solution")
        expect(page.locator("#form-errors")).to_contain_text("Solución")
        expect(page.locator("#field-solution .field-error")).to_have_text("Error: Este campo es obligatorio.")
        solution = page.locator("#f-solution-es")
        expect(solution).to_have_attribute("aria-invalid", "true")
        assert "err-solution" in (solution.get_attribute("aria-describedby") or "")
        expect(page.locator("#f-label-es")).to_have_value("Agenda abierta de obras de Lerma")
        expect(page.locator("#f-label-en")).to_have_value("Open public-works agenda of Lerma")
        expect(page.locator("#f-place")).to_have_value("municipio/15051")
        expect(page.locator("#f-status")).to_have_value("estado-vigencia/activa")
        expect(page.locator("#f-addresses_problem")).to_have_value("problema/desinformacion-para-elegir-bachillerato")
        expect(page.locator("input[name=sources][value='fuente/cocreacion-desde-lo-local-inai-2020']")).to_be_checked()
        expect(page.locator("input[name=themes][value='tema/tramites']")).to_be_checked()
        expect(page.locator("#f-contributes_to")).to_have_value("16.6")
        assert page.locator("#f-place").get_attribute("aria-invalid") is None
        # the summary's link takes the reader to the field
        page.click("#form-errors a[href='#f-solution-es']")
        assert page.url.endswith("#f-solution-es")
        _shot(page, "form-practice-error")

        page.fill("#f-solution-es", "Una agenda pública con cada obra, su avance y su costo, actualizada cada semana.")
        page.click("form.entity-form button[type=submit]")
        page.wait_for_url(server + "/id/practica/agenda-abierta-de-obras-de-lerma")
        expect(page.locator("h1#entity-label")).to_have_text("Agenda abierta de obras de Lerma")
        _shot(page, "form-practice-created")

        # its history says who made it, and how
        page.click("text=Historial de cambios")
        expect(page.locator(".change .method").first).to_have_text("formulario")
        expect(page.locator("button", has_text="Revertir").first).to_be_visible()
        _shot(page, "form-practice-history")
        # the refused form is itself a 400 page, which Chromium reports; nothing else may go wrong
        refused = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
        assert [e for e in errors if e != refused] == [], errors
        assert errors.count(refused) <= 1, errors
    finally:
        context.close()
