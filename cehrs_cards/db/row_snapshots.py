"""Undo for browser edits: a snapshot of exactly the rows and columns an action touches, put
back in one transaction. Raw SQL on purpose: a bulk change may touch 100,000 cards.

Table and column names come from fixed lists or from SQLite's own catalogue, never from user
text; every value is a bound parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from cehrs_cards.db.models import Card, columns
from cehrs_cards.db.session import Rows

CARD_COLUMNS = frozenset(columns(Card)) - {"id"}
NOTE_COLUMNS = frozenset("fields sort_field tags modified".split())
_ALLOWED = {"card": CARD_COLUMNS, "note": NOTE_COLUMNS}


def ids_json(ids: Iterable[int]) -> str:
    """Ids as one JSON parameter, read back with json_each (no limit on how many)."""
    return json.dumps([int(i) for i in ids])


IN_IDS = "IN (SELECT value FROM json_each(?))"


@dataclass(frozen=True)
class Snapshot:
    """Some columns of some rows of one table, as stored (datetimes stay stored text)."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]  # (id, *values)

    @property
    def ids(self) -> list[int]:
        return [int(r[0]) for r in self.rows]


def _check(table: str, columns: Sequence[str]) -> None:
    allowed = _ALLOWED.get(table)
    if allowed is None or not set(columns) <= allowed:
        raise ValueError(f"not a browser-editable column: {table}.{columns}")


def snapshot(s: Rows, table: str, columns: Sequence[str], ids: Iterable[int]) -> Snapshot:
    _check(table, columns)
    sql = f"SELECT id, {', '.join(columns)} FROM {table} WHERE id {IN_IDS}"
    rows = s.connection().exec_driver_sql(sql, (ids_json(ids),)).all()
    return Snapshot(table, tuple(columns), [tuple(r) for r in rows])


def restore(s: Rows, snap: Snapshot) -> None:
    """Write the snapshot's values back (rows deleted meanwhile are skipped)."""
    _check(snap.table, snap.columns)
    if not snap.rows:
        return
    sets = ", ".join(f"{c} = ?" for c in snap.columns)
    params = [(*r[1:], r[0]) for r in snap.rows]
    s.connection().exec_driver_sql(f"UPDATE {snap.table} SET {sets} WHERE id = ?", params)


def update(s: Rows, table: str, ids: Sequence[int], values: dict[str, Any]) -> Snapshot:
    """Set the same values on every row; returns the snapshot taken just before."""
    before = snapshot(s, table, list(values), ids)
    sets = ", ".join(f"{c} = ?" for c in values)
    s.connection().exec_driver_sql(
        f"UPDATE {table} SET {sets} WHERE id {IN_IDS}", (*values.values(), ids_json(ids))
    )
    return before


def update_each(s: Rows, table: str, rows: dict[int, dict[str, Any]]) -> Snapshot:
    """Set per-row values (every row the same columns); returns the snapshot taken before."""
    if not rows:
        return Snapshot(table, (), [])
    columns = list(next(iter(rows.values())))
    before = snapshot(s, table, columns, rows)
    sets = ", ".join(f"{c} = ?" for c in columns)
    params = [(*(v[c] for c in columns), i) for i, v in rows.items()]
    s.connection().exec_driver_sql(f"UPDATE {table} SET {sets} WHERE id = ?", params)
    return before


# ----- deleting notes ---------------------------------------------------------------------------


@dataclass
class Deleted:
    """Whole rows removed with some notes: the notes, their cards, and rows pointing at them."""

    tables: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]] = field(default_factory=list)

    def count(self, table: str) -> int:
        return sum(len(rows) for t, _, rows in self.tables if t == table)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_all(s: Session, table: str, column: str, ids: Sequence[int]) -> tuple:  # type: ignore[type-arg]
    res = s.connection().exec_driver_sql(
        f"SELECT * FROM {_q(table)} WHERE {_q(column)} {IN_IDS}", (ids_json(ids),)
    )
    return tuple(res.keys()), [tuple(r) for r in res.all()]


def _references(s: Session) -> list[tuple[str, str, str]]:
    """(table, column, referenced table) for every foreign key to card or note elsewhere."""
    con = s.connection()
    names = [r[0] for r in con.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")]
    out = []
    for t in names:
        if t in ("card", "note") or t.startswith("sqlite_"):
            continue
        for fk in con.exec_driver_sql(f"PRAGMA foreign_key_list({_q(t)})"):
            if fk[2] in ("card", "note"):
                out.append((t, str(fk[3]), str(fk[2])))
    return out


def snapshot_notes(s: Session, note_ids: Sequence[int]) -> Deleted:
    """Everything deleting these notes removes or changes (cascades and SET NULLs)."""
    out = Deleted()
    cols, notes = _select_all(s, "note", "id", note_ids)
    out.tables.append(("note", cols, notes))
    cols, cards = _select_all(s, "card", "note_id", note_ids)
    out.tables.append(("card", cols, cards))
    card_ids = [int(r[cols.index("id")]) for r in cards]
    for table, column, target in _references(s):
        cols, rows = _select_all(s, table, column, card_ids if target == "card" else note_ids)
        out.tables.append((table, cols, rows))
    return out


def reinsert(s: Session, deleted: Deleted) -> None:
    """Put deleted rows back, parents first (the note triggers refill the text index)."""
    con = s.connection()
    for table, cols, rows in deleted.tables:
        if rows:
            marks = ", ".join("?" for _ in cols)
            names = ", ".join(_q(c) for c in cols)
            con.exec_driver_sql(
                f"INSERT OR REPLACE INTO {_q(table)} ({names}) VALUES ({marks})", rows
            )
