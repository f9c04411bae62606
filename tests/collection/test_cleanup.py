"""What a kill -9 leaves in the data folder is removed at the next open (the issue's case: 21
of 24 killed imports left import-* folders up to 315 MB each; a killed backup left a
.partial and its journal; killed exports left .part files)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from cehrs_cards.services.collection import Collection


def _age(path: Path, minutes: int = 30) -> None:
    old = time.time() - minutes * 60
    os.utime(path, (old, old))


def test_leftovers_of_killed_work_are_removed_at_open(tmp_path: Path):
    data = tmp_path / "d"
    col = Collection(data)
    good = col.backup("manual")
    col.close()
    staging = data / "import-k2x9"
    (staging / "media").mkdir(parents=True)
    (staging / "media" / "0").write_bytes(b"x" * 1000)
    backups = data / "backups"
    partial = backups / "collection-20261206-101010-close.partial"
    partial.write_bytes(b"half a backup")
    (backups / "collection-20261206-101010-close.partial-journal").write_bytes(b"j")
    (backups / "collection-20261206-090000-timer.sqlite.zst.partial").write_bytes(b"half")
    (backups / "unpack-abc").mkdir()
    (data / "collection.sqlite.restoring").write_bytes(b"stale incoming copy")
    export_part = data / ".deck.apkg.1234abcd.cehrs-export.part"
    export_part.write_bytes(b"half an export")
    _age(export_part)
    Collection(data).close()
    left = sorted(p.name for p in data.rglob("*"))
    assert not [n for n in left if "import-" in n or "partial" in n or "unpack-" in n]
    assert "collection.sqlite.restoring" not in left and export_part.name not in left
    assert good.path.exists() and (data / "collection.sqlite").exists()


def test_a_fresh_export_of_another_process_is_left_alone(tmp_path: Path):
    data = tmp_path / "d"
    Collection(data).close()
    running = data / ".deck.apkg.5678abcd.cehrs-export.part"
    running.write_bytes(b"being written right now")
    Collection(data).close()
    assert running.exists()
