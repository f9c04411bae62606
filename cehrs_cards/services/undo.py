"""One undo stack shared by every service of a session (the Edit > Undo menu reads it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from cehrs_cards.services.collection import Collection

MAX_UNDO = 100


@dataclass(frozen=True)
class UndoEntry:
    label: str
    card_id: int | None
    restore: Callable[[Session], None]


class UndoStack:
    def __init__(self, col: Collection) -> None:
        self.col = col
        self._entries: list[UndoEntry] = []

    def push(self, entry: UndoEntry) -> None:
        self._entries.append(entry)
        del self._entries[:-MAX_UNDO]

    def label(self) -> str | None:
        return self._entries[-1].label if self._entries else None

    def undo(self) -> UndoEntry | None:
        """Undo the newest action in one transaction; returns it (its card can be shown again)."""
        if not self._entries:
            return None
        entry = self._entries.pop()
        with self.col.transaction() as s:
            entry.restore(s)
        return entry
