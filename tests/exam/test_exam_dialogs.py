"""The practice-block builder, the mock start screen and the history dialog, on real widgets."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from cehrs_cards.core.exam import TIMED, TUTOR
from cehrs_cards.services.exams import BlockSpec, ExamOptions
from cehrs_cards.ui.exam_dialogs import MockStartDialog, PracticeDialog
from cehrs_cards.ui.exam_history import HistoryDialog, trend_per_mock
from tests.exam.conftest import MCQS_PER_DOMAIN


def test_practice_builder_counts_what_matches_and_builds_the_spec(qtbot, exams):
    block = exams.start_block(BlockSpec(domains=(5,), size=6), seed=1).value
    for i, slot in enumerate(block.slots):
        exams.goto(block, i)
        exams.select(block, slot.item.answer if i % 2 else (slot.item.answer + 1) % 4)
    exams.submit(block)
    dialog = PracticeDialog(exams.block_catalog())
    qtbot.addWidget(dialog)
    assert f"{sum(MCQS_PER_DOMAIN.values())} questions match" in dialog.available.text()
    dialog.size_spin.setValue(10)
    for dom, box in dialog.domains.items():
        box.setChecked(dom == 5)
    assert f"{MCQS_PER_DOMAIN[5]} questions match" in dialog.available.text()
    dialog.filters["incorrect"].setChecked(True)
    assert "3 match: the block will have 3" in dialog.available.text()
    dialog.filters["unused"].setChecked(True)
    assert f"{MCQS_PER_DOMAIN[5] - 3} questions match" in dialog.available.text()
    dialog.tutor.setChecked(True)
    spec = dialog.spec()
    assert (
        spec.size == 10
        and spec.domains == (5,)
        and spec.filters == ("unused", "incorrect")
        and spec.mode == TUTOR
    )
    dialog.domains[5].setChecked(False)
    assert "No questions match" in dialog.available.text() and not dialog.start.isEnabled()


def test_mock_start_screen_keeps_comforts_off_by_default(qtbot):
    dialog = MockStartDialog(ExamOptions())
    qtbot.addWidget(dialog)
    assert not dialog.pause.isChecked() and not dialog.strike.isChecked()
    assert dialog.cut.value() == 70 and dialog.result_options() == ExamOptions()
    dialog.strike.setChecked(True)
    dialog.cut.setValue(72)
    assert dialog.result_options() == ExamOptions(cut=72, allow_strike=True)


def test_history_shows_a_trend_and_reopens_an_attempt(qtbot, exams, clock):
    for target in (40, 60, 75):
        att = exams.start_mock().value
        right = 0
        for i, slot in enumerate(att.slots):
            if not slot.pretest and right < target:
                exams.goto(att, i)
                exams.select(att, slot.item.answer)
                right += 1
        clock.advance(timedelta(hours=3))
        exams.submit(att)
    exams.submit(exams.start_block(BlockSpec(size=5, mode=TIMED), seed=1).value)
    dialog = HistoryDialog(exams.history())
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 4 and dialog.table.item(0, 1).text() == "Block (timed)"
    assert [dialog.table.item(r, 3).text() for r in (1, 2, 3)] == [
        "75 / 100",
        "60 / 100",
        "40 / 100",
    ]
    assert len(dialog.chart.mocks) == 3
    slope = trend_per_mock([m.scaled for m in dialog.chart.mocks])
    assert slope is not None and slope > 0
    assert f"Trend: +{slope:.0f} scaled points per mock over the last 3" in dialog.trend.text()
    dialog.table.selectRow(3)
    with qtbot.waitSignal(dialog.sig_open) as got:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert got.args == [exams.history()[0].attempt_id]


def test_trend_needs_two_mocks():
    assert trend_per_mock([400]) is None
    assert trend_per_mock([300, 320, 340]) == 20
