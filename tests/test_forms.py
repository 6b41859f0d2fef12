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
from graphapp.writes.entities import ORGANISATION, PRACTICE, SOURCE

from .conftest import make_app_client

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
    env = {"GRAPHAPP_WRITE_RATE": "1000/minute", "GRAPHAPP_STAFF_FILE": str(ana[0])}
    with make_app_client(env, update_token=TOKEN) as client:
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


# ---------------------------------------------------------------- a new source and a new problem with the practice


def test_a_practice_with_a_new_source_and_a_new_problem_in_one_step(client: TestClient) -> None:
    data = practice_form(
        "Bacheo abierto de Toluca",
        **{
            "addresses_problem": "",
            "sources": [],
            "new_problem.label.es": "Baches sin reparar en las calles de Toluca",
            "new_problem.label.en": "Unrepaired potholes in Toluca's streets",
            "new_problem.description.es": "Los reportes de baches no se atienden ni se publican.",
            "new_source.title.es": "Informe de obras públicas de Toluca 2024",
            "new_source.title.en": "Toluca public works report 2024",
            "new_source.publisher": "institucion/infoem",
            "new_source.issued": "2024-03-15",
            "new_source.url": "https://example.org/toluca/obras-2024.pdf",
        },
    )
    r = post(client, "/practicas/nueva", data)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/id/practica/bacheo-abierto-de-toluca"
    practice = client.get("/api/entities/practice/bacheo-abierto-de-toluca").json()
    source_iri = ID + "fuente/informe-de-obras-publicas-de-toluca-2024"
    problem_iri = ID + "problema/baches-sin-reparar-en-las-calles-de-toluca"
    assert practice["sources"] == [source_iri] and practice["addresses_problem"] == problem_iri
    source = client.get("/api/entities/source/informe-de-obras-publicas-de-toluca-2024").json()
    assert (
        source["label"]
        == source["title"]
        == {
            "es": "Informe de obras públicas de Toluca 2024",
            "en": "Toluca public works report 2024",
        }
    )
    assert source["publisher"] == ID + "institucion/infoem" and source["issued"] == "2024-03-15"
    assert source["url"] == "https://example.org/toluca/obras-2024.pdf"
    problem = client.get("/api/entities/problem/baches-sin-reparar-en-las-calles-de-toluca").json()
    assert problem["label"]["en"] == "Unrepaired potholes in Toluca's streets"
    assert problem["description"]["es"] == "Los reportes de baches no se atienden ni se publican."
    # one change, all or nothing, by Ana through the form: the same in the history of each of the three
    (change,) = history(client, "practica/bacheo-abierto-de-toluca")["changes"]
    assert (change["method"], change["actor"]) == ("form", "ana.lopez")
    assert set(change["entities"]) >= {ID + "practica/bacheo-abierto-de-toluca", source_iri, problem_iri}
    assert [c["id"] for c in history(client, "fuente/informe-de-obras-publicas-de-toluca-2024")["changes"]] == [
        change["id"]
    ]
    assert [c["id"] for c in history(client, "problema/baches-sin-reparar-en-las-calles-de-toluca")["changes"]] == [
        change["id"]
    ]
    # the new source is on the practice's page, and offered by the form from now on
    page = client.get(r.headers["location"], headers=HTML).text
    assert "Informe de obras públicas de Toluca 2024" in page
    assert 'value="fuente/informe-de-obras-publicas-de-toluca-2024"' in field(
        client.get("/practicas/nueva").text, "sources"
    )


def test_a_refused_new_source_or_problem_is_named_by_its_fields(client: TestClient) -> None:
    before = history(client, "practica/reubicacion-ladrilleras-durango")["changes"]
    data = practice_form(
        "Práctica con fuente nueva mal escrita",
        **{
            "sources": [],
            "new_problem.label.es": "Un problema nuevo que sobra",
            "new_source.title.es": "Informe sin fecha válida",
            "new_source.issued": "ayer",
            "new_source.url": "no es una dirección",
        },
    )
    r = post(client, "/practicas/nueva", data)
    assert r.status_code == 400
    html = r.text
    # each problem next to its own field, what was typed kept
    issued = unescape(field(html, "new_source-issued"))
    assert "se espera una fecha AAAA-MM-DD o un año AAAA" in issued
    assert 'value="ayer"' in tag(html, "f-new_source-issued") and 'aria-invalid="true"' in tag(
        html, "f-new_source-issued"
    )
    assert 'value="Informe sin fecha válida"' in tag(html, "f-new_source-title-es")
    assert "Elija uno de la lista o escriba uno nuevo abajo, no los dos." in unescape(field(html, "addresses_problem"))
    assert 'value="Un problema nuevo que sobra"' in tag(html, "f-new_problem-label-es")
    summary = html[html.index('class="form-errors"') : html.index("<form")]
    assert '<a href="#f-new_source-issued">Fecha de publicación</a>' in summary
    # the address, alone, must be one; a new source needs a title
    r = post(client, "/practicas/nueva", practice_form("Otra práctica", sources=[], **{"new_source.url": "hola"}))
    assert r.status_code == 400
    assert "No es una dirección http(s): «hola»." in unescape(field(r.text, "new_source-url"))
    assert "field-error" not in field(r.text, "sources")  # the new source would have filled it
    r = post(
        client,
        "/practicas/nueva",
        practice_form("Otra práctica", sources=[], **{"new_source.publisher": "institucion/infoem"}),
    )
    assert r.status_code == 400 and "Este campo es obligatorio." in field(r.text, "new_source-title")
    # nothing written
    assert client.get("/historial/practica/practica-con-fuente-nueva-mal-escrita").status_code == 404
    assert client.get("/historial/problema/un-problema-nuevo-que-sobra").status_code == 404
    assert client.get("/historial/practica/otra-practica").status_code == 404
    assert history(client, "practica/reubicacion-ladrilleras-durango")["changes"] == before


def test_a_web_address_as_a_source_makes_a_source_then_reuses_it(client: TestClient) -> None:
    address = "https://example.org/actas/cabildo-7"
    first = post(client, "/practicas/nueva", practice_form("Cabildo abierto de Lerma", **{"new_source.url": address}))
    assert first.status_code == 303, first.text
    second = post(client, "/practicas/nueva", practice_form("Cabildo en línea de Lerma", **{"new_source.url": address}))
    assert second.status_code == 303, second.text
    a = client.get("/api/entities/practice/cabildo-abierto-de-lerma").json()
    b = client.get("/api/entities/practice/cabildo-en-linea-de-lerma").json()
    (made,) = set(a["sources"]) - {ID + "fuente/cocreacion-desde-lo-local-inai-2020"}
    assert made.startswith(ID + "fuente/example-org-actas-cabildo-7-") and made in b["sources"]  # the same one
    source = client.get("/api/entities/source/" + made.rsplit("/", 1)[1]).json()
    assert source["url"] == address and source["label"]["es"] == address
    assert len(history(client, made[len(ID) :])["changes"]) == 1  # made once, then only cited
    # the address of a source of the project's files names that source
    enaid = "https://www.inegi.org.mx/contenidos/programas/enaid/2019/doc/enaid_2019_principales_resultados.pdf"
    r = post(
        client, "/practicas/nueva", practice_form("Encuesta abierta de Lerma", sources=[], **{"new_source.url": enaid})
    )
    assert r.status_code == 303, r.text
    assert client.get("/api/entities/practice/encuesta-abierta-de-lerma").json()["sources"] == [
        ID + "fuente/enaid-2019"
    ]


def test_a_source_by_form(client: TestClient) -> None:
    url = "/fuentes/nueva"
    html = client.get(url, headers=HTML).text
    assert "<h1>Nueva fuente documental</h1>" in html
    for f in SOURCE.fields:
        assert f.label_es in unescape(field(html, f.name)), f.name
    data = {
        "label.es": "Oficio de la Contraloría de Lerma (2024)",
        "title.es": "Oficio CL/2024/12",
        "creators": "institucion/infoem",
        "issued": "2024",
        "url": "https://example.org/lerma/oficio-12.pdf",
        "accessed_on": "2025-01-20",
    }
    r = post(client, url, {**data, "url": "ftp://example.org/x", "issued": "mayo"})
    assert r.status_code == 400
    assert "No es una dirección http(s): «ftp://example.org/x»." in unescape(field(r.text, "url"))
    assert "se espera una fecha AAAA-MM-DD o un año AAAA" in unescape(field(r.text, "issued"))
    assert 'value="mayo"' in tag(r.text, "f-issued")
    r = post(client, url, data)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/id/fuente/oficio-de-la-contraloria-de-lerma-2024"
    source = client.get("/api/entities/source/oficio-de-la-contraloria-de-lerma-2024").json()
    assert source["issued"] == "2024" and source["accessed_on"] == "2025-01-20"
    assert source["creators"] == [ID + "institucion/infoem"]
    # another source with the same address: refused, naming the one that has it
    again = post(client, url, {**data, "label.es": "El mismo oficio"})
    assert again.status_code == 409
    assert "oficio-de-la-contraloria-de-lerma-2024" in unescape(field(again.text, "url"))
    # its own page has «Editar»: the form, filled in, corrects it (a year becomes a full date)
    page = client.get(r.headers["location"], headers=HTML).text
    assert 'href="/editar/fuente/oficio-de-la-contraloria-de-lerma-2024"' in page
    edit = "/editar/fuente/oficio-de-la-contraloria-de-lerma-2024"
    form = client.get(edit, headers=HTML).text
    assert 'value="2024"' in tag(form, "f-issued") and 'value="https://example.org/lerma/oficio-12.pdf"' in tag(
        form, "f-url"
    )
    assert '<option value="institucion/infoem" selected>' not in field(form, "publisher")
    r = post(client, edit, {**data, "issued": "2024-05-31"})
    assert r.status_code == 303, r.text
    assert client.get("/api/entities/source/oficio-de-la-contraloria-de-lerma-2024").json()["issued"] == "2024-05-31"


# ---------------------------------------------------------------- correcting an entity


EDITED = practice_form(
    "Tianguis digital de Metepec",
    **{
        "label.en": "Metepec digital street market",
        "themes": ["tema/tramites"],
        "contributes_to": ["16.6", "", ""],
        "see_also": "https://example.org/tianguis\n",
        "description.es": "Un padrón en línea de los puestos del tianguis.",
    },
)
EDITED_PATH = "practica/tianguis-digital-de-metepec"


@pytest.fixture()
def edited(client: TestClient) -> str:
    """A practice added by form, to correct (once per module)."""
    if client.get(f"/api/entities/practice/{EDITED_PATH.split('/')[1]}").status_code == 404:
        r = post(client, "/practicas/nueva", EDITED)
        assert r.status_code == 303, r.text
    return EDITED_PATH


def test_the_edit_button_is_for_signed_in_editors_only(anon: TestClient, ana: tuple[Path, str]) -> None:
    sign_in(anon, ana[1])
    r = post(anon, "/practicas/nueva", practice_form("Padrón de mercados de Metepec"))
    assert r.status_code == 303, r.text
    url = "/id/practica/padron-de-mercados-de-metepec"
    page = anon.get(url, headers=HTML)
    button = re.search(r'<a class="edit" id="edit-entity" href="([^"]+)">Editar</a>', page.text)
    assert button and button.group(1) == "/editar/practica/padron-de-mercados-de-metepec"
    assert page.headers["cache-control"] == "private, no-store"
    assert 'id="edit-entity"' in anon.get(url + "?lang=en", headers=HTML).text
    assert ">Edit</a>" in anon.get(url + "?lang=en", headers=HTML).text
    # none on the project's own data, nor on a kind without a form
    assert 'id="edit-entity"' not in anon.get("/id/practica/reubicacion-ladrilleras-durango", headers=HTML).text
    assert 'id="edit-entity"' not in anon.get("/id/fuente/enaid-2019", headers=HTML).text
    # anonymous visitors: no button; the address sends a browser to sign in
    anon.cookies.clear()
    page = anon.get(url, headers=HTML)
    assert 'id="edit-entity"' not in page.text and "no-store" not in page.headers.get("cache-control", "")
    r = anon.get("/editar/practica/padron-de-mercados-de-metepec", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/acceso?next=%2Feditar%2Fpractica%2Fpadron-de-mercados-de-metepec"
    assert anon.post("/editar/practica/padron-de-mercados-de-metepec", data={}).status_code == 401


def test_the_edit_form_is_filled_in(client: TestClient, edited: str) -> None:
    page = client.get(f"/editar/{edited}", headers=HTML)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert "<h1>Corregir: Tianguis digital de Metepec</h1>" in html
    assert f'action="/editar/{edited}"' in html and f'href="/id/{edited}"' in html
    assert 'value="Tianguis digital de Metepec"' in tag(html, "f-label-es")
    assert 'value="Metepec digital street market"' in tag(html, "f-label-en")
    assert 'value="municipio/15054"' in tag(html, "f-place")
    assert '<option value="estado-vigencia/activa" selected>' in field(html, "status")
    assert '<option value="problema/desinformacion-para-elegir-bachillerato" selected>' in field(
        html, "addresses_problem"
    )
    assert 'value="fuente/cocreacion-desde-lo-local-inai-2020" checked' in field(html, "sources")
    assert re.search(r'value="tema/tramites" checked', field(html, "themes"))
    assert 'value="16.6"' in tag(html, "f-contributes_to")
    assert ">https://example.org/tianguis</textarea>" in field(html, "see_also")
    assert ">Un padrón en línea de los puestos del tianguis.</textarea>" in field(html, "description")
    assert 'name="slug"' not in html and 'name="source"' in html  # the IRI stays; a source may be given
    assert "Guardar la corrección" in html
    english = client.get(f"/editar/{edited}?lang=en", headers=HTML).text
    assert "<h1>Correct: Metepec digital street market</h1>" in english and "Save the correction" in english


def test_an_edit_with_errors_keeps_what_was_typed(client: TestClient, edited: str) -> None:
    before = history(client, edited)["changes"]
    data = {**EDITED, "label.en": "A new English name", "solution.es": "", "inactive_since": "hace mucho"}
    r = post(client, f"/editar/{edited}", data)
    assert r.status_code == 400
    html = r.text
    assert "No se guardó nada" in html
    assert 'value="A new English name"' in tag(html, "f-label-en")
    assert 'value="hace mucho"' in tag(html, "f-inactive_since")
    solution = field(html, "solution")
    assert "Este campo es obligatorio." in solution and 'aria-invalid="true"' in tag(html, "f-solution-es")
    assert "se espera un año de cuatro cifras" in unescape(field(html, "inactive_since"))
    summary = html[html.index('class="form-errors"') : html.index("<form")]
    assert '<a href="#f-solution-es">Solución</a>' in summary
    assert f'action="/editar/{edited}"' in html and "Corregir" in html
    assert history(client, edited)["changes"] == before  # nothing written
    assert client.get(f"/api/entities/practice/{edited.split('/')[1]}").json()["label"]["en"] == (
        "Metepec digital street market"
    )


def test_a_correction_by_form_is_in_the_history(client: TestClient, edited: str) -> None:
    slug = edited.split("/")[1]
    data = {
        **EDITED,
        "label.en": "Metepec online street market",
        "status": "estado-vigencia/inactiva",
        "inactive_since": "2023",
        "themes": [],
        "source": "https://example.org/oficio/31",
    }
    r = post(client, f"/editar/{edited}", data)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/id/{edited}"
    entity = client.get(f"/api/entities/practice/{slug}").json()
    assert entity["label"] == {"es": "Tianguis digital de Metepec", "en": "Metepec online street market"}
    assert entity["status"] == ID + "estado-vigencia/inactiva" and entity["inactive_since"] == 2023
    assert entity["themes"] == [] and entity["contributes_to"] == ["http://metadata.un.org/sdg/16.6"]
    assert "Metepec online street market" in client.get(f"/id/{edited}?lang=en", headers=HTML).text

    correction = history(client, edited)["changes"][0]
    assert (correction["method"], correction["actor"], correction["source"]) == (
        "form",
        "ana.lopez",
        "https://example.org/oficio/31",
    )
    # what a PATCH with the same fields makes: only what changed
    assert correction["note"] == "update inactive_since, label, status, themes"
    assert correction["what"] == "update" and correction["what_label"] == "corrección"
    added = {(row["property"].rsplit("#", 1)[-1], row["value"]["value"]) for row in correction["added"]}
    removed = {(row["property"].rsplit("#", 1)[-1], row["value"]["value"]) for row in correction["removed"]}
    assert added == {
        ("label", "Metepec online street market"),
        ("status", ID + "estado-vigencia/inactiva"),
        ("inactiveSince", "2023"),
    }
    assert removed == {
        ("label", "Metepec digital street market"),
        ("status", ID + "estado-vigencia/activa"),
        ("http://purl.org/dc/terms/subject", ID + "tema/tramites"),
    }
    html = unescape(client.get(f"/historial/{edited}", headers=HTML).text)
    assert '<dd class="what" data-what="update">corrección</dd>' in html
    assert "Ana López (<code>ana.lopez</code>)" in html


def test_an_edit_adds_a_new_source_in_the_same_change(client: TestClient, edited: str) -> None:
    slug = edited.split("/")[1]
    current = client.get(f"/api/entities/practice/{slug}").json()
    data = {
        **EDITED,
        "label.en": current["label"]["en"],
        "status": "estado-vigencia/inactiva",
        "inactive_since": "2023",
        "themes": [],
        "new_source.title.es": "Acta del cabildo de Metepec 2023",
    }
    r = post(client, f"/editar/{edited}", data)
    assert r.status_code == 303, r.text
    sources = client.get(f"/api/entities/practice/{slug}").json()["sources"]
    assert ID + "fuente/acta-del-cabildo-de-metepec-2023" in sources and len(sources) == 2
    change = history(client, edited)["changes"][0]
    assert change["note"] == "create source; update sources" and change["what"] == "update"


def test_the_project_files_are_not_edited_by_form(client: TestClient) -> None:
    path = "practica/reubicacion-ladrilleras-durango"
    before = history(client, path)["changes"]
    r = client.get(f"/editar/{path}", headers=HTML)
    assert r.status_code == 403
    html = unescape(r.text)
    assert "Esta entidad no se corrige aquí" in html and "archivos fuente del proyecto" in html
    assert 'href="/graph/presentacion/buenas-practicas"' in html and f'href="/historial/{path}"' in html
    assert 'class="entity-form"' not in html  # no form to fill in for nothing
    token = csrf(client)
    r = client.post(
        f"/editar/{path}",
        data={**practice_form("Otra"), "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 403 and "Esta entidad no se corrige aquí" in unescape(r.text)
    assert history(client, path)["changes"] == before
    english = client.get(f"/editar/{path}?lang=en", headers=HTML).text
    assert "This entity is not corrected here" in english
    assert client.get("/editar/fuente/enaid-2019", headers=HTML).status_code == 403  # a source of data/
    assert client.get("/editar/institucion/infoem", headers=HTML).status_code == 404  # no form for its kind
    assert client.get("/editar/practica/no-existe", headers=HTML).status_code == 404


def test_the_contributions_graph_is_catalogued_and_its_licence_is_on_the_form(client: TestClient) -> None:
    """Issue 17: the staff contributions graph has a label, a licence and a VoID subset, is listed in /dataset
    (counted, not written), and the forms say under which licence what staff save is published."""
    form = client.get("/practicas/nueva", params={"lang": "es"})
    assert "se publica en «Contribuciones del personal» bajo la licencia" in form.text
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener"' in form.text
    r = post(client, "/practicas/nueva", practice_form("Práctica para el catálogo de contribuciones"))
    assert r.status_code == 303, r.text
    page = client.get("/dataset", headers={"Accept": "text/html"}, params={"lang": "es"})
    row = next(
        line
        for line in page.text.splitlines()
        if "graph/contrib/staff" in line or "Contribuciones del personal" in line
    )
    assert "no consta en el catálogo" not in row
    void = client.get("/dataset", headers={"Accept": "text/turtle"}).text
    assert "dataset#graph-contrib-staff" in void and "<https://creativecommons.org/licenses/by/4.0/>" in void
