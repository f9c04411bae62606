"""Starts mocks and practice blocks from the main window, offers to resume an unfinished attempt,
and shows the history. Owns the open exam windows; closes them when the main window closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from cehrs_cards.core.exam import MOCK, Attempt
from cehrs_cards.services.exams import BlockCatalog, ExamService
from cehrs_cards.ui.exam_dialogs import MockStartDialog, PracticeDialog
from cehrs_cards.ui.exam_history import HistoryDialog
from cehrs_cards.ui.exam_results import clock_text
from cehrs_cards.ui.exam_view import ExamWindow
from cehrs_cards.ui.safe_html import message as message_box
from cehrs_cards.ui.worker import Worker, start


class ExamLauncher(QObject):
    sig_cards_changed = Signal()
    sig_message = Signal(str)

    def __init__(self, exams: ExamService, host: QWidget) -> None:
        super().__init__(host)
        self.exams = exams
        self.host = host
        self.windows: dict[int, ExamWindow] = {}
        self.resume_box: QMessageBox | None = None
        self._job: Worker | None = None
        host.installEventFilter(self)

    # ----- starting ----------------------------------------------------------------------------
    def start_mock(self) -> None:
        if self._resume_first("mock exam"):
            return
        dialog = MockStartDialog(self.exams.options(), self.host)
        if not dialog.exec():
            return
        self.exams.save_options(dialog.result_options())
        self._start(lambda: self.exams.start_mock())

    def start_practice(self) -> None:
        if self._resume_first("practice block"):
            return
        self._in_background(self.exams.block_catalog, self._on_catalog_done, "Finding questions…")

    def _on_catalog_done(self, catalog: BlockCatalog) -> None:
        dialog = PracticeDialog(catalog, self.host)
        if dialog.exec():
            spec = dialog.spec()
            self._start(lambda: self.exams.start_block(spec))

    def _start(self, make: Callable[[], Attempt]) -> None:
        """Assemble off the UI thread (a big collection takes a second or two), then show it."""
        self._in_background(make, self.open_attempt, "Assembling the questions…")

    def _in_background(
        self, fn: Callable[[], object], done: Callable[[Any], object], note: str
    ) -> None:
        self.sig_message.emit(note)
        job = Worker(lambda _progress: fn())
        job.signals.sig_done.connect(done)
        job.signals.sig_error.connect(self._on_job_error)
        self._job = start(job)  # keep the worker (and its signals) alive until it reports

    def _on_job_error(self, detail: str) -> None:
        """Show why an attempt could not start (e.g. not enough items in a domain)."""
        message = detail.split(": ", 1)[1] if detail.split(":", 1)[0].endswith("Error") else detail
        message_box(self.host, QMessageBox.Icon.Warning, "Cannot start", message)

    def _resume_first(self, wanted: str) -> bool:
        """With an unfinished attempt: resume it, or submit it and go on. True = handled."""
        attempt_id = self.exams.unfinished()
        if attempt_id is None:
            return False
        att = self.exams.resume(attempt_id)
        if att.finished is not None:
            self.sig_message.emit("An unfinished attempt ran out of time and was scored.")
            return False
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
            return True
        if box.clickedButton() is submit:
            self._close_window(att.id)
            self.exams.submit(att)
            return False
        return True

    def now(self) -> datetime:
        return self.exams.col.now()

    # ----- windows ------------------------------------------------------------------------------
    def open_attempt(self, att: Attempt) -> ExamWindow:
        """Show an attempt (its exam screen, or its results if finished) in its own window."""
        assert att.id is not None
        old = self.windows.get(att.id)
        if old is not None:
            old.force_close()
        app = QApplication.instance()
        dark = bool(app.property("cehrs_dark")) if app else False
        win = ExamWindow(self.exams, att, dark, self.host)
        win.sig_cards_changed.connect(self.sig_cards_changed.emit)
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

    def show_history(self) -> HistoryDialog:
        dialog = HistoryDialog(self.exams.history(), self.host)
        dialog.sig_open.connect(lambda aid: self.open_attempt(self.exams.load(aid)))
        dialog.open()
        return dialog

    # ----- resuming at start-up ---------------------------------------------------------------
    def offer_resume(self) -> QMessageBox | None:
        """If an attempt was left unfinished, offer to resume it (or show it scored if its time
        ran out while the app was closed). Non-blocking; the box is kept in self.resume_box."""
        attempt_id = self.exams.unfinished()
        if attempt_id is None:
            return None
        att = self.exams.resume(attempt_id)
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
        return box

    def _on_resume_box_finished(self, box: QMessageBox, yes: QPushButton, att: Attempt) -> None:
        self.resume_box = None
        if box.clickedButton() is yes and att.id is not None:
            self.open_attempt(self.exams.resume(att.id))

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
