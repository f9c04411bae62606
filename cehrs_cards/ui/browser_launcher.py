"""Opens the card browser and the Add note dialog for the main window (one of each), and tells
it when cards changed so the deck list and the card under review can refresh."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from cehrs_cards.services.browse import BrowseService
from cehrs_cards.services.browse_edit import BrowseEditService
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.undo import UndoStack
from cehrs_cards.ui.browser import BrowserWindow
from cehrs_cards.ui.browser_add import AddNoteDialog


class BrowserLauncher(QObject):
    sig_changed = Signal()

    def __init__(self, col: Collection, undo: UndoStack, parent: QWidget) -> None:
        super().__init__(parent)
        self.parent_window = parent
        self.browse = BrowseService(col)
        self.edit = BrowseEditService(col, undo)
        self.undo_stack = undo
        self.window: BrowserWindow | None = None
        self.add_dialog: AddNoteDialog | None = None

    def open(self, card_id: int | None = None) -> BrowserWindow:
        """Show the browser (on `card_id` when given, e.g. the card under review)."""
        fresh = self.window is None
        if self.window is None:
            self.window = BrowserWindow(self.browse, self.edit, self.undo_stack, self.parent_window)
            self.window.sig_changed.connect(self.sig_changed.emit)
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
            decks = self.browse.sidebar().decks
            self.add_dialog = AddNoteDialog(self.edit, decks, deck, 0, self.parent_window)
            self.add_dialog.sig_added.connect(self._on_add_dialog_added)
        self.add_dialog.show()
        self.add_dialog.raise_()
        self.add_dialog.activateWindow()
        return self.add_dialog

    def _on_add_dialog_added(self, cards: list[int]) -> None:
        if self.window is not None and self.window.isVisible():
            self.window.search(keep=cards)
            self.window.refresh_sidebar()
        self.sig_changed.emit()

    def studyable(self, card_id: int) -> bool:
        """The card still exists and is neither suspended nor buried (after browser edits)."""
        rows = self.browse.rows([card_id])
        return bool(rows) and not rows[0].suspended and not rows[0].buried
