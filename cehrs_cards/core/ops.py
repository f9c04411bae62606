"""What every change to data returns: the value asked for, what changed, and how to undo it.

One way for a change to travel (as Anki's CollectionOp / OpChanges): a use case runs as an
operation on the single writer thread and returns an OpResult; the UI pushes its undo step and
tells every view what changed, and each view decides from the Changes whether to redraw.
Failures travel as exceptions: OpError for what the user should read as it is, Cancelled when
the user stopped the work (a result, not a failure). Pure: no Qt, no SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Generic, TypeVar

T = TypeVar("T")

Progress = Callable[[int, int], bool]
"""progress(done, total) -> False when the user asked to cancel (then raise Cancelled)."""


@dataclass(frozen=True)
class Changes:
    """What an operation changed, so each view can decide whether to redraw."""

    cards: bool = False  # scheduling, state, suspension, burial, flags, deck or domain of cards
    notes: bool = False  # fields, tags
    decks: bool = False  # decks added, renamed or removed
    note_types: bool = False
    settings: bool = False
    review_log: bool = False
    exams: bool = False  # exam attempts and their answers
    leech: bool = False  # an answer made its card a leech (its note was tagged "leech")
    card_ids: frozenset[int] = field(default_factory=frozenset)  # which cards, when known

    def __or__(self, other: Changes) -> Changes:
        merged = {
            f.name: getattr(self, f.name) or getattr(other, f.name)
            for f in fields(self)
            if f.name != "card_ids"
        }
        return Changes(**merged, card_ids=self.card_ids | other.card_ids)

    @property
    def study_queue(self) -> bool:
        """Whether what is due or new today may differ (the deck list and review counts)."""
        return self.cards or self.review_log or self.decks or self.settings

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class UndoStep:
    """How to put back what an operation changed: `restore` runs its own transaction and
    says what it changed; `card_id` is the card to show again (the review screen)."""

    label: str
    restore: Callable[[], Changes]
    card_id: int | None = None


@dataclass(frozen=True)
class OpResult(Generic[T]):
    value: T
    changes: Changes
    undo: UndoStep | None = None


class OpError(Exception):
    """A failure the user should read as it is (bad input, a stale card, a refused file)."""


class Cancelled(Exception):
    """The user stopped the work; nothing was written."""


def done(value: T, changes: Changes, undo: UndoStep | None = None) -> OpResult[T]:
    return OpResult(value, changes, undo)
