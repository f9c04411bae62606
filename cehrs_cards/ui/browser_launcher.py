"""Opens the card browser and the Add note dialog for the main window (one of each)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

from cehrs_cards.services.container import Services
from cehrs_cards.ui.browser import BrowserWindow
from cehrs_cards.ui.browser_add import AddNoteDialog
from cehrs_cards.ui.ops import OpRunner


class BrowserLauncher(QObject):
    def __init__(self, services: Services, runner: OpRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.parent_window = parent
        self.services = services
        self.runner = runner
        self.window: BrowserWindow | None = None
        self.add_dialog: AddNoteDialog | None = None

    def open(self, card_id: int | None = None) -> BrowserWindow:
        """Show the browser (on `card_id` when given, e.g. the card under review)."""
        fresh = self.window is None
        if self.window is None:
            s = self.services
            self.window = BrowserWindow(s.browse, s.notes, s.cards, self.runner, self.parent_window)
            self.window.editor.media_dir = s.media_dir  # images in the card preview
            app = QApplication.instance()
            self.window.editor.set_dark(bool(app.property("cehrs_dark")) if app else False)
        if card_id is not None:
            self.window.search(f"cid:{card_id}", keep=[card_id])
        elif fresh:
            self.window.search("")
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def add_note(self, deck: str = "") -> AddNoteDialog:
        """Show the Add note dialog (kept open for several notes in a row)."""
        if self.add_dialog is None:
            decks = self.services.browse.sidebar().decks
            s = self.services
            self.add_dialog = AddNoteDialog(
                s.notes, self.runner, decks, deck, 0, self.parent_window
            )
            self.add_dialog.sig_added.connect(self._on_add_dialog_added)
        self.add_dialog.show()
        self.add_dialog.raise_()
        self.add_dialog.activateWindow()
        return self.add_dialog

    def _on_add_dialog_added(self, cards: list[int]) -> None:
        if self.window is not None and self.window.isVisible():
            self.window.search(keep=cards)
            self.window.refresh_sidebar()
