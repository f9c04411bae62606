"""Aggregations for the statistics view and the readiness estimate, all in SQL.

Every query returns sums per group, never a row per card or per review, so they stay fast on
100,000 cards and 1,000,000 reviews. Study days are Julian day numbers of local time minus
the rollover hour (DAY; the UTC offset of today: a DST change moves history by an hour at
most). Retrievability is FSRS's power curve over whole elapsed study days, as the scheduler
counts them; SQLite's math functions are registered from Python when the build lacks them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from cehrs_cards.core.readiness import GroupMemory
from cehrs_cards.core.stats import STABILITY_EDGES, RecallGroup
from cehrs_cards.db import revlog
from cehrs_cards.db.notes import heldout_filter
from cehrs_cards.db.queue import deck_filter
from cehrs_cards.db.session import driver
from cehrs_cards.db.timefmt import to_db, to_ms

DAY = "CAST(julianday({t}) + :shiftd AS INTEGER)"
"""Julian day number of the local study day of a UTC time; :shiftd = 0.5 + (UTC offset -
rollover hour) in days. Integer arithmetic: several times cheaper than date(t, modifier)."""
DAY_MS = "CAST({t} / 86400000.0 + (2440587.5 + :shiftd) AS INTEGER)"
"""The same for a review-log time (milliseconds since the epoch)."""
RECALL_TEST = f"""{DAY_MS.format(t="r.id")} > {DAY_MS.format(t="r.prev")}"""
"""A review on a later study day than the card's previous one (fsrs-rs: a long-term review),
over `answers` below (r.prev: the previous answer's time, NULL for a card's first)."""


_BITS = 23
_LOW = 1 << _BITS
"""The low 23 bits of a packed entry (_BEFORE) hold its study day times 2 plus a flag (Julian
day numbers below 2**22: until the year 6800)."""
_BEFORE = f"""LAG(IFNULL(r.stability_x1000, 0) * {_LOW} + {DAY_MS.format(t="r.id")} * 2
    + (r.rating > 0)) OVER w"""
"""The card's previous entry packed in one integer, one LAG instead of three (1.85 -> 1.47 s
CPU for the window over 1,000,000 rows): the stability it left x 1000 (0: none) times _LOW,
plus its study day times 2, plus 1 if it was an answer (0: a reset, after which the card has
no previous answer)."""
_PREV_ANSWERED = "(h.before & 1)"
_PREV_DAY = f"((h.before & {_LOW - 1}) >> 1)"
_PREV_STABILITY = f"((h.before >> {_BITS}) / 1000.0)"


def _history() -> str:
    """Every answer (and reset) with what came before it on its card: the previous entry
    (_BEFORE), the entries so far and the lapses so far. The table is read in order and
    sorted by card (walking the card index instead costs a row lookup each: twice as long)."""
    lapse = "(r.rating = 1 AND r.kind = 1)"
    return f"""SELECT r.id, r.card_id, r.rating, {_BEFORE} AS before,
        ROW_NUMBER() OVER w - 1 AS reps, SUM({lapse}) OVER w - {lapse} AS lapses
        FROM revlog r NOT INDEXED WHERE r.rating > 0 OR {revlog.IS_RESET}
        WINDOW w AS (PARTITION BY r.card_id ORDER BY r.id ROWS UNBOUNDED PRECEDING)"""


def answers(since: str, where: str = "") -> str:
    """A FROM clause: the answers since :param `since` (a review-log time), each with its
    card's previous answer (db/revlog.py PREVIOUS_ANSWER, one index step back) as r.prev.
    For windows of a month or less; a year's answers read the whole log once (_history)."""
    return f"""FROM (SELECT r.*, {revlog.PREVIOUS_ANSWER} AS prev FROM revlog r
        WHERE r.id >= :{since} AND r.rating > 0{where}) r"""


_DAYS = "MAX(0, " + DAY.format(t=":{at}") + " - " + DAY.format(t="c.last_review") + ")"
"""Whole study days from a card's last review to :at: the study-day difference the scheduler
uses (core/clock StudyDays.elapsed, Anki's FSRS convention), not 24-hour periods."""
_R = "pow(1 + :factor * {days} / c.stability, :decay)"
R_NOW = _R.format(days=_DAYS.format(at="now"))
R_EXAM = _R.format(days=_DAYS.format(at="exam"))
SEEN = "(c.state > 0 AND c.stability > 0 AND c.last_review IS NOT NULL)"


@dataclass(frozen=True)
class Scope:
    """The cards a chart covers: one domain and/or some decks (None: all)."""

    domain: int | None = None
    deck_ids: tuple[int, ...] | None = None

    def sql(self) -> str:
        """SQL fragment on alias c, built from ints only."""
        out = "" if self.domain is None else f" AND c.domain = {int(self.domain)}"
        return out + deck_filter(None if self.deck_ids is None else list(self.deck_ids))

    @property
    def everything(self) -> bool:
        return self.domain is None and self.deck_ids is None


def _rows(s: Session, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]:
    return list(s.connection().execute(text(sql), dict(params or {})))


def ensure_math(s: Session) -> None:
    """Register pow, ln, exp and floor on this connection if SQLite was built without them."""
    try:
        s.connection().execute(text("SELECT pow(2, 0.5), ln(2), exp(1), floor(1.5)"))
    except Exception:
        raw = driver(s.connection())
        for name, fn in (("pow", math.pow), ("ln", math.log), ("exp", math.exp)):
            raw.create_function(name, 1 if name != "pow" else 2, fn, deterministic=True)
        raw.create_function("floor", 1, math.floor, deterministic=True)


def _revlog_from(scope: Scope) -> str:
    """FROM clause for the answers (button pressed); joins the card only when a filter needs
    it. The time is the table's key: a window of time is a range of rows, no index needed."""
    if scope.everything:
        return "FROM revlog r WHERE r.rating > 0"
    return f"FROM revlog r CROSS JOIN card c ON c.id = r.card_id WHERE r.rating > 0{scope.sql()}"


# ----- history -----------------------------------------------------------------------------------
def answers_by_day(
    s: Session, shiftd: float, since: datetime, scope: Scope
) -> list[tuple[int, int, int, int]]:
    """(study day number, kind = card state before, answers, milliseconds) since `since`.

    Grouped by one integer, day * 4 + state (0-3): faster to sort than two columns."""
    sql = f"""SELECT {DAY_MS.format(t="r.id")} * 4 + COALESCE({revlog.STATE_BEFORE}, 2),
              COUNT(*), SUM(r.duration_ms) {_revlog_from(scope)} AND r.id >= :since GROUP BY 1"""
    rows = _rows(s, sql, {"shiftd": shiftd, "since": to_ms(since)})
    return [(*divmod(int(key), 4), int(n), int(ms or 0)) for key, n, ms in rows]


def study_days(s: Session, shiftd: float, scope: Scope) -> list[int]:
    """Every study day number with at least one answer (for streaks)."""
    sql = f"SELECT DISTINCT {DAY_MS.format(t='r.id')} {_revlog_from(scope)}"
    return [int(row[0]) for row in _rows(s, sql, {"shiftd": shiftd})]


def retention_by_domain(
    s: Session, shiftd: float, starts: Mapping[str, datetime], scope: Scope
) -> dict[str, dict[int, tuple[int, int]]]:
    """Recall tests per window (name -> start) and domain: (passed, total), pass = rating > 1.

    One pass over the longest window; the windows all end now."""
    names = list(starts)
    cols = ", ".join(
        f"SUM(r.id >= :s{i} AND r.rating > 1), SUM(r.id >= :s{i})" for i in range(len(names))
    )
    sql = f"""SELECT c.domain, {cols} {answers("since")} CROSS JOIN card c ON c.id = r.card_id
              WHERE {RECALL_TEST}{scope.sql()} GROUP BY 1"""
    params: dict[str, Any] = {f"s{i}": to_ms(starts[n]) for i, n in enumerate(names)}
    params |= {"shiftd": shiftd, "since": min(params.values())}
    out: dict[str, dict[int, tuple[int, int]]] = {n: {} for n in names}
    for dom, *sums in _rows(s, sql, params):
        for i, n in enumerate(names):
            if sums[2 * i + 1]:
                out[n][int(dom)] = (int(sums[2 * i]), int(sums[2 * i + 1]))
    return out


# ----- cards -------------------------------------------------------------------------------------
def due_by_day(s: Session, shiftd: float, until: datetime, scope: Scope) -> list[tuple[int, int]]:
    """Unsuspended cards in learning or review per due study day number, up to `until`
    (overdue cards fall on their own past day; the caller moves them to today)."""
    sql = f"""SELECT {DAY.format(t="c.due")}, COUNT(*) FROM card c
              WHERE c.state IN (1, 2, 3) AND c.due < :until AND c.suspended = 0{scope.sql()}
              GROUP BY 1"""
    rows = _rows(s, sql, {"shiftd": shiftd, "until": to_db(until)})
    return [(int(d), int(n)) for d, n in rows]


def state_counts(s: Session, scope: Scope, mature_days: int) -> dict[str, int]:
    """Cards by state: new, learning, relearning, young, mature (unsuspended), suspended."""
    ivl = "julianday(c.due) - julianday(c.last_review)"
    sql = f"""SELECT
        SUM(c.suspended = 0 AND c.state = 0), SUM(c.suspended = 0 AND c.state = 1),
        SUM(c.suspended = 0 AND c.state = 3),
        SUM(c.suspended = 0 AND c.state = 2 AND NOT ({ivl} >= :mature)),
        SUM(c.suspended = 0 AND c.state = 2 AND {ivl} >= :mature), SUM(c.suspended != 0)
        FROM card c WHERE 1 = 1{scope.sql()}"""
    row = _rows(s, sql, {"mature": mature_days})[0]
    keys = ("new", "learning", "relearning", "young", "mature", "suspended")
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


def stability_bins(s: Session, scope: Scope) -> dict[int, int]:
    """Studied unsuspended cards per stability bin (core.stats.STABILITY_EDGES)."""
    cases = " ".join(
        f"WHEN c.stability < {float(e)} THEN {i}" for i, e in enumerate(STABILITY_EDGES)
    )
    sql = f"""SELECT CASE {cases} ELSE {len(STABILITY_EDGES)} END, COUNT(*) FROM card c
              WHERE {SEEN} AND c.suspended = 0{scope.sql()} GROUP BY 1"""
    return {int(b): int(n) for b, n in _rows(s, sql)}


def retrievability_bins(
    s: Session, scope: Scope, now: datetime, shiftd: float, curve: tuple[float, float], bins: int
) -> tuple[dict[int, int], float, int]:
    """Studied unsuspended cards per R bin now, the sum of R and the number of cards."""
    ensure_math(s)
    params = {"now": to_db(now), "shiftd": shiftd, "decay": curve[0], "factor": curve[1]}
    params["bins"] = bins
    sql = f"""SELECT MIN(CAST(r * :bins AS INTEGER), :bins - 1), COUNT(*), SUM(r)
              FROM (SELECT {R_NOW} AS r FROM card c
                    WHERE {SEEN} AND c.suspended = 0{scope.sql()}) GROUP BY 1"""
    rows = _rows(s, sql, params)
    return (
        {int(b): int(n) for b, n, _ in rows},
        float(sum(r for *_, r in rows)),
        sum(int(n) for _, n, _ in rows),
    )


# ----- memory for readiness ----------------------------------------------------------------------
def _memory_sql(group: str, join: str, where: str = "") -> str:
    """Each card's R once (LIMIT keeps SQLite from flattening the subquery into the sums,
    which would compute R, a date parse and a pow, once per use: 3 times as long)."""
    targets = " ".join(f"WHEN {d} THEN :t{d}" for d in range(1, 6))
    return f"""SELECT {group}, COUNT(*), SUM(seen), SUM(r), SUM(r < t), SUM(CASE WHEN r < t
               THEN r ELSE 0 END), SUM(re) FROM (
                 SELECT c.domain, c.note_id, {SEEN} AS seen,
                   CASE c.domain {targets} ELSE :t0 END AS t,
                   CASE WHEN {SEEN} THEN {R_NOW} END AS r,
                   CASE WHEN {SEEN} AND :exam IS NOT NULL THEN {R_EXAM} ELSE 0 END AS re
                 FROM card c WHERE c.suspended = 0{where} LIMIT -1) AS c {join} GROUP BY {group}"""


def memory_by(
    s: Session,
    by_task: bool,
    now: datetime,
    shiftd: float,
    exam: datetime | None,
    curve: tuple[float, float],
    targets: Mapping[int, float],
    skip_held_out: bool = False,
) -> dict[Any, GroupMemory]:
    """Per domain (or per (domain, task area)): the memory of its unsuspended cards, the
    held-out diagnostic items left out if `skip_held_out`."""
    where = heldout_filter("c") if skip_held_out else ""
    ensure_math(s)
    params: dict[str, Any] = {"now": to_db(now), "shiftd": shiftd}
    params |= {"decay": curve[0], "factor": curve[1]}
    params["exam"] = to_db(exam) if exam else None
    params |= {f"t{d}": targets.get(d, 0.9) for d in range(6)}
    if by_task:
        sql = _memory_sql("c.domain, n.task", "JOIN note n ON n.id = c.note_id", where)
    else:
        sql = _memory_sql("c.domain", "", where)
    out: dict[Any, GroupMemory] = {}
    for *key, cards, seen, r, below, r_below, r_exam in _rows(s, sql, params):
        g = GroupMemory(int(cards), int(seen or 0), float(r or 0), int(below or 0))
        g = GroupMemory(g.cards, g.seen, g.sum_r, g.below, float(r_below or 0), float(r_exam or 0))
        out[tuple(key) if by_task else int(key[0])] = g
    return out


# ----- calibration -------------------------------------------------------------------------------
def _log_key(expr: str, base: float, first: int) -> str:
    """SQL: floor(ln(expr) / ln(base)) for an integer expr >= `first`, as comparisons with
    the integers where it steps (cheaper than two function calls a row); the steps come from
    the same C log(), so the keys are the same. Past 5,000, the formula itself."""
    steps, last = [], math.floor(math.log(first) / math.log(base))
    for n in range(first + 1, 5000):
        key = math.floor(math.log(n) / math.log(base))
        if key != last:
            steps.append(f"WHEN {expr} < {n} THEN {last}")
            last = key
    formula = f"CAST(floor(ln({expr}) / ln({base})) AS INTEGER)"
    return f"CASE {' '.join(steps)} ELSE {formula} END"


_NO_BIN = 31
_GROUP_KEY = f"""((((c.domain * 64 + {_log_key("dt", 3.62, 1)}) * 64
    + {_log_key("(reps + 2)", 1.89, 2)}) * 64
    + CASE WHEN lapses > 0 THEN {_log_key("lapses", 1.73, 1)} + 1 ELSE 0 END) * 32
    + IFNULL(MIN(MAX(CAST(exp(p * ln(21)) AS INTEGER) - 1, 0), 19), {_NO_BIN}))"""
"""fsrs-rs's bin keys of a recall test (core.stats.RecallGroup) packed in one integer (domain,
interval, length, lapses + 1 or 0 for none, R bin or _NO_BIN without a prediction), in the
order of the five: grouping 500,000 tests by one integer takes 0.3-0.5 s less than by five
columns."""


def _group(row: Any) -> RecallGroup | None:
    """The RecallGroup of a row (packed key (_GROUP_KEY), count, sums); None for the tests
    without a prediction."""
    key, p_bin = divmod(int(row[0]), 32)
    key, lapse = divmod(key, 64)
    key, length = divmod(key, 64)
    domain, dt = divmod(key, 64)
    if p_bin == _NO_BIN:
        return None
    n, sp, sy, sl = row[1:]
    lapse_key = lapse - 1 if lapse else None
    return RecallGroup(
        domain, dt, length, lapse_key, p_bin, int(n), float(sp), float(sy), float(sl)
    )


def recall_tests(
    s: Session, shiftd: float, since: datetime, curve: tuple[float, float]
) -> tuple[int, list[RecallGroup]]:
    """Recall tests since `since` (an answer on a later study day than the card's previous
    one), and those with a prediction summed by domain and fsrs-rs's bin keys, each with the
    R predicted from the stability left by the previous answer and the interval in study
    days. One pass over the whole log serves both (_history: a second pass cost a second).

    The per-test values come from a subquery SQLite cannot flatten (LIMIT), so they are
    computed once per row, not once per use of the predicted R."""
    ensure_math(s)
    day = DAY_MS.format(t="h.id")
    p = "MIN(MAX(pow(1 + :factor * t.dt / t.st, :decay), 0.0001), 0.9999)"
    sql = f"""SELECT {_GROUP_KEY}, COUNT(*), SUM(p), SUM(y),
          SUM(-CASE WHEN y THEN ln(p) ELSE ln(1 - p) END)
        FROM (SELECT c.domain, t.dt, t.reps, t.lapses, t.y, CASE WHEN t.st > 0 THEN {p} END AS p
          FROM (SELECT h.card_id, {day} - {_PREV_DAY} AS dt, h.rating > 1 AS y,
                  {_PREV_STABILITY} AS st, h.reps, h.lapses
                FROM ({_history()}) h
                WHERE h.id >= :since AND h.rating > 0 AND {_PREV_ANSWERED}) t
          CROSS JOIN card c ON c.id = t.card_id WHERE t.dt >= 1 LIMIT -1) c
        GROUP BY 1"""
    params = {"shiftd": shiftd, "since": to_ms(since), "decay": curve[0], "factor": curve[1]}
    rows = _rows(s, sql, params)
    groups = [g for g in map(_group, rows) if g is not None]
    return sum(int(row[1]) for row in rows), groups


COUNTED_ATTEMPT = """(COALESCE(json_extract(a.options, '$.counted'), 0) = 1
    OR NOT COALESCE(json_extract(a.options, '$.incomplete'),
        2 * (SELECT COUNT(choice) FROM exam_item x WHERE x.attempt_id = a.id)
        < (SELECT COUNT(*) FROM exam_item x WHERE x.attempt_id = a.id)))"""
"""SQL: attempt `a` counts toward readiness and calibration: not incomplete (most items left
unanswered, as stored at submission or judged from its answers), or counted anyway."""


def mock_items(s: Session) -> list[tuple[int, str, bool, float | None, int | None]]:
    """Scored items of finished full mocks that count (COUNTED_ATTEMPT), oldest attempt first:
    (attempt id, started, answered right, stability and time (ms) of the card's last answer
    before the attempt; None when there is none, or a reset came after it)."""
    started = revlog.ms_of("a.started")
    sql = f"""SELECT a.id, a.started,
                    i.choice IS NOT NULL AND i.choice = json_extract(i.content, '$.answer'),
                    {revlog.STABILITY}, r.id
             FROM exam_attempt a JOIN exam_item i ON i.attempt_id = a.id
             LEFT JOIN revlog r ON r.id = (
                 SELECT r2.id FROM revlog r2 WHERE r2.card_id = i.card_id
                 AND r2.id < {started} AND (r2.rating > 0 OR r2.kind = 4)
                 ORDER BY r2.id DESC LIMIT 1) AND r.rating > 0
             WHERE a.kind = 'mock' AND a.finished IS NOT NULL AND i.pretest = 0
               AND {COUNTED_ATTEMPT}
             ORDER BY a.started, a.id, i.position"""
    return [(int(a), str(t), bool(ok), st, at) for a, t, ok, st, at in _rows(s, sql)]


def decks(s: Session) -> list[tuple[int, str]]:
    return [(int(i), str(n)) for i, n in _rows(s, "SELECT id, name FROM deck ORDER BY name")]
