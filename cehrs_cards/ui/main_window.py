"""Main window: deck list, review and summary in one stack, with the app's menus.

It holds no data of its own: the deck list is read through the runner, every change goes
through the runner as an operation, and sig_operation_did_execute tells it (and every other
view) what changed, so each page redraws only when what it shows was touched.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from cehrs_cards.core.ops import Changes, OpError, UndoStep
from cehrs_cards.core.records import SessionSummary
from cehrs_cards.core.stats import StudyFocus
from cehrs_cards.services.collection import CollectionClosedError
from cehrs_cards.services.container import Services
from cehrs_cards.services.custom_study import Left, study_more, what_is_left
from cehrs_cards.services.info import DeckOverview, overview
from cehrs_cards.services.notes import NoteChange, NoteDetail
from cehrs_cards.services.records import Settings
from cehrs_cards.ui.about_dialog import show_about
from cehrs_cards.ui.backup_dialog import RestoreDialog
from cehrs_cards.ui.browser_launcher import BrowserLauncher
from cehrs_cards.ui.deck_list import DeckListView
from cehrs_cards.ui.dialogs import EditNoteDialog, SchedulingJobs, SettingsDialog
from cehrs_cards.ui.exam_launcher import ExamLauncher
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.review_view import ReviewView
from cehrs_cards.ui.safe_html import message
from cehrs_cards.ui.stats_view import StatsWindow
from cehrs_cards.ui.summary_view import SummaryView
from cehrs_cards.ui.theme import apply_theme, wants_dark
from cehrs_cards.ui.welcome_dialog import WelcomeLauncher
from cehrs_cards.ui.widgets import TextDialog
from cehrs_cards.ui.window_state import keep_geometry


class MainWindow(QMainWindow):
    sig_restore = Signal(object)  # the Backup to restore; the shell reopens the collection

    def __init__(
        self,
        services: Services,
        runner: OpRunner,
        dark: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.closed = False
        self.stats_window: StatsWindow | None = None
        self.settings: Settings | None = None
        self._lent: dict[QAction, list[QKeySequence]] = {}  # keys lent to the review screen
        self.setWindowTitle("CEHRS Cards")
        keep_geometry(self, "main", QSize(980, 720))
        self.decks = DeckListView()
        s = services
        self.reviewer = ReviewView(s.review, s.cards, runner, s.media_dir, dark)
        self.summary = SummaryView()
        self.scheduling = SchedulingJobs(s.scheduling, runner, self)
        self.exam_launcher = ExamLauncher(s.exams, runner, s.media_dir, self)
        self.browsing = BrowserLauncher(s, runner, self)
        self.welcome = WelcomeLauncher(s.scheduling, runner, self)
        self.welcome.sig_saved.connect(self._on_welcome_saved)
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
        self.help_menu = self.menuBar().addMenu("&Help")
        self._action(
            self.help_menu, "&Welcome and daily plan…", None, lambda: self.show_welcome(False)
        )
        self._action(
            self.help_menu,
            "&Keyboard shortcuts",
            QKeySequence.StandardKey.HelpContents,
            self.show_shortcuts,
        )
        data_dir = self.services.data_dir
        self._action(self.help_menu, "&About", None, lambda: show_about(self, data_dir))
        edit.aboutToShow.connect(self._refresh_undo)

    def _action(
        self,
        menu: QMenu,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: Callable[[], object],
    ) -> QAction:
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
        self.reviewer.sig_message.connect(self._on_any_message)
        self.reviewer.sig_letter_keys.connect(self._on_reviewer_letter_keys)
        self.summary.sig_back.connect(self.show_decks)
        self.summary.sig_study_more.connect(self._on_summary_study_more)
        self.summary.sig_practice.connect(self.exam_launcher.start_practice)
        self.summary.sig_tomorrow.connect(self._on_summary_tomorrow)
        self.scheduling.sig_message.connect(self._on_any_message)
        self.exam_launcher.sig_message.connect(self._on_any_message)
        self.runner.sig_operation_did_execute.connect(self._on_operation_did_execute)
        self.runner.sig_failed.connect(self._on_runner_failed)
        self.runner.sig_undo_changed.connect(self._refresh_undo)

    def _on_reviewer_letter_keys(self, taken: bool) -> None:
        """While a multiple-choice card waits for A-D, the window's one-letter keys (A add,
        B browse, D decks) step aside; their Ctrl variants and the menus still work."""
        letters = {"A", "B", "C", "D"}
        if taken:
            self._lent = {}
            for act in self.actions():
                keys = act.shortcuts()
                if any(k.toString() in letters for k in keys):
                    self._lent[act] = keys
                    act.setShortcuts([k for k in keys if k.toString() not in letters])
        else:
            for act, keys in self._lent.items():
                act.setShortcuts(keys)
            self._lent = {}

    def _on_any_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    # ----- what changed ----------------------------------------------------------------------
    def _on_operation_did_execute(self, changes: Changes, _initiator: object) -> None:
        if changes.settings:
            self._load_settings()
        if changes.study_queue and self.stack.currentWidget() is self.decks:
            self.refresh_decks()

    def _on_runner_failed(self, exc: Exception, _initiator: object) -> None:
        """A failure no view handled itself: said in words, never a traceback."""
        if self.closed or isinstance(exc, CollectionClosedError):
            return  # work queued before closing; the collection is gone
        text = str(exc) if isinstance(exc, OpError) else f"That did not work: {exc}"
        message(self, QMessageBox.Icon.Warning, "CEHRS Cards", text)

    # ----- navigation ------------------------------------------------------------------------
    def show_decks(self) -> None:
        self.services.review.focus = None  # a "study this" session ends at the deck list
        self.refresh_decks()
        self.stack.setCurrentWidget(self.decks)
        self.decks.tree.setFocus()

    def refresh_decks(self) -> None:
        review = self.services.review
        self.runner.query(lambda _p: overview(review), self._on_overview)

    def _on_overview(self, view: DeckOverview) -> None:
        self.decks.show_decks(view.decks)
        self.decks.show_domains(view.by_domain, view.total)
        self.decks.show_pace(view.pace, view.pace_short)
        self._refresh_undo()

    def start_study(self, deck_id: int | None) -> None:
        self.stack.setCurrentWidget(self.reviewer)
        self.reviewer.start(deck_id)
        self._refresh_undo()

    def open_stats(self) -> None:
        if self.stats_window is None:
            self.stats_window = StatsWindow(self.services.stats, self.runner, self)
            self.stats_window.sig_study.connect(self.study_focus)
        self.stats_window.open()

    def study_focus(self, focus: StudyFocus) -> None:
        """Start a session on the domains / task areas a statistics panel chose."""
        self.services.review.focus = focus
        self.raise_()
        self.activateWindow()
        self.start_study(None)
        self.statusBar().showMessage(f"Studying: {focus.label}", 6000)

    def _on_reviewer_finished(self, summary: SessionSummary) -> None:
        review, deck_id = self.services.review, self.reviewer.deck_id
        self.runner.query(
            lambda _p: what_is_left(review, deck_id),
            lambda left: self._show_summary(summary, left),
        )

    def _show_summary(self, summary: SessionSummary, left: Left) -> None:
        self.summary.show_summary(summary, left)
        self.stack.setCurrentWidget(self.summary)

    def _on_summary_study_more(self, new: int, reviews: int) -> None:
        """Past today's limit: allow more for today, then study on (same deck and focus)."""
        review, deck_id = self.services.review, self.reviewer.deck_id
        self.runner.op(
            lambda _p: study_more(review, new, reviews),
            initiator=self,
            done=lambda _extra: self.start_study(deck_id),
        )

    def _on_summary_tomorrow(self) -> None:
        """The cards that fall due tomorrow, in the browser."""
        self.browsing.open().search("prop:due=1")

    # ----- actions ---------------------------------------------------------------------------
    def undo(self) -> None:
        self.runner.undo(initiator=self, done=self._on_undone)

    def _on_undone(self, step: UndoStep | None) -> None:
        if step is None:
            self.statusBar().showMessage("Nothing to undo.", 3000)
            return
        self.statusBar().showMessage(f"Undone: {step.label}", 3000)
        if step.card_id is not None and self.stack.currentWidget() is not self.decks:
            self.stack.setCurrentWidget(self.reviewer)
            self.reviewer.after_undo(step)
        elif self.stack.currentWidget() is self.reviewer:
            self.reviewer.reload_current()
        else:
            self.refresh_decks()
        self._refresh_undo()

    def _refresh_undo(self) -> None:
        label = self.runner.undo_label()
        # Always enabled so Ctrl+Z works between menu openings; undo() says when there is nothing.
        self.undo_action.setText(f"&Undo {label}" if label else "&Undo")

    def edit_note(self, note_id: int) -> None:
        notes = self.services.notes
        self.runner.query(lambda _p: notes.note(note_id), self._on_note_to_edit)

    def _on_note_to_edit(self, detail: NoteDetail) -> None:
        dialog = EditNoteDialog(detail, self)
        if not dialog.exec():
            return
        change, notes = dialog.result_note(), self.services.notes
        if change == NoteChange.of(detail):
            return
        self.runner.op(
            lambda _p: notes.save_note(change),
            initiator=self,
            done=lambda _none: self._on_note_saved(),
        )

    def _on_note_saved(self) -> None:
        self.reviewer.reload_current()
        self.statusBar().showMessage("Note saved (Ctrl+Z to undo).", 3000)

    def open_browser(self) -> None:
        """The card browser, on the card under review if there is one."""
        card = self.reviewer.card if self.stack.currentWidget() is self.reviewer else None
        self.browsing.open(card.card_id if card is not None else None)

    def open_settings(self) -> None:
        review = self.services.review
        self.runner.query(lambda _p: (review.settings, review.plan()), self._on_settings_read)

    def _on_settings_read(self, got: tuple[Settings, object]) -> None:
        settings, plan = got
        dialog = SettingsDialog(settings, self, plan=plan)  # type: ignore[arg-type]
        if not dialog.exec():
            return
        new, scheduling = dialog.result_settings(), self.services.scheduling
        self.runner.op(
            lambda _p: scheduling.save_settings(new),
            initiator=self,
            done=lambda reschedule: self._on_settings_saved(new, reschedule),
        )

    def _on_settings_saved(self, new: Settings, reschedule: bool) -> None:
        if reschedule:
            self.scheduling.reschedule()
        self._apply_theme(new.theme)

    def _load_settings(self) -> None:
        review = self.services.review
        self.runner.query(lambda _p: review.settings, self._on_settings_loaded)

    def _on_settings_loaded(self, settings: Settings) -> None:
        self.settings = settings

    def _apply_theme(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, wants_dark(app, theme))  # every open view restyles itself

    def show_welcome(self, auto: bool) -> None:
        """The welcome: by itself (`auto`) only on a collection nobody has studied yet."""
        self.welcome.show(auto)

    def _on_welcome_saved(self, theme: str, reschedule: bool, wants_import: bool) -> None:
        if reschedule:
            self.scheduling.reschedule()
        self._apply_theme(theme)
        self.refresh_decks()
        if wants_import:
            self.open_import()

    def show_shortcuts(self) -> None:
        shortcuts_box(self).exec()

    def open_import(self) -> None:
        from cehrs_cards.ui.transfer_menu import choose_and_import

        choose_and_import(self, self.services.transfer, self.runner)

    def open_export(self) -> None:
        from cehrs_cards.ui.transfer_menu import open_export

        open_export(self, self.services.transfer, self.runner)

    def backup_now(self) -> None:
        session = self.services.session
        self.runner.query(lambda _p: session.backup("manual"), self._on_backed_up)

    def _on_backed_up(self, b: object) -> None:
        name = getattr(getattr(b, "path", None), "name", "")
        self.statusBar().showMessage(f"Backup saved: {name}", 5000)

    def open_restore(self) -> None:
        dialog = RestoreDialog(self.services.session.backups(), self)
        chosen = dialog.chosen() if dialog.exec() else None
        if chosen is None:
            return
        if self.exam_launcher.windows and not self._close_exams_for_restore():
            return
        self.sig_restore.emit(chosen)

    def _close_exams_for_restore(self) -> bool:
        """An open exam window would go on writing to the collection being replaced: it is
        closed first, with the user's agreement (its answers so far are saved)."""
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        text = (
            "Restoring replaces the collection, so your open exam window will be closed "
            "first. The answers you gave are saved. Close it and restore?"
        )
        title = "Restore from backup"
        if message(self, QMessageBox.Icon.Question, title, text, yes | no, no) != yes:
            return False
        self.exam_launcher.close_all()
        return True

    def close_collection(self, backup_first: bool = True) -> None:
        """Let queued work finish, back up (unless the file is damaged), close; idempotent."""
        if self.closed:
            return
        self.closed = True
        self.welcome.close()  # unsaved: it comes again on the next start
        self.runner.wait()
        self.services.session.close(backup_first)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_collection()
        super().closeEvent(event)


def shortcuts_box(parent: QWidget) -> TextDialog:
    return TextDialog("Keyboard shortcuts", SHORTCUTS_HTML, parent, QSize(560, 560))


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
