"""Small dialogs of the browser: ask one value (deck, domain, due date, tags, a name), and
find and replace. Enter accepts, Esc cancels (asking first when text was typed)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.ui.browser_editor import deck_box, domain_box
from cehrs_cards.ui.widgets import bounded, confirm_discard, ok_cancel


class AskDialog(QDialog):
    """One labelled input with a hint; value() reads it back."""

    def __init__(
        self, title: str, label: str, field: QWidget, hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.field = field
        form = QFormLayout()
        form.addRow(label, field)
        buttons = ok_cancel(self)
        box = QVBoxLayout(self)
        box.addLayout(form)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            box.addWidget(note)
        box.addWidget(buttons)
        self.setMinimumWidth(min(420, self.screen().availableGeometry().width() - 40))
        field.setFocus()
        self.initial = self.value()

    def reject(self) -> None:
        """Esc or Cancel: typed text is only thrown away if the user says so."""
        typed = isinstance(self.field, QLineEdit) or (
            isinstance(self.field, QComboBox) and self.field.isEditable()
        )
        if typed and self.value() != self.initial and not confirm_discard(self, "what you typed"):
            return
        super().reject()

    def value(self) -> str | int:
        if isinstance(self.field, QComboBox):
            data = self.field.currentData()
            return (
                int(data)
                if data is not None and not self.field.isEditable()
                else self.field.currentText()
            )
        assert isinstance(self.field, QLineEdit)
        return self.field.text()


def ask_deck(decks: list[str], current: str, count: int, parent: QWidget) -> AskDialog:
    return AskDialog(
        "Change deck",
        "Deck",
        deck_box(decks, current),
        f"Move {count} card{'s' * (count != 1)}. Type a new name to create a deck "
        "(Parent::Child makes a subdeck).",
        parent,
    )


def ask_domain(current: int, count: int, parent: QWidget) -> AskDialog:
    return AskDialog(
        "Change domain",
        "CEHRS domain",
        domain_box(current),
        f"Applies to every card of the notes of the {count} selected card{'s' * (count != 1)}. "
        "Alt+1 to Alt+5 (Alt+0: unassigned) do this without asking.",
        parent,
    )


def ask_due(count: int, parent: QWidget) -> AskDialog:
    edit = QLineEdit()
    edit.setPlaceholderText("0 = today, 1 = tomorrow, 3-7 = a random day in that range")
    return AskDialog(
        "Set due date",
        "Due in (days)",
        edit,
        f"{count} card{'s' * (count != 1)} selected. New cards stay in the new queue: they have "
        "no memory state yet to schedule from.",
        parent,
    )


def ask_text(title: str, label: str, hint: str, parent: QWidget, text: str = "") -> AskDialog:
    edit = QLineEdit(text)
    return AskDialog(title, label, edit, hint, parent)


@dataclass(frozen=True)
class Replace:
    find: str
    replace: str
    field: str | None
    selected_only: bool
    regex: bool
    ignore_case: bool


class FindReplaceDialog(QDialog):
    def __init__(self, fields: list[str], selected: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find and replace")
        self.find_text = QLineEdit()
        self.replace = QLineEdit()
        self.field = bounded(QComboBox())
        self.field.addItem("All fields", None)
        for name in fields:
            self.field.addItem(name, name.lower())
        self.selected_only = QCheckBox(f"Only the {selected} selected card{'s' * (selected != 1)}")
        self.selected_only.setChecked(selected > 0)
        self.selected_only.setEnabled(selected > 0)
        self.regex = QCheckBox("Regular expression (\\1 in the replacement refers to a group)")
        self.ignore_case = QCheckBox("Ignore case")
        self.ignore_case.setChecked(True)
        form = QFormLayout()
        form.addRow("Find", self.find_text)
        form.addRow("Replace with", self.replace)
        form.addRow("In", self.field)
        buttons = ok_cancel(self)
        box = QVBoxLayout(self)
        box.addLayout(form)
        for w in (self.selected_only, self.regex, self.ignore_case):
            box.addWidget(w)
        note = QLabel("Changes every matching note at once; Ctrl+Z undoes it.")
        note.setWordWrap(True)
        box.addWidget(note)
        box.addWidget(buttons)
        self.setMinimumWidth(min(460, self.screen().availableGeometry().width() - 40))

    def reject(self) -> None:
        """Esc or Cancel: typed text is only thrown away if the user says so."""
        typed = self.find_text.text() or self.replace.text()
        if typed and not confirm_discard(self, "the search and replacement you typed"):
            return
        super().reject()

    def result_replace(self) -> Replace:
        data = self.field.currentData()
        return Replace(
            self.find_text.text(),
            self.replace.text(),
            str(data) if data else None,
            self.selected_only.isChecked(),
            self.regex.isChecked(),
            self.ignore_case.isChecked(),
        )
