"""A card's review history as the memory model reads it: one place that decides which
entries count and how far apart they are, for rescheduling, optimising and statistics.

`since_last_reset` is where "the history restarts at the last Forget" lives: a manual entry
with rating 0 (Anki's revlog type 4, written by "Reset to new") cuts off everything before
it. Elapsed time between entries is counted in study days (core/clock.py), as Anki does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cehrs_cards.core.clock import StudyDays

MANUAL = 4
"""Anki's revlog type for a manual change (reset, set due date): not an answer."""


@dataclass(frozen=True)
class LogEntry:
    """One review-log entry of a card: when, the button (1-4; 0 for a manual entry), kind."""

    at: datetime
    rating: int
    kind: int = 0


def is_reset(e: LogEntry) -> bool:
    """A Forget ("Reset to new"): a manual entry with rating 0."""
    return e.kind == MANUAL and e.rating == 0


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
