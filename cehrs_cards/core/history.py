"""A card's review history as the memory model reads it: one place that decides which
entries count and how far apart they are, for rescheduling, optimising and statistics.

`since_last_reset` is where "the history restarts at the last Forget" lives: a manual entry
with rating 0 (Anki's revlog type 4, written by "Reset to new") cuts off everything before
it. Elapsed time between entries is counted in study days (core/clock.py), as Anki does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.records import CardState, MemoryState

LEARN, REVIEW, RELEARN, FILTERED, MANUAL, RESCHEDULED = range(6)
"""Anki's revlog entry types (rslib revlog RevlogReviewKind), stored in the log's `kind`:
what the card was when answered, or a manual change (reset to new, set due date; MANUAL is
not an answer) or a rescheduling."""
KIND_NAMES = ("learn", "review", "relearn", "filtered", "manual", "rescheduled")
DAY_SECONDS = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LogEntry:
    """One review-log entry of a card: when, the button (1-4; 0 for a manual entry), kind."""

    at: datetime
    rating: int
    kind: int = 0
    interval: int = 0


class LogLike(Protocol):
    """What the rules below read of an entry (stored rows and Anki's own rows alike)."""

    @property
    def kind(self) -> int: ...
    @property
    def rating(self) -> int: ...
    @property
    def interval(self) -> int: ...


def is_reset(e: LogLike) -> bool:
    """A Forget ("Reset to new"): a manual entry with rating 0 that left no schedule (Anki's
    Forget; a set due date is manual too, but keeps an interval)."""
    return e.kind == MANUAL and e.rating == 0 and e.interval == 0


def since_last_reset(entries: Sequence[LogEntry]) -> list[LogEntry]:
    """The answers that count for a card's memory: those after its last reset (entries in
    time order); manual entries are not answers."""
    start = 0
    for i, e in enumerate(entries):
        if is_reset(e):
            start = i + 1
    return [e for e in entries[start:] if 1 <= e.rating <= 4 and e.kind != MANUAL]


@dataclass(frozen=True)
class TrainingItem:
    """A training item: a card's answers up to one on a later study day, as (rating,
    study days since the previous answer) pairs, and when that last answer was given."""

    at: datetime
    reviews: tuple[tuple[int, int], ...]


def training_sequences(
    histories: Iterable[Sequence[LogEntry]], days: StudyDays
) -> list[TrainingItem]:
    """fsrs-rs training items of every card (Anki's rule: each prefix of the history since
    the last reset that ends on a later study day than the answer before it), oldest first."""
    out: list[TrainingItem] = []
    for entries in histories:
        answers = since_last_reset(entries)
        reviews: list[tuple[int, int]] = []
        last = answers[0].at if answers else None
        for e in answers:
            delta = days.elapsed(last, e.at)
            reviews.append((e.rating, delta))
            if delta > 0:
                out.append(TrainingItem(e.at, tuple(reviews)))
            last = e.at
    out.sort(key=lambda s: s.at)
    return out


class Answerable(LogLike, Protocol):
    """An entry that knows whether it was cramming (a filtered-deck answer that changed
    nothing): stored rows and Anki's rows."""

    @property
    def cramming(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored review-log row: an answer (rating 1-4) or a manual change (rating 0).

    `stability` and `difficulty` are the memory state after it (None when it left none, or
    for an imported answer that did not count: cramming in a filtered deck)."""

    id: int  # the time, in milliseconds since the epoch (UTC)
    card_id: int
    kind: int
    rating: int
    interval: int
    stability: float | None
    difficulty: float | None
    duration_ms: int

    @property
    def at(self) -> datetime:
        return _EPOCH + timedelta(milliseconds=self.id)

    @property
    def cramming(self) -> bool:
        """Answered in a filtered deck without rescheduling (Anki): it changed nothing."""
        return self.kind == FILTERED and self.difficulty is None

    @property
    def interval_days(self) -> float:
        """The interval this entry set, in days (learning steps as fractions of a day)."""
        return self.interval if self.interval > 0 else -self.interval / DAY_SECONDS


def answer_kind(before: CardState) -> int:
    """The entry type of an answer given to a card in state `before`."""
    if before == CardState.REVIEW:
        return REVIEW
    return RELEARN if before == CardState.RELEARNING else LEARN


def log_interval(after: MemoryState, at: datetime) -> int:
    """Anki's interval of an answer made at `at` leaving the card in `after`: whole days
    until the due date for a review card (at least 1), else -seconds (at least 1)."""
    seconds = (after.due - at).total_seconds()
    if after.state == CardState.REVIEW:
        return max(1, round(seconds / DAY_SECONDS))
    return -max(1, round(seconds))


def counts(e: Answerable) -> bool:
    """An answer that shapes the memory state: a button was pressed, not while cramming."""
    return e.rating > 0 and e.kind <= FILTERED and not e.cramming
