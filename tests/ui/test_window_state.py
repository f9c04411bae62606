"""Windows open inside the screen and come back where they were left; the text zoom keys
(Ctrl+= / Ctrl+- / Ctrl+0) change card and question text and are remembered across starts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout

from cehrs_cards.ui import window_state
from cehrs_cards.ui.window_state import STATE_FILE, STORE, keep_geometry, use_data_dir
from cehrs_cards.ui.zoom import text_zoom
from tests.ops_helpers import make_main_window, settle


@pytest.fixture(autouse=True)
def in_memory_again(qapp):
    yield
    text_zoom().reset()
    use_data_dir(None)


def _dialog(qtbot, preferred: QSize) -> QDialog:
    dialog = QDialog()
    QVBoxLayout(dialog).addWidget(QLabel("A dialog"))
    keep_geometry(dialog, "test-dialog", preferred)
    qtbot.addWidget(dialog)
    return dialog


def _available() -> QRect:
    screen = QApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry()


def test_a_window_asking_for_more_than_the_screen_opens_inside_it(qtbot):
    area = _available()
    dialog = _dialog(qtbot, QSize(area.width() + 700, area.height() + 300))
    dialog.show()
    qtbot.waitExposed(dialog)
    assert area.contains(dialog.frameGeometry())
    assert dialog.width() >= area.width() * 0.9  # as large as fits, not a small default


def test_a_dialog_comes_back_where_it_was_left_even_after_a_restart(qtbot, tmp_path):
    use_data_dir(tmp_path)
    first = _dialog(qtbot, QSize(300, 200))
    first.show()
    qtbot.waitExposed(first)
    first.setGeometry(40, 60, 420, 260)
    left = first.geometry()
    first.close()
    assert (tmp_path / STATE_FILE).exists()
    use_data_dir(tmp_path)  # as a new start reads it
    again = _dialog(qtbot, QSize(300, 200))
    again.show()
    qtbot.waitExposed(again)
    assert again.geometry() == left


def test_a_remembered_place_off_the_screen_is_not_used(qtbot):
    area = _available()
    away = _dialog(qtbot, QSize(300, 200))
    away.show()
    qtbot.waitExposed(away)
    away.setGeometry(area.right() + 500, area.bottom() + 500, 300, 200)
    away.close()
    back = _dialog(qtbot, QSize(300, 200))
    back.show()
    qtbot.waitExposed(back)
    assert area.contains(back.frameGeometry())


def test_zoom_keys_change_the_card_text_and_are_remembered(qtbot, mini_col):
    window = make_main_window(qtbot, mini_col)  # remembers in the collection's folder
    window.start_study(None)
    settle(qtbot)
    reviewer = window.reviewer
    css = reviewer.browser.document().defaultStyleSheet
    assert "font-size: 19px" in css()
    reviewer.show_button.setFocus()
    qtbot.keyClick(reviewer.show_button, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(reviewer.show_button, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert text_zoom().factor() == 1.25 and "font-size: 24px" in css()
    qtbot.keyClick(reviewer.show_button, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert "font-size: 21px" in css()
    STORE.use_file(mini_col.data_dir / STATE_FILE)  # a new start: the factor is read again
    assert text_zoom().factor() == 1.1
    qtbot.keyClick(reviewer.show_button, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert text_zoom().factor() == 1.0 and "font-size: 19px" in css()


def test_zoom_reaches_the_exam_question_and_explanation(qtbot, mini_col):
    from cehrs_cards.ui.exam_question import QuestionPage

    page = QuestionPage(mini_col.media_dir, False, False, False)
    qtbot.addWidget(page)
    assert "17px" in page.stem.styleSheet()
    text_zoom().set_factor(1.4)
    assert "24px" in page.stem.styleSheet()
    assert "20px" in page.explanation.styleSheet()
    assert "21px" in page.options[0].styleSheet()
    assert window_state.STORE.get("zoom/text") == 1.4
