"""Export a deck or the whole collection to .apkg (with media), CSV/TSV or our TOML format.

Enter exports (Browse… is never the default button); an existing file is replaced only after
"Replace NAME?" is answered yes (the default answer is Cancel), however the name was chosen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.services.transfer import TransferService
from cehrs_cards.ui.ops import Job, OpRunner
from cehrs_cards.ui.theme import set_text_colour
from cehrs_cards.ui.widgets import bounded, make_default
from cehrs_cards.ui.window_state import keep_geometry

FORMATS = (
    ("Anki package (.apkg) with media: opens in Anki", ".apkg"),
    ("Anki text / CSV (.txt, tab-separated)", ".txt"),
    ("CEHRS Cards deck (.toml), editable by hand", ".toml"),
)
WHOLE = "Whole collection"
TAGS_NOTE = "Domains, task areas and difficulty travel as cehrs:: tags."
SCHEDULING_NOTE = " In Anki, tick \u201cImport any learning progress\u201d to keep the scheduling."


class ExportDialog(QDialog):
    sig_exported = Signal(object)  # the ExportResult

    def __init__(
        self,
        service: TransferService,
        runner: OpRunner,
        folder: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.job: Job | None = None
        self.setWindowTitle("Export")
        self.deck = bounded(QComboBox())
        self.deck.addItems([WHOLE, *service.deck_names()])
        self.format = QComboBox()
        for label, suffix in FORMATS:
            self.format.addItem(label, suffix)
        self.path = QLineEdit(str(folder / "cehrs-cards.apkg"))
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAutoDefault(False)  # Enter exports, whichever widget has focus
        self.browse_button.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        self.scheduling = QCheckBox("Include &scheduling and review history")
        self.scheduling.setToolTip(
            "Due dates, intervals, memory state, suspended and flagged cards and every answer "
            "go into the .apkg, as Anki's \u201cinclude scheduling information\u201d does."
        )
        self.scheduling.setChecked(True)
        form = QFormLayout()
        form.addRow("&Deck", self.deck)
        form.addRow("&Format", self.format)
        save_label = QLabel("&Save as")
        save_label.setBuddy(self.path)
        form.addRow(save_label, row)
        form.addRow("", self.scheduling)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # file and deck names are not HTML
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.confirm_box: QMessageBox | None = None
        self.export_button.clicked.connect(self._on_export_clicked)
        self.close_button.clicked.connect(self.reject)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.deck.currentTextChanged.connect(self._on_deck_changed)
        self.scheduling.toggled.connect(lambda _on: self._show_note())
        self.path.textChanged.connect(self._on_path_changed)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.status)
        box.addWidget(self.progress)
        box.addWidget(QLabel("Enter exports · Esc closes"))
        box.addWidget(self.buttons)
        make_default(self.export_button)  # Enter exports, whichever widget has the focus
        self._show_note()
        keep_geometry(self, "export", QSize(640, 280))

    def _on_format_changed(self, _index: int) -> None:
        path = Path(self.path.text() or "cehrs-cards.apkg")
        deck = self.deck.currentText()
        stem = path.stem if deck == WHOLE else deck.replace("::", "-").replace(" ", "-").lower()
        self.path.setText(str(path.with_name(stem + str(self.format.currentData()))))

    def _on_path_changed(self, text: str) -> None:
        """Only an .apkg carries scheduling, whichever way its name was given."""
        self.scheduling.setEnabled(Path(text).suffix.lower() == ".apkg")
        self._show_note()

    def _on_deck_changed(self, deck: str) -> None:
        """Scheduling goes with a whole collection by default, as in Anki; not with one deck."""
        self.scheduling.setChecked(deck == WHOLE)
        self._on_format_changed(0)

    def _show_note(self) -> None:
        set_text_colour(self.status, None)
        self.status.setText(TAGS_NOTE + (SCHEDULING_NOTE if self._with_scheduling() else ""))

    def _with_scheduling(self) -> bool:
        return self.scheduling.isEnabled() and self.scheduling.isChecked()

    def _on_browse_clicked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            "Export to",
            self.path.text(),
            "Decks (*.apkg *.txt *.csv *.tsv *.toml)",
            options=QFileDialog.Option.DontConfirmOverwrite,  # Export asks, once, for both ways
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
        replace = path.exists() or path.is_symlink()
        if replace and not self._confirm_replace(path):
            return
        scheduling = self._with_scheduling()
        self.export_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        set_text_colour(self.status, None)
        self.status.setText(f"Writing {path.name}…")
        service = self.service
        self.job = self.runner.query(
            lambda progress: service.run_export(
                path, deck, progress, scheduling=scheduling, overwrite=replace
            ),
            self._on_job_done,
            failed=self._on_job_error,
            long=True,  # a big export reads for a while: answers must not wait behind it
        )

    def _confirm_replace(self, path: Path) -> bool:
        """Ask "Replace NAME?"; Enter and Escape keep the file (Cancel is the default)."""
        box, replace = replace_box(path, self)
        self.confirm_box = box
        try:
            box.exec()
            return box.clickedButton() is replace
        finally:
            self.confirm_box = None
            box.deleteLater()

    def _on_job_done(self, result: Any) -> None:
        self.job = None
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        parts = [_count(result.notes, "note"), _count(result.cards, "card")]
        parts.append(_count(result.media, "media file"))
        if result.reviews is not None:
            parts.append(_count(result.reviews, "answer"))
        if result.skipped:
            parts.append(f"{len(result.skipped):,} skipped (no TOML form)")
        self.status.setText(f"Saved {result.path.name}: {', '.join(parts)}.")
        self.export_button.setEnabled(True)
        self.close_button.setFocus()
        self.sig_exported.emit(result)

    def _on_job_error(self, exc: Exception) -> None:
        self.job = None
        self.progress.hide()
        self.status.setText(f"Not exported. {exc}")
        set_text_colour(self.status, "error", bold=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button.setEnabled(True)

    def reject(self) -> None:
        if self.job is None:
            super().reject()


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def replace_box(path: Path, parent: QWidget) -> tuple[QMessageBox, QPushButton]:
    """ "Replace NAME?" with Replace and Cancel; Cancel is the default and Esc's button."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Replace file?",
        f"Replace {path.name}?",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)  # a file name is never markup
    box.setInformativeText(
        "A file of that name is already there. Replacing it overwrites what it holds "
        "(the old file stays as it is until the new one is complete)."
    )
    replace = box.addButton("&Replace", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box, replace
