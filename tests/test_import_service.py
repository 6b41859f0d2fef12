"""`graphapp import` while the service runs on the same store: a real server holds the store on disk (RocksDB takes
one writer process), so the command sends the file to the service's import endpoint with a staff token
(GRAPHAPP_TOKEN) and prints the service's report; the dry run too. Without a token it says how to give one. Once
the service is stopped, the command opens the store itself again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphapp import staff
from graphapp.config import PROJECT_ROOT

from . import servers

EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "practicas.csv"
SOURCE = "cocreacion-desde-lo-local-inai-2020"


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("import-service")
    store = folder / "store"
    _, token = staff.add(store / "staff.json", "ana.lopez", ["edit"], display_name="Ana López")
    return {"folder": folder, "store": store, "token": token}


@pytest.fixture(scope="module")
def server(place: dict[str, Any]) -> Iterator[dict[str, Any]]:
    log = place["folder"] / "server.log"
    proc, base = servers.start(log, GRAPHAPP_STORE_DIR=str(place["store"]), GRAPHAPP_WRITE_RATE="1000/minute")
    try:
        servers.wait(proc, base, log)
        yield {**place, "proc": proc, "base": base, "port": base.rsplit(":", 1)[1]}
    finally:
        servers.stop(proc)


def graphapp_import(place: dict[str, Any], *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        **{k: v for k, v in os.environ.items() if k not in {"GRAPHAPP_TOKEN", "GRAPHAPP_UPDATE_TOKEN"}},
        "GRAPHAPP_STORE_DIR": str(place["store"]),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "graphapp.cli", "import", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
    )


def get(url: str, accept: str = "application/json") -> Any:
    try:
        return servers.urlopen(url, {"Accept": accept})
    except urllib.error.HTTPError as exc:
        return exc


def test_import_and_dry_run_go_through_the_running_service(server: dict[str, Any], tmp_path: Path) -> None:
    env = {"GRAPHAPP_PORT": server["port"], "GRAPHAPP_TOKEN": server["token"]}
    base = server["base"]

    done = graphapp_import(server, "--dry-run", str(EXAMPLE), "--kind", "practices", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "through the service" in done.stderr
    assert "2 filas válidas, 0 rechazadas" in done.stdout and "no se escribió nada" in done.stdout
    assert get(base + "/api/entities/practice/mapa-abierto-de-bachilleratos-de-toluca").status == 404

    done = graphapp_import(
        server, str(EXAMPLE), "--kind", "practices", "--source", "https://example.org/oficio/9", **env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 entidades escritas" in done.stdout

    # the running service shows what was imported, at once
    entity = get(base + "/id/practica/mapa-abierto-de-bachilleratos-de-toluca", "text/html")
    assert entity.status == 200 and "Mapa abierto de bachilleratos de Toluca" in entity.read().decode()
    history = json.loads(get(base + "/api/history/practica/mesas-de-dialogo-vecinal-de-metepec").read())
    (change,) = history["changes"]
    assert (change["method"], change["actor"], change["source"]) == (
        "import",
        "ana.lopez",
        "https://example.org/oficio/9",
    )

    # a file with a bad row: the service's report, exit 1, nothing written; places by name as the forms take them
    bad = tmp_path / "mala.csv"
    bad.write_text(
        "nombre;lugar;problema;solución;estado de vigencia;fuentes\n"
        f"Feria de datos de Metepec;Metepec;desinformacion-para-elegir-bachillerato;s;activa;{SOURCE}\n"
        f"Feria de datos de La Paz;La Paz;desinformacion-para-elegir-bachillerato;s;activa;{SOURCE}\n",
        encoding="utf-8",
    )
    done = graphapp_import(server, str(bad), "--kind", "practices", **env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Fila 3, columna «lugar»: «La Paz» es ambiguo" in done.stdout
    assert "municipio/15070 (La Paz, Estado de México)" in done.stdout and "No se escribió nada" in done.stdout
    assert get(base + "/api/entities/practice/feria-de-datos-de-metepec").status == 404


def test_without_a_token_it_says_how_to_give_one(server: dict[str, Any]) -> None:
    done = graphapp_import(server, "--dry-run", str(EXAMPLE), "--kind", "practices", GRAPHAPP_PORT=server["port"])
    assert done.returncode == 2
    assert "en uso" in done.stderr and "GRAPHAPP_TOKEN" in done.stderr and "Traceback" not in done.stderr
    done = graphapp_import(
        server, "--dry-run", str(EXAMPLE), "--kind", "practices", GRAPHAPP_PORT=server["port"], GRAPHAPP_TOKEN="x.y"
    )
    assert done.returncode == 2 and "refused the import (403)" in done.stderr


def test_with_the_service_stopped_the_command_opens_the_store(server: dict[str, Any], tmp_path: Path) -> None:
    servers.stop(server["proc"])
    path = tmp_path / "otra.csv"
    path.write_text(
        "nombre;lugar;problema;solución;estado de vigencia;fuentes\n"
        f"Presupuesto abierto de Metepec;Metepec;desinformacion-para-elegir-bachillerato;s;activa;{SOURCE}\n",
        encoding="utf-8",
    )
    done = graphapp_import(server, str(path), "--kind", "practices", "--actor", "ana.lopez")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "through the service" not in done.stderr and "1 entidad escrita" in done.stdout
