"""Notes as an item bank (schema step 7): same-fact groups and the held-out diagnostic pool.

Held-out notes are never studied and are drawn only for scored mock items. Their cards are
left out of a query by `heldout_filter()`: an uncorrelated subquery SQLite runs once per
statement, reading the partial index ix_note_heldout (held-out notes only) and the card's
(note_id, ord) index, then tests each card by its id, which every card index holds, so
covering indexes stay covering (benchmarks/schema_costs.py measures it at 100,000 cards).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from cehrs_cards.db.models import Card
from cehrs_cards.db.row_snapshots import IN_IDS, ids_json
from cehrs_cards.db.session import Rows

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


# ----- a note's cards, and the notes of cards ------------------------------------------------
def first_card(s: Session, note_id: int) -> Card | None:
    """The note's card of lowest ordinal (None if it has none)."""
    return s.exec(select(Card).where(Card.note_id == note_id).order_by(col(Card.ord))).first()


def card_ids_of_note(s: Session, note_id: int) -> list[int]:
    """The note's card ids, by ordinal."""
    q = select(Card.id).where(Card.note_id == note_id).order_by(col(Card.ord))
    return [i for i in s.exec(q) if i is not None]


def card_ords(s: Session, note_id: int) -> set[int]:
    """The ordinals the note has cards for."""
    return set(s.exec(select(Card.ord).where(Card.note_id == note_id)))


def note_ids_of_cards(s: Session, card_ids: Sequence[int]) -> list[int]:
    """The distinct notes of these cards."""
    sql = f"SELECT DISTINCT note_id FROM card WHERE id {IN_IDS}"
    return [r[0] for r in s.connection().exec_driver_sql(sql, (ids_json(card_ids),))]


def card_ids_of_notes(s: Session, note_ids: Sequence[int]) -> list[int]:
    """Every card of these notes."""
    sql = f"SELECT id FROM card WHERE note_id {IN_IDS}"
    return [r[0] for r in s.connection().exec_driver_sql(sql, (ids_json(note_ids),))]


def delete_notes(s: Session, note_ids: Sequence[int]) -> None:
    """Delete notes; their cards and review log go by ON DELETE CASCADE."""
    s.connection().exec_driver_sql(f"DELETE FROM note WHERE id {IN_IDS}", (ids_json(note_ids),))


def delete_cards(s: Session, card_ids: Sequence[int]) -> None:
    """Delete cards; their review log goes by ON DELETE CASCADE."""
    s.connection().exec_driver_sql(f"DELETE FROM card WHERE id {IN_IDS}", (ids_json(card_ids),))


# ----- note rows, read plainly ---------------------------------------------------------------
def note_tags(s: Rows, note_ids: Sequence[int]) -> list[tuple[int, str]]:
    """(note id, tag text) of these notes."""
    sql = f"SELECT id, tags FROM note WHERE id {IN_IDS}"
    rows = s.connection().exec_driver_sql(sql, (ids_json(note_ids),))
    return [(int(i), str(tags)) for i, tags in rows]


def note_fields(s: Session, note_ids: Sequence[int] | None) -> Iterable[Any]:
    """(note id, note type id, stored fields) of these notes (None: of every note)."""
    sql = "SELECT id, notetype_id, fields FROM note"
    if note_ids is None:
        return s.connection().exec_driver_sql(sql)
    return s.connection().exec_driver_sql(f"{sql} WHERE id {IN_IDS}", (ids_json(note_ids),))


def card_notes_ords(s: Session, card_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """card id -> (note id, ordinal) of these cards (ids deleted meanwhile are left out)."""
    sql = f"SELECT id, note_id, ord FROM card WHERE id {IN_IDS}"
    rows = s.connection().exec_driver_sql(sql, (ids_json(card_ids),))
    return {int(c): (int(n), int(o)) for c, n, o in rows}


def sibling_card_ids(s: Session, card_ids: Sequence[int]) -> list[int]:
    """Every card of the notes of these cards, by id."""
    sql = f"""SELECT id FROM card WHERE note_id IN
              (SELECT note_id FROM card WHERE id {IN_IDS}) ORDER BY id"""
    return [int(r[0]) for r in s.connection().exec_driver_sql(sql, (ids_json(card_ids),))]


def guids_of_cards(s: Session, card_ids: Sequence[int]) -> set[str]:
    """The guids of the notes of these cards."""
    sql = f"SELECT DISTINCT n.guid FROM card c JOIN note n ON n.id = c.note_id WHERE c.id {IN_IDS}"
    return {str(r[0]) for r in s.connection().exec_driver_sql(sql, (ids_json(card_ids),))}


def card_states(s: Session, card_ids: Sequence[int]) -> list[tuple[int, int, int | None]]:
    """(card id, state, learning step) of these cards."""
    sql = f"SELECT id, state, step FROM card WHERE id {IN_IDS}"
    rows = s.connection().exec_driver_sql(sql, (ids_json(card_ids),))
    return [(int(c), int(st), sp) for c, st, sp in rows]
