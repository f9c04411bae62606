"""Automatic rotating backups (12 daily, 10 weekly, 9 monthly, as Anki keeps) and restore."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cehrs_cards.db.snapshot import is_healthy, snapshot

BACKUP_DIR = "backups"
STAMP = "%Y%m%d-%H%M%S"
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 12, 10, 9
INTERVAL = timedelta(minutes=30)


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime
    reason: str


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


def list_backups(data_dir: Path) -> list[Backup]:
    """Backups, newest first. Names are collection-<UTC stamp>-<reason>.sqlite."""
    out = []
    for p in backup_dir(data_dir).glob("collection-*.sqlite"):
        parts = p.stem.split("-", 3)
        try:
            taken = datetime.strptime(f"{parts[1]}-{parts[2]}", STAMP).replace(tzinfo=UTC)
        except (IndexError, ValueError):
            continue
        out.append(Backup(p, taken, parts[3] if len(parts) > 3 else ""))
    return sorted(out, key=lambda b: b.taken, reverse=True)


def take_backup(db_path: Path, data_dir: Path, now: datetime, reason: str) -> Backup:
    """Snapshot the collection now, then prune old backups."""
    name = f"collection-{now.astimezone(UTC).strftime(STAMP)}-{reason}.sqlite"
    dest = backup_dir(data_dir) / name
    snapshot(db_path, dest)
    prune(data_dir)
    return Backup(dest, now, reason)


def backup_due(data_dir: Path, now: datetime) -> bool:
    """True when the newest backup is older than the 30-minute interval."""
    newest = next(iter(list_backups(data_dir)), None)
    return newest is None or now - newest.taken >= INTERVAL


def keep_set(backups: list[Backup]) -> set[Path]:
    """Newest backup of each of the last 12 days, 10 weeks and 9 months that have one."""
    keep: set[Path] = set()
    for key, count in (
        (lambda d: d.date(), KEEP_DAILY),
        (lambda d: d.isocalendar()[:2], KEEP_WEEKLY),
        (lambda d: (d.year, d.month), KEEP_MONTHLY),
    ):
        seen: list[object] = []
        for b in backups:  # newest first
            k = key(b.taken)
            if k not in seen:
                seen.append(k)
                if len(seen) <= count:
                    keep.add(b.path)
    return keep


def prune(data_dir: Path) -> None:
    backups = list_backups(data_dir)
    keep = keep_set(backups)
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)


def newest_good_backup(data_dir: Path) -> Backup | None:
    return next((b for b in list_backups(data_dir) if is_healthy(b.path, full=True)), None)


def restore(db_path: Path, backup: Path, now: datetime) -> Path:
    """Put `backup` in place of the collection; the old file is kept aside, never deleted.

    The caller must have closed every connection to the collection first.
    """
    aside = db_path.with_name(f"collection-replaced-{now.astimezone(UTC).strftime(STAMP)}.sqlite")
    if db_path.exists():
        db_path.replace(aside)
    for suffix in ("-wal", "-shm"):
        extra = db_path.with_name(db_path.name + suffix)
        if extra.exists():
            extra.replace(aside.with_name(aside.name + suffix))
    shutil.copyfile(backup, db_path)
    return aside
