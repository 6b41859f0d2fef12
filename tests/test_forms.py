"""Staff web forms (a new practice, a new organisation), the change history page with its revert button, and the
notice on a retired entity's page.

A valid form is written through the one write path (method ``form``) and seen at once on the entity's page, in
/sparql and in the practice finder; a refused one comes back (400) with what was typed and each problem next to
its field, in the reader's language, and writes nothing. The pages need a session (a browser without one is sent
to /acceso) and every POST its CSRF token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graphapp import staff
from graphapp.config import Settings
from graphapp.web.app import create_app
from graphapp.writes.entities import ORGANISATION, PRACTICE

TOKEN = "forms-test-update-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/gakg/id/"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def ana(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("staff") / "staff.json"
    _, token = staff.add(path, "ana.lopez", ["edit"], display_name="Ana López")
    staff.add(path, "lector.uno", ["admin"], display_name="Lector Uno")  # no 'edit' role
    return path, token


@pytest.fixture(scope="module")
def app_client(ana: tuple[Path, str]) -> Iterator[TestClient]:
    env = {"GRAPHAPP_STORE_DIR": ":memory:", "GRAPHAPP_WRITE_RATE": "1000/minute", "GRAPHAPP_STAFF_FILE": str(ana[0])}
    with TestClient(create_app(Settings.from_env(env, workers=1, update_token=TOKEN))) as client:
        yield client


@pytest.fixture()
def anon(app_client: TestClient) -> TestClient:
    app_client.cookies.clear()
    return app_client


@pytest.fixture()
def client(anon: TestClient, ana: tuple[Path, str]) -> TestClient:
    """Signed in as Ana (a staff member with the role ``edit``), in Spanish."""
    sign_in(anon, ana[1])
    return anon


def sign_in(client: TestClient, token: str) -> None:
    r = client.post("/acceso", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text


def csrf(client: TestClient, url: str = "/practicas/nueva") -> str:
    page = client.get(url, headers=HTML)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def field(html: str, name: str) -> str:
    """The HTML of one field of a form: from its wrapper to the next field's."""
    start = html.index(f'id="field-{name}"')
    end = html.find('id="field-', start + 1)
    return html[start : end if end > 0 else len(html)]


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with ``element_id``."""
    found = re.search(rf'<(input|textarea|select)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert found, element_id
    return found.group(0)


def practice_form(label: str, **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "label.es": label,
        "label.en": "",
        "place": "municipio/15054",
        "addresses_problem": "problema/desinformacion-para-elegir-bachillerato",
        "solution.es": "Una ventanilla digital para tramitar licencias de funcionamiento sin filas ni papeles.",
        "solution.en": "",
        "status": "estado-vigencia/activa",
        "sources": ["fuente/cocreacion-desde-lo-local-inai-2020"],
    }
    data.update(more)
    return data


def post(client: TestClient, url: str, data: dict[str, Any], token: str | None = None) -> Any:
    return client.post(url, data={**data, "csrf_token": token or csrf(client, url)}, follow_redirects=False)


def sparql_labels(client: TestClient, iri: str) -> set[str]:
    query = f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["l"]["value"] for b in r.json()["results"]["bindings"]}


def history(client: TestClient, path: str, **params: str) -> dict[str, Any]:
    r = client.get(f"/historial/{path}", params={"format": "json", "lang": "es", **params})
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- who may use the forms


@pytest.mark.parametrize("url", ["/practicas/nueva", "/organizaciones/nueva"])
def test_a_browser_without_a_session_is_sent_to_sign_in(anon: TestClient, url: str) -> None:
    r = anon.get(url, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/acceso?next=" + url.replace("/", "%2F")
    assert anon.get(url, headers={"Accept": "application/json"}).status_code == 401
    assert anon.post(url, data=practice_form("Sin sesión"), follow_redirects=False).status_code == 401


def test_a_form_without_its_csrf_token_is_403_and_writes_nothing(client: TestClient) -> None:
    r = client.post("/practicas/nueva", data=practice_form("Sin token CSRF"), follow_redirects=False)
    assert r.status_code == 403
    r = post(client, "/practicas/nueva", practice_form("Con un token CSRF falso"), token="falso")
    assert r.status_code == 403
    assert client.get("/id/practica/sin-token-csrf", headers=HTML).status_code == 404
    assert client.get("/historial/practica/con-un-token-csrf-falso").status_code == 404


def test_the_form_needs_the_role_edit(anon: TestClient, ana: tuple[Path, str]) -> None:
    _, token = staff.rotate(ana[0], "lector.uno")
    sign_in(anon, token)
    assert anon.get("/practicas/nueva", headers=HTML).status_code == 403


# ---------------------------------------------------------------- the form, from the declarations


def test_the_practice_form_has_every_declared_field_in_the_readers_language(client: TestClient) -> None:
    page = client.get("/practicas/nueva", headers=HTML)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert "<h1>Nueva buena práctica</h1>" in html
    for f in PRACTICE.fields:
        block = field(html, f.name)
        assert f.label_es in unescape(block), f.name
        assert ("(obligatorio)" in block) == f.required, f.name
    # every control has a label bound to it
    for control_id in re.findall(r'<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"', html):
        assert f'for="{control_id}"' in html, control_id
    # references: a select of the existing statuses and problems, checkboxes of sources, a datalist of places
    status = field(html, "status")
    assert '<select id="f-status" name="status" required' in status
    assert '<option value="estado-vigencia/activa">Activa</option>' in status
    assert 'value="problema/desinformacion-para-elegir-bachillerato"' in field(html, "addresses_problem")
    assert 'type="checkbox"' in field(html, "sources") and 'value="fuente/enaid-2019"' in field(html, "sources")
    place = field(html, "place")
    assert 'list="list-place"' in place and '<option value="municipio/15106">Toluca</option>' in place
    assert 'list="list-contributes_to"' in field(html, "contributes_to")
    assert 'name="source"' in html and 'name="slug"' in html
    assert "<script" not in html.split("<main>")[1]  # no inline script (the CSP forbids it)

    english = client.get("/practicas/nueva?lang=en", headers=HTML).text
    assert "<h1>New best practice</h1>" in english
    for f in PRACTICE.fields:
        block = field(english, f.name)
        assert f.label_en in unescape(block) and ("(required)" in block) == f.required, f.name


def test_the_organisation_form_has_its_fields(client: TestClient) -> None:
    html = client.get("/organizaciones/nueva", headers=HTML).text
    assert "Nueva organización de la sociedad civil" in html
    for f in ORGANISATION.fields:
        assert f.label_es in unescape(field(html, f.name)), f.name
    assert 'list="list-jurisdiction"' in field(html, "jurisdiction")


# ---------------------------------------------------------------- a valid practice


def test_a_valid_practice_is_written_and_seen_everywhere(client: TestClient) -> None:
    data = practice_form(
        "Ventanilla digital de licencias de Metepec",
        **{
            "label.en": "Metepec digital licensing window",
            "place": "Metepec",  # the exact name of a place is taken too
            "themes": ["tema/tramites"],
            "contributes_to": ["16.6", "", ""],
            "description.es": "Metepec abrió una ventanilla digital de licencias de funcionamiento.",
            "see_also": "https://example.org/ventanilla\n",
            "source": "https://example.org/oficio/15",
        },
    )
    r = post(client, "/practicas/nueva", data)
    assert r.status_code == 303, r.text
    slug = "ventanilla-digital-de-licencias-de-metepec"
    iri = ID + "practica/" + slug
    assert r.headers["location"] == f"/id/practica/{slug}"

    page = client.get(r.headers["location"], headers=HTML)
    assert page.status_code == 200 and "Ventanilla digital de licencias de Metepec" in page.text
    assert f'href="/historial/practica/{slug}"' in page.text and "Historial de cambios" in page.text
    assert sparql_labels(client, iri) == {
        "Ventanilla digital de licencias de Metepec",
        "Metepec digital licensing window",
    }
    entity = client.get(f"/api/entities/practice/{slug}").json()
    assert entity["place"] == ID + "municipio/15054"
    assert entity["contributes_to"] == ["http://metadata.un.org/sdg/16.6"]
    assert entity["themes"] == [ID + "tema/tramites"] and entity["see_also"] == ["https://example.org/ventanilla"]
    hits = client.get("/api/practices/search", params={"q": "ventanilla digital de licencias en Metepec"}).json()
    assert iri in [h["iri"] for h in hits["results"]]

    (change,) = history(client, f"practica/{slug}")["changes"]
    assert (change["method"], change["actor"], change["source"]) == (
        "form",
        "ana.lopez",
        "https://example.org/oficio/15",
    )

    # the same name again: the IRI is taken, 409 and the form again with the reason by the name
    again = post(client, "/practicas/nueva", data)
    assert again.status_code == 409
    assert "Ya existe" in unescape(field(again.text, "label"))
    assert 'aria-invalid="true"' in tag(again.text, "f-label-es")


# ---------------------------------------------------------------- an invalid practice


INVALID = practice_form(
    "",
    **{
        "label.en": "Only an English name",
        "solution.es": "",
        "place": "municipio/15106",
        "inactive_since": "hace mucho",
        "themes": ["tema/tramites", "tema/uso-de-suelo"],
        "contributes_to": ["4.1", "", ""],
        "source": "https://example.org/oficio/16",
    },
)


def test_an_invalid_practice_comes_back_with_what_was_typed_and_each_problem_by_its_field(
    client: TestClient,
) -> None:
    before = history(client, "practica/reubicacion-ladrilleras-durango")["changes"]
    r = post(client, "/practicas/nueva", INVALID)
    assert r.status_code == 400
    html = r.text
    assert "Nothing was saved" not in html and "No se guardó nada" in html

    # what was typed is still there
    assert 'value="Only an English name"' in tag(html, "f-label-en")
    assert 'value="municipio/15106"' in tag(html, "f-place")
    assert 'value="hace mucho"' in tag(html, "f-inactive_since")
    assert 'value="4.1"' in tag(html, "f-contributes_to")
    assert '<option value="estado-vigencia/activa" selected>' in field(html, "status")
    assert '<option value="problema/desinformacion-para-elegir-bachillerato" selected>' in field(
        html, "addresses_problem"
    )
    themes = field(html, "themes")
    assert re.search(r'value="tema/tramites" checked', themes) and re.search(
        r'value="tema/uso-de-suelo" checked', themes
    )
    assert not re.search(r'value="tema/proteccion-civil" checked', themes)
    assert 'value="fuente/cocreacion-desde-lo-local-inai-2020" checked' in field(html, "sources")
    assert 'value="https://example.org/oficio/16"' in tag(html, "f-source")

    # each problem next to its field, bound to the inputs, in Spanish
    solution = field(html, "solution")
    assert '<p class="field-error" id="err-solution">' in solution and "Este campo es obligatorio." in solution
    for control in ("f-solution-es", "f-solution-en"):
        assert 'aria-invalid="true"' in tag(html, control)
        assert "err-solution" in tag(html, control)
    label = unescape(field(html, "label"))
    assert "Falta el nombre en español" in label and 'aria-invalid="true"' in tag(html, "f-label-es")
    year = unescape(field(html, "inactive_since"))
    assert "Valor no válido para «Inactiva desde (año)»: se espera un año de cuatro cifras." in year
    assert 'aria-describedby="hint-inactive_since err-inactive_since"' in tag(html, "f-inactive_since")
    # fields without a problem are not marked
    assert "aria-invalid" not in tag(html, "f-place") and "field-error" not in field(html, "place")
    assert "field-error" not in field(html, "status")

    # the summary at the top links to the fields
    summary = html[html.index('class="form-errors"') : html.index("<form")]
    assert '<a href="#f-solution-es">Solución</a>' in summary
    assert '<a href="#f-label-es">Nombre</a>' in summary
    assert '<a href="#f-inactive_since">Inactiva desde (año)</a>' in summary

    # nothing written
    assert history(client, "practica/reubicacion-ladrilleras-durango")["changes"] == before
    assert client.get("/historial/practica/only-an-english-name").status_code == 404


def test_an_invalid_practice_in_english(client: TestClient) -> None:
    token = csrf(client, "/practicas/nueva?lang=en")
    r = client.post("/practicas/nueva?lang=en", data={**INVALID, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 400
    html = r.text
    assert "Nothing was saved" in html
    assert "This field is required." in field(html, "solution")
    assert "The Spanish name (with letters or digits) is missing" in field(html, "label")
    assert "Invalid value for 'Inactive since (year)': expected a four-digit year." in unescape(
        field(html, "inactive_since")
    )
    assert '<a href="#f-solution-es">Solution</a>' in html
    assert 'value="Only an English name"' in tag(html, "f-label-en")


def test_unknown_references_and_a_bad_source_are_named_at_once(client: TestClient) -> None:
    data = practice_form(
        "Práctica con referencias rotas", place="atlantida", contributes_to=["99"], source="no es una dirección"
    )
    r = post(client, "/practicas/nueva", data)
    assert r.status_code == 400
    assert "No hay ninguna entidad «atlantida» en el grafo" in unescape(field(r.text, "place"))
    assert "«99»" in unescape(field(r.text, "contributes_to"))
    assert "No es una dirección http(s) válida" in unescape(field(r.text, "source"))
    assert 'value="no es una dirección"' in tag(r.text, "f-source")
    assert client.get("/historial/practica/practica-con-referencias-rotas").status_code == 404


def test_a_shape_violation_comes_back_by_its_field(client: TestClient) -> None:
    r = post(client, "/practicas/nueva", practice_form("Práctica inactiva sin año de cierre", status="inactiva"))
    assert r.status_code == 400
    assert "Una práctica inactiva" in unescape(field(r.text, "status"))
    assert client.get("/historial/practica/practica-inactiva-sin-ano-de-cierre").status_code == 404


def test_a_body_that_is_not_a_form_is_400(client: TestClient) -> None:
    token = csrf(client)
    r = client.post(
        "/practicas/nueva",
        content=b'{"label": "x"}',
        headers={"Content-Type": "application/json", "X-CSRF-Token": token},
    )
    assert r.status_code == 400


# ---------------------------------------------------------------- an organisation


def test_an_organisation_by_form(client: TestClient) -> None:
    url = "/organizaciones/nueva"
    bad = post(client, url, {"label.es": "Colectivo Transparencia Toluca", "jurisdiction": "narnia", "acronym": "CTT"})
    assert bad.status_code == 400
    assert "«narnia»" in unescape(field(bad.text, "jurisdiction"))
    assert 'value="CTT"' in tag(bad.text, "f-acronym")
    assert 'value="Colectivo Transparencia Toluca"' in tag(bad.text, "f-label-es")

    data = {
        "label.es": "Colectivo Transparencia Toluca",
        "label.en": "Toluca Transparency Collective",
        "acronym": "CTT",
        "jurisdiction": "municipio/15106",
        "alt_labels.es": "Colectivo CTT\nTransparencia Toluca\n",
        "same_as": "Q42\n",
    }
    r = post(client, url, data)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/id/organizacion/colectivo-transparencia-toluca"
    entity = client.get("/api/entities/organisation/colectivo-transparencia-toluca").json()
    assert entity["acronym"] == "CTT" and entity["jurisdiction"] == ID + "municipio/15106"
    assert entity["alt_labels"]["es"] == ["Colectivo CTT", "Transparencia Toluca"]
    assert entity["same_as"] == ["http://www.wikidata.org/entity/Q42"]
    types = client.get(
        "/sparql",
        params={"query": f"ASK {{ <{entity['iri']}> a <https://w3id.org/gakg/ontology#CivilSocietyOrganization> }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert types.json()["boolean"] is True
    assert history(client, "organizacion/colectivo-transparencia-toluca")["changes"][0]["method"] == "form"


# ---------------------------------------------------------------- the history page


def test_the_history_page_lists_the_form_change(client: TestClient) -> None:
    r = post(client, "/practicas/nueva", practice_form("Padrón abierto de tianguis de Metepec"))
    assert r.status_code == 303, r.text
    path = "practica/padron-abierto-de-tianguis-de-metepec"
    page = client.get(f"/historial/{path}", headers=HTML)
    assert page.status_code == 200
    html = unescape(page.text)
    assert "Historial de cambios" in html and "Padrón abierto de tianguis de Metepec" in html
    assert '<dd class="method" data-method="form">formulario</dd>' in html
    assert "Ana López (<code>ana.lopez</code>)" in html
    assert "Agregó" in html and "Desinformación para la elección de bachilleratos" in html  # value labels
    assert ">solución</a>" in html  # property labels
    assert 'href="/id/problema/desinformacion-para-elegir-bachillerato"' in html
    assert "Revertir" in html and 'name="csrf_token"' in html  # Ana may undo it

    english = unescape(client.get(f"/historial/{path}?lang=en", headers=HTML).text)
    assert "Change history" in english and '<dd class="method" data-method="form">form</dd>' in english
    assert "Added" in english and "Revert" in english

    twin = history(client, path)
    (change,) = twin["changes"]
    assert twin["iri"] == ID + path and twin["href"] == "/" + "id/" + path
    assert (change["method"], change["method_label"], change["actor"], change["actor_name"]) == (
        "form",
        "formulario",
        "ana.lopez",
        "Ana López",
    )
    assert change["reverted_by"] is None and change["removed"] == []
    solution = next(row for row in change["added"] if row["property"].endswith("#solution"))
    assert solution["property_label"] == "solución" and solution["value"]["lang"] == "es"
    as_json = client.get(f"/historial/{path}?lang=es", headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json" and as_json.json() == twin


def test_the_history_of_an_entity_of_the_project_files(anon: TestClient) -> None:
    path = "practica/reubicacion-ladrilleras-durango"
    entity = anon.get(f"/id/{path}", headers=HTML).text
    assert f'href="/historial/{path}"' in entity
    html = anon.get(f"/historial/{path}", headers=HTML).text
    assert "Sin cambios registrados: sus datos vienen de los archivos del proyecto" in html
    assert 'href="/graph/presentacion/' in html
    assert "Revertir" not in html  # not signed in
    twin = history(anon, path)
    assert twin["changes"] == [] and any(f["href"].startswith("/graph/presentacion/") for f in twin["source_files"])
    assert anon.get("/historial/practica/no-existe", headers=HTML).status_code == 404
    assert anon.get("/historial/practica/no-existe", params={"format": "json"}).status_code == 404


def test_revert_from_the_history_page_restores_the_entity(client: TestClient) -> None:
    r = post(client, "/practicas/nueva", practice_form("Mercado abierto de Metepec"))
    assert r.status_code == 303, r.text
    slug = "mercado-abierto-de-metepec"
    retire = client.post(
        f"/api/entities/practice/{slug}/retirar",
        json={"date": "2027-03-12", "reason": {"es": "Duplicada de otra práctica.", "en": "A duplicate."}},
        headers=AUTH,
    )
    assert retire.status_code == 200, retire.text
    page = client.get(f"/id/practica/{slug}", headers=HTML).text
    assert "Retirada el <time" in page and "Duplicada de otra práctica." in page

    retirement = history(client, f"practica/{slug}")["changes"][0]
    assert retirement["method"] == "retire" and retirement["method_label"] == "retiro"
    url = f"/historial/practica/{slug}"
    token = csrf(client, url)
    r = client.post(url, data={"change": str(retirement["id"]), "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"{url}?deshecho=")
    done = client.get(r.headers["location"], headers=HTML).text
    assert f"Se deshizo el cambio {retirement['id']}" in done

    page = client.get(f"/id/practica/{slug}", headers=HTML).text
    assert "retired-notice" not in page
    assert client.get(f"/api/entities/practice/{slug}").json()["retired"] is None
    changes = history(client, f"practica/{slug}")["changes"]
    assert [c["method"] for c in changes] == ["revert", "retire", "form"]
    assert changes[0]["actor"] == "ana.lopez" and changes[1]["reverted_by"] == changes[0]["id"]

    # again: 409, said on the page; no CSRF token: 403; a change of another entity or none: 404; not a number: 400
    again = client.post(url, data={"change": str(retirement["id"]), "csrf_token": token}, follow_redirects=False)
    assert again.status_code == 409 and "ya se había deshecho" in again.text
    assert client.post(url, data={"change": str(retirement["id"])}).status_code == 403
    other = history(client, "organizacion/colectivo-transparencia-toluca")
    foreign = other["changes"][0]["id"] if other["changes"] else 999_999
    assert client.post(url, data={"change": str(foreign), "csrf_token": token}).status_code == 404
    assert client.post(url, data={"change": "999999", "csrf_token": token}).status_code == 404
    assert client.post(url, data={"change": "uno", "csrf_token": token}).status_code == 400
    assert history(client, f"practica/{slug}")["changes"] == changes


def test_revert_needs_a_session(anon: TestClient) -> None:
    r = anon.post("/historial/practica/reubicacion-ladrilleras-durango", data={"change": "1"})
    assert r.status_code == 401


# ---------------------------------------------------------------- a retired entity's page


def test_a_retired_entity_shows_a_notice(client: TestClient) -> None:
    r = client.post(
        "/api/entities/organisation",
        json={"label": "Red Ciudadana de Prueba", "jurisdiction": "estado-de-mexico"},
        headers=AUTH,
    )
    assert r.status_code == 201, r.text
    url = "/id/organizacion/red-ciudadana-de-prueba"
    assert "retired-notice" not in client.get(url, headers=HTML).text
    retire = client.post(
        "/api/entities/organisation/red-ciudadana-de-prueba/retirar",
        json={"date": "2027-03-12", "reason": {"es": "Se disolvió.", "en": "It was dissolved."}},
        headers=AUTH,
    )
    assert retire.status_code == 200, retire.text
    notice = re.search(r'<p class="notice retired"[^>]*>(.*?)</p>', client.get(url, headers=HTML).text, re.S)
    assert notice
    text = re.sub(r"<[^>]+>", "", notice.group(1))
    assert text.strip().startswith("Retirada el 12 de marzo de 2027: Se disolvió.")
    english = client.get(url + "?lang=en", headers=HTML).text
    notice = re.search(r'<p class="notice retired"[^>]*>(.*?)</p>', english, re.S)
    assert notice and re.sub(r"<[^>]+>", "", notice.group(1)).strip().startswith(
        "Retired on 12 March 2027: It was dissolved."
    )
