"""Small data-access helpers shared by services: decks, note types, note fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cehrs_cards.core.notetypes import NoteTypeDef
from cehrs_cards.core.records import CardState
from cehrs_cards.db.catalog import ensure_deck as ensure_deck  # re-exported
from cehrs_cards.db.catalog import ensure_notetype as ensure_notetype
from cehrs_cards.db.catalog import notetype_from_config
from cehrs_cards.db.catalog import notetype_to_json as notetype_to_json
from cehrs_cards.db.models import Card, Deck, Note, NoteType, RevLog, Setting


def notetype_from_row(row: NoteType) -> NoteTypeDef:
    return notetype_from_config(row.name, row.kind, row.config)


def fields_dict(nt: NoteTypeDef, stored: str) -> dict[str, str]:
    """A note's JSON field list as a dict keyed by the note type's field names."""
    values = json.loads(stored)
    return {name: (values[i] if i < len(values) else "") for i, name in enumerate(nt.fields)}


def fields_json(nt: NoteTypeDef, fields: dict[str, str]) -> str:
    return json.dumps([fields.get(name, "") for name in nt.fields], ensure_ascii=False)


def deck_names(s: Session) -> list[tuple[int, str]]:
    """(id, full name) of every deck, by name."""
    return [(d.id, d.name) for d in s.exec(select(Deck).order_by(col(Deck.name))) if d.id]


def studied_cards(s: Session) -> list[Card]:
    """Every card that has left the new state (what a reschedule replays)."""
    return list(s.exec(select(Card).where(col(Card.state) != int(CardState.NEW))))


def new_card_ids(s: Session) -> list[int]:
    """Ids of the cards not introduced yet."""
    return [
        int(i)
        for i in s.exec(select(Card.id).where(col(Card.state) == int(CardState.NEW)))
        if i is not None
    ]


def any_review(s: Session) -> bool:
    """Whether the review log has any entry (anyone has studied this collection)."""
    return s.exec(select(RevLog.id).limit(1)).first() is not None


def get_flag(s: Session, key: str) -> str | None:
    """A plain setting row's stored text (None when missing)."""
    row = s.get(Setting, key)
    return None if row is None else row.value


def set_flag(s: Session, key: str, value: str) -> None:
    """Store a plain setting row's text (caller commits)."""
    row = s.get(Setting, key) or Setting(key=key, value="")
    row.value = value
    s.add(row)


def notetypes(s: Session) -> dict[int, NoteTypeDef]:
    """Every note type by id (what rendering a card's fields needs)."""
    return {row.id: notetype_from_row(row) for row in s.exec(select(NoteType)) if row.id}


_SCHED_COLUMNS = [
    col(c)
    for c in (
        Card.id,
        Card.note_id,
        Card.ord,
        Card.deck_id,
        Card.domain,
        Card.state,
        Card.step,
        Card.stability,
        Card.difficulty,
        Card.due,
        Card.last_review,
        Card.reps,
        Card.lapses,
        Card.suspended,
        Card.buried_until,
        Card.flag,
    )
]


def scheduling_rows(s: Session) -> Iterator[Any]:
    """Every card's (id, note id, ord, deck id, domain, state, step, stability, difficulty,
    due, last review, reps, lapses, suspended, buried until, flag), by note and ord, streamed."""
    query = sa_select(*_SCHED_COLUMNS).order_by(col(Card.note_id), col(Card.ord))
    yield from s.execute(query)


def notetype_names(s: Session) -> list[str]:
    """Every note type's name, sorted."""
    return list(s.exec(select(NoteType.name).order_by(col(NoteType.name))))


def distinct_tags(s: Session) -> set[str]:
    """Every tag used by a note (as written)."""
    rows = s.connection().exec_driver_sql("SELECT DISTINCT tags FROM note")
    return {t for (row,) in rows for t in str(row).split()}


def leech_rows(s: Session, min_lapses: int) -> list[tuple[Card, Note, Deck]]:
    """(card, note, deck) of every card with at least `min_lapses` lapses, most first."""
    query = (
        select(Card, Note, Deck)
        .where(Card.lapses >= min_lapses, Card.note_id == Note.id, Card.deck_id == Deck.id)
        .order_by(col(Card.lapses).desc(), col(Card.id))
    )
    return list(s.exec(query))


_NOTE_COLUMNS = [
    col(c)
    for c in (
        Note.id,
        Note.guid,
        Note.notetype_id,
        Note.fields,
        Note.tags,
        Note.task,
        Note.difficulty,
        Note.source,
    )
]


def export_note_rows(s: Session) -> list[Any]:
    """Every note's (id, guid, note type id, fields, tags, task, difficulty, source), by id."""
    query = sa_select(*_NOTE_COLUMNS).order_by(col(Note.id))
    return list(s.connection().execute(query))


def card_deck_rows(s: Session) -> list[tuple[int, int, int, int]]:
    """Every card's (note id, ord, deck id, domain), by note and ord."""
    query = select(Card.note_id, Card.ord, Card.deck_id, Card.domain)
    return list(s.exec(query.order_by(col(Card.note_id), col(Card.ord))))
