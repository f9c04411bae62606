"""Edit the domain rules that propose a CEHRS domain for imported decks and tags."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
from cehrs_cards.ui.widgets import ERROR_STYLE, ok_cancel

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
        self.editor = QPlainTextEdit(service.rules_text())
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        buttons = ok_cancel(self, QDialogButtonBox.StandardButton.Save)
        box = QVBoxLayout(self)
        for w in (help_label, self.editor, self.error, buttons):
            box.addWidget(w)
        self.resize(720, 380)

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
