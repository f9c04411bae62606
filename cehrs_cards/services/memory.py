"""Conversions between card rows, review-log rows and MemoryState."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.db.models import Card, RevLog


def memory_of(card: Card) -> MemoryState:
    return MemoryState(
        state=CardState(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reps=card.reps,
        lapses=card.lapses,
    )


def apply_memory(card: Card, mem: MemoryState, now: datetime) -> None:
    card.state = int(mem.state)
    card.step = mem.step
    card.stability = mem.stability
    card.difficulty = mem.difficulty
    card.due = mem.due
    card.last_review = mem.last_review
    card.reps = mem.reps
    card.lapses = mem.lapses
    card.modified = now


def before_columns(mem: MemoryState) -> dict[str, Any]:
    """A review-log row's before_* columns: the card's state before the answer."""
    return {
        "before_state": int(mem.state),
        "before_step": mem.step,
        "before_stability": mem.stability,
        "before_difficulty": mem.difficulty,
        "before_due": mem.due,
        "before_last_review": mem.last_review,
        "before_reps": mem.reps,
        "before_lapses": mem.lapses,
    }


def memory_before(log: RevLog) -> MemoryState:
    """The card's state before the answer `log` records (what undo puts back)."""
    return MemoryState(
        state=CardState(log.before_state),
        step=log.before_step,
        stability=log.before_stability,
        difficulty=log.before_difficulty,
        due=log.before_due,
        last_review=log.before_last_review,
        reps=log.before_reps,
        lapses=log.before_lapses,
    )
