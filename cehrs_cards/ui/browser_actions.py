"""Every browser action, in the menus, the table's context menu and on a shortcut.

A mixin of BrowserWindow: it uses the window's services, table, editor and search. Each edit
is one undoable step on the shared stack; afterwards the table, side panel and (through
sig_changed) the main window refresh.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from cehrs_cards.core import search as search_syntax
from cehrs_cards.core.domains import DOMAINS, UNASSIGNED, domain_name
from cehrs_cards.services import browse_info
from cehrs_cards.services.browse_edit import EditError
from cehrs_cards.ui import browser_dialogs as dialogs
from cehrs_cards.ui.browser_add import AddNoteDialog
from cehrs_cards.ui.browser_info import CardInfoDialog, LeechDialog
from cehrs_cards.ui.worker import Worker, start

FLAG_NAMES = {1: "Red", 2: "Orange", 3: "Green", 4: "Blue"}
BACKGROUND_AT = 2000
"""Edits of more cards than this run on the worker thread (100,000 cards take ~1 s)."""
SEARCH_HELP = (search_syntax.__doc__ or "").split("Pure:")[0].strip()


class BrowserActions:
    """Actions of the card browser (mixed into BrowserWindow)."""

    actions: dict[str, QAction]

    def build_actions(self: Any) -> None:
        self.actions = {}
        bar = self.menuBar()
        edit = bar.addMenu("&Edit")
        self._add(edit, "undo", "&Undo", "Ctrl+Z", self.undo)
        edit.addSeparator()
        self._add(edit, "add", "&Add note…", "Ctrl+E", self.open_add)
        self._add(
            edit, "save", "&Save note (also Ctrl+Enter in the editor)", "Ctrl+S", self.editor.save
        )
        self._add(edit, "select_all", "Select &all", "Ctrl+Alt+A", self.table.selectAll)
        self._add(edit, "close", "&Close browser", "Ctrl+W", self.close)
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
        for f, name in FLAG_NAMES.items():
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
        self._add(go, "next", "&Next card", "Ctrl+N", lambda: self.move(1))
        self._add(go, "prev", "&Previous card", "Ctrl+P", lambda: self.move(-1))
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
        self: Any, menu: QMenu, key: str, text: str, shortcut: str, slot: Callable[..., Any]
    ) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)
        self.actions[key] = act
        return act

    def _on_table_context_menu(self: Any, pos: QPoint) -> None:
        menu = QMenu(self)
        for key in ("info", None, "deck", "domain", "suspend", "bury", "due", "reset", None,
                    "add_tags", "remove_tags", "replace", None, "delete"):  # fmt: skip
            if key is None:
                menu.addSeparator()
            else:
                menu.addAction(self.actions[key])
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _refresh_undo_label(self: Any) -> None:
        label = self.undo_stack.label()
        self.actions["undo"].setText(f"&Undo {label}" if label else "&Undo")

    # ----- running an edit -------------------------------------------------------------------
    def _selection(self: Any) -> list[int]:
        ids = self.target_ids()
        if not ids:
            self.show_error("Select one or more cards first.")
        return ids

    def _apply(
        self: Any,
        action: Callable[[], Any],
        message: str | Callable[[Any], str],
        research: bool = True,
        background: bool | None = None,
    ) -> None:
        """Run an edit; show its message or error; refresh the table and tell the main window.

        `research` searches again (the edit may change which cards match); otherwise only the
        rows are refetched, so the table keeps its place. Edits of more than BACKGROUND_AT
        cards (or `background`) run on the worker thread while the window waits, unfrozen.
        """
        keep = self.selected_ids()
        if background if background is not None else len(keep) > BACKGROUND_AT:
            self._run_in_background(action, lambda r: self._finish(r, message, research, keep))
            return
        try:
            result = action()
        except (EditError, KeyError, ValueError) as exc:
            self.show_error(str(exc))
            return
        self._finish(result, message, research, keep)

    def _finish(
        self: Any,
        result: Any,
        message: str | Callable[[Any], str],
        research: bool,
        keep: list[int],
    ) -> None:
        self.show_error("")
        if research:
            self.search(keep=keep[:5000])
        else:
            self.model.refresh_rows()
        self.refresh_sidebar()
        text = message(result) if callable(message) else message
        self.statusBar().showMessage(f"{text} (Ctrl+Z undoes it)", 6000)
        self.sig_changed.emit()

    def _run_in_background(
        self: Any, action: Callable[[], Any], done: Callable[[Any], None]
    ) -> None:
        self.set_busy(True)
        self._when_done = done
        job = Worker(lambda _progress: action())
        # Bound methods of the window: the results arrive on the UI thread (queued).
        job.signals.sig_done.connect(self._on_job_done)
        job.signals.sig_error.connect(self._on_job_error)
        self._job = start(job)

    def _on_job_done(self: Any, result: Any) -> None:
        self.set_busy(False)
        self._when_done(result)

    def _on_job_error(self: Any, text: str) -> None:
        self.set_busy(False)
        self.show_error(text.split(": ", 1)[-1] if "Error: " in text else text)

    def set_busy(self: Any, busy: bool) -> None:
        """While an edit runs in the background nothing else can start; the window still paints."""
        self.busy = busy
        self.centralWidget().setEnabled(not busy)
        self.menuBar().setEnabled(not busy)
        for act in self.actions.values():
            act.setEnabled(not busy)
        if busy:
            self.statusBar().showMessage("Working…")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _current_row(self: Any) -> Any:
        return self.model.row_at(self.table.currentIndex().row())

    def undo(self: Any) -> None:
        """Undo the newest step of the shared stack (in the background: big deletes take time)."""
        if self.undo_stack.label() is None:
            self.statusBar().showMessage("Nothing to undo.", 3000)
            return
        keep = self.selected_ids()
        self._run_in_background(self.undo_stack.undo, lambda entry: self._after_undo(entry, keep))

    def _after_undo(self: Any, entry: Any, keep: list[int]) -> None:
        self.search(keep=keep[:5000])
        self.refresh_sidebar()
        self.statusBar().showMessage(
            f"Undone: {entry.label}" if entry else "Nothing to undo.", 4000
        )
        self.sig_changed.emit()

    # ----- card actions ----------------------------------------------------------------------
    def set_domain(self: Any, domain: int) -> None:
        ids = self._selection()
        if ids:
            self._apply(
                lambda: self.edit.change_domain(ids, domain),
                lambda n: f"Domain {domain} ({domain_name(domain)}) set on {n} cards",
            )

    def change_domain(self: Any) -> None:
        ids, row = self._selection(), self._current_row()
        if ids:
            dialog = dialogs.ask_domain(row.domain if row else UNASSIGNED, len(ids), self)
            if dialog.exec():
                self.set_domain(int(dialog.value()))

    def change_deck(self: Any) -> None:
        ids, row = self._selection(), self._current_row()
        if not ids:
            return
        decks = self.browse.sidebar().decks
        dialog = dialogs.ask_deck(decks, row.deck if row else "", len(ids), self)
        if dialog.exec():
            deck = str(dialog.value())
            self._apply(
                lambda: self.edit.change_deck(ids, deck), f"Moved {len(ids)} cards to {deck}"
            )

    def toggle_suspend(self: Any) -> None:
        ids, row = self._selection(), self._current_row()
        if ids:
            on = not (row and row.suspended)
            text = f"{'Suspended' if on else 'Unsuspended'} {len(ids)} cards"
            self._apply(lambda: self.edit.set_suspended(ids, on), text, research=False)

    def toggle_bury(self: Any) -> None:
        ids, row = self._selection(), self._current_row()
        if ids:
            on = not (row and row.buried)
            text = f"{'Buried until tomorrow' if on else 'Unburied'}: {len(ids)} cards"
            self._apply(lambda: self.edit.bury(ids, on), text, research=False)

    def toggle_flag(self: Any, flag: int) -> None:
        ids, row = self._selection(), self._current_row()
        if ids:
            new = 0 if row is not None and row.flag == flag else flag
            text = f"Flag {FLAG_NAMES[new]}" if new else "Flag cleared"
            self._apply(lambda: self.edit.set_flag(ids, new), f"{text} on {len(ids)} cards", False)

    def set_due(self: Any) -> None:
        ids = self._selection()
        if not ids:
            return
        dialog = dialogs.ask_due(len(ids), self)
        if dialog.exec():
            spec = str(dialog.value())

            def text(result: tuple[int, int]) -> str:
                moved, skipped = result
                tail = f"; {skipped} new cards stay in the new queue" if skipped else ""
                return f"Due date set on {moved} cards{tail}"

            self._apply(lambda: self.edit.set_due(ids, spec), text, research=False)

    def reset_to_new(self: Any) -> None:
        ids = self._selection()
        if ids:
            self._apply(lambda: self.edit.reset_to_new(ids), f"Reset {len(ids)} cards to new")

    def delete(self: Any) -> None:
        ids = self._selection()
        if ids:
            self._apply(
                lambda: self.edit.delete_notes(ids),
                lambda n: f"Deleted {n[0]} notes ({n[1]} cards)",
            )

    def add_tags(self: Any) -> None:
        self._tags(add=True)

    def remove_tags(self: Any) -> None:
        self._tags(add=False)

    def _tags(self: Any, add: bool) -> None:
        ids = self._selection()
        if not ids:
            return
        verb = "Add" if add else "Remove"
        hint = "Space-separated; applies to the notes of the selected cards."
        dialog = dialogs.ask_text(f"{verb} tags", "Tags", hint, self)
        tags = str(dialog.value()).split() if dialog.exec() else []
        if tags:
            do = self.edit.add_tags if add else self.edit.remove_tags
            self._apply(lambda: do(ids, tags), f"{verb} tags: {' '.join(tags)}")

    def find_replace(self: Any) -> None:
        detail = self.editor.detail
        fields = sorted(set(detail.fields if detail else ()) | {"Front", "Back", "Text"})
        ids = self.selected_ids()
        dialog = dialogs.FindReplaceDialog(fields, len(ids), self)
        if not dialog.exec():
            return
        r = dialog.result_replace()
        scope = ids if r.selected_only else None
        self._apply(
            lambda: self.edit.find_replace(
                scope, r.find, r.replace, r.field, r.regex, r.ignore_case
            ),
            lambda n: f"Changed {n} notes",
            background=scope is None or len(scope) > BACKGROUND_AT,  # every note: a while
        )

    # ----- other windows ---------------------------------------------------------------------
    def open_add(self: Any) -> AddNoteDialog:
        row = self._current_row()
        decks = self.browse.sidebar().decks
        deck, domain = (row.deck, row.domain) if row else ("", UNASSIGNED)
        dialog = AddNoteDialog(self.edit, decks, deck, domain, self)
        dialog.sig_added.connect(lambda cards: self._on_added(cards))
        dialog.show()
        self.add_dialog = dialog
        return dialog

    def _on_added(self: Any, cards: list[int]) -> None:
        self.search(keep=cards)
        self.refresh_sidebar()
        self.sig_changed.emit()

    def show_card_info(self: Any) -> None:
        card = self.current_id()
        if card is None:
            self.show_error("Select a card first.")
            return
        CardInfoDialog(browse_info.card_info(self.browse.col, card), self).exec()

    def show_leeches(self: Any) -> None:
        threshold, found = browse_info.leeches(self.browse.col)
        dialog = LeechDialog(threshold, found, self)

        def tag() -> None:
            n = browse_info.tag_leeches(self.browse.col, self.edit)
            dialog.tag_button.setEnabled(False)
            self.statusBar().showMessage(f"Tagged {n} notes 'leech' (Ctrl+Z undoes it)", 6000)
            self.refresh_sidebar()
            self.model.refresh_rows()
            self.sig_changed.emit()

        dialog.sig_tag.connect(tag)
        dialog.sig_show.connect(lambda: self.search("is:leech"))
        dialog.exec()

    def save_search(self: Any) -> None:
        dialog = dialogs.ask_text(
            "Save search", "Name", f"Saves: {self.query or '(every card)'}", self
        )
        if dialog.exec():
            try:
                self.browse.save_search(str(dialog.value()), self.query)
            except (ValueError, search_syntax.SearchError) as exc:
                self.show_error(str(exc))
                return
            self.refresh_sidebar()

    def delete_saved_search(self: Any, name: str) -> None:
        self.browse.delete_search(name)
        self.refresh_sidebar()
        self.statusBar().showMessage(f"Deleted the saved search {name!r}", 4000)

    def show_search_help(self: Any) -> None:
        QMessageBox.information(self, "Search syntax", f"<pre>{html.escape(SEARCH_HELP)}</pre>")

    # ----- moving around -----------------------------------------------------------------------
    def focus_search(self: Any) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def move(self: Any, step: int) -> None:
        row = max(0, min(len(self.model.ids) - 1, self.table.currentIndex().row() + step))
        if self.model.ids:
            self.table.selectRow(row)
