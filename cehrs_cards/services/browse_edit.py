"""The card browser's edits: add, edit, delete, suspend, bury, flag, reset, set due date, move
between decks and domains, tags, find and replace. Each is one transaction and one entry on the
shared undo stack (see browse_undo.py for how it is put back)."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from cehrs_cards.core.notetypes import BUILTIN_BY_KIND, NoteTypeDef
from cehrs_cards.core.records import CardState
from cehrs_cards.core.sanitize import sanitize_html
from cehrs_cards.core.scheduling import study_day_start
from cehrs_cards.db.models import Card, Note, NoteType
from cehrs_cards.db.repo import (
    ensure_deck,
    ensure_notetype,
    fields_dict,
    fields_json,
    notetype_from_row,
)
from cehrs_cards.db.settings import load_settings
from cehrs_cards.db.timefmt import to_db
from cehrs_cards.services import browse_undo as bu
from cehrs_cards.services.browse_fields import (
    EditError,
    check_domain,
    clean_fields,
    parse_days,
    sort_field,
    substitute,
    tag_text,
    validate,
)
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.undo import UndoEntry, UndoStack

Restore = Callable[[Session], None]


@dataclass(frozen=True)
class NewNote:
    kind: str  # basic | reversed | cloze | mcq
    fields: dict[str, str]
    tags: list[str]
    domain: int
    deck: str


@dataclass(frozen=True)
class NoteChange:
    """What the editor saves: fields, tags, domain and deck (for every card of the note)."""

    note_id: int
    fields: dict[str, str]
    tags: list[str]
    domain: int
    deck: str


class BrowseEditService:
    def __init__(self, col: Collection, undo: UndoStack) -> None:
        self.col = col
        self.undo_stack = undo

    def _run(self, label: str, work: Callable[[Session], Restore | None]) -> None:
        """One transaction; the restore it returns becomes one undo entry."""
        with self.col.transaction() as s:
            restore = work(s)
        if restore is not None:
            self.undo_stack.push(UndoEntry(label, None, restore))

    # ----- adding and editing ------------------------------------------------------------------
    def add_note(self, new: NewNote) -> list[int]:
        """Add a note and its cards (new, due now); returns the card ids."""
        nt = BUILTIN_BY_KIND.get(new.kind)
        if nt is None:
            raise EditError(f"Unknown note type {new.kind!r}.")
        fields = clean_fields(nt, new.fields)
        validate(nt, fields)
        check_domain(new.domain)
        made: list[int] = []

        def work(s: Session) -> Restore:
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
            deck_id, drop_decks = _deck(s, new.deck)
            made.extend(_make_cards(s, (note.id, now), nt, fields, (deck_id, new.domain)))
            note_id = note.id
            return _undo_all(drop_decks, lambda s2: _delete_notes(s2, [note_id]))

        self._run("Add note", work)
        return made

    def save_note(self, change: NoteChange) -> None:
        """Save the editor: fields, tags, domain and deck; new cloze numbers get new cards."""
        check_domain(change.domain)

        def work(s: Session) -> Restore:
            note = s.get(Note, change.note_id)
            nt_row = s.get(NoteType, note.notetype_id) if note else None
            if note is None or nt_row is None:
                raise EditError("This note was deleted.")
            nt = notetype_from_row(nt_row)
            fields = clean_fields(nt, change.fields)
            validate(nt, fields)
            card_ids = list(s.exec(select(Card.id).where(Card.note_id == change.note_id)))
            when = self.col.now()
            now = to_db(when)
            deck_id, drop_decks = _deck(s, change.deck)
            note_values = {
                "fields": fields_json(nt, fields),
                "sort_field": sort_field(nt, fields),
                "tags": tag_text(change.tags),
                "modified": now,
            }
            notes = bu.update(s, "note", [change.note_id], note_values)
            values = {"domain": change.domain, "deck_id": deck_id, "modified": now}
            cards = bu.update(s, "card", [i for i in card_ids if i is not None], values)
            added = _make_cards(s, (change.note_id, when), nt, fields, (deck_id, change.domain))
            return _undo_all(drop_decks, lambda s2: _delete_cards(s2, added), notes, cards)

        self._run("Edit note", work)

    def delete_notes(self, card_ids: Sequence[int]) -> tuple[int, int]:
        """Delete the notes of these cards (all their cards and history); (notes, cards)."""
        counts = (0, 0)

        def work(s: Session) -> Restore:
            nonlocal counts
            note_ids = _note_ids(s, card_ids)
            deleted = bu.snapshot_notes(s, note_ids)
            _delete_notes(s, note_ids)
            counts = (deleted.count("note"), deleted.count("card"))
            return lambda s2: bu.reinsert(s2, deleted)

        self._run("Delete", work)
        return counts

    # ----- card states -----------------------------------------------------------------------
    def set_suspended(self, card_ids: Sequence[int], on: bool) -> None:
        self._cards("Suspend" if on else "Unsuspend", card_ids, {"suspended": int(on)})

    def bury(self, card_ids: Sequence[int], on: bool = True) -> None:
        """Bury until the end of the study day (or unbury)."""
        until = None
        if on:
            hour = self.col.settings().rollover_hour
            until = to_db(study_day_start(self.col.now(), self.col.tz, hour) + timedelta(days=1))
        self._cards("Bury" if on else "Unbury", card_ids, {"buried_until": until})

    def set_flag(self, card_ids: Sequence[int], flag: int) -> None:
        if flag not in range(5):
            raise EditError("Flags are 0 (none) to 4.")
        self._cards("Flag", card_ids, {"flag": flag})

    def reset_to_new(self, card_ids: Sequence[int]) -> None:
        """Forget: back to new with no memory state; review history and counters are kept."""
        values: dict[str, object] = {"state": int(CardState.NEW), "step": None}
        values |= {"stability": None, "difficulty": None, "last_review": None}
        values["due"] = to_db(self.col.now())
        self._cards("Reset to new", card_ids, values)

    def set_due(self, card_ids: Sequence[int], spec: str) -> tuple[int, int]:
        """Due in N days ("0" today, "1" tomorrow) or a random day in "N-M"; new cards skipped.

        A new card has no memory state to schedule from, so it stays in the new queue.
        Returns (cards moved, new cards left alone).
        """
        low, high = parse_days(spec)
        moved, skipped = 0, 0

        def work(s: Session) -> Restore:
            nonlocal moved, skipped
            now = self.col.now()
            start = study_day_start(now, self.col.tz, load_settings(s).rollover_hour)
            sql = f"SELECT id FROM card WHERE state != 0 AND id {bu.IN_IDS}"
            studied = [r[0] for r in s.connection().exec_driver_sql(sql, (bu.ids_json(card_ids),))]
            skipped = len(card_ids) - len(studied)
            rng = random.Random()
            values = {
                i: {
                    "due": to_db(_due_on(rng.randint(low, high), now, start)),
                    "modified": to_db(now),
                }
                for i in studied
            }
            moved = len(values)
            return _undo_all(bu.update_each(s, "card", values))

        self._run("Set due date", work)
        return moved, skipped

    # ----- organising ----------------------------------------------------------------------------
    def change_deck(self, card_ids: Sequence[int], deck: str) -> None:
        if not deck.strip():
            raise EditError("Choose or type a deck name.")

        def work(s: Session) -> Restore:
            deck_id, drop_decks = _deck(s, deck)
            values = {"deck_id": deck_id, "modified": to_db(self.col.now())}
            return _undo_all(drop_decks, bu.update(s, "card", card_ids, values))

        self._run("Change deck", work)

    def change_domain(self, card_ids: Sequence[int], domain: int) -> int:
        """Set the CEHRS domain of the notes of these cards (every card of each note)."""
        check_domain(domain)
        count = 0

        def work(s: Session) -> Restore:
            nonlocal count
            note_ids = _note_ids(s, card_ids)
            all_cards = _cards_of(s, note_ids)
            count = len(all_cards)
            values = {"domain": domain, "modified": to_db(self.col.now())}
            return _undo_all(bu.update(s, "card", all_cards, values))

        self._run("Change domain", work)
        return count

    def add_tags(self, card_ids: Sequence[int], tags: Sequence[str]) -> None:
        self._retag("Add tags", card_ids, lambda old: old | set(tags))

    def remove_tags(self, card_ids: Sequence[int], tags: Sequence[str]) -> None:
        gone = {t.lower() for t in tags}
        self._retag("Remove tags", card_ids, lambda old: {t for t in old if t.lower() not in gone})

    def _retag(
        self, label: str, card_ids: Sequence[int], change: Callable[[set[str]], set[str]]
    ) -> None:
        def work(s: Session) -> Restore:
            sql = f"SELECT id, tags FROM note WHERE id {bu.IN_IDS}"
            ids = bu.ids_json(_note_ids(s, card_ids))
            rows = s.connection().exec_driver_sql(sql, (ids,)).all()
            now = to_db(self.col.now())
            values = {}
            for note_id, tags in rows:
                new = tag_text(change(set(tags.split())))
                if new != tags:
                    values[note_id] = {"tags": new, "modified": now}
            return _undo_all(bu.update_each(s, "note", values))

        self._run(label, work)

    def find_replace(
        self,
        card_ids: Sequence[int] | None,
        find: str,
        replace: str,
        field: str | None = None,
        regex: bool = False,
        ignore_case: bool = True,
    ) -> int:
        """Replace text in the fields of the notes of these cards (None: every note); count."""
        if not find:
            raise EditError("Type the text to find.")
        try:
            pattern = re.compile(find if regex else re.escape(find), re.I if ignore_case else 0)
        except re.error as exc:
            raise EditError(f"The regular expression is not valid: {exc}.") from None
        changed = 0

        def work(s: Session) -> Restore:
            nonlocal changed
            values = _replaced(s, card_ids, pattern, replace, regex, field, self.col)
            changed = len(values)
            return _undo_all(bu.update_each(s, "note", values))

        self._run("Find and replace", work)
        return changed

    def _cards(self, label: str, card_ids: Sequence[int], values: dict[str, object]) -> None:
        def work(s: Session) -> Restore:
            stamped = values | {"modified": to_db(self.col.now())}
            return _undo_all(bu.update(s, "card", card_ids, stamped))

        self._run(label, work)


# ----- helpers ------------------------------------------------------------------------------


def _due_on(days: int, now: datetime, start: datetime) -> datetime:
    """Now for today (due at once), else the start of that study day."""
    return now if days == 0 else start + timedelta(days=days)


def _undo_all(*parts: bu.Snapshot | Restore) -> Restore:
    """One restore undoing several snapshots and callables, newest first."""

    def restore(s: Session) -> None:
        for part in reversed(parts):
            if isinstance(part, bu.Snapshot):
                bu.restore(s, part)
            else:
                part(s)

    return restore


def _deck(s: Session, name: str) -> tuple[int, Restore]:
    """The deck's id (created with its parents if needed) and a restore removing what was made."""
    con = s.connection()
    before = {r[0] for r in con.exec_driver_sql("SELECT id FROM deck")}
    deck_id = ensure_deck(s, name)
    made = sorted({r[0] for r in con.exec_driver_sql("SELECT id FROM deck")} - before)

    def drop(s2: Session) -> None:
        for i in reversed(made):  # children (made after their parents) first; only if empty
            s2.connection().exec_driver_sql(
                "DELETE FROM deck WHERE id = ? AND NOT EXISTS (SELECT 1 FROM card"
                " WHERE deck_id = ?) AND NOT EXISTS (SELECT 1 FROM deck WHERE parent_id = ?)",
                (i, i, i),
            )

    return deck_id, drop


def _note_ids(s: Session, card_ids: Sequence[int]) -> list[int]:
    sql = f"SELECT DISTINCT note_id FROM card WHERE id {bu.IN_IDS}"
    return [r[0] for r in s.connection().exec_driver_sql(sql, (bu.ids_json(card_ids),))]


def _cards_of(s: Session, note_ids: Sequence[int]) -> list[int]:
    sql = f"SELECT id FROM card WHERE note_id {bu.IN_IDS}"
    return [r[0] for r in s.connection().exec_driver_sql(sql, (bu.ids_json(note_ids),))]


def _delete_notes(s: Session, note_ids: Sequence[int]) -> None:
    """Delete notes; their cards and review log go by ON DELETE CASCADE."""
    s.connection().exec_driver_sql(
        f"DELETE FROM note WHERE id {bu.IN_IDS}", (bu.ids_json(note_ids),)
    )


def _delete_cards(s: Session, card_ids: Sequence[int]) -> None:
    s.connection().exec_driver_sql(
        f"DELETE FROM card WHERE id {bu.IN_IDS}", (bu.ids_json(card_ids),)
    )


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
    have = set(s.exec(select(Card.ord).where(Card.note_id == note_id)))
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
    col: Collection,
) -> dict[int, dict[str, object]]:
    """New fields of every note whose text changes (field None: all fields)."""
    types = {r.id: notetype_from_row(r) for r in s.exec(select(NoteType))}
    sql = "SELECT id, notetype_id, fields FROM note"
    params: tuple[str, ...] = ()
    if card_ids is not None:
        sql += f" WHERE id {bu.IN_IDS}"
        params = (bu.ids_json(_note_ids(s, card_ids)),)
    now = to_db(col.now())
    out: dict[int, dict[str, object]] = {}
    for note_id, nt_id, stored in s.connection().exec_driver_sql(sql, params):
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
