"""Packages made by the real tools (genanki, the anki package), once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.apkg.make_fixtures import build_all


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """genanki (collection.anki2), anki21 (legacy export), anki21b (current), text export."""
    return build_all(tmp_path_factory.mktemp("apkg"))
