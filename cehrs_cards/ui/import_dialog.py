"""Import a deck file: preview (decks, counts, proposed domains, editable), then import off the
UI thread with a progress bar and Cancel, then a summary. Errors are shown in the dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards.core.ops import Cancelled, Progress
from cehrs_cards.services.records import ColumnMapping
from cehrs_cards.services.transfer import (
    TEXT_SUFFIXES,
    ImportOptions,
    ImportPreview,
    ImportResult,
    TextLayout,
    TransferService,
)
from cehrs_cards.ui.column_mapping import ColumnMappingPanel
from cehrs_cards.ui.dialogs import domain_combo
from cehrs_cards.ui.ops import Job, OpRunner
from cehrs_cards.ui.safe_html import esc
from cehrs_cards.ui.theme import set_text_colour
from cehrs_cards.ui.widgets import make_default, named
from cehrs_cards.ui.window_state import keep_geometry

T = TypeVar("T")


class ImportDialog(QDialog):
    sig_imported = Signal(object)  # the ImportResult, after a successful import

    def __init__(
        self,
        service: TransferService,
        runner: OpRunner,
        path: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.path = path
        self.preview: ImportPreview | None = None
        self.mapping: ColumnMapping | None = None
        self.job: Job | None = None
        self.importing = False
        self.setWindowTitle(f"Import · {path.name}")
        self._build()
        keep_geometry(self, "import", QSize(780, 580))
        if path.suffix.lower() in TEXT_SUFFIXES:
            self._run(lambda _p: service.text_layout(path), self._on_layout_done)
        else:
            self._start_preview()

    # ----- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel(f"<b>{esc(self.path.name)}</b><br>Reading the file…")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages name the package's content
        self.error.setWordWrap(True)
        set_text_colour(self.error, "error", bold=True)
        self.error.hide()
        self.mapping_box = QVBoxLayout()
        self.table = named(QTableWidget(0, 5), "Decks in the file", "Choose each deck's domain")
        self.table.setHorizontalHeaderLabels(["Deck", "Notes", "Cards", "Domain", "Why"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in (0, 1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.scheduling = QCheckBox("Bring Anki's review history in (cards keep their progress)")
        self.scheduling.hide()
        self.progress = QProgressBar()
        self.progress.hide()
        self.summary = named(QPlainTextEdit(), "Import summary")
        self.summary.setReadOnly(True)
        self.summary.hide()
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "&Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.rules_button = self.buttons.addButton(
            "Domain &rules…", QDialogButtonBox.ButtonRole.ResetRole
        )
        self.rules_button.clicked.connect(self._on_rules_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.hint = QLabel("Choose each deck's CEHRS domain · Enter imports · Esc cancels")
        set_text_colour(self.hint, "muted")  # muted, still 4.5:1 (disabled text is not)
        box = QVBoxLayout(self)
        for label in (self.heading, self.error):
            box.addWidget(label)
        box.addLayout(self.mapping_box)
        box.addWidget(self.table, 1)
        box.addWidget(self.summary, 1)
        for w in (self.scheduling, self.progress, self.hint, self.buttons):
            box.addWidget(w)
        make_default(self.import_button)  # Enter imports, whatever has the focus
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self._on_import_clicked)

    # ----- background work ---------------------------------------------------------------------
    def _run(self, fn: Callable[[Progress], T], done: Callable[[T], None]) -> Job:
        """Read the file on the reader thread (a big package takes a while to parse)."""
        self.job = self.runner.query(
            fn,
            done,
            failed=self._on_job_error,
            cancelled=self._on_cancelled,
            progress=self._on_job_progress,
            long=True,
        )
        return self.job

    def _start_preview(self) -> None:
        self.import_button.setEnabled(False)
        options = ImportOptions(mapping=self.mapping)
        self._run(lambda p: self.service.preview(self.path, options, p), self._on_preview_done)

    def _on_layout_done(self, layout: TextLayout) -> None:
        self.job = None
        if layout.fixed_by_header:
            self._start_preview()
            return
        if not hasattr(self, "panel"):
            self.panel = ColumnMappingPanel(layout, self)
            self.panel.sig_changed.connect(self._on_panel_changed)
            self.mapping_box.addWidget(self.panel)
        else:
            self.panel.show_layout(layout)
        self.mapping = layout.mapping
        self._start_preview()

    def _on_panel_changed(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        if not mapping.fields:  # a new note type: let the file's columns be matched again
            self._run(lambda _p: self.service.text_layout(self.path, mapping), self._on_layout_done)
        else:
            self._start_preview()

    def _on_preview_done(self, preview: ImportPreview) -> None:
        self.job = None
        self.preview = preview
        self.error.hide()
        self.heading.setText(_heading(preview))
        self.table.setRowCount(len(preview.decks))
        for row, deck in enumerate(preview.decks):
            self._deck_row(row, deck)
        self.scheduling.setVisible(preview.has_scheduling)
        self.table.show()
        self.hint.show()
        self.cancel_button.setText("Cancel")
        self.import_button.setEnabled(preview.notes > 0)
        self.import_button.setFocus()

    def _deck_row(self, row: int, deck: Any) -> None:
        self.table.setItem(row, 0, QTableWidgetItem(deck.name))
        for col, value in ((1, deck.notes), (2, deck.cards)):
            item = QTableWidgetItem(f"{value:,}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, col, item)
        combo = domain_combo(deck.proposed)
        combo.setProperty("proposed", deck.proposed)
        self.table.setCellWidget(row, 3, combo)
        mixed = len(deck.by_domain) > 1
        why = deck.reason + (" (notes differ: each keeps its own)" if mixed else "")
        self.table.setItem(row, 4, QTableWidgetItem(why))

    def _on_cancelled(self) -> None:
        self._on_job_error(Cancelled())

    def _on_job_error(self, exc: Exception) -> None:
        was_importing, self.importing = self.importing, False
        self.job = None
        self.progress.hide()
        self.error.setText(friendly_error(exc))
        self.error.show()
        self.heading.setText(f"<b>{esc(self.path.name)}</b>")
        self.table.setVisible(self.preview is not None and not was_importing)
        self.hint.hide()
        self.import_button.setEnabled(False)
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)

    def _on_job_progress(self, done: int, total: int) -> None:
        if self.importing:  # total 0: still reading the file (a busy bar)
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    # ----- import, cancel, summary -------------------------------------------------------------
    def options(self) -> ImportOptions:
        """What the user chose: changed deck domains, scheduling, the column mapping."""
        chosen = {}
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, 3)
            item = self.table.item(row, 0)
            if not isinstance(combo, QComboBox) or item is None:
                continue
            if combo.currentData() != combo.property("proposed"):
                chosen[item.text()] = int(combo.currentData())
        return ImportOptions(
            deck_domains=chosen,
            with_scheduling=self.scheduling.isVisible() and self.scheduling.isChecked(),
            mapping=self.mapping,
        )

    def _on_import_clicked(self) -> None:
        if self.preview is None or self.importing or not self.import_button.isEnabled():
            return
        options = self.options()
        self.importing = True
        self.import_button.setEnabled(False)
        self.table.setEnabled(False)
        self.scheduling.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        run, path = self.service.run_import, self.path
        self.job = self.runner.op(
            lambda progress: run(path, options, progress),
            initiator=self,
            done=self._on_import_done,
            failed=self._on_job_error,
            cancelled=self._on_cancelled,
            progress=self._on_job_progress,
        )

    def _on_import_done(self, result: ImportResult) -> None:
        self.job = None
        self.importing = False
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.summary.setPlainText(summary_text(result))
        self.summary.show()
        for w in (self.table, self.scheduling, self.hint, self.rules_button):
            w.hide()
        self.heading.setText(self.heading.text().replace("<br>", " · import finished<br>", 1))
        self.cancel_button.setText("Close")
        self.cancel_button.setFocus()
        self.sig_imported.emit(result)

    def _on_rules_clicked(self) -> None:
        from cehrs_cards.ui.rules_dialog import RulesDialog

        if RulesDialog(self.service, self.runner, self).exec() and not self.importing:
            self._start_preview()

    def _on_cancel_clicked(self) -> None:
        if self.job is not None:  # the file is still being read: stop it, free the thread
            self.job.cancel()
        if self.importing and self.job is not None:
            self.cancel_button.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            return
        self.reject()

    def reject(self) -> None:
        if self.importing:  # Esc while importing asks the worker to stop; it reports back
            self._on_cancel_clicked()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.job is not None:
            self._on_cancel_clicked()
            event.ignore()
            return
        super().closeEvent(event)


def friendly_error(exc: Exception) -> str:
    """Why nothing was imported, as a sentence for the user."""
    if isinstance(exc, Cancelled):
        return "Import cancelled: nothing was changed."
    return f"Nothing was imported. {exc}"


def _heading(p: ImportPreview) -> str:
    parts = [
        f"{p.notes:,} notes ({p.new_notes:,} new, {p.existing_notes:,} already here)",
        f"{p.cards:,} cards",
        f"{p.media:,} media files",
    ]
    extra = " · has review history" if p.has_scheduling else ""
    return f"<b>{esc(p.path.name)}</b> · {esc(p.format)}<br>{' · '.join(parts)}{extra}"


def summary_text(result: ImportResult) -> str:
    """The end-of-import summary: what was added, updated, skipped and why."""
    s = result.summary
    lines = [
        f"Notes added: {s.added:,}",
        f"Notes updated: {s.updated:,}",
        f"Notes unchanged: {s.unchanged:,}",
        f"Cards added: {s.cards_added:,}"
        + (f" ({s.scheduled:,} with history)" if s.scheduled else ""),
        f"Media files added: {s.media_added:,}",
        f"Skipped: {len(s.skipped):,}",
    ]
    lines += [f"  {guid}: {reason}" for guid, reason in s.skipped[:200]]
    if len(s.skipped) > 200:
        lines.append(f"  … and {len(s.skipped) - 200:,} more")
    return "\n".join(lines)
