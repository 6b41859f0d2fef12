"""Shared fixtures: settings pointing at the shipped files, a loaded public store, the source text."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphapp.config import PROJECT_ROOT, Settings
from graphapp.store import GraphStore

SOURCE_TEXT = PROJECT_ROOT.parent / "shared" / "source" / "gobierno-abierto-infoem.txt"
PRIVATE_NAMES = ("Diana Bobadilla Martínez", "Jesús Felipe Borja Coronel", "Olivia Colin")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def public_store(settings: Settings) -> GraphStore:
    return GraphStore.from_settings(settings)


@pytest.fixture(scope="session")
def source_text() -> str:
    if not SOURCE_TEXT.is_file():
        pytest.skip(f"source presentation not found at {SOURCE_TEXT}")
    return SOURCE_TEXT.read_text(encoding="utf-8")


@pytest.fixture()
def tmp_data(tmp_path: Path) -> Path:
    return tmp_path
