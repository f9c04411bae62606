"""The open collection as a whole, as the main window needs it: backups and closing."""

from __future__ import annotations

from pathlib import Path

from cehrs_cards.services import backup as bk
from cehrs_cards.services.collection import Collection


class CollectionSession:
    def __init__(self, col: Collection) -> None:
        self._col = col

    @property
    def data_dir(self) -> Path:
        return self._col.data_dir

    @property
    def closed(self) -> bool:
        return self._col.closed

    def backup(self, reason: str) -> bk.Backup:
        """A consistent snapshot now (the SQLite backup API: safe beside other connections)."""
        return self._col.backup(reason)

    def backups(self) -> list[bk.Backup]:
        return bk.list_backups(self._col.data_dir)

    def backup_due(self) -> bool:
        return bk.backup_due(self._col.data_dir, self._col.now())

    def is_intact(self) -> bool:
        return self._col.is_intact()

    def close(self, backup_first: bool = True) -> None:
        """Back up (unless told not to: a damaged file) and close; idempotent."""
        if self._col.closed:
            return
        try:
            if backup_first:
                self._col.backup("close")
        finally:
            self._col.close()
