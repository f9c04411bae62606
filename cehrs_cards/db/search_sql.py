"""Search trees (core/search.py) as parameterised SQL over card c JOIN note n.

Every value the user typed is bound as a parameter; the SQL text is assembled only from fixed
fragments and whitelisted names, so a search can never alter a statement. Plain text uses the
trigram FTS5 index note_fts (schema step 3); retrievability is computed in SQL with the FSRS
power forgetting curve, exactly as fsrs.Scheduler.get_card_retrievability does.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlmodel import Session

from cehrs_cards.core import search as q
from cehrs_cards.db.migrations import note_text_sql
from cehrs_cards.db.timefmt import to_db

FSRS_DEFAULT_DECAY = 0.1542
MIN_TRIGRAM = 3
"""The trigram index answers substrings of at least three characters; shorter ones scan."""

# Retrievability R = (1 + factor * days / S) ** -decay, days whole as in fsrs (NULL if unknown).
R_SQL = (
    "(CASE WHEN c.state = 0 OR c.last_review IS NULL OR NOT c.stability > 0 THEN NULL ELSE"
    " pow(1.0 + :r_factor * max(0, CAST(julianday(:r_now) - julianday(c.last_review) AS INTEGER))"
    " / c.stability, -:r_decay) END)"
)
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
_OPS = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "=": "=", "!=": "!="}
_PROPS = {
    "r": R_SQL,
    "s": "c.stability",
    "d": "c.difficulty",
    "lapses": "c.lapses",
    "reps": "c.reps",
    "ivl": f"CAST(round({IVL_SQL}) AS INTEGER)",
}
_IS = {
    "new": "c.state = 0",
    "learn": "c.state IN (1, 3)",
    "review": "c.state IN (2, 3)",
    "suspended": "c.suspended = 1",
    "buried": "(c.buried_until IS NOT NULL AND c.buried_until > :now)",
    "flagged": "c.flag > 0",
    "due": "(c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= :now) AND"
    " ((c.state IN (1, 3) AND c.due <= :learn_cutoff) OR (c.state = 2 AND c.due < :day_end)))",
}


@dataclass(frozen=True)
class SearchContext:
    """What a translation needs besides the tree: the time, FSRS decay, the note types' fields."""

    now: datetime
    day_start: datetime
    day_end: datetime
    learn_cutoff: datetime
    decay: float = FSRS_DEFAULT_DECAY
    leech_lapses: int = 8
    fields: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    """Lower-case field name -> (note type id, field index) pairs."""

    def base_params(self) -> dict[str, Any]:
        factor = 0.9 ** (1 / -self.decay) - 1
        return {
            "now": to_db(self.now),
            "day_end": to_db(self.day_end),
            "learn_cutoff": to_db(self.learn_cutoff),
            "r_now": to_db(self.now),
            "r_factor": factor,
            "r_decay": self.decay,
        }


class Translator:
    """Turns one tree into a WHERE fragment; user values go to `params` as :p0, :p1 ..."""

    def __init__(self, ctx: SearchContext) -> None:
        self.ctx = ctx
        self.params: dict[str, Any] = ctx.base_params()
        self._n = 0

    def bind(self, value: Any) -> str:
        name = f"p{self._n}"
        self._n += 1
        self.params[name] = value
        return f":{name}"

    def sql(self, node: q.Node) -> str:
        match node:
            case q.All():
                return "1"
            case q.And(items):
                return self._and(items)
            case q.Or(items):
                return "(" + " OR ".join(self.sql(i) for i in items) + ")"
            case q.Not(item):
                return f"NOT ({self.sql(item)})"
            case q.Text(pat):
                return self._text(pat)
            case q.Field(name, pat):
                return self._field(name, pat)
            case q.Tag(pat):
                return self._tag(pat)
            case q.Deck(pat):
                return self._deck(pat)
            case q.NoteType(pat):
                p = self.bind(pat.like())
                return (
                    f"n.notetype_id IN (SELECT id FROM notetype WHERE name LIKE {p} ESCAPE '\\'"
                    f" OR kind LIKE {p} ESCAPE '\\')"
                )
            case q.Domain(dom):
                return f"c.domain = {self.bind(dom)}"
            case q.Is(what):
                return self._is(what)
            case q.Flag(flag):
                return f"c.flag = {self.bind(flag)}"
            case q.Prop(name, op, value):
                return self._prop(name, op, value)
            case q.Since():
                return self._since(node)
            case q.Ids(kind, ids):
                col = "c.id" if kind == "card" else "c.note_id"
                return f"{col} IN (SELECT value FROM json_each({self.bind(json.dumps(ids))}))"
        raise TypeError(f"unknown search node {node!r}")

    def _and(self, items: tuple[q.Node, ...]) -> str:
        """Plain words of one AND share a single index lookup (one MATCH, not one per word)."""
        texts = [i.pat for i in items if isinstance(i, q.Text)]
        rest = [self.sql(i) for i in items if not isinstance(i, q.Text)]
        parts = ([self._text(*texts)] if texts else []) + rest
        return "(" + " AND ".join(parts) + ")"

    def _text(self, *pats: q.Pattern) -> str:
        """Anywhere in the note's text: the trigram index narrows, LIKE decides when needed."""
        runs = [c for p in pats for c in p.chunks() if len(c) >= MIN_TRIGRAM]
        conds = (
            [f"note_fts MATCH {self.bind(' AND '.join(map(_fts_phrase, runs)))}"] if runs else []
        )
        for p in pats:
            if p.has_wildcards or not any(len(c) >= MIN_TRIGRAM for c in p.chunks()):
                conds.append(f"text LIKE {self.bind(p.like(anywhere=True))} ESCAPE '\\'")
        return f"c.note_id IN (SELECT rowid FROM note_fts WHERE {' AND '.join(conds)})"

    def _field(self, name: str, pat: q.Pattern) -> str:
        where = self.ctx.fields.get(name.lower())
        if not where:
            known = ", ".join(sorted(self.ctx.fields)) or "none"
            raise q.SearchError(
                f"No note type has a field called '{name}' (fields: {known}). To search for "
                f"text containing ':', put it in quotes or write \\:."
            )
        like = self.bind(pat.like())
        parts = [
            f"(n.notetype_id = {self.bind(nt)} AND COALESCE(json_extract(n.fields,"
            f" {self.bind(f'$[{i}]')}), '') LIKE {like} ESCAPE '\\')"
            for nt, i in where
        ]
        return "(" + " OR ".join(parts) + ")"

    def _tag(self, pat: q.Pattern) -> str:
        """A whole tag in the space-separated list, or one of its children (tag::child)."""
        if not pat.pieces:
            return "n.tags = ''"
        body = pat.like()
        whole, child = self.bind(f"% {body} %"), self.bind(f"% {body}::%")
        padded = "(' ' || n.tags || ' ')"
        return f"({padded} LIKE {whole} ESCAPE '\\' OR {padded} LIKE {child} ESCAPE '\\')"

    def _deck(self, pat: q.Pattern) -> str:
        """The deck and its subdecks, by full name (levels joined by ::)."""
        body = pat.like()
        whole, sub = self.bind(body), self.bind(body + "::%")
        return (
            f"c.deck_id IN (SELECT id FROM deck WHERE name LIKE {whole} ESCAPE '\\'"
            f" OR name LIKE {sub} ESCAPE '\\')"
        )

    def _is(self, what: str) -> str:
        if what == "leech":
            tag = self._tag(q.pattern("leech"))
            return f"(c.lapses >= {self.bind(self.ctx.leech_lapses)} OR {tag})"
        return _IS[what]

    def _prop(self, name: str, op: str, value: float) -> str:
        if name == "due":
            return self._prop_due(op, int(value))
        expr = _PROPS[name]
        v = self.bind(value)
        if name in ("lapses", "reps"):  # counters: new cards have them too (reset keeps them)
            return f"{expr} {_OPS[op]} {v}"
        return f"(c.state != 0 AND {expr} IS NOT NULL AND {expr} {_OPS[op]} {v})"

    def _prop_due(self, op: str, k: int) -> str:
        """Due in k study days (0 today, 1 tomorrow, -1 yesterday): floor(days from start) op k."""
        x = f"(julianday(c.due) - julianday({self.bind(to_db(self.ctx.day_start))}))"
        lo, hi = self.bind(k), self.bind(k + 1)
        cond = {
            "=": f"{x} >= {lo} AND {x} < {hi}",
            "!=": f"NOT ({x} >= {lo} AND {x} < {hi})",
            "<": f"{x} < {lo}",
            "<=": f"{x} < {hi}",
            ">": f"{x} >= {hi}",
            ">=": f"{x} >= {lo}",
        }[op]
        return f"(c.state != 0 AND {cond})"

    def _since(self, node: q.Since) -> str:
        since = self.bind(to_db(self.ctx.day_start - timedelta(days=node.days - 1)))
        if node.what == "added":
            return f"c.created >= {since}"
        if node.what == "edited":
            return f"n.modified >= {since}"
        rating = f" AND rating = {self.bind(node.rating)}" if node.rating else ""
        return f"c.id IN (SELECT card_id FROM revlog WHERE reviewed_at >= {since}{rating})"


def _fts_phrase(text: str) -> str:
    """An FTS5 string literal: inside double quotes nothing is an operator."""
    return '"' + text.replace('"', '""') + '"'


def translate(node: q.Node, ctx: SearchContext) -> tuple[str, dict[str, Any]]:
    """(WHERE fragment, parameters) for a tree."""
    t = Translator(ctx)
    return t.sql(node), t.params


def select_sql(where: str, sort: str, descending: bool) -> str:
    """The id query for a WHERE fragment, ordered by a whitelisted column (then id)."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort column {sort!r}")
    direction = "DESC" if descending else "ASC"
    # Joins only when used ("n." / "d." come from our fixed fragments, never from user text).
    join = " JOIN note n ON n.id = c.note_id" if "n." in where + SORTS[sort] else ""
    join += " JOIN deck d ON d.id = c.deck_id" if sort == "deck" else ""
    return (
        f"SELECT c.id FROM card c{join} WHERE {where}"
        f" ORDER BY {SORTS[sort]} {direction} NULLS LAST, c.id {direction}"
    )


def raw(session: Session) -> sqlite3.Connection:
    """The session's sqlite3 connection: plain tuples, no ORM cost on 100,000-row results."""
    dbapi = session.connection().connection.driver_connection
    assert isinstance(dbapi, sqlite3.Connection)
    try:
        dbapi.execute("SELECT pow(2, 2)")
    except sqlite3.OperationalError:  # SQLite built without math functions
        dbapi.create_function("pow", 2, math.pow, deterministic=True)
    return dbapi


def card_ids(
    session: Session, node: q.Node, ctx: SearchContext, sort: str = "created", desc: bool = False
) -> list[int]:
    """Ids of the cards matching a tree, in the requested order."""
    where, params = translate(node, ctx)
    sql = select_sql(where, sort, desc)
    return [row[0] for row in raw(session).execute(sql, params)]


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


def fetch_rows(session: Session, ids: Sequence[int], ctx: SearchContext) -> list[RawRow]:
    """Rows for a window of card ids, in the order given (missing ids are left out)."""
    sql = f"""SELECT c.id, c.note_id, n.notetype_id, c.ord, n.fields, n.sort_field, c.domain,
        d.name, n.tags, c.due, c.state, c.stability, c.difficulty, {IVL_SQL}, {R_SQL},
        c.lapses, c.reps, c.created, c.suspended,
        (c.buried_until IS NOT NULL AND c.buried_until > :now), c.flag
        FROM card c JOIN note n ON n.id = c.note_id JOIN deck d ON d.id = c.deck_id
        WHERE c.id IN (SELECT value FROM json_each(:ids))"""
    params = ctx.base_params() | {"ids": json.dumps(list(ids))}
    got = {r[0]: RawRow(*r) for r in raw(session).execute(sql, params)}
    return [got[i] for i in ids if i in got]


def field_map(session: Session) -> dict[str, tuple[tuple[int, int], ...]]:
    """Lower-case field name -> (note type id, index) for every note type (for field:value)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for nt_id, config in raw(session).execute("SELECT id, config FROM notetype"):
        for i, name in enumerate(json.loads(config).get("fields", [])):
            out.setdefault(str(name).lower(), []).append((nt_id, i))
    return {k: tuple(v) for k, v in out.items()}


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
            con.execute(row[0])


def rebuild_fts(session: Session) -> None:
    """Refill the text index from every note (after bulk inserts that bypassed the triggers)."""
    con = session.connection()
    con.exec_driver_sql("DELETE FROM note_fts")
    con.exec_driver_sql(
        f"INSERT INTO note_fts (rowid, text) SELECT id, {note_text_sql('note')} FROM note"
    )
