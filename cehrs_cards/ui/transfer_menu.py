"""File > Import… and File > Export…: pick a file, then run the dialog (wired from the window)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from cehrs_cards.services.collection import Collection
from cehrs_cards.services.transfer import TransferService
from cehrs_cards.ui.export_dialog import ExportDialog
from cehrs_cards.ui.import_dialog import ImportDialog

OPEN_FILTER = (
    "Decks (*.apkg *.colpkg *.csv *.tsv *.txt *.toml);;Anki packages (*.apkg *.colpkg);;"
    "Text (*.csv *.tsv *.txt);;CEHRS Cards decks (*.toml);;All files (*)"
)


def choose_and_import(
    parent: QWidget, col: Collection, on_done: Callable[[object], None]
) -> ImportDialog | None:
    """Ask for a file, then show the import dialog for it (modal)."""
    chosen, _ = QFileDialog.getOpenFileName(parent, "Import a deck", str(Path.home()), OPEN_FILTER)
    if not chosen:
        return None
    dialog = ImportDialog(TransferService(col), Path(chosen), parent)
    dialog.sig_imported.connect(on_done)
    dialog.exec()
    return dialog


def open_export(parent: QWidget, col: Collection) -> ExportDialog:
    dialog = ExportDialog(TransferService(col), Path.home(), parent)
    dialog.exec()
    return dialog
