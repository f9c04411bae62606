"""After the exam date: how did the exam go? Asked once (services/outcome.py keeps the answer
beside the estimate of that morning; nothing leaves the computer)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, QSize
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.services.outcome import SCALED_RANGE, OutcomeService
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.safe_html import message
from cehrs_cards.ui.window_state import keep_geometry

UNKNOWN = SCALED_RANGE[0] - 1
"""The spin box's value for "not known" (shown as such)."""


class OutcomeDialog(QDialog):
    """Passed or failed, and the scaled score if known; or rather not say (not asked again)."""

    def __init__(self, exam: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.exam = exam
        self.setWindowTitle("How did your exam go? · CEHRS Cards")
        intro = QLabel(
            f"Your exam date, {exam:%A %d %B %Y}, has passed. If you tell the app how it went, "
            "it keeps the result beside the estimate it would have shown that morning, so "
            "the statistics can show how close the estimate was. It stays in your collection "
            "on this computer; nothing is sent anywhere. You will be asked only once."
        )
        intro.setWordWrap(True)
        self.passed = QRadioButton("&Passed")
        self.failed = QRadioButton("&Failed")
        self.group = QButtonGroup(self)
        for b in (self.passed, self.failed):
            self.group.addButton(b)
        self.scaled = QSpinBox()
        self.scaled.setRange(UNKNOWN, SCALED_RANGE[1])
        self.scaled.setValue(UNKNOWN)
        self.scaled.setSpecialValueText("not known")
        self.scaled.setAccessibleName("Scaled score")
        form = QFormLayout()
        form.addRow("Result", self.passed)
        form.addRow("", self.failed)
        form.addRow("&Scaled score (200-500)", self.scaled)
        buttons = QDialogButtonBox()
        self.save = buttons.addButton("Save result", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip = buttons.addButton("Rather not say", QDialogButtonBox.ButtonRole.RejectRole)
        self.save.setEnabled(False)
        self.group.buttonToggled.connect(lambda *_: self.save.setEnabled(True))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(buttons)
        keep_geometry(self, "exam-outcome", QSize(520, 300))

    def result_given(self) -> tuple[bool | None, int | None]:
        """(passed, scaled) as entered; (None, None) when the candidate would rather not say."""
        if self.result() != QDialog.DialogCode.Accepted:
            return None, None
        scaled = None if self.scaled.value() == UNKNOWN else self.scaled.value()
        return self.passed.isChecked(), scaled


class OutcomeAsker(QObject):
    """On start: if the exam date has passed and was not asked about, ask (once)."""

    def __init__(self, outcome: OutcomeService, runner: OpRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.outcome, self.runner, self.window = outcome, runner, parent
        self.dialog: OutcomeDialog | None = None

    def check(self) -> None:
        self.runner.query(lambda _p: self.outcome.pending(), self._on_pending)

    def _on_pending(self, exam: date | None) -> None:
        if exam is None or self.dialog is not None:
            return
        self.dialog = OutcomeDialog(exam, self.window)
        self.dialog.finished.connect(self._on_finished)
        self.dialog.open()

    def _on_finished(self, _code: int) -> None:
        dialog = self.dialog
        assert dialog is not None
        passed, scaled = dialog.result_given()
        exam = dialog.exam
        self.dialog = None
        dialog.deleteLater()
        self.runner.op(
            lambda _p: self.outcome.record(exam, passed, scaled),
            initiator=self,
            failed=self._on_failed,
        )

    def _on_failed(self, exc: Exception) -> None:
        message(self.window, QMessageBox.Icon.Warning, "CEHRS Cards", str(exc))
        self.check()  # not stored: ask again
