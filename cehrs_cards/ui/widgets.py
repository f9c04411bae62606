"""Small shared widget helpers: button rows, default buttons, names for assistive technology,
scrolling bodies, note field and tag editors, and the question before typed input is thrown
away."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.ui.safe_html import has_long_run, shortened, tip
from cehrs_cards.ui.window_state import keep_geometry

Std = QDialogButtonBox.StandardButton
W = TypeVar("W", bound=QWidget)


def ok_cancel(dialog: QDialog, ok: QDialogButtonBox.StandardButton = Std.Ok) -> QDialogButtonBox:
    """An OK (or Save...) and Cancel button row wired to the dialog's accept and reject."""
    buttons = QDialogButtonBox(ok | Std.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def make_default(button: QPushButton) -> QPushButton:
    """Make `button` what Enter presses in its dialog. Call it once the button is inside the
    dialog: QPushButton.setDefault before that marks the button but not the dialog, and the
    first button to take the focus then becomes the default instead."""
    assert button.window() is not button, "the button must be inside its dialog already"
    button.setDefault(False)
    button.setDefault(True)
    return button


def named(widget: W, name: str, description: str = "") -> W:
    """Give a widget the name (and description) screen readers announce."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


class FieldEdit(QPlainTextEdit):
    """An editor for one note field: Tab moves on, named for screen readers.

    value() is the field as loaded while its text is untouched: Qt's editor shows "\r\n",
    "\r", U+2028 and U+2029 as a plain line break and drops a byte-order mark, so reading the
    text back would change a note nobody edited (and the browser saves a changed note when
    the user moves on). A value holding a long run without a space (safe_html.LONG_RUN)
    wraps anywhere, not at word boundaries: Qt breaks such a run in time that grows with the
    square of its length (a 900,000-letter field: minutes, against half a second).
    """

    def __init__(self, value: str, name: str) -> None:
        super().__init__()
        if has_long_run(value):
            self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.setPlainText(value)
        self.setTabChangesFocus(True)
        self.setAccessibleName(name)
        self._value, self._shown = value, self.toPlainText()

    def value(self) -> str:
        text = self.toPlainText()
        return self._value if text == self._shown else text


class TagsEdit(QLineEdit):
    """A line for a note's space-separated tags. It holds any length (a QLineEdit keeps only
    32,767 characters unless told otherwise: a stranger's note with more tag text lost the
    rest as soon as the browser's editor, seeing the line differ, saved it), and tags()
    gives the tags as loaded while the line is untouched."""

    def __init__(self, placeholder: str = "space-separated tags") -> None:
        super().__init__()
        self.setMaxLength(2**31 - 1)
        self.setPlaceholderText(placeholder)
        self._tags: list[str] = []
        self._shown = ""

    def load(self, tags: list[str]) -> None:
        self.setText(" ".join(tags))
        self._tags, self._shown = list(tags), self.text()

    def tags(self) -> list[str]:
        return list(self._tags) if self.text() == self._shown else self.text().split()


def name_label(name: str, limit: int = 30) -> QLabel:
    """A label naming a field (or note type) from a deck: plain text, shortened past `limit`
    characters with the whole name in its tooltip, so a stranger's long name cannot widen
    the form it heads."""
    label = QLabel(shortened(name, limit))
    label.setTextFormat(Qt.TextFormat.PlainText)
    if len(name) > limit:
        label.setToolTip(tip(name))
    return label


def bounded(combo: QComboBox, chars: int = 30) -> QComboBox:
    """A chooser as wide as `chars` characters whatever it lists: by default a QComboBox is as
    wide as its longest item, and a stranger's deck name (up to 1,000 characters) made a
    dialog several screens wide. The open list still shows each item whole."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


def scrolled(content: QWidget | QLayout, name: str = "") -> QScrollArea:
    """`content` in a frameless vertical scroll area: a dialog's body that may be taller than
    a small screen, with the dialog's buttons kept outside it (always visible)."""
    if isinstance(content, QLayout):
        holder = QWidget()
        holder.setLayout(content)
        content = holder
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if name:
        area.setAccessibleName(name)
    return area


def wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def confirm_discard(parent: QWidget, what: str) -> bool:
    """Ask before throwing typed input away; Enter and Esc keep it (the safe choice)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Discard?",
        f"Discard {what}?",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText("What you typed is lost. Keep editing to go back to it.")
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


class TextDialog(QDialog):
    """A page of read-only text (keyboard shortcuts, search syntax) that scrolls on a small
    screen; Enter and Esc close it."""

    def __init__(self, title: str, html: str, parent: QWidget, size: QSize) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = named(QTextBrowser(), title)
        self.text.setOpenLinks(False)
        self.text.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.text, 1)
        box.addWidget(buttons)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            make_default(close)
        keep_geometry(self, title.lower().replace(" ", "-"), size)
