"""End to end: the real entry point on a temp data dir, first run, a review, close, reopen."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cehrs_cards.cli import main
from cehrs_cards.ui.main_window import MainWindow

pytestmark = pytest.mark.e2e
FIXTURE_DECKS = Path(__file__).parents[1] / "fixtures" / "decks"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cehrs_cards", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_first_run_of_the_real_app_creates_the_collection_with_the_bundled_deck(tmp_path):
    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-m", "cehrs_cards", "--data-dir", str(data)], env=env)
    try:
        deadline = time.monotonic() + 90
        cards = 0
        while time.monotonic() < deadline and not cards:
            time.sleep(0.5)
            assert proc.poll() is None, "the app exited early"
            db = data / "collection.sqlite"
            if db.exists():
                try:
                    con = sqlite3.connect(db)
                    done = con.execute(
                        "SELECT value FROM setting WHERE key='bundled_loaded'"
                    ).fetchone()
                    cards = con.execute("SELECT COUNT(*) FROM card").fetchone()[0] if done else 0
                    con.close()
                except sqlite3.OperationalError:
                    pass
        assert cards > 0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    info = json.loads(_cli("--data-dir", str(data), "info", "--json").stdout)
    assert sum(info["cards_per_domain"].values()) + info["held_out_cards"] == cards
    assert info["held_out_cards"] == 300  # the diagnostic pool: counted apart, never studied
    assert set(info["cards_per_domain"]) == {"1", "2", "3", "4", "5", "unassigned"}
    assert info["new"] > 0 and info["reviews_today"] == 0


def _drive(steps) -> None:
    """Run `steps(window)` once the real main window is up, then close it."""

    def attempt() -> None:
        wins = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        if not wins:
            QTimer.singleShot(50, attempt)
            return
        wins[0].activateWindow()
        QTest.qWaitForWindowActive(wins[0])
        try:
            steps(wins[0])
        finally:
            wins[0].close()

    QTimer.singleShot(50, attempt)


def _wait(condition, seconds: float = 10.0) -> None:
    """Process events until `condition()` (work runs on the database thread)."""
    import time

    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting for the app"
        QApplication.processEvents()
        time.sleep(0.005)


def _study_day_far_from_rollover(data: Path) -> None:
    """The real app runs on the real clock: put the day's rollover 12 hours from now, so a
    learning card answered now is not due after the rollover (then it counts tomorrow)."""
    from dataclasses import replace
    from datetime import datetime

    from cehrs_cards.services.collection import Collection

    col = Collection(data)
    try:
        col.save_settings(replace(col.settings(), rollover_hour=(datetime.now().hour + 12) % 24))
    finally:
        col.close()


def test_review_in_the_real_app_survives_close_and_reopen(qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("CEHRS_CARDS_DECKS_DIR", str(FIXTURE_DECKS))
    data = tmp_path / "data"
    _study_day_far_from_rollover(data)
    answered: list[int] = []

    def review_three(win: MainWindow) -> None:
        _wait(lambda: win.decks.tree.topLevelItem(0) is not None)
        _wait(lambda: win.welcome.dialog is not None)  # a first run: the welcome comes up
        win.welcome.dialog.reject()  # "not now"; once studied, it no longer comes by itself
        win.activateWindow()  # keys go to the active window: the welcome had it
        assert QTest.qWaitForWindowActive(win)
        QTest.keyClick(win.decks.tree, Qt.Key.Key_Return)
        for _ in range(3):
            _wait(lambda: win.reviewer.card is not None and not win.reviewer.busy)
            answered.append(win.reviewer.card.card_id)
            QTest.keyClick(win.reviewer, Qt.Key.Key_Space)
            QTest.keyClick(win.reviewer, Qt.Key.Key_3)
            _wait(lambda: not win.reviewer.busy)

    _drive(review_three)
    assert main(["--data-dir", str(data)]) == 0
    assert len(answered) == 3

    seen: dict[str, str] = {}

    def look(win: MainWindow) -> None:
        _wait(lambda: win.decks.tree.topLevelItem(0) is not None)
        top = win.decks.tree.topLevelItem(0)
        seen.update(new=top.text(1), learning=top.text(2))

    _drive(look)
    assert main(["--data-dir", str(data)]) == 0
    assert seen == {"new": "3", "learning": "3"}  # a sibling of an answered card is buried

    info = json.loads(_cli("--data-dir", str(data), "info", "--json", env=dict(os.environ)).stdout)
    assert info["reviews_today"] == 3 and info["learning"] == 3
    con = sqlite3.connect(data / "collection.sqlite")
    logged = sorted(r[0] for r in con.execute("SELECT card_id FROM revlog"))
    assert logged == sorted(answered)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
