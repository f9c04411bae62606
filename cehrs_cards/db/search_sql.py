"""Search trees (core/search.py) as parameterised SQL over card c JOIN note n: the context a
translation needs (time, FSRS decay, the names of decks, note types, fields and templates,
the saved searches), running it, and the rows the browser shows.

The WHERE fragment itself is built by db/search_where.py. Plain text uses the trigram FTS5
index note_fts (schema steps 3 and 7: no positions, no stored text); retrievability is
computed in SQL with the FSRS power forgetting curve, exactly as fsrs.Scheduler does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlmodel import Session

from cehrs_cards.core import search as q
from cehrs_cards.db import search_funcs
from cehrs_cards.db.migrations import note_text_sql, rich_fill_sql
from cehrs_cards.db.search_context import FSRS_DEFAULT_DECAY as FSRS_DEFAULT_DECAY
from cehrs_cards.db.search_context import NoteTypeInfo as NoteTypeInfo
from cehrs_cards.db.search_context import SearchContext as SearchContext
from cehrs_cards.db.search_where import R_SQL, Translator
from cehrs_cards.db.session import driver

IVL_SQL = (
    "(CASE WHEN c.state = 0 OR c.last_review IS NULL THEN NULL"
    " ELSE julianday(c.due) - julianday(c.last_review) END)"
)
SORTS = {
    "front": "n.sort_field COLLATE NOCASE",
    "domain": "c.domain",
    "deck": "d.name COLLATE NOCASE",
    "tags": "n.tags COLLATE NOCASE",
    "due": "(CASE WHEN c.state = 0 THEN NULL ELSE c.due END)",
    "interval": IVL_SQL,
    "stability": "c.stability",
    "retrievability": R_SQL,
    "lapses": "c.lapses",
    "reps": "c.reps",
    "created": "c.created",
}
assert tuple(SORTS) == q.SORT_KEYS, "core.search.SORT_KEYS names the same sorts"


def catalogue(session: Session, query: str = "") -> dict[str, Any]:
    """The names a translation resolves (SearchContext keywords): note types with their field
    and template names, decks; first fields only when the query has dupe:."""
    con = raw(session)
    types = []
    for nt_id, name, kind, config in con.execute("SELECT id, name, kind, config FROM notetype"):
        cfg = json.loads(config)
        templates = tuple(str(t.get("name", "")) for t in cfg.get("templates", []))
        types.append(NoteTypeInfo(nt_id, name, kind, tuple(cfg.get("fields", [])), templates))
    decks = tuple(con.execute("SELECT id, name FROM deck ORDER BY id"))
    out: dict[str, Any] = {"notetypes": tuple(types), "decks": decks}
    if "dupe:" in query.lower():
        firsts: dict[int, dict[int, str]] = {}
        sql = "SELECT id, notetype_id, COALESCE(json_extract(fields, '$[0]'), '') FROM note"
        for nid, ntid, first in con.execute(sql):
            firsts.setdefault(ntid, {})[nid] = first
        out["first_fields"] = firsts
    return out


def translate(node: q.Node, ctx: SearchContext) -> tuple[str, dict[str, Any]]:
    """(WHERE fragment, parameters) for a tree."""
    t = Translator(ctx)
    return t.sql(node), t.params


FTS_FROM = "note_fts f JOIN note n ON n.id = f.rowid JOIN card c ON c.note_id = n.id"
"""The FROM of a search of plain words (Translator.root): the index's notes, their cards."""


def select_sql(where: str, sort: str, descending: bool, joined: bool = False) -> str:
    """The id query for a WHERE fragment, ordered by a whitelisted column (then id);
    `joined`: the fragment names the text index as `f` (Translator.root)."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort column {sort!r}")
    direction = "DESC" if descending else "ASC"
    # Joins only when used ("n." / "d." come from our fixed fragments, never from user text).
    tables = FTS_FROM if joined else "card c"
    if not joined and "n." in where + SORTS[sort]:
        tables += " JOIN note n ON n.id = c.note_id"
    tables += " JOIN deck d ON d.id = c.deck_id" if sort == "deck" else ""
    return (
        f"SELECT c.id FROM {tables} WHERE {where}"
        f" ORDER BY {SORTS[sort]} {direction} NULLS LAST, c.id {direction}"
    )


def raw(session: Session) -> sqlite3.Connection:
    """The session's sqlite3 connection (plain tuples, no ORM cost on 100,000-row results),
    with the search functions registered."""
    dbapi = driver(session.connection())
    search_funcs.register(dbapi)
    return dbapi


def card_ids(
    session: Session, node: q.Node, ctx: SearchContext, sort: str = "created", desc: bool = False
) -> list[int]:
    """Ids of the cards matching a tree, in the requested order: as one JSON list, which
    SQLite makes (a tenth quicker than a Python step per row on 100,000 ids). SQLite keeps a
    subquery's ORDER BY under an aggregate other than count, min or max (select.c's
    omit-ORDER-BY rule, case 4); tests/browse/test_search_sql.py pins the order."""
    t = Translator(ctx)
    where = t.root(node)
    sql = f"SELECT json_group_array(id) FROM ({select_sql(where, sort, desc, t.joined)})"
    params = t.params
    try:
        ids: list[int] = json.loads(raw(session).execute(sql, params).fetchone()[0])
        return ids
    except sqlite3.OperationalError as exc:  # too deep or too long for SQLite's parser
        raise q.SearchError(f"This search is too complex to run ({exc}); simplify it.") from None


class RawRow(NamedTuple):
    """One browser row as stored; services turn it into what the table shows."""

    card_id: int
    note_id: int
    notetype_id: int
    ord: int
    fields: str
    sort_field: str
    domain: int
    deck: str
    tags: str
    due: str
    state: int
    stability: float | None
    difficulty: float | None
    interval: float | None
    retrievability: float | None
    lapses: int
    reps: int
    created: str
    suspended: bool
    buried: bool
    flag: int
    held_out: bool


def fetch_rows(session: Session, ids: Sequence[int], ctx: SearchContext) -> list[RawRow]:
    """Rows for a window of card ids, in the order given (missing ids are left out)."""
    sql = f"""SELECT c.id, c.note_id, n.notetype_id, c.ord, n.fields, n.sort_field, c.domain,
        d.name, n.tags, c.due, c.state, c.stability, c.difficulty, {IVL_SQL}, {R_SQL},
        c.lapses, c.reps, c.created, c.suspended,
        (c.buried_until IS NOT NULL AND c.buried_until > :now), c.flag, n.heldout
        FROM card c JOIN note n ON n.id = c.note_id JOIN deck d ON d.id = c.deck_id
        WHERE c.id IN (SELECT value FROM json_each(:ids))"""
    params = ctx.base_params() | {"ids": json.dumps(list(ids))}
    got = {r[0]: RawRow(*r) for r in raw(session).execute(sql, params)}
    return [got[i] for i in ids if i in got]


@contextmanager
def fts_paused(con: sqlite3.Connection) -> Iterator[None]:
    """Bulk-insert notes without the per-row index trigger, then index them in one statement.

    For scripts writing many rows on a plain sqlite3 connection (benchmarks/generate.py);
    twice as fast as the trigger for 100,000 notes. Notes must get ids above the current max.
    """
    row = con.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'note_fts_insert'"
    ).fetchone()
    first = con.execute("SELECT COALESCE(MAX(id), 0) FROM note").fetchone()[0]
    if row:
        con.execute("DROP TRIGGER note_fts_insert")
    try:
        yield
    finally:
        if row:
            sql = f"INSERT INTO note_fts (rowid, text) SELECT id, {note_text_sql('note')} FROM note"
            con.execute(sql + " WHERE id > ?", (first,))
            con.execute(rich_fill_sql("WHERE id > ?"), (first,))
            con.execute(row[0])


def rebuild_fts(session: Session) -> None:
    """Refill the text index and note_rich from every note (after bulk inserts that bypassed
    the triggers)."""
    con = session.connection()
    con.exec_driver_sql("INSERT INTO note_fts (note_fts) VALUES ('delete-all')")  # contentless
    con.exec_driver_sql(
        f"INSERT INTO note_fts (rowid, text) SELECT id, {note_text_sql('note')} FROM note"
    )
    con.exec_driver_sql("DELETE FROM note_rich")
    con.exec_driver_sql(rich_fill_sql())
