"""Restore from backup: pick one of the rotating backups; the current file is kept aside."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.services.backup import Backup
from cehrs_cards.ui.widgets import named
from cehrs_cards.ui.window_state import keep_geometry


class RestoreDialog(QDialog):
    def __init__(self, backups: list[Backup], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.list = named(QListWidget(), "Backups, newest first")
        for b in backups:
            local = b.taken.astimezone().strftime("%a %d %b %Y, %H:%M")
            item = QListWidgetItem(f"{local}    ({b.reason.replace('-', ' ') or 'backup'})")
            item.setData(Qt.ItemDataRole.UserRole, b)
            self.list.addItem(item)
        if backups:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        text = (
            "Choose a backup to restore. The collection as it is now is kept beside it "
            "(collection-replaced-….sqlite), so nothing is lost."
            if backups
            else "There are no backups yet. One is taken when you close the app, every 30 "
            "minutes of use, and before every import and upgrade."
        )
        label = QLabel(text)
        label.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        restore = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if restore is not None:
            restore.setText("Restore")
            restore.setEnabled(bool(backups))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(label)
        box.addWidget(self.list, 1)
        box.addWidget(buttons)
        keep_geometry(self, "restore", QSize(500, 380))

    def chosen(self) -> Backup | None:
        item = self.list.currentItem()
        chosen = item.data(Qt.ItemDataRole.UserRole) if item else None
        return chosen if isinstance(chosen, Backup) else None
