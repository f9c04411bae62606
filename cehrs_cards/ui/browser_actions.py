"""Every browser action, in the menus, the table's context menu and on a shortcut.

BrowserActions is the base class of BrowserWindow: it uses the window's services, table,
editor and search. Each edit is one operation on the database thread and one undoable step on
the shared stack; afterwards the table and side panel refresh here, and every other view
learns what changed from the runner's sig_operation_did_execute.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTableView,
    QWidget,
)

from cehrs_cards.core import search as search_syntax
from cehrs_cards.core.domains import DOMAINS, UNASSIGNED, domain_name
from cehrs_cards.core.ops import OpError, OpResult, UndoStep
from cehrs_cards.core.words import count
from cehrs_cards.services.browse import BrowseRow, BrowseService
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.notes import NotesService
from cehrs_cards.ui import browser_dialogs as dialogs
from cehrs_cards.ui.browser_add import AddNoteDialog
from cehrs_cards.ui.browser_editor import NoteEditor
from cehrs_cards.ui.browser_info import CardInfoDialog, LeechDialog
from cehrs_cards.ui.browser_model import CardTableModel
from cehrs_cards.ui.browser_sidebar import Sidebar
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.widgets import TextDialog

T = TypeVar("T")
FLAG_NAMES = {
    1: "Red",
    2: "Orange",
    3: "Green",
    4: "Blue",
    5: "Pink",
    6: "Turquoise",
    7: "Purple",
}
SEARCH_HELP = (search_syntax.__doc__ or "").split("Pure:")[0].strip()


class BrowserActions(QMainWindow):
    """Actions of the card browser: the base class of BrowserWindow, which makes the widgets
    and runs searches (the methods below that raise NotImplementedError). Every edit is an
    operation on the database thread; the window waits (`busy`), unfrozen, until it is saved."""

    menu_actions: dict[str, QAction]
    browse: BrowseService
    notes: NotesService
    cards: CardService
    runner: OpRunner
    table: QTableView
    model: CardTableModel
    editor: NoteEditor
    sidebar: Sidebar
    search_box: QLineEdit
    query: str
    busy: bool
    add_dialog: AddNoteDialog | None

    # ----- provided by BrowserWindow -----------------------------------------------------------
    def search(self, query: str | None = None, keep: list[int] | None = None) -> bool:
        raise NotImplementedError

    def refresh_sidebar(self) -> None:
        raise NotImplementedError

    def show_error(self, text: str) -> None:
        raise NotImplementedError

    def selected_ids(self) -> list[int]:
        raise NotImplementedError

    def target_ids(self) -> list[int]:
        raise NotImplementedError

    def current_id(self) -> int | None:
        raise NotImplementedError

    def toggle_notes_mode(self) -> None:
        raise NotImplementedError

    def build_actions(self) -> None:
        self.menu_actions = {}
        bar = self.menuBar()
        edit = bar.addMenu("&Edit")
        self._add(edit, "undo", "&Undo", "Ctrl+Z", self.undo)
        edit.addSeparator()
        self._add(edit, "add", "&Add note…", "Ctrl+E", self.open_add)
        self._add(
            edit, "save", "&Save note (also Ctrl+Enter in the editor)", "Ctrl+S", self.editor.save
        )
        self._add(edit, "select_all", "Select &all", "Ctrl+Alt+A", self.table.selectAll)
        close = self._add(edit, "close", "&Close browser (Esc)", "Ctrl+W", self.close)
        close.setShortcuts([QKeySequence("Esc"), QKeySequence("Ctrl+W")])  # Esc: as in Anki
        cards = bar.addMenu("&Cards")
        self._add(cards, "info", "Card &info…", "Ctrl+Shift+I", self.show_card_info)
        cards.addSeparator()
        self._add(cards, "deck", "Change &deck…", "Ctrl+D", self.change_deck)
        self._add(cards, "domain", "Change do&main…", "Ctrl+Shift+M", self.change_domain)
        domains = cards.addMenu("Set domain")
        for d in (*(d.id for d in DOMAINS), UNASSIGNED):
            label = f"&{d} {domain_name(d)}"
            self._add(
                domains, f"domain{d}", label, f"Alt+{d}", lambda _=False, d=d: self.set_domain(d)
            )
        cards.addSeparator()
        self._add(cards, "suspend", "Toggle &suspend", "Ctrl+J", self.toggle_suspend)
        self._add(cards, "bury", "Toggle &bury", "Ctrl+Shift+J", self.toggle_bury)
        flags = cards.addMenu("&Flag")
        for f, name in list(FLAG_NAMES.items())[:4]:  # Ctrl+1..4 as in Anki's review
            self._add(
                flags,
                f"flag{f}",
                f"&{f} {name}",
                f"Ctrl+{f}",
                lambda _=False, f=f: self.toggle_flag(f),
            )
        self._add(flags, "flag0", "&Clear flag", "Ctrl+0", lambda: self.toggle_flag(0))
        cards.addSeparator()
        self._add(cards, "due", "Set due &date…", "Ctrl+Shift+D", self.set_due)
        self._add(cards, "reset", "&Reset to new", "Ctrl+Alt+N", self.reset_to_new)
        cards.addSeparator()
        self._add(cards, "delete", "De&lete note", "Ctrl+Delete", self.delete)
        notes = bar.addMenu("&Notes")
        self._add(notes, "add_tags", "&Add tags…", "Ctrl+Shift+A", self.add_tags)
        self._add(notes, "remove_tags", "&Remove tags…", "Ctrl+Alt+Shift+A", self.remove_tags)
        self._add(notes, "replace", "&Find and replace…", "Ctrl+Alt+F", self.find_replace)
        go = bar.addMenu("&Go")
        self._add(go, "find", "&Search box", "Ctrl+F", self.focus_search)
        self._add(go, "table", "&Table", "Ctrl+Shift+T", self.table.setFocus)
        self._add(go, "sidebar", "Side &panel", "Ctrl+Shift+R", self.sidebar.setFocus)
        self._add(go, "editor", "&Editor", "Ctrl+Shift+E", self.editor.focus_first)
        self._add(go, "next", "&Next card", "Ctrl+N", lambda: self.move_row(1))
        self._add(go, "prev", "&Previous card", "Ctrl+P", lambda: self.move_row(-1))
        go.addSeparator()
        per_note = self._add(
            go, "notes_mode", "&One row per note", "Ctrl+Alt+T", self.toggle_notes_mode
        )
        per_note.setCheckable(True)
        tools = bar.addMenu("&Tools")
        self._add(tools, "leeches", "&Leeches…", "Ctrl+Shift+L", self.show_leeches)
        self._add(tools, "save_search", "Sa&ve current search…", "Ctrl+Shift+S", self.save_search)
        self._add(tools, "help", "Search s&yntax", "F1", self.show_search_help)
        edit.aboutToShow.connect(self._refresh_undo_label)

    def _add(
        self, menu: QMenu, key: str, text: str, shortcut: str, slot: Callable[..., object]
    ) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)
        self.menu_actions[key] = act
        return act

    def _on_table_context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for key in ("info", None, "deck", "domain", "suspend", "bury", "due", "reset", None,
                    "add_tags", "remove_tags", "replace", None, "delete"):  # fmt: skip
            if key is None:
                menu.addSeparator()
            else:
                menu.addAction(self.menu_actions[key])
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _refresh_undo_label(self) -> None:
        label = self.runner.undo_label()
        self.menu_actions["undo"].setText(f"&Undo {label}" if label else "&Undo")

    # ----- running an edit -------------------------------------------------------------------
    def _selection(self) -> list[int]:
        ids = self.target_ids()
        if not ids:
            self.show_error("Select one or more cards first.")
        return ids

    def _apply(
        self,
        action: Callable[[], OpResult[T]],
        message: str | Callable[[T], str],
        research: bool = True,
    ) -> None:
        """Run an edit as an operation; then show its message (or its error) and refresh.

        `research` searches again (the edit may change which cards match); otherwise only the
        rows are refetched, so the table keeps its place.
        """
        if self.busy:
            return
        keep = self.selected_ids()
        self.set_busy(True)
        self.runner.op(
            lambda _p: action(),
            initiator=self,
            done=lambda value: self._finish(value, message, research, keep),
            failed=self._on_edit_failed,
        )

    def _finish(
        self, result: T, message: str | Callable[[T], str], research: bool, keep: list[int]
    ) -> None:
        self.set_busy(False)
        self.show_error("")
        if research:
            self.search(keep=keep[:5000])
        else:
            self.model.refresh_rows()
        self.refresh_sidebar()
        text = message(result) if callable(message) else message
        self.statusBar().showMessage(f"{text} (Ctrl+Z undoes it)", 6000)

    def _on_edit_failed(self, exc: Exception) -> None:
        self.set_busy(False)
        self.show_error(str(exc) if isinstance(exc, OpError) else f"That did not work: {exc}")

    def set_busy(self, busy: bool) -> None:
        """While an edit runs nothing else can start; the window still paints."""
        self.busy = busy
        central = self.centralWidget()
        if central is not None:
            central.setEnabled(not busy)
        self.menuBar().setEnabled(not busy)
        for act in self.menu_actions.values():
            act.setEnabled(not busy)
        if busy:
            self.statusBar().showMessage("Working…")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _current_row(self) -> BrowseRow | None:
        return self.model.row_at(self.table.currentIndex().row())

    def undo(self) -> None:
        """Undo the newest step (shared with the main window), on the database thread."""
        if self.runner.undo_label() is None:
            self.statusBar().showMessage("Nothing to undo.", 3000)
            return
        keep = self.selected_ids()
        self.set_busy(True)
        self.runner.undo(initiator=self, done=lambda step: self._after_undo(step, keep))

    def _after_undo(self, step: UndoStep | None, keep: list[int]) -> None:
        self.set_busy(False)
        self.search(keep=keep[:5000])
        self.refresh_sidebar()
        self.statusBar().showMessage(f"Undone: {step.label}" if step else "Nothing to undo.", 4000)

    # ----- card actions ----------------------------------------------------------------------
    def set_domain(self, domain: int) -> None:
        ids = self._selection()
        if ids:
            self._apply(
                lambda: self.notes.change_domain(ids, domain),
                lambda n: f"Domain {domain} ({domain_name(domain)}) set on {count(n, 'card')}",
            )

    def change_domain(self) -> None:
        ids, row = self._selection(), self._current_row()
        if ids:
            dialog = dialogs.ask_domain(row.domain if row else UNASSIGNED, len(ids), self)
            if dialog.exec():
                self.set_domain(int(dialog.value()))

    def change_deck(self) -> None:
        ids, row = self._selection(), self._current_row()
        if not ids:
            return
        decks = self.browse.sidebar().decks
        dialog = dialogs.ask_deck(decks, row.deck if row else "", len(ids), self)
        if dialog.exec():
            deck = str(dialog.value())
            self._apply(
                lambda: self.cards.change_deck(ids, deck), f"Moved {len(ids)} cards to {deck}"
            )

    def toggle_suspend(self) -> None:
        ids, row = self._selection(), self._current_row()
        if ids:
            on = not (row and row.suspended)
            text = f"{'Suspended' if on else 'Unsuspended'} {len(ids)} cards"
            self._apply(lambda: self.cards.set_suspended(ids, on), text, research=False)

    def toggle_bury(self) -> None:
        ids, row = self._selection(), self._current_row()
        if ids:
            on = not (row and row.buried)
            text = f"{'Buried until tomorrow' if on else 'Unburied'}: {len(ids)} cards"
            self._apply(lambda: self.cards.bury(ids, on), text, research=False)

    def toggle_flag(self, flag: int) -> None:
        ids, row = self._selection(), self._current_row()
        if ids:
            new = 0 if row is not None and row.flag == flag else flag
            text = f"Flag {FLAG_NAMES[new]}" if new else "Flag cleared"
            self._apply(lambda: self.cards.set_flag(ids, new), f"{text} on {len(ids)} cards", False)

    def set_due(self) -> None:
        ids = self._selection()
        if not ids:
            return
        dialog = dialogs.ask_due(len(ids), self)
        if dialog.exec():
            spec = str(dialog.value())

            def text(result: tuple[int, int]) -> str:
                moved, new = result
                tail = f" ({new} of them new, now in learning)" if new else ""
                return f"Due date set on {count(moved, 'card')}{tail}"

            self._apply(lambda: self.cards.set_due(ids, spec), text, research=False)

    def reset_to_new(self) -> None:
        ids = self._selection()
        if ids:
            self._apply(lambda: self.cards.reset_to_new(ids), f"Reset {len(ids)} cards to new")

    def delete(self) -> None:
        ids = self._selection()
        if ids:
            self._apply(
                lambda: self.notes.delete_notes(ids),
                lambda n: f"Deleted {n[0]} notes ({n[1]} cards)",
            )

    def add_tags(self) -> None:
        self._tags(add=True)

    def remove_tags(self) -> None:
        self._tags(add=False)

    def _tags(self, add: bool) -> None:
        ids = self._selection()
        if not ids:
            return
        verb = "Add" if add else "Remove"
        hint = "Space-separated; applies to the notes of the selected cards."
        dialog = dialogs.ask_text(f"{verb} tags", "Tags", hint, self)
        tags = str(dialog.value()).split() if dialog.exec() else []
        if tags:
            do = self.notes.add_tags if add else self.notes.remove_tags
            self._apply(lambda: do(ids, tags), f"{verb} tags: {' '.join(tags)}")

    def find_replace(self) -> None:
        detail = self.editor.detail
        fields = sorted(set(detail.fields if detail else ()) | {"Front", "Back", "Text"})
        ids = self.selected_ids()
        dialog = dialogs.FindReplaceDialog(fields, len(ids), self)
        if not dialog.exec():
            return
        r = dialog.result_replace()
        scope = ids if r.selected_only else None
        self._apply(
            lambda: self.notes.find_replace(
                scope, r.find, r.replace, r.field, r.regex, r.ignore_case
            ),
            lambda n: f"Changed {n} notes",
        )

    # ----- other windows ---------------------------------------------------------------------
    def open_add(self) -> AddNoteDialog:
        row = self._current_row()
        decks = self.browse.sidebar().decks
        deck, domain = (row.deck, row.domain) if row else ("", UNASSIGNED)
        dialog = AddNoteDialog(self.notes, self.runner, decks, deck, domain, self)
        dialog.sig_added.connect(self._on_added)
        dialog.show()
        self.add_dialog = dialog
        return dialog

    def _on_added(self, cards: list[int]) -> None:
        self.search(keep=cards)
        self.refresh_sidebar()

    def show_card_info(self) -> None:
        card = self.current_id()
        if card is None:
            self.show_error("Select a card first.")
            return
        CardInfoDialog(self.browse.card_info(card), self).exec()

    def show_leeches(self) -> None:
        threshold, found = self.browse.leeches()
        dialog = LeechDialog(threshold, found, self)
        browse = self.browse

        def tagged(n: int) -> None:
            dialog.tag_button.setEnabled(False)
            self.statusBar().showMessage(f"Tagged {n} notes 'leech' (Ctrl+Z undoes it)", 6000)
            self.refresh_sidebar()
            self.model.refresh_rows()

        dialog.sig_tag.connect(
            lambda: self.runner.op(lambda _p: browse.tag_leeches(), initiator=self, done=tagged)
        )
        dialog.sig_show.connect(lambda: self.search("is:leech"))
        dialog.exec()

    def save_search(self) -> None:
        dialog = dialogs.ask_text(
            "Save search", "Name", f"Saves: {self.query or '(every card)'}", self
        )
        if dialog.exec():
            name, query, browse = str(dialog.value()), self.query, self.browse
            self.runner.op(
                lambda _p: browse.save_search(name, query),
                initiator=self,
                done=lambda _none: self.refresh_sidebar(),
                failed=lambda exc: self.show_error(str(exc)),
            )

    def delete_saved_search(self, name: str) -> None:
        browse = self.browse

        def deleted(_none: None) -> None:
            self.refresh_sidebar()
            self.statusBar().showMessage(f"Deleted the saved search {name!r}", 4000)

        self.runner.op(lambda _p: browse.delete_search(name), initiator=self, done=deleted)

    def show_search_help(self) -> None:
        search_help_box(self).exec()

    # ----- moving around -----------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def move_row(self, step: int) -> None:
        row = max(0, min(len(self.model.ids) - 1, self.table.currentIndex().row() + step))
        if self.model.ids:
            self.table.selectRow(row)


def search_help_box(parent: QWidget) -> TextDialog:
    text = f"<pre>{html.escape(SEARCH_HELP)}</pre>"
    return TextDialog("Search syntax", text, parent, QSize(760, 720))
