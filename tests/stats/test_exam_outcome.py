"""After the exam date the app asks once for the result and keeps it beside the estimate of
the exam morning; the statistics show the two side by side."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cehrs_cards.interchange.native import read_native
from cehrs_cards.services import bundled
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.outcome import OutcomeError, OutcomeService
from cehrs_cards.services.stats import StatsService
from tests.stats.test_held_out_readiness import _take_mock, _write_deck


@pytest.fixture
def exam_col(col: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Collection:
    """A collection with a held-out pool, one mock taken and the exam date two days on."""
    folder = tmp_path / "bank"
    _write_deck(folder)
    monkeypatch.setenv(bundled.ENV_DECKS_DIR, str(folder))
    import_package(col, read_native(folder))
    _take_mock(ExamService(col), right=0.9, seed=11)
    exam = col.study_days().day_of(col.now()) + timedelta(days=2)
    col.save_settings(replace(col.settings(), exam_date=exam.isoformat()))
    return col


def test_asked_once_after_the_exam_date_with_that_mornings_estimate(exam_col, clock) -> None:
    outcome = OutcomeService(exam_col)
    assert outcome.pending() is None  # before the exam
    clock.advance(timedelta(days=2))
    assert outcome.pending() is None  # on exam day
    clock.advance(timedelta(days=1))
    exam = outcome.pending()
    assert exam is not None
    _take_mock(ExamService(exam_col), right=0.1, seed=12)  # after the exam: not in its estimate
    clock.advance(timedelta(hours=2))
    got = outcome.record(exam, True, 431).value
    assert outcome.pending() is None
    [kept] = outcome.outcomes()
    assert kept == got and (kept.passed, kept.scaled, kept.exam_date) == (True, 431, exam)
    p = kept.prediction
    assert p.answers == 100 and p.pass_probability is not None
    assert 0.01 <= p.pass_probability <= 0.99
    report = StatsService(exam_col).report(sections=("readiness",))
    assert report.outcomes == (kept,)
    assert report.held_out is not None and report.held_out.answers == 200


def test_rather_not_say_is_kept_and_not_asked_again(exam_col, clock) -> None:
    outcome = OutcomeService(exam_col)
    clock.advance(timedelta(days=3))
    exam = outcome.pending()
    assert exam is not None
    outcome.record(exam, None, None)
    assert outcome.pending() is None
    assert outcome.outcomes()[0].passed is None


def test_a_result_that_cannot_be_true_is_refused(exam_col, clock) -> None:
    outcome = OutcomeService(exam_col)
    clock.advance(timedelta(days=3))
    exam = outcome.pending()
    assert exam is not None
    with pytest.raises(OutcomeError, match="between 200 and 500"):
        outcome.record(exam, True, 640)
    with pytest.raises(OutcomeError, match="390 is the pass mark"):
        outcome.record(exam, False, 420)
    assert outcome.pending() == exam


def test_the_dialog_asks_saves_and_the_statistics_show_it(qtbot, exam_col, clock) -> None:
    from PySide6.QtWidgets import QWidget

    from cehrs_cards.ui.held_out_panel import outcomes_html
    from cehrs_cards.ui.ops import OpRunner
    from cehrs_cards.ui.outcome_dialog import OutcomeAsker
    from tests.ops_helpers import settle

    clock.advance(timedelta(days=3))
    window = QWidget()
    qtbot.addWidget(window)
    runner = OpRunner()
    runner.setParent(window)
    outcome = OutcomeService(exam_col)
    asker = OutcomeAsker(outcome, runner, window)
    asker.check()
    settle(qtbot)
    dialog = asker.dialog
    assert dialog is not None and not dialog.save.isEnabled()
    dialog.failed.setChecked(True)
    dialog.scaled.setValue(372)
    assert dialog.save.isEnabled()
    dialog.save.click()
    settle(qtbot)
    [kept] = outcome.outcomes()
    assert (kept.passed, kept.scaled) == (False, 372)
    asker.check()
    settle(qtbot)
    assert asker.dialog is None  # asked once
    text = outcomes_html(outcome.outcomes())
    assert "did not pass, scaled 372" in text and "pass chance" in text
