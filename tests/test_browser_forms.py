"""The practice form in a real browser (Chromium through Playwright) against a real server: sign in with a staff
token, submit the form with a required field empty, see the problem next to that field with everything else kept,
fix it, submit again and land on the new practice's page; and correct a practice with its «Editar» button, then see
the correction on its page and in its history. No console errors (the CSP forbids inline scripts and styles).
Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from graphapp import staff
from graphapp.config import PROJECT_ROOT

from . import servers as servers_

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
TOKEN = "browser-forms-update-token"


@pytest.fixture(scope="module")
def ana(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("browser-staff") / "staff.json"
    _, token = staff.add(path, "ana.lopez", ["edit"], display_name="Ana López")
    return path, token


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, ana: tuple[Path, str]) -> Iterator[str]:
    log = tmp_path_factory.mktemp("browser-forms") / "server.log"
    proc, base = servers_.start(
        log, GRAPHAPP_UPDATE_TOKEN=TOKEN, GRAPHAPP_WRITE_RATE="1000/minute", GRAPHAPP_STAFF_FILE=str(ana[0])
    )
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


def test_add_a_practice_with_a_new_source_and_a_new_problem(server: str, browser: Browser) -> None:
    """Issue 17: from the browser alone, a 2026 municipal practice cites a new source and a new problem, both
    written with it in one change (no need to pick one of the existing sources or problems)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(server + "/acceso?next=/practicas/nueva")
        page.fill("#token", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url(server + "/practicas/nueva")
        page.fill("#f-label-es", "Presupuesto abierto de Metepec")
        page.fill("#f-label-en", "Metepec open budget")
        page.fill("#f-place", "Metepec")
        page.fill("#f-new_problem-label-es", "Falta de información sobre el gasto municipal")
        page.fill("#f-new_problem-label-en", "No information on municipal spending")
        page.fill("#f-solution-es", "Un tablero mensual del gasto del ayuntamiento, con cada contrato y su proveedor.")
        page.select_option("#f-status", "estado-vigencia/activa")
        page.fill("#f-new_source-title-es", "Informe de gobierno abierto de Metepec 2026")
        page.select_option("#f-new_source-publisher", "institucion/ayuntamiento-de-metepec")
        page.fill("#f-new_source-issued", "2026-03-15")
        page.fill("#f-new_source-url", "https://example.org/metepec/informe-2026")
        page.click("form.entity-form button[type=submit]")
        page.wait_for_url(server + "/id/practica/presupuesto-abierto-de-metepec")
        expect(page.locator("h1#entity-label")).to_have_text("Presupuesto abierto de Metepec")
        _shot(page, "form-practice-new-source-problem")
        # the new problem and the new source are entities of their own, linked from the practice
        expect(page.locator("a", has_text="Falta de información sobre el gasto municipal").first).to_be_visible()
        page.locator("a", has_text="Informe de gobierno abierto de Metepec 2026").first.click()
        expect(page.locator("h1#entity-label")).to_have_text("Informe de gobierno abierto de Metepec 2026")
    finally:
        context.close()


def _create_practice(server: str, label: str) -> str:
    """A practice added through the JSON API (with the operator's token); its page's path."""
    body = {
        "label": {"es": label},
        "place": "municipio/15106",
        "addresses_problem": "desinformacion-para-elegir-bachillerato",
        "solution": {"es": "Un tablero con el avance de cada obra."},
        "status": "activa",
        "sources": ["cocreacion-desde-lo-local-inai-2020"],
    }
    request = urllib.request.Request(
        server + "/api/entities/practice",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201
        return "/id/practica/" + json.load(answer)["slug"]


def test_correct_a_practice_with_its_edit_button(server: str, browser: Browser, ana: tuple[Path, str]) -> None:
    path = _create_practice(server, "Tablero de obras de Toluca")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # anonymous: no button
        page.goto(server + path)
        expect(page.locator("h1#entity-label")).to_have_text("Tablero de obras de Toluca")
        expect(page.locator("#edit-entity")).to_have_count(0)

        # signed in as Ana: «Editar» opens the form, filled in
        page.goto(server + "/acceso?next=" + path)
        page.fill("#token", ana[1])
        page.click("button[type=submit]")
        page.wait_for_url(server + path)
        page.click("#edit-entity")
        page.wait_for_url(server + "/editar" + path[len("/id") :])
        expect(page.locator("h1")).to_have_text("Corregir: Tablero de obras de Toluca")
        expect(page.locator("#f-label-es")).to_have_value("Tablero de obras de Toluca")
        expect(page.locator("#f-status")).to_have_value("estado-vigencia/activa")
        expect(page.locator("#f-place")).to_have_value("municipio/15106")
        expect(page.locator("input[name=sources][value='fuente/cocreacion-desde-lo-local-inai-2020']")).to_be_checked()
        solution = page.locator("#f-solution-es")
        expect(solution).to_have_value("Un tablero con el avance de cada obra.")

        # change a field and save: back on the page, the change is there
        solution.fill("Un tablero público con el avance, el costo y la empresa de cada obra.")
        page.fill("#f-label-en", "Toluca public-works dashboard")
        _shot(page, "form-practice-edit")
        page.click("form.entity-form button[type=submit]")
        page.wait_for_url(server + path)
        expect(page.locator("article.entity")).to_contain_text(
            "Un tablero público con el avance, el costo y la empresa de cada obra."
        )

        # the history: a correction by Ana, through the form
        page.click("text=Historial de cambios")
        newest = page.locator(".change").first
        expect(newest.locator(".what")).to_have_text("corrección")
        expect(newest.locator(".method")).to_have_text("formulario")
        expect(newest).to_contain_text("Ana López")
        expect(newest.locator("table.statements.added")).to_contain_text("Toluca public-works dashboard")
        _shot(page, "form-practice-edit-history")
        assert errors == [], errors
    finally:
        context.close()
