"""The exam window: question screen, review screen and results, like PSI's delivery screen.

Its own top-level window, so option letters A-D never clash with the main window's keys. Every
answer, flag and move is saved by the service at once; the countdown is recomputed from the
stored deadline on each timer tick (the timer only triggers redraws, it never counts time).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QInputDialog,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.exam import MOCK, TUTOR, Attempt, AttemptClosedError
from cehrs_cards.core.ops import OpResult
from cehrs_cards.core.words import count, plural
from cehrs_cards.services.exams import ExamService, SentToReview
from cehrs_cards.ui.exam_navigator import Cell
from cehrs_cards.ui.exam_question import QuestionPage, QuestionView
from cehrs_cards.ui.exam_results import ResultsPage, clock_text
from cehrs_cards.ui.exam_review import ReviewPage
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.theme import theme_signals
from cehrs_cards.ui.window_state import keep_geometry

TICK_MS = 250
WARN_SECONDS = 5 * 60
FILTER_LABELS = {"flagged": "reviewing flagged", "unanswered": "reviewing unanswered"}


class ExamWindow(QWidget):
    """Every action is an operation on the database thread; the screen redraws when it is
    saved (a few milliseconds) and takes no other action meanwhile (`busy`)."""

    sig_history = Signal()
    sig_closed = Signal()

    def __init__(
        self,
        exams: ExamService,
        runner: OpRunner,
        attempt: Attempt,
        media: Path,
        dark: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.exams = exams
        self.runner = runner
        self.busy = False
        self.attempt = attempt
        self.filter = "all"
        self.confirm_box: QMessageBox | None = None
        self.leave_box: QMessageBox | None = None
        self._leaving = False
        self.question = QuestionPage(media, dark, attempt.allow_pause, attempt.allow_strike)
        self.review = ReviewPage()
        self.results = ResultsPage(media, dark)
        self.stack = QStackedWidget()
        for page in (self.question, self.review, self.results):
            self.stack.addWidget(page)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.stack)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self._connect()
        keep_geometry(self, "exam", QSize(1180, 800))
        theme_signals().sig_changed.connect(self._on_theme_changed)
        if attempt.finished is not None:
            self.show_results()
        else:
            self.show_question()
            self.timer.start()

    def _connect(self) -> None:
        q, r, res = self.question, self.review, self.results
        q.sig_pick.connect(self._on_question_pick)
        q.sig_strike.connect(self._on_question_strike)
        q.sig_flag.connect(self._on_question_flag)
        q.sig_next.connect(lambda: self._on_question_step(+1))
        q.sig_prev.connect(lambda: self._on_question_step(-1))
        q.sig_goto.connect(self._on_any_goto)
        q.sig_review.connect(self.show_review)
        q.sig_pause.connect(self._on_question_pause)
        q.sig_ask_number.connect(self._on_question_ask_number)
        r.sig_goto.connect(self._on_any_goto)
        r.sig_back.connect(self.show_question)
        r.sig_all.connect(lambda: self._on_review_start("all"))
        r.sig_flagged.connect(lambda: self._on_review_start("flagged"))
        r.sig_unanswered.connect(lambda: self._on_review_start("unanswered"))
        r.sig_submit.connect(self.confirm_submit)
        res.sig_send_missed.connect(self._on_results_send_missed)
        res.sig_count.connect(self._on_results_count)
        res.sig_history.connect(self.sig_history.emit)
        res.sig_close.connect(self.close)

    def _on_theme_changed(self, _dark: bool) -> None:
        if self.stack.currentWidget() is self.review:
            self.review.show_cells(self._cells(), self.attempt.current)

    # ----- pages ---------------------------------------------------------------------------
    def _cells(self) -> list[Cell]:
        return [Cell(s.answered, s.flagged) for s in self.attempt.slots]

    def show_question(self) -> None:
        if self.attempt.finished is not None:
            return
        att = self.attempt
        slot = att.slots[att.current]
        view = QuestionView(
            index=att.current,
            total=len(att.slots),
            slot=slot,
            cells=self._cells(),
            reveal=att.mode == TUTOR and slot.answered,
            show_domain=att.kind != MOCK,
            filter_label=FILTER_LABELS.get(self.filter, ""),
        )
        self.question.show_view(view)
        self.question.set_paused(att.paused_at is not None)
        self.stack.setCurrentWidget(self.question)
        self.question.setFocus()
        kind = "Mock exam" if att.kind == MOCK else "Practice block"
        self.setWindowTitle(f"{kind} · Question {att.current + 1} of {len(att.slots)}")
        self._update_clock()

    def show_review(self) -> None:
        if self.attempt.finished is not None or self.attempt.paused_at is not None:
            return
        self.filter = "all"
        self.review.show_cells(self._cells(), self.attempt.current)
        self.stack.setCurrentWidget(self.review)
        self.review.setFocus()
        self.setWindowTitle("Review before submitting")
        self._update_clock()

    def show_results(self) -> None:
        self.timer.stop()
        if self.confirm_box is not None:
            self.confirm_box.done(0)
        self.results.show_results(self.attempt, self.exams.report(self.attempt))
        self.stack.setCurrentWidget(self.results)
        QTimer.singleShot(0, self._focus_results)

    def _focus_results(self) -> None:
        """After the confirmation box closes, take the focus back (it went to a hidden page)."""
        self.activateWindow()
        self.results.items.setFocus()
        self.setWindowTitle("Mock exam results" if self.attempt.kind == MOCK else "Block results")

    def _update_clock(self) -> None:
        now = self.exams.now()
        left = self.attempt.remaining(now)
        if left is None:
            text = f"Untimed · {clock_text(self.attempt.time_used(now).total_seconds())} used"
            warn = False
        else:
            text = f"Time remaining  {clock_text(left.total_seconds())}"
            warn = left.total_seconds() <= WARN_SECONDS
        self.question.set_clock(text, warn)
        self.review.set_clock(text, warn)

    # ----- actions ---------------------------------------------------------------------------
    def _act(self, action: Callable[[], OpResult[Any]]) -> None:
        """Save an action on the database thread, then redraw; if time ran out meanwhile,
        the results take over."""
        if self.busy:
            return
        self.busy = True
        self.runner.op(
            lambda _p: action(), initiator=self, done=self._on_acted, failed=self._on_act_failed
        )

    def _on_acted(self, _value: object) -> None:
        self.busy = False
        self.show_question()

    def _on_act_failed(self, exc: Exception) -> None:
        self.busy = False
        if not isinstance(exc, AttemptClosedError):
            self.runner.sig_failed.emit(exc, self)
        if self.attempt.finished is not None:
            self.show_results()

    def _on_question_pick(self, option: int) -> None:
        self._act(lambda: self.exams.select(self.attempt, option))

    def _on_question_strike(self, option: int) -> None:
        if self.attempt.allow_strike:
            self._act(lambda: self.exams.toggle_strike(self.attempt, option))

    def _on_question_flag(self) -> None:
        self._act(lambda: self.exams.toggle_flag(self.attempt))

    def _on_question_step(self, direction: int) -> None:
        att = self.attempt
        if att.paused_at is not None:
            return
        target = att.step(att.current, direction, self.filter)
        if target is None:
            if direction > 0:
                self.show_review()  # past the last (flagged / unanswered) item: review screen
            return
        self._act(lambda: self.exams.goto(att, target))

    def _on_any_goto(self, index: int) -> None:
        if self.attempt.paused_at is not None:
            return
        self.filter = "all"
        self._act(lambda: self.exams.goto(self.attempt, index))

    def _on_review_start(self, which: str) -> None:
        first = self.attempt.step(-1, +1, which)
        if first is None:
            return
        self.filter = which
        self._act(lambda: self.exams.goto(self.attempt, first))

    def _on_question_pause(self) -> None:
        att = self.attempt
        if not att.allow_pause:
            return
        if att.paused_at is None:
            self._act(lambda: self.exams.pause(att))
        else:
            self._act(lambda: self.exams.unpause(att))

    def _on_question_ask_number(self) -> None:
        n, ok = QInputDialog.getInt(
            self,
            "Go to question",
            "Question number:",
            self.attempt.current + 1,
            1,
            len(self.attempt.slots),
        )
        if ok and self.attempt.finished is None:
            self._on_any_goto(n - 1)

    # ----- submitting ------------------------------------------------------------------------
    def confirm_submit(self) -> None:
        """Ask before submitting (non-blocking): S submits; Enter, Esc and K keep working,
        since submitting cannot be undone."""
        _answered, unanswered, flagged = self.attempt.counts()
        box = QMessageBox(QMessageBox.Icon.Question, "Submit the exam?", "Submit the exam now?")
        box.setParent(self, box.windowFlags())
        box.setInformativeText(
            f"{unanswered} unanswered (they count as wrong) · {flagged} flagged.\n"
            "You cannot change any answer after submitting."
        )
        submit = box.addButton("&Submit", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("&Keep working", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.finished.connect(lambda _r: self._on_confirm_finished(box, submit))
        self.confirm_box = box
        box.open()

    def _on_confirm_finished(self, box: QMessageBox, submit: QPushButton) -> None:
        self.confirm_box = None
        if box.clickedButton() is submit and self.attempt.finished is None:
            self.submit("submitted")
        elif self.attempt.finished is None:
            self.activateWindow()
            self.review.setFocus()

    def submit(self, reason: str) -> None:
        att, exams = self.attempt, self.exams
        self.busy = True
        self.runner.op(
            lambda _p: exams.submit(att, reason),
            initiator=self,
            done=self._on_submitted,
            failed=self._on_act_failed,
        )

    def _on_submitted(self, _report: object) -> None:
        self.busy = False
        self.show_results()

    def _on_timer_timeout(self) -> None:
        if self.attempt.finished is not None:
            self.timer.stop()
            return
        if not self.busy and self.attempt.time_is_up(self.exams.now()):
            self.timer.stop()
            self.submit("time")  # automatic submission at zero
            return
        self._update_clock()

    # ----- results ---------------------------------------------------------------------------
    def _on_results_send_missed(self, include_blank: bool) -> None:
        att, exams = self.attempt, self.exams
        self.runner.op(
            lambda _p: exams.send_missed_to_review(att, include_blank),
            initiator=self,
            done=self._on_sent,
        )

    def _on_sent(self, sent: SentToReview) -> None:
        new = f" ({sent.were_new} of them new, now in learning)" if sent.were_new else ""
        due = f"{count(sent.cards, 'card')} {plural(sent.cards, 'is')} due now"
        self.results.set_sent(f"{due}{new}. Undo with Ctrl+Z in the main window.")

    def _on_results_count(self, counted: bool) -> None:
        """Count an incomplete attempt toward readiness and calibration, or not again."""
        att, exams = self.attempt, self.exams
        self.runner.op(
            lambda _p: exams.set_counted(att, counted),
            initiator=self,
            done=lambda _none: self.show_results(),
        )

    # ----- closing ---------------------------------------------------------------------------
    def force_close(self) -> None:
        """Close without asking (the app is quitting; everything is already saved)."""
        self._leaving = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.attempt.finished is None and not self._leaving:
            event.ignore()
            self._ask_leave()
            return
        self.timer.stop()
        self.sig_closed.emit()
        super().closeEvent(event)

    def _ask_leave(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Leave the exam?", "Leave the exam for now?")
        box.setParent(self, box.windowFlags())
        timed = self.attempt.deadline is not None and self.attempt.paused_at is None
        where = (
            "Tools › Mock exam (Ctrl+M)"
            if self.attempt.kind == MOCK
            else "Tools › Practice block (Ctrl+B)"
        )
        box.setInformativeText(
            "Your answers are saved. "
            + (
                "The clock keeps running, as in the real exam: resume before it runs out "
                f"({where}, or the next time CEHRS Cards starts)."
                if timed
                else f"Resume it later from {where}."
            )
            + " Or submit it now and see what you got right."
        )
        leave = box.addButton("&Leave", QMessageBox.ButtonRole.AcceptRole)
        submit = box.addButton("S&ubmit now", QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton("&Stay", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.finished.connect(lambda _r: self._on_leave_finished(box, leave, submit))
        self.leave_box = box
        box.open()

    def _on_leave_finished(self, box: QMessageBox, leave: QPushButton, submit: QPushButton) -> None:
        self.leave_box = None
        if box.clickedButton() is leave:
            self.force_close()
        elif box.clickedButton() is submit:
            self.submit("submitted")
