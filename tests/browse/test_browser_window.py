"""The real browser window driven with qtbot, by keyboard: searching, editing, bulk changes,
every menu action and undo. Dialogs are answered as a user would (QTimer while they are open)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMessageBox

from cehrs_cards.ui.browser import BrowserWindow
from cehrs_cards.ui.browser_add import AddNoteDialog
from cehrs_cards.ui.browser_model import COLUMNS
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.safe_html import ZWSP
from tests.ops_helpers import settle

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def win(qtbot, kit):
    runner = OpRunner(kit.undo)
    w = BrowserWindow(kit.browse, kit.notes, kit.cards, runner)
    runner.setParent(w)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitActive(w)
    w.search("")
    return w


def _type_search(qtbot, win, text):
    win.search_box.clear()
    qtbot.keyClicks(win.search_box, text)
    qtbot.keyClick(win.search_box, Qt.Key.Key_Return)
    wait_idle(qtbot, win)


def _shown_ids(win):
    return sorted(win.model.ids)


def _domains(kit):
    return dict(kit.sql("SELECT id, domain FROM card"))


def refocus(qtbot, w):
    """Offscreen, closing a dialog does not hand activation back: do what the desktop does."""
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)


def wait_idle(qtbot, w):
    """Edits and undo run on the database thread; wait until the window has their result."""
    settle(qtbot)
    qtbot.waitUntil(lambda: not w.busy)


def answer_next_dialog(qtbot, handle):
    """Handle the next modal dialog from inside its event loop (as a user would)."""

    def run():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, run)
            return
        handle(dialog)

    QTimer.singleShot(0, run)


def _accept_with_text(text):
    def handle(dialog):
        edit = dialog.findChild(QLineEdit)
        edit.setText(text)
        dialog.accept()

    return handle


# ----- searching ------------------------------------------------------------------------------


def test_typing_a_search_and_enter_fills_the_table(qtbot, win):
    _type_search(qtbot, win, "claim")
    assert _shown_ids(win) == [6]
    assert win.count.text() == "1 card"
    assert win.table.hasFocus()
    assert win.model.data(win.model.index(0, 0)).startswith("Which claim form")
    assert win.editor.detail.note_id == 4


def test_a_bad_search_says_why_and_keeps_the_table(qtbot, win):
    before = _shown_ids(win)
    _type_search(qtbot, win, '"open quote')
    assert "never closed" in win.error.text() and win.error.isVisible()
    assert _shown_ids(win) == before
    _type_search(qtbot, win, "frnt:x")
    assert "No note type has a field called 'frnt'" in win.error.text()
    _type_search(qtbot, win, "domain:2")
    assert not win.error.isVisible() and _shown_ids(win) == [1]


@pytest.mark.parametrize(
    ("query", "message"),
    [("(" * 300 + "x" + ")" * 300, "nested too deeply"),
     ("(" * 300 + "x", "nested too deeply"),
     ('"re:("', "regular expression is not valid"), ("re:(", "needs a regular expression"),
     (" or ".join(["-(a b)"] * 390), ""), (" or ".join(["-(a b)"] * 500), "too long"),
     ("is:DUE", "Unknown 'is:DUE'"), ("card:", "")],
)  # fmt: skip
def test_deep_or_odd_searches_show_a_message_and_the_window_keeps_working(
    qtbot, win, query, message
):
    before = _shown_ids(win)
    win.search_box.setText(query)
    qtbot.keyClick(win.search_box, Qt.Key.Key_Return)
    wait_idle(qtbot, win)
    if message:
        assert message in win.error.text() and win.error.isVisible()
        assert _shown_ids(win) == before
    _type_search(qtbot, win, "domain:2")
    assert not win.error.isVisible() and _shown_ids(win) == [1]


def test_minus_signs_and_a_pathological_regex_are_just_searches(qtbot, win):
    for query in ("-" * 600 + "x", '"re:(a+)+$"', '"re:(x+x+)+y"', "--hipaa"):
        win.search_box.setText(query)
        qtbot.keyClick(win.search_box, Qt.Key.Key_Return)
        wait_idle(qtbot, win)
        assert not win.error.isVisible(), query
    assert _shown_ids(win) == [1, 2, 3, 4, 5, 6, 7]  # --hipaa: no card has "-hipaa"


def test_hostile_search_from_the_window_changes_nothing(qtbot, win, kit):
    before = kit.dump()
    _type_search(qtbot, win, "'; DROP TABLE card; --")
    assert _shown_ids(win) == [] and kit.dump() == before


def test_a_note_with_a_huge_unbroken_field_shows_with_break_points(qtbot, win, kit):
    """A stranger's 300,000-letter field (the importer takes up to a million): Qt lays out a
    run it must break inside a word in time that grows with its square (minutes at 900,000),
    so the preview gets a zero-width break every 1,000 letters and the editor wraps
    anywhere; the text itself is unchanged."""
    huge = "x" * 300_000
    kit.add("huge field", huge)
    _type_search(qtbot, win, '"huge field"')
    assert len(_shown_ids(win)) == 1
    qtbot.waitUntil(lambda: win.editor.detail is not None)
    back = win.editor.editors["Back"]
    assert back.toPlainText() == huge
    assert back.wordWrapMode() == QTextOption.WrapMode.WrapAnywhere
    assert win.editor.editors["Front"].wordWrapMode() != QTextOption.WrapMode.WrapAnywhere
    shown = win.editor.preview.document().toPlainText()
    assert shown.replace(ZWSP, "").count("x") == 300_000
    assert max(map(len, shown.split(ZWSP))) <= 1_000 + len("huge field") + 80
    assert kit.notes.note_of_card(_shown_ids(win)[0]).fields["Back"] == huge


def test_a_note_with_more_tag_text_than_a_line_edit_holds_keeps_it_all(qtbot, win, kit):
    """A stranger's note with 50,000 tags (390,000 characters): Qt's line edit keeps 32,767
    unless told otherwise, and the editor, seeing its line differ from the note, saved the
    cut tags as soon as the user moved on. Browsing it, and editing its front, keep them."""
    many = sorted(f"tag{i}" for i in range(50_000))
    kit.add("many tags", tags=many)
    _type_search(qtbot, win, '"many tags" or CPOE')
    ids = list(win.model.ids)
    assert len(ids) == 2
    win.table.setFocus()
    win.table.selectRow(0)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Up):
        qtbot.keyClick(win.table, key)
        wait_idle(qtbot, win)
    card = next(i for i in ids if kit.notes.note_of_card(i).fields["Front"] == "many tags")
    assert kit.notes.note_of_card(card).tags == many
    win.table.selectRow(ids.index(card))
    wait_idle(qtbot, win)
    assert len(win.editor.tags.text()) > 32_767 and not win.editor.is_dirty()
    win.editor.editors["Front"].setPlainText("many tags, edited")
    win.editor.save()
    wait_idle(qtbot, win)
    note = kit.notes.note_of_card(card)
    assert note.fields["Front"] == "many tags, edited" and note.tags == many


def test_browsing_a_note_qt_cannot_show_exactly_leaves_it_as_it_is(qtbot, win, kit):
    """Qt's editor shows "\r\n", "\r", U+2028 and U+2029 as a plain line break and drops a
    byte-order mark: reading the text back differed from the note, so moving on saved a note
    nobody edited. Now only what the user edits is written; the other fields stay exact."""
    odd = "line\r\nend\ralso\u2028and\u2029more"
    kit.add("odd breaks", "\ufeffmarked")
    card = kit.add("second", odd)[0]
    stored = kit.notes.note_of_card(card).fields["Back"]
    assert "\r\n" in stored and "\u2028" in stored  # kept as written
    _type_search(qtbot, win, '"odd breaks" or second')
    ids = list(win.model.ids)
    before = kit.dump()
    win.table.setFocus()
    win.table.selectRow(0)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Up):
        qtbot.keyClick(win.table, key)
        wait_idle(qtbot, win)
        assert not win.editor.is_dirty()
    assert kit.dump() == before and win.runner.undo_label() == "Add note"
    win.table.selectRow(ids.index(card))
    wait_idle(qtbot, win)
    win.editor.editors["Front"].setPlainText("second, edited")
    win.editor.save()
    wait_idle(qtbot, win)
    assert kit.notes.note_of_card(card).fields == {"Front": "second, edited", "Back": stored}


def test_the_edit_dialog_changes_nothing_it_was_not_told_to(qtbot, kit):
    """The review screen's edit dialog (E) reads its fields the same way: untouched, the note
    comes back exactly (no "discard changes?" on Esc, nothing written on Save)."""
    from cehrs_cards.services.notes import NoteChange
    from cehrs_cards.ui.dialogs import EditNoteDialog

    card = kit.add("\ufeffmarked", "a\r\nb\u2028c", tags=[f"t{i}" for i in range(9000)])[0]
    detail = kit.notes.note(kit.notes.note_of_card(card).note_id)
    dialog = EditNoteDialog(detail)
    qtbot.addWidget(dialog)
    assert dialog.result_note() == NoteChange.of(detail)
    dialog.editors["Front"].setPlainText("edited")
    assert dialog.result_note() == replace(NoteChange.of(detail), fields={
        "Front": "edited", "Back": detail.fields["Back"]})  # fmt: skip


def test_long_note_type_and_field_names_never_widen_the_browser(qtbot, win, kit):
    """A stranger's note type and field names may be long: the editor's title and its field
    labels, and the card info dialog, took them whole and widened their windows to several
    screens. They show them shortened, whole in a tooltip."""
    from cehrs_cards.core.notetypes import NoteTypeDef, Template
    from cehrs_cards.interchange.package import NoteIn, Package
    from cehrs_cards.services.importing import import_package
    from cehrs_cards.ui.browser_info import CardInfoDialog

    kind, field = "Model" + "z" * 400, "Field" + "y" * 400
    custom = NoteTypeDef(kind, "custom", (field, "Back"), (Template("c", f"{{{{{field}}}}}", "x"),))
    pkg = Package(notetypes={kind: custom})
    pkg.notes = [NoteIn("long1", kind, "Long names", {field: "long model front", "Back": "b"})]
    import_package(kit.col, pkg)
    width = win.width()
    _type_search(qtbot, win, '"long model front"')
    qtbot.waitUntil(lambda: win.editor.detail is not None)
    settle(qtbot)
    assert win.width() == width and win.minimumSizeHint().width() < 1300
    label = win.editor.form.labelForField(win.editor.editors[field])
    assert label.text().endswith("…" + "y" * 14) and "y" * 300 in label.toolTip()
    info = CardInfoDialog(kit.browse.card_info(_shown_ids(win)[0]), win)
    qtbot.addWidget(info)
    assert info.sizeHint().width() < 1300


def test_side_panel_searches_domains_decks_and_states(qtbot, win):
    assert win.sidebar.select_query("domain:4")
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Return)
    wait_idle(qtbot, win)
    assert win.search_box.text() == "domain:4" and _shown_ids(win) == [4, 5]
    assert win.sidebar.select_query('deck:"CEHRS\\:\\:Mini"')
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Return)
    wait_idle(qtbot, win)
    assert len(_shown_ids(win)) == 7
    assert win.sidebar.select_query("domain:2")
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Return, SHIFT)  # widen: or
    wait_idle(qtbot, win)
    assert sorted(_shown_ids(win)) == [1, 2, 3, 4, 5, 6, 7]
    win.search("is:new")
    assert win.sidebar.select_query("domain:5")
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Return, CTRL)  # narrow: and
    wait_idle(qtbot, win)
    assert win.search_box.text() == "(is:new) domain:5" and _shown_ids(win) == [7]


def test_clicking_a_column_header_sorts_in_the_database(qtbot, win, kit):
    kit.sql("UPDATE card SET lapses = id % 3")
    column = [c[0] for c in COLUMNS].index("lapses")
    win.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.AscendingOrder)
    lapses = dict(kit.sql("SELECT id, lapses FROM card"))
    assert [lapses[i] for i in win.model.ids] == sorted(lapses.values())
    win.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.DescendingOrder)
    assert [lapses[i] for i in win.model.ids] == sorted(lapses.values(), reverse=True)


def _bulk_notes(kit, n):
    """n basic notes written straight into the file (as another tool would): fast set-up."""
    t = "2026-03-10 12:00:00.000000"
    notes = [
        (100 + i, f"bulk-{i}", 1, f'["bulk question {i}", "x"]', f"bulk question {i}", "", t, t)
        for i in range(n)
    ]
    con = sqlite3.connect(kit.col.db_path)
    con.executemany(
        "INSERT INTO note (id, guid, notetype_id, fields, sort_field, tags, created, modified)"
        " VALUES (?,?,?,?,?,?,?,?)",
        notes,
    )
    con.execute(
        "INSERT INTO card (note_id, deck_id, due, created, modified) SELECT id, 1, created,"
        " created, modified FROM note WHERE guid LIKE 'bulk-%'"
    )
    con.commit()
    con.close()


def test_rows_are_fetched_lazily_a_page_at_a_time(qtbot, win, kit):
    _bulk_notes(kit, 5000)
    _type_search(qtbot, win, "bulk")
    assert len(win.model.ids) == 5000
    qtbot.wait(50)
    assert win.model.fetches <= 3  # only what the view showed, not 50 pages
    win.table.scrollToBottom()
    qtbot.wait(50)
    assert win.model.fetches <= 6
    assert win.model.data(win.model.index(4999, 0)).startswith("bulk question")


def test_big_edits_run_in_the_background_and_errors_come_back(qtbot, win, kit):
    _bulk_notes(kit, 3000)
    _type_search(qtbot, win, "bulk")
    qtbot.keyClick(win.table, Qt.Key.Key_A, CTRL | ALT)
    wait_idle(qtbot, win)
    qtbot.keyClick(win.table, Qt.Key.Key_2, ALT)
    assert win.busy and not win.table.isEnabled()  # waiting, not frozen
    wait_idle(qtbot, win)
    assert win.table.isEnabled() and len(kit.ids("domain:2 bulk")) == 3000

    def bad_regex(dialog):
        dialog.find_text.setText("(")
        dialog.regex.setChecked(True)
        dialog.selected_only.setChecked(False)
        dialog.accept()

    answer_next_dialog(qtbot, bad_regex)
    qtbot.keyClick(win.table, Qt.Key.Key_F, CTRL | ALT)
    wait_idle(qtbot, win)
    assert "regular expression is not valid" in win.error.text()


# ----- editing --------------------------------------------------------------------------------


def test_editing_the_selected_note_saves_by_keyboard_and_undo_restores(qtbot, win, kit):
    _type_search(qtbot, win, "CPOE")
    front = win.editor.editors["Front"]
    qtbot.waitUntil(front.isVisible)  # fields are shown by the layout on the next event loop
    front.setFocus()
    front.selectAll()
    qtbot.keyClicks(front, "What is CPOE?")
    qtbot.keyClick(front, Qt.Key.Key_Return, CTRL)
    wait_idle(qtbot, win)
    assert kit.notes.note_of_card(1).fields["Front"] == "What is CPOE?"
    assert win.model.data(win.model.index(0, 0)) == "What is CPOE?"
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_Z, CTRL)
    wait_idle(qtbot, win)
    assert kit.notes.note_of_card(1).fields["Front"] == "What does CPOE stand for?"
    assert win.editor.editors["Front"].toPlainText() == "What does CPOE stand for?"


def test_moving_to_another_card_saves_a_changed_note(qtbot, win, kit):
    _type_search(qtbot, win, "domain:2 or domain:3")
    win.editor.tags.setText("edited")
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_Down)
    wait_idle(qtbot, win)
    tags = (kit.notes.note_of_card(1).tags, kit.notes.note_of_card(6).tags)
    assert ["edited"] in tags
    assert win.editor.detail.tags == []


def test_editor_domain_and_deck_apply_to_the_whole_note(qtbot, win, kit):
    _type_search(qtbot, win, "nid:2")
    win.editor.domain.setCurrentIndex(win.editor.domain.findData(5))
    win.editor.deck.setCurrentText("Moved::Here")
    win.editor.deck.setFocus()
    qtbot.keyClick(win.editor.deck, Qt.Key.Key_S, CTRL)
    wait_idle(qtbot, win)
    assert kit.ids("deck:Moved::Here domain:5") == [2, 3]
    assert "Moved::Here" in win.browse.sidebar().decks


# ----- bulk actions ---------------------------------------------------------------------------


def test_bulk_domain_change_with_alt_number_and_undo(qtbot, win, kit):
    before = _domains(kit)
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A, CTRL | ALT)  # select all
    wait_idle(qtbot, win)
    assert len(win.selected_ids()) == 7
    qtbot.keyClick(win.table, Qt.Key.Key_3, ALT)
    wait_idle(qtbot, win)
    assert set(_domains(kit).values()) == {3}
    assert "Domain 3" in win.statusBar().currentMessage()
    qtbot.keyClick(win.table, Qt.Key.Key_Z, CTRL)
    wait_idle(qtbot, win)
    assert _domains(kit) == before


def test_change_domain_dialog_from_the_keyboard(qtbot, win, kit):
    _type_search(qtbot, win, "domain:0 or domain:1")  # the imported-card retagging workflow
    qtbot.keyClick(win.table, Qt.Key.Key_A, CTRL | ALT)
    wait_idle(qtbot, win)

    def pick(dialog):
        combo = dialog.field
        combo.setCurrentIndex(combo.findData(4))
        dialog.accept()

    answer_next_dialog(qtbot, pick)
    qtbot.keyClick(win.table, Qt.Key.Key_M, CTRL | SHIFT)
    wait_idle(qtbot, win)
    assert _domains(kit)[2] == 4 and _domains(kit)[3] == 4
    assert _shown_ids(win) == []  # they no longer match the search


def test_change_deck_dialog_creates_the_deck(qtbot, win, kit):
    win.search("cid:1,7", keep=[1, 7])
    answer_next_dialog(qtbot, _accept_with_text("Hard ones"))
    qtbot.keyClick(win.table, Qt.Key.Key_D, CTRL)
    wait_idle(qtbot, win)
    assert kit.ids("deck:Hard*") == [1, 7]


def test_suspend_bury_flag_and_reset_by_keyboard(qtbot, win, kit):
    win.search("cid:1,2", keep=[1, 2])
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_J, CTRL)
    wait_idle(qtbot, win)
    assert kit.ids("is:suspended") == [1, 2]
    assert win.model.data(win.model.index(0, 4)) == "(New)"
    qtbot.keyClick(win.table, Qt.Key.Key_J, CTRL)
    wait_idle(qtbot, win)
    assert kit.ids("is:suspended") == []
    qtbot.keyClick(win.table, Qt.Key.Key_J, CTRL | SHIFT)
    wait_idle(qtbot, win)
    assert kit.ids("is:buried") == [1, 2]
    qtbot.keyClick(win.table, Qt.Key.Key_2, CTRL)
    wait_idle(qtbot, win)
    assert kit.ids("flag:2") == [1, 2]
    qtbot.keyClick(win.table, Qt.Key.Key_2, CTRL)
    wait_idle(qtbot, win)
    assert kit.ids("is:flagged") == []
    kit.sql("UPDATE card SET state = 2, stability = 3, last_review = due WHERE id = 1")
    qtbot.keyClick(win.table, Qt.Key.Key_N, CTRL | ALT)
    wait_idle(qtbot, win)
    assert kit.ids("is:new") == [1, 2, 3, 4, 5, 6, 7]
    for _ in range(5):
        qtbot.keyClick(win.table, Qt.Key.Key_Z, CTRL)
        wait_idle(qtbot, win)
    assert kit.ids("is:review") == [1] and kit.ids("is:buried") == []


def test_set_due_date_dialog(qtbot, win, kit):
    kit.sql("UPDATE card SET state = 2, stability = 3, last_review = due WHERE id = 1")
    win.search("cid:1,2", keep=[1, 2])
    answer_next_dialog(qtbot, _accept_with_text("4"))
    qtbot.keyClick(win.table, Qt.Key.Key_D, CTRL | SHIFT)
    wait_idle(qtbot, win)
    assert kit.ids("prop:due=4") == [1, 2]
    assert "Due date set on 2 cards (1 of them new" in win.statusBar().currentMessage()


def test_delete_and_undo_by_keyboard(qtbot, win, kit):
    before = kit.dump()
    win.search("nid:2", keep=[2])
    qtbot.keyClick(win.table, Qt.Key.Key_Delete, CTRL)
    wait_idle(qtbot, win)
    assert (
        kit.ids("nid:2") == [] and "Deleted 1 notes (2 cards)" in win.statusBar().currentMessage()
    )
    qtbot.keyClick(win.table, Qt.Key.Key_Z, CTRL)
    wait_idle(qtbot, win)
    assert kit.dump() == before


def test_add_and_remove_tags_dialogs(qtbot, win, kit):
    win.search("cid:1,6", keep=[1, 6])
    answer_next_dialog(qtbot, _accept_with_text("week1 billing"))
    qtbot.keyClick(win.table, Qt.Key.Key_A, CTRL | SHIFT)
    wait_idle(qtbot, win)
    assert kit.ids("tag:week1") == [1, 6] and kit.ids("tag:billing") == [1, 6]
    refocus(qtbot, win)
    answer_next_dialog(qtbot, _accept_with_text("billing"))
    qtbot.keyClick(win.table, Qt.Key.Key_A, CTRL | ALT | SHIFT)
    wait_idle(qtbot, win)
    assert kit.ids("tag:billing") == []


def test_find_and_replace_dialog(qtbot, win, kit):
    win.search("")

    def fill(dialog):
        dialog.find_text.setText("CMS-1500")
        dialog.replace.setText("CMS 1500")
        dialog.selected_only.setChecked(False)
        dialog.accept()

    answer_next_dialog(qtbot, fill)
    qtbot.keyClick(win.table, Qt.Key.Key_F, CTRL | ALT)
    wait_idle(qtbot, win)  # every note: runs in the background
    assert kit.ids('"CMS 1500"') == [6] and kit.ids('"CMS-1500"') == []
    assert "Changed 1 notes" in win.statusBar().currentMessage()


def test_card_info_and_leeches_dialogs_open_from_the_keyboard(qtbot, win, kit):
    kit.sql("UPDATE card SET lapses = 9 WHERE id = 6")
    win.search("cid:6", keep=[6])
    seen = []

    def close(dialog):
        seen.append(dialog.windowTitle())
        dialog.reject()

    answer_next_dialog(qtbot, close)
    qtbot.keyClick(win.table, Qt.Key.Key_I, CTRL | SHIFT)
    refocus(qtbot, win)

    def tag_and_show(dialog):
        seen.append(dialog.windowTitle())
        dialog.tag_button.click()
        dialog.sig_show.emit()
        dialog.accept()

    answer_next_dialog(qtbot, tag_and_show)
    qtbot.keyClick(win.table, Qt.Key.Key_L, CTRL | SHIFT)
    wait_idle(qtbot, win)
    assert seen == ["Card info · card 6", "Leeches · 1 card"]
    assert kit.ids("tag:leech") == [6] and win.search_box.text() == "is:leech"


def test_save_a_search_and_delete_it_from_the_side_panel(qtbot, win, kit):
    _type_search(qtbot, win, "domain:3")
    answer_next_dialog(qtbot, _accept_with_text("Billing"))
    qtbot.keyClick(win.table, Qt.Key.Key_S, CTRL | SHIFT)
    wait_idle(qtbot, win)
    assert kit.browse.saved_searches() == {"Billing": "domain:3"}
    refocus(qtbot, win)
    win.search("")
    saved = win.sidebar.findItems("Billing", Qt.MatchFlag.MatchRecursive)[0]
    win.sidebar.setCurrentItem(saved)
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Return)
    wait_idle(qtbot, win)
    assert _shown_ids(win) == [6]
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Delete)
    wait_idle(qtbot, win)
    assert kit.browse.saved_searches() == {}


def test_search_help_and_navigation_keys(qtbot, win):
    answer_next_dialog(qtbot, lambda box: box.accept())
    qtbot.keyClick(win.table, Qt.Key.Key_F1)
    refocus(qtbot, win)
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_F, CTRL)
    wait_idle(qtbot, win)
    assert win.search_box.hasFocus()
    win.table.selectRow(0)
    qtbot.keyClick(win.table, Qt.Key.Key_N, CTRL)
    wait_idle(qtbot, win)
    assert win.table.currentIndex().row() == 1
    qtbot.keyClick(win.table, Qt.Key.Key_P, CTRL)
    wait_idle(qtbot, win)
    assert win.table.currentIndex().row() == 0


def test_actions_without_a_selection_explain_themselves(qtbot, win):
    win.search("nothing-matches-this")
    qtbot.keyClick(win.table, Qt.Key.Key_J, CTRL)
    wait_idle(qtbot, win)
    assert "Select one or more cards" in win.error.text()


def test_every_action_has_a_shortcut_and_a_menu(win):
    assert len(win.menu_actions) >= 30
    shortcuts = [a.shortcut().toString() for a in win.menu_actions.values()]
    assert all(shortcuts) and len(set(shortcuts)) == len(shortcuts)


# ----- adding ---------------------------------------------------------------------------------


def test_add_note_dialog_by_keyboard(qtbot, win, kit):
    qtbot.keyClick(win.table, Qt.Key.Key_E, CTRL)
    wait_idle(qtbot, win)
    dialog = win.add_dialog
    assert isinstance(dialog, AddNoteDialog) and dialog.isVisible()
    refocus(qtbot, dialog)
    dialog.set_kind("cloze")
    qtbot.keyClicks(dialog.editors["Text"], "The {{c1::MPI}} links records")
    dialog.tags.setText("class")
    qtbot.keyClick(dialog.editors["Text"], Qt.Key.Key_Return, CTRL)
    settle(qtbot)
    assert kit.ids("MPI links") == [8]
    assert dialog.editors["Text"].toPlainText() == ""
    assert win.model.ids[0] == 8 and win.selected_ids() == [8]  # newest first
    qtbot.keyClick(dialog.editors["Text"], Qt.Key.Key_Return, CTRL)  # empty: refused
    settle(qtbot)
    assert "empty" in dialog.status.text()
    dialog.reject()


def test_widgets_have_no_message_boxes_left_open(qtbot, win):
    assert not [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, (QDialog, QMessageBox)) and w.isVisible()
    ]


def test_notes_mode_shows_one_row_per_note_and_acts_on_all_its_cards(qtbot, win, kit):
    """Ctrl+Alt+T: one row per note (a reversed note's two cards are one row); suspending
    that row suspends both cards; back in cards mode both cards are selected."""
    rev = kit.add("Which rule?", "Privacy", kind="reversed", deck="Rev")
    assert len(rev) == 2
    _type_search(qtbot, win, "deck:Rev")
    assert len(win.model.ids) == 2 and win.count.text().startswith("2 cards")
    qtbot.keyClick(win.table, Qt.Key.Key_T, CTRL | ALT)
    wait_idle(qtbot, win)
    assert win.notes_mode and win.mode_button.isChecked()
    assert len(win.model.ids) == 1 and win.model.ids[0] in rev
    assert win.count.text().startswith("1 note")
    due_col = [k for k, _, _ in COLUMNS].index("due")
    assert win.model.index(0, due_col).data() == ""  # a card's column: empty for a note
    assert win.table.isColumnHidden(due_col) and not win.table.isColumnHidden(0)
    assert "Which rule" in win.model.index(0, 0).data()
    assert win.selected_ids() == win.model.ids  # the selection followed the note
    assert sorted(win.target_ids()) == sorted(rev)
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_J, CTRL)  # toggle suspend
    wait_idle(qtbot, win)
    assert kit.sql(f"SELECT suspended FROM card WHERE id IN ({rev[0]}, {rev[1]})") == [(1,), (1,)]
    _type_search(qtbot, win, "")  # every note of the collection, one row each
    notes = kit.sql("SELECT COUNT(*) FROM note")[0][0]
    assert len(win.model.ids) == notes < kit.sql("SELECT COUNT(*) FROM card")[0][0]
    _type_search(qtbot, win, "deck:Rev")  # selects its one row
    qtbot.keyClick(win.table, Qt.Key.Key_T, CTRL | ALT)
    wait_idle(qtbot, win)
    assert not win.notes_mode and sorted(win.selected_ids()) == sorted(rev)
    assert not win.table.isColumnHidden(due_col)
