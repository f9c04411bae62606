"""Same-fact groups of notes, for the exam draw: items that test one fact share a group
(decks/FORMAT.md `group`), and a form or block holds at most one item of a group.

Where the group comes from: the note's own column once the collection has one (the data layer
adds `grp`; GROUP_COLUMNS lists the names looked for), and for a note without a stored group
(the column missing, or empty on that note) the bundled deck's own files, matched by note id
(guid): the bundled deck is where groups are written today, and its guids are stable. This
module is the one hook: when the column lands, nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from cehrs_cards.db import exams as q
from cehrs_cards.db.session import Session
from cehrs_cards.services.held_out import bank_folder, flagged_in

GROUP_COLUMNS = q.GROUP_COLUMNS
"""Names a note column holding the same-fact group may have (first found wins)."""


def group_column(s: Session) -> str | None:
    """The note table's same-fact group column, if the schema has one."""
    return q.group_column(s)


def group_of(stored: str | None, guid: str, bundled: Mapping[str, str]) -> str | None:
    """A note's group: the stored one, else the bundled deck's for this guid (`bundled`:
    bundled_groups(), fetched once by the caller rather than once per note)."""
    return stored or bundled.get(guid)


def bundled_groups() -> dict[str, str]:
    """guid -> group of every grouped note of the bundled deck, from the one read of the deck's
    item-bank flags (services/held_out), cached per deck folder: a process that switches
    folders ($CEHRS_CARDS_DECKS_DIR, as tests do) never sees another folder's groups."""
    folder = bank_folder()
    return {} if folder is None else _groups(folder)


@lru_cache(maxsize=4)
def _groups(folder: Path) -> dict[str, str]:
    return {guid: group for guid, _held, group in flagged_in(folder) if group}


def groups_by_note(s: Session, note_ids: list[int]) -> dict[int, str]:
    """note id -> group for the grouped notes among `note_ids`."""
    if not note_ids:
        return {}
    out: dict[int, str] = {}
    bundled = bundled_groups()
    for nid, guid, stored in q.note_groups(s, note_ids, group_column(s)):
        g = group_of(stored, guid, bundled)
        if g:
            out[nid] = g
    return out
