"""Conversions between card rows and MemoryState: the card's memory columns are
MemoryState's fields, by name (db/columns.MEMORY_COLUMNS)."""

from __future__ import annotations

from datetime import datetime

from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.db.columns import MEMORY_COLUMNS
from cehrs_cards.db.models import Card


def memory_of(card: Card) -> MemoryState:
    values = {c: getattr(card, c) for c in MEMORY_COLUMNS}
    return MemoryState(**{**values, "state": CardState(card.state)})


def apply_memory(card: Card, mem: MemoryState, now: datetime) -> None:
    for c in MEMORY_COLUMNS:
        setattr(card, c, getattr(mem, c))
    card.state = int(mem.state)
    card.modified = now
