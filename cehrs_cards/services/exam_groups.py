"""Same-fact groups of notes, for the exam draw: items that test one fact share a group
(decks/FORMAT.md `group`), and a form or block holds at most one item of a group.

Where the group comes from: the note's own column once the collection has one (the data layer
adds `grp`; GROUP_COLUMNS lists the names looked for), and for a note without a stored group
(the column missing, or empty on that note) the bundled deck's own files, matched by note id
(guid): the bundled deck is where groups are written today, and its guids are stable. This
module is the one hook: when the column lands, nothing else changes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from cehrs_cards.services.held_out import bank_folder, flagged_in

GROUP_COLUMNS = ("grp", "fact_group", "group_key", "group")
"""Names a note column holding the same-fact group may have (first found wins)."""


def group_column(s: Session) -> str | None:
    """The note table's same-fact group column, if the schema has one."""
    cols = {str(r[1]) for r in s.connection().exec_driver_sql("PRAGMA table_info(note)")}
    return next((c for c in GROUP_COLUMNS if c in cols), None)


def group_sql(s: Session, alias: str = "n") -> str:
    """SQL for the group of note `alias` in a SELECT list: its column, or NULL without one
    (then groups come from the bundled deck by guid: see group_of)."""
    col = group_column(s)
    return f'{alias}."{col}"' if col else "NULL"


def group_of(stored: str | None, guid: str) -> str | None:
    """A note's group: the stored one, else the bundled deck's for this guid."""
    return stored or bundled_groups().get(guid)


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
    sql = f"SELECT n.id, n.guid, {group_sql(s)} FROM note n WHERE n.id IN ({{}})"
    out: dict[int, str] = {}
    for start in range(0, len(note_ids), 900):
        chunk = ",".join(str(int(i)) for i in note_ids[start : start + 900])
        for nid, guid, stored in s.connection().execute(text(sql.format(chunk))):
            g = group_of(stored, str(guid))
            if g:
                out[int(nid)] = g
    return out
