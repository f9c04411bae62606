"""The GUI's start-up: damaged file found by the background check, restore offered; one instance."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from cehrs_cards.db.snapshot import is_healthy, opens
from cehrs_cards.interchange.native import read_native
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package
from cehrs_cards.ui.app import Shell

DECKS = Path(__file__).parents[1] / "fixtures" / "decks"


def deck_total(shell: Shell) -> str | None:
    """The first deck's card count once the deck list (read in the background) is shown."""
    item = shell.window.decks.tree.topLevelItem(0) if shell.window else None
    return item.text(4) if item is not None else None


def answer_boxes(monkeypatch, reply: QMessageBox.StandardButton) -> list[str]:
    """Every message box answers `reply` at once; returns the texts shown, in order."""
    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.text())
        return int(reply.value)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


def _collection_with_backup(data: Path) -> None:
    col = Collection(data)
    import_package(col, read_native(DECKS))
    col.save_settings(col.settings().__class__(bundled_loaded=True))
    col.backup("manual")
    col.close()


def _damage_pages_after_the_first(db: Path) -> None:
    raw = bytearray(db.read_bytes())
    page = 4096
    for i in range(page, min(len(raw), page * 4)):
        raw[i] = 0x5A
    db.write_bytes(bytes(raw))


def test_damaged_file_is_restored_on_request(qapp, qtbot, tmp_path, monkeypatch):
    data = tmp_path / "d"
    _collection_with_backup(data)
    db = data / "collection.sqlite"
    _damage_pages_after_the_first(db)
    assert opens(db) and not is_healthy(db)  # the cheap start-up check passes, quick_check fails
    asked = answer_boxes(monkeypatch, QMessageBox.StandardButton.Yes)
    shell = Shell(qapp, data)
    assert shell.open()
    qtbot.waitUntil(lambda: is_healthy(db) and shell.window is not None, timeout=10_000)
    assert "damaged" in asked[0]
    assert is_healthy(db)
    assert any(p.name.startswith("collection-replaced-") for p in data.iterdir())
    qtbot.waitUntil(lambda: deck_total(shell) == "7")
    shell.window.close()
    shell.timer.stop()


def test_second_instance_is_refused_with_a_message(qapp, tmp_path, monkeypatch):
    warned = answer_boxes(monkeypatch, QMessageBox.StandardButton.Ok)
    held = Collection(tmp_path / "d")
    try:
        assert not Shell(qapp, tmp_path / "d").open()
        assert "open in another" in warned[0]
    finally:
        held.close()


def test_damage_found_by_the_background_check_offers_restore(qapp, qtbot, tmp_path, monkeypatch):
    import sqlite3

    data = tmp_path / "d"
    _collection_with_backup(data)
    db = data / "collection.sqlite"
    con = sqlite3.connect(db)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name='ix_revlog_card'").fetchone()[
        0
    ]
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    raw = bytearray(db.read_bytes())
    raw[(root - 1) * page : root * page] = b"\x5a" * page  # an index no start-up query reads
    db.write_bytes(bytes(raw))
    assert opens(db) and not is_healthy(db)
    asked = answer_boxes(monkeypatch, QMessageBox.StandardButton.Yes)
    shell = Shell(qapp, data)
    assert shell.open()
    first = shell.window
    assert first is not None and not asked  # the window came up before the full check
    qtbot.waitUntil(lambda: shell.window is not None and shell.window is not first, timeout=10_000)
    assert "damaged" in asked[0] and is_healthy(db)
    shell.window.close()
    shell.timer.stop()


def test_start_up_packs_the_backups_left_plain(qapp, qtbot, tmp_path):
    """Backups are taken plain (quick) and packed with zstd in the background afterwards."""
    data = tmp_path / "d"
    _collection_with_backup(data)
    folder = data / "backups"
    assert [p.suffix for p in folder.iterdir()] == [".sqlite"]
    shell = Shell(qapp, data)
    assert shell.open()
    qtbot.waitUntil(lambda: [p.suffix for p in folder.iterdir()] == [".zst"], timeout=10_000)
    shell.window.close()
    shell.timer.stop()


def test_an_older_collection_is_upgraded_with_a_notice_on_screen(qapp, qtbot, tmp_path):
    import shutil
    import sqlite3

    from cehrs_cards.db.migrations import LATEST

    data = tmp_path / "d"
    data.mkdir()
    saved = Path(__file__).parents[1] / "fixtures" / "db" / "v5.sqlite"
    shutil.copy(saved, data / "collection.sqlite")
    shown: list[str] = []
    shell = Shell(qapp, data)
    original = shell._upgrade_notice

    def spy():
        notice = original()
        shown.append(notice.text() if notice is not None else "")
        return notice

    shell._upgrade_notice = spy
    assert shell.open()
    assert "Updating your collection" in shown[0]
    con = sqlite3.connect(data / "collection.sqlite")
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST
    finally:
        con.close()
    assert any("before-upgrade" in p.name for p in (data / "backups").iterdir())
    shell.window.close()
    shell.timer.stop()
    again = Shell(qapp, data)
    again._upgrade_notice = spy
    assert again.open() and shown[1] == ""  # up to date: no notice the second time
    again.window.close()
    again.timer.stop()


def test_restore_from_a_packed_backup_through_the_window(qapp, qtbot, tmp_path, monkeypatch):
    """Tools > Restore from backup: the list shows the packed backup, Restore puts it back
    (unpacked), keeps the replaced file aside and reopens the collection."""
    import sqlite3

    from cehrs_cards.services import backup as bk
    from cehrs_cards.ui.backup_dialog import RestoreDialog

    data = tmp_path / "d"
    _collection_with_backup(data)  # 7 cards, and a backup of them
    bk.compress_backups(data)
    con = sqlite3.connect(data / "collection.sqlite")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("DELETE FROM card")  # a mistake the user wants to undo by restoring
    con.commit()
    con.close()
    listed: list[str] = []

    def choose_first(dialog: RestoreDialog) -> int:
        listed.extend(dialog.list.item(i).text() for i in range(dialog.list.count()))
        return 1

    monkeypatch.setattr(RestoreDialog, "exec", choose_first)
    shell = Shell(qapp, data)
    assert shell.open()
    qtbot.waitUntil(lambda: deck_total(shell) == "0")
    shell.window.open_restore()
    assert "(manual)" in listed[0]
    qtbot.waitUntil(
        lambda: shell.window is not None and shell.window.isVisible()
        and deck_total(shell) == "7",
        timeout=10_000,
    )  # fmt: skip
    assert any(p.name.startswith("collection-replaced-") for p in data.iterdir())
    shell.window.close()
    shell.timer.stop()


def test_an_empty_collection_offers_the_backup_not_a_fresh_start(
    qapp, qtbot, tmp_path, monkeypatch
):
    """The issue's loss: a 0-byte collection was taken as a first run and the bundled deck
    loaded over it. Now the newest good backup is offered and restored."""
    data = tmp_path / "d"
    _collection_with_backup(data)
    (data / "collection.sqlite").write_bytes(b"")
    asked = answer_boxes(monkeypatch, QMessageBox.StandardButton.Yes)
    shell = Shell(qapp, data)
    assert shell.open()
    assert "empty" in asked[0] and "Restore the newest good backup" in asked[0]
    qtbot.waitUntil(lambda: deck_total(shell) == "7")
    shell.window.close()
    shell.timer.stop()


def test_a_missing_collection_declined_creates_nothing(qapp, tmp_path, monkeypatch):
    data = tmp_path / "d"
    _collection_with_backup(data)
    (data / "collection.sqlite").unlink()
    asked = answer_boxes(monkeypatch, QMessageBox.StandardButton.No)
    assert not Shell(qapp, data).open()
    assert "missing" in asked[0] and "Start a new collection" in asked[1]
    assert not (data / "collection.sqlite").exists()


def test_a_fresh_start_is_only_on_request(qapp, qtbot, tmp_path, monkeypatch):
    data = tmp_path / "d"
    data.mkdir()
    (data / "collection-replaced-20260101-000000.sqlite").write_bytes(b"junk")  # no good backup
    monkeypatch.setenv("CEHRS_CARDS_DECKS_DIR", str(DECKS))
    asked = answer_boxes(monkeypatch, QMessageBox.StandardButton.Yes)
    shell = Shell(qapp, data)
    assert shell.open()
    assert "No good backup" in asked[0] and "Start a new collection" in asked[0]
    qtbot.waitUntil(lambda: deck_total(shell) == "7")  # the bundled deck (fixture)
    shell.window.close()
    shell.timer.stop()
