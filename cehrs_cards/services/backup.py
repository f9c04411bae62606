"""Automatic rotating backups (12 daily, 10 weekly, 9 monthly, as Anki keeps) and restore.

A backup is first a plain SQLite snapshot (quick, so closing the app or starting an import
waits as little as possible); compress_backups later packs each with zstd, as Anki packs its
own, off the UI thread: the heavy benchmark collection's 344 MB becomes 126 MB, so its 31
backups take about 4 GB instead of 11.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import zstandard

from cehrs_cards.db.snapshot import is_healthy, private_file, snapshot

BACKUP_DIR = "backups"
PACKED = ".zst"  # collection-<stamp>-<reason>.sqlite.zst
ZSTD_LEVEL = 1  # 1 s for the 344 MB heavy collection, 3% larger than level 3 at half the time
STAMP = "%Y%m%d-%H%M%S"
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 12, 10, 9
KEEP_NEWEST = 5  # whatever their day: a bad day's closing backups cannot push out the good one
INTERVAL = timedelta(minutes=30)


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime
    reason: str


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


def list_backups(data_dir: Path) -> list[Backup]:
    """Backups, newest first. Names are collection-<UTC stamp>-<reason>.sqlite, packed ones
    with .zst after; a backup found both ways (packing stopped half-way) is the packed one."""
    found: dict[str, Backup] = {}
    folder = backup_dir(data_dir)
    for p in [*folder.glob("collection-*.sqlite"), *folder.glob(f"collection-*.sqlite{PACKED}")]:
        plain = p.name.removesuffix(PACKED)
        parts = plain.removesuffix(".sqlite").split("-", 3)
        try:
            taken = datetime.strptime(f"{parts[1]}-{parts[2]}", STAMP).replace(tzinfo=UTC)
        except (IndexError, ValueError):
            continue
        if plain not in found or p.name.endswith(PACKED):
            found[plain] = Backup(p, taken, parts[3] if len(parts) > 3 else "")
    return sorted(found.values(), key=lambda b: b.taken, reverse=True)


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


KEEP_SAFETY_NETS = {"before-import": 2, "before-upgrade": 1}  # reason -> newest kept


def keep_set(backups: list[Backup]) -> set[Path]:
    """The newest 5 backups, the newest of each of the last 12 days, 10 weeks and 9 months
    that have one, and the newest ones taken before an import or an upgrade: otherwise the
    next backups that day would rotate out the very state a user wants back after a bad
    import or a lost collection."""
    keep: set[Path] = {b.path for b in backups[:KEEP_NEWEST]}
    for reason, count in KEEP_SAFETY_NETS.items():
        keep.update([b.path for b in backups if b.reason == reason][:count])
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
            _plain_of(b.path).unlink(missing_ok=True)  # its unpacked twin, if any


def compress_backups(data_dir: Path) -> int:
    """Pack every plain backup with zstd (written aside, then renamed, then the plain file
    removed: a stop at any point leaves one whole backup); how many were packed. Safe while
    a backup is being taken or pruned: a file that goes away meanwhile is skipped."""
    folder = backup_dir(data_dir)
    for stale in folder.glob(f"*{PACKED}.partial"):
        stale.unlink(missing_ok=True)  # left by a stop half-way through packing
    packed = 0
    for plain in sorted(folder.glob("collection-*.sqlite")):
        target = plain.with_name(plain.name + PACKED)
        try:
            if not target.exists():
                _pack(plain, target)
                packed += 1
            plain.unlink(missing_ok=True)
        except FileNotFoundError:  # pruned meanwhile
            target.with_name(target.name + ".partial").unlink(missing_ok=True)
    return packed


def _pack(plain: Path, target: Path) -> None:
    part = target.with_name(target.name + ".partial")
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)  # one core: the UI keeps the other
    private_file(part)
    with plain.open("rb") as source, part.open("wb") as out:
        compressor.copy_stream(source, out, read_size=1 << 20, write_size=1 << 20)
        out.flush()
        os.fsync(out.fileno())
    part.replace(target)


def _plain_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(PACKED))


@contextmanager
def unpacked(backup: Path) -> Iterator[Path]:
    """A backup as a plain SQLite file (a temporary one for a packed backup)."""
    if not backup.name.endswith(PACKED):
        yield backup
        return
    with tempfile.TemporaryDirectory(dir=backup.parent, prefix="unpack-") as tmp:
        plain = Path(tmp) / _plain_of(backup).name
        _unpack(backup, plain)
        yield plain


def _unpack(backup: Path, dest: Path) -> None:
    """Unpack a packed backup; ZstdError if it is damaged or cut short."""
    unpacker = zstandard.ZstdDecompressor().decompressobj()
    private_file(dest)
    with backup.open("rb") as source, dest.open("wb") as out:
        while chunk := source.read(1 << 20):
            out.write(unpacker.decompress(chunk))
    if not unpacker.eof:
        raise zstandard.ZstdError(f"{backup.name} is cut short")


def _copy_out(backup: Path, dest: Path) -> None:
    """The backup as a plain file at `dest`, fully written before anything else is moved."""
    if backup.name.endswith(PACKED):
        _unpack(backup, dest)
    else:
        private_file(dest)
        shutil.copyfile(backup, dest)


def newest_good_backup(data_dir: Path) -> Backup | None:
    for b in list_backups(data_dir):
        try:
            with unpacked(b.path) as plain:
                if plain.stat().st_size > 0 and is_healthy(plain, full=True):
                    return b
        except (OSError, zstandard.ZstdError):
            continue  # an unreadable or truncated packed backup is not a good one
    return None


def restore(db_path: Path, backup: Path, now: datetime) -> Path:
    """Put `backup` in place of the collection; the old file is kept aside, never deleted.

    The caller must have closed every connection to the collection first.
    """
    incoming = db_path.with_name(db_path.name + ".restoring")
    try:
        try:
            _copy_out(backup, incoming)
        except FileNotFoundError:  # packed meanwhile (compress_backups runs in the background)
            _copy_out(backup.with_name(backup.name + PACKED), incoming)
    except BaseException:
        incoming.unlink(missing_ok=True)
        raise
    stamp = now.astimezone(UTC).strftime(STAMP)
    aside = db_path.with_name(f"collection-replaced-{stamp}.sqlite")
    n = 1
    while aside.exists():  # never over an earlier replaced file
        n += 1
        aside = db_path.with_name(f"collection-replaced-{stamp}-{n}.sqlite")
    if db_path.exists():
        db_path.replace(aside)
    for suffix in ("-wal", "-shm"):
        extra = db_path.with_name(db_path.name + suffix)
        if extra.exists():
            extra.replace(aside.with_name(aside.name + suffix))
    incoming.replace(db_path)
    return aside
