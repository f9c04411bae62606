"""Small data-access helpers shared by services: decks, note types, note fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cehrs_cards.core import decks
from cehrs_cards.core.notetypes import NoteTypeDef, Template
from cehrs_cards.core.records import CardState
from cehrs_cards.db.models import Card, Deck, Note, NoteType, RevLog, Setting


def notetype_to_json(nt: NoteTypeDef) -> str:
    return json.dumps(
        {"fields": list(nt.fields), "templates": [asdict(t) for t in nt.templates], "css": nt.css}
    )


def notetype_from_row(row: NoteType) -> NoteTypeDef:
    cfg = json.loads(row.config)
    templates = tuple(Template(**t) for t in cfg["templates"])
    return NoteTypeDef(row.name, row.kind, tuple(cfg["fields"]), templates, cfg.get("css", ""))


def ensure_notetype(session: Session, nt: NoteTypeDef) -> int:
    """Id of the stored note type matching `nt` by name and fields; adds it (renamed if taken)."""
    name = nt.name
    for n in range(1, 1000):
        row = session.exec(select(NoteType).where(NoteType.name == name)).first()
        if row is None:
            row = NoteType(name=name, kind=nt.kind, config=notetype_to_json(nt))
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id
        if tuple(json.loads(row.config)["fields"]) == nt.fields:
            assert row.id is not None
            return row.id
        name = f"{nt.name} ({n + 1})"
    raise RuntimeError(f"too many note types named {nt.name!r}")


def ensure_deck(session: Session, name: str, cache: dict[str, int] | None = None) -> int:
    """Id of the deck with this full name, creating it and its parents as needed.

    Walks the levels from the top down (a loop: a name thousands of levels deep once ran
    out of Python's recursion limit; core.decks.normalise caps the depth)."""
    name = decks.normalise(name)
    if cache is not None and name in cache:
        return cache[name]
    row = session.exec(select(Deck).where(Deck.name == name)).first()
    if row is not None and row.id is not None:  # the usual case: it is there already
        if cache is not None:
            cache[name] = row.id
        return row.id
    parent_id: int | None = None
    for full in decks.lineage(name):
        known = cache.get(full) if cache is not None else None
        if known is None:
            known = _deck_id(session, full, parent_id)
            if cache is not None:
                cache[full] = known
        parent_id = known
    assert parent_id is not None
    return parent_id


def _deck_id(session: Session, name: str, parent_id: int | None) -> int:
    """Id of the deck with this full name, created under `parent_id` if missing."""
    row = session.exec(select(Deck).where(Deck.name == name)).first()
    if row is None:
        row = Deck(name=name, parent_id=parent_id)
        session.add(row)
        session.flush()
    assert row.id is not None
    return row.id


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
