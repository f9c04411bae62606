"""Import and export dialogs on real widgets: preview, domain choice, progress, cancel, errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import func, select

from cehrs_cards.db.models import Card, Note
from cehrs_cards.services.transfer import TransferService
from cehrs_cards.ui.export_dialog import ExportDialog
from cehrs_cards.ui.import_dialog import ImportDialog
from cehrs_cards.ui.ops import OpRunner
from tests.fixtures.apkg import make_fixtures as fx
from tests.interchange import hostile
from tests.ops_helpers import settle


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    return fx.build_all(tmp_path_factory.mktemp("apkg-ui"))


@pytest.fixture(autouse=True)
def drain_pool(qtbot):
    yield
    settle(qtbot)


def notes(col) -> int:
    with col.read() as s:
        return s.exec(select(func.count()).select_from(Note)).one()


def opened(qtbot, service, path) -> ImportDialog:
    dialog = ImportDialog(service, OpRunner(), path)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.job is None, timeout=10_000)
    return dialog


def test_preview_then_import_with_a_changed_domain(qtbot, col, made):
    dialog = opened(qtbot, TransferService(col), made["anki21b"])
    assert dialog.table.rowCount() == 2 and dialog.import_button.isEnabled()
    assert "3 notes" in dialog.heading.text() and dialog.scheduling.isVisibleTo(dialog)
    rows = {dialog.table.item(r, 0).text(): r for r in range(2)}
    combo = dialog.table.cellWidget(rows[fx.DECK_HIPAA], 3)
    assert combo.currentData() == 4
    combo.setCurrentIndex(combo.findData(1))
    assert notes(col) == 0  # nothing written by the preview
    with qtbot.waitSignal(dialog.sig_imported, timeout=10_000) as got:
        dialog.import_button.click()
    assert got.args[0].summary.added == 3
    assert "Notes added: 3" in dialog.summary.toPlainText()
    assert dialog.cancel_button.text() == "Close"
    with col.read() as s:
        assert sorted(s.exec(select(Card.domain))) == [1, 1, 1, 3, 3]


def test_hostile_file_shows_a_clear_error_and_imports_nothing(qtbot, col, tmp_path):
    dialog = opened(qtbot, TransferService(col), hostile.not_a_zip(tmp_path))
    assert dialog.error.isVisibleTo(dialog)
    assert "not a zip file" in dialog.error.text() and "Nothing was imported" in dialog.error.text()
    assert not dialog.import_button.isEnabled() and notes(col) == 0


class GatedService(TransferService):
    """The real service, whose import waits at its first progress report until released."""

    def __init__(self, col) -> None:
        super().__init__(col)
        self.gate = threading.Event()

    def run_import(self, path, options, progress=None):
        def gated(done: int, total: int) -> bool:
            self.gate.wait(10)
            return progress(done, total) if progress else True

        return super().run_import(path, options, gated)


def test_cancel_during_import_rolls_everything_back(qtbot, col, made):
    service = GatedService(col)
    dialog = opened(qtbot, service, made["anki21b"])
    dialog.import_button.click()
    assert dialog.progress.isVisibleTo(dialog)
    dialog.cancel_button.click()
    assert dialog.cancel_button.text() == "Cancelling…"
    service.gate.set()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=10_000)
    assert "cancelled" in dialog.error.text() and notes(col) == 0
    assert list(col.media_dir.iterdir()) == []


def test_plain_csv_gets_a_column_mapping(qtbot, col, tmp_path):
    f = tmp_path / "plain.csv"
    f.write_text("term,definition,labels\nROI,Release of information,hipaa\nMPI,Index,records\n")
    dialog = opened(qtbot, TransferService(col), f)
    panel = dialog.panel
    panel.header.setChecked(True)
    qtbot.waitUntil(lambda: dialog.job is None and "2 notes" in dialog.heading.text())
    panel.table.cellWidget(0, 2).setCurrentText("Tags")
    qtbot.waitUntil(lambda: dialog.job is None and dialog.mapping.tags_column == 3)
    with qtbot.waitSignal(dialog.sig_imported, timeout=10_000):
        dialog.import_button.click()
    with col.read() as s:
        tags = sorted(s.exec(select(Note.tags)))
    assert tags == ["hipaa", "records"]


def test_export_dialog_writes_the_chosen_deck(qtbot, col, made, tmp_path):
    from cehrs_cards.services.transfer import import_file

    import_file(col, made["anki21b"])
    dialog = ExportDialog(TransferService(col), OpRunner(), tmp_path)
    qtbot.addWidget(dialog)
    dialog.deck.setCurrentText(fx.DECK_MISC)
    assert dialog.path.text().endswith("anki-shared-misc.apkg")
    with qtbot.waitSignal(dialog.sig_exported, timeout=10_000) as got:
        dialog.export_button.click()
    result = got.args[0]
    assert result.notes == 1 and result.path.exists() and "Saved" in dialog.status.text()


def test_file_import_menu_imports_and_refreshes_the_deck_list(qtbot, col, made, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    from tests.ops_helpers import make_main_window

    window = make_main_window(qtbot, col)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(made["anki21b"]), ""))

    def run(dialog: ImportDialog) -> int:  # stands in for the modal exec(): the user clicks Import
        qtbot.waitUntil(lambda: dialog.job is None, timeout=10_000)
        dialog.import_button.click()
        qtbot.waitUntil(lambda: dialog.summary.isVisibleTo(dialog), timeout=10_000)
        return 1

    monkeypatch.setattr(ImportDialog, "exec", run)
    action = next(a for a in window.actions() if a.shortcut().toString() == "Ctrl+Shift+I")
    action.trigger()
    settle(qtbot)
    found = window.decks.tree.findItems(
        "Anki Shared", Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive
    )
    assert found, "the deck list shows the imported decks"
    assert any(a.shortcut().toString() == "Ctrl+Shift+E" for a in window.actions())


class GatedPreview(TransferService):
    """The real service, whose preview (a real read of the package) waits at its first
    progress report until released: a read still under way when the user cancels."""

    def __init__(self, col) -> None:
        super().__init__(col)
        self.reached, self.gate = threading.Event(), threading.Event()

    def preview(self, path, options, progress=None):
        def gated(done: int, total: int) -> bool:
            self.reached.set()
            self.gate.wait(10)
            return progress(done, total) if progress else True

        return super().preview(path, options, gated)


def test_cancel_while_the_file_is_read_stops_the_read_and_frees_the_worker(qtbot, col, made):
    service = GatedPreview(col)
    runner = OpRunner()
    dialog = ImportDialog(service, runner, made["anki21b"])
    qtbot.addWidget(dialog)
    assert service.reached.wait(10)
    dialog.cancel_button.click()  # closes the dialog and stops the read
    service.gate.set()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=10_000)
    assert dialog.error.text() == "Import cancelled: nothing was changed."
    assert dialog.preview is None
    ran: list[str] = []  # the reader thread is free again: the next job runs
    runner.query(lambda _p: "next job ran", ran.append, long=True)
    qtbot.waitUntil(lambda: ran == ["next job ran"], timeout=10_000)
