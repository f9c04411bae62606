"""The review log (table revlog, schema step 7): one row per answer or manual change, at
Anki's cost, and every statement that writes it or reads it row by row.

A row is Anki's (rslib revlog): the id is the time in milliseconds since the epoch (unique:
a clash takes the next free millisecond, as Anki does), then the card, the entry type
(core.history: 0 learn ... 5 rescheduled), the button (0 for a manual entry), Anki's
interval, the time taken, and the memory state after the answer as integers (stability in
thousandths of a day, difficulty in hundredths: 2-3 bytes each instead of 8 for a float).
Nothing that can be derived is stored: the state before an answer, the days since the
previous one and the counts so far come from the card's earlier rows (aggregate queries in
db/stats_queries.py and db/queue.py use the SQL fragments below).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from cehrs_cards.core.history import (
    MANUAL,
    Entry,
    LogEntry,
    LogLike,
    answer_kind,
    log_interval,
)
from cehrs_cards.core.records import MemoryState
from cehrs_cards.db.columns import REVLOG
from cehrs_cards.db.session import driver
from cehrs_cards.db.timefmt import from_ms, to_ms

if TYPE_CHECKING:
    from sqlmodel import Session

    from cehrs_cards.db.session import Rows

COLUMNS = REVLOG
"""The table's columns in order: every insert and read here uses this one list."""
MAX_DURATION_MS = 3_600_000
STABILITY = "(r.stability_x1000 / 1000.0)"
DIFFICULTY = "(r.difficulty_x100 / 100.0)"
IS_RESET = "(r.kind = 4 AND r.rating = 0 AND r.interval = 0)"
_PREV = "FROM revlog p WHERE p.card_id = r.card_id AND p.id < r.id"
PREVIOUS_ANSWER = f"""(SELECT CASE WHEN p.rating > 0 THEN p.id END {_PREV}
    AND (p.rating > 0 OR (p.kind = 4 AND p.interval = 0)) ORDER BY p.id DESC LIMIT 1)"""
"""The id (time) of the card's previous answer, NULL if none since its last reset: an index
step back from r (ix_revlog_card is (card_id, id))."""
FIRST_ANSWER = f"""(r.kind = 0 AND r.rating > 0 AND IFNULL((SELECT p.kind = 4 AND p.rating = 0
    AND p.interval = 0 {_PREV} AND (p.rating > 0 OR p.kind = 4) ORDER BY p.id DESC LIMIT 1), 1))"""
"""r is a new card's first answer: none before it since the card's last reset (a look one
index step back)."""
STATE_BEFORE = f"""(CASE r.kind WHEN 0 THEN (CASE WHEN {FIRST_ANSWER} THEN 0 ELSE 1 END)
    WHEN 2 THEN 3 WHEN 1 THEN 2 WHEN 3 THEN 2 END)"""
"""The card's state before an answer (core.records.CardState), NULL for manual entries."""


def ms_of(text_time: str) -> str:
    """SQL: the review-log time (ms) of a datetime stored as text (other tables' form)."""
    t = text_time
    return f"(CAST(strftime('%s', {t}) AS INTEGER) * 1000 + CAST(substr({t}, 21, 3) AS INTEGER))"


def scaled(value: float | None, scale: int) -> int | None:
    """A memory value as stored: an integer, at least 1 (a stability never reads as 0)."""
    return None if value is None else max(1, round(value * scale))


def values(
    card_id: int,
    at_ms: int,
    kind: int,
    rating: int,
    interval: int,
    memory: tuple[float | None, float | None],
    duration_ms: int,
) -> tuple[Any, ...]:
    """One row in COLUMNS order; `memory` is the (stability, difficulty) after the entry."""
    s, d = memory
    return (
        at_ms,
        card_id,
        kind,
        rating,
        interval,
        None if s is None else max(1, round(s * 1000)),  # scaled(), inline: a million rows
        None if d is None else max(1, round(d * 100)),
        max(0, min(duration_ms, MAX_DURATION_MS)),
    )


class _Answer(LogLike, Protocol):
    """An entry to log: core.history's reading of one, its time and time taken."""

    @property
    def at_ms(self) -> int: ...
    @property
    def duration_ms(self) -> int: ...


class _Memory(Protocol):
    @property
    def stability(self) -> float: ...
    @property
    def difficulty(self) -> float: ...


def answer_rows(
    card_id: int, answers: Sequence[_Answer], after: Sequence[_Memory]
) -> list[tuple[Any, ...]]:
    """Rows to stage (STAGED order) of a card's answers, each with the memory state after it,
    as they come: insert_staged scales and bounds them in SQL as values() does in Python
    (a heavy import makes a million rows; a tuple of plain reads each is what it can afford)."""
    return [
        (a.at_ms, card_id, a.kind, a.rating, a.interval, m.stability, m.difficulty, a.duration_ms)
        for a, m in zip(answers, after, strict=True)
    ]


def entry(row: Sequence[Any]) -> Entry:
    """A stored row (COLUMNS order) as a core record."""
    rid, card_id, kind, rating, interval, s, d, ms = row
    return Entry(
        rid,
        card_id,
        kind,
        rating,
        interval,
        None if s is None else s / 1000,
        None if d is None else d / 100,
        ms,
    )


def insert(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert rows (COLUMNS order); an id (time) already taken moves to the next free
    millisecond, as Anki does. Returns the ids used, in the order of `rows`."""
    if not rows:
        return []
    db = driver(conn)  # straight through sqlite3: an answer's path (db/session.run)
    sql = "SELECT id FROM revlog WHERE id IN (SELECT value FROM json_each(?))"
    taken = {int(r[0]) for r in db.execute(sql, (json.dumps([r[0] for r in rows]),))}
    used: set[int] = set()
    fixed = []
    for row in rows:
        rid = int(row[0])
        if rid in taken or rid in used:
            rid = _free_after(conn, rid, used)
        used.add(rid)
        fixed.append((rid, *row[1:]))
    marks = ", ".join("?" * len(COLUMNS))
    db.executemany(f"INSERT INTO revlog ({', '.join(COLUMNS)}) VALUES ({marks})", fixed)
    return [r[0] for r in fixed]


STAGING = "temp.revlog_import"
STAGED = (*COLUMNS[:5], "stability", "difficulty", "duration_ms")
"""A staged row: COLUMNS, with the memory state as fsrs-rs gives it (floats) and the time
taken as the package has it; insert_staged makes them what values() makes."""
_AS_STORED = (
    "MAX(1, CAST(ROUND({a}.stability * 1000) AS INTEGER))",
    "MAX(1, CAST(ROUND(MIN(10.0, MAX(1.0, {a}.difficulty)) * 100) AS INTEGER))",
    f"MAX(0, MIN({{a}}.duration_ms, {MAX_DURATION_MS}))",
)


def as_stored(alias: str, card: str) -> str:
    """SQL: a staged row (STAGED, table `alias`) as stored (COLUMNS), its card `card`."""
    a = alias
    head = [f"{a}.id", card, f"{a}.kind", f"{a}.rating", f"{a}.interval"]
    return ", ".join(head + [e.format(a=a) for e in _AS_STORED])


def free_taken_times(conn: Connection, source: str) -> None:
    """Move each row of `source` (staged rows) whose time the log already holds to the
    next free millisecond, as insert does (clashes are rare)."""
    clash = f"SELECT id FROM {source} WHERE id IN (SELECT id FROM revlog)"
    for (rid,) in conn.exec_driver_sql(clash).all():
        free = _free_after(conn, int(rid), set(), also=source)
        conn.exec_driver_sql(f"UPDATE {source} SET id = ? WHERE id = ?", (free, rid))


def create_staging(conn: Connection) -> None:
    """A temporary table for an import's log rows (STAGED, no constraint, no index: rows
    come in card order, and keeping them in time order as they come costs more than one
    sort at the end)."""
    conn.exec_driver_sql(f"CREATE TABLE {STAGING} ({', '.join(STAGED)})")


def stage(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Stage rows made by answer_rows."""
    if rows:
        marks = ", ".join("?" * len(STAGED))
        conn.exec_driver_sql(f"INSERT INTO {STAGING} VALUES ({marks})", rows)


def insert_staged(conn: Connection, card_ids: Sequence[int], also: str | None = None) -> None:
    """Move the staged rows (of the cards `card_ids`) into the log in time order, then drop
    the staging table. A time the log already holds moves to the next free millisecond first
    (as insert does); a package's repeated entry (same time) is kept once. The cards are
    checked first, once each (an import runs with SQLite's per-row checks off:
    db/session.bulk_session; answer_rows gives each row its card). `also`: a SELECT of more
    rows in STAGED form (a replay process's: db/replay_file.log_source), sorted in with them."""
    free_taken_times(conn, STAGING)
    orphan = """SELECT value FROM json_each(?)
                WHERE NOT EXISTS (SELECT 1 FROM card WHERE id = value) LIMIT 1"""
    row = conn.exec_driver_sql(orphan, (json.dumps(list(card_ids)),)).first()
    if row is not None:
        what = f"review-log rows of a missing card {row[0]}"
        raise IntegrityError(f"import: {what}", None, ValueError(what))
    staged = ", ".join(STAGED)
    source = f"SELECT {staged} FROM {STAGING}"
    if also is not None:
        source += f" UNION ALL SELECT {staged} FROM ({also})"
    conn.exec_driver_sql(  # one sort; OR IGNORE: only a repeated time can clash (rows staged
        # are answers, which pass the table's checks), and one sort is all it then costs
        f"INSERT OR IGNORE INTO revlog ({', '.join(COLUMNS)}) "
        f"SELECT {as_stored('s', 's.card_id')} FROM ({source}) s ORDER BY s.id"
    )
    conn.exec_driver_sql(f"DROP TABLE {STAGING}")


def _free_after(conn: Connection, rid: int, used: set[int], also: str | None = None) -> int:
    """The first id after `rid` neither stored nor about to be (in `used`, or in the table
    `also`); clashes are rare."""
    tables = ["revlog"] + ([also] if also else [])
    while True:
        rid += 1
        if rid in used:
            continue
        if all(
            conn.exec_driver_sql(f"SELECT 1 FROM {t} WHERE id = ?", (rid,)).first() is None
            for t in tables
        ):
            return rid


def add_answer(
    s: Rows,
    card_id: int,
    at: datetime,
    rating: int,
    duration_ms: int,
    before: MemoryState,
    after: MemoryState,
) -> int:
    """Log one answer; returns its id."""
    kind = answer_kind(before.state)
    memory = (after.stability, after.difficulty)
    row = values(card_id, to_ms(at), kind, rating, log_interval(after, at), memory, duration_ms)
    return insert(s.connection(), [row])[0]


def add_resets(s: Session, card_ids: Iterable[int], at: datetime) -> list[int]:
    """Log a reset to new (Anki's Forget: manual, no button, no interval) for each card."""
    ms = to_ms(at)
    return insert(s.connection(), [values(c, ms, MANUAL, 0, 0, (None, None), 0) for c in card_ids])


def delete(s: Session, ids: Iterable[int]) -> None:
    s.connection().exec_driver_sql(
        "DELETE FROM revlog WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(i) for i in ids]),),
    )


_SELECT = f"SELECT {', '.join(COLUMNS)} FROM revlog"


def card_history(s: Session, card_id: int) -> list[Entry]:
    """Every row of one card, oldest first."""
    sql = f"{_SELECT} WHERE card_id = ? ORDER BY id"
    return [entry(r) for r in s.connection().exec_driver_sql(sql, (card_id,))]


def histories(s: Session, card_ids: Iterable[int] | None = None) -> Iterator[list[Entry]]:
    """Each card's rows, oldest first, one card at a time in card order (the log is read in
    one sorted pass, never held whole). `card_ids`: only these cards."""
    wanted = None if card_ids is None else set(card_ids)
    # One pass over the table and a sort (SQLite spills it to a temporary file): about half
    # the time of walking ix_revlog_card, a row lookup per entry (docs/schema-costs.md).
    sql = f"{_SELECT} NOT INDEXED ORDER BY card_id, id"
    current: list[Entry] = []
    for row in s.connection().exec_driver_sql(sql):
        if wanted is not None and row[1] not in wanted:
            continue
        if current and current[0].card_id != row[1]:
            yield current
            current = []
        current.append(entry(row))
    if current:
        yield current


def last_id(s: Session) -> int:
    """The newest row's id (0 for an empty log)."""
    got = s.connection().exec_driver_sql("SELECT MAX(id) FROM revlog").scalar()
    return int(got or 0)


def log_entries(s: Session, card_ids: Iterable[int] | None = None) -> dict[int, list[LogEntry]]:
    """Each card's entries (answers and manual ones: a reset cuts the history, see
    core.history.since_last_reset) in time order, as the memory model reads them.
    `card_ids`: only these cards."""
    cols = "SELECT card_id, id, rating, kind, interval FROM revlog"
    wanted = None if card_ids is None else {int(c) for c in card_ids}
    if wanted is not None and len(wanted) <= _FEW_CARDS:  # their rows through the card index
        sql = f"{cols} WHERE card_id IN (SELECT value FROM json_each(?)) ORDER BY card_id, id"
        rows = s.connection().exec_driver_sql(sql, (json.dumps(sorted(wanted)),))
    else:  # one pass and a sort, as histories()
        rows = s.connection().exec_driver_sql(f"{cols} NOT INDEXED ORDER BY card_id, id")
    out: dict[int, list[LogEntry]] = {}
    for card_id, rid, rating, kind, interval in rows:
        if wanted is None or card_id in wanted:
            out.setdefault(card_id, []).append(LogEntry(from_ms(rid), rating, kind, interval))
    return out


_FEW_CARDS = 20_000
"""Up to this many cards, their rows are looked up through ix_revlog_card; more, and one
pass over the whole log costs less than the lookups."""
