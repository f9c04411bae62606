"""One app instance per data folder: an OS file lock, released by the OS even after a crash."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO


class CollectionInUseError(RuntimeError):
    """Another CEHRS Cards is using this collection; we must not write to it."""


class InstanceLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "collection.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # PermissionError (a read-only folder) goes up as it is: that is not "in use".
        f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115  (held until release)
        try:
            _lock(f)
        except OSError as exc:
            f.close()
            raise CollectionInUseError(
                f"The collection in {self.path.parent} is open in another CEHRS Cards window. "
                "Close that one first (or use --data-dir for a different collection)."
            ) from exc
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            _unlock(self._file)
            self._file.close()
            self._file = None


if sys.platform == "win32":
    import msvcrt

    def _lock(f: IO[str]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(f: IO[str]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(f: IO[str]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(f: IO[str]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
