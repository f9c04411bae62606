"""An "Advanced" section: expert settings and figures folded away under one button, each with a
one-line explanation in plain words, so everyday screens show only what a candidate needs."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from cehrs_cards.ui.theme import set_text_colour
from cehrs_cards.ui.window_state import fitted_size


def explanation(text: str) -> QLabel:
    """A muted, word-wrapped line under a setting."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("explanation")
    set_text_colour(label, "muted")  # the theme's muted text, again after a switch
    return label


class Advanced(QWidget):
    """A toggle ("Advanced ▸") over a form of rows, closed by default."""

    def __init__(self, title: str = "Advanced", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setText(title)
        self.toggle.setAccessibleName(title)
        # a framed button: the theme draws its focus ring on the panel (flat ones have none)
        bold = self.toggle.font()
        bold.setBold(True)
        self.toggle.setFont(bold)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(18, 0, 0, 0)
        self.body.setVisible(False)
        self.toggle.toggled.connect(self.set_open)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.body)

    def add_row(self, label: str, widget: QWidget, why: str) -> None:
        """A setting or figure, with its one-line explanation under it."""
        holder = QWidget()
        col = QVBoxLayout(holder)
        col.setContentsMargins(0, 0, 0, 4)
        col.setSpacing(2)
        col.addWidget(widget)
        col.addWidget(explanation(why))
        self.form.addRow(label, holder)

    def add_widget(self, widget: QWidget) -> None:
        """A whole-width part (a table, a note)."""
        self.form.addRow(widget)

    def set_open(self, on: bool) -> None:
        self.toggle.setChecked(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.body.setVisible(on)
        window = self.window()
        if isinstance(window, QDialog) and window.isVisible() and on:
            want = QSize(window.width(), max(window.height(), window.sizeHint().height()))
            window.resize(fitted_size(window, want))  # taller, never past the screen

    @property
    def is_open(self) -> bool:
        return self.toggle.isChecked()
