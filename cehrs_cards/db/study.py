"""The study screen's reads and writes of one card, in plain SQL on any session (db/session.Rows).

The answer and the card shown after it are the app's most frequent work (issue 15: the
answer and the next card within 10 ms on 100,000 cards). Through the ORM, a card shown took
four object loads (card, note, note type, deck) and an answer a load and a unit-of-work flush:
about half the time of both. Here a card shown is one joined row and an answer one UPDATE.
The times are the same text the ORM writes (db/timefmt.FORMAT) and read back as aware UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.db.columns import MEMORY_COLUMNS
from cehrs_cards.db.session import Rows, run
from cehrs_cards.db.timefmt import db_time, from_db, to_db


@dataclass(frozen=True)
class StudyRow:
    """What showing a card needs: the card's place, flag and memory, its note's fields, its
    note type's stored definition (name, kind, JSON config) and its deck's name."""

    card_id: int
    note_id: int
    ord: int
    domain: int
    flag: int
    memory: MemoryState
    fields: str
    notetype: tuple[str, str, str]
    deck_name: str


def memory_from(values: Sequence[Any]) -> MemoryState:
    """A MemoryState from the card's memory columns (MEMORY_COLUMNS order, database text)."""
    state, step, stability, difficulty, due, last_review, reps, lapses = values
    when = from_db(due)
    assert when is not None  # due is NOT NULL
    return MemoryState(
        CardState(state), step, stability, difficulty, when, from_db(last_review), reps, lapses
    )


def memory_row(mem: MemoryState) -> tuple[Any, ...]:
    """The card's memory columns (MEMORY_COLUMNS order, database text for times) for a
    MemoryState: how every writer of a card's memory stores it (the answer, the import)."""
    return (
        int(mem.state),
        mem.step,
        mem.stability,
        mem.difficulty,
        db_time(mem.due),
        db_time(mem.last_review),
        mem.reps,
        mem.lapses,
    )


_MEMORY = ", ".join(f"c.{c}" for c in MEMORY_COLUMNS)
_STUDY_ROW = f"""SELECT c.id, c.note_id, c.ord, c.domain, c.flag, {_MEMORY},
        n.fields, t.name, t.kind, t.config, d.name
    FROM card c JOIN note n ON n.id = c.note_id JOIN notetype t ON t.id = n.notetype_id
    JOIN deck d ON d.id = c.deck_id WHERE c.id = ?"""
_SET_MEMORY = f"""UPDATE card SET {", ".join(f"{c} = ?" for c in MEMORY_COLUMNS)}, modified = ?
    WHERE id = ?"""


def study_row(s: Rows, card_id: int) -> StudyRow | None:
    """The card with its note, note type and deck; None if it no longer exists."""
    row = run(s, _STUDY_ROW, (card_id,)).fetchone()
    if row is None:
        return None
    n = len(MEMORY_COLUMNS)
    fields, name, kind, config, deck = row[5 + n :]
    return StudyRow(
        card_id=int(row[0]),
        note_id=int(row[1]),
        ord=int(row[2]),
        domain=int(row[3]),
        flag=int(row[4]),
        memory=memory_from(row[5 : 5 + n]),
        fields=str(fields),
        notetype=(str(name), str(kind), str(config)),
        deck_name=str(deck),
    )


def card_memory(s: Rows, card_id: int) -> tuple[int, MemoryState] | None:
    """(note id, memory state) of a card; None if it no longer exists."""
    sql = f"SELECT note_id, {', '.join(MEMORY_COLUMNS)} FROM card WHERE id = ?"
    row = run(s, sql, (card_id,)).fetchone()
    return None if row is None else (int(row[0]), memory_from(row[1:]))


def set_memory(s: Rows, card_id: int, mem: MemoryState, modified: datetime) -> None:
    """Save a card's memory state and its change time."""
    params = (*memory_row(mem), to_db(modified), card_id)
    run(s, _SET_MEMORY, params)
