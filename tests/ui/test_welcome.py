"""The welcome on a first run: exam date, minutes a day into limits with the pace they give,
theme, the Anki import offer, then the three things to do each day; saved as one operation."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication, QFileDialog

from cehrs_cards.core.records import Rating
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.scheduling import SchedulingService
from cehrs_cards.services.welcome import WelcomeChoice, apply_welcome, welcome_info
from cehrs_cards.ui.welcome_dialog import WelcomeDialog
from tests.ops_helpers import make_main_window, settle


def _scheduling(col) -> SchedulingService:
    return SchedulingService(col, ReviewService(col))


def test_apply_welcome_saves_limits_exam_date_and_theme(mini_col):
    scheduling = _scheduling(mini_col)
    info = welcome_info(scheduling)
    assert info.auto and info.unseen == 7 and info.minutes == 20
    result = apply_welcome(scheduling, WelcomeChoice(date(2026, 6, 1), 30, "dark"))
    assert result.changes.settings
    s = mini_col.settings()
    assert (s.new_per_day, s.reviews_per_day, s.exam_date, s.theme) == (
        16,
        150,
        "2026-06-01",
        "dark",
    )
    again = welcome_info(scheduling)
    assert not again.auto and again.minutes == 30  # Help shows it with the saved choices


def test_a_collection_already_studied_gets_no_welcome_by_itself(mini_col):
    review = ReviewService(mini_col)
    review.answer(review.next_card(), Rating.GOOD)
    assert not welcome_info(SchedulingService(mini_col, review)).auto


@pytest.fixture
def window(qtbot, mini_col):
    return make_main_window(qtbot, mini_col)


def _open(qtbot, window, auto: bool):
    window.show_welcome(auto)
    settle(qtbot)
    return window.welcome.dialog


def test_the_welcome_turns_minutes_into_a_pace_and_saves_by_keyboard(qtbot, window, mini_col):
    dialog = _open(qtbot, window, auto=True)
    assert dialog is not None and dialog.isVisible()
    assert dialog.not_booked.isChecked() and "Set your exam date" in dialog.pace.text()
    dialog.not_booked.setChecked(False)
    dialog.exam.setDate(QDate(2026, 4, 9))  # 30 days after the test clock's today
    dialog.minutes.setValue(45)
    assert "45 minutes a day: 24 new cards a day" in dialog.pace.text()
    assert "Every one of your 7 new cards seen in 1 day" in dialog.pace.text()
    dialog.next_button.click()
    assert "A practice block" in dialog.daily.text() and "once a week" in dialog.daily.text()
    dialog.start_button.click()
    settle(qtbot)
    s = mini_col.settings()
    assert (s.new_per_day, s.exam_date) == (24, "2026-04-09")
    assert window.welcome.dialog is None
    assert _open(qtbot, window, auto=True) is None  # seen: not by itself again
    again = _open(qtbot, window, auto=False)  # Help › Welcome and daily plan
    assert again is not None and again.minutes.value() == 45
    again.reject()
    settle(qtbot)


def test_the_import_offer_saves_then_opens_the_import(qtbot, window, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (asked.append("file"), ("", ""))[1]
    )
    dialog = _open(qtbot, window, auto=True)
    dialog.import_button.click()
    settle(qtbot)
    qtbot.waitUntil(lambda: asked == ["file"])
    assert not QApplication.activeModalWidget()


def test_a_window_gone_before_the_welcome_is_read_opens_no_welcome(qtbot, window):
    """Closed at once (the packaging smoke test does it): no dialog may keep the app alive."""
    window.show_welcome(auto=True)
    window.hide()
    settle(qtbot)
    assert window.welcome.dialog is None
    assert not any(
        isinstance(w, WelcomeDialog) and w.isVisible() for w in QApplication.allWidgets()
    )


def test_closing_the_window_closes_the_welcome_unsaved(qtbot, window, mini_col):
    dialog = _open(qtbot, window, auto=True)
    dialog.minutes.setValue(60)
    window.close()
    settle(qtbot)
    assert not dialog.isVisible() and window.welcome.dialog is None


def test_the_pace_counts_only_cards_you_will_study_not_the_held_out_pool(tmp_path):
    """The bundled deck keeps 300 diagnostic items out of study: the welcome's 'every one of
    your N new cards' is the studied cards, the number the deck list shows."""
    from dataclasses import replace

    from cehrs_cards.services.bundled import load_bundled_if_first_run
    from cehrs_cards.services.collection import Collection
    from cehrs_cards.services.info import collection_info

    col = Collection(tmp_path / "data")
    try:
        col.save_settings(replace(col.settings(), bundled_loaded=False))
        load_bundled_if_first_run(col)
        review = ReviewService(col)
        info = collection_info(review)
        held_out = info["held_out_cards"]
        assert held_out == 300
        unseen = welcome_info(SchedulingService(col, review)).unseen
        assert unseen == info["cards"]  # the studied cards (info counts the pool apart)
    finally:
        col.close()
