"""Same-fact groups of notes, for the exam draw: items that test one fact share a group
(decks/FORMAT.md `group`), and a form or block holds at most one item of a group.

The group is the note's own column `grp` (schema step 7), filled when a deck is imported, and
for collections older than the column once from the bundled deck (services/item_bank.py).
"""

from __future__ import annotations

from cehrs_cards.db import exams as q
from cehrs_cards.db import notes
from cehrs_cards.db.session import Session


def group_column(s: Session) -> str | None:
    """The note table's same-fact group column, if the schema has one."""
    return q.group_column(s)


def groups_by_note(s: Session, note_ids: list[int]) -> dict[int, str]:
    """note id -> group for the grouped notes among `note_ids`."""
    return notes.group_of_notes(s, note_ids) if note_ids else {}
