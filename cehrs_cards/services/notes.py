"""Reading and editing one note (fields, tags, domain), with undo."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from cehrs_cards.core.sanitize import sanitize_html, strip_html
from cehrs_cards.db.models import Card, Note, NoteType
from cehrs_cards.db.repo import fields_dict, fields_json, notetype_from_row
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.undo import UndoEntry, UndoStack


@dataclass(frozen=True)
class NoteEdit:
    note_id: int
    notetype: str
    fields: dict[str, str]
    tags: list[str]
    domain: int


class NotesService:
    def __init__(self, col: Collection, undo: UndoStack) -> None:
        self.col = col
        self.undo_stack = undo

    def get(self, note_id: int) -> NoteEdit:
        with self.col.read() as s:
            note, nt_row = _load(s, note_id)
            nt = notetype_from_row(nt_row)
            dom = s.exec(select(Card.domain).where(Card.note_id == note_id)).first() or 0
            return NoteEdit(note_id, nt.name, fields_dict(nt, note.fields), note.tags.split(), dom)

    def update(self, edit: NoteEdit) -> None:
        """Save fields, tags and domain (on every card of the note) in one transaction."""
        old = self.get(edit.note_id)
        if old == edit:
            return
        with self.col.transaction() as s:
            _write(s, edit, self.col)
        self.undo_stack.push(UndoEntry("Edit note", None, lambda s: _write(s, old, self.col)))


def _load(s: Session, note_id: int) -> tuple[Note, NoteType]:
    note = s.get(Note, note_id)
    if note is None:
        raise KeyError(f"note {note_id} not found")
    nt_row = s.get(NoteType, note.notetype_id)
    assert nt_row is not None
    return note, nt_row


def _write(s: Session, edit: NoteEdit, col: Collection) -> None:
    note, nt_row = _load(s, edit.note_id)
    nt = notetype_from_row(nt_row)
    clean = {k: sanitize_html(v) for k, v in edit.fields.items()}
    note.fields = fields_json(nt, clean)
    note.sort_field = strip_html(clean.get(nt.fields[0], ""))[:200]
    note.tags = " ".join(sorted(set(edit.tags)))
    note.modified = col.now()
    s.add(note)
    for card in s.exec(select(Card).where(Card.note_id == edit.note_id)):
        if card.domain != edit.domain:
            card.domain = edit.domain
            s.add(card)
