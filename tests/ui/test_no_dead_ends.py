"""No dead ends (issue 17): past the daily limit the session offers more cards today; an empty
queue offers a practice block or tomorrow's cards; the browser shows an import at once; the
bundled deck is marked so an imported deck never looks like ours."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cehrs_cards.interchange.native import write_native
from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.transfer import ImportOptions
from cehrs_cards.ui.browser_editor import PREVIEW_ZOOM
from cehrs_cards.ui.theme import apply_theme, card_css
from tests.ops_helpers import make_main_window, settle


@pytest.fixture
def window(qtbot, mini_col):
    mini_col.save_settings(replace(mini_col.settings(), new_per_day=2))
    return make_main_window(qtbot, mini_col)


def _study_until_summary(qtbot, window) -> int:
    rv = window.reviewer
    for answered in range(20):
        if window.stack.currentWidget() is window.summary:
            return answered
        qtbot.keyClick(rv, Qt.Key.Key_Space)
        settle(qtbot)
        qtbot.keyClick(rv, Qt.Key.Key_4)  # Easy: out of today's way
        settle(qtbot)
    raise AssertionError("the session never ended")


def test_past_the_new_card_limit_the_summary_offers_more_today(qtbot, window):
    window.start_study(None)
    settle(qtbot)
    assert _study_until_summary(qtbot, window) == 2
    summary = window.summary
    assert "reached today's limit (2 new cards, 200 reviews a day)" in summary.label.text()
    assert "4 new cards waiting" in summary.label.text()  # 5, one buried as a sibling
    assert summary.more_box.isVisibleTo(summary) and summary.more.value() == 4
    summary.more.setValue(3)
    summary.more_button.click()
    settle(qtbot)
    assert window.stack.currentWidget() is window.reviewer and window.reviewer.card is not None
    assert _study_until_summary(qtbot, window) == 3
    assert "No cards are due here now" in summary.label.text()  # the last: a buried sibling


def test_nothing_due_offers_a_practice_block_and_tomorrows_cards(qtbot, window, mini_col):
    from cehrs_cards.services.cards import CardService

    with mini_col.read() as s:
        ids = [r[0] for r in s.connection().exec_driver_sql("SELECT id FROM card")]
    CardService(mini_col).set_due(ids, "1")  # everything due tomorrow, nothing today
    window.start_study(None)
    settle(qtbot)
    summary = window.summary
    assert window.stack.currentWidget() is summary
    text = summary.label.text()
    assert "Nothing to study right now" in text and "Tomorrow 7 cards fall due" in text
    assert not summary.more_box.isVisibleTo(summary)
    assert summary.practice_button.isVisibleTo(summary)
    summary.tomorrow_button.click()
    settle(qtbot)
    browser = window.browsing.window
    assert browser is not None and browser.search_box.text() == "prop:due=1"
    qtbot.waitUntil(lambda: browser.model.rowCount() == 7)
    browser.close()


def _sidebar_has(browser, name: str) -> bool:
    flags = Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    return bool(browser.sidebar.findItems(name, flags))


def _import(window, tmp_path, name: str, deck: str) -> None:
    """As the import dialog runs it: an operation on the window's runner, whose changes
    every view hears."""
    note = NoteIn(f"i-{name}", "Basic", deck, {"Front": name, "Back": "y"})
    path = tmp_path / f"{name}.toml"
    write_native(path, deck, [(note, "basic")])
    transfer = window.services.transfer
    window.runner.op(lambda _p: transfer.run_import(path, ImportOptions()))


def test_the_bundled_deck_is_marked_and_imports_show_in_the_browser(qtbot, col, tmp_path):
    bundled = NoteIn("b-1", "Basic", "CEHRS Cards deck::2 Clinical Operations",
                     {"Front": "q", "Back": "a"}, domain=2)  # fmt: skip
    import_package(col, Package(notes=[bundled]))
    window = make_main_window(qtbot, col)
    top = window.decks.tree.topLevelItem(0)
    assert top.text(0) == "CEHRS Cards deck · bundled"
    browser = window.browsing.open()
    settle(qtbot)
    _import(window, tmp_path, "open", "Clinical Operations")
    settle(qtbot)
    assert _sidebar_has(browser, "Clinical Operations")  # the open browser, at once
    names = [window.decks.tree.topLevelItem(i).text(0)
             for i in range(window.decks.tree.topLevelItemCount())]  # fmt: skip
    assert names == ["CEHRS Cards deck · bundled", "Clinical Operations"]
    browser.close()
    _import(window, tmp_path, "closed", "Imported while closed")
    settle(qtbot)
    window.browsing.open()
    settle(qtbot)
    assert _sidebar_has(browser, "Imported while closed")  # a browser opened again, too
    browser.close()


def test_the_editor_previews_the_card_as_the_fields_change(qtbot, col):
    from PySide6.QtGui import QImage

    img = QImage(4, 4, QImage.Format.Format_RGB32)
    img.fill(0xFF0000)
    img.save(str(col.media_dir / "red.png"))
    (col.media_dir.parent / "secret.png").write_bytes((col.media_dir / "red.png").read_bytes())
    note = NoteIn("p-1", "Basic", "Mine", {"Front": "What is <b>HIPAA</b>?", "Back": "A law"})
    import_package(col, Package(notes=[note]))
    window = make_main_window(qtbot, col)
    browser = window.browsing.open()
    settle(qtbot)
    editor = browser.editor
    qtbot.waitUntil(lambda: editor.detail is not None)
    assert "What is HIPAA?" in editor.preview.toPlainText()
    assert "A law" in editor.preview.toPlainText()
    editor.editors["Back"].setPlainText(
        'Health Insurance Portability <img src="red.png"><img src="../secret.png"> [sound:say.mp3]'
    )
    qtbot.waitUntil(lambda: "Portability" in editor.preview.toPlainText(), timeout=2000)
    shown = editor.preview.toHtml()
    assert shown.count("data:image/png;base64") == 1  # the media file, inline; not the other
    assert "secret" not in shown and "[sound:" not in editor.preview.toPlainText()
    assert "♪ say.mp3" in editor.preview.toPlainText()
    app = QApplication.instance()
    light = editor.preview.document().defaultStyleSheet()
    apply_theme(app, True)  # the preview restyles with the rest of the app
    assert editor.preview.document().defaultStyleSheet() == card_css(True, PREVIEW_ZOOM) != light
    apply_theme(app, False)
    browser.close()  # saves the changed note, as moving on would
    settle(qtbot)
