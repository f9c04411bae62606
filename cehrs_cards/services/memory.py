"""Conversions between card rows, review-log JSON and MemoryState."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

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


def memory_to_json(mem: MemoryState) -> str:
    d: dict[str, Any] = {
        "state": int(mem.state),
        "step": mem.step,
        "stability": mem.stability,
        "difficulty": mem.difficulty,
        "due": mem.due.isoformat(),
        "last_review": mem.last_review.isoformat() if mem.last_review else None,
        "reps": mem.reps,
        "lapses": mem.lapses,
    }
    return json.dumps(d)


def memory_from_json(text: str) -> MemoryState:
    d = json.loads(text)
    return MemoryState(
        state=CardState(d["state"]),
        step=d["step"],
        stability=d["stability"],
        difficulty=d["difficulty"],
        due=datetime.fromisoformat(d["due"]),
        last_review=datetime.fromisoformat(d["last_review"]) if d["last_review"] else None,
        reps=d["reps"],
        lapses=d["lapses"],
    )
