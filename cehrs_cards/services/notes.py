"""Notes, the one implementation of writing them (the review screen's editor, the browser, Add
note, find and replace): read one, add, save, delete, domain, tags. Each edit is one
transaction returning an OpResult with its undo step (db/row_snapshots.py puts the rows back)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cehrs_cards.core.note_fields import (
    EditError,
    check_domain,
    clean_fields,
    sort_field,
    substitute,
    tag_text,
    validate,
)
from cehrs_cards.core.notetypes import BUILTIN_BY_KIND, NoteTypeDef
from cehrs_cards.core.ops import Changes, OpResult
from cehrs_cards.core.sanitize import sanitize_html
from cehrs_cards.db import notes as q
from cehrs_cards.db import row_snapshots as bu
from cehrs_cards.db.models import Card, Deck, Note, NoteType
from cehrs_cards.db.repo import (
    ensure_notetype,
    fields_dict,
    fields_json,
    notetype_from_row,
    notetypes,
)
from cehrs_cards.db.session import Session
from cehrs_cards.db.timefmt import to_db
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.decks import ensure_deck_undoable
from cehrs_cards.services.undo import Restore, transact, undo_all


@dataclass(frozen=True)
class NoteDetail:
    """A note as an editor shows it (deck and domain are those of the card it was opened on)."""

    note_id: int
    notetype: str
    kind: str
    fields: dict[str, str]
    tags: list[str]
    domain: int
    deck: str
    card_ids: tuple[int, ...]
    notetype_def: NoteTypeDef | None = None  # its templates: the editor's live preview


@dataclass(frozen=True)
class NewNote:
    kind: str  # basic | reversed | cloze | mcq
    fields: dict[str, str]
    tags: list[str]
    domain: int
    deck: str


@dataclass(frozen=True)
class NoteChange:
    """What an editor saves: fields, tags, domain and deck (for every card of the note)."""

    note_id: int
    fields: dict[str, str]
    tags: list[str]
    domain: int
    deck: str

    @staticmethod
    def of(detail: NoteDetail) -> NoteChange:
        return NoteChange(detail.note_id, detail.fields, detail.tags, detail.domain, detail.deck)


NOTE_CHANGES = Changes(notes=True, cards=True)


class NotesService:
    def __init__(self, col: Collection) -> None:
        self.col = col

    def note_of_card(self, card_id: int) -> NoteDetail:
        """The note of a card, with the deck and domain of that card."""
        with self.col.read() as s:
            card = s.get(Card, card_id)
            if card is None:
                raise KeyError(f"card {card_id} not found")
            return _detail(s, card.note_id, card)

    def note(self, note_id: int) -> NoteDetail:
        """A note, with the deck and domain of its first card."""
        with self.col.read() as s:
            return _detail(s, note_id, q.first_card(s, note_id))

    # ----- adding and editing ------------------------------------------------------------------
    def add_note(self, new: NewNote) -> OpResult[list[int]]:
        """Add a note and its cards (new, due now); the value is the card ids."""
        nt = BUILTIN_BY_KIND.get(new.kind)
        if nt is None:
            raise EditError(f"Unknown note type {new.kind!r}.")
        fields = clean_fields(nt, new.fields)
        validate(nt, fields)
        check_domain(new.domain)

        def work(s: Session) -> tuple[list[int], Restore]:
            now = self.col.now()
            note = Note(
                guid=f"u-{uuid.uuid4().hex}",
                notetype_id=ensure_notetype(s, nt),
                fields=fields_json(nt, fields),
                sort_field=sort_field(nt, fields),
                tags=tag_text(new.tags),
                created=now,
                modified=now,
            )
            s.add(note)
            s.flush()
            assert note.id is not None
            deck_id, drop_decks = ensure_deck_undoable(s, new.deck)
            made = _make_cards(s, (note.id, now), nt, fields, (deck_id, new.domain))
            note_id = note.id
            return made, undo_all(drop_decks, lambda s2: _delete_notes(s2, [note_id]))

        return transact(self.col, "Add note", work, NOTE_CHANGES | Changes(decks=True))

    def save_note(self, change: NoteChange) -> OpResult[None]:
        """Save an editor: fields, tags, domain and deck; new cloze numbers get new cards."""
        check_domain(change.domain)

        def work(s: Session) -> tuple[None, Restore]:
            note = s.get(Note, change.note_id)
            nt_row = s.get(NoteType, note.notetype_id) if note else None
            if note is None or nt_row is None:
                raise EditError("This note was deleted.")
            nt = notetype_from_row(nt_row)
            fields = clean_fields(nt, change.fields)
            validate(nt, fields)
            card_ids = q.card_ids_of_note(s, change.note_id)
            when = self.col.now()
            now = to_db(when)
            deck_id, drop_decks = ensure_deck_undoable(s, change.deck)
            note_values = {
                "fields": fields_json(nt, fields),
                "sort_field": sort_field(nt, fields),
                "tags": tag_text(change.tags),
                "modified": now,
            }
            notes = bu.update(s, "note", [change.note_id], note_values)
            values = {"domain": change.domain, "deck_id": deck_id, "modified": now}
            cards = bu.update(s, "card", card_ids, values)
            added = _make_cards(s, (change.note_id, when), nt, fields, (deck_id, change.domain))
            return None, undo_all(drop_decks, lambda s2: _delete_cards(s2, added), notes, cards)

        return transact(self.col, "Edit note", work, NOTE_CHANGES | Changes(decks=True))

    def delete_notes(self, card_ids: Sequence[int]) -> OpResult[tuple[int, int]]:
        """Delete the notes of these cards (all their cards and history); (notes, cards)."""

        def work(s: Session) -> tuple[tuple[int, int], Restore]:
            note_ids = _note_ids(s, card_ids)
            deleted = bu.snapshot_notes(s, note_ids)
            _delete_notes(s, note_ids)
            counts = (deleted.count("note"), deleted.count("card"))
            return counts, lambda s2: bu.reinsert(s2, deleted)

        changes = NOTE_CHANGES | Changes(review_log=True)
        return transact(self.col, "Delete", work, changes)

    # ----- organising ----------------------------------------------------------------------------
    def change_domain(self, card_ids: Sequence[int], domain: int) -> OpResult[int]:
        """Set the CEHRS domain of the notes of these cards (every card of each note)."""
        check_domain(domain)

        def work(s: Session) -> tuple[int, Restore]:
            all_cards = _cards_of(s, _note_ids(s, card_ids))
            values = {"domain": domain, "modified": to_db(self.col.now())}
            return len(all_cards), undo_all(bu.update(s, "card", all_cards, values))

        return transact(self.col, "Change domain", work, Changes(cards=True))

    def add_tags(self, card_ids: Sequence[int], tags: Sequence[str]) -> OpResult[int]:
        return self._retag("Add tags", card_ids, lambda old: old | set(tags))

    def remove_tags(self, card_ids: Sequence[int], tags: Sequence[str]) -> OpResult[int]:
        gone = {t.lower() for t in tags}
        return self._retag(
            "Remove tags", card_ids, lambda old: {t for t in old if t.lower() not in gone}
        )

    def _retag(
        self, label: str, card_ids: Sequence[int], change: Callable[[set[str]], set[str]]
    ) -> OpResult[int]:
        def work(s: Session) -> tuple[int, Restore]:
            rows = q.note_tags(s, _note_ids(s, card_ids))
            now = to_db(self.col.now())
            values = {}
            for note_id, tags in rows:
                new = tag_text(change(set(tags.split())))
                if new != tags:
                    values[note_id] = {"tags": new, "modified": now}
            return len(values), undo_all(bu.update_each(s, "note", values))

        return transact(self.col, label, work, Changes(notes=True))

    def find_replace(
        self,
        card_ids: Sequence[int] | None,
        find: str,
        replace: str,
        field: str | None = None,
        regex: bool = False,
        ignore_case: bool = True,
    ) -> OpResult[int]:
        """Replace text in the fields of the notes of these cards (None: every note); the
        value is how many notes changed."""
        if not find:
            raise EditError("Type the text to find.")
        try:
            pattern = re.compile(find if regex else re.escape(find), re.I if ignore_case else 0)
        except re.error as exc:
            raise EditError(f"The regular expression is not valid: {exc}.") from None

        def work(s: Session) -> tuple[int, Restore]:
            values = _replaced(s, card_ids, pattern, replace, regex, field, to_db(self.col.now()))
            return len(values), undo_all(bu.update_each(s, "note", values))

        return transact(self.col, "Find and replace", work, Changes(notes=True))


# ----- helpers ------------------------------------------------------------------------------


def _detail(s: Session, note_id: int, card: Card | None) -> NoteDetail:
    note = s.get(Note, note_id)
    if note is None or note.id is None:
        raise KeyError(f"note {note_id} not found")
    nt_row = s.get(NoteType, note.notetype_id)
    assert nt_row is not None
    nt = notetype_from_row(nt_row)
    deck = s.get(Deck, card.deck_id) if card is not None else None
    ids = q.card_ids_of_note(s, note.id)
    return NoteDetail(
        note_id=note.id,
        notetype=nt.name,
        kind=nt.kind,
        fields=fields_dict(nt, note.fields),
        tags=note.tags.split(),
        domain=card.domain if card is not None else 0,
        deck=deck.name if deck is not None else "Default",
        card_ids=tuple(ids),
        notetype_def=nt,
    )


def _note_ids(s: Session, card_ids: Sequence[int]) -> list[int]:
    return q.note_ids_of_cards(s, card_ids)


def _cards_of(s: Session, note_ids: Sequence[int]) -> list[int]:
    return q.card_ids_of_notes(s, note_ids)


def _delete_notes(s: Session, note_ids: Sequence[int]) -> None:
    """Delete notes; their cards and review log go by ON DELETE CASCADE."""
    q.delete_notes(s, note_ids)


def _delete_cards(s: Session, card_ids: Sequence[int]) -> None:
    q.delete_cards(s, card_ids)


def _make_cards(
    s: Session,
    note: tuple[int, datetime],
    nt: NoteTypeDef,
    fields: dict[str, str],
    where: tuple[int, int],
) -> list[int]:
    """Create the cards the note should have and does not (new, due now); their ids.

    `note` is (note id, now); `where` is (deck id, domain).
    """
    note_id, now = note
    have = q.card_ords(s, note_id)
    made = []
    for o in nt.ords(fields):
        if o not in have:
            card = Card(
                note_id=note_id,
                deck_id=where[0],
                ord=o,
                domain=where[1],
                due=now,
                created=now,
                modified=now,
            )
            s.add(card)
            s.flush()
            made.append(card.id)
    return [i for i in made if i is not None]


def _replaced(
    s: Session,
    card_ids: Sequence[int] | None,
    pattern: re.Pattern[str],
    repl: str,
    regex: bool,
    field: str | None,
    now: str,
) -> dict[int, dict[str, object]]:
    """New fields of every note whose text changes (field None: all fields)."""
    types = notetypes(s)
    note_ids = None if card_ids is None else _note_ids(s, card_ids)
    out: dict[int, dict[str, object]] = {}
    for note_id, nt_id, stored in q.note_fields(s, note_ids):
        nt = types[nt_id]
        fields = fields_dict(nt, stored)
        new = {
            k: sanitize_html(substitute(pattern, repl, v, regex))
            if field in (None, k.lower())
            else v
            for k, v in fields.items()
        }
        if new != fields and note_id is not None:
            out[note_id] = {"fields": fields_json(nt, new), "sort_field": sort_field(nt, new)}
            out[note_id]["modified"] = now
    return out
