"""Exam queries: the cards that can be items (multiple-choice cards, option-less cards and their
answers), same-fact groups, the light card-id reads of the lazy pool, and what earlier attempts
showed. Services pass note type ids and card ids, never SQL; every query is read-only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import text

from cehrs_cards.db.session import Session

GROUP_COLUMNS = ("grp", "fact_group", "group_key", "group")
"""Names a note column holding the same-fact group may have (first found wins)."""


def _ids(ids: Iterable[int]) -> str:
    """An SQL list of integer ids ('NULL' when empty: matches nothing)."""
    return ",".join(str(int(i)) for i in ids) or "NULL"


def _rows(s: Session, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    return list(s.connection().execute(text(sql), params or {}))


# ----- same-fact groups ----------------------------------------------------------------------
def group_column(s: Session) -> str | None:
    """The note table's same-fact group column, if the schema has one."""
    cols = {str(r[1]) for r in s.connection().exec_driver_sql("PRAGMA table_info(note)")}
    return next((c for c in GROUP_COLUMNS if c in cols), None)


def _group_sql(column: str | None, alias: str = "n") -> str:
    if column is not None and column not in GROUP_COLUMNS:
        raise ValueError(f"not a group column: {column!r}")
    return f'{alias}."{column}"' if column else "NULL"


def note_groups(
    s: Session, note_ids: list[int], column: str | None
) -> list[tuple[int, str, str | None]]:
    """(note id, guid, stored group or None) of the notes among `note_ids`, 900 ids a query."""
    sql = f"SELECT n.id, n.guid, {_group_sql(column)} FROM note n WHERE n.id IN ({{}})"
    out: list[tuple[int, str, str | None]] = []
    for start in range(0, len(note_ids), 900):
        chunk = _ids(note_ids[start : start + 900])
        out += [(int(n), str(g), stored) for n, g, stored in _rows(s, sql.format(chunk))]
    return out


# ----- what makes a card an item -------------------------------------------------------------
def mcq_card_rows(s: Session, mcq_types: Collection[int]) -> list[Any]:
    """(card id, note id, domain, ord, fields, guid, note type id) of the unsuspended cards of
    these (multiple-choice) note types."""
    sql = f"""SELECT c.id, c.note_id, c.domain, c.ord, n.fields, n.guid, n.notetype_id
              FROM card c JOIN note n ON n.id = c.note_id
              WHERE n.notetype_id IN ({_ids(mcq_types)}) AND c.suspended = 0"""
    return _rows(s, sql)


def answer_rows(
    s: Session, types: Collection[int], back_second: Collection[int], domains: Collection[int]
) -> list[Any]:
    """(card id, note id, domain, ord, note type id, raw answer field) of the unsuspended cards
    of note types `types` in `domains`; the answer is the first field, or the second for
    ordinal 0 of the `back_second` types (extracted by SQLite: no note is parsed)."""
    sql = f"""SELECT c.id, c.note_id, c.domain, c.ord, n.notetype_id,
                     json_extract(n.fields, CASE WHEN c.ord = 0 AND n.notetype_id
                                  IN ({_ids(back_second)}) THEN '$[1]' ELSE '$[0]' END)
              FROM card c JOIN note n ON n.id = c.note_id
              WHERE n.notetype_id IN ({_ids(types)}) AND c.suspended = 0
                AND c.domain IN ({_ids(domains)})"""
    return _rows(s, sql)


def mcq_domains(s: Session, mcq_types: Collection[int]) -> dict[int, int]:
    """card id -> domain of the unsuspended cards of these note types, by card id."""
    sql = f"""SELECT c.id, c.domain FROM card c JOIN note n ON n.id = c.note_id
              WHERE n.notetype_id IN ({_ids(mcq_types)}) AND c.suspended = 0"""
    return dict(sorted((int(c), int(d)) for c, d in _rows(s, sql)))


def item_rows(s: Session, card_ids: Collection[int], group: str | None) -> list[Any]:
    """(card id, note id, domain, ord, fields, guid, note type id, stored group) of these
    cards (`group`: the note's group column, from group_column)."""
    sql = f"""SELECT c.id, c.note_id, c.domain, c.ord, n.fields, n.guid, n.notetype_id,
                     {_group_sql(group)}
              FROM card c JOIN note n ON n.id = c.note_id
              WHERE c.id IN ({_ids(card_ids)})"""
    return _rows(s, sql)


# ----- card ids, read lightly ----------------------------------------------------------------
def card_id_span(s: Session) -> tuple[int, int, int]:
    """(lowest id, highest id, count) of the cards: min and max each read one end of the key."""
    sql = "SELECT (SELECT min(id) FROM card), (SELECT max(id) FROM card), count(*) FROM card"
    lo, hi, n = s.connection().execute(text(sql)).one()
    return int(lo or 0), int(hi or 0), int(n)


def unsuspended_ids(s: Session, domain: int | None) -> list[int]:
    """Sorted ids of the domain's unsuspended cards (None: of every domain)."""
    where = "domain = :d" if domain is not None else "1"
    sql = f"SELECT group_concat(id) FROM card WHERE suspended = 0 AND {where}"
    joined = s.connection().execute(text(sql), {"d": domain}).scalar()
    return sorted(map(int, str(joined).split(","))) if joined else []


def probe(s: Session, ids: Collection[int], domain: int) -> set[int]:
    """Those of `ids` that are unsuspended cards of the domain."""
    sql = f"SELECT id FROM card WHERE id IN ({_ids(ids)}) AND domain = :d AND suspended = 0"
    return {int(r[0]) for r in _rows(s, sql, {"d": domain})}


def all_card_ids(s: Session) -> set[int]:
    """Every card id."""
    every = s.connection().execute(text("SELECT group_concat(id) FROM card")).scalar()
    return set(map(int, str(every).split(","))) if every else set()


def flagged_card_ids(s: Session) -> set[int]:
    """Ids of the cards with a card flag."""
    return {int(r[0]) for r in _rows(s, "SELECT id FROM card WHERE flag")}


# ----- what earlier attempts showed ----------------------------------------------------------
def times_seen(s: Session, kind: str | None) -> dict[int, int]:
    """How many earlier attempts (of `kind`, or of any kind) showed each card."""
    where = "WHERE a.kind = :kind" if kind else ""
    sql = f"""SELECT i.card_id, COUNT(*) FROM exam_item i
              JOIN exam_attempt a ON a.id = i.attempt_id {where} GROUP BY i.card_id"""
    rows = _rows(s, sql, {"kind": kind} if kind else {})
    return {int(cid): int(n) for cid, n in rows if cid is not None}


def last_shown(s: Session) -> list[tuple[int, int | None, bool, str]]:
    """(card id, choice, flagged, item JSON) of each card's last item in a finished attempt."""
    sql = """SELECT i.card_id, i.choice, i.flagged, i.content FROM exam_item i
             JOIN (SELECT card_id, MAX(i2.id) AS mid FROM exam_item i2
                   JOIN exam_attempt a ON a.id = i2.attempt_id
                   WHERE a.finished IS NOT NULL AND i2.card_id IS NOT NULL GROUP BY card_id) m
             ON m.mid = i.id"""
    return [(int(c), ch, bool(fl), str(js)) for c, ch, fl, js in _rows(s, sql)]
