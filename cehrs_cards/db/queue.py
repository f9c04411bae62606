"""Queue and count queries for daily study. Plain SQL on indexed columns: these run per answer."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session

from cehrs_cards.core.records import CardState, Counts
from cehrs_cards.db import revlog
from cehrs_cards.db.notes import HELDOUT_CARDS, heldout_filter
from cehrs_cards.db.session import Rows, run
from cehrs_cards.db.timefmt import from_db, to_db, to_ms

_ACTIVE = "c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= :now)"


@dataclass(frozen=True)
class DayWindow:
    now: datetime
    day_start: datetime
    day_end: datetime

    def params(self) -> dict[str, str | int]:
        return {
            "now": to_db(self.now),
            "start": to_db(self.day_start),
            "end": to_db(self.day_end),
            "start_ms": to_ms(self.day_start),  # the review log's times (db/revlog.py)
            "end_ms": to_ms(self.day_end),
        }


def deck_filter(deck_ids: list[int] | None) -> str:
    """SQL fragment restricting to decks, for db/ modules (ints from our own table, never user
    text); services describe the cards they mean with a CardScope instead."""
    if deck_ids is None:
        return ""
    return f" AND c.deck_id IN ({','.join(str(int(i)) for i in deck_ids) or 'NULL'})"


@dataclass(frozen=True)
class CardScope:
    """Which cards a queue or a count covers, as plain values (services never write SQL):
    some decks (None: every deck), a study focus (cards of any of `domains` or of notes in any
    of the task areas `tasks`; both empty: no focus), and whether the held-out diagnostic
    items are left out (they are never studied: True everywhere but the exam pool)."""

    deck_ids: tuple[int, ...] | None = None
    domains: tuple[int, ...] = ()
    tasks: tuple[str, ...] = ()
    skip_held_out: bool = True
    only_held_out: bool = False  # the held-out cards alone (counts subtract them: _counted)

    def where(self) -> tuple[str, dict[str, Any]]:
        """The fragment to AND into a query on card alias c, and its bound parameters (named
        sc_*, so they never clash with the query's own)."""
        sql, params = "", dict[str, Any]()
        if self.deck_ids is not None:
            names = _bind(params, "sc_d", [int(i) for i in self.deck_ids])
            sql += f" AND c.deck_id IN ({names or 'NULL'})"
        focus = []
        if self.domains:
            focus.append(f"c.domain IN ({_bind(params, 'sc_f', [int(d) for d in self.domains])})")
        if self.tasks:
            names = _bind(params, "sc_t", [str(t) for t in self.tasks])
            focus.append(f"c.note_id IN (SELECT n.id FROM note n WHERE n.task IN ({names}))")
        if focus:
            sql += f" AND ({' OR '.join(focus)})"
        if self.only_held_out:
            sql += f" AND c.id IN ({HELDOUT_CARDS})"
        elif self.skip_held_out:
            sql += heldout_filter("c")
        return sql, params


ALL_STUDYABLE = CardScope()
"""Every card of every deck but the held-out ones."""


def _bind(params: dict[str, Any], prefix: str, values: Sequence[object]) -> str:
    """Add `values` to `params` as prefix0, prefix1...; their placeholders, comma-joined."""
    for i, v in enumerate(values):
        params[f"{prefix}{i}"] = v
    return ",".join(f":{prefix}{i}" for i in range(len(values)))


def next_learning(
    session: Session, w: DayWindow, scope: CardScope, ahead: datetime, avoid_note: int = 0
) -> int | None:
    """The learning card due first, one of another note than `avoid_note` (the card just
    answered) while there is one: siblings never come back to back.

    Two queries, the second only when the note's own cards are all that is left: one sort
    key (the due time) lets SQLite keep just the first row while it reads, where sorting by
    (is it the note's, due) sorted every learning card: 3.6 ms against 0.1 ms with 3,800 of
    them (the heavy benchmark collection), on every card shown."""
    where, params = scope.where()
    sql = f"""SELECT c.id FROM card c WHERE c.state IN (1, 3) AND c.due <= :cutoff
              AND {_ACTIVE}{where}{{other}} ORDER BY c.due LIMIT 1"""
    params |= w.params() | {"cutoff": to_db(ahead), "avoid": avoid_note}
    found = run(session, sql.format(other=" AND c.note_id != :avoid"), params).fetchone()
    if found is None and avoid_note:
        found = run(session, sql.format(other=""), params).fetchone()
    return None if found is None else int(found[0])


def review_batch(session: Session, w: DayWindow, scope: CardScope, limit: int) -> list[int]:
    """Due review cards, lowest retrievability (largest elapsed / stability) first.

    One sort over every due card, so callers take a batch and reuse it (see ReviewService).
    """
    where, params = scope.where()
    sql = f"""SELECT c.id FROM card c WHERE c.state = 2 AND c.due < :end AND {_ACTIVE}{where}
              ORDER BY (julianday(:now) - julianday(c.last_review)) / c.stability DESC, c.id
              LIMIT :limit"""
    params |= w.params() | {"limit": limit}
    return [row[0] for row in run(session, sql, params)]


def due_review_rows(
    session: Session, w: DayWindow, scope: CardScope, limit: int
) -> list[tuple[int, int, float, float, datetime]]:
    """Due review cards as (id, domain, stability, difficulty, last review), for the exam
    plan's ordering (core/exam_day.py)."""
    where, params = scope.where()
    sql = f"""SELECT c.id, c.domain, c.stability, c.difficulty, c.last_review FROM card c
              WHERE c.state = 2 AND c.due < :end AND {_ACTIVE}{where}
              AND c.stability > 0 AND c.last_review IS NOT NULL LIMIT :limit"""
    rows = session.connection().execute(text(sql), params | w.params() | {"limit": limit})
    return [(i, d, float(s), float(df or 5.0), _utc(lr)) for i, d, s, df, lr in rows]


def _utc(stored: str) -> datetime:
    when = from_db(stored)
    assert when is not None
    return when


def due_review_note(session: Session, w: DayWindow, card_id: int) -> int | None:
    """The card's note if it is still a due, studyable review card, else None."""
    sql = f"""SELECT c.note_id FROM card c WHERE c.id = :id AND c.state = 2 AND c.due < :end
              AND {_ACTIVE}"""
    got = run(session, sql, w.params() | {"id": card_id}).fetchone()
    return None if got is None else int(got[0])


def first_new_per_domain(
    session: Session, w: DayWindow, scope: CardScope, avoid_notes: frozenset[int] = frozenset()
) -> dict[int, int]:
    """For each domain with new cards available: the id of its first new card (oldest first),
    skipping cards of `avoid_notes` (notes studied today) while another card is there, so
    siblings are spread apart instead of coming back to back."""
    out: dict[int, int] = {}
    where, bound = scope.where()
    for dom in range(0, 6):
        sql = f"""SELECT c.id, c.note_id FROM card c WHERE c.domain = :dom AND c.state = 0
                  AND {_ACTIVE}{where} ORDER BY c.due, c.id LIMIT :n"""
        params = bound | w.params() | {"dom": dom, "n": NEW_LOOKAHEAD}
        rows = run(session, sql, params).fetchall()
        fresh = [card_id for card_id, note_id in rows if note_id not in avoid_notes]
        if rows:
            out[dom] = fresh[0] if fresh else rows[0][0]
    return out


NEW_LOOKAHEAD = 50
"""New cards looked at per domain when the first ones belong to notes studied today."""


def notes_studied_today(session: Session, w: DayWindow) -> frozenset[int]:
    """Notes with a card answered today (their siblings wait: Anki's spread of siblings)."""
    sql = """SELECT DISTINCT c.note_id FROM revlog r JOIN card c ON c.id = r.card_id
             WHERE r.id >= :start_ms AND r.id < :end_ms AND r.rating > 0"""
    return frozenset(row[0] for row in run(session, sql, w.params()))


def bury_siblings(
    session: Rows, w: DayWindow, card_id: int, new: bool, reviews: bool
) -> list[tuple[int, str | None]]:
    """Bury the answered card's new and/or due review siblings until the next study day (as
    Anki does); returns (card id, previous buried_until) of each card buried, for undo."""
    if not (new or reviews):
        return []
    which = (("c.state = 0", new), ("(c.state = 2 AND c.due < :end)", reviews))
    kinds = [k for k, on in which if on]
    sql = f"""SELECT c.id, c.buried_until FROM card c
              WHERE c.note_id = (SELECT note_id FROM card WHERE id = :id) AND c.id != :id
              AND c.suspended = 0 AND ({" OR ".join(kinds)})
              AND (c.buried_until IS NULL OR c.buried_until < :end)"""
    rows = [(int(i), b) for i, b in run(session, sql, w.params() | {"id": card_id})]
    for sibling, _ in rows:
        run(
            session,
            "UPDATE card SET buried_until = :end WHERE id = :id",
            w.params() | {"id": sibling},
        )
    return rows


def restore_buried(session: Session, rows: Sequence[tuple[int, str | None]]) -> None:
    """Put back the buried_until values bury_siblings replaced (undo of an answer)."""
    for card_id, until in rows:
        session.connection().execute(
            text("UPDATE card SET buried_until = :u WHERE id = :id"), {"u": until, "id": card_id}
        )


def done_today(session: Session, w: DayWindow) -> tuple[dict[int, int], int]:
    """New cards introduced today per domain, and review-state answers today."""
    sql = f"""SELECT c.domain, {revlog.STATE_BEFORE} AS s, COUNT(*)
             FROM revlog r JOIN card c ON c.id = r.card_id
             WHERE r.id >= :start_ms AND r.id < :end_ms AND r.rating > 0 GROUP BY 1, 2"""
    new: dict[int, int] = {}
    reviews = 0
    for dom, state, n in run(session, sql, w.params()):
        if state == CardState.NEW:
            new[dom] = new.get(dom, 0) + n
        elif state == CardState.REVIEW:
            reviews += n
    return new, reviews


def reviews_today(session: Session, w: DayWindow) -> int:
    sql = "SELECT COUNT(*) FROM revlog WHERE id >= :start_ms AND id < :end_ms AND rating > 0"
    return int(session.connection().execute(text(sql), w.params()).scalar_one())


K = TypeVar("K")
N = TypeVar("N", int, Counts)


def _counted(scope: CardScope, count: Callable[[CardScope], dict[K, N]]) -> dict[K, N]:
    """count(scope), made as every card's count less the held-out cards' when the scope
    leaves those out: the held-out test on every card (a lookup per row) tripled a count
    over 100,000 cards (27 ms against 9 ms, plus 0.3 ms for the few held-out cards)."""
    if not scope.skip_held_out or scope.only_held_out:
        return count(scope)
    out = count(replace(scope, skip_held_out=False))
    for key, held in count(replace(scope, only_held_out=True)).items():
        left = out[key] - held
        if left == type(left)():  # as the query without them: no row for an empty group
            del out[key]
        else:
            out[key] = left
    return out


def counts_by(
    session: Session, w: DayWindow, column: str, scope: CardScope = ALL_STUDYABLE
) -> dict[int, Counts]:
    """Studyable counts today of the cards in `scope`, grouped by 'deck_id' or 'domain'
    (before daily limits); a deck or domain with none has no entry."""
    assert column in ("deck_id", "domain")
    if _whole(scope):
        return _tallied(session, w, column, scope, totals=False)[0]
    return _counted(scope, lambda sc: _counts_by(session, w, column, sc))


def counts_and_totals(
    session: Session, w: DayWindow, column: str, scope: CardScope = ALL_STUDYABLE
) -> tuple[dict[int, Counts], dict[int, int]]:
    """counts_by and totals_by together, read in one statement when `scope` is every deck
    without a focus (the deck list, which shows both)."""
    assert column in ("deck_id", "domain")
    if _whole(scope):
        return _tallied(session, w, column, scope, totals=True)
    return counts_by(session, w, column, scope), totals_by(session, column, scope)


def _whole(scope: CardScope) -> bool:
    """Whether `scope` is every deck without a focus: then counting per key (_tallied) beats
    one GROUP BY; with a focus, each key's count would read the whole focus again (a domain
    focus counted per deck: 224 against 75 ms on the heavy benchmark collection), and the
    few held-out cards alone are read faster by their own index than once per key."""
    focus = scope.deck_ids is not None or scope.domains or scope.tasks
    return not focus and not scope.only_held_out


def _counts_by(session: Session, w: DayWindow, column: str, scope: CardScope) -> dict[int, Counts]:
    """counts_by as one GROUP BY over two ranges (new; due by state and date), so the covering
    index ix_card_queue or ix_card_domain answers without touching the table."""
    where, params = scope.where()
    sql = f"""SELECT c.{column}, c.state, COUNT(*) FROM card c
              WHERE c.state = 0 AND {_ACTIVE}{where} GROUP BY 1, 2
              UNION ALL
              SELECT c.{column}, c.state, COUNT(*) FROM card c
              WHERE c.state IN (1, 2, 3) AND c.due < :end AND {_ACTIVE}{where} GROUP BY 1, 2"""
    out: dict[int, Counts] = {}
    for key, state, n in session.connection().execute(text(sql), params | w.params()):
        add = Counts(
            new=n if state == 0 else 0,
            learning=n if state in (1, 3) else 0,
            due=n if state == 2 else 0,
        )
        out[key] = out.get(key, Counts()) + add
    return out


_PER_KEY = (
    f"c.state = 0 AND {_ACTIVE}",
    f"c.state IN (1, 3) AND c.due < :end AND {_ACTIVE}",
    f"c.state = 2 AND c.due < :end AND {_ACTIVE}",
    "1",
)
"""Per key: new, learning (and relearning), due review, every card (the totals)."""


def _tallied(
    session: Session, w: DayWindow, column: str, scope: CardScope, totals: bool
) -> tuple[dict[int, Counts], dict[int, int]]:
    """Today's counts (and the totals, if asked) of `scope` per deck or domain, in one
    statement: for each key (the column's distinct values, which SQLite reads by skipping
    through the index) one count per figure, each a range of the covering index ix_card_queue
    or ix_card_domain; and, when the scope leaves the held-out cards out, those cards' own
    figures from the partial index of held-out notes, subtracted here (see _counted: testing
    each card for held-out tripled a count). Counting per key this way costs about two thirds
    of the GROUP BY over the same ranges (10 against 15 ms per column, counts and totals, on
    the heavy benchmark collection)."""
    parts = _PER_KEY if totals else _PER_KEY[:3]
    split = scope.skip_held_out and not scope.only_held_out
    where, params = (replace(scope, skip_held_out=False) if split else scope).where()
    counted = ", ".join(
        f"(SELECT COUNT(*) FROM card c WHERE c.{column} = ks.k AND {p}{where})" for p in parts
    )
    sql = f"SELECT 0, ks.k, {counted} FROM (SELECT DISTINCT {column} AS k FROM card) AS ks"
    if split:
        held, held_params = replace(scope, only_held_out=True).where()
        sums = ", ".join(f"SUM({p})" for p in parts)
        sql += f" UNION ALL SELECT 1, c.{column}, {sums} FROM card c WHERE 1{held} GROUP BY 2"
        params |= held_params
    got: dict[int, list[int]] = {}
    rows = session.connection().execute(text(sql), params | w.params())
    for is_held, key, *figures in rows:
        sign = -1 if is_held else 1
        mine = got.setdefault(key, [0] * len(parts))
        got[key] = [a + sign * b for a, b in zip(mine, figures, strict=True)]
    counts = {k: Counts(*f[:3]) for k, f in sorted(got.items()) if any(f[:3])}
    return counts, {k: f[3] for k, f in sorted(got.items()) if totals and f[3]}


def totals_by(session: Session, column: str, scope: CardScope = ALL_STUDYABLE) -> dict[int, int]:
    """Cards of `scope` per deck or domain."""
    assert column in ("deck_id", "domain")
    return _counted(scope, lambda sc: _grouped(session, column, "1", sc))


def active_by_domain(session: Session, scope: CardScope = ALL_STUDYABLE) -> dict[int, int]:
    """Cards that count toward the exam per domain: those of `scope` not suspended."""
    return _counted(scope, lambda sc: _grouped(session, "domain", "c.suspended = 0", sc))


def _grouped(session: Session, column: str, cond: str, scope: CardScope) -> dict[int, int]:
    """Cards of `scope` meeting `cond` (our own SQL) per `column`."""
    where, params = scope.where()
    sql = f"SELECT c.{column}, COUNT(*) FROM card c WHERE {cond}{where} GROUP BY 1"
    return {k: n for k, n in session.connection().execute(text(sql), params)}


def new_at_day_start(
    session: Session, w: DayWindow, scope: CardScope = ALL_STUDYABLE
) -> dict[int, int]:
    """New (never answered) unsuspended cards of `scope` per domain as the study day began."""
    where, params = scope.where()
    sql = f"""SELECT c.domain, COUNT(*) FROM card c WHERE c.suspended = 0 AND (c.state = 0
             OR c.id IN (SELECT r.card_id FROM revlog r WHERE r.id >= :start_ms
                         AND {revlog.FIRST_ANSWER})){where} GROUP BY 1"""
    return {d: n for d, n in session.connection().execute(text(sql), params | w.params())}


def due_between(session: Session, start: datetime, end: datetime, scope: CardScope) -> int:
    """Cards of `scope` (learning, review or relearning, unsuspended) falling due in
    [start, end): tomorrow's load when a session runs dry."""
    where, params = scope.where()
    sql = f"""SELECT COUNT(*) FROM card c WHERE c.state IN (1, 2, 3) AND c.suspended = 0
              AND c.due >= :a AND c.due < :b{where}"""
    got = session.connection().execute(text(sql), params | {"a": to_db(start), "b": to_db(end)})
    return int(got.scalar() or 0)


def reviews_due_between(session: Session, starts: Sequence[datetime]) -> list[int]:
    """Review cards due in each span [starts[i], starts[i+1]) (study days ahead: the exam
    plan's load per day); unsuspended cards only."""
    sql = """SELECT COUNT(*) FROM card WHERE state = 2 AND due >= :a AND due < :b
             AND suspended = 0"""
    conn = session.connection()
    return [
        int(conn.execute(text(sql), {"a": to_db(a), "b": to_db(b)}).scalar_one())
        for a, b in itertools.pairwise(starts)
    ]


def reviews_per_day(session: Session, w: DayWindow, days: int) -> list[int]:
    """Review-state answers on each of the `days` study days before today that the history
    reaches (oldest first): the recent pace the exam plan budgets with."""
    return _per_day(session, w, days, f"r.rating > 0 AND {revlog.STATE_BEFORE} = 2")


def new_per_day(session: Session, w: DayWindow, days: int) -> list[int]:
    """New cards introduced on each of the `days` study days before today (oldest first).

    Fewer entries when the review history is younger than that, so callers can tell.
    """
    return _per_day(session, w, days, revlog.FIRST_ANSWER)


def _per_day(session: Session, w: DayWindow, days: int, where: str) -> list[int]:
    first = session.connection().execute(text("SELECT MIN(id) FROM revlog")).scalar()
    if first is None:
        return []
    out: list[int] = []
    for back in range(days, 0, -1):
        start = w.day_start - timedelta(days=back)
        if to_ms(start + timedelta(days=1)) <= first:
            continue
        sql = f"""SELECT COUNT(*) FROM revlog r WHERE r.id >= :a AND r.id < :b
                  AND {where}"""
        got = session.connection().execute(
            text(sql), {"a": to_ms(start), "b": to_ms(start + timedelta(days=1))}
        )
        out.append(int(got.scalar_one()))
    return out
