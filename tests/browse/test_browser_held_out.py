"""Held-out diagnostic items in the real browser over the real bundled deck: hidden from every
search (the count says how many), shown only after the user agrees once a session (No by
default), then greyed with a tooltip saying why; is:heldout finds exactly them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from cehrs_cards.interchange.native import read_native
from cehrs_cards.services import bundled
from cehrs_cards.services.browse import BrowseService
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.notes import NotesService
from cehrs_cards.services.undo import UndoStack
from cehrs_cards.ui.browser import BrowserWindow
from cehrs_cards.ui.browser_held_out import HELD_OUT_TIP, SPOIL_TITLE, asks_for_held_out
from cehrs_cards.ui.ops import OpRunner

HELD = "SELECT c.id FROM card c JOIN note n ON n.id = c.note_id WHERE n.heldout = 1"


@pytest.fixture
def bank_win(qtbot, col, monkeypatch):
    monkeypatch.delenv(bundled.ENV_DECKS_DIR, raising=False)
    import_package(col, read_native(bundled.bundled_deck_dir()))
    runner = OpRunner(UndoStack())
    w = BrowserWindow(BrowseService(col), NotesService(col), CardService(col), runner)
    runner.setParent(w)
    qtbot.addWidget(w)
    w.resize(1300, 700)
    w.show()
    w.search("")
    return w


def _held_ids(col) -> set[int]:
    with col.read() as s:
        return {int(r[0]) for r in s.connection().exec_driver_sql(HELD)}


def _answer_spoil_box(win, key: Qt.Key) -> list[str]:
    """Answer the confirmation as a user would, with a key; returns the titles seen."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.windowTitle())
            if key == Qt.Key.Key_Return:
                assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
            if key == Qt.Key.Key_Return:  # Enter takes the default button
                QApplication.sendEvent(box.focusWidget() or box, _key(key))
            else:
                box.button(QMessageBox.StandardButton.Yes).click()

    timer = QTimer(win)
    timer.timeout.connect(answer)
    timer.start(30)
    win._spoil_timer = timer
    return seen


def _key(key: Qt.Key):
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QKeyEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)


def test_is_heldout_finds_exactly_the_held_out_cards(bank_win, col):
    held = _held_ids(col)
    assert len(held) == 300
    assert set(bank_win.browse.search("is:heldout")) == held
    assert not held & set(bank_win.browse.search("-is:heldout"))
    assert asks_for_held_out("domain:2 is:heldout") and asks_for_held_out("IS:heldout")
    assert not asks_for_held_out("-is:heldout") and not asks_for_held_out("tag:is:heldout")


def test_held_out_items_are_hidden_and_counted(bank_win, col):
    held = _held_ids(col)
    total = len(bank_win.browse.search(""))
    assert len(bank_win.model.ids) == total - 300
    assert not held & set(bank_win.model.ids)
    assert bank_win.held_out_button.text() == "Show 300 held-out"
    assert bank_win.count.text() == f"{total - 300:,} cards"
    bank_win.search("domain:1")
    in_domain = len(held & set(bank_win.browse.search("domain:1")))
    assert not held & set(bank_win.model.ids)
    assert bank_win.held_out_button.text() == f"Show {in_domain} held-out" and in_domain > 0


def test_showing_them_asks_once_a_session_no_by_default(qtbot, bank_win, col):
    held = _held_ids(col)
    seen = _answer_spoil_box(bank_win, Qt.Key.Key_Return)  # Enter takes the default: No
    bank_win.search("is:heldout")
    assert seen == [SPOIL_TITLE]
    assert bank_win.model.ids == [] and not bank_win.held_out_button.isChecked()
    qtbot.mouseClick(bank_win.held_out_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 2 and not bank_win.show_held_out  # declined again: still hidden
    bank_win._spoil_timer.stop()

    seen = _answer_spoil_box(bank_win, Qt.Key.Key_Yes)
    bank_win.search("is:heldout")
    bank_win._spoil_timer.stop()
    assert seen == [SPOIL_TITLE] and bank_win.held_out_button.isChecked()
    assert set(bank_win.model.ids) == held
    assert bank_win.held_out_button.text() == "Held-out shown"
    qtbot.mouseClick(bank_win.held_out_button, Qt.MouseButton.LeftButton)  # hide again
    assert not held & set(bank_win.model.ids)
    qtbot.mouseClick(bank_win.held_out_button, Qt.MouseButton.LeftButton)  # no second question
    assert held <= set(bank_win.model.ids) and seen == [SPOIL_TITLE]


def test_shown_held_out_rows_are_greyed_with_a_tooltip(bank_win, col):
    held = _held_ids(col)
    bank_win.held_out_guard.agreed = True  # agreed earlier this session
    bank_win.sidebar.select_query("is:heldout")
    bank_win.sidebar._on_item_activated(bank_win.sidebar.currentItem())
    assert set(bank_win.model.ids) == held
    index = bank_win.model.index(0, 0)
    assert bank_win.model.data(index, Qt.ItemDataRole.ToolTipRole).startswith(HELD_OUT_TIP)
    font = bank_win.model.data(index, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert bank_win.model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    bank_win.search("-is:heldout")
    plain = bank_win.model.index(0, 0)
    assert bank_win.model.data(plain, Qt.ItemDataRole.FontRole) is None
    assert HELD_OUT_TIP not in bank_win.model.data(plain, Qt.ItemDataRole.ToolTipRole)
