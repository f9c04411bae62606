"""Starts mocks and practice blocks from the main window, offers to resume an unfinished attempt,
and shows the history. Owns the open exam windows; closes them when the main window closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from cehrs_cards.core.exam import MOCK, Attempt
from cehrs_cards.core.ops import OpResult
from cehrs_cards.services.exam_store import HistoryEntry
from cehrs_cards.services.exams import BlockCatalog, ExamOptions, ExamService
from cehrs_cards.ui.exam_dialogs import MockStartDialog, PracticeDialog
from cehrs_cards.ui.exam_history import HistoryDialog
from cehrs_cards.ui.exam_results import clock_text
from cehrs_cards.ui.exam_view import ExamWindow
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.safe_html import message as message_box


class ExamLauncher(QObject):
    sig_message = Signal(str)

    def __init__(
        self, exams: ExamService, runner: OpRunner, media_dir: Path, host: QWidget
    ) -> None:
        super().__init__(host)
        self.exams = exams
        self.runner = runner
        self.media_dir = media_dir
        self.host = host
        self.windows: dict[int, ExamWindow] = {}
        self.resume_box: QMessageBox | None = None
        self.history_dialog: HistoryDialog | None = None
        host.installEventFilter(self)

    # ----- starting ----------------------------------------------------------------------------
    def start_mock(self) -> None:
        self._resume_first("mock exam", self._ask_mock_options)

    def _ask_mock_options(self) -> None:
        exams = self.exams
        self.runner.query(lambda _p: exams.options(), self._on_options_read)

    def _on_options_read(self, options: ExamOptions) -> None:
        dialog = MockStartDialog(options, self.host)
        if not dialog.exec():
            return
        chosen, exams = dialog.result_options(), self.exams
        self.runner.op(lambda _p: exams.save_options(chosen), initiator=self)
        self._start(lambda: exams.start_mock(opts=chosen))

    def start_practice(self) -> None:
        self._resume_first("practice block", self._find_block_items)

    def _find_block_items(self) -> None:
        self.sig_message.emit("Finding questions…")
        exams = self.exams
        self.runner.query(
            lambda _p: exams.block_catalog(), self._on_catalog_done, failed=self._on_start_failed
        )

    def _on_catalog_done(self, catalog: BlockCatalog) -> None:
        dialog = PracticeDialog(catalog, self.host)
        if dialog.exec():
            spec, exams = dialog.spec(), self.exams
            self._start(lambda: exams.start_block(spec))

    def _start(self, make: Callable[[], OpResult[Attempt]]) -> None:
        """Assemble on the database thread (a big collection takes a moment), then show it."""
        self.sig_message.emit("Assembling the questions…")
        self.runner.op(
            lambda _p: make(), initiator=self, done=self.open_attempt, failed=self._on_start_failed
        )

    def _on_start_failed(self, exc: Exception) -> None:
        """Show why an attempt could not start (e.g. not enough items in a domain)."""
        message_box(self.host, QMessageBox.Icon.Warning, "Cannot start", str(exc))

    def _resume_first(self, wanted: str, then: Callable[[], object]) -> None:
        """With an unfinished attempt: resume it, or submit it and go on; else go on."""
        exams = self.exams
        self.runner.op(
            lambda _p: exams.resume_unfinished(),
            initiator=self,
            done=lambda att: self._on_unfinished(att, wanted, then),
        )

    def _on_unfinished(self, att: Attempt | None, wanted: str, then: Callable[[], object]) -> None:
        if att is None:
            then()
            return
        if att.finished is not None:
            self.sig_message.emit("An unfinished attempt ran out of time and was scored.")
            then()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question, "Unfinished attempt", describe(att, self.now())
        )
        box.setParent(self.host, box.windowFlags())
        resume = box.addButton("&Resume it", QMessageBox.ButtonRole.AcceptRole)
        submit = box.addButton(
            f"&Submit it and start a new {wanted}", QMessageBox.ButtonRole.DestructiveRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(resume)
        box.exec()
        if box.clickedButton() is resume:
            self.open_attempt(att)
        elif box.clickedButton() is submit:
            self._close_window(att.id)
            exams = self.exams
            self.runner.op(lambda _p: exams.submit(att), initiator=self, done=lambda _r: then())

    def now(self) -> datetime:
        return self.exams.now()

    # ----- windows ------------------------------------------------------------------------------
    def open_attempt(self, att: Attempt) -> ExamWindow:
        """Show an attempt (its exam screen, or its results if finished) in its own window."""
        assert att.id is not None
        old = self.windows.get(att.id)
        if old is not None:
            old.force_close()
        app = QApplication.instance()
        dark = bool(app.property("cehrs_dark")) if app else False
        win = ExamWindow(self.exams, self.runner, att, self.media_dir, dark, self.host)
        win.sig_history.connect(self.show_history)
        win.sig_closed.connect(lambda aid=att.id: self.windows.pop(aid, None))
        self.windows[att.id] = win
        win.show()
        win.raise_()
        win.activateWindow()
        return win

    def _close_window(self, attempt_id: int | None) -> None:
        win = self.windows.pop(attempt_id or 0, None)
        if win is not None:
            win.force_close()

    def close_all(self) -> int:
        """Close every exam window (answers are saved as given; an attempt can be resumed);
        how many there were."""
        wins = list(self.windows.values())
        self.windows.clear()
        for win in wins:
            win.force_close()
        return len(wins)

    def show_history(self) -> None:
        exams = self.exams
        self.runner.query(lambda _p: exams.history(), self._on_history_read)

    def _on_history_read(self, history: list[HistoryEntry]) -> None:
        dialog = HistoryDialog(history, self.host)
        dialog.sig_open.connect(self._open_from_history)
        self.history_dialog = dialog
        dialog.open()

    def _open_from_history(self, attempt_id: int) -> None:
        exams = self.exams
        self.runner.query(lambda _p: exams.load(attempt_id), self.open_attempt)

    # ----- resuming at start-up ---------------------------------------------------------------
    def offer_resume(self) -> None:
        """If an attempt was left unfinished, offer to resume it (or show it scored if its time
        ran out while the app was closed). Non-blocking; the box is kept in self.resume_box."""
        exams = self.exams
        self.runner.op(lambda _p: exams.resume_unfinished(), initiator=self, done=self._offer_box)

    def _offer_box(self, att: Attempt | None) -> None:
        if att is None:
            return
        if att.finished is not None:
            text = "Your attempt ran out of time while CEHRS Cards was closed, so it was scored."
            yes_text = "&Show results"
        else:
            text = describe(att, self.now()) + "\n\nResume it now?"
            yes_text = "&Resume"
        box = QMessageBox(QMessageBox.Icon.Question, "Unfinished attempt", text)
        box.setParent(self.host, box.windowFlags())
        yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes)
        box.setEscapeButton(later)
        box.finished.connect(lambda _r: self._on_resume_box_finished(box, yes, att))
        self.resume_box = box
        box.open()

    def _on_resume_box_finished(self, box: QMessageBox, yes: QPushButton, att: Attempt) -> None:
        self.resume_box = None
        if box.clickedButton() is yes and att.id is not None:
            exams, attempt_id = self.exams, att.id
            self.runner.op(
                lambda _p: exams.resume(attempt_id), initiator=self, done=self.open_attempt
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.host and event.type() == QEvent.Type.Close:
            for win in list(self.windows.values()):
                win.force_close()
        return False


def describe(att: Attempt, now: datetime) -> str:
    """One line about an unfinished attempt: kind, answered, time left."""
    kind = "mock exam" if att.kind == MOCK else "practice block"
    answered, _, _ = att.counts()
    when = att.started.astimezone().strftime("%a %d %b %H:%M")
    left = att.remaining(now)
    clock = (
        f"{clock_text(left.total_seconds())} left (the clock kept running)" if left else "untimed"
    )
    return (
        f"You have an unfinished {kind} from {when}: "
        f"{answered} of {len(att.slots)} answered, {clock}."
    )
