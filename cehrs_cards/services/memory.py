"""Conversions between card rows and MemoryState."""

from __future__ import annotations

from datetime import datetime

from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.db.models import Card


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
