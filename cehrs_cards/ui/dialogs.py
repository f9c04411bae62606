"""Small dialogs: edit a note, and the study settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import QDate, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import DOMAINS, UNASSIGNED, domain_name
from cehrs_cards.core.ops import OpResult, Progress
from cehrs_cards.core.scheduling import LEAD_DAYS, DailyPlan, value_retention
from cehrs_cards.core.words import count
from cehrs_cards.services.notes import NoteChange, NoteDetail
from cehrs_cards.services.records import Settings
from cehrs_cards.services.scheduling import OptimiseReport, RescheduleReport, SchedulingService
from cehrs_cards.ui.advanced import Advanced, explanation
from cehrs_cards.ui.ops import Job, OpRunner
from cehrs_cards.ui.safe_html import message, shortened
from cehrs_cards.ui.widgets import (
    FieldEdit,
    TagsEdit,
    confirm_discard,
    name_label,
    named,
    ok_cancel,
    scrolled,
)
from cehrs_cards.ui.window_state import keep_geometry

T = TypeVar("T")


def domain_combo(current: int) -> QComboBox:
    combo = named(QComboBox(), "CEHRS domain")
    for dom in (*(d.id for d in DOMAINS), UNASSIGNED):
        combo.addItem(f"{dom} {domain_name(dom)}" if dom else domain_name(dom), dom)
    combo.setCurrentIndex(combo.findData(current))
    return combo


class EditNoteDialog(QDialog):
    """Edit a note's fields (HTML allowed, sanitised on save), tags and domain."""

    def __init__(self, note: NoteDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit note · {shortened(note.notetype, 60)}")
        self.note = note
        self.editors: dict[str, FieldEdit] = {}
        form = QFormLayout()
        for name, value in note.fields.items():
            ed = FieldEdit(value, name)
            ed.setMinimumHeight(48 if len(value) < 120 else 96)
            self.editors[name] = ed
            form.addRow(name_label(name), ed)
        self.tags = TagsEdit()
        self.tags.load(note.tags)
        form.addRow("Tags", self.tags)
        self.domain = domain_combo(note.domain)
        form.addRow("Domain", self.domain)
        buttons = ok_cancel(self, QDialogButtonBox.StandardButton.Save)
        box = QVBoxLayout(self)
        box.addWidget(scrolled(form, "Fields"), 1)
        hint = QLabel("Ctrl+Enter saves · Esc cancels · changes can be undone with Ctrl+Z")
        hint.setWordWrap(True)
        box.addWidget(hint)
        box.addWidget(buttons)
        keep_geometry(self, "edit-note", QSize(640, 560))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Esc or Cancel: a changed note is only thrown away if the user says so."""
        if self.result_note() != NoteChange.of(self.note) and not confirm_discard(
            self, "the changes to this note"
        ):
            return
        super().reject()

    def result_note(self) -> NoteChange:
        return replace(
            NoteChange.of(self.note),
            fields={k: e.value() for k, e in self.editors.items()},
            tags=self.tags.tags(),
            domain=int(self.domain.currentData()),
        )


class SettingsDialog(QDialog):
    """Study settings, and the exam-weighted policy with today's numbers (from `plan`)."""

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, plan: DailyPlan | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.plan = plan
        self.new_per_day = _spin(0, 9999, settings.new_per_day)
        self.reviews_per_day = _spin(0, 99999, settings.reviews_per_day)
        self.rollover = _spin(0, 23, settings.rollover_hour)
        self.rollover.setSuffix(":00 local time")
        self.retention = QDoubleSpinBox()
        self.retention.setRange(0.80, 0.97)
        self.retention.setSingleStep(0.01)
        self.retention.setValue(settings.base_retention)
        self.tilt = QDoubleSpinBox()
        self.tilt.setRange(0.0, 2.0)
        self.tilt.setSingleStep(0.25)
        self.tilt.setValue(settings.tilt)
        self.exam_target = named(QDoubleSpinBox(), "Recall aimed for on exam day")
        self.exam_target.setRange(0.80, 0.99)
        self.exam_target.setSingleStep(0.01)
        self.exam_target.setValue(settings.exam_target)
        self.theme = QComboBox()
        for label, key in (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark")):
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(self.theme.findData(settings.theme))
        self.not_booked = QCheckBox("Not booked yet")
        self.exam_date = named(QDateEdit(), "Exam date")
        self.exam_date.setCalendarPopup(True)
        self.exam_date.setDisplayFormat("yyyy-MM-dd")
        exam = QDate.fromString(settings.exam_date or "", "yyyy-MM-dd")
        self.not_booked.setChecked(not exam.isValid())
        self.exam_date.setDate(exam if exam.isValid() else QDate.currentDate().addDays(60))
        self.exam_date.setEnabled(exam.isValid())
        self.not_booked.toggled.connect(lambda on: self.exam_date.setEnabled(not on))
        self.per_domain = named(_policy_table(), "Exam-weighted policy by domain")
        self.policy_note = QLabel()
        self.policy_note.setWordWrap(True)
        self.retention.valueChanged.connect(self._show_retentions)
        self.tilt.valueChanged.connect(self._show_retentions)
        self._fill_policy()
        self._show_retentions()
        _fit_rows(self.per_domain)
        self.bury = QCheckBox("Once a card is answered, keep its note's other cards for tomorrow")
        self.bury.setChecked(self.settings.bury_new and self.settings.bury_reviews)
        exam_row = QHBoxLayout()
        exam_row.addWidget(self.exam_date, 1)
        exam_row.addWidget(self.not_booked)
        form = QFormLayout()
        form.addRow("Exam date", exam_row)
        form.addRow("New cards a day", self.new_per_day)
        form.addRow("Most reviews a day", self.reviews_per_day)
        form.addRow("A new study day starts at", self.rollover)
        form.addRow("Related cards", self.bury)
        form.addRow("Theme", self.theme)
        form.addRow(
            explanation(
                "Help › Welcome and daily plan turns minutes a day into these limits for you."
            )
        )
        self.advanced = self._advanced()
        buttons = ok_cancel(self)
        body = QVBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(form)
        body.addSpacing(8)
        body.addWidget(self.advanced)
        body.addStretch(1)
        box = QVBoxLayout(self)
        area = scrolled(body, "Settings")
        box.addWidget(area, 1)
        box.addWidget(buttons)
        content = area.widget()
        tall = content.sizeHint().height() if content is not None else 480
        keep_geometry(self, "settings", QSize(760, tall + buttons.sizeHint().height() + 40))

    def _advanced(self) -> Advanced:
        """Expert settings and the policy's numbers, folded away, each explained in a line."""
        adv = Advanced("Advanced: how the scheduler decides")
        adv.add_row(
            "Desired retention (base)",
            self.retention,
            "How likely you should still remember a card when it comes back. Higher means "
            "more reviews; 0.90 is FSRS's usual choice.",
        )
        adv.add_row(
            "Exam-value tilt",
            self.tilt,
            "0 is plain FSRS. Higher keeps cards of the domains worth more on the exam a little "
            "firmer; measured to earn nothing, so it is off.",
        )
        adv.add_row(
            "Recall aimed for on exam day",
            self.exam_target,
            "In the last weeks before your exam date, each card's final review is placed so "
            "that you still remember it on the day with at least this chance, within the "
            "daily limits. Used only when an exam date is set.",
        )
        adv.add_widget(QLabel("<b>Exam-weighted policy</b> (today's numbers)"))
        adv.add_widget(explanation("What each exam domain is worth and how today's plan uses it."))
        adv.add_widget(self.per_domain)
        adv.add_widget(self.policy_note)
        return adv

    def _ratio(self, domain_id: int) -> float:
        if self.plan is not None:
            return self.plan.ratios.get(domain_id, 1.0)
        return DOMAINS[domain_id - 1].weight * len(DOMAINS)  # equal-size domains assumed

    def _fill_policy(self) -> None:
        """Per domain: weight, cards, value per card, new cards planned before the exam."""
        plan = self.plan
        for row, d in enumerate(DOMAINS):
            active = plan.active.get(d.id, 0) if plan else None
            planned = plan.quotas.get(d.id, 0) if plan else None
            cells = (
                f"{d.id} {d.name}",
                f"{d.weight:.0%}",
                "—" if active is None else str(active),
                f"{self._ratio(d.id):.2f}×",
                "—" if planned is None else str(planned),
            )
            for col, text in enumerate(cells):
                self.per_domain.setItem(row, col, QTableWidgetItem(text))
        self.policy_note.setText(_policy_note(plan))

    def _show_retentions(self) -> None:
        base, tilt = self.retention.value(), self.tilt.value()
        paused = self.plan is not None and not self.plan.on_track
        for row, d in enumerate(DOMAINS):
            r = base if paused else value_retention(self._ratio(d.id), base, tilt)
            self.per_domain.setItem(row, 5, QTableWidgetItem(f"{r:.1%}"))

    def result_settings(self) -> Settings:
        return replace(
            self.settings,
            new_per_day=self.new_per_day.value(),
            reviews_per_day=self.reviews_per_day.value(),
            rollover_hour=self.rollover.value(),
            base_retention=round(self.retention.value(), 3),
            tilt=self.tilt.value(),
            exam_target=round(self.exam_target.value(), 3),
            theme=str(self.theme.currentData()),
            bury_new=self.bury.isChecked(),
            bury_reviews=self.bury.isChecked(),
            exam_date=None
            if self.not_booked.isChecked()
            else self.exam_date.date().toString("yyyy-MM-dd"),
        )


def _policy_table() -> QTableWidget:
    table = QTableWidget(len(DOMAINS), 6)
    table.setHorizontalHeaderLabels(
        [
            "CEHRS domain",
            "Exam weight",
            "Your cards",
            "Value per card",
            "New before exam",
            "Retention",
        ]
    )
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for col in range(1, 6):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fit_rows(table: QTableWidget) -> None:
    """Exactly as tall as its rows: no empty band under a short table."""
    table.resizeRowsToContents()
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(rows + table.horizontalHeader().height() + 2 * table.frameWidth())


def _policy_note(plan: DailyPlan | None) -> str:
    """How the policy spends today: value order, pace, tilt on or paused, exam cap."""
    text = (
        "Value per card = exam weight ÷ the domain's share of your cards (1.00× = average). "
        "New cards come most valuable first, interleaved across domains."
    )
    if plan is None:
        return text
    if plan.capacity is not None:
        text += (
            f" Planning with {count(plan.rate, 'new card')} a day, {plan.capacity} fit before "
            "the exam; "
            f"intervals end by exam day (at most {plan.policy.maximum_interval} days today)."
        )
    if not plan.on_track:
        text += " You are behind: the retention tilt is paused so time goes to new cards."
    if plan.pace is not None:
        text += f"<br>{plan.pace.message()} (goal: {LEAD_DAYS} days ahead)"
    return text


def _spin(lo: int, hi: int, value: int) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    return s


class SchedulingJobs(QObject):
    """Rescheduling and "Optimise my parameters" as operations on the database thread,
    behind a modal progress dialog with Cancel (answering meanwhile could be overwritten by
    the replay, so the window waits; cancelling writes nothing)."""

    sig_message = Signal(str)

    def __init__(self, scheduling: SchedulingService, runner: OpRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.scheduling = scheduling
        self.runner = runner
        self.parent_widget = parent
        self._job: Job | None = None
        self._progress: QProgressDialog | None = None

    def reschedule(self) -> None:
        """Replay every studied card's log under the current settings."""
        scheduling = self.scheduling
        self._run("Rescheduling cards…", scheduling.reschedule, self._on_rescheduled)

    def optimise(self) -> None:
        """Fit parameters to the review log; reschedule if the new ones were kept."""
        scheduling = self.scheduling
        self._run("Optimising your FSRS parameters…", scheduling.optimise, self._on_optimised)

    def _run(
        self,
        label: str,
        fn: Callable[[Progress], OpResult[T]],
        done: Callable[[T], object],
    ) -> None:
        dialog = self.progress_dialog(label)
        self._progress = dialog
        self._job = self.runner.op(
            fn,
            initiator=self,
            done=lambda value: self._finish_then(done, value),
            failed=self._on_failed,
            cancelled=self._on_cancelled,
            progress=self._on_job_progress,
        )
        dialog.show()

    def progress_dialog(self, label: str) -> QProgressDialog:
        dialog = QProgressDialog(label, "Cancel", 0, 0, self.parent_widget)
        dialog.setWindowTitle("CEHRS Cards")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self._on_dialog_canceled)
        return dialog

    def _on_job_progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done)

    def _on_dialog_canceled(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _finish_then(self, done: Callable[[T], object], value: T) -> None:
        self._finish()
        done(value)

    def _finish(self) -> None:
        if self._progress is not None:
            self._progress.canceled.disconnect(self._on_dialog_canceled)
            self._progress.close()
        self._progress, self._job = None, None

    def _on_rescheduled(self, report: RescheduleReport) -> None:
        self.sig_message.emit(f"Rescheduled {count(report.cards, 'card')} from their review log.")

    def _on_optimised(self, report: OptimiseReport) -> None:
        QMessageBox.information(self.parent_widget, "Optimise my parameters", _report(report))
        self.sig_message.emit(f"Kept the {report.kept} parameters.")

    def _on_cancelled(self) -> None:
        self._finish()
        self.sig_message.emit("Cancelled; nothing was changed.")

    def _on_failed(self, exc: Exception) -> None:
        self._finish()
        message(self.parent_widget, W, "CEHRS Cards", f"That did not work:\n{exc}")


W = QMessageBox.Icon.Warning


def _report(r: OptimiseReport) -> str:
    """Old vs new parameters scored on the same reviews, and the decision."""
    head = (
        f"{count(r.reviews, 'answer')} on {count(r.cards, 'card')} "
        f"({count(r.items, 'long-term review')}). Both sets are scored on "
        f"{count(r.held_out, 'review')} the new set was not fitted to."
    )
    if r.old_fit is None or r.new_fit is None:
        return f"{head}\n\nKept your current parameters: {r.reason}."
    return (
        f"{head}\n\n"
        f"              log loss   RMSE (bins)\n"
        f"current:   {r.old_fit.log_loss:.4f}     {r.old_fit.rmse_bins:.4f}\n"
        f"new:         {r.new_fit.log_loss:.4f}     {r.new_fit.rmse_bins:.4f}\n\n"
        + (
            "The new parameters predict reviews they were not fitted to better: saved, and "
            "your cards rescheduled with them."
            if r.kept == "new"
            else "The new parameters are not better on held-out reviews: your current ones "
            "are kept."
        )
        + "\nLog loss and RMSE (bins) measure how far the predicted chance of remembering is "
        "from what you did: lower is better (the same held-out reviews for both sets)."
    )
