"""File > Import… and File > Export…: pick a file, then run the dialog (wired from the window)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from cehrs_cards.services.transfer import TransferService
from cehrs_cards.ui.export_dialog import ExportDialog
from cehrs_cards.ui.import_dialog import ImportDialog
from cehrs_cards.ui.ops import OpRunner

OPEN_FILTER = (
    "Decks (*.apkg *.colpkg *.csv *.tsv *.txt *.toml);;Anki packages (*.apkg *.colpkg);;"
    "Text (*.csv *.tsv *.txt);;CEHRS Cards decks (*.toml);;All files (*)"
)


def choose_and_import(
    parent: QWidget, service: TransferService, runner: OpRunner
) -> ImportDialog | None:
    """Ask for a file, then show the import dialog for it (modal). Views learn what the
    import changed from the runner."""
    chosen, _ = QFileDialog.getOpenFileName(parent, "Import a deck", str(Path.home()), OPEN_FILTER)
    if not chosen:
        return None
    dialog = ImportDialog(service, runner, Path(chosen), parent)
    dialog.exec()
    return dialog


def open_export(parent: QWidget, service: TransferService, runner: OpRunner) -> ExportDialog:
    dialog = ExportDialog(service, runner, Path.home(), parent)
    dialog.exec()
    return dialog
