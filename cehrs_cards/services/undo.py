"""The undo stack of a session, and how a service turns a transaction into an operation.

Services return OpResult (core/ops.py): the value, what changed and an UndoStep; the UI's
operation runner pushes the step here. Undoing runs the step's restore in one transaction
and returns what it changed, so the views redraw the same way as after the operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cehrs_cards.core.ops import Changes, OpResult, UndoStep
from cehrs_cards.db.session import Session
from cehrs_cards.services.collection import Collection

MAX_UNDO = 100
T = TypeVar("T")
Restore = Callable[[Session], None]
"""Puts rows back inside a transaction (see db/row_snapshots.py for the snapshots it uses)."""


class UndoStack:
    def __init__(self) -> None:
        self._steps: list[UndoStep] = []

    def push(self, step: UndoStep | None) -> None:
        if step is not None:
            self._steps.append(step)
            del self._steps[:-MAX_UNDO]

    def label(self) -> str | None:
        return self._steps[-1].label if self._steps else None

    def undo(self) -> tuple[UndoStep, Changes] | None:
        """Undo the newest step (one transaction); the step and what it changed."""
        if not self._steps:
            return None
        step = self._steps.pop()
        return step, step.restore()

    def clear(self) -> None:
        self._steps.clear()


def transact(
    col: Collection,
    label: str,
    work: Callable[[Session], tuple[T, Restore | None]],
    changes: Changes,
    card_id: int | None = None,
) -> OpResult[T]:
    """Run `work` in one transaction; the restore it returns becomes the undo step, which
    reports the same changes when it runs."""
    with col.transaction() as s:
        value, restore = work(s)
    return OpResult(value, changes, undo_step(col, label, restore, changes, card_id))


def undo_step(
    col: Collection,
    label: str,
    restore: Restore | None,
    changes: Changes,
    card_id: int | None = None,
) -> UndoStep | None:
    if restore is None:
        return None

    def run() -> Changes:
        with col.transaction() as s:
            restore(s)
        return changes

    return UndoStep(label, run, card_id)


def undo_all(*parts: object) -> Restore:
    """One restore undoing several row snapshots (db/row_snapshots) and restores, newest first."""
    from cehrs_cards.db import row_snapshots as bu

    def restore(s: Session) -> None:
        for part in reversed(parts):
            if isinstance(part, bu.Snapshot):
                bu.restore(s, part)
            elif callable(part):
                part(s)

    return restore
