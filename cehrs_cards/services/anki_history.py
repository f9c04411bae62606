"""Anki scheduling into FSRS state: replay a card's Anki review log through our scheduler.

The memory state (stability, difficulty) comes from the replay; the due date stays the one
Anki had, as Anki itself does when FSRS is switched on, so nothing piles up on day one.
A card with an interval but no usable log gets an estimate (stability = its interval).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from cehrs_cards.core.records import CardState, MemoryState, Rating
from cehrs_cards.core.scheduling import Schedulers, new_state
from cehrs_cards.interchange.package import CardIn, ReviewIn

REPLAY_ID = 1  # fsrs wants a card id; the replay's value never reaches the database
RESET_KIND = 4  # Anki revlog type "manual": with interval 0 it is a Forget
ESTIMATED_DIFFICULTY = 5.0


@dataclass(frozen=True)
class ReplayedReview:
    """One review-log row to store: when, the button, and the states either side."""

    at: datetime
    rating: int
    duration_ms: int
    before: MemoryState
    after: MemoryState
    elapsed_days: float | None


@dataclass(frozen=True)
class ImportedSchedule:
    memory: MemoryState
    suspended: bool = False
    flag: int = 0
    reviews: list[ReplayedReview] = field(default_factory=list)


def schedule_from_anki(
    card: CardIn, domain: int, schedulers: Schedulers, now: datetime
) -> ImportedSchedule | None:
    """The FSRS state and history of an Anki card, or None for a card never studied."""
    history = usable_history(card.history)
    if card.kind == 0 and not history:
        return None
    reviews = _replay(history, schedulers, domain) if history else []
    if reviews:
        last = reviews[-1].after
        mem = replace(
            last,
            due=card.due or last.due,
            reps=max(last.reps, card.reps),
            lapses=max(last.lapses, card.lapses),
        )
    elif card.kind == 2 and card.interval_days > 0:
        mem = _estimate(card, now)  # its due, reps and lapses are the card's own already
    else:
        return None
    flag = card.flag if 1 <= card.flag <= 4 else 0
    return ImportedSchedule(mem, card.queue == -1, flag, reviews)


def usable_history(history: list[ReviewIn]) -> list[ReviewIn]:
    """Answers (buttons 1-4) after the last Forget; manual reschedules are not reviews."""
    start = 0
    for i, r in enumerate(history):
        if r.kind == RESET_KIND and r.interval == 0:
            start = i + 1
    return [r for r in history[start:] if 1 <= r.rating <= 4 and r.kind <= 3]


def _replay(history: list[ReviewIn], schedulers: Schedulers, domain: int) -> list[ReplayedReview]:
    """Each answer through the app's own scheduling (study-day clock, interval rules)."""
    mem = new_state(history[0].at)
    out = []
    for r in history:
        rating = Rating(r.rating)
        after = schedulers.answer(REPLAY_ID, domain, mem, rating, r.at)
        elapsed = (r.at - mem.last_review).total_seconds() / 86400 if mem.last_review else None
        out.append(ReplayedReview(r.at, int(rating), r.duration_ms, mem, after, elapsed))
        mem = after
    return out


def _estimate(card: CardIn, now: datetime) -> MemoryState:
    due = card.due or now
    return MemoryState(
        state=CardState.REVIEW,
        step=None,
        stability=float(card.interval_days),
        difficulty=ESTIMATED_DIFFICULTY,
        due=due,
        last_review=due - timedelta(days=card.interval_days),
        reps=card.reps,
        lapses=card.lapses,
    )
