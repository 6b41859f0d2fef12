"""A staff token's scrypt verification is remembered for a while (writes should not pay a slow KDF each time), and
yet a new token or a disabled account takes effect at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphapp import staff
from graphapp.config import Settings
from graphapp.web.credentials import Access
from graphapp.web.exceptions import AppError


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens scrypt was asked to verify."""
    calls: list[str] = []
    check = staff.check_token

    def counting(token: str, stored: str) -> bool:
        calls.append(token)
        return check(token, stored)

    monkeypatch.setattr(staff, "check_token", counting)
    return calls


def access(path: Path) -> Access:
    (path.parent / "store").mkdir(exist_ok=True)
    return Access(Settings(staff_file=str(path), store_dir=str(path.parent / "store"), secret_key="k" * 40))


def test_a_verified_token_is_not_hashed_again(tmp_path: Path, counted: list[str]) -> None:
    path = tmp_path / "staff.json"
    _, token = staff.add(path, "ana.lopez", ["edit"])
    a = access(path)
    for _ in range(3):
        assert a.authenticate(token)[0].name == "ana.lopez"
    assert counted == [token]


def test_a_wrong_secret_is_refused_even_after_the_right_one(tmp_path: Path, counted: list[str]) -> None:
    path = tmp_path / "staff.json"
    _, token = staff.add(path, "ana.lopez", ["edit"])
    a = access(path)
    a.authenticate(token)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(AppError) as refused:
        a.authenticate(forged)
    assert refused.value.status == 403
    assert counted == [token, forged]  # the forged one was hashed, not taken from the cache


def test_a_disabled_account_stops_at_once_despite_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "staff.json"
    _, token = staff.add(path, "ana.lopez", ["edit"])
    a = access(path)
    a.authenticate(token)
    staff.set_disabled(path, "ana.lopez")
    with pytest.raises(AppError) as refused:
        a.authenticate(token)
    assert refused.value.status == 403 and "disabled" in refused.value.message
    staff.set_disabled(path, "ana.lopez", False)
    assert a.authenticate(token)[0].name == "ana.lopez"


def test_a_replaced_token_stops_at_once_despite_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "staff.json"
    _, old = staff.add(path, "ana.lopez", ["edit"])
    a = access(path)
    a.authenticate(old)
    _, new = staff.rotate(path, "ana.lopez")
    with pytest.raises(AppError):
        a.authenticate(old)
    assert a.authenticate(new)[0].name == "ana.lopez"


def test_the_cache_expires(tmp_path: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "staff.json"
    _, token = staff.add(path, "ana.lopez", ["edit"])
    a = access(path)
    a.authenticate(token)
    monkeypatch.setattr(staff, "VERIFIED_SECONDS", 0.0)
    a.authenticate(token)
    assert counted == [token, token]
