"""What an import looks up before it writes: the notes, cards and note types already stored
(by guid, note id or name). Reads only; the import's writes are in import_rows.py."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlmodel import Session, col, select

from cehrs_cards.db.models import Card, Note, NoteType

CHUNK = 500
"""Ids per IN (...) list: well under SQLite's limit on bound parameters."""


def existing_notes(s: Session, guids: list[str]) -> dict[str, Note]:
    """The stored notes among `guids`: one query finds them, the ORM loads only those."""
    if s.connection().exec_driver_sql("SELECT 1 FROM note LIMIT 1").first() is None:
        return {}
    found = [
        str(g)
        for (g,) in s.connection().exec_driver_sql(
            "SELECT guid FROM note WHERE guid IN (SELECT value FROM json_each(?))",
            (json.dumps(guids),),
        )
    ]
    out: dict[str, Note] = {}
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        out.update({r.guid: r for r in s.exec(select(Note).where(col(Note.guid).in_(chunk)))})
    return out


def existing_guids(s: Session, guids: Sequence[str]) -> set[str]:
    """The guids among `guids` that a stored note has."""
    out: set[str] = set()
    for start in range(0, len(guids), CHUNK):
        chunk = list(guids[start : start + CHUNK])
        out.update(s.exec(select(Note.guid).where(col(Note.guid).in_(chunk))))
    return out


def existing_ords(s: Session, note_ids: list[int]) -> dict[int, set[int]]:
    """note id -> the card ordinals it has, for the stored notes among `note_ids`."""
    out: dict[int, set[int]] = {}
    for start in range(0, len(note_ids), CHUNK):
        chunk = note_ids[start : start + CHUNK]
        for nid, ord_ in s.exec(select(Card.note_id, Card.ord).where(col(Card.note_id).in_(chunk))):
            out.setdefault(nid, set()).add(ord_)
    return out


def notetype_named(s: Session, name: str) -> NoteType | None:
    """The stored note type of this name, if any."""
    return s.exec(select(NoteType).where(NoteType.name == name)).first()
