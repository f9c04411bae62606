"""Main window: deck list, review and summary in one stack, with the app's menus."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QStackedWidget, QWidget

from cehrs_cards.core.records import Counts, SessionSummary
from cehrs_cards.services import backup, info
from cehrs_cards.services.notes import NotesService
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.undo import UndoStack
from cehrs_cards.ui.backup_dialog import RestoreDialog
from cehrs_cards.ui.deck_list import DeckListView
from cehrs_cards.ui.dialogs import EditNoteDialog, SettingsDialog
from cehrs_cards.ui.review_view import ReviewView
from cehrs_cards.ui.summary_view import SummaryView
from cehrs_cards.ui.theme import apply_theme, wants_dark


class MainWindow(QMainWindow):
    sig_restore = Signal(object)  # the Backup to restore; the shell reopens the collection

    def __init__(
        self,
        review: ReviewService,
        notes: NotesService,
        undo: UndoStack,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.review = review
        self.notes = notes
        self.undo_stack = undo
        self._closed = False
        self.setWindowTitle("CEHRS Cards")
        self.resize(980, 720)
        app = QApplication.instance()
        dark = bool(app.property("cehrs_dark")) if app else False
        self.decks = DeckListView()
        self.reviewer = ReviewView(review, dark)
        self.summary = SummaryView()
        self.stack = QStackedWidget()
        for w in (self.decks, self.reviewer, self.summary):
            self.stack.addWidget(w)
        self.setCentralWidget(self.stack)
        self._menus()
        self._connect()
        self.show_decks()

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Decks", "D", self.show_decks)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        edit = self.menuBar().addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo", QKeySequence.StandardKey.Undo, self.undo)
        self._action(edit, "Edit current &note", None, self.reviewer._on_edit)
        tools = self.menuBar().addMenu("&Tools")
        self._action(tools, "&Study all decks", None, lambda: self.start_study(None))
        self._action(tools, "Se&ttings…", QKeySequence("Ctrl+,"), self.open_settings)
        tools.addSeparator()
        self._action(tools, "&Back up now", None, self.backup_now)
        self._action(tools, "&Restore from backup…", None, self.open_restore)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(
            help_menu,
            "&Keyboard shortcuts",
            QKeySequence.StandardKey.HelpContents,
            self.show_shortcuts,
        )
        help_menu.aboutToShow.connect(self._refresh_undo)
        edit.aboutToShow.connect(self._refresh_undo)

    def _action(self, menu, text, shortcut, slot) -> QAction:  # type: ignore[no-untyped-def]
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(shortcut)
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)
        return act

    def _connect(self) -> None:
        self.decks.sig_study.connect(self.start_study)
        self.reviewer.sig_finished.connect(self._on_reviewer_finished)
        self.reviewer.sig_leave.connect(self.show_decks)
        self.reviewer.sig_edit.connect(self.edit_note)
        self.reviewer.sig_message.connect(lambda m: self.statusBar().showMessage(m, 4000))
        self.summary.sig_back.connect(self.show_decks)

    # ----- navigation ------------------------------------------------------------------------
    def show_decks(self) -> None:
        self.refresh_decks()
        self.stack.setCurrentWidget(self.decks)
        self.decks.tree.setFocus()

    def refresh_decks(self) -> None:
        self.decks.show_decks(info.deck_rows(self.review))
        by_domain = info.domain_counts(self.review)
        total = self.review.limited(sum((c for c, _ in by_domain.values()), Counts()))
        self.decks.show_domains(by_domain, total)
        self._refresh_undo()

    def start_study(self, deck_id: int | None) -> None:
        self.stack.setCurrentWidget(self.reviewer)
        self.reviewer.start(deck_id)
        self._refresh_undo()

    def _on_reviewer_finished(self, summary: SessionSummary) -> None:
        self.summary.show_summary(summary)
        self.stack.setCurrentWidget(self.summary)

    # ----- actions ---------------------------------------------------------------------------
    def undo(self) -> None:
        entry = self.undo_stack.undo()
        if entry is None:
            self.statusBar().showMessage("Nothing to undo.", 3000)
            return
        self.statusBar().showMessage(f"Undone: {entry.label}", 3000)
        if entry.card_id is not None and self.stack.currentWidget() is not self.decks:
            self.stack.setCurrentWidget(self.reviewer)
            self.reviewer.after_undo(entry.card_id, entry.label == "Answer")
        elif self.stack.currentWidget() is self.reviewer:
            self.reviewer.reload_current()
        else:
            self.refresh_decks()
        self._refresh_undo()

    def _refresh_undo(self) -> None:
        label = self.undo_stack.label()
        # Always enabled so Ctrl+Z works between menu openings; undo() says when there is nothing.
        self.undo_action.setText(f"&Undo {label}" if label else "&Undo")

    def edit_note(self, note_id: int) -> None:
        dialog = EditNoteDialog(self.notes.get(note_id), self)
        if dialog.exec():
            self.notes.update(dialog.result_note())
            self.reviewer.reload_current()
            self.statusBar().showMessage("Note saved (Ctrl+Z to undo).", 3000)
        self._refresh_undo()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.review.settings, self)
        if not dialog.exec():
            return
        self.review.col.save_settings(dialog.result_settings())
        self.review.reload_settings()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            dark = wants_dark(app, self.review.settings.theme)
            apply_theme(app, dark)
            self.reviewer.set_dark(dark)
        if self.stack.currentWidget() is self.decks:
            self.refresh_decks()

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS_HTML)

    def backup_now(self) -> None:
        b = self.review.col.backup("manual")
        self.statusBar().showMessage(f"Backup saved: {b.path.name}", 5000)

    def open_restore(self) -> None:
        dialog = RestoreDialog(backup.list_backups(self.review.col.data_dir), self)
        chosen = dialog.chosen() if dialog.exec() else None
        if chosen is not None:
            self.sig_restore.emit(chosen)

    def close_collection(self, backup_first: bool = True) -> None:
        """Back up (unless the file is damaged) and close the collection; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if backup_first:
                self.review.col.backup("close")
        finally:
            self.review.col.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_collection()
        super().closeEvent(event)


SHORTCUTS_HTML = """<table cellpadding=3>
<tr><td><b>Enter</b></td><td>Study the selected deck</td></tr>
<tr><td><b>S</b></td><td>Study every deck</td></tr>
<tr><td><b>Space</b></td><td>Show answer, then Good</td></tr>
<tr><td><b>1 2 3 4</b></td><td>Again, Hard, Good, Easy</td></tr>
<tr><td><b>Ctrl+Z</b></td><td>Undo the last answer or action</td></tr>
<tr><td><b>E</b></td><td>Edit the current note</td></tr>
<tr><td><b>@</b></td><td>Suspend the card</td></tr>
<tr><td><b>-</b></td><td>Bury the card until tomorrow</td></tr>
<tr><td><b>Ctrl+1..4</b></td><td>Toggle a flag</td></tr>
<tr><td><b>Esc / D</b></td><td>Back to the deck list</td></tr>
<tr><td><b>Ctrl+,</b></td><td>Settings</td></tr>
</table>"""
