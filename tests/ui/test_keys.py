"""Keys mean what the screen says (issue 16), pressed for real on the windows the issue named:
the mock and practice start screens, Add note, the session summary, Import with the history
box ticked, Export, the submit confirmation and the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from cehrs_cards.core.records import SessionSummary
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.transfer import TransferService
from cehrs_cards.ui.browser_launcher import BrowserLauncher
from cehrs_cards.ui.exam_dialogs import MockStartDialog, PracticeDialog
from cehrs_cards.ui.export_dialog import ExportDialog
from cehrs_cards.ui.import_dialog import ImportDialog
from cehrs_cards.ui.ops import OpRunner
from tests.exam.conftest import MCQS_PER_DOMAIN, write_mcq_deck
from tests.ops_helpers import make_main_window, settle

ENTER, ESC = Qt.Key.Key_Return, Qt.Key.Key_Escape


@pytest.fixture(autouse=True)
def drain_pool(qtbot):
    yield
    settle(qtbot)


def _activate(qtbot, w) -> None:
    w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)


def _answer_next_modal(key: Qt.Key, seen: list[str]) -> None:
    """When a modal question shows, note its text and press `key` in it."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, act)
            return
        seen.append(box.text())
        box.setFocus()
        focus = QApplication.focusWidget()  # under load it may still be in the window below
        target = focus if focus is not None and box.isAncestorOf(focus) else box
        QApplication.sendEvent(target, _key_event(key))

    QTimer.singleShot(10, act)


def _key_event(key: Qt.Key):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def exam_col(col, tmp_path: Path):
    from cehrs_cards.interchange.native import read_native
    from cehrs_cards.services.importing import import_package

    import_package(col, read_native(write_mcq_deck(tmp_path / "deck", MCQS_PER_DOMAIN, {})))
    return col


def test_enter_starts_the_mock_after_a_box_was_ticked(qtbot, exam_col):
    dialog = MockStartDialog(ExamService(exam_col).options())
    qtbot.addWidget(dialog)
    _activate(qtbot, dialog)
    qtbot.keyClick(dialog.pause, Qt.Key.Key_Space)  # the focus is on a box, not a button
    assert dialog.pause.isChecked() and dialog.pause.hasFocus()
    qtbot.keyClick(dialog.pause, ENTER)
    assert dialog.result() == MockStartDialog.DialogCode.Accepted
    assert dialog.result_options().allow_pause


def test_enter_starts_the_practice_block_and_esc_cancels(qtbot, exam_col):
    catalog = ExamService(exam_col).block_catalog()
    for key, result in ((ENTER, PracticeDialog.DialogCode.Accepted),
                        (ESC, PracticeDialog.DialogCode.Rejected)):  # fmt: skip
        dialog = PracticeDialog(catalog)
        qtbot.addWidget(dialog)
        _activate(qtbot, dialog)
        dialog.size_spin.setFocus()
        qtbot.keyClick(dialog.size_spin, key)
        assert dialog.result() == result and not dialog.isVisible()


def test_enter_in_add_note_adds_and_never_loses_the_typed_note(qtbot, mini_col):
    window = make_main_window(qtbot, mini_col)
    dialog = window.browsing.add_note()
    _activate(qtbot, dialog)
    added: list[list[int]] = []
    dialog.sig_added.connect(added.append)
    dialog.editors["Front"].setPlainText("What does NPP stand for?")
    dialog.editors["Back"].setPlainText("Notice of Privacy Practices")
    dialog.tags.setFocus()
    qtbot.keyClicks(dialog.tags, "hipaa")
    qtbot.keyClick(dialog.tags, ENTER)  # Enter in the last box: Add, as the button says
    settle(qtbot)
    assert len(added) == 1 and dialog.isVisible()
    dialog.editors["Front"].setPlainText("A second note, half typed")
    seen: list[str] = []
    _answer_next_modal(ESC, seen)  # Esc in the question: keep editing
    qtbot.keyClick(dialog.tags, ESC)
    assert seen and "Discard" in seen[0]
    assert dialog.isVisible() and "half typed" in dialog.editors["Front"].toPlainText()
    _answer_next_modal(Qt.Key.Key_D, seen)  # D: discard, as the question's button says
    qtbot.keyClick(dialog.tags, ESC)
    assert not dialog.isVisible()


def test_enter_on_the_summary_goes_back_to_the_decks(qtbot, mini_col):
    window = make_main_window(qtbot, mini_col)
    window._on_reviewer_finished(SessionSummary())
    settle(qtbot)  # what is left to study is read first
    assert window.stack.currentWidget() is window.summary
    assert "(Enter)" in window.summary.back.text()
    qtbot.keyClick(window.summary.back, ENTER)
    settle(qtbot)
    assert window.stack.currentWidget() is window.decks


def test_enter_imports_with_the_history_box_ticked(qtbot, review, mini_col, tmp_path):
    review.answer(review.next_card(), 3, 4000)
    package = tmp_path / "with-history.apkg"
    TransferService(mini_col).run_export(package, None, None, scheduling=True)
    target = mini_col  # re-importing: the notes are already there, the import still runs
    dialog = ImportDialog(TransferService(target), OpRunner(), package)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.job is None, timeout=10_000)
    _activate(qtbot, dialog)
    box = dialog.scheduling
    assert box.isVisible() and not box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert dialog.scheduling.isChecked() and dialog.import_button.isDefault()
    with qtbot.waitSignal(dialog.sig_imported, timeout=10_000):
        qtbot.keyClick(dialog.scheduling, ENTER)
    assert "Notes unchanged" in dialog.summary.toPlainText()


def test_enter_exports_after_the_focus_passed_browse(qtbot, review, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    def no_file_dialog(*_a: object, **_k: object) -> tuple[str, str]:
        raise AssertionError("Browse… opened")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", no_file_dialog)
    dialog = ExportDialog(TransferService(review.col), OpRunner(), tmp_path)
    qtbot.addWidget(dialog)
    _activate(qtbot, dialog)
    dialog.browse_button.setFocus()
    dialog.scheduling.setFocus()  # the focus passed Browse… and left it
    with qtbot.waitSignal(dialog.sig_exported, timeout=10_000) as got:
        qtbot.keyClick(dialog.scheduling, ENTER)
    assert got.args[0].path.exists()


def test_enter_in_the_submit_question_keeps_working(qtbot, exam_col):
    from cehrs_cards.ui.exam_view import ExamWindow

    exams = ExamService(exam_col)
    runner = OpRunner()
    win = ExamWindow(exams, runner, exams.start_mock(seed=5).value, exam_col.media_dir, False)
    runner.setParent(win)
    qtbot.addWidget(win, before_close_func=lambda w: w.force_close())
    _activate(qtbot, win)
    win.show_review()
    qtbot.keyClick(win.review, Qt.Key.Key_S)
    box = win.confirm_box
    assert box is not None and "125 unanswered" in box.informativeText()
    qtbot.waitUntil(lambda: box.isAncestorOf(QApplication.focusWidget()))
    qtbot.keyClick(box, ENTER)
    settle(qtbot)
    assert win.attempt.finished is None and win.stack.currentWidget() is win.review


def test_esc_closes_the_browser(qtbot, mini_col):
    window = make_main_window(qtbot, mini_col)
    launcher: BrowserLauncher = window.browsing
    browser = launcher.open()
    _activate(qtbot, browser)
    browser.search_box.setFocus()
    qtbot.keyClick(browser.search_box, ESC)
    assert not browser.isVisible()
