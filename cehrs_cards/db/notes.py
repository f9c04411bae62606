"""Notes as an item bank (schema step 7): same-fact groups and the held-out diagnostic pool.

Held-out notes are never studied and are drawn only for scored mock items. Their cards are
left out of a query by `heldout_filter()`: an uncorrelated subquery SQLite runs once per
statement, reading the partial index ix_note_heldout (held-out notes only) and the card's
(note_id, ord) index, then tests each card by its id, which every card index holds, so
covering indexes stay covering (benchmarks/schema_costs.py measures it at 100,000 cards).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlmodel import Session

HELDOUT_NOTES = "SELECT id FROM note WHERE heldout = 1"
"""Held-out notes (the partial index's own condition, word for word, so SQLite uses it)."""
HELDOUT_CARDS = f"SELECT hc.id FROM card hc WHERE hc.note_id IN ({HELDOUT_NOTES})"
"""The cards of held-out notes."""


def heldout_filter(alias: str = "c") -> str:
    """SQL to AND into a card query (`alias` names the card table) leaving held-out cards out."""
    if not alias.isidentifier():
        raise ValueError(f"not a table alias: {alias!r}")
    return f" AND {alias}.id NOT IN ({HELDOUT_CARDS})"


def heldout_card_ids(s: Session) -> set[int]:
    """Ids of every card of a held-out note."""
    return {int(r[0]) for r in s.connection().exec_driver_sql(HELDOUT_CARDS)}


def heldout_note_ids(s: Session) -> set[int]:
    return {int(r[0]) for r in s.connection().exec_driver_sql(HELDOUT_NOTES)}


def group_of_notes(s: Session, note_ids: Iterable[int]) -> dict[int, str]:
    """note id -> its same-fact group, for the notes among `note_ids` that have one."""
    sql = (
        "SELECT id, grp FROM note WHERE id IN (SELECT value FROM json_each(?)) AND grp IS NOT NULL"
    )
    ids = json.dumps([int(i) for i in note_ids])
    return {int(i): str(g) for i, g in s.connection().exec_driver_sql(sql, (ids,))}


def group_of_cards(s: Session, card_ids: Iterable[int]) -> dict[int, str]:
    """card id -> the same-fact group of its note, for the cards whose note has one."""
    sql = """SELECT c.id, n.grp FROM card c JOIN note n ON n.id = c.note_id
             WHERE c.id IN (SELECT value FROM json_each(?)) AND n.grp IS NOT NULL"""
    ids = json.dumps([int(i) for i in card_ids])
    return {int(i): str(g) for i, g in s.connection().exec_driver_sql(sql, (ids,))}
