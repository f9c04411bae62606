"""Reads for the held-out readiness model (core/readiness_model.py): which cards belong to held-out
notes, the answers given to them in mocks, each domain's memory at a past moment, and the first
answers to multiple-choice cards; and the one-time backfill of the item-bank columns. Callers
own the session.

Which notes are held out is the note's own `heldout` column (schema step 7; older collections
are filled once from the bundled deck by services/item_bank.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from cehrs_cards.db import revlog
from cehrs_cards.db.settings import load_section, save_section
from cehrs_cards.db.timefmt import from_db, from_ms, to_ms

if TYPE_CHECKING:
    from cehrs_cards.db.session import Rows

COUNTED_MOCK = """a.kind = 'mock' AND a.finished IS NOT NULL
    AND (COALESCE(json_extract(a.options, '$.counted'), 0) = 1
         OR NOT COALESCE(json_extract(a.options, '$.incomplete'),
             2 * (SELECT COUNT(choice) FROM exam_item x WHERE x.attempt_id = a.id)
             < (SELECT COUNT(*) FROM exam_item x WHERE x.attempt_id = a.id)))"""
"""SQL: mock attempt `a` counts: finished, and not incomplete (most items left unanswered, as
stored at submission or judged from its answers) unless the candidate counted it anyway."""


@dataclass(frozen=True)
class FlaggedCard:
    """A card of a note with item-bank flags: its domain, note, whether it is held out and its
    same-fact group."""

    card_id: int
    note_id: int
    domain: int
    held_out: bool
    group: str | None


@dataclass(frozen=True)
class PoolAnswer:
    """One scored answer to a held-out item in a counted mock."""

    attempt_id: int
    started: datetime
    card_id: int
    domain: int
    right: bool


def _rows(s: Rows, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    return list(s.connection().execute(text(sql), params or {}))


def _id_list(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def flagged_cards(s: Rows) -> list[FlaggedCard]:
    """The cards of every note that is held out or has a same-fact group, by card id (the
    notes' own `heldout` and `grp` columns)."""
    sql = """SELECT c.id, c.note_id, c.domain, n.heldout, n.grp FROM card c
             JOIN note n ON n.id = c.note_id WHERE n.heldout = 1 OR n.grp IS NOT NULL
             ORDER BY c.id"""
    return [
        FlaggedCard(int(c), int(n), int(d), bool(h), None if g is None else str(g))
        for c, n, d, h, g in _rows(s, sql)
    ]


def held_out_card_count(s: Rows) -> int:
    """Cards of held-out notes (read through the partial index of held-out notes)."""
    from cehrs_cards.db.notes import HELDOUT_CARDS

    sql = f"SELECT COUNT(*) FROM ({HELDOUT_CARDS})"
    return int(s.connection().exec_driver_sql(sql).scalar_one())


# ----- filling the columns of collections older than them (services/item_bank.py) ----------
BACKFILL_KEY = "item_bank_backfill"
"""Settings section saying the one-time backfill ran (its value: how many notes it filled)."""


def backfill_done(s: Rows) -> bool:
    """Whether the item-bank backfill has run on this collection (one primary-key read)."""
    return load_section(s, BACKFILL_KEY) is not None


def mark_backfilled(s: Rows, filled: int) -> None:
    """Record that the backfill ran (caller commits)."""
    save_section(s, BACKFILL_KEY, {"filled": filled})


def any_note(s: Rows) -> bool:
    """Whether the collection has a note at all."""
    return s.connection().exec_driver_sql("SELECT 1 FROM note LIMIT 1").first() is not None


def fill_item_bank(s: Rows, flags: Iterable[tuple[str, bool, str | None]]) -> int:
    """Set (guid, held out, group) on the notes with that guid whose columns are both still
    empty (a note imported since the columns exist keeps what its deck said); how many."""
    sql = text("""UPDATE note SET heldout = :h, grp = :g
                  WHERE guid = :guid AND heldout = 0 AND grp IS NULL""")
    done = 0
    for guid, held, group in flags:
        got = s.connection().execute(sql, {"h": int(held), "g": group, "guid": guid})
        done += got.rowcount or 0
    return done


def pool_answers(s: Rows, card_ids: Collection[int]) -> list[PoolAnswer]:
    """Scored answers to these cards in counted mocks, oldest attempt first (an unanswered
    item counts as wrong, as on the exam); an item already studied as a flashcard before the
    mock is left out: its answer measures memory of it, not transfer."""
    if not card_ids:
        return []
    sql = f"""SELECT a.id, a.started, i.card_id, i.domain,
                     i.choice IS NOT NULL AND i.choice = json_extract(i.content, '$.answer')
              FROM exam_attempt a JOIN exam_item i ON i.attempt_id = a.id
              WHERE {COUNTED_MOCK} AND i.pretest = 0 AND i.card_id IN ({_id_list(card_ids)})
                AND NOT EXISTS (SELECT 1 FROM revlog r WHERE r.card_id = i.card_id
                                AND r.rating > 0 AND r.id < {revlog.ms_of("a.started")})
              ORDER BY a.started, a.id, i.position"""
    out = []
    for aid, started, cid, dom, ok in _rows(s, sql):
        when = from_db(started)
        assert when is not None
        out.append(PoolAnswer(int(aid), when, int(cid), int(dom), bool(ok)))
    return out


def memory_at(
    s: Rows, when: datetime, skip: Collection[int]
) -> list[tuple[int, float | None, datetime | None]]:
    """Every unsuspended card but `skip`: (domain, stability after its last answer before
    `when`, that answer's time); stability None for a card not yet studied then."""
    sql = f"""SELECT c.domain, r.stability_x1000 / 1000.0, r.id FROM card c
              LEFT JOIN revlog r ON r.id = (
                  SELECT r2.id FROM revlog r2 WHERE r2.card_id = c.id AND r2.id < :w
                  AND (r2.rating > 0 OR (r2.kind = 4 AND r2.interval = 0))
                  ORDER BY r2.id DESC LIMIT 1)
              WHERE c.suspended = 0 AND c.id NOT IN ({_id_list(skip)})"""
    return [  # a reset (Forget) last: not studied then
        (int(d), None, None) if st is None else (int(d), float(st), from_ms(at))
        for d, st, at in _rows(s, sql, {"w": to_ms(when)})
    ]


def first_answers(
    s: Rows, notetype_ids: Collection[int], skip: Collection[int]
) -> dict[int, tuple[int, int]]:
    """Per domain: multiple-choice cards (of these note types, not in `skip`) answered at least
    once, and how many of them were rated above Again the first time."""
    sql = f"""SELECT c.domain, COUNT(*), SUM(r.rating > 1) FROM card c
              JOIN note n ON n.id = c.note_id
              JOIN revlog r ON r.id = (SELECT r2.id FROM revlog r2 WHERE r2.card_id = c.id
                                       AND r2.rating > 0 ORDER BY r2.id LIMIT 1)
              WHERE n.notetype_id IN ({_id_list(notetype_ids)})
                AND c.id NOT IN ({_id_list(skip)})
              GROUP BY c.domain"""
    return {int(d): (int(n), int(k or 0)) for d, n, k in _rows(s, sql)}


def answer_habits(s: Rows, since: datetime) -> list[tuple[int, int, int, int]]:
    """Answers since `since` grouped by (state before: 0 new, 1 learning, 2 review,
    3 relearning; rating): (state, rating, count, median-ish seconds: mean of those under a
    minute, so a break with the card open does not count)."""
    sql = f"""SELECT {revlog.STATE_BEFORE}, r.rating, COUNT(*),
                    AVG(CASE WHEN r.duration_ms BETWEEN 1 AND 60000 THEN r.duration_ms END)
             FROM revlog r WHERE r.id >= :since AND r.rating > 0 GROUP BY 1, 2"""
    return [
        (int(st), int(r), int(n), int(ms or 0))
        for st, r, n, ms in _rows(s, sql, {"since": to_ms(since)})
    ]


def seconds_by_day(s: Rows, since: datetime, shiftd: float) -> list[float]:
    """Seconds answered per study day since `since` (days without answers absent)."""
    day = "CAST(id / 86400000.0 + (2440587.5 + :shiftd) AS INTEGER)"  # as stats_queries.DAY_MS
    sql = f"""SELECT {day}, SUM(duration_ms) FROM revlog WHERE id >= :since AND rating > 0
              GROUP BY 1"""
    rows = _rows(s, sql, {"since": to_ms(since), "shiftd": shiftd})
    return [float(ms or 0) / 1000 for _, ms in rows]


MemoryRow = tuple[int, int, int, float | None, float | None, str, str | None, int, int]


def studyable_memory_rows(s: Rows, skip: Collection[int]) -> list[MemoryRow]:
    """(domain, state, step, stability, difficulty, due, last review, reps, lapses) of every
    unsuspended card not in `skip` (the held-out ones), by due date."""
    leave_out = f" AND c.id NOT IN ({_id_list(sorted(skip))})" if skip else ""
    sql = f"""SELECT c.domain, c.state, c.step, c.stability, c.difficulty, c.due,
                     c.last_review, c.reps, c.lapses FROM card c
              WHERE c.suspended = 0{leave_out} ORDER BY c.due, c.id"""
    return _rows(s, sql)
