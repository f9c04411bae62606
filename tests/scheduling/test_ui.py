"""Settings show the policy with its numbers; the deck list shows the exam pace; jobs run off
the UI thread (real widgets, qtbot)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from cehrs_cards.core.records import CardState
from cehrs_cards.ui.dialogs import SettingsDialog
from cehrs_cards.ui.theme import colours
from tests.conftest import T0
from tests.ops_helpers import make_main_window, settle
from tests.scheduling.conftest import set_settings, study_days


def _exam_in(days: int) -> str:
    return (T0 + timedelta(days=days)).date().isoformat()


@pytest.fixture
def window(qtbot, skewed):
    return make_main_window(qtbot, skewed.col)


def test_settings_show_the_policy_with_its_numbers(qtbot, skewed):
    set_settings(skewed, exam_date=_exam_in(3), new_per_day=10, tilt=1.0)
    dialog = SettingsDialog(skewed.settings, plan=skewed.plan())
    qtbot.addWidget(dialog)
    table = dialog.per_domain
    rows = {table.item(r, 0).text()[0]: r for r in range(table.rowCount())}
    d2, d4 = rows["2"], rows["4"]
    assert table.item(d2, 2).text() == "12" and table.item(d4, 2).text() == "40"  # your cards
    assert table.item(d2, 3).text() == "3.04×" and table.item(d4, 3).text() == "0.43×"
    assert table.item(d2, 4).text() == "12" and table.item(d4, 4).text() == "0"  # planned
    assert "30 fit before the exam" in dialog.policy_note.text()
    # behind the plan (114 new cards, 30 fit): the tilt is paused, time goes to new cards
    assert "paused" in dialog.policy_note.text()
    assert {table.item(r, 5).text() for r in range(5)} == {"90.0%"}
    set_settings(skewed, exam_date=None)  # on track: the tilt applies, by card value
    on_track = SettingsDialog(skewed.settings, plan=skewed.plan())
    qtbot.addWidget(on_track)
    table = on_track.per_domain
    assert table.item(d2, 5).text() == "96.7%" and table.item(d4, 5).text() == "80.0%"
    on_track.tilt.setValue(0.0)  # plain FSRS: every domain at the base retention
    assert {table.item(r, 5).text() for r in range(5)} == {"90.0%"}
    assert dialog.result_settings().exam_date == _exam_in(3)
    dialog.not_booked.setChecked(True)
    assert dialog.result_settings().exam_date is None
    dialog.not_booked.setChecked(False)
    dialog.exam_date.setDate(QDate(2026, 9, 1))
    assert dialog.result_settings().exam_date == "2026-09-01"


def test_deck_list_shows_the_pace_and_warns_when_the_limit_is_too_low(qtbot, window, skewed):
    assert window.decks.pace.isHidden()  # no exam date: no pace line
    set_settings(skewed, exam_date=_exam_in(30), new_per_day=20)
    window.refresh_decks()
    settle(qtbot)
    assert not window.decks.pace.isHidden()
    assert "8 new cards a day" in window.decks.pace.text()
    assert "⚠" not in window.decks.pace.text()
    set_settings(skewed, new_per_day=5)
    window.refresh_decks()
    settle(qtbot)
    assert "⚠" in window.decks.pace.text() and "limit is 5" in window.decks.pace.text()
    assert colours().error in window.decks.pace.styleSheet()  # the theme's error colour


def test_changing_retention_in_settings_reschedules_off_the_ui_thread(
    qtbot, window, skewed, clock, monkeypatch
):
    study_days(skewed, clock, 3)
    with skewed.col.read() as s:
        from sqlmodel import select

        from cehrs_cards.db.models import Card

        before = {c.id: c.due for c in s.exec(select(Card).where(Card.state == CardState.REVIEW))}

    def accept(dialog):
        dialog.retention.setValue(0.96)
        return True

    monkeypatch.setattr(SettingsDialog, "exec", accept)
    window.open_settings()
    qtbot.waitUntil(lambda: "Rescheduled" in window.statusBar().currentMessage(), timeout=10000)
    with skewed.col.read() as s:
        after = {c.id: c.due for c in s.exec(select(Card).where(Card.state == CardState.REVIEW))}
    assert window.services.review.settings.base_retention == 0.96
    assert all(after[c] <= before[c] for c in before)  # higher retention: sooner or same
    assert sum(after[c] < before[c] for c in before) > 0.5 * len(before)
    assert "Rescheduled" in window.statusBar().currentMessage()


def test_optimise_my_parameters_reports_and_keeps_old_without_data(qtbot, window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    action = next(a for a in window.actions() if a.text().startswith("&Optimise"))
    action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "Kept your current parameters" in shown[0]
    assert window.services.review.settings.parameters is None


def test_the_exam_day_recall_target_is_a_setting_the_placer_reads(
    qtbot, window, skewed, monkeypatch
):
    """Settings › Advanced sets the recall aimed for on exam day; the saved value is what the
    exam-day placement of final reviews uses."""
    from cehrs_cards.services.scheduling import _window, exam_placer

    def accept(dialog):
        assert dialog.exam_target.value() == 0.95  # the default
        dialog.exam_target.setValue(0.9)
        dialog.not_booked.setChecked(False)
        dialog.exam_date.setDate(QDate.fromString(_exam_in(20), "yyyy-MM-dd"))
        dialog.new_per_day.setValue(50)
        return True

    monkeypatch.setattr(SettingsDialog, "exec", accept)
    window.open_settings()
    qtbot.waitUntil(lambda: window.services.review.settings.exam_target == 0.9, timeout=10000)
    settle(qtbot)
    assert skewed.col.settings().exam_target == 0.9  # stored, not only in memory
    placer = exam_placer(skewed.col, skewed.plan(), _window(skewed.col))
    assert placer is not None and placer.target == 0.9
