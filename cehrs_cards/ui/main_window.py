"""Main window: deck list, review and summary in one stack, with the app's menus."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QStackedWidget, QWidget

from cehrs_cards.core.records import Counts, SessionSummary
from cehrs_cards.core.stats import StudyFocus
from cehrs_cards.services import backup, info
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.notes import NotesService
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.scheduling import needs_reschedule
from cehrs_cards.services.stats import StatsService
from cehrs_cards.services.undo import UndoStack
from cehrs_cards.ui.about_dialog import show_about
from cehrs_cards.ui.backup_dialog import RestoreDialog
from cehrs_cards.ui.browser_launcher import BrowserLauncher
from cehrs_cards.ui.deck_list import DeckListView
from cehrs_cards.ui.dialogs import EditNoteDialog, SchedulingJobs, SettingsDialog
from cehrs_cards.ui.exam_launcher import ExamLauncher
from cehrs_cards.ui.review_view import ReviewView
from cehrs_cards.ui.stats_view import StatsWindow
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
        self.stats_window: StatsWindow | None = None
        self.setWindowTitle("CEHRS Cards")
        self.resize(980, 720)
        app = QApplication.instance()
        dark = bool(app.property("cehrs_dark")) if app else False
        self.decks = DeckListView()
        self.reviewer = ReviewView(review, dark)
        self.summary = SummaryView()
        self.scheduling = SchedulingJobs(review, self)
        self.scheduling.sig_message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.scheduling.sig_cards_changed.connect(self._on_scheduling_cards_changed)
        self.exam_launcher = ExamLauncher(ExamService(review.col, undo), self)
        self.browsing = BrowserLauncher(review.col, undo, self)
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
        self._action(file_menu, "&Import…", QKeySequence("Ctrl+Shift+I"), self.open_import)
        self._action(file_menu, "&Export…", QKeySequence("Ctrl+Shift+E"), self.open_export)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        edit = self.menuBar().addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo", QKeySequence.StandardKey.Undo, self.undo)
        self._action(edit, "Edit current &note", None, self.reviewer._on_edit)
        tools = self.menuBar().addMenu("&Tools")
        self._action(tools, "&Study all decks", None, lambda: self.start_study(None))
        browse = self._action(tools, "&Browse cards", QKeySequence("B"), self.open_browser)
        browse.setShortcuts([QKeySequence("B"), QKeySequence("Ctrl+Shift+B")])
        add = self._action(tools, "&Add note…", QKeySequence("A"), lambda: self.browsing.add_note())
        add.setShortcuts([QKeySequence("A"), QKeySequence("Ctrl+E")])
        self._action(tools, "Se&ttings…", QKeySequence("Ctrl+,"), self.open_settings)
        self._action(tools, "&Optimise my parameters…", None, self.scheduling.optimise)
        tools.addSeparator()
        exam = self.exam_launcher
        self._action(tools, "&Mock exam", QKeySequence("Ctrl+M"), exam.start_mock)
        self._action(tools, "&Practice block…", QKeySequence("Ctrl+B"), exam.start_practice)
        self._action(tools, "Exam &history…", None, exam.show_history)
        tools.addSeparator()
        self._action(tools, "Stat&istics and readiness", QKeySequence("T"), self.open_stats)
        self._action(tools, "&Back up now", None, self.backup_now)
        self._action(tools, "&Restore from backup…", None, self.open_restore)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(
            help_menu,
            "&Keyboard shortcuts",
            QKeySequence.StandardKey.HelpContents,
            self.show_shortcuts,
        )
        self._action(help_menu, "&About", None, lambda: show_about(self, self.review.col.data_dir))
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
        self.browsing.sig_changed.connect(self._on_browsing_changed)
        self.exam_launcher.sig_message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.exam_launcher.sig_cards_changed.connect(
            lambda: self.refresh_decks() if self.stack.currentWidget() is self.decks else None
        )

    # ----- navigation ------------------------------------------------------------------------
    def show_decks(self) -> None:
        self.review.focus = None  # a "study this" session ends when the deck list returns
        self.refresh_decks()
        self.stack.setCurrentWidget(self.decks)
        self.decks.tree.setFocus()

    def refresh_decks(self) -> None:
        self.decks.show_decks(info.deck_rows(self.review))
        by_domain = info.domain_counts(self.review)
        total = self.review.limited(sum((c for c, _ in by_domain.values()), Counts()))
        self.decks.show_domains(by_domain, total)
        self.review.reload_settings()  # cards may have been added or suspended: replan
        pace = self.review.plan().pace
        self.decks.show_pace(pace.message() if pace else None, bool(pace and not pace.feasible))
        self._refresh_undo()

    def start_study(self, deck_id: int | None) -> None:
        self.stack.setCurrentWidget(self.reviewer)
        self.reviewer.start(deck_id)
        self._refresh_undo()

    def open_stats(self) -> None:
        if self.stats_window is None:
            self.stats_window = StatsWindow(StatsService(self.review.col), self)
            self.stats_window.sig_study.connect(self.study_focus)
        self.stats_window.open()

    def study_focus(self, focus: StudyFocus) -> None:
        """Start a session on the domains / task areas a statistics panel chose."""
        self.review.focus = focus
        self.raise_()
        self.activateWindow()
        self.start_study(None)
        self.statusBar().showMessage(f"Studying: {focus.label}", 6000)

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

    def open_browser(self) -> None:
        """The card browser, on the card under review if there is one."""
        reviewing = self.stack.currentWidget() is self.reviewer and self.reviewer.card
        self.browsing.open(self.reviewer.card.card_id if reviewing else None)  # type: ignore[union-attr]

    def _on_browsing_changed(self) -> None:
        """Browser edits come back here: the card under review is shown again, or the next one."""
        card = self.reviewer.card
        if self.stack.currentWidget() is self.reviewer and card is not None:
            if self.browsing.studyable(card.card_id):
                self.reviewer.reload_current()
            else:
                self.reviewer.next()
        elif self.stack.currentWidget() is self.decks:
            self.refresh_decks()
        self._refresh_undo()

    def open_settings(self) -> None:
        old = self.review.settings
        dialog = SettingsDialog(old, self, plan=self.review.plan())
        if not dialog.exec():
            return
        self.review.col.save_settings(dialog.result_settings())
        self.review.reload_settings()
        if needs_reschedule(old, self.review.settings):
            self.scheduling.reschedule()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            dark = wants_dark(app, self.review.settings.theme)
            apply_theme(app, dark)
            self.reviewer.set_dark(dark)
        if self.stack.currentWidget() is self.decks:
            self.refresh_decks()

    def _on_scheduling_cards_changed(self) -> None:
        if self.stack.currentWidget() is self.decks:
            self.refresh_decks()

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS_HTML)

    def open_import(self) -> None:
        from cehrs_cards.ui.transfer_menu import choose_and_import

        choose_and_import(self, self.review.col, self._on_import_done)

    def _on_import_done(self, _result: object) -> None:
        self.refresh_decks()

    def open_export(self) -> None:
        from cehrs_cards.ui.transfer_menu import open_export

        open_export(self, self.review.col)

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
<tr><td><b>T</b></td><td>Statistics and readiness (F5 refreshes)</td></tr>
<tr><td><b>Ctrl+,</b></td><td>Settings</td></tr>
<tr><td><b>Ctrl+Shift+I / E</b></td><td>Import / export decks (.apkg, CSV, TOML)</td></tr>
<tr><td><b>B / A</b></td><td>Browse cards / add a note (browser: F1 for search syntax)</td></tr>
<tr><td><b>Ctrl+M / Ctrl+B</b></td><td>Mock exam / practice block (1-4 or A-D answer, F flag,
arrows move, R review screen)</td></tr>
</table>"""
