"""Export a deck or the whole collection to .apkg (with media), CSV/TSV or our TOML format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.services.transfer import TransferService
from cehrs_cards.ui.import_dialog import ERROR_STYLE
from cehrs_cards.ui.worker import Worker, start

FORMATS = (
    ("Anki package (.apkg) with media: opens in Anki", ".apkg"),
    ("Anki text / CSV (.txt, tab-separated)", ".txt"),
    ("CEHRS Cards deck (.toml), editable by hand", ".toml"),
)
WHOLE = "Whole collection"


class ExportDialog(QDialog):
    sig_exported = Signal(object)  # the ExportResult

    def __init__(
        self, service: TransferService, folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.job: Worker | None = None
        self.setWindowTitle("Export")
        self.deck = QComboBox()
        self.deck.addItems([WHOLE, *service.deck_names()])
        self.format = QComboBox()
        for label, suffix in FORMATS:
            self.format.addItem(label, suffix)
        self.path = QLineEdit(str(folder / "cehrs-cards.apkg"))
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Deck", self.deck)
        form.addRow("&Format", self.format)
        save_label = QLabel("&Save as")
        save_label.setBuddy(self.path)
        form.addRow(save_label, row)
        self.status = QLabel("Domains, task areas and difficulty travel as cehrs:: tags.")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # file names and messages
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.close_button.clicked.connect(self.reject)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.deck.currentTextChanged.connect(lambda _t: self._on_format_changed(0))
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.status)
        box.addWidget(self.progress)
        box.addWidget(self.buttons)
        self.resize(620, 230)

    def _on_format_changed(self, _index: int) -> None:
        path = Path(self.path.text() or "cehrs-cards.apkg")
        deck = self.deck.currentText()
        stem = path.stem if deck == WHOLE else deck.replace("::", "-").replace(" ", "-").lower()
        self.path.setText(str(path.with_name(stem + str(self.format.currentData()))))

    def _on_browse_clicked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export to", self.path.text(), "Decks (*.apkg *.txt *.csv *.tsv *.toml)"
        )
        if chosen:
            self.path.setText(chosen)

    def target(self) -> tuple[Path, str | None]:
        deck = self.deck.currentText()
        return Path(self.path.text()).expanduser(), None if deck == WHOLE else deck

    def _on_export_clicked(self) -> None:
        if self.job is not None:
            return
        path, deck = self.target()
        self.export_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setStyleSheet("")
        self.status.setText(f"Writing {path.name}…")
        job = Worker(lambda progress: self.service.run_export(path, deck, progress))
        job.signals.sig_done.connect(self._on_job_done)
        job.signals.sig_error.connect(self._on_job_error)
        self.job = start(job)

    def _on_job_done(self, result: Any) -> None:
        self.job = None
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        skipped = f", {len(result.skipped)} skipped (no TOML form)" if result.skipped else ""
        self.status.setText(
            f"Saved {result.path.name}: {result.notes:,} notes, {result.cards:,} cards, "
            f"{result.media:,} media files{skipped}."
        )
        self.export_button.setEnabled(True)
        self.close_button.setFocus()
        self.sig_exported.emit(result)

    def _on_job_error(self, message: str) -> None:
        self.job = None
        self.progress.hide()
        head, sep, rest = message.partition(": ")
        self.status.setText(f"Not exported. {rest if sep and ' ' not in head else message}")
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button.setEnabled(True)

    def reject(self) -> None:
        if self.job is None:
            super().reject()
