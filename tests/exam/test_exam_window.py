"""The real exam window driven with qtbot: keyboard and mouse answers, flags, navigation, the
review screen, confirmation, submission, auto-submission at zero, tutor mode, and resuming."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from cehrs_cards.core.exam import TUTOR
from cehrs_cards.services.exams import BlockSpec, ExamOptions, ExamService
from cehrs_cards.ui.exam_view import ExamWindow
from cehrs_cards.ui.main_window import MainWindow
from cehrs_cards.ui.ops import OpRunner
from tests.exam.test_service import WORKER
from tests.ops_helpers import make_main_window, settle

KEYS = [Qt.Key.Key_1, Qt.Key.Key_B, Qt.Key.Key_3, Qt.Key.Key_D]


def _open(qtbot, exams: ExamService, att) -> ExamWindow:
    runner = OpRunner()
    w = ExamWindow(exams, runner, att, exams.col.media_dir, dark=False)
    runner.setParent(w)
    qtbot.addWidget(w, before_close_func=lambda w: w.force_close())
    _activate(qtbot, w)
    return w


def _activate(qtbot, w) -> None:
    """Show and activate a window (shortcuts only reach the active window's focus widget)."""
    w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)


def _wait_modal(qtbot, box) -> None:
    """Wait until the box has the keyboard focus (else the page's own shortcuts get the key)."""
    qtbot.waitUntil(lambda: box.isAncestorOf(QApplication.focusWidget()))


@pytest.fixture
def window(qtbot, exams):
    return _open(qtbot, exams, exams.start_mock(seed=5).value)


def _rows(col, sql: str) -> list[tuple]:
    return sqlite3.connect(col.db_path).execute(sql).fetchall()


def _submit_by_keyboard(qtbot, w: ExamWindow) -> None:
    qtbot.keyClick(w.review, Qt.Key.Key_S)
    settle(qtbot)
    box = w.confirm_box
    assert box is not None and "unanswered" in box.informativeText()
    _wait_modal(qtbot, box)
    qtbot.keyClick(box, Qt.Key.Key_S)  # S submits (Enter keeps working: submitting is final)
    settle(qtbot)
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.results)
    qtbot.waitUntil(lambda: w.results.isAncestorOf(QApplication.focusWidget()))


def test_a_full_mock_by_keyboard_alone(qtbot, window, exam_col):
    att = window.attempt
    q = window.question
    assert "Question 1 of 125" in q.position.text() and "2:05:00" in q.clock.text()
    for i in range(125):
        qtbot.keyClick(q, KEYS[i % 4])
        settle(qtbot)
        qtbot.keyClick(q, Qt.Key.Key_Right)
        settle(qtbot)
    assert window.stack.currentWidget() is window.review  # Next after the last: review screen
    assert "<b>125</b> answered" in window.review.counts.text()
    saved = _rows(exam_col, "SELECT position, choice FROM exam_item ORDER BY position")
    assert saved == [(i, i % 4) for i in range(125)]  # every answer was committed at once
    _submit_by_keyboard(qtbot, window)
    expected = sum(1 for i, s in enumerate(att.slots) if not s.pretest and s.item.answer == i % 4)
    text = window.results.summary.text()
    assert f"Raw score: <b>{expected} / 100</b>" in text
    for part in (
        "Estimated scaled score",
        "(estimate)",
        "Band:",
        "Assumption: a raw score of C = 70",
    ):
        assert part in text
    assert ("PASS" in text) != ("FAIL" in text) and "Time used:" in text
    assert window.results.domains.rowCount() == 5 and window.results.items.rowCount() == 125
    assert "Question 1 " in window.results.detail.toPlainText()
    assert _rows(exam_col, "SELECT finish_reason, correct FROM exam_attempt") == [
        ("submitted", expected)
    ]


def test_mouse_answers_and_letter_keys_change_the_answer(qtbot, window):
    q = window.question
    qtbot.mouseClick(q.options[2], Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.attempt.slots[0].choice == 2
    qtbot.keyClick(q, Qt.Key.Key_A)
    settle(qtbot)
    assert window.attempt.slots[0].choice == 0
    assert window.question.grid.cells[0].answered


def test_flag_navigate_and_the_review_screen(qtbot, window, exam_col):
    q = window.question
    qtbot.keyClick(q, Qt.Key.Key_F)
    settle(qtbot)
    assert window.attempt.slots[0].flagged and q.flag_button.isChecked()
    assert _rows(exam_col, "SELECT flagged FROM exam_item WHERE position = 0") == [(1,)]
    qtbot.keyClick(q, Qt.Key.Key_Right)
    settle(qtbot)
    qtbot.keyClick(q, Qt.Key.Key_Right)
    settle(qtbot)
    qtbot.keyClick(q, Qt.Key.Key_Left)
    settle(qtbot)
    assert window.attempt.current == 1
    qtbot.mouseClick(q.grid, Qt.MouseButton.LeftButton, pos=q.grid._rect(41).center())
    settle(qtbot)
    assert window.attempt.current == 41 and "Question 42 of 125" in q.position.text()
    qtbot.keyClick(q, Qt.Key.Key_2)
    settle(qtbot)
    qtbot.keyClick(q, Qt.Key.Key_F)
    settle(qtbot)
    qtbot.keyClick(q, Qt.Key.Key_R)
    settle(qtbot)
    assert window.stack.currentWidget() is window.review
    assert "<b>1</b> answered" in window.review.counts.text()
    assert "<b>2</b> flagged" in window.review.counts.text()
    qtbot.keyClick(window.review, Qt.Key.Key_F)  # review flagged: 1, then 42, then back
    settle(qtbot)
    assert window.attempt.current == 0 and "reviewing flagged" in q.position.text()
    qtbot.keyClick(q, Qt.Key.Key_Right)
    settle(qtbot)
    assert window.attempt.current == 41
    qtbot.keyClick(q, Qt.Key.Key_Right)
    settle(qtbot)
    assert window.stack.currentWidget() is window.review
    qtbot.keyClick(window.review, Qt.Key.Key_U)  # first unanswered
    settle(qtbot)
    assert window.attempt.current == 0
    qtbot.keyClick(q, Qt.Key.Key_R)
    settle(qtbot)
    qtbot.mouseClick(
        window.review.grid, Qt.MouseButton.LeftButton, pos=window.review.grid._rect(99).center()
    )
    settle(qtbot)
    assert window.stack.currentWidget() is q and window.attempt.current == 99
    qtbot.keyClick(q, Qt.Key.Key_R)
    settle(qtbot)
    qtbot.keyClick(window.review, Qt.Key.Key_Escape)
    settle(qtbot)
    assert window.stack.currentWidget() is q


def test_declining_the_confirmation_keeps_the_exam_open(qtbot, window):
    qtbot.keyClick(window.question, Qt.Key.Key_R)
    settle(qtbot)
    qtbot.keyClick(window.review, Qt.Key.Key_S)
    settle(qtbot)
    _wait_modal(qtbot, window.confirm_box)
    qtbot.keyClick(window.confirm_box, Qt.Key.Key_Escape)
    settle(qtbot)
    qtbot.waitUntil(lambda: window.confirm_box is None)
    assert window.attempt.finished is None and window.stack.currentWidget() is window.review


def test_countdown_follows_the_clock_and_submits_at_zero(qtbot, window, clock, exam_col):
    clock.advance(timedelta(minutes=10))
    qtbot.waitUntil(lambda: "1:55:00" in window.question.clock.text())
    qtbot.keyClick(window.question, Qt.Key.Key_C)
    settle(qtbot)
    clock.advance(timedelta(minutes=115))  # zero
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results)
    assert window.attempt.finish_reason == "time" and not window.timer.isActive()
    assert "Time ran out" in window.results.summary.text()
    assert _rows(exam_col, "SELECT finish_reason FROM exam_attempt") == [("time",)]


def test_pause_and_strike_out_only_when_opted_in(qtbot, exams, clock):
    q_default = _open(qtbot, exams, exams.start_mock(seed=1).value).question
    assert not q_default.pause_button.isVisible()
    exams.save_options(ExamOptions(allow_pause=True, allow_strike=True))
    w = _open(qtbot, exams, exams.start_mock(seed=2).value)
    q = w.question
    qtbot.keyClick(q, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert w.attempt.slots[0].struck == {0}
    qtbot.keyClick(q, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert w.attempt.paused_at is not None and q.body.currentIndex() == 1
    clock.advance(timedelta(minutes=30))
    qtbot.keyClick(q, Qt.Key.Key_2)  # ignored while paused
    settle(qtbot)
    assert w.attempt.slots[0].choice is None
    qtbot.keyClick(q, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert w.attempt.remaining(clock.now()) == timedelta(minutes=125)


def test_tutor_block_shows_the_explanation_and_locks_the_answer(qtbot, exams):
    att = exams.start_block(BlockSpec(domains=(2,), size=5, mode=TUTOR), seed=3).value
    w = _open(qtbot, exams, att)
    q = w.question
    assert "Untimed" in q.clock.text() and "Domain 2" in q.domain.text()
    assert not q.explanation.isVisible()
    wrong = (att.slots[0].item.answer + 1) % 4
    qtbot.keyClick(q, KEYS[wrong])
    settle(qtbot)
    assert q.explanation.isVisible() and "Incorrect" in q.explanation.text()
    qtbot.keyClick(q, KEYS[att.slots[0].item.answer])
    settle(qtbot)
    assert att.slots[0].choice == wrong  # locked once answered


def test_results_send_missed_to_review_and_open_history(qtbot, window, exam_col):
    qtbot.keyClick(window.question, Qt.Key.Key_R)
    settle(qtbot)
    _submit_by_keyboard(qtbot, window)
    res = window.results
    # nothing answered: nothing answered wrong, and the attempt is incomplete
    assert res.send_button.text().startswith("Send 0 missed") and not res.send_button.isEnabled()
    assert "Incomplete:" in res.summary.text() and res.count_button.isVisible()
    assert "Question" in [res.items.horizontalHeaderItem(c).text() for c in range(8)]
    stem = window.attempt.slots[0].item.stem.split(":")[0]
    assert res.items.item(0, 1).text().startswith(stem)  # each question's stem is listed
    res.include_blank.setChecked(True)  # "and the 125 unanswered questions"
    assert res.send_button.text().startswith("Send 125 missed questions")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert "125 cards are due now" in res.sent_label.text() and not res.send_button.isEnabled()
    assert _rows(exam_col, "SELECT COUNT(*) FROM card WHERE state = 1") == [(125,)]
    res.count_button.click()  # count the incomplete attempt after all
    settle(qtbot)
    assert "counted at your request" in window.results.summary.text()
    assert window.exams.load(window.attempt.id).extra["counted"] is True
    with qtbot.waitSignal(window.sig_history):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_H)
        settle(qtbot)


def _main_window(qtbot, col) -> MainWindow:
    return make_main_window(qtbot, col)


def _resume_box(qtbot, main):
    """Ask the launcher to offer a resume; the box comes once the attempt is read."""
    main.exam_launcher.offer_resume()
    qtbot.waitUntil(lambda: main.exam_launcher.resume_box is not None)
    return main.exam_launcher.resume_box


def test_after_a_real_kill_the_main_window_offers_to_resume(qtbot, exam_col, clock):
    data = exam_col.data_dir
    exam_col.close()
    proc = subprocess.run([sys.executable, str(WORKER), str(data), "30"], timeout=60, check=False)
    assert proc.returncode == -9
    from cehrs_cards.services.collection import Collection

    col = Collection(data, clock=clock, tz=exam_col.tz)
    clock.advance(timedelta(minutes=20))
    try:
        main = _main_window(qtbot, col)
        box = _resume_box(qtbot, main)
        assert "30 of 125 answered, 1:45:00 left" in box.text()
        _wait_modal(qtbot, box)
        qtbot.keyClick(box, Qt.Key.Key_Return)
        settle(qtbot)
        qtbot.waitUntil(lambda: bool(main.exam_launcher.windows))
        win = next(iter(main.exam_launcher.windows.values()))
        assert win.attempt.current == 30 and "Question 31 of 125" in win.question.position.text()
        assert "1:45:00" in win.question.clock.text()
        win.force_close()
        clock.advance(timedelta(hours=2))  # it runs out while closed: scored on the next start
        box = _resume_box(qtbot, main)
        assert "ran out of time" in box.text()
        _wait_modal(qtbot, box)
        qtbot.keyClick(box, Qt.Key.Key_Return)
        settle(qtbot)
        qtbot.waitUntil(lambda: bool(main.exam_launcher.windows))
        win = next(iter(main.exam_launcher.windows.values()))
        assert win.stack.currentWidget() is win.results and win.attempt.finish_reason == "time"
        main.close()
        assert not main.exam_launcher.windows  # exam windows close with the main window
    finally:
        col.close()


def test_ctrl_m_starts_a_mock_from_the_main_window(qtbot, exam_col):
    main = _main_window(qtbot, exam_col)
    _activate(qtbot, main)
    accept_dialog = QTimer(main)
    accept_dialog.timeout.connect(
        lambda: QApplication.activeModalWidget() and QApplication.activeModalWidget().accept()
    )
    accept_dialog.start(20)
    qtbot.keyClick(main, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    qtbot.waitUntil(lambda: bool(main.exam_launcher.windows))
    win = next(iter(main.exam_launcher.windows.values()))
    accept_dialog.stop()
    assert len(win.attempt.slots) == 125 and win.attempt.finished is None
    win.force_close()


def test_closing_mid_exam_asks_and_keeps_the_attempt(qtbot, window, exams):
    window.close()
    assert window.isVisible() and window.leave_box is not None
    _wait_modal(qtbot, window.leave_box)
    qtbot.keyClick(window.leave_box, Qt.Key.Key_L)
    settle(qtbot)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert exams.unfinished() == window.attempt.id


def test_a_mock_that_cannot_be_assembled_says_why(qtbot, col, tmp_path):
    from cehrs_cards.interchange.native import read_native
    from cehrs_cards.services.importing import import_package
    from tests.exam.conftest import write_mcq_deck

    import_package(
        col, read_native(write_mcq_deck(tmp_path / "d", {1: 30, 2: 40, 3: 20, 4: 20, 5: 4}, {}))
    )
    main = _main_window(qtbot, col)
    _activate(qtbot, main)
    seen: list[str] = []

    def close_modal() -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None:
            seen.append(getattr(modal, "text", lambda: "")())
            modal.accept()

    poller = QTimer(main)
    poller.timeout.connect(close_modal)
    poller.start(20)
    qtbot.keyClick(main, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    qtbot.waitUntil(lambda: any("domain 5 Reporting has 4 of the 10" in t for t in seen))
    poller.stop()
    assert not main.exam_launcher.windows and ExamService(col).unfinished() is None


def test_the_app_offers_to_resume_an_unfinished_mock_on_start(qtbot, tmp_path):
    from cehrs_cards.interchange.native import read_native
    from cehrs_cards.services.collection import Collection
    from cehrs_cards.services.importing import import_package
    from cehrs_cards.ui.app import Shell
    from tests.exam.conftest import MCQS_PER_DOMAIN, write_mcq_deck

    data = tmp_path / "data"
    col = Collection(data)
    col.save_settings(replace(col.settings(), bundled_loaded=True))
    import_package(col, read_native(write_mcq_deck(tmp_path / "deck", MCQS_PER_DOMAIN, {})))
    exams = ExamService(col)
    att = exams.start_mock(seed=1).value
    for i in range(3):
        exams.goto(att, i)
        exams.select(att, 0)
    col.close()
    shell = Shell(QApplication.instance(), data)
    assert shell.open()
    main = shell.window
    qtbot.addWidget(main)
    qtbot.waitUntil(lambda: main.exam_launcher.resume_box is not None)
    assert "unfinished mock exam" in main.exam_launcher.resume_box.text()
    assert "3 of 125 answered" in main.exam_launcher.resume_box.text()
    main.exam_launcher.resume_box.done(0)
    shell.timer.stop()
    main.close()


def test_a_killed_mock_is_resumed_and_finished_by_keyboard(qtbot, exam_col, clock):
    """The issue's bar: killed mid-mock, reopened, finished with keys alone, results shown."""
    from cehrs_cards.services.collection import Collection

    data = exam_col.data_dir
    exam_col.close()
    proc = subprocess.run([sys.executable, str(WORKER), str(data), "40"], timeout=60, check=False)
    assert proc.returncode == -9
    clock.advance(timedelta(minutes=45))
    col = Collection(data, clock=clock, tz=exam_col.tz)
    try:
        main = _main_window(qtbot, col)
        box = _resume_box(qtbot, main)
        _wait_modal(qtbot, box)
        qtbot.keyClick(box, Qt.Key.Key_R)  # &Resume
        settle(qtbot)
        qtbot.waitUntil(lambda: bool(main.exam_launcher.windows))
        win = next(iter(main.exam_launcher.windows.values()))
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
        assert "1:20:00" in win.question.clock.text()
        for i in range(40, 125):
            qtbot.keyClick(win.question, KEYS[i % 4])
            settle(qtbot)
            qtbot.keyClick(win.question, Qt.Key.Key_Right)
            settle(qtbot)
        _submit_by_keyboard(qtbot, win)
        att = win.attempt
        assert [s.choice for s in att.slots] == [i % 4 for i in range(125)]
        right = sum(1 for i, s in enumerate(att.slots) if not s.pretest and s.item.answer == i % 4)
        assert f"Raw score: <b>{right} / 100</b>" in win.results.summary.text()
        assert att.finish_reason == "submitted" and ExamService(col).unfinished() is None
        main.close()
    finally:
        col.close()


def test_restore_closes_the_open_exam_window_first(qtbot, exam_col, monkeypatch):
    """The issue's loss: a mock window left open across a restore wrote through a disposed
    engine, without the lock; every later answer raised and was lost. Now the window is
    closed first (with the user's agreement), and a closed collection refuses any use."""
    import pytest
    from PySide6.QtWidgets import QMessageBox

    from cehrs_cards.services.collection import CollectionClosedError
    from cehrs_cards.ui.backup_dialog import RestoreDialog
    from tests.ui.test_shell import answer_boxes

    exam_col.backup("manual")
    main = _main_window(qtbot, exam_col)
    att = main.exam_launcher.exams.start_mock(seed=3).value
    win = main.exam_launcher.open_attempt(att)
    restored: list[object] = []
    main.sig_restore.connect(restored.append)
    monkeypatch.setattr(RestoreDialog, "exec", lambda _d: 1)
    asked = answer_boxes(monkeypatch, QMessageBox.StandardButton.No)
    main.open_restore()
    assert "exam window will be closed" in asked[0] and not restored and win.isVisible()
    answer_boxes(monkeypatch, QMessageBox.StandardButton.Yes)
    main.open_restore()
    assert restored and not main.exam_launcher.windows and not win.isVisible()
    main.close_collection(backup_first=False)
    with pytest.raises(CollectionClosedError):
        main.exam_launcher.exams.select(att, 0)


@pytest.mark.parametrize("size,columns", [((872, 489), 5), ((1180, 733), 10)])
def test_on_a_small_window_the_navigator_narrows_and_every_option_shows(
    qtbot, window, size, columns
):
    """1366x768 at 150 % leaves the window about 872x489: a 5-column navigator and closer
    options leave the stem and all four options in view without scrolling, the legend
    stacked beside the narrow grid; a larger window keeps 10 columns on one line."""
    page = window.question
    window.resize(*size)
    settle(qtbot)
    qtbot.waitUntil(lambda: page.grid.columns == columns)
    assert page.navigator.width() < (260 if columns == 5 else 420)
    swatches = [w for w in page.navigator.legend.findChildren(QWidget) if w.width() == 20]
    tops = {s.mapTo(page, s.rect().topLeft()).y() for s in swatches}
    assert len(swatches) == 3 and len(tops) == (3 if columns == 5 else 1)
    assert page.options[0].row.contentsMargins().top() == (4 if columns == 5 else 8)
    viewport = page.body.currentWidget().viewport()
    for option in page.options:
        bottom = option.mapTo(viewport, option.rect().bottomLeft()).y()
        assert 0 < bottom < viewport.height(), option.text.text()
    window.resize(1180, 733)
    settle(qtbot)
    qtbot.waitUntil(lambda: page.grid.columns == 10)
