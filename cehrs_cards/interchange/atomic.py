"""Write a file so that the one it replaces survives any failure: write aside, then rename.

Every export is written to a hidden temporary file beside its target (same folder, so the
rename is atomic on one file system), flushed to disk, and renamed over the target only when
complete. A full disk, an error or a crash part-way leaves the old file byte-identical. The
temporary files carry a recognisable name (`.NAME.XXXXXXXX.cehrs-export.part`) so that one
left by a killed process can be found and removed later (`leftovers`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

LEFTOVER_SUFFIX = ".cehrs-export.part"
LEGACY_TEMP_PREFIX = "cehrs-export-"  # temporary folders older versions made in the temp dir


def temp_beside(path: Path, tag: str = "") -> Path:
    """A new empty file in `path`'s folder, named for cleanup; the caller removes it."""
    for _ in range(100):
        name = f".{path.name[:120]}{tag}.{secrets.token_hex(4)}{LEFTOVER_SUFFIX}"  # < 255
        candidate = path.with_name(name)
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(f"no free temporary name beside {path}")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block ends normally, the file written
    there is synced and renamed over `path`. On any exception it is removed instead."""
    part = temp_beside(path)
    try:
        yield part
        _keep_mode(path, part)
        _fsync_file(part)
        os.replace(part, path)
        _fsync_dir(path.parent)
    finally:
        part.unlink(missing_ok=True)


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call `write` with a binary file beside `path`, then put that file in `path`'s place."""
    with replacing(path) as part, part.open("wb") as out:
        write(out)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    with replacing(path) as part:
        part.write_bytes(data)


def leftovers(folder: Path) -> list[Path]:
    """Temporary export files in `folder` (from any process, finished or not)."""
    try:
        found = folder.glob(f".*{LEFTOVER_SUFFIX}*")  # with SQLite's "-journal" beside one
        return sorted(p for p in found if p.is_file())
    except OSError:
        return []


def legacy_temp_dirs() -> list[Path]:
    """Temporary folders that older versions' .apkg exports left in the system temp dir."""
    root = Path(tempfile.gettempdir())
    try:
        return sorted(p for p in root.glob(f"{LEGACY_TEMP_PREFIX}*") if p.is_dir())
    except OSError:
        return []


def remove(path: Path) -> bool:
    """Delete a leftover file or folder; False if it could not be removed."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        return False
    return True


def _keep_mode(target: Path, part: Path) -> None:
    """A replaced file keeps its permission bits (a new one gets the umask's default)."""
    with suppress(OSError):
        os.chmod(part, target.stat().st_mode & 0o7777)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)  # Windows can only flush a file open for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a folder and needs not)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
