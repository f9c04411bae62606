"""The Export dialog on real widgets: Enter exports, an existing file is replaced only after
"Replace NAME?" (Cancel by default), and the scheduling box follows Anki's default."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from cehrs_cards.core.records import Rating
from cehrs_cards.services.transfer import TransferService
from cehrs_cards.ui.export_dialog import WHOLE, ExportDialog
from cehrs_cards.ui.ops import OpRunner
from tests.ops_helpers import settle

MINE = b"the user's own deck"


@pytest.fixture(autouse=True)
def drain_pool(qtbot):
    yield
    settle(qtbot)


@pytest.fixture
def dialog(qtbot, review, tmp_path, monkeypatch) -> ExportDialog:
    """The dialog over the mini collection with one card answered; Browse… must not open."""
    review.answer(review.next_card(), Rating.GOOD)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", _no_file_dialog)
    d = ExportDialog(TransferService(review.col), OpRunner(), tmp_path)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def _no_file_dialog(*_args: object, **_kwargs: object) -> tuple[str, str]:
    raise AssertionError("Browse… opened")


def _answer_replace(qtbot, dialog: ExportDialog, key: Qt.Key | None, seen: list[str]) -> None:
    """When "Replace NAME?" shows: note its text and default button, then press `key` in it
    (Enter or Escape) or click Replace (key None)."""

    def act() -> None:
        box = dialog.confirm_box
        if box is None:  # not shown yet
            QTimer.singleShot(10, act)
            return
        default = box.defaultButton()
        seen.append(f"{box.text()}|{default.text() if default else ''}")
        if key is None:
            next(b for b in box.buttons() if "Replace" in b.text()).click()
        else:
            qtbot.keyClick(box, key)

    QTimer.singleShot(0, act)


def test_enter_in_the_file_name_exports_and_does_not_browse(qtbot, dialog, tmp_path):
    dialog.path.setText(str(tmp_path / "enter.apkg"))
    dialog.path.setFocus()
    assert not dialog.browse_button.autoDefault() and dialog.export_button.isDefault()
    with qtbot.waitSignal(dialog.sig_exported, timeout=10_000):
        qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert (tmp_path / "enter.apkg").exists()


def test_enter_after_browse_exports_instead_of_browsing_again(qtbot, dialog, tmp_path):
    """After Browse… the focus stays on that button; Enter must still export."""
    dialog.path.setText(str(tmp_path / "focus.apkg"))
    dialog.browse_button.setFocus()
    assert dialog.browse_button.hasFocus()
    with qtbot.waitSignal(dialog.sig_exported, timeout=10_000):
        qtbot.keyClick(dialog.browse_button, Qt.Key.Key_Return)
    assert (tmp_path / "focus.apkg").exists()


def test_enter_on_an_existing_file_asks_and_the_default_keeps_it(qtbot, dialog, tmp_path):
    target = tmp_path / "mine.apkg"
    target.write_bytes(MINE)
    dialog.path.setText(str(target))
    seen: list[str] = []
    _answer_replace(qtbot, dialog, Qt.Key.Key_Return, seen)  # Enter in the question box
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert seen == ["Replace mine.apkg?|Cancel"]
    assert dialog.job is None and target.read_bytes() == MINE
    _answer_replace(qtbot, dialog, Qt.Key.Key_Escape, seen)
    dialog.export_button.click()
    assert len(seen) == 2 and dialog.job is None and target.read_bytes() == MINE


def test_replace_after_browse_replaces_the_file(qtbot, dialog, tmp_path, monkeypatch):
    target = tmp_path / "mine.txt"
    target.write_bytes(MINE)
    options: list[object] = []

    def chosen(*_args: object, **kwargs: object) -> tuple[str, str]:
        options.append(kwargs.get("options"))
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", chosen)
    dialog.browse_button.click()
    assert dialog.path.text() == str(target) and not dialog.scheduling.isEnabled()
    assert options == [QFileDialog.Option.DontConfirmOverwrite]  # we ask, once, at Export
    seen: list[str] = []
    _answer_replace(qtbot, dialog, None, seen)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=10_000)
    assert seen == ["Replace mine.txt?|Cancel"]
    assert target.read_bytes().startswith(b"#separator:tab")


def test_scheduling_box_defaults_on_for_the_whole_collection_in_apkg(qtbot, dialog, tmp_path):
    assert dialog.deck.currentText() == WHOLE
    assert dialog.scheduling.isChecked() and dialog.scheduling.isEnabled()
    assert "Import any learning progress" in dialog.status.text()
    dialog.deck.setCurrentIndex(1)
    assert not dialog.scheduling.isChecked()
    dialog.deck.setCurrentIndex(0)
    dialog.format.setCurrentIndex(1)  # .txt cannot carry scheduling
    assert not dialog.scheduling.isEnabled()
    dialog.format.setCurrentIndex(0)
    dialog.path.setText(str(tmp_path / "with.apkg"))
    with qtbot.waitSignal(dialog.sig_exported, timeout=10_000):
        dialog.export_button.click()
    assert _revlog_rows(tmp_path / "with.apkg") == 1 and ", 1 answer." in dialog.status.text()
    dialog.scheduling.setChecked(False)
    dialog.path.setText(str(tmp_path / "without.apkg"))
    with qtbot.waitSignal(dialog.sig_exported, timeout=10_000):
        dialog.export_button.click()
    assert _revlog_rows(tmp_path / "without.apkg") == 0


def _revlog_rows(apkg: Path) -> int:
    db = apkg.with_suffix(".anki21")
    db.write_bytes(zipfile.ZipFile(apkg).read("collection.anki21"))
    con = sqlite3.connect(db)
    try:
        return int(con.execute("SELECT count(*) FROM revlog").fetchone()[0])
    finally:
        con.close()


def test_a_file_name_is_shown_as_text_not_markup(qtbot, dialog, tmp_path):
    target = tmp_path / "<b>bold<b>.apkg"
    target.write_bytes(MINE)
    dialog.path.setText(str(target))
    seen: list[str] = []
    formats: list[Qt.TextFormat] = []

    def act() -> None:
        box = dialog.confirm_box
        if box is None:
            QTimer.singleShot(10, act)
            return
        formats.append(box.textFormat())
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, act)
    dialog.export_button.click()
    assert seen == ["Replace <b>bold<b>.apkg?"] and formats == [Qt.TextFormat.PlainText]
    assert dialog.status.textFormat() == Qt.TextFormat.PlainText
