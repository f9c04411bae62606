"""A card's review history in Anki's terms, pure: entry kinds, Anki's interval encoding, which
entries shape the memory state now (a reset starts the card's life again), and study days.

The review log keeps Anki's entry types (rslib/src/revlog/mod.rs, RevlogReviewKind): what the
card was when answered (learning, review, relearning; filtered: answered in a filtered deck),
or a change made by hand (manual: a reset to new or a set due date) or by rescheduling. Its
interval is Anki's too: whole days (> 0) for a review card, seconds to the next learning step
as a negative number, 0 when the entry left the card without a schedule (a reset).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol, TypeVar

from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.core.scheduling import study_day_start

LEARN, REVIEW, RELEARN, FILTERED, MANUAL, RESCHEDULED = range(6)
KIND_NAMES = ("learn", "review", "relearn", "filtered", "manual", "rescheduled")
DAY_SECONDS = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class LogLike(Protocol):
    """What the rules below read of an entry (stored rows and Anki's own rows alike)."""

    @property
    def kind(self) -> int: ...
    @property
    def rating(self) -> int: ...
    @property
    def interval(self) -> int: ...
    @property
    def cramming(self) -> bool: ...


E = TypeVar("E", bound=LogLike)


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


def is_reset(e: LogLike) -> bool:
    """A Forget / reset to new: a manual entry that left no schedule (Anki: Manual, no ease)."""
    return e.kind == MANUAL and e.rating == 0 and e.interval == 0


def counts(e: LogLike) -> bool:
    """An answer that shapes the memory state: a button was pressed, not while cramming."""
    return e.rating > 0 and e.kind <= FILTERED and not e.cramming


def history_since_reset(entries: Sequence[E]) -> list[E]:
    """The answers of a card's current life, oldest first: those after its last reset
    (Forget), without manual entries and cramming (as Anki's FSRS reads a card's log)."""
    start = 0
    for i, e in enumerate(entries):
        if is_reset(e):
            start = i + 1
    return [e for e in entries[start:] if counts(e)]


class StudyDays:
    """Study-day numbers of review times (ms): the local date of the study day, as an ordinal.

    Days start at the rollover hour in the user's zone (core.scheduling.study_day_start); the
    result is cached per quarter hour (every real UTC offset is a multiple of 15 minutes),
    since a million reviews fall in a few tens of thousands of quarter hours."""

    QUARTER_MS = 900_000

    def __init__(self, tz: tzinfo, rollover_hour: int) -> None:
        self.tz, self.rollover = tz, rollover_hour
        self._days: dict[int, int] = {}

    def day(self, ms: int) -> int:
        quarter = ms // self.QUARTER_MS
        got = self._days.get(quarter)
        if got is None:
            when = _EPOCH + timedelta(milliseconds=quarter * self.QUARTER_MS)
            start = study_day_start(when, self.tz, self.rollover)
            got = self._days[quarter] = start.astimezone(self.tz).date().toordinal()
        return got
