"""Shared fixtures: a real collection on a temp SQLite file with a fixed UTC clock."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cehrs_cards.core.clock import FakeClock
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.review import ReviewService

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def col(tmp_path: Path, clock: FakeClock) -> Collection:
    c = Collection(tmp_path / "data", clock=clock, tz=UTC)
    c.save_settings(replace(c.settings(), fuzz=False, bundled_loaded=True))
    yield c
    c.close()


@pytest.fixture
def mini_col(col: Collection) -> Collection:
    """The collection with tests/fixtures/decks imported (5 notes, 7 cards, all domains)."""
    import_package(col, read_native(FIXTURES / "decks"))
    return col


@pytest.fixture
def review(mini_col: Collection) -> ReviewService:
    return ReviewService(mini_col)


@pytest.fixture(autouse=True)
def _no_background_work_left(request):
    """Like napari's conftest: a test may not leave background jobs running."""
    yield
    if "qapp" in request.fixturenames or "qtbot" in request.fixturenames:
        from PySide6.QtWidgets import QApplication

        from cehrs_cards.ui.ops import active_jobs

        deadline = 10_000
        from time import monotonic

        end = monotonic() + deadline / 1000
        while active_jobs() and monotonic() < end:
            QApplication.processEvents()
        assert active_jobs() == 0, "a background job was still running"
