"""The CSV import in a real browser (Chromium through Playwright) against a real server: sign in with a staff
token, upload a file with a bad row and see every error in the preview (with suggestions for an ambiguous place),
upload the corrected file, press «Importar» and see what was written, then open the new practice. No console
errors (the CSP forbids inline scripts and styles). Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from graphapp.config import PROJECT_ROOT

from . import servers as servers_

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
TOKEN = "browser-import-update-token"
HEADER = "nombre;nombre (en);lugar;problema;solución;estado de vigencia;fuentes"
SOURCE = "cocreacion-desde-lo-local-inai-2020"
PROBLEM = "desinformacion-para-elegir-bachillerato"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("browser-import") / "server.log"
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


def _csv(folder: Path, name: str, place: str) -> Path:
    path = folder / name
    path.write_text(
        f"{HEADER}\n"
        f"Tianguis de datos de Lerma;Open data market of Lerma;municipio/15051;{PROBLEM};Un tianguis mensual de "
        f"datos abiertos;activa;{SOURCE}\n"
        f"Gaceta abierta;Open gazette;{place};{PROBLEM};La gaceta municipal en datos abiertos;activa;{SOURCE}\n",
        encoding="utf-8",
    )
    return path


def test_import_a_csv_file_in_the_browser(server: str, browser: Browser, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # without a session the page sends the browser to sign in, and back
        page.goto(server + "/importar")
        assert "/acceso?next=" in page.url
        page.fill("#token", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url(server + "/importar")
        expect(page.locator("h1")).to_have_text("Importar un archivo CSV")

        # a file with an ambiguous place: the preview names the row and the column, and suggests
        page.select_option("#f-kind", "practices")
        page.set_input_files("#f-file", str(_csv(tmp_path, "gacetas.csv", "La Paz")))
        page.click("form.import-form button[type=submit]")
        page.wait_for_selector("#import-preview")
        expect(page.locator("h1")).to_have_text("Revisión de la importación")
        expect(page.locator("#form-errors")).to_contain_text("No se puede importar")
        bad = page.locator("#row-3")
        expect(bad).to_contain_text("«lugar»")
        expect(bad).to_contain_text("«La Paz» es ambiguo")
        expect(bad.locator(".suggestions")).to_contain_text("municipio/15070 (La Paz, Estado de México)")
        expect(page.locator("#row-2")).to_contain_text("practica/tianguis-de-datos-de-lerma")
        assert page.locator("form.import-commit").count() == 0  # nothing to import yet
        _shot(page, "import-preview-errors")

        # the corrected file: every row passes, «Importar» writes both in one change
        page.click("text=Subir otro archivo")
        page.wait_for_url(server + "/importar")
        page.select_option("#f-kind", "practices")
        page.set_input_files("#f-file", str(_csv(tmp_path, "gacetas-bien.csv", "municipio/15070")))
        page.fill("#f-source", "https://example.org/oficio/12")
        page.click("form.import-form button[type=submit]")
        page.wait_for_selector("#import-ready")
        expect(page.locator("#import-counts")).to_contain_text("2: 2 válidas, 0 con errores")
        _shot(page, "import-preview-ready")
        page.click("form.import-commit button[type=submit]")
        page.wait_for_selector("#import-done")
        expect(page.locator("h1")).to_have_text("Importación hecha")
        expect(page.locator("#import-done")).to_contain_text("Se importaron 2 entidades en un solo cambio")
        expect(page.locator("#import-result")).to_contain_text("Gaceta abierta")
        _shot(page, "import-done")

        page.click("#import-result a:has-text('Tianguis de datos de Lerma')")
        page.wait_for_url(server + "/id/practica/tianguis-de-datos-de-lerma")
        expect(page.locator("h1#entity-label")).to_have_text("Tianguis de datos de Lerma")
        assert errors == [], errors
    finally:
        context.close()
