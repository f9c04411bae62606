"""The browser from the main window: B and A open it, and edits come back to the review screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ops_helpers import make_main_window, settle

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, mini_col):
    return make_main_window(qtbot, mini_col)


def test_b_opens_the_browser_and_a_the_add_dialog(qtbot, window):
    qtbot.keyClick(window.decks.tree, Qt.Key.Key_B)
    settle(qtbot)
    browser = window.browsing.window
    assert browser is not None and browser.isVisible()
    assert len(browser.model.ids) == 7
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.decks.tree, Qt.Key.Key_A)
    assert window.browsing.add_dialog is not None and window.browsing.add_dialog.isVisible()
    window.browsing.add_dialog.reject()
    browser.close()


def test_adding_a_note_from_the_main_window_updates_the_deck_list(qtbot, window):
    dialog = window.browsing.add_note()
    dialog.deck.setCurrentText("CEHRS::Mini")
    dialog.editors["Front"].setPlainText("What is an EHR?")
    dialog.editors["Back"].setPlainText("Electronic health record")
    dialog.add()
    settle(qtbot)
    assert window.decks.tree.topLevelItem(0).text(1) == "8"  # new cards of CEHRS
    dialog.reject()


def test_browser_opened_during_review_shows_the_card_and_edits_come_back(qtbot, window):
    window.start_study(None)
    settle(qtbot)
    card = window.reviewer.card
    window.open_browser()
    browser = window.browsing.window
    assert (
        browser.model.ids == [card.card_id] and browser.search_box.text() == f"cid:{card.card_id}"
    )
    first = next(iter(browser.editor.editors))
    browser.editor.editors[first].setPlainText("Edited in the browser")
    browser.editor.save()
    settle(qtbot)
    assert "Edited in the browser" in window.reviewer.card.front_html
    assert window.reviewer.card.card_id == card.card_id


def test_suspending_the_card_under_review_moves_on_and_undo_brings_it_back(qtbot, window, mini_col):
    window.start_study(None)
    settle(qtbot)
    card = window.reviewer.card.card_id
    window.open_browser()
    browser = window.browsing.window
    browser.toggle_suspend()
    settle(qtbot)
    assert window.reviewer.card.card_id != card
    assert browser.browse.rows([card])[0].suspended
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.reviewer, Qt.Key.Key_Z, CTRL)  # the main window's undo, same stack
    settle(qtbot)
    assert not browser.browse.rows([card])[0].suspended


def test_bulk_domain_change_in_the_browser_refreshes_the_domain_table(qtbot, window):
    window.open_browser()
    browser = window.browsing.window
    browser.table.selectAll()
    browser.set_domain(2)
    settle(qtbot)
    assert window.decks.domains.item(1, 5).text() == "7"  # every card is domain 2 now
    browser.undo()
    settle(qtbot)
    assert window.decks.domains.item(1, 5).text() == "1"
