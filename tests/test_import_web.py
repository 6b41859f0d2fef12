"""The CSV upload page for staff (`/importar`) and the import endpoint for programs (`/api/import/<kind>`).

A file is uploaded, kept on the server under a random id, and previewed as a dry run: every row with every error,
the row as the spreadsheet numbers it and the column as the file's header row writes it, with suggestions for a
reference that names nothing or more than one entity. «Importar» then imports exactly that file (its SHA-256)
through the one write path, in one change, or nothing. Sessions, CSRF tokens and the upload limit as for the forms.
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
from graphapp.web.routers import imports
from graphapp.writes.entities import KINDS_BY_PLURAL

from .conftest import make_app_client

ID = "https://w3id.org/gakg/id/"
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
SOURCE = "cocreacion-desde-lo-local-inai-2020"
PROBLEM = "desinformacion-para-elegir-bachillerato"
#: the header row as a person types it: accents, case and spacing differ from the declared columns
LOOSE = "Nombre;Lugar;Problema;Solucion;Estado de Vigencia;Inactiva desde;Fuentes"


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    path = tmp_path_factory.mktemp("staff") / "staff.json"
    _, ana = staff.add(path, "ana.lopez", ["edit"], display_name="Ana López")
    _, luis = staff.add(path, "luis.perez", ["edit"], display_name="Luis Pérez")
    return path, ana, luis


@pytest.fixture(scope="module")
def app_client(accounts: tuple[Path, str, str]) -> Iterator[TestClient]:
    env = {"GRAPHAPP_WRITE_RATE": "1000/minute", "GRAPHAPP_STAFF_FILE": str(accounts[0])}
    with make_app_client(env) as client:
        yield client


@pytest.fixture()
def anon(app_client: TestClient) -> TestClient:
    app_client.cookies.clear()
    return app_client


@pytest.fixture()
def client(anon: TestClient, accounts: tuple[Path, str, str]) -> TestClient:
    """Signed in as Ana (role ``edit``), in Spanish."""
    sign_in(anon, accounts[1])
    return anon


def sign_in(client: TestClient, token: str) -> None:
    client.cookies.clear()
    r = client.post("/acceso", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text


def csrf(client: TestClient, url: str = "/importar") -> str:
    page = client.get(url, headers=HTML)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def upload(
    client: TestClient,
    text: str | bytes,
    kind: str = "practices",
    *,
    name: str = "practicas.csv",
    token: str | None = None,
    source: str = "",
    as_json: bool = False,
) -> Any:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    fields = {"csrf_token": csrf(client) if token is None else token, "kind": kind, "source": source}
    return client.post(
        "/importar" + ("?format=json" if as_json else ""),
        data=fields,
        files={"file": (name, data, "text/csv")},
        follow_redirects=False,
    )


def preview(client: TestClient, text: str | bytes, **kw: Any) -> dict[str, Any]:
    r = upload(client, text, as_json=True, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def row(label: str, place: str = "municipio/15106", *, status: str = "activa", since: str = "", solution: str = "s",
        problem: str = PROBLEM) -> str:  # fmt: skip
    return f"{label};{place};{problem};{solution};{status};{since};{SOURCE}"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def changes(client: TestClient, path: str) -> list[dict[str, Any]]:
    r = client.get(f"/api/history/{path}")
    return r.json()["changes"] if r.status_code == 200 else []


# ---------------------------------------------------------------- who may use it


def test_the_page_needs_a_signed_in_editor(anon: TestClient, accounts: tuple[Path, str, str]) -> None:
    r = anon.get("/importar", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/acceso?next=%2Fimportar"
    assert anon.get("/importar", headers=JSON).status_code == 401
    r = anon.post("/importar", data={"kind": "practices"}, files={"file": ("a.csv", b"nombre\n", "text/csv")})
    assert r.status_code == 401
    assert anon.post("/api/import/practices", content=b"nombre\n").status_code == 401


def test_the_form_lists_every_kind_the_importer_declares(client: TestClient) -> None:
    page = client.get("/importar", headers=HTML)
    assert page.status_code == 200
    offered = re.findall(r'<option value="([a-z-]+)"', page.text)
    assert offered == list(KINDS_BY_PLURAL)  # a kind added to the declarations appears by itself
    assert 'enctype="multipart/form-data"' in page.text and 'type="file"' in page.text
    assert "Hasta 256 KB" in text_of(page.text)
    # the staff pages link to it
    assert 'href="/importar"' in client.get("/acceso", headers=HTML).text


def test_a_post_without_its_csrf_token_is_403_and_keeps_nothing(client: TestClient) -> None:
    good = f"{LOOSE}\n{row('Sin token CSRF')}\n"
    r = client.post("/importar", data={"kind": "practices"}, files={"file": ("a.csv", good.encode(), "text/csv")})
    assert r.status_code == 403
    assert upload(client, good, token="falso").status_code == 403
    # the import step needs it too
    r = upload(client, good, name="con-token.csv")
    assert r.status_code == 303
    target = r.headers["location"]
    digest = client.get(target, params={"format": "json"}).json()["upload"]["sha256"]
    assert client.post(target, data={"sha256": digest}, follow_redirects=False).status_code == 403
    assert client.post(target, data={"sha256": digest, "csrf_token": "falso"}).status_code == 403
    assert changes(client, "practica/sin-token-csrf") == []


# ---------------------------------------------------------------- the preview


def test_the_preview_lists_every_error_by_row_and_column_as_the_file_writes_them(client: TestClient) -> None:
    text = "\n".join(
        [
            LOOSE,
            row("Primera buena"),
            row("Segunda en Marte", "marte"),
            row("Tercera sin año", status="inactiva"),
            row("Cuarta con año malo", since="hace mucho"),
            row("Quinta sin solución", solution=""),
        ]
    )
    r = upload(client, text)
    assert r.status_code == 303 and re.fullmatch(r"/importar/[A-Za-z0-9_-]{22,}", r.headers["location"])
    page = client.get(r.headers["location"], headers=HTML)
    assert page.status_code == 200, page.text
    shown = text_of(page.text)
    assert "No se puede importar" in shown and "Importar (" not in shown
    data = client.get(r.headers["location"], params={"format": "json"}).json()
    where = sorted((e["row"], e["column"]) for e in data["report"]["errors"])
    assert where == [(3, "Lugar"), (4, "Estado de Vigencia"), (5, "Inactiva desde"), (6, "Solucion")]
    assert data["report"]["rows"] == 5 and data["report"]["rejected_rows"] == [3, 4, 5, 6]
    assert data["can_import"] is False and "import" not in data
    messages = " ".join(e["message"] for e in data["report"]["errors"])
    for json_name in ("place", "status", "inactive_since", "solution"):
        assert f"«{json_name}»" not in messages, messages  # never the JSON field
    # the table: every row, the first with the entity it would make, the others with their errors
    table = {r_["row"]: r_ for r_ in data["table"]}
    assert table[2]["iri"] == ID + "practica/primera-buena" and table[2]["errors"] == []
    assert table[6]["name"] == "Quinta sin solución" and table[6]["errors"][0]["column"] == "Solucion"
    for n, column in ((3, "Lugar"), (4, "Estado de Vigencia"), (5, "Inactiva desde"), (6, "Solucion")):
        cells = page.text[page.text.index(f'id="row-{n}"') :]
        assert f"«{column}»" in text_of(cells[: cells.index("</tr>")]), n
    assert "No hay ninguna entidad «marte»" in shown
    # a dry run: nothing was written
    assert changes(client, "practica/primera-buena") == []


def test_header_problems_are_row_1(client: TestClient) -> None:
    data = preview(client, "nombre;color\nUna;roja\n")
    errors = {(e["row"], e["column"]) for e in data["report"]["errors"]}
    assert (1, "color") in errors and (1, "lugar") in errors
    assert data["header_errors"] and data["can_import"] is False


def test_an_ambiguous_or_unknown_place_gets_suggestions(client: TestClient) -> None:
    text = "\n".join([LOOSE, row("Una en La Paz", "La Paz"), row("Otra en Metepek", "Metepek")])
    data = preview(client, text)
    by_row = {e["row"]: e for e in data["report"]["errors"]}
    paz = by_row[2]
    assert paz["column"] == "Lugar" and paz["value"] == "La Paz" and "ambiguo" in paz["message"]
    assert {s["value"] for s in paz["suggestions"]} == {"municipio/15070", "municipio/03003"}
    labels = {s["value"]: s["label"] for s in paz["suggestions"]}
    assert labels["municipio/15070"] == "La Paz, Estado de México"  # which La Paz: where it lies
    assert "municipio/15054" in [s["value"] for s in by_row[3]["suggestions"]]  # Metepec, misspelt
    page = text_of(client.get(data["upload"]["preview"], headers=HTML).text)
    assert "¿Quiso decir? municipio/03003 (La Paz, Baja California Sur)" in page
    assert "municipio/15070 (La Paz, Estado de México)" in page


# ---------------------------------------------------------------- the import


def test_a_valid_file_imports_every_row_in_one_change(client: TestClient) -> None:
    text = "\n".join(
        [
            LOOSE + ";temas",
            row("Huertos escolares de Metepec", "Metepec") + ";Orientación para elegir escuela",
            row("Cabildo abierto de Toluca") + ";",
        ]
    )
    data = preview(client, text.encode("cp1252"), source="https://example.org/oficio/7")
    assert data["report"]["encoding"] == "cp1252" and data["report"]["errors"] == []
    assert data["can_import"] is True and data["import"]["fields"]["sha256"] == data["upload"]["sha256"]
    target = data["upload"]["preview"]
    page = client.get(target, headers=HTML)
    assert "Importar (2 filas)" in text_of(page.text)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(target, data={"csrf_token": token, "sha256": data["upload"]["sha256"]}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == target
    done = client.get(target, headers=HTML)
    shown = text_of(done.text)
    assert "Se importaron 2 entidades en un solo cambio" in shown
    assert 'href="/id/practica/huertos-escolares-de-metepec"' in done.text
    metepec = client.get("/api/entities/practice/huertos-escolares-de-metepec").json()
    assert metepec["place"] == ID + "municipio/15054"  # given by its name, as the form takes it
    assert metepec["themes"] == [ID + "tema/eleccion-escolar"]
    (change,) = changes(client, "practica/huertos-escolares-de-metepec")
    assert (change["method"], change["actor"], change["source"]) == (
        "import",
        "ana.lopez",
        "https://example.org/oficio/7",
    )
    assert set(change["entities"]) >= {
        ID + "practica/huertos-escolares-de-metepec",
        ID + "practica/cabildo-abierto-de-toluca",
    }
    assert [c["id"] for c in changes(client, "practica/cabildo-abierto-de-toluca")] == [change["id"]]
    # a second click imports nothing more
    r = client.post(target, data={"csrf_token": token, "sha256": data["upload"]["sha256"]}, follow_redirects=False)
    assert r.status_code == 303
    assert len(changes(client, "practica/cabildo-abierto-de-toluca")) == 1
    again = client.post(target + "?format=json", data={"csrf_token": token, "sha256": data["upload"]["sha256"]})
    assert again.status_code == 409
    assert client.get(target, params={"format": "json"}).json()["imported"]["changes"] == [change["id"]]


def test_an_invalid_file_imports_nothing(client: TestClient) -> None:
    text = "\n".join([LOOSE, row("Buena que no se escribe"), row("Mala", "marte")])
    data = preview(client, text)
    assert data["can_import"] is False
    token = csrf(client)
    target = data["upload"]["preview"]
    r = client.post(target, data={"csrf_token": token, "sha256": data["upload"]["sha256"]}, headers=HTML)
    assert r.status_code == 400 and "No se importó nada" in text_of(r.text)
    assert changes(client, "practica/buena-que-no-se-escribe") == []
    assert client.get("/api/entities/practice/buena-que-no-se-escribe").status_code == 404


def test_the_import_is_of_the_file_previewed(client: TestClient, accounts: tuple[Path, str, str]) -> None:
    data = preview(client, f"{LOOSE}\n{row('Atada a su archivo')}\n")
    target = data["upload"]["preview"]
    token = csrf(client)
    r = client.post(target, data={"csrf_token": token, "sha256": "0" * 64})
    assert r.status_code == 409  # another file's digest
    assert client.post(target, data={"csrf_token": token}).status_code == 400
    assert changes(client, "practica/atada-a-su-archivo") == []
    # an upload is its uploader's
    sign_in(client, accounts[2])
    assert client.get(target, params={"format": "json"}).status_code == 404
    assert client.post(target, data={"csrf_token": csrf(client), "sha256": data["upload"]["sha256"]}).status_code == 404
    assert client.get("/importar/no-such-upload-id-at-all-here", headers=JSON).status_code == 404


def test_the_json_preview(client: TestClient) -> None:
    text = f"{LOOSE}\n{row('Vista JSON', 'La Paz')}\n"
    r = upload(client, text, as_json=True)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert r.headers["location"] == data["upload"]["preview"]
    assert data["upload"]["kind"] == "practices" and len(data["upload"]["sha256"]) == 64
    assert data["report"]["ok"] is False and data["report"]["errors"][0]["suggestions"]
    twin = client.get(data["upload"]["preview"], headers=JSON)
    assert twin.status_code == 200 and twin.json()["table"] == data["table"]
    assert "Accept" in twin.headers["vary"] and 'rel="alternate"; type="text/html"' in twin.headers["link"]
    page = client.get(data["upload"]["preview"], headers=HTML)
    assert 'type="application/json"' in page.headers["link"]
    english = client.get(data["upload"]["preview"], params={"format": "json", "lang": "en"}).json()
    assert "ambiguous" in english["report"]["errors"][0]["message"]


def test_the_upload_limit(client: TestClient) -> None:
    big = (LOOSE + "\n").encode() + b"x;" * (imports.MAX_UPLOAD_BYTES // 2)
    r = upload(client, big, as_json=True)
    assert r.status_code == 413 and "256 KB" in r.json()["message"]
    r = upload(client, big)
    assert r.status_code == 413 and "El archivo pasa del límite de 256 KB" in text_of(r.text)
    assert 'name="kind"' in r.text  # the form again
    # a body over what the service reads at all is refused before it is read
    huge = b"x" * (2 * 1024 * 1024)
    r = client.post(
        "/importar", data={"csrf_token": csrf(client), "kind": "practices"}, files={"file": ("h.csv", huge, "text/csv")}
    )
    assert r.status_code == 413
    r = client.post("/api/import/practices", content=big, headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 413


def test_no_file_or_no_kind_is_a_400(client: TestClient) -> None:
    token = csrf(client)
    r = client.post("/importar", data={"csrf_token": token, "kind": "practices"}, files={"file": ("", b"", "text/csv")})
    assert r.status_code == 400 and "Elija un archivo CSV" in text_of(r.text)
    r = upload(client, f"{LOOSE}\n", kind="planetas")
    assert r.status_code == 400 and "Elija qué es cada fila" in text_of(r.text)
    r = upload(client, f"{LOOSE}\n", source="no es una dirección")
    assert r.status_code == 400
    r = client.post("/importar", data={"csrf_token": token, "kind": "practices"})
    assert r.status_code == 400


# ---------------------------------------------------------------- for programs


def test_the_api_imports_with_a_bearer_token(client: TestClient, accounts: tuple[Path, str, str]) -> None:
    client.cookies.clear()
    auth = {"Authorization": f"Bearer {accounts[2]}"}
    text = (
        f"nombre,lugar,problema,solución,estado de vigencia,fuentes\nDesde la API,Metepec,{PROBLEM},s,activa,{SOURCE}\n"
    )
    r = client.post("/api/import/practices", params={"dry_run": "true"}, content=text.encode("latin-1"), headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["ok"] and r.json()["dry_run"] and "no se escribió nada" in r.json()["report"]
    assert changes(client, "practica/desde-la-api") == []
    r = client.post("/api/import/practice", params={"filename": "api.csv", "lang": "en"}, content=text, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["changes"] and "1 entity written" in r.json()["report"]
    (change,) = changes(client, "practica/desde-la-api")
    assert (change["method"], change["actor"]) == ("import", "luis.perez")
    r = client.post("/api/import/practices", content=text, headers=auth)
    assert r.status_code == 400 and r.json()["error"] == 400 and r.json()["errors"][0]["row"] == 2
    assert client.post("/api/import/planetas", content=text, headers=auth).status_code == 404
