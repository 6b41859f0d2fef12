"""`graphapp import`: spreadsheets as staff keep them (Spanish headers, UTF-8 or latin-1, `;` or `,`, `|` between
values, slugs for references) go through the same write path as the API: all or nothing by default, `--per-row`,
`--dry-run`, and a report that names each rejected row and column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphapp.cli import main
from graphapp.config import PROJECT_ROOT, Settings
from graphapp.loading import open_store
from graphapp.web.app import create_app
from graphapp.writes.entities import INSTITUTION, PRACTICE, read_entity, url_slug
from graphapp.writes.entities import SOURCE as SOURCE_KIND
from graphapp.writes.importer import KINDS_BY_PLURAL, columns, import_rows, open_writer, read_table

ID = "https://w3id.org/gakg/id/"
EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "practicas.csv"
HEADER = "nombre;lugar;problema;solución;estado de vigencia;inactiva desde;fuentes"
SOURCE = "cocreacion-desde-lo-local-inai-2020"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("import") / "store"


@pytest.fixture()
def settings(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", str(store_dir))
    return Settings.from_env()


def csv_file(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "datos.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out, err


def entity(settings: Settings, kind: object, slug: str) -> dict[str, object] | None:
    with open_writer(settings) as (ctx, _):
        return read_entity(ctx, kind, ctx.iri(kind, slug))  # type: ignore[arg-type]


def changes_of(settings: Settings, iri: str) -> list[object]:
    with open_writer(settings) as (_, writer):
        return writer.history.of(iri)


def test_the_example_file_utf8_semicolons(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    table = read_table(EXAMPLE.read_bytes(), PRACTICE)
    assert (table.encoding, table.delimiter, len(table.rows)) == ("utf-8", ";", 2)
    code, out, err = run(
        capsys, str(EXAMPLE), "--kind", "practices", "--actor", "ana.lopez", "--source", "https://example.org/oficio/3"
    )
    assert code == 0, out
    assert "2 filas válidas, 0 rechazadas" in out and "2 entidades escritas" in out
    assert "import" in err  # the progress bar, on stderr
    toluca = entity(settings, PRACTICE, "mapa-abierto-de-bachilleratos-de-toluca")
    assert toluca is not None
    assert toluca["label"] == {
        "es": "Mapa abierto de bachilleratos de Toluca",
        "en": "Open map of Toluca upper-secondary schools",
    }
    assert toluca["place"] == ID + "municipio/15106"
    assert toluca["themes"] == [ID + "tema/educacion-media-superior", ID + "tema/eleccion-escolar"]
    assert toluca["contributes_to"] == ["http://metadata.un.org/sdg/4", "http://metadata.un.org/sdg/4.1"]
    metepec = entity(settings, PRACTICE, "mesas-de-dialogo-vecinal-de-metepec")
    assert metepec is not None and metepec["inactive_since"] == 2022
    (change,) = changes_of(settings, ID + "practica/mesas-de-dialogo-vecinal-de-metepec")
    assert (change.method, change.actor, change.source) == ("import", "ana.lopez", "https://example.org/oficio/3")
    assert set(change.entities) == {
        ID + "practica/mapa-abierto-de-bachilleratos-de-toluca",
        ID + "practica/mesas-de-dialogo-vecinal-de-metepec",
    }  # one change for the whole file
    # the same file again: both IRIs are taken, nothing is written
    code, out, _ = run(capsys, str(EXAMPLE), "--kind", "practices")
    assert code == 1 and "Fila 2, columna «nombre»: Ya existe" in out and "Fila 3" in out


def test_latin1_commas_bom_and_loose_headers(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin = csv_file(
        tmp_path,
        "Nombre,Lugar,Problema,Solucion,Estado de vigencia,Fuentes,Inactiva desde\n"
        f"Código abierto en Tenancingo,municipio/15088,desinformacion-para-elegir-bachillerato,"
        f"Publicación del código,inactiva,{SOURCE},2021\n",
        encoding="latin-1",
    )
    assert read_table(latin.read_bytes(), PRACTICE).encoding == "cp1252"
    code, out, _ = run(capsys, str(latin), "--kind", "practices")
    assert code == 0, out
    tenancingo = entity(settings, PRACTICE, "codigo-abierto-en-tenancingo")
    assert tenancingo is not None
    assert tenancingo["label"]["es"] == "Código abierto en Tenancingo"  # type: ignore[index]
    assert tenancingo["solution"] == {"es": "Publicación del código", "en": None}
    bom = csv_file(
        tmp_path,
        "\ufeff"
        + HEADER
        + f"\nBanco de datos de Jalisco;jalisco;desigualdad-laboral-y-salarial-entre-hombres-y-mujeres;"
        f"Un banco;activa;;{SOURCE}\n",
        name="bom.csv",
    )
    assert read_table(bom.read_bytes(), PRACTICE).encoding == "utf-8-sig"
    code, out, _ = run(capsys, str(bom), "--kind", "practices")
    assert code == 0, out
    jalisco = entity(settings, PRACTICE, "banco-de-datos-de-jalisco")
    assert jalisco is not None and jalisco["place"] == ID + "entidad/jalisco"  # a bare slug, looked up


def test_one_bad_row_writes_nothing_and_is_named(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = csv_file(
        tmp_path,
        HEADER
        + f"\nPrimera buena;municipio/15106;desinformacion-para-elegir-bachillerato;s;activa;;{SOURCE}\n"
        + f"Segunda mala;marte;desinformacion-para-elegir-bachillerato;s;activa;;{SOURCE}\n"
        + f"Tercera sin año;durango;desinformacion-para-elegir-bachillerato;s;inactiva;;{SOURCE}\n"
        + f"Cuarta con año malo;durango;desinformacion-para-elegir-bachillerato;s;activa;hace mucho;{SOURCE}\n",
    )
    code, out, _ = run(capsys, str(path), "--kind", "practices")
    assert code == 1
    assert "Fila 3, columna «lugar»: No hay ninguna entidad «marte»" in out
    assert "Fila 4, columna «estado de vigencia»: Una práctica inactiva dice desde cuándo" in out
    assert "Fila 5, columna «inactiva desde»" in out
    assert "Fila 2" not in out
    assert "No se escribió nada" in out
    assert entity(settings, PRACTICE, "primera-buena") is None
    code, out, _ = run(capsys, str(path), "--kind", "practices", "--dry-run", "--lang", "en")
    assert code == 1 and "Row 3, column 'lugar': There is no entity 'marte'" in out and "nothing was written" in out


def test_per_row_writes_the_good_rows(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = csv_file(
        tmp_path,
        HEADER + "\n"
        f"Buena por fila;municipio/15106;desinformacion-para-elegir-bachillerato;s;activa;;{SOURCE}\n"
        f"Mala por fila;durango;desinformacion-para-elegir-bachillerato;s;inactiva;;{SOURCE}\n"
        f"Otra buena por fila;veracruz;desinformacion-para-elegir-bachillerato;s;activa;;{SOURCE}|fuente/enaid-2019\n",
    )
    code, out, _ = run(capsys, str(path), "--kind", "practices", "--per-row")
    assert code == 1
    assert "Fila 3, columna «estado de vigencia»" in out and "2 entidades escritas" in out
    assert entity(settings, PRACTICE, "buena-por-fila") is not None
    assert entity(settings, PRACTICE, "mala-por-fila") is None
    other = entity(settings, PRACTICE, "otra-buena-por-fila")
    assert other is not None and len(other["sources"]) == 2  # type: ignore[arg-type]
    first = changes_of(settings, ID + "practica/buena-por-fila")[0]
    second = changes_of(settings, ID + "practica/otra-buena-por-fila")[0]
    assert first.id != second.id  # one change per row


def test_dry_run_writes_nothing(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = csv_file(
        tmp_path,
        HEADER + f"\nSolo una prueba;municipio/15106;desinformacion-para-elegir-bachillerato;s;activa;;{SOURCE}\n",
    )
    code, out, _ = run(capsys, str(path), "--kind", "practices", "--dry-run")
    assert code == 0 and "no se escribió nada" in out
    assert entity(settings, PRACTICE, "solo-una-prueba") is None


def test_slugs_resolve_to_the_right_kind_and_to_earlier_rows(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = csv_file(
        tmp_path,
        "identificador;nombre;tipo;ámbito territorial;representa a;siglas\n"
        "poder-ejecutivo-de-prueba;Poder Ejecutivo de Prueba;;estado-de-mexico;;\n"
        "secretaria-de-prueba;Secretaría de Prueba;Secretaría de gobierno|ObligatedSubject;estado-de-mexico;"
        "poder-ejecutivo-de-prueba;SP\n",
    )
    code, out, _ = run(capsys, str(path), "--kind", "institutions")
    assert code == 0, out
    secretaria = entity(settings, INSTITUTION, "secretaria-de-prueba")
    assert secretaria is not None
    assert secretaria["represents"] == ID + "institucion/poder-ejecutivo-de-prueba"
    assert secretaria["jurisdiction"] == ID + "entidad/estado-de-mexico"
    assert secretaria["types"] == [
        "https://w3id.org/gakg/ontology#GovernmentSecretariat",
        "https://w3id.org/gakg/ontology#ObligatedSubject",
    ]


def test_header_problems(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = csv_file(tmp_path, "nombre;color\nUna;roja\n")
    code, out, _ = run(capsys, str(path), "--kind", "practices")
    assert code == 1
    assert "Fila 1, columna «color»: Columna desconocida" in out
    assert "Fila 1, columna «lugar»: Falta esta columna obligatoria" in out
    path = csv_file(
        tmp_path,
        HEADER
        + f"\nUna; con punto y coma;municipio/15106;desinformacion-para-elegir-bachillerato;s;activa;;{SOURCE}\n",
    )
    code, out, _ = run(capsys, str(path), "--kind", "practices", "--dry-run")
    assert code == 1 and "Fila 2: La fila tiene 8 celdas y los encabezados 7" in out
    code, out, _ = run(capsys, "--columns", "--kind", "practices")
    assert code == 0 and "solución (en)" in out and "identificador" in out
    assert [c.header for c in columns(PRACTICE)][:3] == ["identificador", "nombre", "nombre (en)"]


def test_a_busy_store_is_said_clearly(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, _ = open_store(settings)  # what a running service does
    try:
        code, _, err = run(capsys, str(EXAMPLE), "--kind", "practices", "--dry-run")
    finally:
        store.close()
    assert code == 2 and "en uso" in err and "POST /api/entities/" in err


def test_sources_and_web_addresses_as_sources(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert KINDS_BY_PLURAL["sources"] is SOURCE_KIND  # declared once: the importer takes the kind as it is
    rows = (
        "nombre;nombre (en);título;publica;fecha;dirección\n"
        "Informe de Lerma 2023;Lerma report 2023;Informe anual;institucion/infoem;2024;https://example.org/lerma-2023\n"
        "Oficio de Lerma;;;;31/05/2024;https://example.org/lerma/oficio\n"
    )
    with open_writer(settings) as (ctx, writer):
        report = import_rows(ctx, writer, SOURCE_KIND, rows.encode(), file="fuentes.csv", actor="ana.lopez")
    assert report.errors == [] and len(report.written) == 2
    lerma = entity(settings, SOURCE_KIND, "informe-de-lerma-2023")
    assert lerma is not None and lerma["issued"] == "2024" and lerma["url"] == "https://example.org/lerma-2023"
    oficio = entity(settings, SOURCE_KIND, "oficio-de-lerma")
    assert oficio is not None and oficio["issued"] == "2024-05-31"
    # a practice's «fuentes» may be web addresses: the source that has it, or one made for it, once
    address = "https://example.org/lerma/acta-9"
    path = csv_file(
        tmp_path,
        HEADER + "\n"
        "Acta abierta de Lerma;municipio/15051;desinformacion-para-elegir-bachillerato;s;activa;;"
        f"{address}|https://example.org/lerma-2023\n"
        f"Acta en línea de Lerma;municipio/15051;desinformacion-para-elegir-bachillerato;s;activa;;{address}\n",
    )
    code, out, _ = run(capsys, str(path), "--kind", "practices")
    assert code == 0, out
    first = entity(settings, PRACTICE, "acta-abierta-de-lerma")
    second = entity(settings, PRACTICE, "acta-en-linea-de-lerma")
    assert first is not None and second is not None
    made = next(s for s in first["sources"] if s != ID + "fuente/informe-de-lerma-2023")  # type: ignore[attr-defined]
    assert ID + "fuente/informe-de-lerma-2023" in first["sources"]  # type: ignore[operator]
    assert second["sources"] == [made] and made == ID + "fuente/" + url_slug(address)
    assert entity(settings, SOURCE_KIND, url_slug(address))["url"] == address  # type: ignore[index]


@pytest.fixture()
def service(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.from_env(workers=1))) as client:
        # the steady state: the finder's first request waits at most a second for its index, then is a 503 «se está
        # preparando» (tests/test_background.py), which a loaded CI machine reached
        assert client.app.state.service.wait_for_builds(120)  # type: ignore[attr-defined]
        yield client


def test_the_service_serves_what_was_imported(service: TestClient) -> None:
    r = service.get("/api/entities/practice/mapa-abierto-de-bachilleratos-de-toluca")
    assert r.status_code == 200 and r.json()["source_data"] is False
    changes = service.get("/api/history/practica/mapa-abierto-de-bachilleratos-de-toluca").json()["changes"]
    assert [c["method"] for c in changes] == ["import"]
    hits = service.get("/api/practices/search", params={"q": "mapa de bachilleratos en Toluca"}).json()["results"]
    assert ID + "practica/mapa-abierto-de-bachilleratos-de-toluca" in [h["iri"] for h in hits]


@pytest.mark.parametrize("where", ["cell", "header"])
def test_a_cell_over_128_kib_is_a_clear_error_not_a_traceback(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    """Issue 19, item 13: a CSV cell or header over the csv module's limit (128 KiB) printed a traceback
    (``_csv.Error``). Now it is the report's error, naming the line, and nothing is written."""
    huge = "x" * 140_000
    header = "Nombre (es);Problema;Lugar;Vigencia"
    text = f"{header}\n{huge};Problema;Toluca;activa\n" if where == "cell" else f"{huge};{header}\nA;B;Toluca;activa\n"
    code, out, err = run(capsys, str(csv_file(tmp_path, text)), "--kind", "practices", "--actor", "ana.lopez")
    assert code != 0 and "Traceback" not in out + err
    assert "128 KiB" in out + err
    assert f"{2 if where == 'cell' else 1}" in out + err
