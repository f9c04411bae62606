"""Exam-day projection by simulation (core/projection.py) on the candidate's own collection:
their cards and memory states, FSRS parameters, answer times, rating habits, daily minutes and
limits, to the exam date; the held-out model fitted as for today's estimate. Slow (seconds):
the statistics view runs it on request, on the reader thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cehrs_cards.core import projection as pj
from cehrs_cards.core import simulate as sim
from cehrs_cards.core.exam_day import COSTS
from cehrs_cards.core.records import CardState, MemoryState
from cehrs_cards.db import held_out as q
from cehrs_cards.db.session import Session
from cehrs_cards.db.timefmt import from_db
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.held_out import fitted_posteriors, held_out_ids
from cehrs_cards.services.scheduling import base_policy, exam_date_of

HABIT_DAYS = 30
"""Answer times and ratings are read from the last 30 days ..."""
MIN_ANSWERS = 20
"""... a cell (state, rating) with fewer answers keeps the simulator's default."""
PACE_DAYS = 14
DEFAULT_MINUTES = 20.0
"""Daily minutes when the last two weeks have no answers."""


@dataclass(frozen=True)
class ProjectionReport:
    """The projection, or why there is none."""

    projection: pj.Projection | None
    reasons: tuple[str, ...]
    inputs: pj.ProjectionInputs | None = None


class ProjectionService:
    def __init__(self, col: Collection) -> None:
        self.col = col

    def project(self, runs: int = pj.RUNS) -> ProjectionReport:
        """Simulate to the exam date and forecast exam day with the held-out model."""
        settings = self.col.settings()
        exam, now = exam_date_of(settings), self.col.now()
        days = self.col.study_days()
        if exam is None or exam <= days.day_of(now):
            return ProjectionReport(None, ("Set a future exam date (Settings) to project.",))
        policy = base_policy(settings)
        with self.col.read() as s:
            posteriors, reasons = fitted_posteriors(s, now, days, policy.parameters[20])
            if posteriors is None:
                return ProjectionReport(None, reasons)
            costs, first, recall = habits(s, now)
            inputs = pj.ProjectionInputs(
                now=now,
                exam=exam,
                cards=tuple(studyable_cards(s)),
                parameters=tuple(policy.parameters),
                daily_minutes=daily_minutes(s, now),
                new_per_day=settings.new_per_day,
                reviews_per_day=settings.reviews_per_day,
                base_retention=settings.base_retention,
                costs=costs,
                first_rating=first,
                recall_rating=recall,
            )
        return ProjectionReport(pj.project(inputs, posteriors, runs), (), inputs)


def studyable_cards(s: Session) -> list[tuple[int, MemoryState]]:
    """(domain, memory state) of every unsuspended card but the held-out ones."""
    out = []
    for dom, st, step, stab, diff, due, last, reps, lapses in q.studyable_memory_rows(
        s, held_out_ids(s)
    ):
        when = from_db(due)
        assert when is not None
        mem = MemoryState(CardState(st), step, stab, diff, when, from_db(last), reps, lapses)
        out.append((int(dom), mem))
    return out


def habits(
    s: Session, now: datetime
) -> tuple[tuple[tuple[float, ...], ...], tuple[float, ...], tuple[float, ...]]:
    """Seconds per answer (learning / review / relearning x Again..Easy) and the rating mix
    on first sight and when recalled, from the last HABIT_DAYS days; defaults where thin."""
    rows = q.answer_habits(s, now - timedelta(days=HABIT_DAYS))
    costs = [list(r) for r in COSTS]
    cells: dict[tuple[int, int], tuple[int, int]] = {}
    for state, rating, n, ms in rows:
        row = {0: 0, 1: 0, 2: 1, 3: 2}.get(state)
        if row is not None and 1 <= rating <= 4:
            k, total = cells.get((row, rating), (0, 0))
            cells[(row, rating)] = (k + n, total + n * ms)
    for (row, rating), (n, total) in cells.items():
        if n >= MIN_ANSWERS and total > 0:
            costs[row][rating - 1] = total / n / 1000
    first = _mix(rows, 0, (1, 2, 3, 4))
    recall = _mix(rows, 2, (2, 3, 4))
    return (
        tuple(tuple(r) for r in costs),
        first or tuple(sim.FIRST_RATING),
        recall or tuple(sim.RECALL_RATING),
    )


def _mix(
    rows: list[tuple[int, int, int, int]], state: int, ratings: tuple[int, ...]
) -> tuple[float, ...] | None:
    """Shares of `ratings` among answers from `state` (None with too few answers)."""
    counts = [sum(n for st, r, n, _ in rows if st == state and r == want) for want in ratings]
    total = sum(counts)
    return tuple(c / total for c in counts) if total >= 5 * MIN_ANSWERS else None


def daily_minutes(s: Session, now: datetime) -> float:
    """Mean minutes on the days studied in the last two weeks (the daily budget ahead)."""
    days = q.seconds_by_day(s, now - timedelta(days=PACE_DAYS), 0.5)
    return sum(days) / len(days) / 60 if days else DEFAULT_MINUTES
