"""Small shared widget helpers."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox

Std = QDialogButtonBox.StandardButton


def ok_cancel(dialog: QDialog, ok: QDialogButtonBox.StandardButton = Std.Ok) -> QDialogButtonBox:
    """An OK (or Save...) and Cancel button row wired to the dialog's accept and reject."""
    buttons = QDialogButtonBox(ok | Std.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


ERROR_STYLE = "color: #d93025; font-weight: bold;"
"""Error text under a form (dialogs show what went wrong in place, never a traceback)."""
