"""Access control for writes: staff tokens (hashed in a file), roles, sessions with CSRF tokens for forms, the
write rate limit, the write log, and `graphapp staff`."""

from __future__ import annotations

import json
import logging
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphapp import staff
from graphapp.cli import main
from graphapp.config import ConfigError, Settings
from graphapp.web.app import create_app
from graphapp.web.auth import SESSION_COOKIE, Editor, Principal, secret_key

from .conftest import make_app_client, make_settings

LEGACY = "legacy-update-token-for-access-tests"
UPDATE = {"Content-Type": "application/sparql-update"}
GRAPH = "https://w3id.org/gakg/graph/local/pruebas-acceso"


def insert(n: int | str) -> str:
    return (
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://w3id.org/gakg/id/nota/prueba-acceso-{n}> "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "prueba {n}"@es }} }}'
    )


def bearer(token: str) -> dict[str, str]:
    return {**UPDATE, "Authorization": f"Bearer {token}"}


class Staff:
    """The staff file of the test service and the tokens handed out."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tokens: dict[str, str] = {}

    def add(self, name: str, *roles: str) -> str:
        _, self.tokens[name] = staff.add(self.path, name, roles, display_name=name.title())
        return self.tokens[name]


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Staff:
    team = Staff(tmp_path_factory.mktemp("staff") / "staff.json")
    team.add("ana.lopez", "edit")
    team.add("admin.uno", "edit", "admin")
    return team


def _settings(team: Staff, **overrides: object) -> Settings:
    return make_settings(update_token=LEGACY, staff_file=str(team.path), **overrides)


@pytest.fixture(scope="module")
def app_client(team: Staff) -> Iterator[TestClient]:
    app = create_app(_settings(team))

    # a page for people that only editors see: a browser without a session is sent to the sign-in page
    @app.get("/_prueba/formulario", include_in_schema=False)
    def test_form(principal: Editor) -> dict[str, str]:
        return {"name": principal.name}

    with TestClient(app) as c:
        yield c


@pytest.fixture()
def client(app_client: TestClient) -> TestClient:
    app_client.cookies.clear()
    return app_client


# ---------------------------------------------------------------- the staff file


def test_the_file_keeps_a_salted_hash_never_the_token(tmp_path: Path) -> None:
    path = tmp_path / "staff.json"
    member, token = staff.add(path, "ana.lopez", ["edit"], "Ana López")
    text = path.read_text(encoding="utf-8")
    token_id, secret = token.split(".")
    assert secret not in text and token not in text
    assert member.token_id == token_id and token_id in text
    assert json.loads(text)["staff"][0]["token_hash"].startswith("scrypt$")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    _, token2 = staff.add(path, "beto.ruiz", ["edit"])
    hashes = [m.token_hash for m in staff.read_members(path).values()]
    assert len(set(hashes)) == 2 and token2 != token  # one salt per token
    assert staff.read_members(path)["ana.lopez"].verify(token)
    assert not staff.read_members(path)["ana.lopez"].verify(token2)
    with pytest.raises(staff.StaffError):
        staff.add(path, "ana.lopez", ["edit"])
    with pytest.raises(staff.StaffError):
        staff.add(path, "update-token", ["edit"])
    with pytest.raises(staff.StaffError):
        staff.add(path, "carla", ["root"])


def test_secret_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(store_dir=str(tmp_path / "store"))
    key = secret_key(settings)
    assert key == secret_key(settings) and len(key) >= 32
    assert stat.S_IMODE((tmp_path / "store" / "secret.key").stat().st_mode) == 0o600
    assert secret_key(Settings(store_dir=":memory:")) != secret_key(Settings(store_dir=":memory:"))
    assert secret_key(Settings(secret_key="k" * 40)) == b"k" * 40


def test_settings_for_access() -> None:
    with pytest.raises(ConfigError, match="GRAPHAPP_WRITE_RATE"):
        Settings.from_env({"GRAPHAPP_WRITE_RATE": "often"})
    with pytest.raises(ConfigError, match="GRAPHAPP_WRITE_RATE"):
        Settings.from_env({"GRAPHAPP_WRITE_RATE": "0/minute"})
    shown = dict((name, value) for name, value, _ in Settings(secret_key="very-secret", update_token="t").help())
    assert shown["GRAPHAPP_SECRET_KEY"] == "***" and shown["GRAPHAPP_UPDATE_TOKEN"] == "***"


# ---------------------------------------------------------------- bearer tokens and roles


def test_a_staff_token_writes_and_the_write_is_logged_without_it(
    client: TestClient, team: Staff, caplog: pytest.LogCaptureFixture
) -> None:
    token = team.tokens["ana.lopez"]
    with caplog.at_level(logging.DEBUG):
        r = client.post("/sparql/update", content=insert("ana"), headers=bearer(token))
    assert r.status_code == 204, r.text
    writes = [rec.getMessage() for rec in caplog.records if rec.name == "graphapp.writes"]
    assert writes == ["write by ana.lopez (token): POST /sparql/update"]
    assert token not in caplog.text and token.split(".")[1] not in caplog.text
    ask = f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p 'prueba ana'@es }} }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True


def test_no_credentials_401_bad_ones_403(client: TestClient, team: Staff) -> None:
    r = client.post("/sparql/update", content=insert("x"), headers=UPDATE)
    assert r.status_code == 401 and r.headers["www-authenticate"] == 'Bearer realm="graphapp"'
    token_id, secret = team.tokens["ana.lopez"].split(".")
    for wrong in ("wrong", f"{token_id}.{secret[:-2]}xx", f"0000000000000000.{secret}", token_id):
        r = client.post("/sparql/update", content=insert("x"), headers=bearer(wrong))
        assert r.status_code == 403, wrong
        assert "not valid" in r.text


def test_roles(client: TestClient, team: Staff) -> None:
    r = client.get("/api/staff", headers={"Authorization": f"Bearer {team.tokens['ana.lopez']}"})
    assert r.status_code == 403 and "admin" in r.json()["message"]
    assert client.get("/api/staff").status_code == 401
    r = client.get("/api/staff", headers={"Authorization": f"Bearer {team.tokens['admin.uno']}"})
    assert r.status_code == 200
    names = {m["name"]: m for m in r.json()["staff"]}
    assert {"ana.lopez", "admin.uno"} <= set(names)
    assert names["ana.lopez"]["roles"] == ["edit"]
    assert "token_hash" not in r.text and team.tokens["ana.lopez"].split(".")[1] not in r.text
    # an admin-only account without 'edit' may not write
    token = team.add("solo.admin", "admin")
    assert client.post("/sparql/update", content=insert("x"), headers=bearer(token)).status_code == 403


def test_the_legacy_update_token_holds_every_role(client: TestClient) -> None:
    r = client.post("/sparql/update", content=insert("legacy"), headers=bearer(LEGACY))
    assert r.status_code == 204, r.text
    assert client.get("/api/staff", headers={"Authorization": f"Bearer {LEGACY}"}).status_code == 200


def test_disabled_and_replaced_tokens_stop_working_at_once(client: TestClient, team: Staff) -> None:
    token = team.add("beto.ruiz", "edit")
    assert client.post("/sparql/update", content=insert("beto-1"), headers=bearer(token)).status_code == 204
    staff.set_disabled(team.path, "beto.ruiz")
    r = client.post("/sparql/update", content=insert("beto-2"), headers=bearer(token))
    assert r.status_code == 403 and "disabled" in r.text
    staff.set_disabled(team.path, "beto.ruiz", False)
    assert client.post("/sparql/update", content=insert("beto-3"), headers=bearer(token)).status_code == 204
    _, new = staff.rotate(team.path, "beto.ruiz")
    assert client.post("/sparql/update", content=insert("beto-4"), headers=bearer(token)).status_code == 403
    assert client.post("/sparql/update", content=insert("beto-5"), headers=bearer(new)).status_code == 204


# ---------------------------------------------------------------- sessions for forms


def _sign_in(client: TestClient, token: str, next_path: str = "/sparql") -> str:
    """Sign in at /acceso; returns the session's CSRF token, read from the page as a browser would."""
    r = client.post("/acceso", data={"token": token, "next": next_path}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/acceso")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def test_sign_in_sets_a_strict_httponly_cookie(client: TestClient, team: Staff) -> None:
    r = client.post("/acceso", data={"token": team.tokens["ana.lopez"], "next": "/vistas"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/vistas"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=strict" in flags
    assert "secure" not in flags  # the public URL is http here
    assert team.tokens["ana.lopez"] not in cookie
    page = client.get("/acceso")
    assert "Ana.Lopez" in page.text and "Salir" in page.text


def test_the_cookie_is_secure_behind_https(team: Staff) -> None:
    from graphapp.web.auth import Access

    access = Access(_settings(team, public_url="https://ga.example.org/"))
    from fastapi.responses import Response

    response = Response()
    access.set_cookie(response, access.open_session(Principal("ana.lopez", frozenset({"edit"})), "id"))
    assert "secure" in {p.strip().lower() for p in response.headers["set-cookie"].split(";")}


def test_a_session_writes_only_with_its_csrf_token(client: TestClient, team: Staff) -> None:
    csrf = _sign_in(client, team.tokens["ana.lopez"])
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = client.post("/sparql/update", data={"update": insert("sesion-1")})
    assert r.status_code == 403 and "csrf_token" in r.text
    r = client.post("/sparql/update", data={"update": insert("sesion-1"), "csrf_token": "forged"})
    assert r.status_code == 403
    r = client.post("/sparql/update", data={"update": insert("sesion-1"), "csrf_token": csrf})
    assert r.status_code == 204, r.text
    r = client.post("/sparql/update", content=insert("sesion-2"), headers={**UPDATE, "X-CSRF-Token": csrf})
    assert r.status_code == 204, r.text
    # a token from another session does not do
    client.cookies.clear()
    other = _sign_in(client, team.tokens["ana.lopez"])
    assert other != csrf
    r = client.post("/sparql/update", content=f"update={insert('sesion-3')}&csrf_token={csrf}", headers=form)
    assert r.status_code == 403


def test_sign_in_with_a_wrong_token_and_next_elsewhere(client: TestClient, team: Staff) -> None:
    r = client.post("/acceso", data={"token": "nope", "next": "/vistas"}, follow_redirects=False)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    assert "no es válido" in r.text or "not valid" in r.text
    assert 'name="token"' in r.text
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client.cookies.clear()
        r = client.post("/acceso", data={"token": team.tokens["ana.lopez"], "next": elsewhere}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", elsewhere
    assert client.post("/acceso", data={"next": "/"}).status_code == 400


def test_a_browser_without_a_session_is_sent_to_sign_in(client: TestClient, team: Staff) -> None:
    r = client.get("/_prueba/formulario?lang=en", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/acceso?next=%2F_prueba%2Fformulario%3Flang%3Den"
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and 'value="/_prueba/formulario?lang=en"' in page.text
    # programs get the 401
    r = client.get("/_prueba/formulario", headers={"Accept": "application/json"})
    assert r.status_code == 401
    # signed in: the form page opens (no CSRF token needed to read)
    _sign_in(client, team.tokens["ana.lopez"])
    r = client.get("/_prueba/formulario", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.json() == {"name": "ana.lopez"}


def test_sign_out_and_ended_sessions(client: TestClient, team: Staff) -> None:
    token = team.add("carla.diaz", "edit")
    csrf = _sign_in(client, token)
    assert client.post("/salir", data={}).status_code == 403  # a page elsewhere may not sign you out
    r = client.post("/salir", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/acceso"
    client.cookies.clear()  # the browser drops the expired cookie
    assert client.post("/sparql/update", data={"update": insert("c"), "csrf_token": csrf}).status_code == 401
    # disabling the account ends its sessions
    csrf = _sign_in(client, token)
    staff.set_disabled(team.path, "carla.diaz")
    r = client.post("/sparql/update", data={"update": insert("c"), "csrf_token": csrf})
    assert r.status_code == 403 and "sign in again" in r.text
    # a cookie this server did not sign is no session
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, "forged.value")
    assert client.post("/sparql/update", data={"update": insert("c")}).status_code == 401


def test_signing_out_ends_the_session_on_the_server(client: TestClient, team: Staff) -> None:
    """Issue 19, item 8: a copy of the session cookie kept from before «Salir» wrote afterwards (201). The session's
    id is now ended on the server: the copy is no session (401), and other sessions of the account go on."""
    token = team.add("diego.ruiz", "edit")
    csrf = _sign_in(client, token)
    copied = client.cookies.get(SESSION_COOKIE)
    other = TestClient(client.app)  # another browser of the same person, signed in apart
    other_csrf = _sign_in(other, token)
    assert client.post("/salir", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, copied)
    r = client.post("/sparql/update", data={"update": insert("d"), "csrf_token": csrf})
    assert r.status_code == 401, r.text
    assert other.post("/sparql/update", data={"update": insert("e"), "csrf_token": other_csrf}).status_code == 204


def test_a_legacy_token_session(client: TestClient) -> None:
    csrf = _sign_in(client, LEGACY)
    r = client.post("/sparql/update", data={"update": insert("legacy-sesion"), "csrf_token": csrf})
    assert r.status_code == 204, r.text


def test_no_token_in_the_logs(client: TestClient, team: Staff, caplog: pytest.LogCaptureFixture) -> None:
    token = team.tokens["admin.uno"]
    with caplog.at_level(logging.DEBUG):
        csrf = _sign_in(client, token)
        client.post("/sparql/update", data={"update": insert("log"), "csrf_token": csrf})
        client.post("/sparql/update", content=insert("log-2"), headers=bearer(token))
        client.post("/acceso", data={"token": token + "x"})
    assert "write by admin.uno (session): POST /sparql/update" in caplog.text
    assert "write by admin.uno (token): POST /sparql/update" in caplog.text
    for secret in (token, token.split(".")[1], csrf):
        assert secret not in caplog.text


# ---------------------------------------------------------------- the write rate


def test_writes_beyond_the_rate_get_429(team: Staff) -> None:
    with make_app_client(update_token=LEGACY, staff_file=str(team.path), write_rate="3/minute") as c:
        token = team.tokens["ana.lopez"]
        for _ in range(3):  # refused updates count too: the limit is on attempts to write
            assert c.post("/sparql/update", content="not sparql", headers=bearer(token)).status_code == 400
        r = c.post("/sparql/update", content=insert("limite"), headers=bearer(token))
        assert r.status_code == 429
        assert 0 < int(r.headers["retry-after"]) <= 60
        # per principal: another staff member still writes
        r = c.post("/sparql/update", content=insert("limite-otro"), headers=bearer(team.tokens["admin.uno"]))
        assert r.status_code == 204, r.text
        # reads are never limited by it
        assert c.get("/api/staff", headers={"Authorization": f"Bearer {token}"}).status_code == 403
        # sign-in attempts from one address are limited too
        codes = [c.post("/acceso", data={"token": "nope"}).status_code for _ in range(4)]
        assert codes == [403, 403, 403, 429]


# ---------------------------------------------------------------- graphapp staff


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_staff_commands(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "equipo" / "staff.json"
    monkeypatch.setenv("GRAPHAPP_STAFF_FILE", str(path))
    code, token, err = run(
        capsys, "staff", "add", "ana.lopez", "--role", "edit", "--role", "admin", "--display", "Ana López"
    )
    assert code == 0 and "shown this once" in err
    token = token.strip()
    assert staff.read_members(path)["ana.lopez"].verify(token)
    assert token not in path.read_text(encoding="utf-8")

    code, out, _ = run(capsys, "staff", "add", "ana.lopez", "--role", "edit")
    assert code == 2
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "staff", "add", "beto", "--role", "root")
    assert exit_.value.code == 2 and "invalid choice" in capsys.readouterr().err

    code, out, _ = run(capsys, "staff", "list")
    assert code == 0 and "ana.lopez\tAna López\tedit,admin\tactive" in out
    assert token.split(".")[1] not in out and "scrypt" not in out
    code, out, _ = run(capsys, "staff", "list", "--json")
    listed = json.loads(out)["staff"]
    assert listed[0]["name"] == "ana.lopez" and "token_hash" not in listed[0]

    assert run(capsys, "staff", "disable", "ana.lopez")[0] == 0
    assert staff.read_members(path)["ana.lopez"].disabled
    assert "disabled" in run(capsys, "staff", "list")[1]
    assert run(capsys, "staff", "enable", "ana.lopez")[0] == 0
    assert not staff.read_members(path)["ana.lopez"].disabled

    code, new, _ = run(capsys, "staff", "token", "ana.lopez")
    assert code == 0
    member = staff.read_members(path)["ana.lopez"]
    assert member.verify(new.strip()) and not member.verify(token)
    assert run(capsys, "staff", "disable", "nadie")[0] == 2


def test_staff_commands_need_a_file_for_an_in_memory_store(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPHAPP_STORE_DIR", ":memory:")
    monkeypatch.delenv("GRAPHAPP_STAFF_FILE", raising=False)
    code, _, err = run(capsys, "staff", "list")
    assert code == 2 and "GRAPHAPP_STAFF_FILE" in err


@pytest.mark.parametrize(
    "update", [f"CLEAR GRAPH <{GRAPH}>", "CLEAR DEFAULT", "DROP DEFAULT", f"MOVE DEFAULT TO <{GRAPH}-movido>"]
)
def test_bulk_deletion_needs_the_admin_role(client: TestClient, team: Staff, update: str) -> None:
    """Issue 19, item 14: any edit token could hard-delete every staff contribution with CLEAR/DROP/MOVE DEFAULT
    (204). Those operations now need the role admin; an editor's DELETE of its own statements still works."""
    auth = {"Authorization": f"Bearer {team.tokens['ana.lopez']}"}
    assert client.post("/sparql/update", data={"update": insert("bulk")}, headers=auth).status_code == 204
    r = client.post("/sparql/update", data={"update": update}, headers=auth)
    assert r.status_code == 403 and "administrator" in r.text, r.text
    ask = f"ASK {{ GRAPH <{GRAPH}> {{ <https://w3id.org/gakg/id/nota/prueba-acceso-bulk> ?p ?o }} }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
    admin = {"Authorization": f"Bearer {team.tokens['admin.uno']}"}
    r = client.post("/sparql/update", data={"update": update}, headers=admin)
    assert r.status_code != 403, r.text
