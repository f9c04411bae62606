"""What a kill left behind, removed when the collection is opened (we hold the instance lock,
so no other CEHRS Cards can be in the middle of writing these): an import's staging folder,
a half-taken or half-packed backup with its journal, a folder a restore unpacked into, a
restore's incoming copy once the collection is back in place, and a killed export's files."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cehrs_cards.interchange import atomic
from cehrs_cards.services.backup import backup_dir

DB_NAME = "collection.sqlite"


def clean_leftovers(data_dir: Path) -> list[Path]:
    """Remove leftovers of interrupted work in the data folder; returns what was removed."""
    found: list[Path] = [*data_dir.glob("import-*")]
    backups = backup_dir(data_dir)
    if backups.is_dir():
        found += [*backups.glob("unpack-*"), *backups.glob("*.partial"), *backups.glob("*-journal")]
    restoring = data_dir / f"{DB_NAME}.restoring"
    if (data_dir / DB_NAME).exists() and restoring.exists():
        found.append(restoring)  # the restore finished its rename, or never got that far
    removed = [p for p in found if atomic.remove(p)]
    removed += _export_leftovers(data_dir)
    return removed


def _export_leftovers(data_dir: Path) -> list[Path]:
    """A killed export's temporary files, in the folders the app exports to by default."""
    removed: list[Path] = []
    for folder in {data_dir, Path.home()}:
        try:
            removed += cleanup_export_leftovers(folder)
        except OSError:
            continue
    return removed


def cleanup_export_leftovers(
    folder: Path, older_than: timedelta = timedelta(minutes=15), now: datetime | None = None
) -> list[Path]:
    """Remove the temporary files a killed export left in `folder` (and the temporary
    folders older versions left in the system temp dir); returns what was removed.

    Only leftovers older than `older_than` go, so an export still running in another
    process keeps its files. The app calls this at start for the folders it exports to.
    """
    limit = (now or datetime.now().astimezone()).timestamp() - older_than.total_seconds()
    removed = []
    for path in [*atomic.leftovers(folder), *atomic.legacy_temp_dirs()]:
        try:
            old = path.lstat().st_mtime <= limit
        except OSError:
            continue
        if old and atomic.remove(path):
            removed.append(path)
    return removed
