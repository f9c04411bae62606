"""Edit the domain rules that propose a CEHRS domain for imported decks and tags."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.services.transfer import TransferService
from cehrs_cards.ui.ops import OpRunner
from cehrs_cards.ui.theme import set_text_colour
from cehrs_cards.ui.widgets import confirm_discard, named, ok_cancel
from cehrs_cards.ui.window_state import keep_geometry

HELP = (
    "One rule per line: <b>DOMAIN WHERE PATTERN</b>. DOMAIN is 1-5, WHERE is <i>any</i>, "
    "<i>deck</i> or <i>tag</i>, PATTERN is a case-insensitive regular expression. The first "
    "matching rule wins: tags first, then deck names (deepest level first). A note's own "
    "cehrs::domain::N tag always wins. Empty the list to go back to the defaults."
)


class RulesDialog(QDialog):
    def __init__(
        self, service: TransferService, runner: OpRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.setWindowTitle("Domain rules for imports")
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        self.original = service.rules_text()
        self.editor = named(QPlainTextEdit(self.original), "Domain rules, one per line")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        set_text_colour(self.error, "error", bold=True)
        self.error.hide()
        buttons = ok_cancel(self, QDialogButtonBox.StandardButton.Save)
        hint = QLabel("Ctrl+Enter saves · Esc cancels")
        box = QVBoxLayout(self)
        box.addWidget(help_label)
        box.addWidget(self.editor, 1)
        for w in (self.error, hint, buttons):
            box.addWidget(w)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        if save is not None:
            save.setShortcut("Ctrl+Return")
        keep_geometry(self, "import-rules", QSize(720, 420))

    def reject(self) -> None:
        """Esc or Cancel: edited rules are only thrown away if the user says so."""
        if self.editor.toPlainText() != self.original and not confirm_discard(
            self, "the changes to the rules"
        ):
            return
        super().reject()

    def accept(self) -> None:
        """Saved on the database thread; the dialog closes once the rules are stored, or says
        which line is wrong and stays open."""
        text, service = self.editor.toPlainText(), self.service
        self.runner.op(
            lambda _p: service.save_rules_text(text),
            initiator=self,
            done=lambda _none: super(RulesDialog, self).accept(),
            failed=self._on_failed,
        )

    def _on_failed(self, exc: Exception) -> None:
        self.error.setText(str(exc))
        self.error.show()
