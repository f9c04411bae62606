"""Small dialogs: edit a note, and the study settings."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.domains import DOMAINS, UNASSIGNED, domain_name
from cehrs_cards.core.scheduling import domain_retention
from cehrs_cards.db.settings import Settings
from cehrs_cards.services.notes import NoteEdit


def domain_combo(current: int) -> QComboBox:
    combo = QComboBox()
    for dom in (*(d.id for d in DOMAINS), UNASSIGNED):
        combo.addItem(f"{dom} {domain_name(dom)}" if dom else domain_name(dom), dom)
    combo.setCurrentIndex(combo.findData(current))
    return combo


class EditNoteDialog(QDialog):
    """Edit a note's fields (HTML allowed, sanitised on save), tags and domain."""

    def __init__(self, note: NoteEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit note · {note.notetype}")
        self.note = note
        self.editors: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        for name, value in note.fields.items():
            ed = QPlainTextEdit(value)
            ed.setTabChangesFocus(True)
            ed.setMinimumHeight(48 if len(value) < 120 else 96)
            self.editors[name] = ed
            form.addRow(name, ed)
        self.tags = QLineEdit(" ".join(note.tags))
        self.tags.setPlaceholderText("space-separated tags")
        form.addRow("Tags", self.tags)
        self.domain = domain_combo(note.domain)
        form.addRow("Domain", self.domain)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(QLabel("Ctrl+Enter saves · Esc cancels · changes can be undone with Ctrl+Z"))
        box.addWidget(buttons)
        self.resize(640, 520)

    def keyPressEvent(self, event):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.accept()
            return
        super().keyPressEvent(event)

    def result_note(self) -> NoteEdit:
        return replace(
            self.note,
            fields={k: e.toPlainText() for k, e in self.editors.items()},
            tags=self.tags.text().split(),
            domain=int(self.domain.currentData()),
        )


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
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
        self.theme = QComboBox()
        for label, key in (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark")):
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(self.theme.findData(settings.theme))
        self.per_domain = QLabel()
        self.retention.valueChanged.connect(self._show_retentions)
        self.tilt.valueChanged.connect(self._show_retentions)
        self._show_retentions()
        form = QFormLayout()
        form.addRow("New cards per day", self.new_per_day)
        form.addRow("Maximum reviews per day", self.reviews_per_day)
        form.addRow("Next day starts at", self.rollover)
        form.addRow("Desired retention (base)", self.retention)
        form.addRow("Exam-weight tilt (0 = plain FSRS)", self.tilt)
        form.addRow("Retention by domain", self.per_domain)
        form.addRow("Theme", self.theme)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(buttons)

    def _show_retentions(self) -> None:
        base, tilt = self.retention.value(), self.tilt.value()
        lines = [
            f"{d.id} {d.name} ({d.weight:.0%}): {domain_retention(d.id, base, tilt):.1%}"
            for d in DOMAINS
        ]
        self.per_domain.setText("<br>".join(lines))

    def result_settings(self) -> Settings:
        return replace(
            self.settings,
            new_per_day=self.new_per_day.value(),
            reviews_per_day=self.reviews_per_day.value(),
            rollover_hour=self.rollover.value(),
            base_retention=round(self.retention.value(), 3),
            tilt=self.tilt.value(),
            theme=str(self.theme.currentData()),
        )


def _spin(lo: int, hi: int, value: int) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    return s
