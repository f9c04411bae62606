"""What an import looks up before it writes: the notes, cards and note types already stored
(by guid, note id or name). Reads only, in plain SQL on any session (db/session.Rows); the
import's writes are in import_rows.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from cehrs_cards.db.catalog import notetype_named as notetype_named  # re-exported
from cehrs_cards.db.columns import NOTE_CONTENT

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows


class StoredNote(NamedTuple):
    """A stored note an import meets again: its id and what it holds (NOTE_CONTENT order)."""

    id: int
    content: tuple[Any, ...]


def existing_notes(s: Rows, guids: list[str]) -> dict[str, StoredNote]:
    """The stored notes among `guids`, by guid."""
    s.flush()
    conn = s.connection()
    if conn.exec_driver_sql("SELECT 1 FROM note LIMIT 1").first() is None:
        return {}
    sql = (
        f"SELECT id, guid, {', '.join(NOTE_CONTENT)} FROM note "
        "WHERE guid IN (SELECT value FROM json_each(?))"
    )
    rows = conn.exec_driver_sql(sql, (json.dumps(guids),))
    return {str(r[1]): StoredNote(int(r[0]), tuple(r[2:])) for r in rows}


def existing_guids(s: Rows, guids: Sequence[str]) -> set[str]:
    """The guids among `guids` that a stored note has."""
    s.flush()
    sql = "SELECT guid FROM note WHERE guid IN (SELECT value FROM json_each(?))"
    rows = s.connection().exec_driver_sql(sql, (json.dumps(list(guids)),))
    return {str(g) for (g,) in rows}


def existing_ords(s: Rows, note_ids: list[int]) -> dict[int, set[int]]:
    """note id -> the card ordinals it has, for the stored notes among `note_ids`."""
    s.flush()
    out: dict[int, set[int]] = {}
    sql = "SELECT note_id, ord FROM card WHERE note_id IN (SELECT value FROM json_each(?))"
    for nid, ord_ in s.connection().exec_driver_sql(sql, (json.dumps(note_ids),)):
        out.setdefault(int(nid), set()).add(int(ord_))
    return out
