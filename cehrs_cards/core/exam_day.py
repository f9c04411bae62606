"""The last weeks before the exam: where each card's final review goes, and which reviews
come first when the day's budget cannot take them all.

A card whose next review falls on or after exam day needs no more study if its predicted
recall on exam day is at least the target (EXAM_TARGET); otherwise its final review is moved
before the exam, to the latest day that still fits the daily review budget and from which a
successful review keeps exam-day recall above the target. Nothing is piled on exam morning.
When due reviews outnumber the budget, the queue takes them in order of exam points gained
per minute: the card's exam value × the recall on exam day the review adds ÷ its expected
time. Both pure; services/ and core/simulate.py use the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import fsrs

from cehrs_cards.core.memory_model import recall
from cehrs_cards.core.records import MemoryState

EXAM_TARGET = 0.95
"""Predicted recall on exam day a card's final review aims for."""
HORIZON = 28
"""The exam plan applies in the last four weeks; before that, plain FSRS intervals."""
# Seconds per answer by state (learning, review, relearning) and rating Again..Easy: the
# defaults of the FSRS simulator (fsrs-rs SimulatorConfig, measured on Anki users).
COSTS = (
    (19.58, 18.79, 13.78, 10.71),
    (19.38, 17.59, 12.38, 8.94),
    (16.44, 15.25, 12.32, 8.03),
)
_GRID = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ReviewCandidate:
    """A due review as the exam plan sees it: its memory and its card's exam value."""

    card_id: int
    value: float
    stability: float
    difficulty: float
    elapsed: int
    """Study days since its last review."""


def _after(
    sched: fsrs.Scheduler, stability: float, difficulty: float, elapsed: int, rating: int
) -> float:
    """Stability after answering `rating` `elapsed` study days after the last review."""
    card = fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        stability=stability,
        difficulty=difficulty,
        due=_GRID,
        last_review=_GRID,
    )
    out, _ = sched.review_card(card, fsrs.Rating(rating), _GRID + timedelta(days=elapsed))
    assert out.stability is not None
    return float(out.stability)


@dataclass
class ExamPlacer:
    """Moves final reviews before the exam within the daily budget (a Placer for Schedulers).

    `loads` counts reviews already due on each coming day (1 = tomorrow ... days_left - 1 =
    the exam's eve); `add` records a placement once an answer is saved.
    """

    sched: fsrs.Scheduler
    days_left: int
    budget: int
    loads: MutableMapping[int, int] = field(default_factory=dict)
    target: float = EXAM_TARGET

    def __call__(self, after: MemoryState, days: int) -> int:
        stability, difficulty = after.stability, after.difficulty
        if stability is None or difficulty is None or not 0 < self.days_left <= HORIZON:
            return days
        if days < self.days_left:
            return days  # it comes back before the exam anyway
        if recall(stability, self.days_left, self.sched.parameters[20]) >= self.target:
            return days  # needs nothing more before the exam
        return self.final_day(stability, difficulty)

    def final_day(self, stability: float, difficulty: float) -> int:
        """The latest day with room from which a successful review keeps exam-day recall
        above target; the least loaded such day when none has room (latest on ties)."""
        eve = self.days_left - 1
        if eve < 1:
            return 1
        useful = [f for f in range(eve, 0, -1) if self._enough(stability, difficulty, f)]
        days = useful or [eve]
        with_room = [f for f in days if self.loads.get(f, 0) < self.budget]
        if with_room:
            return with_room[0]
        return min(days, key=lambda f: (self.loads.get(f, 0), -f))

    def _enough(self, stability: float, difficulty: float, f: int) -> bool:
        s = _after(self.sched, stability, difficulty, f, 3)
        return recall(s, self.days_left - f, self.sched.parameters[20]) >= self.target

    def add(self, day: int) -> None:
        """Count a review now due `day` days from today."""
        if 0 < day < self.days_left:
            self.loads[day] = self.loads.get(day, 0) + 1


def exam_gain(sched: fsrs.Scheduler, c: ReviewCandidate, days_left: int) -> float:
    """Expected exam points a review today adds per second: value × recall gain ÷ time."""
    decay = sched.parameters[20]
    p = recall(c.stability, c.elapsed, decay)
    untouched = recall(c.stability, c.elapsed + days_left, decay)
    good = recall(_after(sched, c.stability, c.difficulty, c.elapsed, 3), days_left, decay)
    again = recall(_after(sched, c.stability, c.difficulty, c.elapsed, 1), days_left, decay)
    gain = p * good + (1 - p) * again - untouched
    seconds = p * COSTS[1][2] + (1 - p) * (COSTS[1][0] + COSTS[2][2])
    return c.value * max(0.0, gain) / seconds


def exam_order(
    sched: fsrs.Scheduler, candidates: list[ReviewCandidate], days_left: int
) -> list[int]:
    """Card ids of due reviews, most exam points per minute first."""
    ranked = sorted(candidates, key=lambda c: (-exam_gain(sched, c, days_left), c.card_id))
    return [c.card_id for c in ranked]


def review_budget(limit: int, recent: list[int]) -> int:
    """Reviews a day the exam plan may count on: the recent daily average, at most the limit
    (the limit alone before there is any history). At least 1."""
    if not recent:
        return max(1, limit)
    return max(1, min(limit, round(sum(recent) / len(recent))))


def value_of(values: Mapping[int, float], domain: int) -> float:
    """A card's exam value relative to the average card (1.0 when unknown)."""
    return values.get(domain, 1.0)
