"""The bundled deck is found as package data, never silently missing, and arrives late for a
collection that an earlier version marked as loaded without it."""

from __future__ import annotations

import importlib.util
import sqlite3
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest

from cehrs_cards.services import bundled
from cehrs_cards.services.bundled import (
    BundledDeckMissingError,
    bundled_deck_dir,
    load_bundled_if_first_run,
)
from cehrs_cards.services.collection import Collection

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DECKS = ROOT / "tests" / "fixtures" / "decks"


def _build_module():
    spec = importlib.util.spec_from_file_location("cehrs_build", ROOT / "packaging" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cards(data: Path) -> int:
    con = sqlite3.connect(data / "collection.sqlite")
    try:
        return con.execute("SELECT COUNT(*) FROM card").fetchone()[0]
    finally:
        con.close()


def test_the_deck_is_package_data_of_cehrs_cards(monkeypatch):
    monkeypatch.delenv(bundled.ENV_DECKS_DIR, raising=False)
    folder = bundled_deck_dir()
    assert sorted(p.name for p in folder.glob("*.toml")) == sorted(
        p.name for p in (ROOT / "decks" / "cehrs").glob("*.toml")
    )
    assert ".." not in folder.parts  # found by importlib.resources, not by climbing out


def test_the_first_run_loads_every_card_the_deck_files_make(tmp_path, monkeypatch):
    monkeypatch.delenv(bundled.ENV_DECKS_DIR, raising=False)
    col = Collection(tmp_path / "d", tz=UTC)
    try:
        summary = load_bundled_if_first_run(col)
        assert summary is not None and col.settings().bundled_loaded
        assert load_bundled_if_first_run(col) is None  # once only
    finally:
        col.close()
    assert _cards(tmp_path / "d") == _build_module().expected_cards()


def test_a_missing_deck_is_an_error_and_the_collection_stays_unmarked(tmp_path, monkeypatch):
    monkeypatch.delenv(bundled.ENV_DECKS_DIR, raising=False)
    monkeypatch.setattr(bundled, "DECKS_PACKAGE", "cehrs_cards._no_such_deck")
    col = Collection(tmp_path / "d", tz=UTC)
    try:
        with pytest.raises(BundledDeckMissingError, match="bundled CEHRS deck is missing"):
            load_bundled_if_first_run(col)
        assert not col.settings().bundled_loaded
    finally:
        col.close()


def test_an_empty_deck_folder_is_missing_too(tmp_path):
    (tmp_path / "cehrs").mkdir()
    with pytest.raises(BundledDeckMissingError, match="Reinstall"):
        bundled.check_bundled_deck(tmp_path / "cehrs")


def test_a_collection_marked_loaded_without_the_deck_gets_it_on_the_next_start(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(bundled.ENV_DECKS_DIR, str(FIXTURE_DECKS))
    col = Collection(tmp_path / "d", tz=UTC)
    try:  # what earlier versions left when the deck was missing: marked, nothing imported
        col.save_settings(replace(col.settings(), bundled_loaded=True))
        assert load_bundled_if_first_run(col) is not None
        assert load_bundled_if_first_run(col) is None
    finally:
        col.close()
    assert _cards(tmp_path / "d") > 0


def test_a_collection_with_its_own_notes_is_left_alone(tmp_path, monkeypatch):
    """Marked as loaded and holding notes: the user's choice stands (no re-import)."""
    from cehrs_cards.interchange.native import read_native
    from cehrs_cards.services.importing import import_package
    from tests.exam.conftest import write_mcq_deck

    monkeypatch.setenv(bundled.ENV_DECKS_DIR, str(FIXTURE_DECKS))
    col = Collection(tmp_path / "d", tz=UTC)
    try:
        col.save_settings(replace(col.settings(), bundled_loaded=True))
        import_package(col, read_native(write_mcq_deck(tmp_path / "own", {1: 2}, {})))
        before = _cards(tmp_path / "d")
        assert load_bundled_if_first_run(col) is None
    finally:
        col.close()
    assert _cards(tmp_path / "d") == before


def test_the_app_says_the_deck_is_missing_and_still_opens_the_collection(
    qapp, qtbot, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    from cehrs_cards.ui.app import Shell

    monkeypatch.delenv(bundled.ENV_DECKS_DIR, raising=False)
    monkeypatch.setattr(bundled, "DECKS_PACKAGE", "cehrs_cards._no_such_deck")
    from tests.ui.test_shell import answer_boxes

    warned = answer_boxes(monkeypatch, QMessageBox.StandardButton.Ok)
    shell = Shell(qapp, tmp_path / "d")
    assert shell.open()
    try:
        assert "bundled CEHRS deck is missing" in warned[0]
        assert not shell.window.services.review.settings.bundled_loaded
    finally:
        shell.window.close()
        shell.timer.stop()
