"""Opening a collection never quietly starts over, writes to a file it refuses, or leaves the
user's data readable by others."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from cehrs_cards.db.migrations import LATEST, SchemaTooNewError
from cehrs_cards.services import backup as bk
from cehrs_cards.services.collection import (
    Collection,
    MissingCollectionError,
    ReadOnlyCollectionError,
    set_aside_empty,
)


def _used_folder(tmp_path: Path) -> Path:
    data = tmp_path / "d"
    col = Collection(data)
    col.backup("close")
    col.close()
    return data


def test_a_fresh_folder_is_a_first_run(tmp_path: Path):
    Collection(tmp_path / "new").close()
    assert (tmp_path / "new" / "collection.sqlite").stat().st_size > 0


def test_an_empty_file_is_never_a_first_run(tmp_path: Path):
    data = tmp_path / "d"
    data.mkdir()
    (data / "collection.sqlite").write_bytes(b"")
    with pytest.raises(MissingCollectionError, match="empty"):
        Collection(data)
    assert (data / "collection.sqlite").stat().st_size == 0  # untouched


def test_a_missing_file_beside_backups_is_refused(tmp_path: Path):
    data = _used_folder(tmp_path)
    (data / "collection.sqlite").unlink()
    with pytest.raises(MissingCollectionError, match="missing"):
        Collection(data)
    assert not (data / "collection.sqlite").exists()  # nothing created in its place


def test_a_kill_between_the_renames_of_a_restore_is_not_a_first_run(tmp_path: Path):
    data = tmp_path / "d"
    Collection(data).close()
    (data / "collection.sqlite").replace(data / "collection-replaced-20260101-000000.sqlite")
    with pytest.raises(MissingCollectionError):
        Collection(data)


def test_starting_over_is_explicit_and_keeps_the_empty_file(tmp_path: Path):
    data = tmp_path / "d"
    data.mkdir()
    (data / "collection.sqlite").write_bytes(b"")
    from datetime import UTC, datetime

    aside = set_aside_empty(data, datetime(2026, 12, 6, tzinfo=UTC))
    assert aside is not None and aside.exists()
    Collection(data, start_new=True).close()
    assert (data / "collection.sqlite").stat().st_size > 0


def test_a_newer_collection_is_refused_before_anything_is_written(tmp_path: Path):
    data = tmp_path / "d"
    Collection(data).close()
    db = data / "collection.sqlite"
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute(f"PRAGMA user_version={LATEST + 1}")
    con.close()
    before = db.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer"):
        Collection(data)
    assert db.read_bytes() == before  # header not rewritten (journal mode stays DELETE)
    assert not (data / "collection.sqlite-wal").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_data_folder_and_database_are_private(tmp_path: Path):
    data = tmp_path / "d"
    data.mkdir(mode=0o755)
    col = Collection(data)
    col.backup("manual")
    col.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "media").stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "collection.sqlite").stat().st_mode) == 0o600
    for b in bk.list_backups(data):
        assert stat.S_IMODE(b.path.stat().st_mode) == 0o600


def _immutable(paths: list[Path], on: bool) -> bool:
    """chattr +i: even root cannot write (root ignores permission bits)."""
    flag = "+i" if on else "-i"
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_read_only_folder_is_a_clear_error(tmp_path: Path):
    data = tmp_path / "d"
    Collection(data).close()
    locked = [data / "collection.sqlite", data]
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or not _immutable(locked, True):
            pytest.skip("running as root without chattr: cannot make a folder read-only")
    else:
        data.chmod(0o500)
        (data / "collection.sqlite").chmod(0o400)
    try:
        with pytest.raises(ReadOnlyCollectionError, match="cannot write"):
            Collection(data)
    finally:
        if os.geteuid() == 0:
            _immutable(locked, False)
        else:
            data.chmod(0o700)
            (data / "collection.sqlite").chmod(0o600)
