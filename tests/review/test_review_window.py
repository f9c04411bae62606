"""Drive the real main window with qtbot: deck list, study by keyboard, undo, edit."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cehrs_cards.core.records import Rating
from cehrs_cards.services.review import ReviewService
from tests.ops_helpers import make_main_window, settle


@pytest.fixture
def window(qtbot, mini_col):
    return make_main_window(qtbot, mini_col)


def _revlog_count(col) -> int:
    return sqlite3.connect(col.db_path).execute("SELECT COUNT(*) FROM revlog").fetchone()[0]


def test_deck_list_shows_counts_per_deck_and_domain(window):
    top = window.decks.tree.topLevelItem(0)
    assert top.text(0) == "CEHRS" and top.text(1) == "7"
    assert top.child(0).text(0) == "Mini"
    assert window.decks.domains.rowCount() == 5
    assert window.decks.domains.item(1, 0).text().endswith("Clinical Operations")
    assert window.decks.domains.item(1, 2).text() == "1"


def test_review_by_keyboard_alone(qtbot, window, mini_col):
    qtbot.keyClick(window.decks.tree, Qt.Key.Key_Return)
    settle(qtbot)
    assert window.stack.currentWidget() is window.reviewer
    rv = window.reviewer
    first = rv.card.card_id
    assert not rv.revealed
    qtbot.keyClick(rv, Qt.Key.Key_Space)
    settle(qtbot)
    assert rv.revealed
    assert rv.rate_buttons[3].text().startswith("Good\n")
    qtbot.keyClick(rv, Qt.Key.Key_3)
    settle(qtbot)
    assert _revlog_count(mini_col) == 1  # committed as soon as it was given
    assert rv.card.card_id != first and not rv.revealed
    qtbot.keyClick(rv, Qt.Key.Key_1)  # rating keys do nothing before the answer is shown
    settle(qtbot)
    assert _revlog_count(mini_col) == 1

    # counts (new + learning + due) arrive from the background: 6 new left, 1 learning
    # (the count shown before the answer, 7 new, may be on screen first: wait for the new one)
    def shown() -> list[str]:
        return [t.split(">")[-1] for t in rv.counts.text().split("</span>")[:3]]

    qtbot.waitUntil(lambda: shown() == ["6", "1", "0"])


def test_ctrl_z_undoes_the_last_answer_and_shows_the_card_again(qtbot, window, mini_col):
    window.start_study(None)
    settle(qtbot)
    rv = window.reviewer
    first = rv.card.card_id
    qtbot.keyClick(rv, Qt.Key.Key_Space)
    settle(qtbot)
    qtbot.keyClick(rv, Qt.Key.Key_4)
    settle(qtbot)
    assert _revlog_count(mini_col) == 1
    qtbot.keyClick(rv, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert _revlog_count(mini_col) == 0
    assert rv.card.card_id == first


def test_session_ends_with_a_summary(qtbot, window, mini_col):
    window.start_study(None)
    settle(qtbot)
    rv = window.reviewer
    for _ in range(40):
        if window.stack.currentWidget() is not rv:
            break
        qtbot.keyClick(rv, Qt.Key.Key_Space)
        settle(qtbot)
        qtbot.keyClick(rv, Qt.Key.Key_4)
        settle(qtbot)
    assert window.stack.currentWidget() is window.summary
    assert "5 cards" in window.summary.label.text()  # 7 cards, 2 siblings buried till tomorrow
    qtbot.keyClick(window.summary.back, Qt.Key.Key_Space)
    settle(qtbot)
    assert window.stack.currentWidget() is window.decks


def test_suspend_and_bury_keys(qtbot, window, mini_col):
    window.start_study(None)
    settle(qtbot)
    rv = window.reviewer
    first = rv.card.card_id
    qtbot.keyClicks(rv, "@")
    settle(qtbot)
    assert rv.card.card_id != first
    con = sqlite3.connect(mini_col.db_path)
    assert con.execute("SELECT suspended FROM card WHERE id=?", (first,)).fetchone()[0] == 1
    second = rv.card.card_id
    qtbot.keyClick(rv, Qt.Key.Key_Minus)
    settle(qtbot)
    assert con.execute(
        "SELECT buried_until IS NOT NULL FROM card WHERE id=?", (second,)
    ).fetchone()[0]


def test_edit_current_note_updates_the_review_screen(qtbot, window, mini_col, monkeypatch):
    from cehrs_cards.ui import dialogs

    window.start_study(None)
    settle(qtbot)
    rv = window.reviewer
    note = window.services.notes.note(rv.card.note_id)
    first_field = next(iter(note.fields))

    def fake_exec(dialog):
        dialog.editors[first_field].setPlainText("Edited during review")
        return True

    monkeypatch.setattr(dialogs.EditNoteDialog, "exec", fake_exec)
    qtbot.keyClick(rv, Qt.Key.Key_E)
    settle(qtbot)
    assert "Edited during review" in rv.browser.toPlainText()
    window.undo()
    settle(qtbot)
    assert "Edited during review" not in rv.browser.toPlainText()


def test_dark_theme_applies_a_dark_palette(qtbot, window):
    from cehrs_cards.ui.theme import apply_theme

    app = QApplication.instance()
    apply_theme(app, True)
    assert app.palette().window().color().lightness() < 60
    apply_theme(app, False)
    assert app.palette().window().color().lightness() > 200
    assert window.runner.undo_label() is None


def test_card_images_come_from_the_media_folder(qtbot, col):
    from PySide6.QtGui import QColor, QImage

    from cehrs_cards.interchange.package import NoteIn, Package
    from cehrs_cards.services.cards import CardService
    from cehrs_cards.services.importing import import_package
    from cehrs_cards.services.review import ReviewService
    from cehrs_cards.ui.ops import OpRunner
    from cehrs_cards.ui.review_view import ReviewView
    from tests.ui.test_safe_html import red_share

    img = QImage(40, 40, QImage.Format.Format_RGB32)
    img.fill(QColor("red"))
    assert img.save(str(col.media_dir / "chart.png"))
    note = NoteIn(
        "img1", "Basic", "D", {"Front": 'See <img src="chart.png">', "Back": "b"}, domain=1
    )
    import_package(col, Package(notes=[note]))
    runner = OpRunner()
    view = ReviewView(ReviewService(col), CardService(col), runner, col.media_dir)
    runner.setParent(view)
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    view.start(None)
    settle(qtbot)
    settle(qtbot)
    assert '<img src="chart.png">' in view.card.front_html
    assert red_share(view.browser) > 0.001  # the image is on screen


def test_a_refused_answer_shows_its_card_again_not_the_next(qtbot, mini_col, monkeypatch):
    """The next card is read in the answer's own job on the writer thread, once the answer
    is committed; when the answer is refused (the card changed since it was shown), no next
    card is read and the card comes back, with a message; the next answer then goes through."""
    window = make_main_window(qtbot, mini_col)
    window.start_study(None)
    settle(qtbot)
    rv = window.reviewer
    shown = rv.card
    assert shown is not None
    ReviewService(mini_col).answer(shown, Rating.GOOD)  # elsewhere: the card moves on
    messages: list[str] = []
    rv.sig_message.connect(messages.append)
    seen: list[int] = []  # every card the screen shows, in order
    show = rv.show_card
    monkeypatch.setattr(rv, "show_card", lambda c: (seen.append(c.card_id), show(c))[1])
    qtbot.keyClick(rv, Qt.Key.Key_Space)
    qtbot.keyClick(rv, Qt.Key.Key_3)
    settle(qtbot)
    assert messages == ["The card changed since it was shown; here it is again."]
    assert seen == [shown.card_id]  # never another card in between
    assert rv.card is not None and rv.card.card_id == shown.card_id and not rv.busy
    assert rv.summary.reviewed == 0
    qtbot.keyClick(rv, Qt.Key.Key_Space)
    qtbot.keyClick(rv, Qt.Key.Key_3)
    settle(qtbot)
    assert rv.summary.reviewed == 1 and rv.card is not None
    assert rv.card.card_id != shown.card_id


def test_a_deck_name_of_a_thousand_characters_never_widens_a_window(
    qtbot, window, mini_col, tmp_path
):
    """A stranger's deck name may hold 1,000 characters: the study screen's header line and
    the choosers listing decks (export, statistics, the browser's editor) sized themselves to
    it, and the main window grew to 7,000 pixels, its buttons off the screen."""
    from cehrs_cards.services.notes import NewNote
    from cehrs_cards.ui.export_dialog import ExportDialog
    from cehrs_cards.ui.safe_html import tip

    long = "Long" + "x" * 500 + " words" * 80
    assert len(long) == 984
    fields = {"Front": "card of a long deck", "Back": "b"}
    window.services.notes.add_note(NewNote("basic", fields, [], 1, long))
    settle(qtbot)
    width = window.width()
    sql = "SELECT id FROM deck WHERE name = ?"
    deck_id = sqlite3.connect(mini_col.db_path).execute(sql, (long,)).fetchone()[0]
    window.start_study(deck_id)
    settle(qtbot)
    rv = window.reviewer
    qtbot.waitUntil(lambda: rv.card is not None and rv.card.deck_name == long)
    settle(qtbot)
    assert window.width() == width and window.minimumSizeHint().width() < 900
    assert "…" in rv.where.text() and rv.where.toolTip() == tip(long)
    export = ExportDialog(window.services.transfer, window.runner, tmp_path)
    qtbot.addWidget(export)
    assert export.deck.findText(long) >= 0 and export.sizeHint().width() < 900
