"""Export never harms an existing file: a write that fails half-way (a full disk, an error, a
kill) leaves the old file byte-identical, and what a killed export leaves behind is found and
removed by `cleanup_export_leftovers`."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cehrs_cards.interchange import atomic
from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.importing import import_package
from cehrs_cards.services.transfer_export import (
    TargetExistsError,
    cleanup_export_leftovers,
    export_file,
)

OLD = b"the user's own file, which must survive\n" * 50
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="resource limits and signals")


def _old_file(folder: Path, name: str) -> Path:
    target = folder / name
    target.write_bytes(OLD)
    return target


def _only(folder: Path, *names: str) -> None:
    """`folder` holds exactly `names`: no temporary file was left beside them."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def test_a_writer_raising_half_way_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = _old_file(tmp_path, "deck.txt")

    def half_then_full_disk(out) -> None:  # type: ignore[no-untyped-def]
        out.write(b"new content, cut short")
        out.flush()
        assert atomic.leftovers(tmp_path), "the new file is written beside the old one"
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        atomic.write_atomically(target, half_then_full_disk)
    assert target.read_bytes() == OLD
    _only(tmp_path, "deck.txt")


def test_a_complete_write_replaces_the_file_and_keeps_its_permissions(tmp_path):
    target = _old_file(tmp_path, "deck.txt")
    target.chmod(0o640)
    atomic.write_bytes_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o640
    _only(tmp_path, "deck.txt")


@pytest.fixture
def big_data(tmp_path: Path) -> Path:
    """A closed collection whose export is far larger than the file-size limit used below."""
    data = tmp_path / "data"
    col = Collection(data)
    try:
        notes = [
            NoteIn(f"n{i}", "Basic", "Big", {"Front": f"q{i}", "Back": os.urandom(700).hex()})
            for i in range(300)
        ]
        import_package(col, Package(notes=notes))
        from dataclasses import replace

        col.save_settings(replace(col.settings(), bundled_loaded=True))
    finally:
        col.close()
    return data


def _cli(data: Path, *argv: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m cehrs_cards --data-dir DATA ARGV`, with file writes capped at `limit` bytes
    (a full disk: writes past it fail with EFBIG)."""

    def cap() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", CEHRS_CARDS_DECKS_DIR=str(data / "none"))
    return subprocess.run(
        [sys.executable, "-m", "cehrs_cards", "--data-dir", str(data), *argv],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=cap,  # no threads run in the child before exec
        timeout=120,
        check=False,
    )


@POSIX_ONLY
@pytest.mark.parametrize("name", ["deck.apkg", "deck.txt", "deck.toml"])
def test_a_full_disk_leaves_the_old_file_intact(big_data, tmp_path, name):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = _old_file(out_dir, name)
    done = _cli(big_data, "export", str(target), "--force", limit=128 * 1024)
    assert done.returncode == 2, done.stderr
    assert "could not write" in done.stderr and "nothing was changed" in done.stderr
    assert "Traceback" not in done.stderr
    assert target.read_bytes() == OLD
    _only(out_dir, name)
    col = Collection(big_data)  # with room, the same export replaces the file
    try:
        export_file(col, target, overwrite=True)
    finally:
        col.close()
    assert target.read_bytes() != OLD and target.stat().st_size > 128 * 1024
    _only(out_dir, name)


_KILLED_MID_EXPORT = """
import os, signal, sys
from pathlib import Path
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.transfer_export import export_file

def kill(done: int, total: int) -> bool:
    os.kill(os.getpid(), signal.SIGKILL)
    return True

export_file(Collection(Path(sys.argv[1])), Path(sys.argv[2]), progress=kill, overwrite=True)
"""


@POSIX_ONLY
def test_a_killed_export_leaves_the_old_file_and_a_leftover_that_cleanup_removes(
    big_data, tmp_path
):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = _old_file(out_dir, "deck.apkg")
    download = out_dir / "other.apkg.part"  # a browser's download in progress: not ours
    download.write_bytes(b"partial download")
    argv = [sys.executable, "-c", _KILLED_MID_EXPORT, str(big_data), str(target)]
    done = subprocess.run(argv, capture_output=True, timeout=120, check=False)
    assert done.returncode == -9, done.stderr
    assert target.read_bytes() == OLD
    left = atomic.leftovers(out_dir)
    assert len(left) == 1 and left[0].name.startswith(".deck.apkg.")
    assert cleanup_export_leftovers(out_dir) == []  # too recent: it may be an export running
    later = datetime.now().astimezone() + timedelta(hours=1)
    assert cleanup_export_leftovers(out_dir, now=later) == left
    _only(out_dir, "deck.apkg", "other.apkg.part")
    assert target.read_bytes() == OLD


def test_cleanup_removes_old_temporary_folders_of_older_versions(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    legacy = tmp_path / "cehrs-export-abc123"
    legacy.mkdir()
    (legacy / "collection.anki21").write_bytes(b"x" * 100)
    fresh = tmp_path / "cehrs-export-running"
    fresh.mkdir()
    hour_ago = time.time() - 3600
    os.utime(legacy, (hour_ago, hour_ago))
    removed = cleanup_export_leftovers(tmp_path / "nowhere")
    assert removed == [legacy] and not legacy.exists() and fresh.exists()


def test_export_refuses_to_replace_a_file_unless_told(mini_col, tmp_path):
    for name in ("deck.apkg", "deck.txt", "deck.toml"):
        target = _old_file(tmp_path, name)
        with pytest.raises(TargetExistsError, match="already exists"):
            export_file(mini_col, target)
        assert target.read_bytes() == OLD
        export_file(mini_col, target, overwrite=True)
        assert target.read_bytes() != OLD
    _only(tmp_path, "data", "deck.apkg", "deck.txt", "deck.toml")


def test_a_long_file_name_still_gets_a_temporary_name_beside_it(tmp_path):
    target = _old_file(tmp_path, "d" * 240 + ".txt")
    atomic.write_bytes_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    _only(tmp_path, target.name)
